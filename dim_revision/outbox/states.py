"""The Envio state machine: every allowed move in one table, so the store and the UI agree.

programado → enviando → enviado
programado → cancelado
enviando   → programado (retry scheduled, or released unsent when the worker pauses/stops)
enviando   → fallido    (permanent error, or the retry policy gave up)
enviando   → incierto   (the request may have reached Botmaker; a person decides)
fallido    → programado (supervisor: "reintentar", a real new attempt; or the worker, when the
                         same error on several sends in a row shows a wrong configuration)
incierto   → programado (supervisor: "reenviar", accepting the risk of a duplicate; also the
                         service's reconciliation when Botmaker provably has no such message)
incierto   → enviado    (supervisor: "marcar enviado"; also the worker that held it, if it
                         later learns Botmaker accepted it)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from dim_revision.domain.enums import EstadoEnvio as E
from dim_revision.errors import InvalidTransition


class Quien(StrEnum):
    """Who may make a move: the outbox worker, or a person (operator/supervisor)."""

    WORKER = "worker"
    PERSONA = "persona"


@dataclass(frozen=True)
class Transicion:
    significado: str
    quien: frozenset[Quien]


_W = frozenset({Quien.WORKER})
_P = frozenset({Quien.PERSONA})

# THE table: (from, to) → meaning and who may do it; anything not listed is refused.
TRANSITIONS: Mapping[tuple[E, E], Transicion] = {
    (E.PROGRAMADO, E.ENVIANDO): Transicion("tomado por un puesto para enviarlo", _W),
    (E.PROGRAMADO, E.CANCELADO): Transicion("cancelado antes de enviarse", _P),
    (E.ENVIANDO, E.ENVIADO): Transicion("aceptado por Botmaker", _W),
    (E.ENVIANDO, E.PROGRAMADO): Transicion("reintento programado o devuelto sin enviar", _W),
    (E.ENVIANDO, E.FALLIDO): Transicion("error permanente o reintentos agotados", _W),
    (E.ENVIANDO, E.INCIERTO): Transicion("puede haber llegado a Botmaker", _W),
    (E.FALLIDO, E.PROGRAMADO): Transicion(
        "reintento manual, o devuelto a la cola por una pausa de configuración", _W | _P
    ),
    # Worker too: the service's reconciliation re-queues it once Botmaker provably lacks it.
    (E.INCIERTO, E.PROGRAMADO): Transicion("reenvío manual", _W | _P),
    (E.INCIERTO, E.ENVIADO): Transicion("marcado como enviado", _W | _P),
}

TERMINALES = frozenset(e for e in E if not any(a is e for (a, _b) in TRANSITIONS))


def is_allowed(a: E | str, b: E | str, quien: Quien | None = None) -> bool:
    t = TRANSITIONS.get((E(a), E(b)))
    return t is not None and (quien is None or quien in t.quien)


def check_transition(a: E | str, b: E | str, quien: Quien | None = None) -> None:
    """Raise `InvalidTransition` (a Spanish message for whoever asked) unless a → b is allowed
    (for `quien`, when given)."""
    desde, hacia = E(a), E(b)
    if is_allowed(desde, hacia, quien):
        return
    raise InvalidTransition(
        f"No se puede pasar un envío de «{desde.etiqueta}» a «{hacia.etiqueta}»: "
        + refusal_reason(desde, hacia, quien)
    )


def refusal_reason(desde: E, hacia: E, quien: Quien | None = None) -> str:
    """Why a → b is refused, as the tail of a Spanish sentence."""
    if desde is hacia:
        return f"el envío ya está «{desde.etiqueta}»."
    if desde is E.ENVIANDO:
        return (
            "el envío se está enviando a Botmaker en este momento; espere a que termine el "
            f"intento antes de pasarlo a «{hacia.etiqueta}»."
        )
    if desde in TERMINALES:
        return (
            f"el envío ya está «{desde.etiqueta}» y no admite cambios "
            f"(no puede pasar a «{hacia.etiqueta}»)."
        )
    posibles = [b for (a, b) in TRANSITIONS if a is desde and is_allowed(a, b, quien)]
    if not posibles:
        return f"un envío «{desde.etiqueta}» no puede pasar a «{hacia.etiqueta}»."
    lista = ", ".join(f"«{b.etiqueta}»" for b in posibles)
    return (
        f"un envío «{desde.etiqueta}» no puede pasar a «{hacia.etiqueta}»; "
        f"sólo puede pasar a {lista}."
    )

"""The Envío state machine: every allowed (from, to) pair and every named move, in two tables.

`TRANSITIONS` says which state may follow which, and for whom; `MOVIMIENTOS` names each move the
code makes (who makes it, from which states, to which, and the audit event it writes). Every
write to `envio.estado` goes through `dim_revision.envio.mover`, which checks both tables.

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
            "el envío se está enviando a Botmaker en este momento; esperá a que termine el "
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


# --- the named moves ---------------------------------------------------------------------------


class Mov(StrEnum):
    """Every move the code makes on an Envío (Spanish: these are the use cases)."""

    # a person (operator / supervisor): dim_revision/envio/por_persona.py
    PROGRAMAR = "programar"  # Confirmar envío: the row is born programado
    EDITAR = "editar"
    ADELANTAR = "adelantar"  # "enviar ahora"
    CANCELAR = "cancelar"
    REINTENTAR = "reintentar"
    MARCAR_ENVIADO = "marcar_enviado"
    # the sender: dim_revision/envio/por_worker.py
    TOMAR = "tomar"
    EMPEZAR = "empezar"  # the POST's last byte is about to leave (iniciado_en)
    FIRMAR = "firmar"  # servicio mode: the link is signed by the sender
    ACEPTADO = "aceptado"
    REPROGRAMAR = "reprogramar"  # automatic retry scheduled
    FALLAR = "fallar"
    DEJAR_INCIERTO = "dejar_incierto"
    LIBERAR = "liberar"  # back unsent (pause, stop, or a reservation that expired unbegun)
    DEVOLVER_POR_PAUSA = "devolver_por_pausa"
    # Botmaker's own record (webhook / reconciliation): dim_revision/envio/por_botmaker.py
    CONFIRMAR_BOTMAKER = "confirmar_botmaker"
    REENCOLAR_BOTMAKER = "reencolar_botmaker"


@dataclass(frozen=True)
class Movimiento:
    desde: tuple[E, ...]  # empty: the move creates the row
    hacia: E
    quien: Quien
    evento: str | None  # the audit event it writes (once); None: the column itself is the record
    versiona: bool = True  # bumps `version` (a screen that loaded the row must reload it)


_WK, _PE = Quien.WORKER, Quien.PERSONA

MOVIMIENTOS: Mapping[Mov, Movimiento] = {
    Mov.PROGRAMAR: Movimiento((), E.PROGRAMADO, _PE, "envio_confirmado"),
    Mov.EDITAR: Movimiento((E.PROGRAMADO,), E.PROGRAMADO, _PE, "envio_editado"),
    Mov.ADELANTAR: Movimiento((E.PROGRAMADO,), E.PROGRAMADO, _PE, "envio_adelantado"),
    Mov.CANCELAR: Movimiento((E.PROGRAMADO,), E.CANCELADO, _PE, "envio_cancelado"),
    Mov.REINTENTAR: Movimiento((E.FALLIDO, E.INCIERTO), E.PROGRAMADO, _PE, "envio_reintentado"),
    Mov.MARCAR_ENVIADO: Movimiento((E.INCIERTO,), E.ENVIADO, _PE, "envio_marcado_enviado"),
    Mov.TOMAR: Movimiento((E.PROGRAMADO,), E.ENVIANDO, _WK, "envio_tomado"),
    Mov.EMPEZAR: Movimiento((E.ENVIANDO,), E.ENVIANDO, _WK, None, versiona=False),
    Mov.FIRMAR: Movimiento((E.ENVIANDO,), E.ENVIANDO, _WK, "link_firmado", versiona=False),
    Mov.ACEPTADO: Movimiento((E.ENVIANDO, E.INCIERTO), E.ENVIADO, _WK, "envio_enviado"),
    Mov.REPROGRAMAR: Movimiento((E.ENVIANDO,), E.PROGRAMADO, _WK, "envio_reintento_programado"),
    Mov.FALLAR: Movimiento((E.ENVIANDO,), E.FALLIDO, _WK, "envio_fallido"),
    Mov.DEJAR_INCIERTO: Movimiento((E.ENVIANDO,), E.INCIERTO, _WK, "envio_incierto"),
    Mov.LIBERAR: Movimiento((E.ENVIANDO,), E.PROGRAMADO, _WK, "envio_liberado"),
    Mov.DEVOLVER_POR_PAUSA: Movimiento((E.FALLIDO,), E.PROGRAMADO, _WK, "envio_devuelto_por_pausa"),
    Mov.CONFIRMAR_BOTMAKER: Movimiento((E.INCIERTO,), E.ENVIADO, _WK, "envio_confirmado_botmaker"),
    Mov.REENCOLAR_BOTMAKER: Movimiento(
        (E.INCIERTO,), E.PROGRAMADO, _WK, "envio_reencolado_botmaker"
    ),
}


def pares(mov: Mov) -> list[tuple[E, E]]:
    """The (from, to) state changes a move makes; a move that keeps the state makes none."""
    m = MOVIMIENTOS[mov]
    return [(a, m.hacia) for a in m.desde if a is not m.hacia]


# --- reading a stored state ----------------------------------------------------------------------


class EstadoDesconocido(str):
    """A state this version does not know (a newer version wrote it, or a manual edit): shown,
    never acted on."""

    @property
    def etiqueta(self) -> str:
        return f"Desconocido ({self})"

    @property
    def value(self) -> str:
        return str(self)


def estado_leido(raw: str) -> E | EstadoDesconocido:
    try:
        return E(raw)
    except ValueError:
        return EstadoDesconocido(raw)

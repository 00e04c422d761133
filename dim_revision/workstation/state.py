"""The open record's state as plain data, and what may be done with it (pure functions, no Qt)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from dim_revision.domain.enums import ESTADOS_VIVOS, EstadoEnvio
from dim_revision.services.detalle import SolicitudDetalle

Chosen = tuple[tuple[int, str], ...]
ALWAYS = ("siguiente", "anterior", "buscar", "prestaciones", "actualizar", "ayuda")


@dataclass
class Draft:
    """What the operator typed on one record and has not saved yet."""

    prestaciones: Chosen | None = None  # None: untouched, show what the record has saved
    contacto_resultado: str | None = None
    contacto_comentario: str = ""

    @property
    def empty(self) -> bool:
        return (
            self.prestaciones is None
            and not self.contacto_comentario
            and not self.contacto_resultado
        )


@dataclass
class Record:
    id: int
    detalle: SolicitudDetalle | None = None
    claimed: bool = False
    reason: str | None = None  # why it is read-only (someone else holds it)
    # Opened and not claimed yet: the claim is on its way (a prefetched record is shown while
    # it runs, «Tomando la solicitud…», and nothing can be written until it comes back).
    claiming: bool = False
    # Claimed on what was read ahead: its committed detail is being read again right after the
    # claim; a write the operator asks for meanwhile waits for it (`ui.workstation_ahead`).
    checking: bool = False


@dataclass(frozen=True)
class RecordView:
    """Everything the right-hand side shows for the open record."""

    id: int
    detalle: SolicitudDetalle | None
    claimed: bool
    chosen: Chosen
    picks_editable: bool
    state_text: str
    unsaved: bool = False  # the chosen prestaciones differ from the scheduled send
    skipped: str | None = None  # why it was skipped in this pass


@dataclass(frozen=True)
class Loaded:
    id: int
    claimed: bool
    reason: str | None
    detalle: SolicitudDetalle


@dataclass
class Flags:
    online: bool = True
    busy: bool = False
    empty: bool = False
    preview_done: bool = False  # the operator saw the preview once this session
    preview_muted: bool = False  # "no volver a mostrar en esta sesión"
    catalog_loaded: bool = False
    counts: object | None = None  # the last OutboxCounts the status bar showed
    offline_detail: str = ""


def live_send(d: SolicitudDetalle) -> bool:
    """A send that is waiting or going out: no second confirm on this record."""
    return d.envio is not None and d.envio.estado in ESTADOS_VIVOS


def programado(d: SolicitudDetalle) -> bool:
    """A send still inside its correction window (editable, cancellable)."""
    return d.envio is not None and d.envio.estado == EstadoEnvio.PROGRAMADO


def send_due(d: SolicitudDetalle, now: datetime) -> bool:
    """The send left its window (or is in flight): worth re-reading to show the outcome."""
    envio = d.envio
    if envio is None:
        return False
    return envio.estado == EstadoEnvio.ENVIANDO or (
        envio.estado == EstadoEnvio.PROGRAMADO and envio.enviar_desde <= now
    )


def picks_editable(rec: Record, online: bool) -> bool:
    d = rec.detalle
    if d is None or not rec.claimed or not online:
        return False
    return (not d.resuelto and not live_send(d)) or programado(d) or d.reconfirmable


def enabled_actions(workable: Record | None, shown: SolicitudDetalle | None) -> dict[str, bool]:
    """Which window actions are enabled; `workable` is the open record if it may be written."""
    d = workable.detalle if workable is not None else None
    window = d is not None and programado(d)
    result = {
        "confirmar": d is not None
        and (not d.resuelto or d.reconfirmable)  # a failed send is confirmed anew (issue 13.2)
        and not live_send(d)
        and d.whatsapp is not None,
        "resuelto": d is not None and (not d.resuelto or d.atencion),  # resolves the attention
        "contacto": d is not None,
        "turno": shown is not None,
        "imagen": shown is not None and bool(shown.adjuntos),
        "editar": window,
        "cancelar": window,
        "enviar_ahora": window,
        "saltear": d is not None,
    }
    result.update(dict.fromkeys(ALWAYS, True))
    return result


def same_detail(shown: SolicitudDetalle | None, fresh: SolicitudDetalle, me: str) -> bool:
    """`fresh` (read after our claim) says what `shown` (read ahead) said: the same record, but
    for the lease we just took (`me`: our lease owner key)."""
    if shown is None:
        return False
    return _without_own_lease(shown, me) == _without_own_lease(fresh, me)


def _without_own_lease(d: SolicitudDetalle, me: str) -> SolicitudDetalle:
    if d.tomado_clave is not None and d.tomado_clave != me:
        return d  # someone else's lease is part of what the screen says
    return replace(d, tomado_por=None, tomado_clave=None)

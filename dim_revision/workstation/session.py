"""The operator's session on one workstation, as plain Python (issue 16.4).

Which record is open, what the operator typed on each record (the drafts), what is enabled,
what the state line says, what comes next and what was done in this pass, and what can still be
undone. The Qt controller (`ui/workstation.py`) owns timers, signals and the task runner; it asks
this object what to do and tells it what happened. Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from dim_revision.domain.enums import EstadoFiltro
from dim_revision.services.detalle import SolicitudDetalle
from dim_revision.services.queue import QueueFilter
from dim_revision.workstation.pase import Fila, Hecho, Pase
from dim_revision.workstation.state import (
    Chosen,
    Draft,
    Flags,
    Loaded,
    Record,
    RecordView,
    enabled_actions,
    picks_editable,
    programado,
)

Describe = Callable[[SolicitudDetalle, bool, str | None], str]
UNDO_SECONDS = 10
UNSAVED = "Cambios sin guardar: Ctrl+E para actualizar el envío."
CLAIMING = "Tomando la solicitud…"


@dataclass(frozen=True)
class Deshacer:
    """The last move that may still be undone, until `hasta`."""

    tipo: str  # "resuelto" | "cancelar"
    solicitud_id: int
    version: int  # the record's version after the move (the undo writes over it)
    hasta: datetime
    texto: str
    prestacion_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Apertura:
    """What the controller must do to open a record."""

    sid: int
    release: int | None  # the record left behind, to give back


def _default_describe(d: SolicitudDetalle, claimed: bool, reason: str | None) -> str:
    return reason or ("" if claimed else "Sólo lectura.")


class WorkstationSession:
    def __init__(self, *, aprender: bool = True, describe: Describe = _default_describe) -> None:
        self.aprender = aprender
        self.describe = describe
        self.current: Record | None = None
        self.wanted: int | None = None  # read by lane tasks to drop claims nobody wants anymore
        self.flags = Flags()
        self.drafts: dict[int, Draft] = {}
        self.consultas: dict[int, dict[int, str]] = {}  # sid → prestación id → query typed
        self.pase = Pase()
        self.deshacer: Deshacer | None = None

    # --- opening and closing ---------------------------------------------------------------------

    def open(
        self,
        sid: int,
        *,
        preclaimed: bool = False,
        force: bool = False,
        prefetched: SolicitudDetalle | None = None,
    ) -> Apertura | None:
        """Make `sid` the open record; None when it already is (and no reload was asked)."""
        previous = self.current
        if previous is not None and previous.id == sid and not force:
            return None
        release = previous.id if previous is not None and previous.id != sid else None
        if previous is not None and previous.id == sid:
            record = replace(previous, claimed=previous.claimed or preclaimed)
        else:
            record = Record(sid, claimed=preclaimed, detalle=prefetched, claiming=not preclaimed)
        self.current = record
        self.wanted = sid
        return Apertura(sid, release)

    def loaded(self, loaded: Loaded | None) -> bool:
        """The detail (and claim) of a record arrived; False if it is not the open one anymore."""
        rec = self.current
        if loaded is None or rec is None or rec.id != loaded.id:
            return False
        rec.detalle, rec.claimed, rec.reason = loaded.detalle, loaded.claimed, loaded.reason
        rec.claiming = rec.checking = False
        return True

    def claim_came(self, sid: int, claimed: bool, reason: str | None) -> bool:
        """The claim of `sid`, opened on what was read ahead, came back: claimed (or refused,
        `reason`) now; its committed detail follows (`checking` until `loaded`). False if `sid`
        is not the open record waiting for its claim anymore."""
        rec = self.current
        if rec is None or rec.id != sid or not rec.claiming:
            return False
        rec.claimed, rec.reason = claimed, reason
        rec.claiming, rec.checking = False, True
        return True

    def claim_failed(self, sid: int) -> bool:
        """The load of `sid` (its claim, its detail) failed: it is not being claimed anymore;
        True if that is the open record and it said «Tomando…»."""
        rec = self.current
        if rec is None or rec.id != sid or not rec.claiming:
            return False
        rec.claiming = False
        return True

    def close(self) -> int | None:
        """Nothing open anymore; returns the id to release, if any."""
        rec = self.current
        self.current = None
        self.wanted = None
        return rec.id if rec is not None else None

    def lost_claim(self, sid: int) -> bool:
        """The heartbeat says our lease on `sid` is gone; True if that is the open record."""
        rec = self.current
        if rec is None or rec.id != sid or not rec.claimed:
            return False
        rec.claimed = False
        return True

    # --- what the window shows ---------------------------------------------------------------------

    def chosen(self, rec: Record) -> Chosen:
        draft = self.drafts.get(rec.id)
        if draft is not None and draft.prestaciones is not None:
            return draft.prestaciones
        if rec.detalle is None:
            return ()
        return tuple((p.id, p.nombre) for p in rec.detalle.prestaciones)

    def unsaved(self, rec: Record) -> bool:
        """The scheduled send would go out with other prestaciones than the ones on screen."""
        d = rec.detalle
        if d is None or not programado(d):
            return False
        saved = [p.id for p in d.prestaciones]
        return [pid for pid, _ in self.chosen(rec)] != saved

    def view(self) -> RecordView | None:
        rec = self.current
        if rec is None:
            return None
        d = rec.detalle
        skipped = self.pase.motivo(rec.id)
        unsaved = self.unsaved(rec)
        if d is None:
            text = "Cargando…"
        else:
            if rec.claiming and not rec.claimed:  # read ahead, its claim on the way
                parts = [CLAIMING, self.describe(d, True, None)]
            else:
                parts = [self.describe(d, rec.claimed, rec.reason)]
            if skipped:
                parts.insert(0, f"Salteada en esta pasada: {skipped}.")
            text = " ".join(p for p in parts if p)
        return RecordView(
            id=rec.id,
            detalle=d,
            claimed=rec.claimed,
            chosen=self.chosen(rec),
            picks_editable=picks_editable(rec, self.flags.online),
            state_text=text,
            unsaved=unsaved,
            skipped=skipped,
        )

    def workable(self) -> Record | None:
        """The open record if the operator may write to it right now."""
        rec = self.current
        if rec is None or rec.detalle is None or not rec.claimed:
            return None
        if not self.flags.online or self.flags.busy:
            return None
        return rec

    def enabled(self, now: datetime | None = None) -> dict[str, bool]:
        shown = self.current.detalle if self.current is not None else None
        result = enabled_actions(self.workable(), shown)
        result["deshacer"] = (
            self.flags.online and not self.flags.busy and self.undo_pending(now) is not None
        )
        return result

    # --- drafts ------------------------------------------------------------------------------------

    def set_chosen(self, items: Sequence[tuple[int, str]]) -> None:
        """The operator edited the picks of the open record (kept until saved)."""
        if self.current is not None:
            self.draft(self.current.id).prestaciones = tuple(items)

    def set_consultas(self, consultas: dict[int, str]) -> None:
        """What the operator typed before adding each prestación of the open record (learning)."""
        if self.current is not None:
            self.consultas.setdefault(self.current.id, {}).update(consultas)

    def consultas_de(self, sid: int, ids: list[int]) -> dict[int, str] | None:
        """The queries to record with a confirmed send, or None when learning is off."""
        if not self.aprender:
            return None
        known = self.consultas.get(sid, {})
        return {pid: known[pid] for pid in ids if pid in known}

    def draft(self, sid: int) -> Draft:
        return self.drafts.setdefault(sid, Draft())

    def forget_draft(self, sid: int, *, prestaciones: bool = False, contacto: bool = False) -> None:
        draft = self.drafts.get(sid)
        if draft is None:
            return
        if prestaciones:
            draft.prestaciones = None
        if contacto:
            draft.contacto_resultado, draft.contacto_comentario = None, ""
        if draft.empty:
            del self.drafts[sid]

    # --- the pass: what comes next -------------------------------------------------------------------

    def finished(self, sid: int, hecho: Hecho, motivo: str | None = None) -> None:
        """The operator is done with `sid` for this pass (it is not served again)."""
        self.pase.marcar(sid, hecho, motivo)
        if hecho is Hecho.CONFIRMADO or hecho is Hecho.RESUELTO:
            self.consultas.pop(sid, None)

    def next_candidates(self, filas: Sequence[Fila], left: int) -> list[int]:
        return self.pase.siguientes(filas, left)

    def way_back(self, filas: Sequence[Fila], left: int) -> str | None:
        """The key that walks back from the next record to `left`: the next one is below it
        (Ctrl+↑ goes back up) unless the pass wrapped to the top (then Ctrl+↓)."""
        ids = [f.id for f in filas]
        following = self.pase.siguientes(filas, left)
        if left not in ids or not following:
            return None
        return "Ctrl+↑" if ids.index(following[0]) > ids.index(left) else "Ctrl+↓"

    def skip_for_next_free(self, left: int | None = None) -> frozenset[int]:
        """Records the oldest-free fallback must not hand out again in this pass."""
        done = self.pase.hechas
        return done | {left} if left is not None else done

    def filter_changed(self) -> None:
        """A new view starts a new pass."""
        self.pase.reiniciar()

    def should_advance_from(self, left: int | None) -> bool:
        """After an action on `left` (None: nothing was open) finished: move on only if the
        operator did not already open another record meanwhile."""
        if left is None:
            return self.current is None
        return self.current is None or self.current.id == left

    # --- undo ----------------------------------------------------------------------------------------

    def offer_undo(
        self,
        tipo: str,
        sid: int,
        version: int,
        now: datetime,
        texto: str,
        prestacion_ids: Sequence[int] = (),
    ) -> Deshacer:
        self.deshacer = Deshacer(
            tipo, sid, version, now + timedelta(seconds=UNDO_SECONDS), texto, tuple(prestacion_ids)
        )
        return self.deshacer

    def undo_pending(self, now: datetime | None) -> Deshacer | None:
        offer = self.deshacer
        if offer is None or (now is not None and now >= offer.hasta):
            return None
        return offer

    def take_undo(self, now: datetime) -> Deshacer | None:
        """The operator pressed Deshacer: the offer, once, if it has not expired."""
        offer = self.undo_pending(now)
        self.deshacer = None
        if offer is not None:
            self.pase.olvidar(offer.solicitud_id)
        return offer

    def drop_undo(self) -> None:
        self.deshacer = None


# --- texts for the filter bar and the empty state -------------------------------------------------


def describe_filter(filtro: QueueFilter, today: date) -> str:
    """The current view in words: "pendientes de hoy y días anteriores", "resueltas del 01/12"…"""
    if filtro.desde == filtro.hasta:
        days = "de hoy" if filtro.desde == today else f"del {filtro.desde:%d/%m/%Y}"
    else:
        days = f"del {filtro.desde:%d/%m/%Y} al {filtro.hasta:%d/%m/%Y}"
    estado = filtro.estado
    if estado is EstadoFiltro.PENDIENTES_TODAS:
        hasta = "de hoy" if filtro.hasta == today else f"hasta el {filtro.hasta:%d/%m/%Y}"
        text = f"pendientes {hasta} y de días anteriores"
    elif estado is EstadoFiltro.PENDIENTES:
        text = f"sin resolver {days}"
    elif estado is EstadoFiltro.RESUELTAS:
        text = f"resueltas {days}"
    else:
        text = f"todas las solicitudes {days}"
    if filtro.texto.strip():
        text += f" que coinciden con «{filtro.texto.strip()}»"
    return text


def empty_text(filtro: QueueFilter, today: date, *, libres: int, salteadas: int) -> str:
    """What the right-hand side says when no record is open: why, and what the filter hides.

    `libres`: rows of the list still to work (unresolved, free, not done in this pass)."""
    if libres:
        return (
            "Ninguna solicitud abierta: la que tenías no está en esta lista.\n\n"
            "Elegí una de la lista, o Enter en el buscador abre la primera."
        )
    vista = describe_filter(filtro, today)
    text = f"No quedan solicitudes {vista} para trabajar."
    if salteadas:
        text += (
            f" Salteaste {salteadas} en esta pasada: siguen en la lista con su motivo "
            "(↷), abrilas desde ahí."
        )
    hidden = []
    if filtro.texto.strip():
        hidden.append("borrá la búsqueda para ver todas")
    if filtro.estado is not EstadoFiltro.PENDIENTES_TODAS:
        hidden.append("elegí «Pendientes» para ver también las de días anteriores")
    elif filtro.hasta != today:
        hidden.append("tocá «Hoy» para llegar hasta hoy")
    if hidden:
        text += f"\n\nEl filtro oculta el resto: {', o '.join(hidden)}."
    return text + "\n\nLas nuevas aparecen solas: cuando llegue una, se abre acá."


def undo_text(offer: Deshacer, now: datetime) -> str:
    remaining = max(0, int((offer.hasta - now).total_seconds() + 0.999))
    return f"{offer.texto} · Deshacer (Ctrl+Z), {remaining} s"

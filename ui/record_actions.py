"""The operator's writes on the open record: Confirmar envío, Resuelto, contact, Saltear, the
send window, and Deshacer.

Each action asks the session (`dim_revision.workstation`) what it may do and what the record
holds, runs the service through the workstation's lane (`run_write`), and on success tells the
session what was done in this pass and moves on to the next row; on a refusal it shows the
service's Spanish message and, when the record changed underneath (stale write, lost claim),
reloads it — the operator's unsaved picks and comment stay in the session's drafts.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec

from PySide6.QtCore import QObject, Signal

from dim_revision.clock import to_local
from dim_revision.domain.enums import ResultadoContacto
from dim_revision.errors import ClaimLost, EnvioLocked, NotFound, StaleWrite
from dim_revision.lectura.controles import Alerta
from dim_revision.secrets import link_key
from dim_revision.services import acciones, deshacer, envios, salteo
from dim_revision.services.envios import Borrador, EnvioConfig, EnvioProgramado
from dim_revision.workstation.pase import Hecho
from dim_revision.workstation.session import Deshacer
from dim_revision.workstation.state import Record
from ui.portal_link import open_portal
from ui.workstation import Workstation

RELOAD_ON = (StaleWrite, ClaimLost, NotFound, EnvioLocked)
NO_PICKS = "Elegí al menos una prestación antes de confirmar el envío (Ctrl+P para buscar)."
P = ParamSpec("P")


@dataclass(frozen=True)
class PreviewRequest:
    """The exact message that will go out, waiting for the operator's OK."""

    kind: str  # "confirmar" | "editar"
    solicitud_id: int
    borrador: Borrador


def _on_committed(
    action: Callable[Concatenate[RecordActions, P], None],
) -> Callable[Concatenate[RecordActions, P], None]:
    """A write on the open record: on a record read ahead and just claimed, it waits for the
    committed detail, read right after the claim, and runs on it (or not at all if the record
    changed meanwhile: `Workstation.after_fresh`)."""

    @functools.wraps(action)
    def gated(self: RecordActions, *args: P.args, **kwargs: P.kwargs) -> None:
        if not self.ws.after_fresh(lambda: action(self, *args, **kwargs)):
            action(self, *args, **kwargs)

    return gated


class RecordActions(QObject):
    preview_ready = Signal(object)  # PreviewRequest
    skip_requested = Signal(int)  # solicitud id: ask the reason
    send_now_requested = Signal(int)  # solicitud id: ask once before sending

    def __init__(self, ws: Workstation, parent: QObject | None = None) -> None:
        super().__init__(parent or ws)
        self.ws = ws
        self.session = ws.session
        self.ctx = ws.ctx  # database, operator, clock, settings, secrets
        self.cfg = EnvioConfig.from_settings(ws.ctx.settings)
        # The offline reader's warnings on a record (ui/propuestas.py sets it): Confirmar audits
        # them in its own transaction.
        self.alertas_de: Callable[[int], Sequence[Alerta]] = lambda _sid: ()

    # --- helpers -------------------------------------------------------------------------------

    def _run(
        self, fn: Callable[[], Any], *, on_done: Callable[[Any], None], then_next: int | None = None
    ) -> None:
        """`then_next`: the write finishes that record (the next one is claimed right behind)."""
        self.ws.run_write(fn, on_done=on_done, reload_on=RELOAD_ON, then_next=then_next)

    def _ids(self, rec: Record) -> list[int]:
        return [pid for pid, _ in self.session.chosen(rec)]

    def _workable(self, action: str) -> Record | None:
        """The open record if `action` may run on it now (the session decides)."""
        rec = self.session.workable()
        if rec is None or not self.session.enabled(self.ctx.clock()).get(action, False):
            return None
        return rec

    def _needs_preview(self) -> bool:
        mode, flags = self.ctx.settings.envio.confirmar_preview, self.session.flags
        if flags.preview_muted:
            return False
        return mode == "siempre" or (mode == "primera" and not flags.preview_done)

    def _key(self) -> str | None:
        """The link key; None in servicio mode (the service signs the link when it sends).
        Without it in estaciones mode, Confirmar is refused with a clear message."""
        if self.ctx.settings.outbox.modo == "servicio":
            return None
        return link_key(self.ctx.secrets)

    def _finished(self, sid: int, hecho: Hecho, text: str, motivo: str | None = None) -> None:
        """Done with `sid` in this pass: refresh its row and the counters, say so; the next
        record was claimed right behind the write (`_run(..., then_next=sid)`)."""
        self.session.finished(sid, hecho, motivo)
        self.ws.after_write(sid)
        self.ws.say(text, "info")

    def _offer_undo(self, tipo: str, sid: int, version: int, text: str, ids: list[int]) -> None:
        self.session.offer_undo(tipo, sid, version, self.ctx.clock(), text, ids)
        self.ws.offer_changed()

    # --- Confirmar envío -----------------------------------------------------------------------

    @_on_committed
    def confirm(self) -> None:
        rec = self._workable("confirmar")
        if rec is None:
            return
        ids = self._ids(rec)
        if not ids:
            self.ws.say(NO_PICKS, "warning")
            self.ws.ask_picks()
            return
        if self._needs_preview():
            self._prepare("confirmar", rec, ids)
        else:
            self._confirm(rec, ids, None)

    def _prepare(self, kind: str, rec: Record, ids: list[int]) -> None:
        sid, ctx = rec.id, self.ctx

        def work() -> Borrador:
            return envios.preparar_envio(ctx.db, self.cfg, self._key(), ctx.clock(), sid, ids)

        self._run(work, on_done=lambda b: self.preview_ready.emit(PreviewRequest(kind, sid, b)))

    @_on_committed
    def accept_preview(self, request: PreviewRequest) -> None:
        """The operator saw the exact message and said yes."""
        self.session.flags.preview_done = True
        rec = self.session.workable()
        if rec is None or rec.id != request.solicitud_id:
            return
        ids = list(request.borrador.prestacion_ids)
        if request.kind == "editar":
            self._edit(rec, ids)
        else:
            self._confirm(rec, ids, request.borrador)

    def _confirm(self, rec: Record, ids: list[int], borrador: Borrador | None) -> None:
        assert rec.detalle is not None
        ws, sid, version, nombre = self.ws, rec.id, rec.detalle.version, rec.detalle.nombre
        ctx = self.ctx
        consultas = self.session.consultas_de(sid, ids)
        alertas = list(self.alertas_de(sid))

        def work() -> EnvioProgramado:
            return envios.confirmar_envio(
                ctx.db,
                ctx.actor,
                ctx.clock(),
                self.cfg,
                self._key(),
                solicitud_id=sid,
                version=version,
                prestacion_ids=ids,
                borrador=borrador,
                consultas=consultas,
                alertas=alertas,
            )

        def done(result: EnvioProgramado) -> None:
            self.session.forget_draft(sid, prestaciones=True)
            ws.wake_outbox(refresh=False)  # `_finished` refreshes the counts
            ws.keep_in_list(sid)  # the operator may come back to edit it
            self.session.finished(sid, Hecho.CONFIRMADO)
            key = self.session.way_back(ws.filas(), sid)
            back = f"volvé a ella con {key} o desde la lista" if key else "volvé desde la lista"
            self._finished(
                sid,
                Hecho.CONFIRMADO,
                f"Envío programado para {nombre}: sale a las {to_local(result.enviar_desde):%H:%M}. "
                f"Hasta entonces podés editarlo o cancelarlo ({back}).",
            )

        self._run(work, on_done=done, then_next=sid)

    # --- Resuelto, contacto, saltear, turno ----------------------------------------------------

    @_on_committed
    def resolve(self) -> None:
        rec = self._workable("resuelto")
        if rec is None:
            return
        assert rec.detalle is not None
        sid, version, nombre = rec.id, rec.detalle.version, rec.detalle.nombre
        ctx = self.ctx

        def work() -> int:
            return acciones.marcar_resuelto(
                ctx.db, ctx.actor, ctx.clock(), solicitud_id=sid, version=version
            )

        def done(new_version: int) -> None:
            self._offer_undo("resuelto", sid, new_version, f"{nombre}: marcada como resuelta.", [])
            self._finished(sid, Hecho.RESUELTO, "Solicitud marcada como resuelta.")

        self._run(work, on_done=done, then_next=sid)

    @_on_committed
    def register_contact(self, resultado: str, comentario: str) -> None:
        """Save the contact; the text stays in the draft until the database accepted it."""
        rec = self.session.workable()
        if rec is None:
            self.ws.say(
                "No se pudo registrar el contacto ahora. El comentario quedó guardado: "
                "volvé a abrir «Indicar contacto» cuando se pueda.",
                "warning",
            )
            return
        assert rec.detalle is not None
        draft = self.session.draft(rec.id)
        draft.contacto_resultado, draft.contacto_comentario = resultado, comentario
        ws, sid, version = self.ws, rec.id, rec.detalle.version
        ctx = self.ctx

        def work() -> int:
            return acciones.registrar_contacto(
                ctx.db,
                ctx.actor,
                ctx.clock(),
                solicitud_id=sid,
                version=version,
                resultado=ResultadoContacto(resultado),
                comentario=comentario,
            )

        def done(_version: int) -> None:
            self.session.forget_draft(sid, contacto=True)
            self.session.finished(sid, Hecho.CONTACTO)  # not served again in this pass
            ws.after_write(sid)
            ws.say("Contacto registrado.", "info")
            ws.reload_current()

        self._run(work, on_done=done)

    @_on_committed
    def skip(self) -> None:
        """Saltear: ask the reason (the window shows the dialog, then calls `skip_with`)."""
        rec = self._workable("saltear")
        if rec is not None:
            self.skip_requested.emit(rec.id)

    @_on_committed
    def skip_with(self, sid: int, motivo: str) -> None:
        rec = self.session.workable()
        if rec is None or rec.id != sid:
            return
        ctx = self.ctx

        def work() -> str:
            return salteo.saltear(ctx.db, ctx.actor, ctx.clock(), solicitud_id=sid, motivo=motivo)

        def done(stored: str) -> None:
            self._finished(sid, Hecho.SALTEADO, f"Salteada: {stored}.", stored)

        self._run(work, on_done=done, then_next=sid)

    def assign_turno(self) -> None:
        """Open Portal LITE (a copied link when no browser opens: `ui/portal_link.py`)."""
        open_portal(self.ws)

    # --- the 15-minute window ------------------------------------------------------------------

    @_on_committed
    def edit(self) -> None:
        rec = self._workable("editar")
        if rec is None:
            return
        ids = self._ids(rec)
        if not ids:
            self.ws.say("El envío necesita al menos una prestación.", "warning")
            self.ws.ask_picks()
            return
        if (
            self.ctx.settings.envio.confirmar_preview == "siempre"
            and not self.session.flags.preview_muted
        ):
            self._prepare("editar", rec, ids)
        else:
            self._edit(rec, ids)

    def _edit(self, rec: Record, ids: list[int]) -> None:
        d = rec.detalle
        assert d is not None and d.envio is not None
        ws, sid, envio_id, version = self.ws, rec.id, d.envio.id, d.version
        ctx = self.ctx

        def work() -> EnvioProgramado:
            return envios.editar_envio(
                ctx.db,
                ctx.actor,
                ctx.clock(),
                self.cfg,
                self._key(),
                envio_id=envio_id,
                solicitud_version=version,
                prestacion_ids=ids,
            )

        def done(result: EnvioProgramado) -> None:
            self.session.forget_draft(sid, prestaciones=True)
            ws.say(
                f"Envío actualizado con link nuevo: sale a las {to_local(result.enviar_desde):%H:%M}.",
                "info",
            )
            ws.reload_current()

        self._run(work, on_done=done)

    @_on_committed
    def cancel_send(self) -> None:
        rec = self._workable("cancelar")
        if rec is None:
            return
        d = rec.detalle
        assert d is not None and d.envio is not None
        ws, sid, envio_id, version = self.ws, rec.id, d.envio.id, d.version
        ctx = self.ctx
        ids = [p.id for p in d.prestaciones]

        def work() -> int:
            return envios.cancelar_envio(
                ctx.db, ctx.actor, ctx.clock(), envio_id=envio_id, solicitud_version=version
            )

        def done(new_version: int) -> None:
            ws.after_write(sid)
            self._offer_undo("cancelar", sid, new_version, "Envío cancelado.", ids)
            ws.say(
                "Envío cancelado: la solicitud volvió a «sin resolver». Podés corregir y "
                "confirmar de nuevo.",
                "info",
            )
            ws.reload_current()

        self._run(work, on_done=done)

    @_on_committed
    def send_now(self) -> None:
        """Enviar ahora: the window asks once, then calls `send_now_confirmed`."""
        rec = self._workable("enviar_ahora")
        if rec is not None:
            self.send_now_requested.emit(rec.id)

    @_on_committed
    def send_now_confirmed(self, sid: int) -> None:
        rec = self._workable("enviar_ahora")
        if rec is None or rec.id != sid:
            return
        d = rec.detalle
        assert d is not None and d.envio is not None
        ws, envio_id = self.ws, d.envio.id
        ctx = self.ctx

        def done(_: object) -> None:
            ws.wake_outbox()
            ws.say("El mensaje sale ahora.", "info")
            ws.reload_current()

        self._run(
            lambda: envios.enviar_ahora(ctx.db, ctx.actor, ctx.clock(), envio_id=envio_id),
            on_done=done,
        )

    # --- Deshacer ------------------------------------------------------------------------------

    def undo(self) -> None:
        """Ctrl+Z within 10 s of Resuelto or Cancelar envío: really revert it, audited."""
        if not self.session.enabled(self.ctx.clock()).get("deshacer", False):
            return
        offer = self.session.take_undo(self.ctx.clock())
        self.ws.offer_changed()
        if offer is not None:
            self._undo(offer)

    def _undo(self, offer: Deshacer) -> None:
        ws, sid = self.ws, offer.solicitud_id
        ctx = self.ctx

        def work() -> object:
            now = ctx.clock()
            if offer.tipo == "resuelto":
                return deshacer.deshacer_resuelto(
                    ctx.db, ctx.actor, now, solicitud_id=sid, version=offer.version
                )
            return deshacer.deshacer_cancelacion(
                ctx.db,
                ctx.actor,
                now,
                self.cfg,
                self._key(),
                solicitud_id=sid,
                version=offer.version,
                prestacion_ids=offer.prestacion_ids,
            )

        def done(_: object) -> None:
            ws.after_write(sid)
            if offer.tipo == "cancelar":
                ws.wake_outbox()
            ws.say(
                "Se deshizo «Resuelto»: la solicitud volvió a sin resolver."
                if offer.tipo == "resuelto"
                else "Se deshizo la cancelación: el envío quedó programado de nuevo.",
                "info",
            )
            ws.reopen(sid)

        self._run(work, on_done=done)

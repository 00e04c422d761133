"""The operator's writes on the open record: Confirmar envío, Resuelto, contact, the send window.

Each action checks what it can locally (a picked prestación…), runs the service on the
workstation's lane, and on success says what happened and moves on; on a refusal it shows the
service's Spanish message and, when the record changed underneath (stale write, lost claim),
reloads it — the operator's unsaved picks and comment stay in the workstation's drafts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from PySide6.QtCore import QObject, Signal

from dim_revision.clock import to_local
from dim_revision.domain.enums import ResultadoContacto
from dim_revision.errors import ClaimLost, EnvioLocked, NotFound, StaleWrite
from dim_revision.secrets import link_key
from dim_revision.services import acciones, claims, envios
from dim_revision.services.claims import Claim
from dim_revision.services.envios import Borrador, EnvioConfig, EnvioProgramado
from ui.db_errors import db_task, is_offline
from ui.record_state import Record
from ui.tasks import TaskFailure
from ui.workstation import Workstation

RELOAD_ON = (StaleWrite, ClaimLost, NotFound, EnvioLocked)
NO_PICKS = "Elegí al menos una prestación antes de confirmar el envío (Ctrl+P para buscar)."


@dataclass(frozen=True)
class PreviewRequest:
    """The exact message that will go out, waiting for the operator's OK."""

    kind: str  # "confirmar" | "editar"
    solicitud_id: int
    borrador: Borrador


class RecordActions(QObject):
    preview_ready = Signal(object)  # PreviewRequest

    def __init__(self, ws: Workstation, parent: QObject | None = None) -> None:
        super().__init__(parent or ws)
        self.ws = ws
        self.cfg = EnvioConfig.from_settings(ws.settings)

    # --- helpers -------------------------------------------------------------------------------

    def _run(
        self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None], **kw: Any
    ) -> None:
        ws = self.ws
        ws.set_busy(True)

        def done(result: Any) -> None:
            ws.set_busy(False)
            on_done(result)

        ws.lane.submit(db_task(fn), *args, on_done=done, on_error=self._failed, **kw)

    def _failed(self, failure: TaskFailure) -> None:
        ws = self.ws
        ws.set_busy(False)
        if is_offline(failure):
            ws.go_offline(failure.message)
            return
        ws.message.emit(failure.message, "error" if failure.unexpected else "warning")
        if isinstance(failure.exception, RELOAD_ON):
            ws.reload_current()
            ws.model.refresh()

    def _ids(self, rec: Record) -> list[int]:
        return [pid for pid, _ in self.ws.chosen(rec)]

    def _needs_preview(self) -> bool:
        mode, flags = self.ws.settings.envio.confirmar_preview, self.ws.flags
        if flags.preview_muted:
            return False
        return mode == "siempre" or (mode == "primera" and not flags.preview_done)

    def _key(self) -> str | None:
        """The link key; None in servicio mode (the service signs the link when it sends).
        Without it in estaciones mode, Confirmar is refused with a clear message."""
        if self.ws.settings.outbox.modo == "servicio":
            return None
        return link_key(self.ws.ctx.secrets)

    # --- Confirmar envío -----------------------------------------------------------------------

    def confirm(self) -> None:
        rec = self.ws.workable()
        if rec is None or not self.ws.enabled()["confirmar"]:
            return
        ids = self._ids(rec)
        if not ids:
            self.ws.message.emit(NO_PICKS, "warning")
            self.ws.focus_picker_requested.emit()
            return
        if self._needs_preview():
            self._prepare("confirmar", rec, ids)
        else:
            self._confirm(rec, ids, None)

    def _prepare(self, kind: str, rec: Record, ids: list[int]) -> None:
        sid = rec.id

        def work() -> Borrador:
            return envios.preparar_envio(
                self.ws.db, self.cfg, self._key(), self.ws.clock(), sid, ids
            )

        self._run(work, on_done=lambda b: self.preview_ready.emit(PreviewRequest(kind, sid, b)))

    def accept_preview(self, request: PreviewRequest) -> None:
        """The operator saw the exact message and said yes."""
        self.ws.flags.preview_done = True
        rec = self.ws.workable()
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
        filtro = ws.model.filtro
        consultas = ws.consultas_de(sid, ids)

        def work() -> tuple[EnvioProgramado, Claim | None]:
            now = ws.clock()
            result = envios.confirmar_envio(
                ws.db,
                ws.actor,
                now,
                self.cfg,
                self._key(),
                solicitud_id=sid,
                version=version,
                prestacion_ids=ids,
                borrador=borrador,
                consultas=consultas,
            )
            following = claims.next_free(
                ws.db, ws.actor, now, filtro, ws.lease, skip=frozenset({sid})
            )
            return result, following

        def done(out: tuple[EnvioProgramado, Claim | None]) -> None:
            result, following = out
            ws.forget_draft(sid, prestaciones=True)
            ws.consultas.pop(sid, None)
            ws.wake_outbox()
            ws.model.pin(sid)  # stays in the grid: Ctrl+↑ brings the operator back to edit it
            ws.model.refresh_ids([sid])
            ws.message.emit(
                f"Envío programado para {nombre}: sale a las {to_local(result.enviar_desde):%H:%M}. "
                "Hasta entonces podés editarlo o cancelarlo (volvé con Ctrl+↑).",
                "info",
            )
            ws.advance_from(sid, following)

        self._run(work, on_done=done)

    # --- Resuelto, contacto, turno -------------------------------------------------------------

    def resolve(self) -> None:
        rec = self.ws.workable()
        if rec is None or not self.ws.enabled()["resuelto"]:
            return
        assert rec.detalle is not None
        ws, sid, version = self.ws, rec.id, rec.detalle.version
        filtro = ws.model.filtro

        def work() -> Claim | None:
            now = ws.clock()
            acciones.marcar_resuelto(ws.db, ws.actor, now, solicitud_id=sid, version=version)
            return claims.next_free(ws.db, ws.actor, now, filtro, ws.lease, skip=frozenset({sid}))

        def done(following: Claim | None) -> None:
            ws.model.refresh_ids([sid])
            ws.message.emit("Solicitud marcada como resuelta.", "info")
            ws.advance_from(sid, following)

        self._run(work, on_done=done)

    def register_contact(self, resultado: str, comentario: str) -> None:
        """Save the contact; the text stays in the draft until the database accepted it."""
        rec = self.ws.workable()
        if rec is None:
            self.ws.message.emit(
                "No se pudo registrar el contacto ahora. El comentario quedó guardado: "
                "volvé a abrir «Indicar contacto» cuando se pueda.",
                "warning",
            )
            return
        assert rec.detalle is not None
        draft = self.ws.draft(rec.id)
        draft.contacto_resultado, draft.contacto_comentario = resultado, comentario
        ws, sid, version = self.ws, rec.id, rec.detalle.version

        def work() -> int:
            return acciones.registrar_contacto(
                ws.db,
                ws.actor,
                ws.clock(),
                solicitud_id=sid,
                version=version,
                resultado=ResultadoContacto(resultado),
                comentario=comentario,
            )

        def done(_version: int) -> None:
            ws.forget_draft(sid, contacto=True)
            ws.model.refresh_ids([sid])
            ws.message.emit("Contacto registrado.", "info")
            ws.reload_current()

        self._run(work, on_done=done)

    def assign_turno(self) -> None:
        rec = self.ws.current
        if rec is None or rec.detalle is None:
            return
        d = rec.detalle
        values = {"dni": d.dni, "paciente_id": d.paciente_id, "solicitud_id": d.id}
        template = self.ws.settings.portal_lite.url
        try:
            url = template.format_map({k: quote(str(v)) for k, v in values.items()})
        except (KeyError, IndexError, ValueError):
            self.ws.message.emit(
                f"La dirección del Portal LITE en la configuración no es válida: «{template}». "
                "Usá {dni}, {paciente_id} o {solicitud_id}.",
                "error",
            )
            return
        opener = self.ws.open_url
        if opener is None or opener(url) is False:
            self.ws.message.emit(f"No se pudo abrir el navegador con {url}", "warning")
        else:
            self.ws.message.emit(f"Se abrió el Portal LITE para {d.nombre}.", "info")

    # --- the 15-minute window ------------------------------------------------------------------

    def edit(self) -> None:
        rec = self.ws.workable()
        if rec is None or not self.ws.enabled()["editar"]:
            return
        ids = self._ids(rec)
        if not ids:
            self.ws.message.emit("El envío necesita al menos una prestación.", "warning")
            self.ws.focus_picker_requested.emit()
            return
        if (
            self.ws.settings.envio.confirmar_preview == "siempre"
            and not self.ws.flags.preview_muted
        ):
            self._prepare("editar", rec, ids)
        else:
            self._edit(rec, ids)

    def _edit(self, rec: Record, ids: list[int]) -> None:
        d = rec.detalle
        assert d is not None and d.envio is not None
        ws, sid, envio_id, version = self.ws, rec.id, d.envio.id, d.version

        def work() -> EnvioProgramado:
            return envios.editar_envio(
                ws.db,
                ws.actor,
                ws.clock(),
                self.cfg,
                self._key(),
                envio_id=envio_id,
                solicitud_version=version,
                prestacion_ids=ids,
            )

        def done(result: EnvioProgramado) -> None:
            ws.forget_draft(sid, prestaciones=True)
            ws.message.emit(
                f"Envío actualizado con link nuevo: sale a las {to_local(result.enviar_desde):%H:%M}.",
                "info",
            )
            ws.reload_current()

        self._run(work, on_done=done)

    def cancel_send(self) -> None:
        rec = self.ws.workable()
        if rec is None or not self.ws.enabled()["cancelar"]:
            return
        d = rec.detalle
        assert d is not None and d.envio is not None
        ws, sid, envio_id, version = self.ws, rec.id, d.envio.id, d.version

        def done(_version: int) -> None:
            ws.model.refresh_ids([sid])
            ws.refresh_outbox()
            ws.message.emit(
                "Envío cancelado: la solicitud volvió a «sin resolver». Podés corregir y confirmar de nuevo.",
                "info",
            )
            ws.reload_current()

        self._run(
            lambda: envios.cancelar_envio(
                ws.db, ws.actor, ws.clock(), envio_id=envio_id, solicitud_version=version
            ),
            on_done=done,
        )

    def send_now(self) -> None:
        rec = self.ws.workable()
        if rec is None or not self.ws.enabled()["enviar_ahora"]:
            return
        d = rec.detalle
        assert d is not None and d.envio is not None
        ws, envio_id = self.ws, d.envio.id

        def done(_: object) -> None:
            ws.wake_outbox()
            ws.message.emit("El mensaje sale ahora.", "info")
            ws.reload_current()

        self._run(
            lambda: envios.enviar_ahora(ws.db, ws.actor, ws.clock(), envio_id=envio_id),
            on_done=done,
        )

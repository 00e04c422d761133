"""The operator loop's states for `scripts/screenshots.py` (issue 13): Saltear, the skipped row,
Deshacer, «Requiere atención», Corregir celular and «Cambios sin guardar».

`stage_known_request` prepares the request the first shots work on (its order is known, so the
picks match it); the driver opens it by id, since «Pendientes» opens an older one first.
`stage_failed_send` prepares, before any window opens, one request whose WhatsApp failed, through
the real moves (confirmed by the service, taken, begun and failed by a worker, with the error
Botmaker's classifier gives a 400); `loop_states` then drives the window with keys, as the
driver does, right after the «envío programado» state (that record still open, filter «Todas»).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from sqlalchemy import false, func, select, true
from sqlalchemy.orm import Session

from dim_revision.clock import local_day_bounds, local_today
from dim_revision.commands.demo import DEMO_LINK_KEY
from dim_revision.config import Settings
from dim_revision.db import dim_repo
from dim_revision.db.models import Envio, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio
from dim_revision.domain.phones import resultado_whatsapp
from dim_revision.envio import por_worker
from dim_revision.outbox.classification import Permanent, classify_response
from dim_revision.outbox.worker import worker_owner
from dim_revision.services import envios
from dim_revision.services.actor import Actor
from scripts import screenshots_driver as driver

if TYPE_CHECKING:
    from scripts.screenshots_driver import Shooter
    from ui.main_window import MainWindow

Key = Qt.Key
Mod = Qt.KeyboardModifier
BOTMAKER_400 = '{"errors": [{"source": "whatsapp", "message": "el número no tiene WhatsApp"}]}'
NUEVO_MOVIL = "11 15-4387-2210"


def _resolved_today(
    s: Session, now: datetime, *, before: datetime, newest: bool
) -> Sequence[SolicitudAsistencia]:
    """The demo's requests of today, uploaded before `before`, that it resolved without a send
    nor a turno: the ones the shots may put back to unresolved (this database is thrown away)."""
    start, _end = local_day_bounds(local_today(now), local_today(now))
    subida = SolicitudAsistencia.fecha_subida
    return s.scalars(
        select(SolicitudAsistencia)
        .where(
            SolicitudAsistencia.resuelto == true(),
            subida >= start,
            subida < before,
            SolicitudAsistencia.fecha_baja.is_(None),
            SolicitudAsistencia.id_turno_destino.is_(None),
            SolicitudAsistencia.id.not_in(select(Envio.solicitud_id)),
        )
        .order_by(subida.desc() if newest else subida)
    ).all()


def stage_failed_send(db: Database, actor: Actor, now: datetime) -> int:
    """A request of today the demo resolved goes back to unresolved, is confirmed again by
    `actor` a quarter of an hour after it came in, and its send fails at the end of the 15
    minutes (Botmaker answered 400): the record that requires attention. Returns its id."""
    with db.uow() as uow:
        s = uow.session
        candidates = _resolved_today(s, now, before=now - timedelta(minutes=45), newest=True)
        for sol in candidates:
            ids = [p.prestacion_id for p in sol.prestaciones]
            paciente = dim_repo.paciente(s, sol.paciente_id)
            movil = paciente.telefono_movil if paciente else None
            known = ids and len(dim_repo.prestaciones(s, ids)) == len(ids)
            if known and resultado_whatsapp(movil).numero:
                break
        else:
            raise SystemExit("La demo no tiene una solicitud resuelta de hoy para hacer fallar.")
        sol.prestaciones.clear()
        sol.resuelto, sol.fecha_resuelto, sol.usuario_resuelto = False, None, None
        sol.version += 1
        sid, version = sol.id, sol.version
        confirmed_at = sol.fecha_subida + timedelta(minutes=14, seconds=25)
        uow.commit()
    cfg = envios.EnvioConfig.from_settings(Settings())
    confirmed = envios.confirmar_envio(
        db, actor, confirmed_at, cfg, DEMO_LINK_KEY,
        solicitud_id=sid, version=version, prestacion_ids=ids,
    )  # fmt: skip
    failed_at = confirmed.enviar_desde + timedelta(seconds=40)
    estacion = "CALLCENTER-07"
    owner = Actor(worker_owner(estacion), estacion)
    result = classify_response("v2", 400, {}, BOTMAKER_400.encode(), failed_at)
    if not isinstance(result, Permanent):
        raise SystemExit(f"Un 400 de Botmaker no dio un error permanente: {result}")
    with db.uow() as uow:
        s = uow.session
        claimed = por_worker.tomar(s, failed_at, owner, timedelta(minutes=2), 1)
        if [c.id for c in claimed] != [confirmed.envio_id]:
            raise SystemExit(f"El envío {confirmed.envio_id} no quedó para fallar: {claimed}")
        item = claimed[0]
        until = failed_at + timedelta(seconds=30)
        if not por_worker.empezar(s, item, owner, failed_at, until):
            raise SystemExit("No se pudo empezar el envío que tiene que fallar.")
        if not por_worker.fallar(s, item, owner, failed_at, result.reason):
            raise SystemExit("No se pudo marcar fallido el envío.")
        uow.commit()
    return sid


def stage_known_request(db: Database, now: datetime) -> tuple[int, list[tuple[int, str]]]:
    """Make the first request of the queue one whose order we can name: a request of today the
    demo resolved by picking prestaciones goes back to unresolved (in this throw-away database),
    so the screenshots pick exactly what its order asks for. Returns its id and those
    prestaciones."""
    start, end = local_day_bounds(local_today(now), local_today(now))
    with db.uow() as uow:
        s = uow.session
        candidates = _resolved_today(s, now, before=end, newest=False)
        for sol in candidates:
            catalogo = dim_repo.prestaciones(s, [p.prestacion_id for p in sol.prestaciones])
            elegidas = [
                (p.prestacion_id, catalogo[p.prestacion_id].nombre)
                for p in sol.prestaciones
                if p.prestacion_id in catalogo
            ]
            paciente = dim_repo.paciente(s, sol.paciente_id)
            movil = paciente.telefono_movil if paciente else None
            if elegidas and resultado_whatsapp(movil).numero:
                break
        else:
            raise SystemExit("La demo no tiene una solicitud resuelta de hoy para preparar.")
        oldest = s.scalar(
            select(func.min(SolicitudAsistencia.fecha_subida)).where(
                SolicitudAsistencia.fecha_subida >= start,
                SolicitudAsistencia.resuelto == false(),
            )
        )
        sol.prestaciones.clear()
        sol.resuelto, sol.fecha_resuelto, sol.usuario_resuelto = False, None, None
        sol.fecha_subida = min(oldest or sol.fecha_subida, sol.fecha_subida) - timedelta(minutes=7)
        sol.version += 1
        staged = sol.id
        uow.commit()
    return staged, elegidas


def loop_states(shooter: Shooter, window: MainWindow) -> None:
    """Each state at the current size; a failing one is reported and the rest still run."""
    loop = LoopStates(shooter, window)
    run = shooter.steps.run
    run("cambios-sin-guardar", loop.cambios_sin_guardar)
    run("saltear-dialog", loop.saltear_dialog)
    run("salteada", loop.salteada)
    run("deshacer", loop.deshacer)
    run("requiere-atencion", loop.requiere_atencion)
    run("corregir-celular", loop.corregir_celular)


class LoopStates:
    def __init__(self, shooter: Shooter, window: MainWindow) -> None:
        self.sh = shooter
        self.window = window
        self.ws = window.ws
        self.skipped: int | None = None

    def idle(self) -> bool:
        return driver.idle(self.ws) and self.ws.current is not None

    def open_id(self, sid: int, what: str) -> None:
        """Select `sid` in the list (as a click would) and wait until it is open and loaded."""
        self.sh.open_id(self.window, sid, what)

    def with_envio(self, estado: EstadoEnvio) -> int:
        with self.ws.db.uow() as uow:
            sid = uow.session.scalar(
                select(Envio.solicitud_id)
                .where(Envio.estado == estado.value)
                .order_by(Envio.id.desc())
            )
        if sid is None:
            raise RuntimeError(f"no hay una solicitud con el envío {estado.value}")
        return int(sid)

    def set_estado(self, index: int) -> None:
        """The filter's Estado (0: Sin resolver, the default; last: Todas); a new pass."""
        estado = self.window.filter_bar.estado
        if estado.currentIndex() != index % estado.count():
            estado.setCurrentIndex(index % estado.count())
        self.sh.wait(lambda: self.idle() and not self.ws.model.busy, "la lista del filtro")

    # --- the states ------------------------------------------------------------------------------

    def cambios_sin_guardar(self) -> None:
        """The programado record (confirmed by the previous state), one prestación more."""
        sh, ws, window = self.sh, self.ws, self.window
        self.set_estado(-1)  # Todas: the confirmed one is resolved
        self.open_id(self.with_envio(EstadoEnvio.PROGRAMADO), "la solicitud programada")
        sh.wait(lambda: not window.action_bar.envio_frame.isHidden(), "la cuenta regresiva")
        picker = window.picker
        saved = picker.chosen()
        sh.activate(window)
        picker.focus_search()
        sh.type(picker.search_edit, "rx torax")
        sh.wait(picker.popup_visible, "las sugerencias")
        sh.wait(lambda: picker.current_suggestion() is not None, "una sugerencia elegida")
        sh.key(picker.search_edit, Key.Key_Return)
        sh.wait(lambda: len(picker.chosen()) > len(saved), "la prestación agregada")
        label = window.action_bar.unsaved_label
        sh.wait(lambda: not label.isHidden(), "«Cambios sin guardar»")
        sh.save(window, "cambios-sin-guardar")
        picker.set_chosen(saved)  # back to the scheduled picks: nothing left unsaved
        ws.set_chosen(picker.chosen())
        sh.wait(label.isHidden, "que se vaya «Cambios sin guardar»")

    def saltear_dialog(self) -> None:
        """Ctrl+S on an unresolved record whose next row is one too (for the next states)."""
        sh, ws, window = self.sh, self.ws, self.window
        window.message_banner.hide()
        self.set_estado(0)
        ids = [r.id for r in ws.model.loaded_rows()]
        free = {
            r.id
            for r in ws.model.loaded_rows()
            if not r.resuelto and not r.atencion and not ws.model.taken_by_other(r)
        }
        # Its next row in the list is free too: Saltear opens that one (for «salteada»).
        target = next((a for a, b in pairwise(ids) if {a, b} <= free), None)
        if target is None:
            raise RuntimeError("no hay dos solicitudes libres seguidas en la lista")
        self.open_id(target, "la solicitud a saltear")
        sh.activate(window)
        window.picker.focus_search()
        sh.key(window.picker.search_edit, Key.Key_S, Mod.ControlModifier)
        sh.wait(lambda: window.loop.skip_dialog is not None, "el diálogo Saltear")
        dialog = window.loop.skip_dialog
        assert dialog is not None
        sh.wait(dialog.isVisible, "el diálogo en pantalla")
        sh.key(dialog.text, Key.Key_2, Mod.AltModifier)  # «La orden no se lee»
        sh.wait(lambda: dialog.reasons.currentRow() == 1, "el motivo elegido")
        sh.save(window, "saltear-dialog", dialog)
        self.skipped = target

    def salteada(self) -> None:
        """Enter saltea: the row stays in the list in italics with ↷, the next one opens."""
        sh, ws, window = self.sh, self.ws, self.window
        dialog = window.loop.skip_dialog
        skipped = self.skipped
        if dialog is None or skipped is None:
            raise RuntimeError("el diálogo Saltear no quedó abierto")
        sh.key(dialog.text, Key.Key_Return)
        sh.wait(lambda: window.loop.skip_dialog is None, "que se cierre el diálogo")
        sh.wait(lambda: ws.session.pase.motivo(skipped) is not None, "la salteada en la pasada")
        sh.wait(
            lambda: self.idle() and ws.current is not None and ws.current.id != skipped,
            "la siguiente solicitud",
        )
        sh.wait(lambda: ws.current is not None and ws.current.detalle is not None, "su detalle")
        row = ws.model.row_of(skipped)
        if row is None:
            raise RuntimeError("la salteada no quedó en la lista")
        window.grid.scrollTo(ws.model.index(row, 0))
        sh.save(window, "salteada")

    def deshacer(self) -> None:
        """Resuelto (Ctrl+R): the next record opens and the undo bar offers Ctrl+Z."""
        sh, ws, window = self.sh, self.ws, self.window
        assert ws.current is not None
        resolved = ws.current.id
        sh.activate(window)
        window.picker.focus_search()
        sh.key(window.picker.search_edit, Key.Key_R, Mod.ControlModifier)
        bar = window.action_bar.undo_frame
        sh.wait(lambda: not bar.isHidden(), "la barra Deshacer")
        sh.wait(
            lambda: self.idle() and ws.current is not None and ws.current.id != resolved,
            "la siguiente solicitud",
        )
        sh.wait(lambda: ws.current is not None and ws.current.detalle is not None, "su detalle")
        sh.save(window, "deshacer")
        sh.key(window.picker.search_edit, Key.Key_Z, Mod.ControlModifier)  # leave it unresolved
        sh.wait(bar.isHidden, "que se deshaga")
        sh.wait(self.idle, "la solicitud de vuelta")

    def requiere_atencion(self) -> None:
        """The failed send's record: red in the list, the reason on the card, the red count."""
        sh, window = self.sh, self.window
        window.message_banner.hide()
        sid = self.with_envio(EstadoEnvio.FALLIDO)
        self.open_id(sid, "la solicitud que requiere atención")
        card = window.patient_card.atencion
        sh.wait(lambda: not card.isHidden() and "Requiere atención" in card.text(), "el motivo")
        counts = window.filter_bar.counts_label
        sh.wait(lambda: "requieren atención" in counts.text(), "la cuenta en rojo")
        window.picker.focus_search()
        sh.save(window, "requiere-atencion")

    def corregir_celular(self) -> None:
        """Ctrl+M on that record: the new mobile checked as it is typed, confirmed (Alt+C)."""
        sh, window = self.sh, self.window
        sh.activate(window)
        window.picker.focus_search()
        sh.key(window.picker.search_edit, Key.Key_M, Mod.ControlModifier)
        sh.wait(lambda: window.extras.celular_dialog is not None, "el diálogo Corregir celular")
        dialog = window.extras.celular_dialog
        assert dialog is not None
        sh.wait(dialog.isVisible, "el diálogo en pantalla")
        sh.type(dialog.movil, NUEVO_MOVIL)
        sh.wait(lambda: "WhatsApp:" in dialog.resultado.text(), "el número verificado")
        sh.key(dialog.movil, Key.Key_C, Mod.AltModifier)
        try:
            sh.wait(dialog.confirmado.isChecked, "la confirmación (Alt+C)", 3)
        except TimeoutError:  # the mnemonic, where the platform ignores it
            dialog.confirmado.setChecked(True)
        sh.type(dialog.comentario, "Lo dictó la paciente; el anterior era de la hija.")
        sh.save(window, "corregir-celular", dialog)
        dialog.reject()  # shown, not saved: the record stays as staged
        sh.wait(lambda: window.extras.celular_dialog is None, "que se cierre el diálogo")

""" "Según la orden:" on the record: the stored reading proposes, only the operator's key adds
(Enter in the empty search takes the first, Alt+N any), the line is outlined on the image, the
warnings show, and confirming anyway writes them to the audit with the save (a cancelled or
refused Confirmar writes nothing)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dim_revision.clock import FakeClock
from dim_revision.db.models import Envio, Evento, SolicitudAdjunto
from dim_revision.db.uow import Database
from dim_revision.lectura.modelo import LEIDA, Lectura, Linea, Pagina
from dim_revision.lectura.propuestas import Propuesta
from dim_revision.secrets import MemoryStore
from dim_revision.services import claims, lecturas
from dim_revision.services.actor import Actor
from dim_revision.services.lecturas import PropuestaOrden, RevisionOrden
from tests.gui.harness import activate, idle, loaded, make_context, open_window, press
from tests.gui.seeding import seed_queue
from ui.propuestas import TITULO, PropuestasPanel, instalar_propuestas
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SUPER = Actor("sara", "pc-sup")


def _leida(db: Database, sid: int, *textos: str) -> None:
    with db.uow() as uow:
        sha = uow.session.scalars(
            select(SolicitudAdjunto.sha256).where(SolicitudAdjunto.solicitud_id == sid)
        ).first()
    assert sha is not None and lecturas.reclamar(db, sha, None, "srv")
    lineas = tuple(Linea(t, 0.9, (4, 4 + 10 * i, 60, 12 + 10 * i)) for i, t in enumerate(textos))
    lecturas.guardar(db, sha, Lectura(LEIDA, "prueba", "1", (Pagina(64, 48, lineas),)), "srv")


def _alertas_auditadas(db: Database) -> list[Evento]:
    with db.uow() as uow:
        rows = list(
            uow.session.scalars(
                select(Evento).where(Evento.accion == "lectura_alertas_confirmadas")
            )
        )
        for row in rows:
            uow.session.expunge(row)
        return rows


def test_proposals_wait_for_the_operators_key_and_warnings_reach_the_audit(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=2)
    first = seeded.solicitudes[0]
    _leida(
        sqlite_db,
        first,
        "DNI: 10.343.780",
        "Solicito:",
        "RMN de rodilla",
        "2) Ecografia abdominal completa",
    )
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner)
    window, ws = opened.window, opened.ws
    ui = instalar_propuestas(window, lector=None)
    assert ui is not None
    panel = window.propuestas  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: len(panel.botones) == 2)
    # One copy of the catalog's index in memory: the proposer searches the picker's (issue 19).
    qtbot.waitUntil(
        lambda: ui.proponedor is not None and ui.proponedor.index is window.picker._index
    )
    rodilla = seeded.prestaciones["RESONANCIA MAGNÉTICA DE RODILLA"]
    eco = seeded.prestaciones["ECOGRAFÍA ABDOMINAL COMPLETA"]
    assert panel.titulo.text() == "Según la orden:" and panel.isVisible()
    assert "Alt+1  RESONANCIA MAGNÉTICA DE RODILLA" in panel.botones[0].text()
    assert "«RMN de rodilla»" in panel.botones[0].text()
    assert "La orden parece ser de otra persona: DNI 10.343.780" in panel.alertas_label.text()
    assert window.picker.chosen() == []  # nothing without the operator's key

    window.picker.focus_search()
    press(qtbot, window.picker.search_edit, Qt.Key.Key_Return)
    assert window.picker.chosen_ids() == [rodilla]
    assert ws.current is not None and [i for i, _ in ws.session.chosen(ws.current)] == [rodilla]
    assert panel.botones[0].text().startswith("✓") and not panel.botones[0].isEnabled()
    activate(qtbot, window)
    press(qtbot, window.picker.search_edit, Qt.Key.Key_2, ALT)
    press(qtbot, window.picker.search_edit, Qt.Key.Key_1, ALT)  # already taken: no duplicate
    assert window.picker.chosen_ids() == [rodilla, eco]

    qtbot.waitUntil(window.viewer.canvas.has_content)
    assert ui.resaltador is not None
    ui.resaltador.mostrar(panel.revision.propuestas[0])
    item = ui.resaltador.item
    assert item is not None and item.isVisible() and item.rect().width() > 0
    ui.resaltador.mostrar(None)
    assert not item.isVisible()

    # Cancelled at the preview: nothing was saved, so nothing is audited.
    press(qtbot, window.picker.search_edit, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: window.preview_dialog is not None)
    assert window.preview_dialog is not None
    window.preview_dialog.reject()
    qtbot.waitUntil(lambda: window.preview_dialog is None and idle(ws))
    assert _alertas_auditadas(sqlite_db) == []

    # Refused: a supervisor changed the record meanwhile (stale write), so no audit either.
    claims.override(sqlite_db, SUPER, clock(), first, es_supervisor=True)
    activate(qtbot, window)
    press(qtbot, window.picker.search_edit, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: window.preview_dialog is not None)
    assert window.preview_dialog is not None
    window.preview_dialog.accept()
    qtbot.waitUntil(lambda: "Otro operador modificó esta solicitud" in window.message_banner.text)
    qtbot.waitUntil(lambda: loaded(ws, first) and len(panel.botones) == 2)
    assert _alertas_auditadas(sqlite_db) == []

    # Saved: the warnings are audited once, with the send.
    activate(qtbot, window)
    press(qtbot, window.picker.search_edit, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: loaded(ws) and ws.current is not None and ws.current.id != first)
    eventos = _alertas_auditadas(sqlite_db)
    assert len(eventos) == 1
    assert eventos[0].solicitud_id == first and "10.343.780" in (eventos[0].detalle or "")
    with sqlite_db.uow() as uow:
        assert uow.session.scalars(select(Envio.solicitud_id)).all() == [first]
    ui.shutdown()


def _revision(sid: int, *nombres: str) -> RevisionOrden:
    propuestas = tuple(
        PropuestaOrden(Propuesta(i + 1, n, n.lower(), 0, (0, 0, 10, 10)), 1, 0)
        for i, n in enumerate(nombres)
    )
    return RevisionOrden(sid, propuestas, (), (), 1, 1)


def test_the_next_record_s_proposals_replace_the_last_ones_on_screen(qtbot: QtBot) -> None:
    """Before this, the previous record's buttons stayed drawn (only deleted later, by the event
    loop) under the new ones: «Según la orden:» and its lines showed twice, one over the other."""
    panel = PropuestasPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.mostrar(_revision(1, "TOMOGRAFÍA DE SENOS PARANASALES", "RX DE TÓRAX"))
    panel.mostrar(_revision(2, "ECOGRAFÍA ABDOMINAL COMPLETA"))
    QApplication.processEvents()  # shows the new buttons; deleting the old ones waits for exec()

    def shown(kind: type[QWidget], text: str) -> int:
        return sum(
            1
            for w in panel.findChildren(kind)
            if w.isVisibleTo(panel) and text in w.text()  # type: ignore[attr-defined]
        )

    assert shown(QLabel, TITULO) == 1
    assert shown(QPushButton, "«") == 1
    assert shown(QPushButton, "ECOGRAFÍA ABDOMINAL COMPLETA") == 1
    assert shown(QPushButton, "SENOS PARANASALES") == 0
    panel.mostrar(None)
    assert shown(QPushButton, "«") == 0 and panel.isHidden()


def test_a_long_proposal_does_not_widen_the_window(qtbot: QtBot) -> None:
    """A button asked for its whole text's width (1745 px offscreen for this name), which would
    push the window past a 1366 px screen."""
    panel = PropuestasPanel()
    qtbot.addWidget(panel)
    panel.show()
    corta = _revision(1, "RX DE TÓRAX")
    larga = _revision(2, "TOMOGRAFÍA COMPUTADA DE SENOS PARANASALES SIN CONTRASTE " * 4)
    panel.mostrar(corta)
    QApplication.processEvents()
    width = panel.minimumSizeHint().width()
    panel.mostrar(larga)
    QApplication.processEvents()
    assert panel.minimumSizeHint().width() <= max(width, 300)
    assert "SENOS PARANASALES" in panel.botones[0].text()  # whole, only drawn cut

"""The workstation shows delivery (issue #12, item 7): the Envío column, the record, the patient's
replies, and the supervisor's counts — driven by real webhook events applied by the core."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from dim_revision.clock import FakeClock
from dim_revision.db.models import SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.outbox.webhook import parse_payload
from dim_revision.secrets import MemoryStore
from dim_revision.services import entregas, reportes
from dim_revision.services.queue import QueueFilter
from tests import factories
from tests.gui.harness import loaded, make_context, open_window
from tests.gui.seeding import seed_queue
from ui.queue_model import COLUMN_INDEX
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui


def sent_with_reply(db: Database, clock: FakeClock, sol_id: int) -> int:
    with db.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sol_id)
        assert sol is not None
        e = factories.envio(uow.session, sol, clock() - timedelta(minutes=30), estado="enviado")
        e.proveedor_id = "tx-gui"
        e.enviado_en = clock() - timedelta(minutes=30)
        uow.commit()
        envio_id = e.id
    events = [
        *parse_payload(
            {"type": "status", "status": "read", "txId": "tx-gui", "date": "2026-03-10T12:40:00Z"}
        ),
        *parse_payload(
            {
                "type": "message",
                "contactId": "+5491123456789",
                "messages": [
                    {
                        "_id": "R1",
                        "date": "2026-03-10T12:45:00Z",
                        "message": "¿Puedo ir el sábado?",
                        "from": "user",
                    }
                ],
            }
        ),
    ]
    result = entregas.aplicar_eventos(db, events, clock())
    assert result.aplicados == 2
    return envio_id


def test_grid_record_and_replies_show_delivery(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=2)
    target = seeded.solicitudes[0]
    sent_with_reply(sqlite_db, clock, target)
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner)
    ws, window = opened.ws, opened.window
    qtbot.waitUntil(lambda: loaded(ws, target))
    model = ws.model
    cell = model.index(model.row_of(target) or 0, COLUMN_INDEX["estado_envio"])
    assert cell.data(Qt.ItemDataRole.DisplayRole) == "Leído · respondió"
    assert "respondió" in cell.data(Qt.ItemDataRole.ToolTipRole)
    card = window.patient_card
    assert "Leído" in card.envio.text()
    assert card.respuestas_title.isVisibleTo(card)
    assert "¿Puedo ir el sábado?" in card.respuestas.text()


def test_supervisor_counts_delivered_and_read(sqlite_db: Database, clock: FakeClock) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=1)
    sent_with_reply(sqlite_db, clock, seeded.solicitudes[0])
    conteo = reportes.generar_reporte(sqlite_db, QueueFilter.today(clock()), clock()).envios
    assert (conteo.entregado, conteo.leido, conteo.respondieron) == (1, 1, 1)

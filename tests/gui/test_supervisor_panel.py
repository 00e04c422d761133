"""The supervisor tools in the main window (issue #6): report, Envíos, Historial, Exportar, Liberar."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from dim_revision.clock import FakeClock
from dim_revision.db.models import Envio, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio
from dim_revision.errors import ClaimLost
from dim_revision.secrets import MemoryStore
from dim_revision.services import claims, envios_supervision
from dim_revision.services.actor import Actor
from dim_revision.services.audit import registrar_evento
from dim_revision.services.reportes import generar_reporte
from tests import db_reads as reads
from tests import factories
from tests.gui.harness import Opened, activate, idle, make_context, open_window, press
from tests.gui.seeding import seed_queue
from ui.queue_model import COLUMN_INDEX
from ui.supervisor.envios import EnviosModel
from ui.supervisor.historial import HistorialDialog
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

SCREENSHOT_ENV = "DIM_REVISION_SCREENSHOTS"  # a folder: also save docs' supervisor-panel.png there


@dataclass(frozen=True)
class Staged:
    solicitudes: list[int]
    fallido: int
    incierto: int
    programado: int


def stage(db: Database, now: datetime) -> Staged:
    """5 pending requests, 2 of them resolved (one with a send), sends in several states."""
    seeded = seed_queue(db, now, count=5)
    sols = seeded.solicitudes
    with db.uow() as uow:
        s = uow.session
        factories.operador(s, "sofia", supervisor=True)
        factories.operador(s, "ana")
        rows = {sid: s.get(SolicitudAsistencia, sid) for sid in sols}
        for sid, minutes in ((sols[0], 30), (sols[1], 12)):
            sol = rows[sid]
            assert sol is not None
            sol.resuelto, sol.fecha_resuelto, sol.usuario_resuelto = (
                True,
                now - timedelta(minutes=minutes),
                "ana",
            )
        enviado = factories.envio(s, rows[sols[0]], now - timedelta(minutes=40), estado="enviado")
        enviado.enviado_en = now - timedelta(minutes=35)
        fallido = factories.envio(s, rows[sols[2]], now - timedelta(minutes=20), estado="fallido")
        fallido.ultimo_error, fallido.intentos = "Botmaker respondió 400: plantilla inválida", 1
        incierto = factories.envio(s, rows[sols[3]], now - timedelta(minutes=15), estado="incierto")
        incierto.ultimo_error = "Tiempo de espera agotado"
        programado = factories.envio(s, rows[sols[4]], now + timedelta(minutes=10))
        registrar_evento(
            s, Actor("portal", "web"), "solicitud_registrada", now, solicitud_id=sols[2]
        )
        ana = Actor("ana", "pc-02")
        registrar_evento(
            s, ana, "envio_confirmado", now - timedelta(minutes=45), solicitud_id=sols[0]
        )
        registrar_evento(
            s, ana, "marcado_resuelto", now - timedelta(minutes=12), solicitud_id=sols[1]
        )
        s.flush()
        staged = Staged(sols, fallido.id, incierto.id, programado.id)
        uow.commit()
    return staged


@dataclass
class Scene:
    """The staged database and a way to open the real window on it as one of its users."""

    qtbot: QtBot
    db: Database
    clock: FakeClock
    secrets: MemoryStore
    runner: TaskRunner
    staged: Staged

    def open(self, usuario: str) -> Opened:
        ctx = make_context(self.db, self.clock, self.secrets, usuario=usuario)
        return open_window(self.qtbot, ctx, self.runner)

    def supervisor(self) -> Opened:
        """Sofía's window, once her dock shows the report and the sends and Exportar is on."""
        opened = self.open("sofia")
        tools, qtbot = opened.window.supervisor, self.qtbot
        qtbot.waitUntil(lambda: tools.dock.isVisible() and tools.panel.last is not None)
        qtbot.waitUntil(lambda: tools.panel.envios.model.rowCount() > 0)
        qtbot.waitUntil(lambda: opened.window.roles.permisos is not None)  # Exportar is enabled
        return opened


def make_scene(
    qtbot: QtBot, db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> Scene:
    return Scene(qtbot, db, clock, secrets, runner, stage(db, clock()))


@pytest.fixture
def scene(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> Scene:
    return make_scene(qtbot, sqlite_db, clock, secrets, runner)


def _estado(db: Database, envio_id: int) -> str:
    with db.uow() as uow:
        return uow.session.scalars(select(Envio.estado).where(Envio.id == envio_id)).one()


def _usuarios(db: Database, accion: str) -> list[str]:
    return [e.usuario for e in reads.eventos(db, accion)]


def test_envios_model_passes_qtmodeltester(
    qtmodeltester: ModelTester, sqlite_db: Database, clock: FakeClock
) -> None:
    stage(sqlite_db, clock())
    rows = envios_supervision.listar(sqlite_db)
    model = EnviosModel()
    qtmodeltester.check(model)
    model.set_rows(rows)
    assert model.rowCount() == 4
    assert {model.index(r, 2).data() for r in range(4)} == {
        "Enviado",
        "Fallido",
        "Incierto",
        "Programado",
    }
    model.set_rows(rows[:1])
    qtmodeltester.check(model)


def test_panel_hidden_for_an_operator(qtbot: QtBot, scene: Scene) -> None:
    opened = scene.open("ana")  # registered, not supervisor
    tools = opened.window.supervisor
    qtbot.waitUntil(lambda: idle(opened.ws))
    assert not tools.access.granted
    assert not tools.dock.isVisible()
    assert not tools.reabrir_action.isEnabled() and not tools.liberar_action.isEnabled()
    assert tools.panel.last is None  # nothing computed for someone who cannot see it
    opened.window.actions_by_name["actualizar"].trigger()
    qtbot.waitUntil(lambda: idle(opened.ws))
    assert tools.panel.last is None and not tools.dock.isVisible()


def test_panel_numbers_match_the_report_and_follow_the_filter(
    qtbot: QtBot, database: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    opened = make_scene(qtbot, database, clock, secrets, runner).supervisor()
    window, tools = opened.window, opened.window.supervisor
    view = tools.panel.report
    expected = generar_reporte(database, window.filter_bar.filtro(), clock())
    assert tools.panel.last == expected
    shown = {name: label.text() for name, label in view.values.items()}
    assert shown["total"] == "5" == str(expected.estados.total)
    assert shown["pendientes"] == "3" and shown["resueltas"] == "2"
    assert shown["con_envio"] == "1" and shown["sin_envio"] == "1"
    assert shown["menos_1h"] == "3"
    assert shown["fallido"] == "1" and shown["incierto"] == "1" and shown["programado"] == "1"
    # uploaded 50 and 40 min ago, resolved 30 and 12 min ago: 20 and 28 minutes
    assert shown["resolucion"] == "mediana 24 min · p90 27 min\n(2 solicitudes)"
    assert view.errores.rowCount() == 2
    assert view.errores.item(0, 0).text() == "Botmaker respondió 400: plantilla inválida"
    assert view.operadores.rowCount() == 1
    assert [view.operadores.item(0, c).text() for c in range(4)] == ["ana", "1", "1", "0"]
    assert tools.panel.envios.model.rowCount() == 4

    if folder := os.environ.get(SCREENSHOT_ENV):
        tools.panel.envios.select_envio(
            tools.panel.envios.model.fila(0).id  # type: ignore[union-attr]
        )
        window.grab().save(str(Path(folder) / "supervisor-panel.png"))

    # The filter bar moves to yesterday: the panel recomputes for that range (empty).
    yesterday = window.filter_bar.filtro().desde - timedelta(days=1)
    window.filter_bar.hasta.setDate(window.filter_bar.hasta.date().addDays(-1))
    qtbot.waitUntil(lambda: tools.panel.last.filtro.hasta == yesterday)  # type: ignore[union-attr]
    assert tools.panel.last is not None and tools.panel.last.estados.total == 0
    assert view.values["total"].text() == "0"

    # F5 recomputes too: a request uploaded meanwhile appears.
    window.filter_bar.reset_dates()
    qtbot.waitUntil(lambda: view.values["total"].text() == "5")
    seed = factories
    with database.uow() as uow:
        pac = seed.paciente(uow.session, apellido="Tardío", nombre="Luis")
        seed.solicitud(uow.session, pac, clock() - timedelta(minutes=2))
        uow.commit()
    activate(qtbot, window)
    press(qtbot, window.grid, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: view.values["total"].text() == "6")


def test_retry_on_a_fallido_send_reschedules_it(qtbot: QtBot, scene: Scene) -> None:
    staged = scene.staged
    opened = scene.supervisor()
    envios = opened.window.supervisor.panel.envios
    opened.window.supervisor.panel.setCurrentWidget(envios)  # the supervisor opens the tab
    asked: list[str] = []

    def decline(_parent: QWidget, _title: str, text: str) -> bool:
        asked.append(text)
        return False

    envios.confirm = decline
    envios.select_envio(staged.fallido)
    buttons = envios.buttons
    assert buttons["reintentar"].isEnabled()
    assert not buttons["marcar_enviado"].isEnabled() and not buttons["cancelar"].isEnabled()
    qtbot.mouseClick(buttons["reintentar"], Qt.MouseButton.LeftButton)
    assert asked == [
        f"¿Reintentar el envío {staged.fallido}? Vuelve a la cola y se manda enseguida."
    ]
    qtbot.waitUntil(lambda: idle(opened.ws))
    assert _estado(scene.db, staged.fallido) == "fallido"  # declined: nothing written

    envios.confirm = lambda _p, _t, _x: True
    qtbot.mouseClick(buttons["reintentar"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "se programó para reintentarse" in envios.banner.text)
    assert _estado(scene.db, staged.fallido) == "programado"
    reintentos = reads.eventos(scene.db, "envio_reintentado")
    assert [(e.envio_id, e.usuario) for e in reintentos] == [(staged.fallido, "sofia")]
    row = envios.model.row_of(staged.fallido)
    qtbot.waitUntil(
        lambda: (
            envios.model.fila(row) is not None  # type: ignore[arg-type]
            and envios.model.fila(row).estado is EstadoEnvio.PROGRAMADO
        )  # type: ignore[arg-type,union-attr]
    )
    assert envios.selected() is not None and envios.selected().id == staged.fallido  # type: ignore[union-attr]
    assert buttons["cancelar"].isEnabled() and not buttons["reintentar"].isEnabled()


def test_a_refusal_shows_the_spanish_message_and_writes_nothing(qtbot: QtBot, scene: Scene) -> None:
    staged = scene.staged
    opened = scene.supervisor()
    envios = opened.window.supervisor.panel.envios
    opened.window.supervisor.panel.setCurrentWidget(envios)  # the supervisor opens the tab
    envios.confirm = lambda _p, _t, _x: True
    envios.select_envio(staged.programado)
    assert envios.buttons["cancelar"].isEnabled()
    # Meanwhile the send went out from another workstation: the list is stale.
    with scene.db.uow() as uow:
        uow.session.execute(
            update(Envio)
            .where(Envio.id == staged.programado)
            .values(estado="enviado", version=Envio.version + 1)
        )
        uow.commit()
    qtbot.mouseClick(envios.buttons["cancelar"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: envios.banner.kind == "error" and envios.banner.isVisible())
    assert envios.banner.text.startswith(f"No se puede cancelar el envío {staged.programado}")
    assert _estado(scene.db, staged.programado) == "enviado"
    assert reads.eventos(scene.db, "envio_cancelado") == []
    qtbot.waitUntil(
        lambda: envios.selected() is not None and envios.selected().estado is EstadoEnvio.ENVIADO  # type: ignore[union-attr]
    )
    assert not any(b.isEnabled() for b in envios.buttons.values())


def test_historial_opens_with_ctrl_h_for_an_operator(qtbot: QtBot, scene: Scene) -> None:
    staged = scene.staged
    opened = scene.open("ana")
    window = opened.window
    assert opened.ws.current is not None and opened.ws.current.id == staged.solicitudes[2]
    assert ("Solicitud", "Historial de la solicitud", "Ctrl+H") in window.help.rows  # F1 lists it
    activate(qtbot, window)
    press(qtbot, window.grid, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    dialog = window.supervisor.historial_dialog
    assert isinstance(dialog, HistorialDialog)
    qtbot.waitUntil(lambda: dialog.loaded)
    texts = dialog.texts()
    assert len(texts) == 1
    assert texts[0].endswith("portal · Registró la solicitud desde el portal")
    assert "1 movimientos" in dialog.status.text()
    dialog.close()


def test_reabrir_asks_the_reason_and_puts_the_request_back_in_the_queue(
    qtbot: QtBot, scene: Scene
) -> None:
    staged = scene.staged
    opened = scene.supervisor()
    window, tools, ws = opened.window, opened.window.supervisor, opened.ws
    target = staged.solicitudes[1]  # resolved without a send
    window.filter_bar.estado.setCurrentIndex(window.filter_bar.estado.findData("resueltas"))
    qtbot.waitUntil(lambda: ws.model.row_of(target) is not None and not ws.model.busy)
    window.select_id(target)
    qtbot.waitUntil(lambda: ws.current is not None and loaded_id(ws) == target)
    tools.ask_text = lambda _p, _t, _l: None  # cancelled: nothing happens
    tools.reabrir_action.trigger()
    qtbot.waitUntil(lambda: idle(ws))
    tools.ask_text = lambda _p, _t, _l: "El paciente mandó otra orden"
    tools.reabrir_action.trigger()
    qtbot.waitUntil(lambda: f"Se reabrió la solicitud {target}" in window.message_banner.text)
    assert reads.solicitud(scene.db, target).resuelto is False
    motivos = [e.detalle for e in reads.eventos(scene.db, "reabierta")]
    assert len(motivos) == 1 and "El paciente mandó otra orden" in (motivos[0] or "")


def loaded_id(ws: object) -> int | None:
    rec = ws.current  # type: ignore[attr-defined]
    return rec.id if rec is not None and rec.detalle is not None else None


# --- Exportar… ---------------------------------------------------------------------------------


def _exported_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel in Spanish needs the BOM to read UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def _grid_names(ws: object) -> list[str]:
    model = ws.model  # type: ignore[attr-defined]
    col = COLUMN_INDEX["nombre"]
    return sorted(model.index(r, col).data() for r in range(model.rowCount()))


def test_exportar_writes_the_grids_current_filter_to_csv(
    qtbot: QtBot, scene: Scene, tmp_path: Path
) -> None:
    opened = scene.supervisor()
    window, tools, ws = opened.window, opened.window.supervisor, opened.ws
    bar = window.filter_bar
    asked: list[str] = []
    target = tmp_path / "resueltas.csv"

    def choose(_parent: QWidget, suggested: str) -> Path | None:
        asked.append(suggested)
        return target

    tools.exporter.choose = choose
    progress: list[tuple[int, int]] = []
    tools.exporter.progress.connect(lambda done, total: progress.append((done, total)))

    # State filter: only the 2 resolved requests of the 5.
    bar.estado.setCurrentIndex(bar.estado.findData("resueltas"))
    qtbot.waitUntil(lambda: ws.model.filtro.estado.value == "resueltas" and not ws.model.busy)
    qtbot.waitUntil(lambda: ws.model.rowCount() == 2)
    assert tools.exportar_action.isEnabled()
    tools.exportar_action.trigger()
    assert asked == ["solicitudes-2026-03-10.csv"]
    assert tools.exporter.dialog is not None and tools.exporter.dialog.isVisible()
    qtbot.waitUntil(lambda: window.message_banner.text.startswith("Exportadas"))
    assert window.message_banner.text == f"Exportadas 2 solicitudes a «{target}»."
    assert tools.exporter.dialog is None
    assert (0, 2) in progress and progress[-1] == (2, 2)
    rows = _exported_csv(target)
    assert rows[0][:3] == ["Fecha de subida", "Nombre", "DNI"]
    assert len(rows) - 1 == ws.model.rowCount() == 2
    assert sorted(r[1] for r in rows[1:]) == _grid_names(ws)
    assert {r[10] for r in rows[1:]} == {"Sí"}

    # State and text together: "todas" narrowed by a surname.
    bar.estado.setCurrentIndex(bar.estado.findData("todas"))
    bar.texto.setText("Núñez")
    qtbot.waitUntil(lambda: ws.model.filtro.texto == "Núñez" and not ws.model.busy)
    qtbot.waitUntil(lambda: ws.model.rowCount() == 1)
    target = tmp_path / "nunez.csv"
    tools.exportar_action.trigger()
    qtbot.waitUntil(lambda: "nunez.csv" in window.message_banner.text)
    assert window.message_banner.text == f"Exportada 1 solicitud a «{target}»."
    rows = _exported_csv(target)
    assert len(rows) == 2 and [rows[1][1]] == _grid_names(ws)
    assert "Núñez" in rows[1][1]
    assert _usuarios(scene.db, "exportacion") == ["sofia", "sofia"]


def test_exportar_to_xlsx_by_extension(qtbot: QtBot, scene: Scene, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    opened = scene.supervisor()  # supervisors only
    window, tools, ws = opened.window, opened.window.supervisor, opened.ws
    qtbot.waitUntil(lambda: idle(ws) and ws.model.rowCount() == 3)
    target = tmp_path / "pendientes.xlsx"
    tools.exporter.choose = lambda _p, _s: target
    tools.exportar_action.trigger()
    qtbot.waitUntil(lambda: window.message_banner.text.startswith("Exportadas"))
    sheet = load_workbook(target, read_only=True).active
    assert sheet is not None
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[0][1] == "Nombre" and len(values) - 1 == ws.model.rowCount() == 3


def test_exportar_failure_shows_the_spanish_message_and_writes_nothing(
    qtbot: QtBot, scene: Scene, tmp_path: Path
) -> None:
    opened = scene.supervisor()
    window, tools = opened.window, opened.window.supervisor
    tools.exporter.choose = lambda _p, _s: None  # "Cancelar" in the file dialog: nothing at all
    assert tools.export() is False
    assert tools.exporter.dialog is None
    out = tmp_path / "exportaciones"
    out.mkdir()
    missing = out / "no-existe" / "x.csv"
    tools.exporter.choose = lambda _p, _s: missing
    tools.exportar_action.trigger()
    qtbot.waitUntil(lambda: window.message_banner.kind == "error")
    assert window.message_banner.text == (
        f"No existe la carpeta «{missing.parent}» para guardar la exportación."
    )
    assert tools.exporter.dialog is None
    assert list(out.iterdir()) == []
    assert reads.eventos(scene.db, "exportacion") == []


# --- Liberar -----------------------------------------------------------------------------------


def _lease(db: Database, sid: int) -> str | None:
    with db.uow() as uow:
        return uow.session.scalars(
            select(SolicitudAsistencia.tomado_por).where(SolicitudAsistencia.id == sid)
        ).one()


def test_liberar_frees_a_record_another_operator_holds(qtbot: QtBot, scene: Scene) -> None:
    staged = scene.staged
    held = staged.solicitudes[2]
    otra = Actor("ana", "pc-02")
    claims.claim(scene.db, otra, scene.clock(), held, timedelta(minutes=10))
    opened = scene.supervisor()
    window, tools, ws = opened.window, opened.window.supervisor, opened.ws
    assert ws.current is not None and ws.current.id != held  # the queue skipped Ana's record
    qtbot.waitUntil(lambda: ws.model.row_of(held) is not None and not ws.model.busy)
    window.select_id(held)
    qtbot.waitUntil(lambda: loaded_id(ws) == held)
    assert ws.current is not None and not ws.current.claimed and "ana" in (ws.current.reason or "")
    assert _lease(scene.db, held) == "ana@pc-02"
    assert tools.liberar_action.isEnabled()

    tools.liberar_action.trigger()
    qtbot.waitUntil(lambda: window.message_banner.text == f"Se liberó la solicitud {held}.")
    eventos = [e for e in reads.eventos(scene.db, "bloqueo_liberado") if e.solicitud_id == held]
    assert len(eventos) == 1 and eventos[0].usuario == "sofia" and "ana" in eventos[0].detalle
    # Ana's lease is gone; the supervisor, who has the record open, takes it to work it.
    qtbot.waitUntil(lambda: idle(ws) and ws.current is not None and ws.current.claimed)
    assert _lease(scene.db, held) == "sofia@pc-01"
    with pytest.raises(ClaimLost, match="tomada por sofia"):
        claims.claim(scene.db, otra, scene.clock(), held, timedelta(minutes=10))
    # Once she moves on, nobody holds it.
    window.select_id(staged.solicitudes[3])
    qtbot.waitUntil(lambda: idle(ws) and loaded_id(ws) == staged.solicitudes[3])
    qtbot.waitUntil(lambda: _lease(scene.db, held) is None)


def test_liberar_is_disabled_and_refused_for_an_operator(qtbot: QtBot, scene: Scene) -> None:
    staged = scene.staged
    held = staged.solicitudes[2]
    claims.claim(scene.db, Actor("sofia", "pc-09"), scene.clock(), held, timedelta(minutes=10))
    opened = scene.open("ana")
    window, tools, ws = opened.window, opened.window.supervisor, opened.ws
    qtbot.waitUntil(lambda: idle(ws) and ws.model.row_of(held) is not None)
    window.select_id(held)
    qtbot.waitUntil(lambda: idle(ws) and loaded_id(ws) == held)
    assert not tools.access.granted and not tools.liberar_action.isEnabled()
    tools.override()  # even if reached some other way, the database is asked about the role
    qtbot.waitUntil(lambda: window.message_banner.kind == "error")
    assert "supervisor" in window.message_banner.text
    assert _lease(scene.db, held) == "sofia@pc-09"
    assert reads.eventos(scene.db, "bloqueo_liberado") == []

"""The inside of `scripts/screenshots.py`: one QApplication, one screen size, every state."""

from __future__ import annotations

import logging
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QKeyEvent, QPainter, QPixmap
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from dim_revision.bootstrap import AppContext
from dim_revision.clock import FakeClock
from dim_revision.commands.demo import DEMO_BOTMAKER_CANAL, DEMO_BOTMAKER_TOKEN, DEMO_LINK_KEY
from dim_revision.config import Settings
from dim_revision.db import migrate
from dim_revision.db.engine import create_db_engine, sqlite_url
from dim_revision.db.uow import Database
from dim_revision.demo.seed import seed_demo
from dim_revision.domain.search_index import STOPWORDS, fold
from dim_revision.outbox.fake_server import FakeBotmaker
from dim_revision.paths import AppPaths
from dim_revision.secrets import MemoryStore
from dim_revision.services import operadores
from dim_revision.services.actor import Actor
from scripts.screenshots import ROOT, Steps, temp_home
from scripts.screenshots_loop import loop_states, stage_failed_send, stage_known_request
from ui.app import build_outbox_thread, build_window, load_style
from ui.main_window import MainWindow
from ui.picker import MAX_SUGGESTIONS, PrestacionPicker
from ui.propuestas import LecturaUI
from ui.runtime_guard import RuntimeGuard
from ui.setup_dialog import SetupDialog
from ui.tasks import TaskRunner
from ui.translations import install_spanish
from ui.workstation import Workstation

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)  # 11:30 in Buenos Aires, a Tuesday
OPERADOR = Actor("mgarcia", "CALLCENTER-03")
SUPERVISOR = Actor("lsosa", "SUPERVISION-01")
Key = Qt.Key
Mod = Qt.KeyboardModifier


def idle(ws: Workstation) -> bool:
    """Nothing pending for the open record (the one place that knows the controller's lane)."""
    return bool(ws.lane.is_idle())


class _NoTraceback(logging.Filter):
    """The app logs the database outage it is shown in with its traceback: keep one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = record.exc_text = None
        return True


def shoot(out: Path, size: str, solicitudes: int, prestaciones: int) -> int:
    handler = logging.StreamHandler()
    handler.addFilter(_NoTraceback())
    handler.setFormatter(logging.Formatter("  (registro) %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    work = temp_home()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    guard = RuntimeGuard(app)
    app.setApplicationName("DIM Revisión")
    translators = install_spanish(app)
    load_style(app)
    width, height = (int(v) for v in size.lower().split("x"))
    shooter = Shooter(app, out, size, QRect(0, 0, width, height))
    try:
        db = shooter.database(work, solicitudes, prestaciones)
        fake = FakeBotmaker(DEMO_BOTMAKER_TOKEN).start()
        try:
            shooter.operator_states(db, fake.url)
            shooter.supervisor_states(db, fake.url)
        finally:
            fake.stop()
            db.dispose()
    finally:
        guard.uninstall()
        del translators
        shutil.rmtree(work, ignore_errors=True)
    if shooter.steps.failed:
        print(f"No se pudieron capturar: {', '.join(shooter.steps.failed)}", flush=True)
        return 1
    return 0


class Shooter:
    def __init__(self, app: QApplication, out: Path, size: str, screen_rect: QRect) -> None:
        self.app = app
        self.out = out
        self.size = size
        self.xcb = QGuiApplication.platformName() == "xcb"
        screen = app.primaryScreen()
        self.available = screen.availableGeometry() if self.xcb else screen_rect
        self.steps = Steps()
        self.expected: list[tuple[int, str]] = []
        self.staged = 0  # the request whose order the shots name (stage_known_request)

    # --- set-up --------------------------------------------------------------------------------

    def database(self, work: Path, solicitudes: int, prestaciones: int) -> Database:
        self.folder = work / "datos"
        self.folder.mkdir(parents=True)
        db = Database(create_db_engine(sqlite_url(self.folder / "demo.sqlite3")))
        migrate.upgrade(db)
        print("Creando la base de demostración…", flush=True)
        summary = seed_demo(
            db, seed=2026, solicitudes=solicitudes, prestaciones=prestaciones, now=NOW
        )
        print(f"  {summary}", flush=True)
        admin = Actor("sistemas", "SERVIDOR")
        operadores.agregar(
            db, admin, NOW, usuario=SUPERVISOR.usuario, nombre="Laura Sosa",
            rol=operadores.Rol.SUPERVISOR,
        )  # fmt: skip
        operadores.agregar(
            db, SUPERVISOR, NOW, usuario=OPERADOR.usuario, nombre="María García",
            rol=operadores.Rol.OPERADOR,
        )  # fmt: skip
        self.staged, self.expected = stage_known_request(db, NOW)
        stage_failed_send(db, OPERADOR, NOW)  # «Requiere atención» (screenshots_loop.py)
        return db

    def context(self, db: Database, botmaker_url: str, actor: Actor) -> AppContext:
        settings = Settings().replace("botmaker", base_url=botmaker_url, canal=DEMO_BOTMAKER_CANAL)
        secrets = MemoryStore({"botmaker-token": DEMO_BOTMAKER_TOKEN, "link-key": DEMO_LINK_KEY})
        return AppContext(settings, AppPaths.for_user(), secrets, actor, FakeClock(NOW), _db=db)

    def open(self, ctx: AppContext, runner: TaskRunner) -> MainWindow:
        """As `ui.app.run_gui` opens it (first start: maximized on a small screen); on the big
        screen maximized too, as operators keep it."""
        window = build_window(ctx, runner, outbox=build_outbox_thread(ctx))
        window.place_on_screen(self.available)
        window.setGeometry(self.available)
        window.setWindowState(Qt.WindowState.WindowMaximized)
        window.show()
        QTest.qWaitForWindowExposed(window, 10_000)
        window.activateWindow()
        self.wait(window.isActiveWindow, "la ventana activa", 10)
        window.ws.start()
        return window

    # --- the operator ---------------------------------------------------------------------------

    def operator_states(self, db: Database, botmaker_url: str) -> None:
        ctx = self.context(db, botmaker_url, OPERADOR)
        runner = TaskRunner(max_threads=3)
        window = self.open(ctx, runner)
        ws = window.ws
        self.wait(lambda: ws.current is not None and ws.current.detalle is not None, "la solicitud")
        self.wait(lambda: ws.flags.catalog_loaded and ws.flags.counts is not None, "el catálogo")
        # «Pendientes» opens the oldest unresolved request, from an earlier day: open the one
        # staged for the shots (today's, its order known, a WhatsApp number) as a click would.
        self.open_id(window, self.staged, "la solicitud preparada")
        self.wait(lambda: window.viewer.displayed_pixmap() is not None, "la imagen de la orden")
        run = self.steps.run
        run("queue-detail", lambda: self.queue_detail(window))
        run("help-overlay", lambda: self.help_overlay(window))
        run("picker-open", lambda: self.picker_open(window))
        run("viewer-focus", lambda: self.viewer_focus(window))
        run("confirm-preview", lambda: self.confirm_preview(window))
        run("contact-dialog", lambda: self.contact_dialog(window))
        run("db-down", lambda: self.db_down(window, runner))
        run("envio-programado", lambda: self.envio_programado(window))
        loop_states(self, window)  # Saltear, Deshacer, Requiere atención… (screenshots_loop.py)
        run("empty-state", lambda: self.empty_state(window))
        run("setup-dialog", lambda: self.setup_dialog(window, ctx, runner))
        self.close(window, runner)

    def queue_detail(self, window: MainWindow) -> None:
        window.picker.focus_search()
        self.save(window, "queue-detail")

    def help_overlay(self, window: MainWindow) -> None:
        self.key(window.picker.search_edit, Key.Key_F1)
        self.wait(window.help.isVisible, "la ayuda")
        self.save(window, "help-overlay")
        self.key(window.help, Key.Key_Escape)
        self.wait(lambda: not window.help.isVisible(), "que se cierre la ayuda")

    def picker_open(self, window: MainWindow) -> None:
        """Typing the way operators do (abbreviations, no accents), then Enter adds each one."""
        picker, ws = window.picker, window.ws
        for i, (pid, nombre) in enumerate(self.expected):
            words = operator_query(nombre)
            picker.focus_search()
            self.type(picker.search_edit, " ".join(words[:2]))
            self.wait(picker.popup_visible, "las sugerencias")
            if i == 0:
                self.save(window, "picker-open")
            self.type(picker.search_edit, " " + " ".join(words[2:]))
            if not self.choose(picker, nombre):
                picker.set_chosen([*picker.chosen(), (pid, nombre)])
                ws.set_chosen(picker.chosen())

    def viewer_focus(self, window: MainWindow) -> None:
        window.picker.focus_search()
        viewer = window.viewer
        self.key(window.picker.search_edit, Key.Key_F6)
        self.wait(viewer.canvas.hasFocus, "el foco en el visor")
        before = viewer.canvas.scale_factor()
        self.key(viewer.canvas, Key.Key_Plus)
        self.wait(lambda: viewer.canvas.scale_factor() > before, "el zoom")
        self.save(window, "viewer-focus")
        self.key(viewer.canvas, Key.Key_Minus)  # back to the same scale; the fit mode stays AUTO
        self.key(viewer.canvas, Key.Key_Escape)
        self.wait(window.picker.search_edit.hasFocus, "el foco de vuelta en el buscador")

    def confirm_preview(self, window: MainWindow) -> None:
        self.activate(window)
        self.key(window.picker.search_edit, Key.Key_Return, Mod.ControlModifier)
        self.wait(lambda: window.preview_dialog is not None, "la vista previa")
        dialog = window.preview_dialog
        assert dialog is not None
        self.wait(dialog.isVisible, "la vista previa en pantalla")
        self.save(window, "confirm-preview", dialog)
        dialog.reject()
        self.wait(lambda: window.preview_dialog is None, "que se cierre la vista previa")

    def contact_dialog(self, window: MainWindow) -> None:
        self.activate(window)
        self.key(window.picker.search_edit, Key.Key_K, Mod.ControlModifier)
        self.wait(lambda: window.contact_dialog is not None, "el diálogo de contacto")
        contact = window.contact_dialog
        assert contact is not None
        self.wait(contact.isVisible, "el diálogo en pantalla")
        self.type(
            contact.comment,
            "Atendió la hija: confirma lo que pidió el médico y prefiere turno a la tarde. "
            "Le avisamos que le llega el link por WhatsApp.",
        )
        self.save(window, "contact-dialog", contact)
        contact.reject()
        self.wait(lambda: window.contact_dialog is None, "que se cierre el diálogo")

    def db_down(self, window: MainWindow, runner: TaskRunner) -> None:
        ws = window.ws
        self.wait(lambda: idle(ws) and runner.is_idle(), "las tareas")
        ws.db.dispose()
        hidden = self.folder.rename(self.folder.with_name("datos-desconectados"))
        try:
            ws.poll()
            self.wait(lambda: not window.offline_banner.isHidden(), "el aviso sin conexión")
            self.save(window, "db-down")
        finally:
            hidden.rename(self.folder)
        self.wait(lambda: ws.flags.online, "la reconexión", 20)
        self.wait(lambda: idle(ws) and ws.current is not None, "la solicitud")
        window.message_banner.hide()

    def envio_programado(self, window: MainWindow) -> None:
        """Confirmed, then back on it three minutes later: the correction window."""
        ws = window.ws
        self.activate(window)
        assert ws.current is not None
        confirmed = ws.current.id
        window.picker.focus_search()
        self.key(window.picker.search_edit, Key.Key_Return, Mod.ControlModifier)
        self.wait(lambda: window.preview_dialog is not None, "la vista previa")
        preview = window.preview_dialog
        assert preview is not None
        preview.accept()
        self.wait(lambda: ws.current is not None and ws.current.id != confirmed, "la siguiente")
        self.wait(lambda: idle(ws), "la siguiente solicitud")
        clock = ws.clock
        assert isinstance(clock, FakeClock)
        clock.advance(minutes=3, seconds=12)
        window.filter_bar.estado.setCurrentIndex(window.filter_bar.estado.count() - 1)  # Todas
        self.open_id(window, confirmed, "la solicitud confirmada")
        self.wait(lambda: not window.action_bar.envio_frame.isHidden(), "la cuenta regresiva")
        self.save(window, "envio-programado")

    def empty_state(self, window: MainWindow) -> None:
        """A day with no requests: the list says so and the right side says what to do."""
        window.message_banner.hide()
        bar = window.filter_bar
        bar.estado.setCurrentIndex(0)  # Sin resolver, the default
        empty_day = bar.desde.date().addDays(-60)
        bar.desde.setDate(empty_day)
        bar.hasta.setDate(empty_day)
        self.wait(lambda: window.grid_stack.currentWidget() is window.grid_empty, "la lista vacía")
        self.wait(lambda: idle(window.ws), "el detalle")
        try:  # the window's own empty state, when the controller offers it for this filter
            self.wait(lambda: window.right_stack.currentWidget() is window.empty_state, "", 5)
        except TimeoutError:
            print("  (aviso) el detalle no pasó al estado vacío con este filtro", flush=True)
        self.save(window, "empty-state")
        bar.reset_dates()
        self.wait(lambda: window.grid_stack.currentWidget() is window.grid, "la lista")

    def setup_dialog(self, window: MainWindow, ctx: AppContext, runner: TaskRunner) -> None:
        config = Path("C:/Users/mgarcia/AppData/Roaming/DIM Revisión/config.toml")  # shown only
        dialog = SetupDialog(config, MemoryStore(), runner, ctx.settings, config, window)
        dialog.open()
        self.wait(dialog.isVisible, "la configuración")
        self.save(window, "setup-dialog", dialog)
        dialog.reject()

    # --- the supervisor -------------------------------------------------------------------------

    def supervisor_states(self, db: Database, botmaker_url: str) -> None:
        ctx = self.context(db, botmaker_url, SUPERVISOR)
        runner = TaskRunner(max_threads=3)
        window = self.open(ctx, runner)
        tools = window.supervisor
        self.steps.run("supervisor-dock", lambda: self.supervisor_dock(window))
        tools.dock.hide()
        self.close(window, runner)

    def supervisor_dock(self, window: MainWindow) -> None:
        tools, ws = window.supervisor, window.ws
        self.wait(lambda: tools.dock.isVisible() and tools.panel.last is not None, "el panel")
        self.wait(lambda: ws.current is not None and ws.current.detalle is not None, "la solicitud")
        self.wait(lambda: window.viewer.displayed_pixmap() is not None, "la imagen de la orden")
        self.wait(lambda: idle(ws) and ws.runner.is_idle(), "las tareas")
        self.save(window, "supervisor-dock")

    # --- helpers -------------------------------------------------------------------------------

    def close(self, window: MainWindow, runner: TaskRunner) -> None:
        """What quitting the app does (`aboutToQuit`, which never comes without `exec()`): the
        window closes, the order reader's thread and the tasks stop, before the process ends."""
        window.close()
        for lectura in window.findChildren(LecturaUI):
            lectura.shutdown()
        runner.shutdown()

    def open_id(self, window: MainWindow, sid: int, what: str) -> None:
        """Select `sid` in the list once the list has settled (a filter change reloads it and
        drops the selection), then wait until the window says it is the open record."""
        ws = window.ws
        self.wait(
            lambda: not ws.model.busy and ws.model.row_of(sid) is not None, f"{what} en la lista"
        )
        window.select_id(sid)
        self.wait(
            lambda: (
                idle(ws)
                and ws.current is not None
                and ws.current.id == sid
                and ws.current.detalle is not None
            ),
            what,
        )

    def wait(self, done: Callable[[], object], what: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError(f"tiempo agotado esperando {what}")
            self.app.processEvents()
            time.sleep(0.005)

    def repaint(self) -> None:
        """Let posted events, deferred decodes and repaints run (no condition says "painted")."""
        self.wait(lambda: True, "")
        for _ in range(30):
            self.app.processEvents()
            time.sleep(0.01)

    def type(self, widget: QWidget, text: str) -> None:
        """One key event per character, carrying its text (works for ñ and accents)."""
        widget.setFocus()
        for ch in text:
            key = ord(ch.upper()) if len(ch.upper()) == 1 and ord(ch.upper()) < 0x100 else 0
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                self.app.sendEvent(widget, QKeyEvent(kind, key, Mod.NoModifier, ch))
            self.app.processEvents()

    def activate(self, window: QWidget) -> None:
        """After a dialog closes the window must be active again for its shortcuts."""
        window.activateWindow()
        self.wait(window.isActiveWindow, "la ventana activa", 10)

    def key(self, widget: QWidget, key: Key, mods: Mod = Mod.NoModifier) -> None:
        QTest.keyClick(widget, key, mods)
        self.app.processEvents()

    def choose(self, picker: PrestacionPicker, nombre: str) -> bool:
        """Walk the suggestions down to `nombre` and add it with Enter, like the operator."""
        for _ in range(MAX_SUGGESTIONS):
            self.app.processEvents()
            current = picker.current_suggestion()
            if current is not None and current.nombre == nombre:
                self.key(picker.search_edit, Key.Key_Return)
                return True
            self.key(picker.search_edit, Key.Key_Down)
        return False

    def save(self, window: MainWindow, name: str, dialog: QWidget | None = None) -> None:
        self.repaint()
        needed = window.minimumSizeHint()
        fits = needed.width() <= window.width() and needed.height() <= window.height()
        if not fits or not self.available.contains(window.frameGeometry()):  # issue 13.4
            self.steps.failed.append(
                f"{name} (la ventana no entra: {window.width()}×{window.height()})"
            )
            print(
                f"  ✗ {name}: la ventana mide {window.size().toTuple()}, mínimo "
                f"{window.minimumSizeHint().toTuple()}",
                flush=True,
            )
            for child in window.findChildren(QWidget):
                if (
                    child.isVisible()
                    and child.minimumSizeHint().width() > self.available.width() // 2
                ):
                    print(
                        f"     {type(child).__name__} {child.objectName()!r} mínimo "
                        f"{child.minimumSizeHint().toTuple()}",
                        flush=True,
                    )
        if self.xcb:  # the whole screen, as the operator sees it (dialogs included)
            pixmap = window.screen().grabWindow(0)
        else:
            pixmap = window.grab() if dialog is None else over(window, dialog)
        path = self.out / f"{name}-{self.size}.png"
        if not pixmap.save(str(path), "PNG"):
            raise OSError(f"no se pudo guardar {path}")
        print(f"  ✓ {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}", flush=True)


def over(window: QWidget, dialog: QWidget) -> QPixmap:
    """Offscreen only: the window, dimmed, with the dialog (and a title bar) centred on it."""
    base = window.grab()
    top = dialog.grab()
    title_h = 30
    width, height = top.width(), top.height() + title_h
    at = QPoint((base.width() - width) // 2, (base.height() - height) // 2)
    painter = QPainter(base)
    painter.fillRect(base.rect(), QColor(15, 20, 25, 90))
    bar = QRect(at.x(), at.y(), width, title_h)
    painter.fillRect(bar, QColor("#2f3a45"))
    font = QFont(window.font())
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(
        bar.adjusted(12, 0, -40, 0), int(Qt.AlignmentFlag.AlignVCenter), dialog.windowTitle()
    )
    painter.drawPixmap(QPoint(at.x(), at.y() + title_h), top)
    painter.end()
    return base


ABBREVIATIONS = {  # how operators type what orders say
    "resonancia magnetica": "rmn", "tomografia computada": "tac", "radiografia": "rx",
    "ecografia": "eco", "sin contraste": "s/c", "con contraste": "c/c",
}  # fmt: skip


def operator_query(nombre: str) -> list[str]:
    """'RESONANCIA MAGNÉTICA DE RODILLA IZQUIERDA' → ['rmn', 'rodilla', 'izquierda']."""
    text = fold(nombre)
    for long, short in ABBREVIATIONS.items():
        text = text.replace(long, short)
    return [w for w in text.split() if w not in STOPWORDS]

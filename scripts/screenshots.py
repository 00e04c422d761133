"""`make screenshots`: the workstation's main states as PNGs in `docs/` (DESIGN §9).

Builds the demo database in a temporary folder with a fixed clock, opens the real main window at
1600×1000 (offscreen, or under Xvfb when QT_QPA_PLATFORM=xcb), drives it the way an operator
would and saves one picture per state. Dialogs are separate windows, so their pictures are laid
over the window's (centred, over a dimmed window) as a window manager would show them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPixmap
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import func, select

from dim_revision.bootstrap import AppContext
from dim_revision.clock import FakeClock, local_day_bounds, local_today
from dim_revision.commands.demo import DEMO_BOTMAKER_CANAL, DEMO_BOTMAKER_TOKEN, DEMO_LINK_KEY
from dim_revision.config import Settings
from dim_revision.db import dim_repo, migrate
from dim_revision.db.engine import create_db_engine, sqlite_url
from dim_revision.db.models import Envio, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.demo.seed import seed_demo
from dim_revision.domain.phones import resultado_whatsapp
from dim_revision.domain.search_index import STOPWORDS, fold
from dim_revision.outbox.fake_server import FakeBotmaker
from dim_revision.paths import AppPaths
from dim_revision.secrets import MemoryStore
from dim_revision.services.actor import Actor
from ui.app import build_outbox_thread, build_window, load_style
from ui.main_window import MainWindow
from ui.picker import MAX_SUGGESTIONS, PrestacionPicker
from ui.runtime_guard import RuntimeGuard
from ui.tasks import TaskRunner

ROOT = Path(__file__).resolve().parent.parent

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)  # 11:30 in Buenos Aires, a Tuesday
SIZE = (1600, 1000)
STATES = (
    "queue-detail",
    "help-overlay",
    "picker-open",
    "confirm-preview",
    "contact-dialog",
    "db-down",
    "envio-programado",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="carpeta de salida")
    parser.add_argument("--solicitudes", type=int, default=80)
    parser.add_argument("--prestaciones", type=int, default=1600)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # read when QApplication is built
    work = Path(tempfile.mkdtemp(prefix="dim-screenshots-"))
    os.environ["DIM_REVISION_HOME"] = str(work / "home")
    try:
        return Shooter(work, args.out, args.solicitudes, args.prestaciones).run()
    finally:
        shutil.rmtree(work, ignore_errors=True)


class Shooter:
    def __init__(self, work: Path, out: Path, solicitudes: int, prestaciones: int) -> None:
        self.work = work
        self.out = out
        self.solicitudes = solicitudes
        self.prestaciones = prestaciones

    def run(self) -> int:
        app = QApplication.instance() or QApplication([sys.argv[0]])
        assert isinstance(app, QApplication)
        self.app = app
        guard = RuntimeGuard(app)
        app.setApplicationName("DIM Revisión")
        load_style(app)
        self.out.mkdir(parents=True, exist_ok=True)
        db, folder = self._database()
        fake = self._fake_botmaker()
        try:
            self._shoot(db, folder, fake.url)
        finally:
            fake.stop()
            db.dispose()
            guard.uninstall()
        print(f"Capturas guardadas en {self.out}: {', '.join(s + '.png' for s in STATES)}")
        return 0

    # --- set-up --------------------------------------------------------------------------------

    def _database(self) -> tuple[Database, Path]:
        folder = self.work / "datos"
        folder.mkdir(parents=True)
        db = Database(create_db_engine(sqlite_url(folder / "demo.sqlite3")))
        migrate.upgrade(db)
        print("Creando la base de demostración…", flush=True)
        summary = seed_demo(
            db, seed=2026, solicitudes=self.solicitudes, prestaciones=self.prestaciones, now=NOW
        )
        print(f"  {summary}", flush=True)
        self.expected = stage_known_request(db)
        return db, folder

    def _fake_botmaker(self) -> FakeBotmaker:
        return FakeBotmaker(DEMO_BOTMAKER_TOKEN).start()

    def _context(self, db: Database, botmaker_url: str) -> AppContext:
        settings = Settings().replace("botmaker", base_url=botmaker_url, canal=DEMO_BOTMAKER_CANAL)
        secrets = MemoryStore({"botmaker-token": DEMO_BOTMAKER_TOKEN, "link-key": DEMO_LINK_KEY})
        return AppContext(
            settings,
            AppPaths.for_user(),
            secrets,
            Actor("mgarcia", "CALLCENTER-03"),
            FakeClock(NOW),
            _db=db,
        )

    # --- the states ----------------------------------------------------------------------------

    def _shoot(self, db: Database, folder: Path, botmaker_url: str) -> None:
        ctx = self._context(db, botmaker_url)
        runner = TaskRunner(max_threads=3)
        window = build_window(ctx, runner, outbox=build_outbox_thread(ctx))
        ws = window.ws
        window.resize(*SIZE)
        window.show()
        window.activateWindow()
        ws.start()
        self.wait(
            lambda: ws.current is not None and ws.current.detalle is not None,
            "la primera solicitud",
        )
        self.wait(lambda: ws.flags.catalog_loaded and ws.flags.counts is not None, "el catálogo")
        # Start on the first request whose patient can receive the WhatsApp.
        while (
            ws.current is not None
            and ws.current.detalle is not None
            and ws.current.detalle.whatsapp is None
        ):
            self.key(window.grid, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
            self.wait(
                lambda: ws.lane.is_idle() and ws.current is not None, "la solicitud siguiente"
            )
        self.wait(lambda: window.viewer.displayed_pixmap() is not None, "la imagen de la orden")
        self.settle(1.0)

        # 1. Queue with the open request, as it arrives.
        window.grid.setFocus()
        self.settle()
        self.save(window.grab(), "queue-detail")

        # Every shortcut, F1.
        self.key(window.grid, Qt.Key.Key_F1)
        self.wait(window.help.isVisible, "la ayuda")
        self.settle()
        self.save(window.grab(), "help-overlay")
        self.key(window.help, Qt.Key.Key_Escape)

        # 2. The picker's suggestions while typing the way operators do (abbreviations, no
        #    accents, half words), then the order's studies added with Enter.
        picker = window.picker
        for i, (pid, nombre) in enumerate(self.expected):
            words = operator_query(nombre)
            picker.focus_search()
            self.type(picker.search_edit, " ".join(words[:2]))
            self.wait(picker.popup_visible, "las sugerencias")
            if i == 0:
                self.settle()
                self.save(window.grab(), "picker-open")
            self.type(picker.search_edit, " " + " ".join(words[2:]))
            self.settle(0.2)
            if not self.choose(picker, nombre):
                picker.set_chosen([*picker.chosen(), (pid, nombre)])
                ws.set_chosen(picker.chosen())

        # 3. The first Confirmar envío of the session shows exactly what goes out.
        self.key(window.picker.search_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        self.wait(lambda: window.preview_dialog is not None, "la vista previa")
        dialog = window.preview_dialog
        assert dialog is not None
        self.settle()
        self.save(self.over(window, dialog), "confirm-preview")
        dialog.reject()
        self.settle()

        # 4. Indicar contacto, half written.
        window.open_contact_dialog()
        self.wait(lambda: window.contact_dialog is not None, "el diálogo de contacto")
        contact = window.contact_dialog
        assert contact is not None
        contact.radios[next(iter(contact.radios))].setChecked(True)
        self.type(
            contact.comment,
            "Atendió la hija: confirma lo que pidió el médico y prefiere turno a la tarde. "
            "Le avisamos que le llega el link por WhatsApp.",
        )
        self.settle()
        self.save(self.over(window, contact), "contact-dialog")
        contact.reject()
        self.settle()

        # 5. The database goes away: banner, actions disabled, what was typed stays.
        self.wait(lambda: ws.lane.is_idle() and runner.is_idle(), "las tareas")
        ws.db.dispose()
        hidden = folder.rename(folder.with_name("datos-desconectados"))
        ws.poll()
        self.wait(lambda: not window.offline_banner.isHidden(), "el aviso sin conexión")
        self.settle()
        self.save(window.grab(), "db-down")
        hidden.rename(folder)
        self.wait(lambda: ws.flags.online, "la reconexión", 15)
        self.wait(
            lambda: ws.lane.is_idle() and ws.current is not None and ws.current.claimed,
            "la solicitud",
        )
        window.message_banner.hide()

        # 6. Confirmed, then back on it three minutes later: the correction window.
        assert ws.current is not None
        confirmed = ws.current.id
        window.picker.focus_search()
        self.key(window.picker.search_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        self.wait(lambda: window.preview_dialog is not None, "la vista previa")
        preview = window.preview_dialog
        assert preview is not None
        preview.accept()
        self.wait(lambda: ws.current is not None and ws.current.id != confirmed, "la siguiente")
        self.wait(lambda: ws.lane.is_idle(), "la siguiente solicitud")
        clock = ws.clock
        assert isinstance(clock, FakeClock)
        clock.advance(minutes=3, seconds=12)
        window.select_id(confirmed)
        self.wait(
            lambda: ws.current is not None and ws.current.id == confirmed and ws.lane.is_idle(),
            "la solicitud confirmada",
        )
        self.wait(lambda: not window.action_bar.envio_frame.isHidden(), "la cuenta regresiva")
        self.settle(1.2)
        self.save(window.grab(), "envio-programado")

        window.close()
        runner.shutdown()

    # --- helpers -------------------------------------------------------------------------------

    def wait(self, done: Callable[[], object], what: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not done():
            if time.monotonic() > deadline:
                raise SystemExit(f"Tiempo agotado esperando {what}.")
            self.app.processEvents()
            time.sleep(0.01)

    def settle(self, seconds: float = 0.4) -> None:
        """Let timers, repaints and deferred decodes finish."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.app.processEvents()
            time.sleep(0.01)

    def type(self, widget: QWidget, text: str) -> None:
        """One key event per character, carrying its text (works for ñ and accents)."""
        widget.setFocus()
        for ch in text:
            key = ord(ch.upper()) if len(ch.upper()) == 1 and ord(ch.upper()) < 0x100 else 0
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                self.app.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch))
            self.app.processEvents()

    def key(
        self,
        widget: QWidget,
        key: Qt.Key,
        mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    ) -> None:
        QTest.keyClick(widget, key, mods)
        self.app.processEvents()

    def over(self, window: MainWindow, dialog: QWidget) -> QPixmap:
        """The window, dimmed, with the dialog (and a title bar, as a window manager draws it)
        centred on it over a soft shadow."""
        base = window.grab()
        top = dialog.grab()
        title_h = 30
        width, height = top.width(), top.height() + title_h
        at = QPoint((base.width() - width) // 2, (base.height() - height) // 2)
        painter = QPainter(base)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(base.rect(), QColor(15, 20, 25, 90))
        for spread, alpha in ((16, 14), (10, 22), (6, 32), (3, 46)):
            painter.fillRect(
                QRect(
                    at.x() - spread, at.y() - spread + 5, width + 2 * spread, height + 2 * spread
                ),
                QColor(0, 0, 0, alpha),
            )
        bar = QRect(at.x(), at.y(), width, title_h)
        painter.fillRect(bar, QColor("#2f3a45"))
        font = QFont(window.font())
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(
            bar.adjusted(12, 0, -40, 0),
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
            dialog.windowTitle(),
        )
        painter.drawText(
            bar.adjusted(0, 0, -12, 0),
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight),
            "✕",
        )
        painter.drawPixmap(QPoint(at.x(), at.y() + title_h), top)
        painter.end()
        return base

    def choose(self, picker: PrestacionPicker, nombre: str) -> bool:
        """Walk the suggestions down to `nombre` and add it with Enter, like the operator."""
        for _ in range(MAX_SUGGESTIONS):
            current = picker.current_suggestion()
            if current is not None and current.nombre == nombre:
                self.key(picker.search_edit, Qt.Key.Key_Return)
                return True
            self.key(picker.search_edit, Qt.Key.Key_Down)
        return False

    def save(self, pixmap: QPixmap, name: str) -> None:
        path = self.out / f"{name}.png"
        if not pixmap.save(str(path), "PNG"):
            raise SystemExit(f"No se pudo guardar {path}.")
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}", flush=True)


ABBREVIATIONS = (
    ("resonancia magnetica", "rmn"),
    ("tomografia computada", "tac"),
    ("radiografia", "rx"),
    ("ecografia", "eco"),
    ("sin contraste", "s/c"),
    ("con contraste", "c/c"),
)


def operator_query(nombre: str) -> list[str]:
    """'RESONANCIA MAGNÉTICA DE RODILLA IZQUIERDA' → ['rmn', 'rodilla', 'izquierda']."""
    text = fold(nombre)
    for long, short in ABBREVIATIONS:
        text = text.replace(long, short)
    return [w for w in text.split() if w not in STOPWORDS]


def stage_known_request(db: Database) -> list[tuple[int, str]]:
    """Make the first request of the queue one whose order we can name: a request of today the
    demo resolved by picking prestaciones goes back to unresolved (in this throw-away database),
    so the screenshots pick exactly what its order asks for. Returns those prestaciones."""
    start, end = local_day_bounds(local_today(NOW), local_today(NOW))
    with db.uow() as uow:
        s = uow.session
        con_envio = select(Envio.solicitud_id)
        candidates = s.scalars(
            select(SolicitudAsistencia)
            .where(
                SolicitudAsistencia.resuelto.is_(True),
                SolicitudAsistencia.fecha_subida >= start,
                SolicitudAsistencia.fecha_subida < end,
                SolicitudAsistencia.fecha_baja.is_(None),
                SolicitudAsistencia.id_turno_destino.is_(None),
                SolicitudAsistencia.id.not_in(con_envio),
            )
            .order_by(SolicitudAsistencia.fecha_subida)
        ).all()
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
                SolicitudAsistencia.fecha_subida >= start, SolicitudAsistencia.resuelto.is_(False)
            )
        )
        sol.prestaciones.clear()
        sol.resuelto, sol.fecha_resuelto, sol.usuario_resuelto = False, None, None
        sol.fecha_subida = min(oldest or sol.fecha_subida, sol.fecha_subida) - timedelta(minutes=7)
        sol.version += 1
        uow.commit()
    return elegidas


if __name__ == "__main__":
    raise SystemExit(main())

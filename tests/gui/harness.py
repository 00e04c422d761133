"""Build the real main window on a test database, with a fake clock and in-memory secrets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from dim_revision.bootstrap import AppContext
from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.uow import Database
from dim_revision.outbox.worker import OutboxThread
from dim_revision.paths import AppPaths
from dim_revision.secrets import MemoryStore
from dim_revision.services.actor import Actor
from tests.gui.seeding import Seeded, seed_queue
from ui.main_window import MainWindow
from ui.settings_store import LayoutStore
from ui.tasks import TaskRunner
from ui.workstation import Workstation

HOUR_MS = 3_600_000  # timers that must not fire on their own during a test


@dataclass
class Opened:
    window: MainWindow
    urls: list[str] = field(default_factory=list)

    @property
    def ws(self) -> Workstation:
        return self.window.ws


def make_context(
    db: Database,
    clock: FakeClock,
    secrets: MemoryStore,
    *,
    usuario: str = "ana",
    estacion: str = "pc-01",
    settings: Settings | None = None,
) -> AppContext:
    return AppContext(
        settings or Settings(),
        AppPaths.for_user(),
        secrets,
        Actor(usuario, estacion),
        clock,
        _db=db,
    )


def open_window(
    qtbot: QtBot,
    ctx: AppContext,
    runner: TaskRunner,
    *,
    outbox: OutboxThread | None = None,
    reconnect_ms: int = HOUR_MS,
    wait_for_record: bool = True,
) -> Opened:
    """Show the window at screenshot size, start the controller and wait for the first record."""
    urls: list[str] = []

    def record_url(url: str) -> bool:
        urls.append(url)
        return True

    ws = Workstation(
        ctx, runner, outbox=outbox, open_url=record_url, poll_ms=HOUR_MS, reconnect_ms=reconnect_ms
    )
    window = MainWindow(ws, LayoutStore(ctx.paths.config_dir / "ventana.ini"))
    opened = Opened(window, urls)

    # The closure keeps the window alive until pytest-qt closes it: a window garbage-collected
    # without closeEvent would leave its outbox thread and task lane running into the next test.
    def keep_alive(_widget: QWidget) -> None:
        window.save_layout()

    qtbot.addWidget(window, before_close_func=keep_alive)
    window.resize(1600, 1000)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    ws.start()
    qtbot.waitUntil(lambda: not ws.model.busy)  # the grid's first page is in
    if wait_for_record:
        qtbot.waitUntil(lambda: loaded(ws))
    return opened


def open_seeded(
    qtbot: QtBot,
    db: Database,
    clock: FakeClock,
    secrets: MemoryStore,
    runner: TaskRunner,
    *,
    count: int = 2,
    settings: Settings | None = None,
    reconnect_ms: int = HOUR_MS,
) -> tuple[Seeded, Opened]:
    """`count` requests of today (`seed_queue`), Ana's window open on the oldest, the catalog in."""
    seeded = seed_queue(db, clock(), count=count)
    ctx = make_context(db, clock, secrets, settings=settings)
    opened = open_window(qtbot, ctx, runner, reconnect_ms=reconnect_ms)
    qtbot.waitUntil(lambda: opened.ws.flags.catalog_loaded)
    return seeded, opened


def loaded(ws: Workstation, sid: int | None = None) -> bool:
    """A record is open, claimed or refused, with its detail, and nothing is pending for it."""
    rec = ws.current
    if rec is None or rec.detalle is None or not ws.lane.is_idle() or ws.flags.busy:
        return False
    return sid is None or rec.id == sid


def idle(ws: Workstation) -> bool:
    return ws.lane.is_idle() and ws.runner.is_idle() and not ws.flags.busy


def press(
    qtbot: QtBot,
    widget: QWidget,
    key: Qt.Key,
    mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    """A key press as the operator makes it (window shortcuts included)."""
    qtbot.keyClick(widget, key, mods)


def activate(qtbot: QtBot, window: QWidget) -> None:
    """Window shortcuts only fire in the active window (the last one shown, otherwise)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def queued_from_now(opened: Opened) -> list[str]:
    """The names of what is queued on the window's lane from now on, in order."""
    ws = opened.ws
    queued: list[str] = []
    submit = ws.lane.submit

    def noted(fn: Callable[..., object], *args: object, **kwargs: object) -> object:
        queued.append(getattr(fn, "__name__", repr(fn)))
        return submit(fn, *args, **kwargs)  # type: ignore[arg-type]

    ws.lane.submit = noted  # type: ignore[method-assign]
    return queued

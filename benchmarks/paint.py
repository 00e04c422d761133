"""Input-to-paint timing: a view that notes when it finished painting, and a wait for it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def _paint_through(obj: Any, watch: Any, event: Any) -> None:
    """Deliver `event` to `obj` now, through its other event filters: a scroll area's viewport
    is painted by the view's filter on it (`obj.event()` alone painted an empty viewport)."""
    from PySide6.QtCore import QCoreApplication

    obj.removeEventFilter(watch)
    try:
        QCoreApplication.sendEvent(obj, event)
    finally:
        obj.installEventFilter(watch)


def painted_table_view() -> Any:
    """A QTableView set up as the app's grid (`ui/main_window.py`: whole-row selection, no
    word wrap, no row-number header), whose `painted_at` is the time its viewport last
    finished a paint event. Ours and the peer paint in the same kind of view."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QAbstractItemView, QTableView

    class _Watch(QObject):
        def __init__(self, view: Any) -> None:
            super().__init__(view)
            self.view = view

        def eventFilter(self, obj: Any, event: Any) -> bool:
            if event.type() == QEvent.Type.Paint:
                # Paint now and note the end (the filter runs before the view's own handler).
                _paint_through(obj, self, event)
                self.view.paints += 1
                if self.view.ready():  # only a paint that showed what we wait for counts
                    self.view.painted_at = time.perf_counter()
                return True
            return False

    view = QTableView()
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    view.ready = lambda: True
    view.painted_at = 0.0
    view.paints = 0
    view.resize(1400, 800)
    view.show()
    watch = _Watch(view)
    view.viewport().installEventFilter(watch)
    view._watch = watch  # keep it alive
    return view


class PaintWatch:
    """Notes when `widget` finished a paint while `ready()` held (`painted_at`, perf_counter)."""

    def __init__(self, widget: Any) -> None:
        from PySide6.QtCore import QEvent, QObject

        watch = self

        class _Filter(QObject):
            def eventFilter(self, obj: Any, event: Any) -> bool:
                if event.type() != QEvent.Type.Paint:
                    return False
                _paint_through(obj, self, event)
                if watch.ready():
                    watch.painted_at = time.perf_counter()
                return True

        self.ready: Callable[[], bool] = lambda: True
        self.painted_at = 0.0
        self.widget = widget
        self._filter = _Filter(widget)
        widget.installEventFilter(self._filter)

    def wait(self, after: float, ready: Callable[[], bool], timeout_s: float = 60.0) -> float:
        """Process events until a paint after `after` while `ready()` held; its time (s).
        The widget is asked to repaint once `ready()` holds, in case nothing else does."""
        from PySide6.QtCore import QEventLoop
        from PySide6.QtWidgets import QApplication

        self.ready = ready
        asked = False
        deadline = time.perf_counter() + timeout_s
        while self.painted_at <= after:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 2)
            if not asked and self.painted_at <= after and ready():
                self.widget.update()
                asked = True
            if time.perf_counter() > deadline:
                raise TimeoutError("never painted what was expected")
        return self.painted_at

    def wait_asleep(
        self, after: float, ready: Callable[[], bool], timeout_s: float = 60.0
    ) -> float:
        """`wait`, with the event loop asleep between events (`pump_until`) instead of spinning:
        what the window's own loop does while its threads work."""
        self.ready = ready
        asked: list[bool] = []

        def done() -> bool:
            if self.painted_at > after:
                return True
            if not asked and ready():
                self.widget.update()
                asked.append(True)
            return False

        pump_until(done, timeout_s)
        return self.painted_at


def pump_until(done: Callable[[], bool], timeout_s: float = 60.0, tick_ms: int = 2) -> None:
    """Run the event loop until `done()`, asleep between events as the app's own loop is (a
    `tick_ms` timer wakes it to look). A loop spinning on `processEvents` instead kept one of
    the two cores and the GIL from the window's background threads while it timed them."""
    from PySide6.QtCore import QEventLoop, QTimer

    if done():
        return
    deadline = time.perf_counter() + timeout_s
    loop = QEventLoop()
    late: list[bool] = []

    def look() -> None:
        if time.perf_counter() > deadline:
            late.append(True)
            loop.quit()
        elif done():
            loop.quit()

    ticker = QTimer()
    ticker.setInterval(tick_ms)
    ticker.timeout.connect(look)
    ticker.start()
    loop.exec()
    ticker.stop()
    if late:
        raise TimeoutError("never got what was expected")


def wait_any(watches: list[PaintWatch], after: float, ready: Callable[[], bool]) -> float:
    """The first paint after `after`, while `ready()` held, of any of `watches` (e.g. the grid
    or the "no results" label that replaces it); the event loop asleep between events."""
    for w in watches:
        w.ready = ready

    def painted() -> list[float]:
        return [w.painted_at for w in watches if w.painted_at > after]

    pump_until(lambda: bool(painted()))
    return min(painted())


def wait_painted(
    view: Any, after: float, ready: Callable[[], bool], timeout_s: float = 60.0
) -> float:
    """Process events until the view painted after `after` while `ready()` held; that time (s)."""
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    view.ready = ready
    deadline = time.perf_counter() + timeout_s
    while True:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 2)
        if view.painted_at > after:
            return float(view.painted_at)
        if time.perf_counter() > deadline:
            raise TimeoutError("the view never painted the expected rows")

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


def wait_any(watches: list[PaintWatch], after: float, ready: Callable[[], bool]) -> float:
    """The first paint after `after`, while `ready()` held, of any of `watches` (e.g. the grid
    or the "no results" label that replaces it)."""
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    for w in watches:
        w.ready = ready
    deadline = time.perf_counter() + 60.0
    while True:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 2)
        done = [w.painted_at for w in watches if w.painted_at > after]
        if done:
            return min(done)
        if time.perf_counter() > deadline:
            raise TimeoutError("never painted what was expected")


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

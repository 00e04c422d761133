"""Run something once a widget has *painted* (issue 19: work that can wait waits for the first
record on screen, instead of competing with it for the two cores and the GIL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class _AfterPaint(QObject):
    def __init__(
        self,
        widget: QWidget,
        callback: Callable[[], None],
        *,
        event: QEvent.Type = QEvent.Type.Paint,
        poke: bool = True,
    ) -> None:
        super().__init__(widget)
        self._callback = callback
        self._event = event
        widget.installEventFilter(self)
        if poke:
            widget.update()  # make sure a paint comes even if nothing else asks for one

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == self._event:
            watched.removeEventFilter(self)
            # After this paint has been handled (the filter runs before the widget paints).
            QTimer.singleShot(0, self, self._fire)
        return False

    def _fire(self) -> None:
        callback = self._callback
        self.deleteLater()
        callback()

    def cancel(self) -> None:
        """Not needed anymore: never call back."""
        parent = self.parent()
        if isinstance(parent, QObject):
            parent.removeEventFilter(self)
        self._callback = _nothing
        self.deleteLater()


def _nothing() -> None:
    pass


def after_next_paint(widget: QWidget, callback: Callable[[], None]) -> None:
    """Call `callback` on the GUI thread right after `widget`'s next paint. A widget that is
    hidden never paints: call `callback` directly then."""
    if not widget.isVisible():
        QTimer.singleShot(0, widget, callback)
        return
    _AfterPaint(widget, callback)


class FirstShown(QObject):
    """The main window's first record on screen — its picture (or the message standing for it)
    painted — or the empty state, or the offline banner: then, once, the work that waited for it
    (`then`): the picker's index, the role and background checks, the sender, the GC freeze."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self._window = window
        self._waiting: list[Callable[[], None]] | None = []
        self._armed = False
        window.viewer.shown.connect(self._on_viewer)
        window.ws.empty_changed.connect(self._on_empty)
        window.ws.online_changed.connect(self._on_online)

    @property
    def done(self) -> bool:
        return self._waiting is None

    def then(self, callback: Callable[[], None]) -> None:
        if self._waiting is None:
            QTimer.singleShot(0, self, callback)
        else:
            self._waiting.append(callback)

    def _on_empty(self, empty: bool) -> None:
        if empty:
            self._settle(self._window.empty_state)

    def _on_online(self, online: bool, _detail: str) -> None:
        if not online:
            self._settle(self._window)

    def _on_viewer(self) -> None:
        rec = self._window.ws.current
        if rec is None or rec.detalle is None:  # "no files" while the record is still loading
            return
        viewer = self._window.viewer
        self._settle(viewer.canvas.viewport() if viewer.message() == "" else viewer)

    def _settle(self, widget: QWidget) -> None:
        if self._waiting is None or self._armed:
            return
        self._armed = True
        after_next_paint(widget, self._fire)

    def _fire(self) -> None:
        waiting, self._waiting = self._waiting or [], None
        for callback in waiting:
            callback()


class AfterShown(QObject):
    """Work that can wait until the open record is on screen (issue 19: the grid's rows and
    counters, the send counts, the next record's prefetch do not compete with it for the two
    cores and the GIL). `add` collects it, by key (the same key twice runs once); `arm`, once
    the record's picture (or the message standing for it) was put on screen, runs it right after
    `widget`'s next paint. Nothing waits longer than `latest_ms` (no paint comes, or no `arm`)."""

    def __init__(self, parent: QObject, *, latest_ms: int = 250) -> None:
        super().__init__(parent)
        self._work: dict[str, Callable[[], None]] = {}
        self._widget: QWidget | None = None
        self._armed = False
        self._filter: _AfterPaint | None = None
        self._latest = QTimer(self)
        self._latest.setSingleShot(True)
        self._latest.setInterval(latest_ms)
        self._latest.timeout.connect(self.flush)

    def watch(self, widget: QWidget) -> None:
        """The widget whose paint means "the record is on screen" (the window's top level)."""
        self._widget = widget

    def add(self, key: str, work: Callable[[], None]) -> None:
        self._work[key] = work
        if not self._latest.isActive():
            self._latest.start()

    def pending(self) -> bool:
        return bool(self._work)

    def arm(self) -> None:
        if not self._work or self._armed:
            return
        widget = self._widget
        if widget is None or not widget.isVisible():
            QTimer.singleShot(0, self, self.flush)
            return
        # The top level's UpdateRequest paints every widget that changed (no update() here:
        # on the top level it would repaint the whole window).
        self._armed = True
        self._filter = _AfterPaint(widget, self.flush, event=QEvent.Type.UpdateRequest, poke=False)

    def flush(self) -> None:
        """Run what waited, now (in the order it was first added)."""
        self._latest.stop()
        self._armed = False
        if self._filter is not None:
            self._filter.cancel()
            self._filter = None
        work, self._work = self._work, {}
        for fn in work.values():
            fn()

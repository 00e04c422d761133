"""Background task runner: DB and HTTP work off the GUI thread, results back on it (DESIGN §6).

Every widget submits blocking work here instead of calling services directly. The function runs
on a small private `QThreadPool`; its result (or failure) travels back through a queued signal
and the callbacks run on the GUI thread, where widgets may be touched.

A `key` names a "slot" (e.g. "detalle" or "viewer-show"): only the latest submission for a key
delivers. Older ones are dropped silently when they finish, and skipped if they had not started
yet, so moving fast between rows never paints data of a record the operator already left.

Failures never escape: a `UserError` reaches `on_error` with its Spanish message; anything else is
logged with its traceback and reaches `on_error` with a generic message.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

from dim_revision.errors import UserError

log = logging.getLogger(__name__)

UNEXPECTED_MESSAGE = "Ocurrió un error inesperado. El detalle quedó registrado en el log."

DoneCallback = Callable[[Any], object]
ErrorCallback = Callable[["TaskFailure"], object]


@dataclass(frozen=True)
class TaskFailure:
    """What `on_error` receives: a message for a person plus the exception for code that cares."""

    message: str
    exception: BaseException

    @property
    def unexpected(self) -> bool:
        """True for bugs and crashes (already logged with traceback), False for a UserError."""
        return not isinstance(self.exception, UserError)

    def __str__(self) -> str:
        return self.message


@dataclass(eq=False)
class Ticket:
    """Handle of one submission; `cancel()` drops its result (and skips it if not started)."""

    id: int
    key: str | None
    _cancelled: bool = field(default=False, repr=False)
    _superseded: bool = field(default=False, repr=False)
    _finished: bool = field(default=False, repr=False)

    def cancel(self) -> None:
        self._cancelled = True

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @property
    def finished(self) -> bool:
        """Delivered or dropped: nothing more will happen for this ticket."""
        return self._finished

    @property
    def stale(self) -> bool:
        """Cancelled, or a newer submission with the same key exists."""
        return self._cancelled or self._superseded


@dataclass
class _Outcome:
    ticket: Ticket
    result: Any = None
    failure: TaskFailure | None = None
    ran: bool = True


class _Bridge(QObject):
    """Lives on the GUI thread; workers emit on it and Qt queues the call to the runner.

    It has no Qt parent: every job holds a Python reference to it, so it cannot be destroyed
    while a worker may still emit, even if the runner itself is gone.
    """

    finished = Signal(object)


class _Job(QRunnable):
    def __init__(
        self,
        bridge: _Bridge,
        ticket: Ticket,
        closed: threading.Event,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
    ) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._bridge = bridge
        self._ticket = ticket
        self._closed = closed
        self._fn = fn
        self._args = args

    def run(self) -> None:
        outcome = _Outcome(self._ticket)
        if self._closed.is_set():
            return
        if self._ticket.stale:
            outcome.ran = False
        else:
            try:
                outcome.result = self._fn(*self._args)
            except UserError as exc:
                outcome.failure = TaskFailure(str(exc), exc)
            except Exception as exc:
                log.exception("Tarea en segundo plano falló: %s", _describe(self._fn))
                outcome.failure = TaskFailure(UNEXPECTED_MESSAGE, exc)
        if self._closed.is_set():
            return
        try:
            self._bridge.finished.emit(outcome)
        except RuntimeError:  # the bridge's C++ side is gone: the app is shutting down
            log.debug("resultado descartado: el runner ya no existe")


class _Callbacks:
    __slots__ = ("on_done", "on_error")

    def __init__(self, on_done: DoneCallback | None, on_error: ErrorCallback | None) -> None:
        self.on_done = on_done
        self.on_error = on_error


class TaskRunner(QObject):
    """Runs functions on a private thread pool and delivers results on the GUI thread."""

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 3) -> None:
        super().__init__(parent)
        self._pool = QThreadPool()
        self._pool.setMaxThreadCount(max_threads)
        self._bridge = _Bridge()
        self._bridge.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._closed = threading.Event()
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[Ticket, _Callbacks]] = {}
        self._latest: dict[str, Ticket] = {}

    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: DoneCallback | None = None,
        on_error: ErrorCallback | None = None,
        key: str | None = None,
    ) -> Ticket:
        """Run `fn(*args)` in the background; call `on_done(result)` or `on_error(failure)` later.

        Callbacks always run on the GUI thread, never synchronously from `submit`.
        """
        ticket = Ticket(next(self._ids), key)
        if self._closed.is_set():
            log.debug("submit después de shutdown ignorado: %s", _describe(fn))
            ticket._cancelled = True
            ticket._finished = True
            return ticket
        if key is not None:
            previous = self._latest.get(key)
            if previous is not None:
                previous._superseded = True
            self._latest[key] = ticket
        self._pending[ticket.id] = (ticket, _Callbacks(on_done, on_error))
        self._pool.start(_Job(self._bridge, ticket, self._closed, fn, args))
        return ticket

    def pending(self) -> int:
        """Submissions not yet delivered or dropped (for `qtbot.waitUntil(runner.is_idle)`)."""
        return len(self._pending)

    def is_idle(self) -> bool:
        return not self._pending

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop delivering, drop queued work and wait for running tasks; False on timeout."""
        self._closed.set()
        self._pool.clear()
        for ticket, _ in self._pending.values():
            ticket._cancelled = True
            ticket._finished = True
        self._pending.clear()
        self._latest.clear()
        return bool(self._pool.waitForDone(timeout_ms))

    def _deliver(self, outcome: _Outcome) -> None:
        ticket = outcome.ticket
        entry = self._pending.pop(ticket.id, None)
        if entry is None or self._closed.is_set():
            return
        ticket._finished = True
        if ticket.key is not None and self._latest.get(ticket.key) is ticket:
            del self._latest[ticket.key]
        if ticket.stale or not outcome.ran:
            return
        callbacks = entry[1]
        if outcome.failure is None:
            _invoke(callbacks.on_done, outcome.result)
        elif callbacks.on_error is not None:
            _invoke(callbacks.on_error, outcome.failure)
        elif not outcome.failure.unexpected:
            log.warning("Error sin manejar en tarea: %s", outcome.failure.message)


def _invoke(callback: Callable[[Any], object] | None, value: Any) -> None:
    """Call a GUI-thread callback; a dead widget or a bug in it is logged, never raised."""
    if callback is None:
        return
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, QObject) and not shiboken6.isValid(owner):
        return  # the widget was destroyed while its task ran
    try:
        callback(value)
    except Exception:
        log.exception("Falló el callback de una tarea: %s", _describe(callback))


def _describe(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)

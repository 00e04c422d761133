"""A process-wide workaround for running PySide6 with Python threads, installed once at start.

Garbage collection only on the GUI thread. CPython runs its cycle collector on whichever thread
happens to allocate when a threshold is crossed, which here is usually a task-runner thread; if
the cycle holds a Qt object, it is then destroyed on the wrong thread and the process crashes
(a long-standing PyQt/PySide hazard; the usual fix, Kovid Goyal's on the PyQt list and used by
calibre, is this one): automatic collection is switched off and a GUI-thread timer collects the
generations whose thresholds were crossed.

glibc's malloc arenas are capped at the same time (`dim_revision.memoria`): the reader, the
decoders and the task runner allocate from different threads.

The interpreter's switch interval goes from CPython's 5 ms to 1 ms (issue 19): every paint and
every queued result re-enters Python on the GUI thread, and while a task-runner thread runs
Python (an ORM read, the next record's prefetch) each re-entry waited up to 5 ms for the GIL —
«siguiente» onto a record read ahead lost tens of ms that way.

(PySide6 6.12 also drops references to None/True/False in void calls, which aborts Python 3.11;
pyproject.toml keeps 3.11 on PySide6 < 6.12 instead of patching reference counts here.)
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, QTimer

from dim_revision.memoria import limitar_arenas

INTERVAL_MS = 500
SWITCH_INTERVAL_S = 0.001  # the longest the GUI thread waits for a busy worker's GIL


class RuntimeGuard(QObject):
    """Create on the GUI thread after the QApplication; `uninstall()` restores automatic GC."""

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        limitar_arenas()
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch, SWITCH_INTERVAL_S))
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick)
        self._timer.start()

    def tick(self) -> None:
        self.collect_if_due()

    def collect_if_due(self) -> int:
        """Collect the oldest generation whose threshold was crossed (like automatic GC would)."""
        counts = gc.get_count()
        generation = -1
        for i in range(3):
            if counts[i] > self._thresholds[i]:
                generation = i
        return gc.collect(generation) if generation >= 0 else 0

    def freeze_startup(self) -> None:
        """Everything built so far lives until exit: keep it out of later collections (shorter
        pauses on the GUI thread)."""
        gc.collect()
        gc.freeze()

    def uninstall(self) -> None:
        self._timer.stop()
        sys.setswitchinterval(self._switch)
        gc.collect()
        if self._was_enabled:
            gc.enable()

"""Two process-wide workarounds for running PySide6 with Python threads, installed once at start.

1. Garbage collection only on the GUI thread. CPython runs its cycle collector on whichever thread
   happens to allocate when a threshold is crossed, which here is usually a task-runner thread; if
   the cycle holds a Qt object, it is then destroyed on the wrong thread and the process crashes
   (a long-standing PyQt/PySide hazard; the usual fix, Kovid Goyal's on the PyQt list and used by
   calibre, is this one): automatic collection is switched off and a GUI-thread timer collects
   the generations whose thresholds were crossed.
2. PySide6 6.12 on Python 3.11 drops references to `None`, `True` and `False` (e.g. every void
   method returns Py_None without a Py_INCREF). From Python 3.12 those objects are immortal and
   this is harmless; on 3.11 the process aborts with "none_dealloc"/"bool_dealloc" after a few
   thousand calls or at exit. Their reference counts are topped back up on the same timer
   (written directly: no memory is held, nothing is released at exit). Running on Python >= 3.12
   is the real fix for this one.
"""

from __future__ import annotations

import ctypes
import gc
import sys

from PySide6.QtCore import QObject, QTimer

SINGLETONS_AFFECTED = sys.version_info < (3, 12)
RESERVE = 1_000_000  # references each singleton keeps at least (the interpreter holds ~5 000)
INTERVAL_MS = 500
SINGLETONS: tuple[object, ...] = (None, True, False)


def top_up(reserve: int = RESERVE) -> int:
    """Raise the singletons' reference counts to `reserve` if lower; returns how much was added."""
    if not SINGLETONS_AFFECTED:
        return 0
    added = 0
    for obj in SINGLETONS:
        add = reserve - sys.getrefcount(obj)
        if add > 0:
            # ob_refcnt is the first field of every object on CPython 3.11.
            ctypes.c_ssize_t.from_address(id(obj)).value += add
            added += add
    return added


class RuntimeGuard(QObject):
    """Create on the GUI thread after the QApplication; `uninstall()` restores automatic GC."""

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        top_up()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick)
        self._timer.start()

    def tick(self) -> None:
        top_up()
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
        gc.collect()
        if self._was_enabled:
            gc.enable()

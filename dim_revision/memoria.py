"""Process-wide memory settings, applied once at start (Linux/glibc only; elsewhere a no-op).

glibc gives every thread that allocates its own malloc arena (up to 8 per core) and rarely
returns their free pages. The order reader (onnxruntime, OpenCV), the decoders and the task
runner allocate from different threads, so the window's RSS grew to 800–1 000 MB after some
hundred records although little was alive; with two arenas it stays near 500 MB
(`benchmarks.app_probe memory`).

Big blocks are the other half (issue 19): glibc serves them by mmap, but after the first one is
freed it raises its mmap threshold (up to 32 MB), so every later 4–5 MB photo, its copies and
the decoded pictures come from the arenas and leave holes there that are never given back. A
fixed threshold of 1 MB keeps them mmapped: freed, they go back to the system at once (the
window after 200 12 MP records: 442 → 353 MB).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import sys

M_ARENA_MAX = -8  # glibc's malloc.h
M_MMAP_THRESHOLD = -3
ARENAS = 2
MMAP_DESDE = 1 << 20  # bytes: blocks this big are mmapped (a fixed value: no dynamic raise)


@functools.cache  # find_library runs ldconfig: once per process, not after every reading
def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") else None  # musl has no mallopt


def limitar_arenas(arenas: int = ARENAS, mmap_desde: int | None = MMAP_DESDE) -> bool:
    """Cap glibc's malloc arenas and fix its mmap threshold (None: leave it dynamic); True when
    applied. Call before starting worker threads. The OCR process leaves it dynamic: its
    thousands of tensors a page, each mmapped and faulted in, tripled its system time."""
    libc = _glibc()
    if libc is None or libc.mallopt(M_ARENA_MAX, arenas) != 1:
        return False
    return mmap_desde is None or bool(libc.mallopt(M_MMAP_THRESHOLD, mmap_desde) == 1)


def devolver_libre() -> bool:
    """Give free heap pages back to the system (glibc `malloc_trim`); True when some were."""
    libc = _glibc()
    return bool(libc is not None and hasattr(libc, "malloc_trim") and libc.malloc_trim(0) == 1)


def rss_mb(pid: int | str = "self") -> float | None:
    """Resident memory of a process in MB (Linux `/proc`), None elsewhere or if it is gone."""
    try:
        with open(f"/proc/{pid}/statm") as fh:
            pages = int(fh.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def pico_mb(pid: int | str = "self") -> float | None:
    """Peak resident memory of a process in MB (`VmHWM`, Linux), None elsewhere or if gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for linea in fh:
                if linea.startswith("VmHWM:"):
                    return int(linea.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None

"""Process-wide memory settings, applied once at start (Linux/glibc only; elsewhere a no-op).

glibc gives every thread that allocates its own malloc arena (up to 8 per core) and rarely
returns their free pages. The order reader (onnxruntime, OpenCV), the decoders and the task
runner allocate from different threads, so the window's RSS grew to 800–1 000 MB after some
hundred records although little was alive; with two arenas it stays near 500 MB
(`benchmarks.app_probe memory`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys

M_ARENA_MAX = -8  # glibc's malloc.h
ARENAS = 2


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


def limitar_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas; True when applied. Call before starting worker threads."""
    libc = _glibc()
    return bool(libc is not None and libc.mallopt(M_ARENA_MAX, arenas) == 1)


def devolver_libre() -> bool:
    """Give free heap pages back to the system (glibc `malloc_trim`); True when some were."""
    libc = _glibc()
    return bool(libc is not None and hasattr(libc, "malloc_trim") and libc.malloc_trim(0) == 1)

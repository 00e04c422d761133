"""Process-wide malloc settings: applied on glibc Linux (where the arenas grew the RSS), a no-op
elsewhere, never an error."""

from __future__ import annotations

import platform
import sys

import pytest

from dim_revision import memoria

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not GLIBC, reason="glibc only")
def test_glibc_accepts_the_arena_cap_and_the_trim() -> None:
    assert memoria.limitar_arenas() is True  # mallopt returns 0 for an unknown parameter
    assert memoria.limitar_arenas(mmap_desde=None) is True  # the OCR process: dynamic mmap
    rss = memoria.rss_mb()
    assert rss is not None and 0 < rss <= (memoria.pico_mb() or 0) + 1
    assert isinstance(memoria.devolver_libre(), bool)


def test_without_glibc_both_are_no_ops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memoria.sys, "platform", "win32")
    monkeypatch.setattr(memoria, "_glibc", memoria._glibc.__wrapped__)  # uncached: sees win32
    assert memoria.limitar_arenas() is False
    assert memoria.devolver_libre() is False


def test_the_memory_of_a_process_that_is_gone_is_none() -> None:
    assert memoria.rss_mb(2**22 + 12345) is None and memoria.pico_mb(2**22 + 12345) is None

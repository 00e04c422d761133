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
    assert isinstance(memoria.devolver_libre(), bool)


def test_without_glibc_both_are_no_ops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memoria.sys, "platform", "win32")
    monkeypatch.setattr(memoria, "_glibc", memoria._glibc.__wrapped__)  # uncached: sees win32
    assert memoria.limitar_arenas() is False
    assert memoria.devolver_libre() is False

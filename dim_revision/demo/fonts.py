"""Fonts for the demo orders: DejaVu when installed, Windows fonts next, Pillow's built-in last.

The demo must render on a bare machine, so a missing font is never an error. FreeType faces are
not safe to share between threads, so each rendering thread gets its own FontBook.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from PIL import ImageFont

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

# Role -> file names tried in order (Pillow searches the system font folders for bare names).
CANDIDATOS: Mapping[str, Sequence[str]] = {
    "titulo": ("DejaVuSans-Bold.ttf", "arialbd.ttf"),
    "texto": ("DejaVuSans.ttf", "arial.ttf"),
    "serif": ("DejaVuSerif-Bold.ttf", "georgiab.ttf", "timesbd.ttf"),
    "sello": ("DejaVuSansCondensed-Bold.ttf", "arialbd.ttf"),
    "mono": ("DejaVuSansMono.ttf", "consola.ttf", "cour.ttf"),
    # Handwriting: no script font ships with Debian, so italic faces stand in for it.
    "mano0": ("DejaVuSerif-Italic.ttf", "Inkfree.ttf", "segoepr.ttf", "georgiai.ttf"),
    "mano1": ("DejaVuSansCondensed-Oblique.ttf", "segoepr.ttf", "ariali.ttf"),
    "mano2": ("DejaVuSerifCondensed-Italic.ttf", "segoesc.ttf", "timesi.ttf"),
    "mano3": ("DejaVuSans-Oblique.ttf", "Inkfree.ttf", "ariali.ttf"),
}
MANOS = ("mano0", "mano1", "mano2", "mano3")


class FontBook:
    """Loads each (role, size) once; `candidatos` lets tests simulate a machine without fonts."""

    def __init__(self, candidatos: Mapping[str, Sequence[str]] | None = None) -> None:
        self._candidatos = CANDIDATOS if candidatos is None else candidatos
        self._cache: dict[tuple[str, int], Font] = {}

    def get(self, role: str, size: int) -> Font:
        key = (role, size)
        font = self._cache.get(key)
        if font is None:
            font = _load(tuple(self._candidatos.get(role, ())), size)
            self._cache[key] = font
        return font


def _load(names: tuple[str, ...], size: int) -> Font:
    for name in names:
        path = _resolve(name)
        if path is not None:
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=64)
def _resolve(name: str) -> str | None:
    """The font file Pillow would open for `name`, or None (remembered: lookups scan folders)."""
    try:
        font = ImageFont.truetype(name, 10)
    except OSError:
        return None
    path = font.path
    return path if isinstance(path, str) else name

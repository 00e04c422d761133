"""Paper and desk backgrounds for the demo photos, rendered once per size and reused.

Pillow's own noise generator uses C `rand()` (not seedable), so grain comes from `random.Random`
bytes: a small random image blown up for blotches, a tiled one for grain. Same inputs, same pixels.
"""

from __future__ import annotations

import random
import threading

from PIL import Image, ImageChops, ImageOps

# (shadow colour, lit colour) of each surface.
ESCRITORIOS = (
    ((58, 36, 20), (150, 100, 62)),  # wooden table
    ((48, 48, 52), (135, 135, 142)),  # grey desk
    ((18, 28, 58), (70, 92, 140)),  # blue tablecloth
    ((112, 98, 80), (196, 182, 158)),  # beige kitchen table
)
PAPELES = (
    ((196, 190, 178), (252, 250, 244)),  # warm white
    ((186, 190, 196), (246, 248, 252)),  # cool white (printer paper)
    ((200, 192, 160), (250, 246, 224)),  # yellowish pad
    ((176, 174, 170), (236, 235, 232)),  # dim room
)


def _ruido(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    return Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))


def _grano(rng: random.Random, size: tuple[int, int], amplitud: int) -> Image.Image:
    """Fine grain centred on 128, tiled from a 128×128 random tile."""
    tile = _ruido(rng, (128, 128)).point(lambda v: 128 + (v - 128) * amplitud // 128)
    out = Image.new("L", size)
    for x in range(0, size[0], 128):
        for y in range(0, size[1], 128):
            out.paste(tile, (x, y))
    return out


def _textura(
    rng: random.Random, size: tuple[int, int], manchas: int, grano: int, luz: Image.Image
) -> Image.Image:
    """L image: lighting (`luz`) darkened by soft blotches and grain."""
    w, h = size
    blotch = _ruido(rng, (max(2, w // 160), max(2, h // 160))).resize(
        size, Image.Resampling.BICUBIC
    )
    blotch = blotch.point(lambda v: 255 - (255 - v) * manchas // 255)
    base = ImageChops.multiply(luz.resize(size, Image.Resampling.BILINEAR), blotch)
    return ImageChops.add(base, _grano(rng, size, grano), scale=1.0, offset=-128)


def escritorio(size: tuple[int, int], variante: int) -> Image.Image:
    rng = random.Random(f"escritorio-{size}-{variante}")
    # Brighter in the middle where the phone's light falls: an inverted radial gradient.
    luz = ImageOps.invert(Image.radial_gradient("L")).point(lambda v: 60 + v * 195 // 255)
    textura = _textura(rng, size, manchas=70, grano=10, luz=luz)
    oscuro, claro = ESCRITORIOS[variante % len(ESCRITORIOS)]
    return ImageOps.colorize(textura, oscuro, claro)


def papel(size: tuple[int, int], variante: int) -> Image.Image:
    rng = random.Random(f"papel-{size}-{variante}")
    angle = rng.choice((0, 45, 90, 135, 180, 225, 270, 315))
    luz = Image.linear_gradient("L").rotate(
        angle, Image.Resampling.BILINEAR, expand=False, fillcolor=255
    )
    luz = ImageOps.invert(luz).point(lambda v: 205 + v * 50 // 255)
    textura = _textura(rng, size, manchas=18, grano=6, luz=luz)
    oscuro, claro = PAPELES[variante % len(PAPELES)]
    return ImageOps.colorize(textura, oscuro, claro)


class Texturas:
    """Thread-safe cache of backgrounds; images are only read (copied) once handed out."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._escritorios: dict[tuple[tuple[int, int], int], Image.Image] = {}
        self._papeles: dict[tuple[tuple[int, int], int], Image.Image] = {}

    def escritorio(self, size: tuple[int, int], variante: int) -> Image.Image:
        with self._lock:
            key = (size, variante)
            if key not in self._escritorios:
                self._escritorios[key] = escritorio(size, variante)
            return self._escritorios[key]

    def papel(self, size: tuple[int, int], variante: int) -> Image.Image:
        with self._lock:
            key = (size, variante)
            if key not in self._papeles:
                self._papeles[key] = papel(size, variante)
            return self._papeles[key]

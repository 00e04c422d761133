"""A 12 MP phone JPEG to a ~1000 px displayable image: our scaled decode vs QPixmap + scaled."""

from __future__ import annotations

import io
import random
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

from benchmarks.common import Options, Row, median, percentile, qt_app, repeat_ms

BOX = 1000
ORIENTATION = 0x0112


def make_jpeg(path: Path, width: int, height: int, orientation: int | None, seed: int) -> None:
    """A photo-like JPEG (gradient, shapes, noise: compresses like a real photo of paper)."""
    rng = random.Random(seed)
    img = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(400):
        x, y = rng.randrange(width), rng.randrange(height)
        draw.rectangle(
            (x, y, x + rng.randrange(20, 400), y + rng.randrange(5, 60)),
            fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)),
        )
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    img = Image.blend(img, noise, 0.25)
    exif = Image.Exif()
    if orientation is not None:
        exif[ORIENTATION] = orientation
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90, exif=exif.tobytes())
    path.write_bytes(buf.getvalue())


def run(opts: Options) -> list[Row]:
    from PySide6.QtCore import QSize, Qt
    from PySide6.QtGui import QPixmap

    from ui.viewer.decode import decode_image

    qt_app()
    width, height = (800, 600) if opts.quick else (4000, 3000)
    reps = 3 if opts.quick else 15
    rows = []
    with tempfile.TemporaryDirectory(prefix="dimrev-bench-") as tmp:
        for orientation in (None, 6):
            path = Path(tmp) / f"orden-{orientation}.jpg"
            make_jpeg(path, width, height, orientation, opts.seed)
            box = QSize(BOX, BOX)

            def ours(p: Path = path, b: QSize = box) -> None:
                decode_image(p.read_bytes(), b, nombre=p.name, max_pixels=60_000_000)

            def peer(p: Path = path) -> None:
                QPixmap(str(p)).scaled(
                    BOX,
                    BOX,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )

            mine = repeat_ms(ours, reps)
            theirs = repeat_ms(peer, reps)
            label = "EXIF 6" if orientation else "no EXIF"
            rows.append(
                Row(
                    f"image: {width}×{height} JPEG, {label}",
                    "ms",
                    median(mine),
                    percentile(mine, 95),
                    "p95",
                    median(theirs),
                    "≤120",
                    median(mine) <= 120,
                    "decode only (not painted); file read included",
                )
            )
    return rows

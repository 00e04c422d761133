"""A 12 MP phone JPEG to a ~1000 px displayable image: our scaled decode vs Pillow's draft decode.

Ours is the app's steady state: libjpeg-turbo (`ui.viewer.jpeg`, imported once the first picture
of the day is on screen) with DCT scaling to the box. The notes give the Qt path the first
picture takes (and every file the fast path leaves to Qt) and a naive full QPixmap decode.
"""

from __future__ import annotations

import io
import random
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageOps

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


def _dims(path: Path) -> str:
    with Image.open(path) as im:
        return f"{im.width}×{im.height}"


def _pillow_draft(path: Path, box: int) -> Any:
    """The peer: Pillow's JPEG draft mode (DCT scaling) to the screen box, EXIF applied, into a
    QImage ready to paint (what a careful Pillow-based viewer does)."""
    from PySide6.QtGui import QImage

    with Image.open(path) as im:
        im.draft("RGB", (box, box))
        im = ImageOps.exif_transpose(im)
        im.thumbnail((box, box), Image.Resampling.BILINEAR)
        rgb = im.convert("RGB")
        data = rgb.tobytes()
        return QImage(
            data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888
        ).copy()


def run(opts: Options) -> list[Row]:
    from PySide6.QtCore import QSize, Qt
    from PySide6.QtGui import QPixmap

    from benchmarks import datasets
    from ui.viewer import jpeg
    from ui.viewer.decode import decode_image

    qt_app()
    if not jpeg.warm_up():
        raise RuntimeError("simplejpeg no está instalado: el visor decodificaría con Qt")
    reps = 3 if opts.quick else 15
    rows = []
    with tempfile.TemporaryDirectory(prefix="dimrev-bench-") as tmp:
        if opts.quick:
            sources = []
            for orientation in (None, 6):
                path = Path(tmp) / f"orden-{orientation}.jpg"
                make_jpeg(path, 800, 600, orientation, opts.seed)
                sources.append((path, orientation))
        else:  # real-sized phone photos: 4000×3000, 4–5 MB (benchmarks.datasets, cached)
            photos = datasets.photos(3)
            sources = [(photos[0], None), (photos[2], 6)]
        for path, orientation in sources:
            box = QSize(BOX, BOX)

            def ours(p: Path = path, b: QSize = box) -> None:
                decode_image(p.read_bytes(), b, nombre=p.name, max_pixels=60_000_000)

            def qt_path(p: Path = path, b: QSize = box) -> None:
                codec, jpeg._codec = jpeg._codec, None  # as before the codec is imported
                try:
                    decode_image(p.read_bytes(), b, nombre=p.name, max_pixels=60_000_000)
                finally:
                    jpeg._codec = codec

            def full(p: Path = path) -> None:
                QPixmap(str(p)).scaled(
                    BOX,
                    BOX,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )

            mine = repeat_ms(ours, reps)
            draft = repeat_ms(lambda p=path: _pillow_draft(p, BOX), reps)  # type: ignore[misc]
            via_qt = repeat_ms(qt_path, reps)
            naive = repeat_ms(full, max(2, reps // 3))
            label = "EXIF 6" if orientation else "no EXIF"
            size_mb = path.stat().st_size / 1e6
            rows.append(
                Row(
                    f"image: {_dims(path)} JPEG ({size_mb:.1f} MB), {label}",
                    "ms",
                    median(mine),
                    percentile(mine, 95),
                    "p95",
                    median(draft),
                    "≤120",
                    percentile(mine, 95) <= 120,
                    f"decode to a {BOX}px box (file read included), not painted: libjpeg-turbo "
                    f"DCT-scaled; peer = Pillow draft + exif_transpose → QImage; Qt's reader "
                    f"(first picture of the day) {median(via_qt):.0f} ms; full QPixmap decode + "
                    f"scale {median(naive):.0f} ms",
                )
            )
    return rows

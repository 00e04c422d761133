"""Turn flat order pages into what patients upload: phone photos, PNG scans and PDFs.

Photos put the page on a desk with a slight rotation and perspective, and are encoded like a phone
would: 4:3 JPEG, quality 80-85, often stored sideways with an EXIF Orientation (6 or 8) that the
viewer must apply, sometimes upside down, sometimes stripped of EXIF by WhatsApp.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime

from PIL import Image, ImageDraw

from dim_revision.clock import LOCAL_TZ
from dim_revision.demo.orders import PAGE
from dim_revision.demo.textures import ESCRITORIOS, Texturas

FOTO = "foto"  # portrait photo stored upright
FOTO_EXIF = "foto_exif"  # portrait photo stored sideways + EXIF Orientation 6/8
FOTO_180 = "foto_180"  # upside down, no orientation tag: the operator must rotate it
FOTO_APAISADA = "foto_apaisada"  # phone held landscape
PNG = "png"
PDF = "pdf"
FORMAS = (FOTO, FOTO_EXIF, FOTO_180, FOTO_APAISADA, PNG, PDF)

SCAN_DPI = 150
_TAGS = {
    "make": 0x010F,
    "model": 0x0110,
    "orientation": 0x0112,
    "datetime": 0x0132,
    "software": 0x0131,
}
_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 0x9003


@dataclass(frozen=True)
class Toma:
    """How one uploaded file was produced."""

    forma: str
    ancho: int  # sensor frame, landscape (ancho >= alto)
    alto: int
    calidad: int
    tomada: datetime  # local wall time, for EXIF and PDF dates
    camara: tuple[str, str] | None = None  # (make, model); None = no EXIF (WhatsApp); PDFs: the app
    orientacion: int = 1  # EXIF orientation to write (6/8 for FOTO_EXIF)


def escala_pagina(toma: Toma) -> float:
    """The scale to draw the page at so that the photo's warp is close to 1:1.

    A nearest-neighbour warp is 4× faster than a bilinear one and looks the same when it barely
    scales, so pages are drawn at the size they will have in the photo (in steps of 0.05)."""
    alto = toma.alto if toma.forma == FOTO_APAISADA else toma.ancho
    return round(alto * 0.85 / PAGE[1] * 20) / 20


def foto(pagina: Image.Image, toma: Toma, texturas: Texturas, rng: random.Random) -> bytes:
    if toma.forma == FOTO_APAISADA:
        derecha = (toma.ancho, toma.alto)
        escala = rng.uniform(0.80, 0.92)
    else:
        derecha = (toma.alto, toma.ancho)  # portrait, as the person saw it
        escala = rng.uniform(0.80, 0.90)
    giro = _giro(toma)
    guardada = derecha[::-1] if giro in (90, 270) else derecha
    # The cache holds portrait desks only, and fewer variants of the big ones: it stays small.
    variantes = 2 if guardada[0] * guardada[1] > 2_000_000 else len(ESCRITORIOS)
    vertical = (min(guardada), max(guardada))
    fondo = texturas.escritorio(vertical, rng.randrange(variantes))
    img = fondo.copy() if guardada == vertical else fondo.transpose(Image.Transpose.ROTATE_90)
    inclinada = rng.random() < 0.2  # phone tilted: true perspective (slower warp)
    esquinas = [
        _girar(p, derecha, giro) for p in _esquinas(derecha, pagina.size, escala, inclinada, rng)
    ]
    _apoyar(img, pagina, esquinas, inclinada)
    buf = io.BytesIO()
    extra = {}
    if toma.camara is not None:
        extra["exif"] = _exif(toma)
    img.save(buf, "JPEG", quality=toma.calidad, **extra)
    return buf.getvalue()


def _giro(toma: Toma) -> int:
    """Degrees (counter-clockwise) between what the person saw and the stored pixels.

    exif_transpose undoes Orientation 6 with a 270° turn and 8 with a 90° turn, so the pixels are
    stored turned the other way; FOTO_180 is stored upside down with no tag at all."""
    if toma.forma == FOTO_EXIF:
        return 90 if toma.orientacion == 6 else 270
    return 180 if toma.forma == FOTO_180 else 0


def _girar(p: tuple[float, float], size: tuple[int, int], giro: int) -> tuple[float, float]:
    """Where point `p` of an upright image of `size` lands after Pillow's ROTATE_<giro>."""
    x, y = p
    w, h = size
    if giro == 90:
        return y, w - 1 - x
    if giro == 270:
        return h - 1 - y, x
    if giro == 180:
        return w - 1 - x, h - 1 - y
    return x, y


def _esquinas(
    frame: tuple[int, int],
    pagina: tuple[int, int],
    escala: float,
    inclinada: bool,
    rng: random.Random,
) -> list[tuple[float, float]]:
    """The page's corners in the upright photo: a slight turn and skew, and a keystone if tilted.

    Without tilt the corners form a parallelogram, so an affine warp (4× faster) draws it."""
    fw, fh = frame
    alto = fh * escala
    ancho = alto * pagina[0] / pagina[1]
    if ancho > fw * 0.92:
        ancho = fw * 0.92
        alto = ancho * pagina[1] / pagina[0]
    cx = fw / 2 + rng.uniform(-0.04, 0.04) * fw
    cy = fh / 2 + rng.uniform(-0.03, 0.03) * fh
    angulo = math.radians(rng.uniform(-4.5, 4.5))
    keystone = rng.uniform(0.02, 0.07) * ancho if inclinada else 0.0  # the far edge looks narrower
    jitter = 0.015 * ancho
    esquinas = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        x = sx * (ancho / 2 - (keystone / 2 if sy < 0 else 0))
        y = sy * alto / 2
        xr = x * math.cos(angulo) - y * math.sin(angulo)
        yr = x * math.sin(angulo) + y * math.cos(angulo)
        esquinas.append(
            (cx + xr + rng.uniform(-jitter, jitter), cy + yr + rng.uniform(-jitter, jitter))
        )
    if not inclinada:
        (ax, ay), (bx, by), _, (dx, dy) = esquinas
        esquinas[2] = (bx + dx - ax, by + dy - ay)
    return esquinas


def _apoyar(
    fondo: Image.Image, pagina: Image.Image, esquinas: list[tuple[float, float]], inclinada: bool
) -> None:
    """Warp the page onto the desk so its corners (top-left first, clockwise) land on `esquinas`."""
    fw, fh = fondo.size
    pw, ph = pagina.size
    x0 = max(0, int(min(p[0] for p in esquinas)))
    y0 = max(0, int(min(p[1] for p in esquinas)))
    x1 = min(fw, int(max(p[0] for p in esquinas)) + 1)
    y1 = min(fh, int(max(p[1] for p in esquinas)) + 1)
    local = [(x - x0, y - y0) for x, y in esquinas]
    caja = (x1 - x0, y1 - y0)
    # A hard, dark edge where the paper lifts off the desk (a soft shadow costs two full passes).
    d = max(3, fw // 300)
    ImageDraw.Draw(fondo).polygon([(x + d, y + d) for x, y in esquinas], fill=(22, 18, 16))
    destino = [(0.0, 0.0), (float(pw), 0.0), (float(pw), float(ph)), (0.0, float(ph))]
    # Pages are drawn at the photo's scale (escala_pagina), so nearest-neighbour is enough.
    if inclinada:
        metodo, coeffs = Image.Transform.PERSPECTIVE, _perspectiva(local, destino)
    else:
        metodo, coeffs = Image.Transform.AFFINE, _afin(local, destino)
    warped = pagina.transform(caja, metodo, coeffs, Image.Resampling.NEAREST)
    mask = Image.new("L", caja, 0)
    ImageDraw.Draw(mask).polygon(local, fill=255)
    fondo.paste(warped, (x0, y0), mask)


def _perspectiva(
    salida: list[tuple[float, float]], entrada: list[tuple[float, float]]
) -> tuple[float, ...]:
    """Coefficients mapping output pixels to input pixels (Pillow's PERSPECTIVE convention)."""
    filas: list[list[float]] = []
    for (x, y), (u, v) in zip(salida, entrada, strict=True):
        filas.append([x, y, 1, 0, 0, 0, -u * x, -u * y, u])
        filas.append([0, 0, 0, x, y, 1, -v * x, -v * y, v])
    return _resolver(filas)


def _afin(
    salida: list[tuple[float, float]], entrada: list[tuple[float, float]]
) -> tuple[float, ...]:
    """Pillow's AFFINE coefficients from the first three corner pairs."""
    filas: list[list[float]] = []
    for (x, y), (u, v) in list(zip(salida, entrada, strict=True))[:3]:
        filas.append([x, y, 1, 0, 0, 0, u])
        filas.append([0, 0, 0, x, y, 1, v])
    return _resolver(filas)


def _resolver(filas: list[list[float]]) -> tuple[float, ...]:
    """Solve the augmented linear system (Gauss-Jordan with partial pivoting)."""
    n = len(filas)
    for col in range(n):
        pivote = max(range(col, n), key=lambda r: abs(filas[r][col]))
        filas[col], filas[pivote] = filas[pivote], filas[col]
        p = filas[col][col]
        filas[col] = [v / p for v in filas[col]]
        for r in range(n):
            if r != col and filas[r][col] != 0:
                f = filas[r][col]
                filas[r] = [a - f * b for a, b in zip(filas[r], filas[col], strict=True)]
    return tuple(filas[r][n] for r in range(n))


def _exif(toma: Toma) -> bytes:
    assert toma.camara is not None
    exif = Image.Exif()
    exif[_TAGS["make"]], exif[_TAGS["model"]] = toma.camara
    exif[_TAGS["orientation"]] = toma.orientacion
    stamp = toma.tomada.strftime("%Y:%m:%d %H:%M:%S")
    exif[_TAGS["datetime"]] = stamp
    exif.get_ifd(_EXIF_IFD)[_DATETIME_ORIGINAL] = stamp
    return exif.tobytes()


def escaneo(pagina: Image.Image, recetario: bool) -> Image.Image:
    """A flatbed scan (grayscale, A4, clean): an A5 recetario sits in the scanner's corner."""
    gris = pagina.convert("L").point(lambda v: 255 if v > 215 else min(255, int(v * 1.08)))
    if not recetario:
        return gris
    hoja = Image.new("L", PAGE, 255)
    chico = gris.resize((int(PAGE[0] * 0.707), int(PAGE[1] * 0.707)), Image.Resampling.BILINEAR)
    hoja.paste(chico, (24, 24))
    ImageDraw.Draw(hoja).rectangle((24, 24, 24 + chico.width, 24 + chico.height), outline=205)
    return hoja


def png(hoja: Image.Image) -> bytes:
    buf = io.BytesIO()
    hoja.save(buf, "PNG", dpi=(SCAN_DPI, SCAN_DPI))
    return buf.getvalue()


def pdf(hojas: list[Image.Image], toma: Toma, titulo: str) -> bytes:
    """Multi-page PDF; dates come from `toma` so the bytes are reproducible."""
    buf = io.BytesIO()
    fecha = toma.tomada.replace(tzinfo=LOCAL_TZ).astimezone(UTC).timetuple()  # PDF dates say "Z"
    hojas[0].save(
        buf,
        "PDF",
        save_all=True,
        append_images=hojas[1:],
        resolution=float(SCAN_DPI),
        quality=toma.calidad,
        title=titulo,
        producer="CamScanner" if toma.camara else "Escáner",
        creationDate=fecha,
        modDate=fecha,
    )
    return buf.getvalue()

"""Upload validation judged by content: accepted types, every refusal, names, and Pillow's globals."""

from __future__ import annotations

import hashlib
import io
import random
import struct
import threading
import warnings
import zlib
from typing import Literal

import pytest
from PIL import Image

from dim_revision.config import IntakeSettings
from dim_revision.errors import ValidationError
from dim_revision.services.archivos import (
    MIME_JPEG,
    MIME_PDF,
    MIME_PNG,
    inspeccionar_archivo,
    nombre_seguro,
)
from tests.factories import jpeg_bytes, pdf_bytes, png_bytes

LIMITS = IntakeSettings()  # 5 files, 10 MB, 20 PDF pages, 60 000 000 pixels


def noisy_jpeg(width: int = 400, height: int = 300) -> bytes:
    """A photo-like JPEG whose scan data is large enough that cutting it really truncates pixels."""
    rnd = random.Random(7)
    img = Image.frombytes("RGB", (width, height), rnd.randbytes(width * height * 3))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


def bomb_png(width: int, height: int) -> bytes:
    """A genuine 1-bit PNG of width×height white... er, black pixels: tiny on disk, huge decoded."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def refusal(nombre: str, data: bytes, limits: IntakeSettings = LIMITS) -> str:
    with pytest.raises(ValidationError) as info:
        inspeccionar_archivo(nombre, data, limits)
    return str(info.value)


# --- accepted ----------------------------------------------------------------------------------


def test_jpeg_accepted_with_hash_and_size() -> None:
    data = jpeg_bytes()
    ok = inspeccionar_archivo("orden.jpg", data, LIMITS)
    assert (ok.nombre, ok.mime, ok.tamano, ok.paginas, ok.aviso) == (
        "orden.jpg",
        MIME_JPEG,
        len(data),
        None,
        None,
    )
    assert ok.sha256 == hashlib.sha256(data).hexdigest()
    assert ok.contenido == data


def test_png_accepted() -> None:
    ok = inspeccionar_archivo("captura.PNG", png_bytes(), LIMITS)
    assert (ok.mime, ok.nombre) == (MIME_PNG, "captura.PNG")


def test_pdf_accepted_with_page_count() -> None:
    ok = inspeccionar_archivo("orden.pdf", pdf_bytes(pages=3), LIMITS)
    assert (ok.mime, ok.paginas) == (MIME_PDF, 3)


def test_pdf_at_the_page_limit_is_accepted() -> None:
    assert inspeccionar_archivo("o.pdf", pdf_bytes(pages=20), LIMITS).paginas == 20


def test_jpg_name_with_pdf_content_is_accepted_as_pdf_and_renamed() -> None:
    """Decision: the content decides. The stored name gets the right extension (DIM's systems open
    turno files by extension) and the rename is reported in `aviso`."""
    ok = inspeccionar_archivo("orden.jpg", pdf_bytes(pages=2), LIMITS)
    assert (ok.mime, ok.paginas, ok.nombre) == (MIME_PDF, 2, "orden.pdf")
    assert ok.aviso == "«orden.jpg»: el contenido es un PDF; se guardó como «orden.pdf»"


def test_png_name_with_jpeg_content_and_missing_extension() -> None:
    assert inspeccionar_archivo("foto.png", jpeg_bytes(), LIMITS).nombre == "foto.jpg"
    assert inspeccionar_archivo("foto", jpeg_bytes(), LIMITS).nombre == "foto.jpg"
    assert inspeccionar_archivo("foto.jpeg", jpeg_bytes(), LIMITS).aviso is None


# --- refused: type and size --------------------------------------------------------------------


def test_gif_refused() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "GIF")
    assert refusal("x.gif", buf.getvalue()) == (
        "«x.gif»: tipo de archivo no admitido (se aceptan JPG, PNG o PDF); "
        "el archivo es una imagen GIF"
    )


def test_heic_refused_with_a_hint() -> None:
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100
    msg = refusal("IMG_0001.HEIC", heic)
    assert "tipo de archivo no admitido" in msg and "HEIC" in msg


def test_unknown_bytes_refused_even_when_named_jpg() -> None:
    assert refusal("orden.jpg", b"hola, esto no es una foto") == (
        "«orden.jpg»: tipo de archivo no admitido (se aceptan JPG, PNG o PDF)"
    )


def test_empty_file_refused() -> None:
    assert refusal("orden.jpg", b"") == "«orden.jpg»: el archivo está vacío"


def test_over_size_limit_refused() -> None:
    data = jpeg_bytes() + b"\x00" * (11 * 1024 * 1024)
    assert refusal("grande.jpg", data) == "«grande.jpg»: pesa 11 MB y supera el máximo de 10 MB"


def test_size_limit_is_exact_and_fractional_sizes_use_decimal_comma() -> None:
    limits = IntakeSettings(max_mb=1)
    at_limit = jpeg_bytes() + b"\x00" * (1024 * 1024 - len(jpeg_bytes()))
    assert inspeccionar_archivo("a.jpg", at_limit, limits).tamano == 1024 * 1024
    msg = refusal("a.jpg", at_limit + b"\x00", limits)
    assert msg == "«a.jpg»: pesa 1,1 MB y supera el máximo de 1 MB"


# --- refused: damaged images -------------------------------------------------------------------


def test_truncated_jpeg_refused() -> None:
    data = noisy_jpeg()
    assert inspeccionar_archivo("orden.jpg", data, LIMITS).mime == MIME_JPEG
    msg = refusal("orden.jpg", data[: len(data) // 2])
    assert msg == "«orden.jpg»: la imagen está dañada o incompleta"


def test_jpeg_with_only_a_header_refused() -> None:
    assert "dañada o incompleta" in refusal("orden.jpg", jpeg_bytes()[:40])


def test_corrupt_png_refused() -> None:
    data = bytearray(png_bytes(200, 100, "red"))
    idat = data.index(b"IDAT")
    data[idat + 10] ^= 0xFF  # breaks the chunk CRC and the deflate stream
    assert refusal("orden.png", bytes(data)) == "«orden.png»: la imagen está dañada o incompleta"


# --- refused: decompression bombs --------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (20000, 20000),  # beyond Pillow's own hard limit: Image.open itself raises
        (10000, 10000),  # Pillow only warns (a warning that pytest turns into an error)
        (8000, 8000),  # under Pillow's default, over ours: only our check stops it
    ],
)
def test_decompression_bomb_refused_before_decoding(width: int, height: int) -> None:
    data = bomb_png(width, height)
    assert len(data) < 200_000  # tiny on disk
    msg = refusal("bomba.png", data)
    assert msg.startswith("«bomba.png»: la imagen es demasiado grande")
    assert "60.000.000" in msg


def test_pixel_limit_comes_from_the_settings() -> None:
    msg = refusal("orden.jpg", jpeg_bytes(64, 48), IntakeSettings(max_pixeles=3000))
    assert msg == "«orden.jpg»: la imagen es demasiado grande (64 × 48 píxeles; máximo 3.000)"
    assert inspeccionar_archivo("orden.jpg", jpeg_bytes(64, 46), IntakeSettings(max_pixeles=3000))


@pytest.mark.parametrize("action", ["error", "ignore", "default"])
def test_outcome_does_not_depend_on_the_callers_warning_filters(
    action: Literal["error", "ignore", "default"],
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter(action)
        assert "demasiado grande" in refusal("b.png", bomb_png(10000, 10000))
        assert inspeccionar_archivo("o.png", png_bytes(), LIMITS).mime == MIME_PNG
        assert inspeccionar_archivo("o.pdf", pdf_bytes(), LIMITS).paginas == 1


def test_pillow_global_limit_is_never_changed() -> None:
    before = Image.MAX_IMAGE_PIXELS
    refusal("b.png", bomb_png(10000, 10000), IntakeSettings(max_pixeles=1000))
    inspeccionar_archivo("o.jpg", jpeg_bytes(), IntakeSettings(max_pixeles=10**9))
    assert before == Image.MAX_IMAGE_PIXELS


def test_concurrent_checks_each_get_their_own_verdict() -> None:
    bomb, good = bomb_png(10000, 10000), noisy_jpeg()
    results: dict[int, str] = {}
    start = threading.Barrier(6)

    def work(i: int) -> None:
        start.wait()
        try:
            results[i] = inspeccionar_archivo(f"{i}.jpg", bomb if i % 2 else good, LIMITS).mime
        except ValidationError as exc:
            results[i] = str(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(6):
        if i % 2:
            assert "demasiado grande" in results[i]
        else:
            assert results[i] == MIME_JPEG


# --- refused: PDFs -----------------------------------------------------------------------------


def test_pdf_with_too_many_pages_refused() -> None:
    assert refusal("estudios.pdf", pdf_bytes(pages=21)) == (
        "«estudios.pdf»: el PDF tiene 21 páginas (máximo 20)"
    )


def test_encrypted_pdf_refused() -> None:
    msg = refusal("orden.pdf", pdf_bytes(password="1234"))
    assert msg == "«orden.pdf»: el PDF está protegido con contraseña; súbalo sin protección"


def test_pdf_without_pages_refused() -> None:
    assert refusal("vacio.pdf", pdf_bytes(pages=0)) == "«vacio.pdf»: el PDF no tiene páginas"


def test_garbage_after_pdf_header_refused() -> None:
    msg = refusal("orden.pdf", b"%PDF-1.7\n" + b"basura " * 200)
    assert msg == "«orden.pdf»: el PDF está dañado o no se puede leer"


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\Users\\ana\\Fotos\\orden.jpg", "orden.jpg"),
        ("../../etc/passwd", "passwd"),
        ("or\x00den\r\n.jpg", "orden.jpg"),
        ("orden\u202egpj.exe", "ordengpj.exe"),  # right-to-left override used to fake extensions
        ('¿qué?: "orden" <1>|*.jpg', "¿qué__ _orden_ _1___.jpg"),
        ("  .orden.jpg. ", "orden.jpg"),
        ("", "archivo"),
        ("..", "archivo"),
    ],
)
def test_nombre_seguro(raw: str, clean: str) -> None:
    assert nombre_seguro(raw) == clean


def test_long_names_are_cut_to_255_keeping_the_extension() -> None:
    name = nombre_seguro("x" * 400 + ".jpeg")
    assert len(name) == 255 and name.endswith(".jpeg")
    ok = inspeccionar_archivo("y" * 400, jpeg_bytes(), LIMITS)  # no extension: one is added
    assert len(ok.nombre) == 255 and ok.nombre.endswith(".jpg")


def test_refusals_name_the_sanitised_file() -> None:
    assert refusal("C:\\fotos\\x\x07.gif", b"GIF89a" + b"\x00" * 20).startswith("«x.gif»:")

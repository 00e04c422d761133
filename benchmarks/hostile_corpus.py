"""Hostile upload files, generated on the spot (nothing binary in the repo): what intake must
refuse with a Spanish reason, fast and within its memory budget. Used by the unit tests (the
verdicts) and by `benchmarks.intake_memory` (peak memory per file, in a child process)."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Hostil:
    nombre: str
    hacer: Callable[[], bytes]
    motivo: str  # a fragment of the expected Spanish refusal


def raw_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A well-formed PDF from object bodies (object i+1 = objects[i]) with a correct xref."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, root, xref)
    )
    return out.getvalue()


def _page_pdf(
    catalog_extra: bytes = b"", page_extra: bytes = b"", extra: list[bytes] | None = None
) -> bytes:
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + page_extra + b" >>",
            *(extra or []),
        ]
    )


def simple_pdf() -> bytes:
    return _page_pdf()


def pdf_open_at_page_one() -> bytes:
    """A benign /OpenAction: a destination (what many generators write). Must be accepted."""
    return _page_pdf(b"/OpenAction [3 0 R /Fit]")


def pdf_javascript() -> bytes:
    return _page_pdf(b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>")


def pdf_javascript_hex_escaped() -> bytes:
    return _page_pdf(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>")


def pdf_launch() -> bytes:
    return _page_pdf(b"/OpenAction << /S /Launch /F (C:\\\\Windows\\\\System32\\\\calc.exe) >>")


def pdf_page_aa() -> bytes:
    return _page_pdf(page_extra=b"/AA << /O << /S /URI /URI (http://x.invalid) >> >>")


def pdf_embedded_exe() -> bytes:
    exe = b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00"
    return _page_pdf(
        b"/Names << /EmbeddedFiles << /Names [(setup.exe) 4 0 R] >> >>",
        extra=[
            b"<< /Type /Filespec /F (setup.exe) /EF << /F 5 0 R >> >>",
            b"<< /Type /EmbeddedFile /Length %d >>\nstream\n" % len(exe) + exe + b"\nendstream",
        ],
    )


def pdf_xfa() -> bytes:
    return _page_pdf(b"/AcroForm << /Fields [] /XFA 4 0 R >>", extra=[b"<< >>"])


def pdf_with_zip_appended() -> bytes:
    return simple_pdf() + zip_file()


def pdf_with_trailing_bytes() -> bytes:
    return simple_pdf() + b"<script>alert(1)</script>"


def zip_file() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("orden.pdf", simple_pdf())
    return buf.getvalue()


def html_with_pdf_header() -> bytes:
    return b"<!DOCTYPE html><html><body><!-- %PDF-1.4 --><script>x()</script></body></html>"


def pdf_many_pages(n: int = 100_000) -> bytes:
    """A real page tree of n distinct pages (a few MB): refused from /Count, never flattened."""
    kids = b" ".join(b"%d 0 R" % (i + 3) for i in range(n))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n,
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9 9] >>"] * n
    return raw_pdf(objects)


def pdf_lying_count(n: int = 50_000) -> bytes:
    """/Count says 1, the tree holds n pages: the bounded walk stops it."""
    kids = b" ".join(b"%d 0 R" % (i + 3) for i in range(n))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count 1 >>",
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9 9] >>"] * n
    return raw_pdf(objects)


def pdf_lying_count_hidden(n: int = 5_000) -> bytes:
    """Like `pdf_lying_count`, with page types hex-escaped so no byte count sees them."""
    kids = b" ".join(b"%d 0 R" % (i + 3) for i in range(n))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count 1 >>",
    ]
    objects += [b"<< /Type /P#61ge /Parent 2 0 R /MediaBox [0 0 9 9] >>"] * n
    return raw_pdf(objects)


def photo_12mp() -> bytes:
    """A genuine phone-photo-sized JPEG (4000 × 3000, noisy): must be accepted."""
    return _noisy_jpeg(4000, 3000)


def _noisy_jpeg(width: int, height: int) -> bytes:
    from PIL import Image

    rnd = random.Random(7)
    img = Image.frombytes("RGB", (width, height), rnd.randbytes(width * height * 3))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def jpeg_header_claims_49mp() -> bytes:
    """A real ~80 KB JPEG whose SOF header is rewritten to say 7000 × 7000."""
    data = bytearray(_noisy_jpeg(200, 200))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, 7000, 7000)
    return bytes(data)


def _chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def _png(width: int, height: int, bit_depth: int, color_type: int, bytes_per_row: int) -> bytes:
    row = b"\x00" + b"\x00" * bytes_per_row
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def png_bomb_1bit_49mp() -> bytes:
    return _png(7000, 7000, 1, 0, (7000 + 7) // 8)


def png_bomb_rgb_25mp() -> bytes:
    return _png(5000, 5000, 8, 2, 5000 * 3)


CORPUS: tuple[Hostil, ...] = (
    Hostil("js.pdf", pdf_javascript, "JavaScript"),
    Hostil("js-escapado.pdf", pdf_javascript_hex_escaped, "JavaScript"),
    Hostil("launch.pdf", pdf_launch, "Launch"),
    Hostil("acciones.pdf", pdf_page_aa, "acciones automáticas"),
    Hostil("adjunto-exe.pdf", pdf_embedded_exe, "archivos incrustados"),
    Hostil("xfa.pdf", pdf_xfa, "XFA"),
    Hostil("zip-pegado.pdf", pdf_with_zip_appended, "después de su final"),
    Hostil("cola.pdf", pdf_with_trailing_bytes, "después de su final"),
    Hostil("orden.pdf", zip_file, "comprimido"),
    Hostil("pagina.pdf", html_with_pdf_header, "página web"),
    Hostil("100000-paginas.pdf", pdf_many_pages, "100000 páginas"),
    Hostil("cuenta-mentirosa.pdf", pdf_lying_count, "páginas"),
    Hostil("cuenta-oculta.pdf", pdf_lying_count_hidden, "dañado"),
    Hostil("49mp.jpg", jpeg_header_claims_49mp, "manipulada"),
    Hostil("bomba-1bit.png", png_bomb_1bit_49mp, "manipulada"),
    Hostil("bomba-rgb.png", png_bomb_rgb_25mp, "demasiado grande"),
)

BENIGNOS: tuple[tuple[str, Callable[[], bytes]], ...] = (
    ("simple.pdf", simple_pdf),
    ("abre-en-pagina-1.pdf", pdf_open_at_page_one),
    ("foto-12mp.jpg", photo_12mp),
)

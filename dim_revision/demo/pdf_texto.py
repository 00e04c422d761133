"""A PDF with a real text layer (Helvetica, WinAnsi), as a doctor's prescription system exports
it: the reader must take its text as is, without OCR. Hand-written PDF objects, no dependency.

`pdf_con_texto([[(x, y, tamano, texto), …], …])`: one list per A4 page, in points from the top
left (y grows downwards, like the rest of the demo's drawing code).
"""

from __future__ import annotations

A4 = (595, 842)

Renglon = tuple[float, float, float, str]


def _literal(texto: str) -> bytes:
    crudo = texto.encode("cp1252", "replace")
    return b"(" + crudo.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf_con_texto(paginas: list[list[Renglon]], titulo: str = "Receta electrónica") -> bytes:
    objetos: list[bytes] = []

    def nuevo(cuerpo: bytes) -> int:
        objetos.append(cuerpo)
        return len(objetos)

    catalogo = nuevo(b"")  # filled in below, once the pages tree exists
    arbol = nuevo(b"")
    fuente = nuevo(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    hojas: list[int] = []
    for renglones in paginas:
        flujo = b"".join(
            b"BT /F1 %.1f Tf %.1f %.1f Td %s Tj ET\n" % (t, x, A4[1] - y - t, _literal(s))
            for x, y, t, s in renglones
        )
        contenido = nuevo(b"<< /Length %d >>\nstream\n%sendstream" % (len(flujo), flujo))
        hojas.append(
            nuevo(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R >> >> >>"
                % (arbol, A4[0], A4[1], contenido, fuente)
            )
        )
    objetos[catalogo - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % arbol
    kids = b" ".join(b"%d 0 R" % h for h in hojas)
    objetos[arbol - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(hojas))
    info = nuevo(b"<< /Title %s /Producer (DIM demo) >>" % _literal(titulo))
    salida = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    posiciones = []
    for n, cuerpo in enumerate(objetos, start=1):
        posiciones.append(len(salida))
        salida += b"%d 0 obj\n%s\nendobj\n" % (n, cuerpo)
    xref = len(salida)
    salida += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objetos) + 1)
    salida += b"".join(b"%010d 00000 n \n" % p for p in posiciones)
    salida += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objetos) + 1,
        catalogo,
        info,
        xref,
    )
    return bytes(salida)

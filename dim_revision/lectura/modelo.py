"""What a reading produced, as plain values that round-trip through JSON (stored in our DB)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# Outcomes stored per file; every one of them is final (no PC reads the same file again).
LEIDA = "leida"  # text found
SIN_TEXTO = "sin_texto"  # read, nothing found (blank, tiny, unreadable, foreign text…)
ILEGIBLE = "ilegible"  # the bytes are not a page we can decode
AGOTADA = "agotada"  # the time budget ran out

Caja = tuple[int, int, int, int]  # x0, y0, x1, y1 in the page's own units (see Pagina)


@dataclass(frozen=True)
class Linea:
    texto: str
    confianza: float  # 0..1 (1.0 for a PDF's text layer)
    caja: Caja


@dataclass(frozen=True)
class Pagina:
    """One page: `ancho`×`alto` are the units of the boxes (pixels of the upright image that was
    read, or PDF points for a text layer); `giro` is the clockwise rotation (0/90/180/270) the
    viewer should apply to show the page upright (after EXIF)."""

    ancho: int
    alto: int
    lineas: tuple[Linea, ...]
    giro: int = 0
    fuente: str = "ocr"  # "ocr" | "pdf" (text layer)


@dataclass(frozen=True)
class Lectura:
    estado: str
    motor: str  # "rapidocr" / "pdf-texto" / "" when nothing ran
    version: str  # engine + model version
    paginas: tuple[Pagina, ...] = ()
    segundos: float = 0.0
    motivo: str = ""  # Spanish, for ilegible / agotada
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def lineas(self) -> list[tuple[int, Linea]]:
        """(page index, line) in reading order."""
        return [(i, ln) for i, p in enumerate(self.paginas) for ln in p.lineas]

    def a_json(self) -> str:
        return json.dumps(
            [
                {
                    "ancho": p.ancho,
                    "alto": p.alto,
                    "giro": p.giro,
                    "fuente": p.fuente,
                    "lineas": [
                        [ln.texto, round(ln.confianza, 3), list(ln.caja)] for ln in p.lineas
                    ],
                }
                for p in self.paginas
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )


def paginas_de_json(texto: str | None) -> tuple[Pagina, ...]:
    """The pages stored by `Lectura.a_json`; a damaged value reads as no pages."""
    if not texto:
        return ()
    try:
        crudo = json.loads(texto)
        return tuple(
            Pagina(
                ancho=int(p["ancho"]),
                alto=int(p["alto"]),
                giro=int(p.get("giro", 0)),
                fuente=str(p.get("fuente", "ocr")),
                lineas=tuple(
                    Linea(str(t), float(c), (int(b[0]), int(b[1]), int(b[2]), int(b[3])))
                    for t, c, b in p["lineas"]
                ),
            )
            for p in crudo
        )
    except (ValueError, KeyError, TypeError, IndexError):
        return ()


def region_en_archivo(caja: Caja, pagina: Pagina) -> tuple[float, float, float, float]:
    """A box of the upright page → (x0, y0, x1, y1) as fractions of the file's page as stored
    (after EXIF, before the reader's `giro`), which is what the viewer draws on."""
    w, h = max(1, pagina.ancho), max(1, pagina.alto)
    x0, y0, x1, y1 = caja[0] / w, caja[1] / h, caja[2] / w, caja[3] / h
    giro = pagina.giro % 360
    if giro == 90:  # upright = stored turned clockwise: undo it
        x0, y0, x1, y1 = y0, 1 - x1, y1, 1 - x0
    elif giro == 180:
        x0, y0, x1, y1 = 1 - x1, 1 - y1, 1 - x0, 1 - y0
    elif giro == 270:
        x0, y0, x1, y1 = 1 - y1, x0, 1 - y0, x1
    return (max(0.0, x0), max(0.0, y0), min(1.0, x1), min(1.0, y1))

"""OCR boxes → the rows a person reads: boxes on the same line of the page joined left to right.

The engine returns one box per run of text, so "Paciente:" and "BEATRIZ FERNÁNDEZ" (or a code
and its practice) come apart; proposals and checks work on whole rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from dim_revision.lectura.modelo import Caja, Lectura, Linea


@dataclass(frozen=True)
class Renglon:
    texto: str
    pagina: int
    caja: Caja
    partes: tuple[Linea, ...]


def renglones(lectura: Lectura) -> list[Renglon]:
    filas: list[Renglon] = []
    for n, pagina in enumerate(lectura.paginas):
        grupos: list[list[Linea]] = []
        for ln in sorted(pagina.lineas, key=lambda ln: (ln.caja[1] + ln.caja[3]) / 2):
            centro = (ln.caja[1] + ln.caja[3]) / 2
            if grupos:
                ult = grupos[-1]
                alto = max(1, min(ult[0].caja[3] - ult[0].caja[1], ln.caja[3] - ln.caja[1]))
                c_ult = sum((p.caja[1] + p.caja[3]) / 2 for p in ult) / len(ult)
                if abs(centro - c_ult) <= 0.5 * alto:
                    ult.append(ln)
                    continue
            grupos.append([ln])
        for grupo in grupos:
            grupo.sort(key=lambda ln: ln.caja[0])
            caja: Caja = (
                min(p.caja[0] for p in grupo),
                min(p.caja[1] for p in grupo),
                max(p.caja[2] for p in grupo),
                max(p.caja[3] for p in grupo),
            )
            filas.append(Renglon(" ".join(p.texto for p in grupo), n, caja, tuple(grupo)))
    return filas

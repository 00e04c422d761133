"""The electronic prescription as the doctor's system exports it: a PDF with a real text layer
(no pixels to read), same content as the typed order drawn by `orders.py`."""

from __future__ import annotations

from dim_revision.demo.orders import Orden, dni_con_puntos
from dim_revision.demo.pdf_texto import Renglon, pdf_con_texto

X = 56


def _pagina(o: Orden) -> list[Renglon]:
    m = o.medico
    r: list[Renglon] = [
        (X, 40, 16, m.clinica),
        (X, 62, 12, m.nombre),
        (X, 78, 10, m.especialidad),
        (X, 92, 9, f"{m.direccion} · {m.telefono}"),
        (X, 124, 12, "ORDEN DE PRÁCTICAS - RECETA ELECTRÓNICA"),
    ]
    y = 156.0
    for etiqueta, valor in (
        ("Fecha de emisión:", o.fecha.strftime("%d/%m/%Y")),
        ("Paciente:", o.paciente.upper()),
        ("DNI:", dni_con_puntos(o.dni)),
        ("Cobertura:", o.cobertura),
        ("Nº de afiliado:", o.afiliado or "-"),
    ):
        r.append((X, y, 11, f"{etiqueta} {valor}"))
        y += 18
    r.append((X, y + 14, 11, "Prescripción:"))
    y += 40
    for i, estudio in enumerate(o.estudios, start=1):
        r.append((X + 14, y, 11, f"{i}) {estudio.upper()}"))
        y += 18
    r.append((X, y + 12, 11, o.diagnostico))
    r += [
        (X, 700, 10, f"Código de prescripción: {o.codigo}"),
        (X, 730, 8, f"Firmado electrónicamente por {m.nombre} - {m.matricula}"),
        (X, 744, 8, "Prescripción electrónica (Ley 27.553). Válida por 30 días desde su emisión."),
    ]
    return r


def receta_pdf(ordenes: tuple[Orden, ...]) -> bytes:
    return pdf_con_texto([_pagina(o) for o in ordenes], "Receta electrónica")

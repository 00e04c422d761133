"""Checks that protect the patient: is this order theirs, still valid, for their coverage?

Each check speaks only when the order clearly says something else: no DNI read means no DNI
warning; one misread digit is an OCR slip, not another person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from dim_revision.domain.search_index import fold
from dim_revision.lectura.renglones import Renglon

VALIDEZ_DIAS = 30

_DNI = re.compile(r"(?<![\d.])(\d{1,2}[.,\s]?\d{3}[.,\s]?\d{3})(?![\d])")
_FECHA = re.compile(r"(?<!\d)(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4}|\d{2})(?!\d)")
_ROT_DNI = re.compile(r"(?<![a-z])(?:dni|d\.n\.i|documento|dn(?=\s*[:\d]))(?![a-z])")
_ROT_FECHA = re.compile(r"\bfecha\b")
_ROT_PACIENTE = re.compile(r"^\s*(?:paciente|afiliado)\s*:?\s*")
_ROT_COBERTURA = re.compile(r"^\s*(?:obra\s*social|cobertura|plan)\s*:?\s*")
_SIN_COBERTURA = ("particular", "-", "", "ninguna", "sin cobertura")


@dataclass(frozen=True)
class Paciente:
    dni: str
    nombre: str  # "Pérez, Ana" or "Ana Pérez"
    coberturas: tuple[str, ...] = ()  # how DIM names their coverage: name + plan, sigla…


@dataclass(frozen=True)
class Alerta:
    clave: str  # "otra_persona" | "vencida" | "cobertura"
    texto: str  # Spanish, shown on the record
    dato: str = ""  # what the order says (DNI, date, obra social)


def dni_con_puntos(dni: str) -> str:
    return f"{int(dni):,}".replace(",", ".") if dni.isdigit() else dni


def _digitos(texto: str) -> str:
    return re.sub(r"\D", "", texto)


def dnis_de(filas: Sequence[Renglon]) -> list[str]:
    """DNIs written next to a "DNI" label: on its row, else on the row just above or below
    that starts to its right (a tilted photo puts a value half a line off its label)."""
    encontrados: list[str] = []
    for i, fila in enumerate(filas):
        f = fold(fila.texto)
        m = _ROT_DNI.search(f)
        if not m:
            continue
        candidatos = [f[m.end() :]]
        alto = max(1, fila.caja[3] - fila.caja[1])
        for j in (i + 1, i - 1):
            if 0 <= j < len(filas) and filas[j].pagina == fila.pagina:
                otra = filas[j]
                cerca = (
                    abs((otra.caja[1] + otra.caja[3]) - (fila.caja[1] + fila.caja[3])) < 3 * alto
                )
                derecha = otra.caja[0] > (fila.caja[0] + fila.caja[2]) / 2
                if cerca and derecha and not _ROT_DNI.search(fold(otra.texto)):
                    candidatos.append(fold(otra.texto))
        for texto in candidatos:
            hallado = _DNI.search(texto)
            if hallado:
                d = _digitos(hallado.group(1)).lstrip("0")
                if 6 <= len(d) <= 8:
                    encontrados.append(d)
                break
    return encontrados


def fecha_de(filas: Sequence[Renglon], hoy: date) -> date | None:
    """The order's date: the one next to "Fecha", else the first date on the page."""
    etiquetadas: list[date] = []
    sueltas: list[date] = []
    for fila in filas:
        f = fold(fila.texto)
        for m in _FECHA.finditer(f):
            d = _a_fecha(m, hoy)
            if d is not None:
                (etiquetadas if _ROT_FECHA.search(f[: m.start()]) else sueltas).append(d)
    todas = etiquetadas or sueltas
    return todas[0] if todas else None


def _a_fecha(m: re.Match[str], hoy: date) -> date | None:
    dia, mes, anio = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if anio < 100:
        anio += 2000
    try:
        d = date(anio, mes, dia)
    except ValueError:
        return None
    if (d - hoy).days > 1 or (hoy - d).days > 3 * 365:
        return None  # a misread date, a birth date…
    return d


def _valor(filas: Sequence[Renglon], rotulo: re.Pattern[str]) -> str:
    for fila in filas:
        f = fold(fila.texto)
        m = rotulo.match(f)
        if m:
            resto = f[m.end() :]
            # stop at the next label on the same row ("DNI: … Obra social: …")
            resto = re.split(r"\b(?:dni|obra\s*social|n[oº°]\s*de|fecha|afiliado)\b", resto)[0]
            return resto.strip(" :-·")
    return ""


def _compacto(texto: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(texto))


def controlar(
    filas: Sequence[Renglon], paciente: Paciente, hoy: date, validez_dias: int = VALIDEZ_DIAS
) -> list[Alerta]:
    alertas: list[Alerta] = []
    propio = _digitos(paciente.dni).lstrip("0")
    dnis = dnis_de(filas)
    ajenos: list[str] = []
    for pagina in sorted({f.pagina for f in filas}):  # one page of somebody else is enough
        de_pagina = dnis_de([f for f in filas if f.pagina == pagina])
        otros = [d for d in de_pagina if propio and Levenshtein.distance(d, propio) > 1]
        if otros and len(otros) == len(de_pagina):
            ajenos += otros
    if ajenos:
        alertas.append(
            Alerta(
                "otra_persona",
                f"La orden parece ser de otra persona: DNI {dni_con_puntos(ajenos[0])} en la orden"
                f" (el paciente tiene {dni_con_puntos(propio)}).",
                ajenos[0],
            )
        )
    elif not dnis:
        nombre = _valor(filas, _ROT_PACIENTE)
        if len(_compacto(nombre)) >= 6 and _parecido_nombre(nombre, paciente.nombre) < 60:
            alertas.append(
                Alerta(
                    "otra_persona",
                    f"La orden parece ser de otra persona: «{nombre.title()}» en la orden.",
                    nombre,
                )
            )
    fecha = fecha_de(filas, hoy)
    if fecha is not None and (hoy - fecha).days > validez_dias:
        dias = (hoy - fecha).days
        alertas.append(
            Alerta(
                "vencida",
                f"Orden emitida hace {dias} días ({fecha:%d/%m/%Y}); vale {validez_dias} días.",
                fecha.isoformat(),
            )
        )
    cobertura = _valor(filas, _ROT_COBERTURA)
    propias = [_compacto(c) for c in paciente.coberturas if fold(c).strip() not in _SIN_COBERTURA]
    if (
        len(_compacto(cobertura)) >= 3
        and cobertura not in _SIN_COBERTURA
        and propias
        and max(fuzz.partial_ratio(_compacto(cobertura), p) for p in propias) < 70
    ):
        alertas.append(
            Alerta(
                "cobertura",
                f"La orden dice «{cobertura.upper()}» y el paciente tiene {paciente.coberturas[0]}.",
                cobertura,
            )
        )
    return alertas


def _parecido_nombre(leido: str, nombre: str) -> float:
    a = {w for w in re.findall(r"[a-z]+", fold(leido)) if len(w) > 2}
    b = {w for w in re.findall(r"[a-z]+", fold(nombre)) if len(w) > 2}
    if not a or not b:
        return 100.0
    return max(fuzz.ratio(x, y) for x in a for y in b)

"""The prescription lines of an order → proposed prestaciones (never added by themselves).

A line is a prescription when it follows "Solicito", "Rp/", "Prescripción" or a practice table's
header, or is numbered ("1)", "2."), until the diagnosis ("Dx:", "Diagnóstico") or the footer.
Each line is searched with the picker's own index (`SearchIndex.search`); OCR often merges the
words of an upper-case line ("TACDEABDOMENYPELVIS"), so long unknown words are split back into
catalog words first. A practice code at the start of a line ("34.52.63") is searched as a code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from dim_revision.domain.lexicon import Lexicon, default_lexicon
from dim_revision.domain.search_index import Match, SearchIndex, fold
from dim_revision.lectura.modelo import Caja, Lectura
from dim_revision.lectura.renglones import Renglon, renglones

MAX_POR_ORDEN = 9  # one key each: Alt+1…Alt+9
MAX_LINEAS = 8  # after an anchor; more is not a prescription
_ANCLA = re.compile(
    r"^(?:solicito|solicita|rp\b|r/p\b|rp/|prescripcion|indicaciones|pedido|codigo\s*practica|practica\b)"
)
_ANCLA_SUELTA = re.compile(r"\b(?:solicito|prescripcion)\b\s*:?\s*")
_FIN = re.compile(
    r"^(?:dx\b|dx:|dx[a-z]|diag|dg\b|dg:|firma|copago|vigencia|autorizada|codigo de presc|"
    r"prescripcion electronica|firmado|valida por|sello)"
)
_PIE = re.compile(
    r"ley\s*27|firmad|valida\s*por|codigo\s*de\s*presc|copago|vigencia|electronica\s*\("
)
_NUMERADA = re.compile(r"^\s*(\d{1,2})\s*[).\-:]\s*(?=\D)")
_CODIGO = re.compile(r"^\s*(\d{2}[.,]\d{2}[.,]\d{2})\b")
_ROTULO = re.compile(
    r"^(?:paciente|dni|d\.n\.i|fecha|obra social|cobertura|plan|afiliado|credencial|n[o°º] de|"
    r"prescriptor|medico|nº)"
)
_LETRAS = re.compile(r"[a-z]+")
_CORTAS = (
    "rm",
    "rmn",
    "rnm",
    "tc",
    "tac",
    "rx",
    "eco",
    "mx",
    "dmo",
    "cte",
    "der",
    "izq",
    "bilat",
    "dcha",
    "dcho",
    "ev",
    "vo",
    "de",
    "del",
    "y",
    "e",
    "con",
    "sin",
    "c",
    "s",
    "a",
    "la",
    "el",
    "los",
    "las",
    "en",
    "ambos",
    "lados",
    "oral",
    "bajo",
    "angio",
    "artro",
)


@dataclass(frozen=True)
class Propuesta:
    prestacion_id: int
    nombre: str
    linea: str  # the line of the order it came from, as read
    pagina: int
    caja: Caja
    alternativas: tuple[int, ...] = ()  # the next candidates (top-3 with the first)


class Proponedor:
    """Built once per catalog (its vocabulary is what merged words are split into)."""

    def __init__(
        self, index: SearchIndex, nombres: Iterable[str], lexicon: Lexicon | None = None
    ) -> None:
        self.index = index
        lexicon = default_lexicon() if lexicon is None else lexicon
        formas = [forma for grupo in lexicon.sinonimos for forma in grupo]
        vocab = {w for nombre in [*nombres, *formas] for w in _LETRAS.findall(fold(nombre))}
        vocab.update(_CORTAS)
        self._vocab = frozenset(w for w in vocab if len(w) > 1 or w in ("y", "e", "c", "s", "a"))
        self._largo = max((len(w) for w in self._vocab), default=1)
        # The words a study starts with ("resonancia", "rmn", "eco"…): a prescription row
        # without any of them continues the row above (handwriting wraps long studies).
        primeras = {w for nombre in nombres for w in _LETRAS.findall(fold(nombre))[:1]}
        grupos = [{w for f in g for w in _LETRAS.findall(fold(f))[:1]} for g in lexicon.sinonimos]
        self._cabezas = frozenset(primeras | {w for g in grupos if g & primeras for w in g})

    def proponer(self, lectura: Lectura) -> list[Propuesta]:
        propuestas: list[Propuesta] = []
        vistos: set[int] = set()
        for renglon, texto, primera in self._unir(lineas_de_prescripcion(renglones(lectura))):
            matches = self.buscar(texto) or (self.buscar(primera) if primera != texto else [])
            if not matches or matches[0].id in vistos:
                continue
            vistos.add(matches[0].id)
            propuestas.append(
                Propuesta(
                    matches[0].id,
                    matches[0].nombre,
                    renglon.texto,
                    renglon.pagina,
                    renglon.caja,
                    tuple(m.id for m in matches[1:3]),
                )
            )
            if len(propuestas) >= MAX_POR_ORDEN:
                break
        return propuestas

    def _unir(self, lineas: list[tuple[Renglon, str]]) -> list[tuple[Renglon, str, str]]:
        """Join a row that names no study ("en resonador abierto", "anestesia general") to the
        prescription row right above it; the third item is the first row's own text."""
        unidas: list[tuple[Renglon, str, str]] = []
        for fila, texto in lineas:
            if unidas and self._continua(unidas[-1][0], fila, texto):
                previa, previo, primera = unidas[-1]
                caja = (
                    min(previa.caja[0], fila.caja[0]),
                    previa.caja[1],
                    max(previa.caja[2], fila.caja[2]),
                    fila.caja[3],
                )
                junta = Renglon(
                    f"{previa.texto} {fila.texto}", previa.pagina, caja, previa.partes + fila.partes
                )
                unidas[-1] = (junta, f"{previo} {texto}", primera)
            else:
                unidas.append((fila, texto, texto))
        return unidas

    def _continua(self, arriba: Renglon, fila: Renglon, texto: str) -> bool:
        if (
            arriba.pagina != fila.pagina
            or _NUMERADA.match(fold(fila.texto))
            or _CODIGO.match(texto)
        ):
            return False
        alto = max(1, arriba.caja[3] - arriba.caja[1])
        if fila.caja[1] - arriba.caja[3] > 1.5 * alto:
            return False
        palabras = _LETRAS.findall(self.separar(texto))
        return bool(palabras) and not any(w in self._cabezas for w in palabras)

    def buscar(self, texto: str) -> list[Match]:
        """The confident matches of one line, best first (empty when none is)."""
        codigo = _CODIGO.match(texto)
        if codigo:
            por_codigo = self.index.search(codigo.group(1).replace(",", "."), 3)
            if por_codigo and por_codigo[0].score >= 999:
                return por_codigo
            texto = texto[codigo.end() :]
        limpio = self.separar(texto)
        if len(_LETRAS.findall(limpio)) == 0:
            return []
        matches = self.index.search(limpio, 3)
        if not matches:
            return []
        palabras = [w for w in _LETRAS.findall(limpio) if len(w) > 2]
        faltan = len(matches[0].sin_coincidencia)
        if faltan and (faltan > 1 or len(palabras) < 3):
            return []
        return matches

    def separar(self, texto: str) -> str:
        """Long words the catalog does not know, split into words it does."""
        salida: list[str] = []
        for palabra in fold(texto).split():
            partes: list[str] = []
            trozos = re.split(r"([^a-z]+)", palabra)
            for i, trozo in enumerate(trozos):
                # "…mamasc/contraste": the c/ (s/) of "con/sin" sticks to the word before it
                abrev = i + 1 < len(trozos) and trozos[i + 1].startswith("/") and trozo[-1:] in "cs"
                base, cola = (
                    (trozo[:-1], f" {trozo[-1]}") if abrev and len(trozo) > 5 else (trozo, "")
                )
                if len(base) >= 5 and base.isalpha() and base not in self._vocab:
                    partes.append((" ".join(self._segmentar(base)) or base) + cola)
                else:
                    partes.append(trozo)
            salida.append("".join(partes))
        return " ".join(salida)

    def _segmentar(self, trozo: str) -> tuple[str, ...]:
        return _segmentar(trozo, self._vocab, self._largo)


@lru_cache(maxsize=4096)
def _segmentar_cache(trozo: str, vocab: frozenset[str], largo: int) -> tuple[str, ...]:
    n = len(trozo)
    inf = float("inf")
    costo = [inf] * (n + 1)
    previo: list[tuple[int, bool]] = [(0, False)] * (n + 1)
    costo[0] = 0.0
    for i in range(n):
        if costo[i] == inf:
            continue
        if costo[i] + 3 < costo[i + 1]:  # an unknown letter (OCR noise)
            costo[i + 1], previo[i + 1] = costo[i] + 3, (i, False)
        for j in range(i + 1, min(n, i + largo) + 1):
            if trozo[i:j] in vocab and costo[i] + 1 < costo[j]:
                costo[j], previo[j] = costo[i] + 1, (i, True)
    partes: list[str] = []
    j, desconocidas = n, 0
    while j > 0:
        i, conocida = previo[j]
        if conocida:
            partes.append(trozo[i:j])
        else:
            desconocidas += 1
        j = i
    if desconocidas * 5 > n:
        return ()
    return tuple(reversed(partes))


def _segmentar(trozo: str, vocab: frozenset[str], largo: int) -> tuple[str, ...]:
    return _segmentar_cache(trozo, vocab, largo)


def lineas_de_prescripcion(filas: Sequence[Renglon]) -> list[tuple[Renglon, str]]:
    """(row, text to search) for the rows that prescribe something."""
    elegidas: list[tuple[Renglon, str]] = []
    dentro = False
    despues = 0
    pagina = -1
    for fila in filas:
        if fila.pagina != pagina:
            pagina, dentro = fila.pagina, False
        f = fold(fila.texto).strip()
        if not f:
            continue
        if _PIE.search(f):
            dentro = False
            continue
        if _ANCLA.match(f):
            dentro, despues = True, 0
            resto = _ANCLA_SUELTA.sub("", f, count=1) if _ANCLA_SUELTA.match(f) else ""
            if len(_LETRAS.findall(resto)) >= 2:
                elegidas.append((fila, resto))
            continue
        numerada = _NUMERADA.match(f)
        if _FIN.match(f) or (dentro and _ROTULO.match(f) and not numerada):
            dentro = False
            continue
        if numerada:
            elegidas.append((fila, f[numerada.end() :]))
            continue
        if dentro:
            despues += 1
            if despues > MAX_LINEAS:
                dentro = False
                continue
            if _CODIGO.match(f) or not elegidas or elegidas[-1][0].pagina != fila.pagina:
                elegidas.append((fila, f))
            elif _CODIGO.match(fold(elegidas[-1][1])) and not _CODIGO.match(f):
                anterior, texto = elegidas[-1]  # a practice's name wrapped onto the next row
                elegidas[-1] = (anterior, f"{texto} {f}")
            else:
                elegidas.append((fila, f))
    return elegidas

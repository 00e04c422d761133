"""How a doctor writes a study on an order: abbreviations, sides, contrast shorthand, diagnosis.

"RESONANCIA MAGNÉTICA DE RODILLA DERECHA SIN CONTRASTE" becomes "RMN de rodilla der. s/cte" —
what the operator has to read and map back to the catalog.
"""

from __future__ import annotations

import random

from dim_revision.demo.catalog_data import Estudio

_CABEZAS = {
    "rm": ("RMN", "RM", "Resonancia magnética", "RNM", "Resonancia"),
    "artro_rm": ("Artro-RMN", "Artrorresonancia", "Artro RM"),
    "angio_rm": ("Angio-RMN", "AngioRM", "Angiorresonancia"),
    "tc": ("TAC", "TC", "Tomografía", "TAC"),
    "artro_tc": ("Artro-TC", "Artrotomografía"),
    "angio_tc": ("AngioTC", "Angiotomografía", "Angio-TAC"),
    "eco": ("Eco", "Ecografía", "Ecografía", "Ecog."),
    "doppler": ("Ecodoppler", "Eco doppler", "Doppler"),
    "rx": ("Rx", "Radiografía", "Rx", "Placa"),
    "mamo": ("Mamografía", "Mx", "Mamografía"),
    "dmo": ("Densitometría ósea", "DMO", "Densitometría"),
    "infiltracion": ("Infiltración ecoguiada", "Infiltración bajo eco"),
    "sola": ("",),
}
_LADOS = {
    ("D", "f"): ("derecha", "der.", "D", "dcha."),
    ("D", "m"): ("derecho", "der.", "D", "dcho."),
    ("I", "f"): ("izquierda", "izq.", "I", "izq"),
    ("I", "m"): ("izquierdo", "izq.", "I", "izq"),
    ("B", "f"): ("bilateral", "bilat.", "ambos lados"),
    ("B", "m"): ("bilateral", "bilat.", "ambos lados"),
}
_CONTRASTES = {
    "sin": ("s/cte", "sin contraste", "s/contraste", "simple"),
    "con": ("c/cte", "con contraste", "c/contraste", "c/cte EV"),
    "sin_y_con": ("s/c y c/c", "sin y con contraste", "con y sin cte"),
    "oral_ev": ("c/cte oral y EV", "con contraste oral y endovenoso", "c/cte VO y EV"),
}
_GADOLINIO = ("c/gadolinio", "con gadolinio")
DX_PREFIJOS = ("Dx:", "Dx:", "Diag:", "Dg:", "DX", "Diagnóstico:")
_EXTRAS_DX = (
    "Descartar lesión.",
    "Evolución tórpida.",
    "Control.",
    "Urgente.",
    "Prequirúrgico.",
    "",
)


def prosa_estudio(estudio: Estudio, rng: random.Random) -> str:
    """One requested study, handwritten style; sometimes all in capitals like many doctors write."""
    cabeza = rng.choice(_CABEZAS[estudio.familia])
    partes = [f"{cabeza} {estudio.zona}".strip()]
    if estudio.lado:
        partes.append(rng.choice(_LADOS[(estudio.lado, estudio.genero)]))
    if estudio.contraste:
        opciones = _CONTRASTES[estudio.contraste]
        if estudio.contraste == "con" and estudio.familia in ("rm", "angio_rm"):
            opciones = opciones + _GADOLINIO
        partes.append(rng.choice(opciones))
    if estudio.extra:
        partes.append(estudio.extra)
    texto = " ".join(partes)
    texto = texto[0].upper() + texto[1:]
    if rng.random() < 0.15:
        texto = texto.upper()
    return texto


def diagnostico(estudios: list[Estudio], rng: random.Random) -> str:
    """The "Dx:" line for the whole order (doctors write one, sometimes with a remark)."""
    opciones = [dx for e in estudios for dx in e.dx] or ["control"]
    dx = rng.choice(opciones)
    extra = rng.choice(_EXTRAS_DX)
    return f"{rng.choice(DX_PREFIJOS)} {dx}. {extra}".strip()

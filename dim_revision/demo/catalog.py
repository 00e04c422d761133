"""The demo prestación catalog: studies that read like an Argentine diagnostic-imaging center's list.

Names are built from body regions, laterality, contrast and a few real-world modifiers, but only
where the combination makes medical sense (no "mamografía de rodilla"): each modality lists the
regions it images. Every entry also keeps a structured `Estudio` so the demo can write the order
the way a doctor would ("RMN de rodilla der. s/cte"). The canonical short list of the most requested
studies comes first (lowest ids); the rest follows in an order drawn from the seeded `rng`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from dim_revision.demo import catalog_data as data
from dim_revision.demo.catalog_data import Estudio

MODALIDADES = data.MODALIDADES

# Sites used to extend the catalog past its base size (multi-site centers list studies per site).
SEDES = (
    "SEDE RAMOS MEJÍA",
    "SEDE CASTELAR",
    "SEDE SAN JUSTO",
    "SEDE HAEDO",
    "SEDE MORÓN",
    "SEDE ITUZAINGÓ",
    "SEDE MERLO",
)

INACTIVAS_POR_MIL = 15


@dataclass(frozen=True)
class Prestacion:
    codigo: str
    nombre: str
    modalidad: str
    activa: bool
    estudio: Estudio


def base_pool() -> list[tuple[str, str, Estudio]]:
    """Every sensible (modalidad, nombre, estudio), in a fixed order (codes follow this order)."""
    pool: dict[str, tuple[str, str, Estudio]] = {}
    for modalidad, nombre, estudio in data.all_studies():
        nombre = " ".join(nombre.split())
        pool.setdefault(nombre, (modalidad, nombre, estudio))
    return list(pool.values())


def max_prestaciones() -> int:
    return len(base_pool()) * (1 + len(SEDES))


def generate_catalog(prestaciones: int, rng: random.Random) -> list[Prestacion]:
    """`prestaciones` entries, canonical studies first; deterministic for a given `rng` state."""
    pool = base_pool()
    if prestaciones < 1 or prestaciones > len(pool) * (1 + len(SEDES)):
        raise ValueError(f"prestaciones fuera de rango: {prestaciones}")
    codes = _codes(pool)
    by_name = {nombre: (modalidad, nombre, estudio) for modalidad, nombre, estudio in pool}
    missing = [n for n in data.CANONICAS if n not in by_name]
    if missing:
        raise AssertionError(f"canonical studies missing from the pool: {missing}")
    canonical = set(data.CANONICAS)
    tail = [item for item in pool if item[1] not in canonical]
    rng.shuffle(tail)
    ordered = [by_name[n] for n in data.CANONICAS] + tail

    result: list[Prestacion] = []
    for modalidad, nombre, estudio in ordered[:prestaciones]:
        activa = nombre in canonical or rng.randrange(1000) >= INACTIVAS_POR_MIL
        result.append(Prestacion(codes[nombre], nombre, modalidad, activa, estudio))
    # Past the base size: the same studies offered at each site.
    for sede_index, sede in enumerate(SEDES, start=1):
        for modalidad, nombre, estudio in ordered:
            if len(result) >= prestaciones:
                return result
            result.append(
                Prestacion(
                    f"{codes[nombre]}-S{sede_index}", f"{nombre} - {sede}", modalidad, True, estudio
                )
            )
    return result


def _codes(pool: list[tuple[str, str, Estudio]]) -> dict[str, str]:
    """Nomenclador-like codes (chapter.group.item), independent of the seed and of the size asked."""
    counters: dict[str, int] = {}
    codes: dict[str, str] = {}
    for modalidad, nombre, _ in pool:
        chapter, first_group = data.CAPITULOS[modalidad]
        index = counters.get(modalidad, 0)
        counters[modalidad] = index + 1
        group, item = divmod(index, 99)
        codes[nombre] = f"{chapter}.{first_group + group:02d}.{item + 1:02d}"
    return codes

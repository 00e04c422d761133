"""A small, deterministic queue for the workstation tests (built with `tests/factories.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dim_revision.db.uow import Database
from tests import factories

PRESTACIONES = (
    "RESONANCIA MAGNÉTICA DE RODILLA",
    "RESONANCIA MAGNÉTICA DE COLUMNA LUMBAR",
    "RADIOGRAFÍA DE TÓRAX FRENTE Y PERFIL",
    "ECOGRAFÍA ABDOMINAL COMPLETA",
    "TOMOGRAFÍA COMPUTADA DE CEREBRO",
    "MAMOGRAFÍA BILATERAL",
    "ECODOPPLER CARDÍACO",
    "DENSITOMETRÍA ÓSEA DE COLUMNA",
)

PATIENTS = (
    ("Pérez", "Ana María", "11 15-2345-6789"),
    ("Gómez", "José Luis", "011 15-3456-7890"),
    ("Núñez", "Señora Inés", "+54 9 11 4567-8901"),
    ("Fernández", "Martín", "(0351) 15 555-1234"),
    ("Ibáñez", "Lucía", "11 2345-0001"),
    ("Quiroga", "Tomás", "11 2345-0002"),
)


@dataclass(frozen=True)
class Seeded:
    solicitudes: list[int]  # oldest first
    prestaciones: dict[str, int]
    pacientes: list[int]


def seed_queue(db: Database, now: datetime, *, count: int = 5) -> Seeded:
    """`count` unresolved requests uploaded today (Buenos Aires), 10 minutes apart, oldest first."""
    with db.uow() as uow:
        s = uow.session
        prest = {name: factories.prestacion(s, name).id for name in PRESTACIONES}
        sols, pacs = [], []
        for i in range(count):
            apellido, nombre, movil = PATIENTS[i % len(PATIENTS)]
            pac = factories.paciente(s, apellido=apellido, nombre=nombre, movil=movil)
            sol = factories.solicitud(
                s, pac, now - timedelta(minutes=10 * (count - i)), files=1 + (i % 2)
            )
            sols.append(sol.id)
            pacs.append(pac.id)
        uow.commit()
    return Seeded(sols, prest, pacs)


def add_request(db: Database, uploaded: datetime, apellido: str = "Nuevo") -> int:
    with db.uow() as uow:
        s = uow.session
        pac = factories.paciente(s, apellido=apellido, nombre="Paciente")
        sol = factories.solicitud(s, pac, uploaded)
        uow.commit()
        return sol.id

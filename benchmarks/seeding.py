"""One patient, N resolved requests and one Envio each: the starting point of the outbox, webhook
and soak benchmarks (what differs per benchmark is the state of the sends)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert

from dim_revision.clock import utcnow
from dim_revision.db.dim_mapping import SEED
from dim_revision.db.models import Envio, SolicitudAsistencia
from dim_revision.db.uow import Database

PACIENTE = {"id": 1, "dni": "30111222", "apellido": "PÉREZ", "nombre": "ANA"}


def seed_sends(db: Database, n: int, envio: Callable[[int, datetime], dict[str, Any]]) -> list[int]:
    """Ids 1..n of requests and sends; `envio(i, now)` gives the send's state columns (estado,
    parametros, link, times, …) on top of the common ones."""
    now = utcnow()
    with db.engine.begin() as conn:
        conn.execute(
            insert(db.dim.paciente.table).execution_options(**SEED),
            [db.dim.fila("paciente", PACIENTE)],
        )
        conn.execute(
            insert(SolicitudAsistencia),
            [
                {
                    "id": i,
                    "paciente_id": PACIENTE["id"],
                    "fecha_subida": now - timedelta(hours=2),
                    "resuelto": True,
                    "version": 1,
                }
                for i in range(1, n + 1)
            ],
        )
        conn.execute(
            insert(Envio),
            [
                {
                    "id": i,
                    "solicitud_id": i,
                    "telefono": f"54911{i:08d}",
                    "plantilla": "dim_link_turno",
                    "token_id": f"jti-{i}",
                    "intentos": 0,
                    "version": 1,
                    **envio(i, now),
                }
                for i in range(1, n + 1)
            ],
        )
    return list(range(1, n + 1))


def due_now(
    parametros: Callable[[int], dict[str, Any]],
) -> Callable[[int, datetime], dict[str, Any]]:
    """A programado send confirmed 16 minutes ago: due now."""
    import json

    def fields(i: int, now: datetime) -> dict[str, Any]:
        return {
            "parametros": json.dumps(parametros(i)),
            "link": f"https://portal.example/t/t{i}",
            "estado": "programado",
            "creado": now - timedelta(minutes=16),
            "creado_por": "operador",
            "enviar_desde": now - timedelta(minutes=1),
        }

    return fields

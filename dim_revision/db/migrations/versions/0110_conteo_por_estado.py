"""Counts' indexes by state (issue 19): pendientes/resueltas as two index ranges, and the
requests with a failing send found without reading every envío

Revision ID: 0110
Revises: 0109
Create Date: 2026-12-01 15:40:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0110"
down_revision = "0109"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # `resuelto = ? AND fecha_baja IS NULL AND fecha_subida BETWEEN …` is one range of this
    # index: a count steps its entries and reads no row (100 000 uploads in a day: 18 → 5 ms).
    op.create_index(
        "ix_solicitud_asistencia_estado_dia",
        "solicitud_asistencia",
        ["resuelto", "fecha_baja", "fecha_subida", "paciente_id"],
    )
    # «Requiere atención» starts from the few requests with a fallido/incierto send; with only
    # (estado, enviar_desde) SQLite read all 200 000 envíos to list them (35 ms → 0.01 ms).
    op.create_index("ix_envio_estado_solicitud", "envio", ["estado", "solicitud_id"])


def downgrade() -> None:
    op.drop_index("ix_envio_estado_solicitud", table_name="envio")
    op.drop_index("ix_solicitud_asistencia_estado_dia", table_name="solicitud_asistencia")

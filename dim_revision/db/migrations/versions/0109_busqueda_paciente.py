"""busqueda_paciente (folded search copy of DIM's patients) and the counts' covering index (issue 19)

Revision ID: 0109
Revises: 0108
Create Date: 2026-12-01 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0109"
down_revision = "0108"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Filled by the application (`queue_texto.completar_busqueda`, at intake): a migration never
    # reads DIM's tables. Until a patient has a row the queue folds DIM's name on the fly.
    op.create_table(
        "busqueda_paciente",
        sa.Column("paciente_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("nombre", sa.Unicode(length=300), nullable=False),
        sa.Column("dni", sa.String(length=20), nullable=False),
        sa.Column("movil", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("paciente_id", name=op.f("pk_busqueda_paciente")),
    )
    op.create_index(
        "ix_solicitud_asistencia_conteo",
        "solicitud_asistencia",
        ["fecha_subida", "fecha_baja", "resuelto", "paciente_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_solicitud_asistencia_conteo", table_name="solicitud_asistencia")
    op.drop_table("busqueda_paciente")

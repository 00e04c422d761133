"""busqueda_palabra (each folded word of a patient's name), the requests-by-patient index and a
covering index of the day in the grid's order, for the queue's text filter (issue 19)

Revision ID: 0111
Revises: 0110
Create Date: 2026-12-01 18:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mssql, postgresql

revision = "0111"
down_revision = "0110"
branch_labels = None
depends_on = None

# Binary order on every backend: `w <= palabra < w'` is exactly "starts with w" (models.py).
WORD = (
    sa.Unicode(length=100)
    .with_variant(mssql.NVARCHAR(100, collation="Latin1_General_100_BIN2"), "mssql")
    .with_variant(postgresql.VARCHAR(100, collation="C"), "postgresql")
)


def upgrade() -> None:
    # Filled by the application with `busqueda_paciente` (`queue_texto.sincronizar_busqueda`):
    # a migration never reads DIM's tables.
    op.create_table(
        "busqueda_palabra",
        sa.Column("palabra", WORD, nullable=False),
        sa.Column("paciente_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("palabra", "paciente_id", name=op.f("pk_busqueda_palabra")),
    )
    op.create_index(
        op.f("ix_busqueda_palabra_paciente_id_palabra"),
        "busqueda_palabra",
        ["paciente_id", "palabra"],
    )
    op.create_index(
        "ix_solicitud_asistencia_paciente_dia",
        "solicitud_asistencia",
        ["paciente_id", "fecha_subida", "fecha_baja", "resuelto"],
    )
    # A text's page walks the day in the grid's order (fecha_subida, id) on this index alone
    # (ids first, rows by id): every column its conditions read is here. It covers the old
    # counting index's ranges too, which it replaces.
    op.create_index(
        "ix_solicitud_asistencia_dia_id",
        "solicitud_asistencia",
        ["fecha_subida", "id", "fecha_baja", "resuelto", "paciente_id", "atencion_envio_id"],
    )
    op.drop_index("ix_solicitud_asistencia_conteo", table_name="solicitud_asistencia")
    # The copies written before this revision have no words: emptied here (our table only), so
    # `completar_busqueda` writes both again; until then the filter folds DIM's names itself.
    op.execute(sa.delete(sa.Table("busqueda_paciente", sa.MetaData())))


def downgrade() -> None:
    op.create_index(
        "ix_solicitud_asistencia_conteo",
        "solicitud_asistencia",
        ["fecha_subida", "fecha_baja", "resuelto", "paciente_id"],
    )
    op.drop_index("ix_solicitud_asistencia_dia_id", table_name="solicitud_asistencia")
    op.drop_index("ix_solicitud_asistencia_paciente_dia", table_name="solicitud_asistencia")
    op.drop_index(
        op.f("ix_busqueda_palabra_paciente_id_palabra"), table_name="busqueda_palabra"
    )
    op.drop_table("busqueda_palabra")

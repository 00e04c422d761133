"""solicitud_asistencia: the mobile corrected from the record, and the resolved send failure
(issue 13 items 2 and 8)

Revision ID: 0107
Revises: 0105
Create Date: 2026-12-01 11:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mssql

revision = "0107"
down_revision = "0105"
branch_labels = None
depends_on = None

UTC_DT = sa.DateTime().with_variant(mssql.DATETIME2(precision=6), "mssql")


def upgrade() -> None:
    with op.batch_alter_table("solicitud_asistencia") as batch:
        batch.add_column(sa.Column("movil_corregido_por", sa.Unicode(length=60), nullable=True))
        batch.add_column(sa.Column("movil_corregido_en", UTC_DT, nullable=True))
        batch.add_column(sa.Column("atencion_envio_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("solicitud_asistencia") as batch:
        batch.drop_column("atencion_envio_id")
        batch.drop_column("movil_corregido_en")
        batch.drop_column("movil_corregido_por")

"""lectura_adjunto: what the offline reader found in each uploaded file (issue 15)

Revision ID: 0108
Revises: 0107
Create Date: 2026-12-01 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mssql

revision = "0108"
down_revision = "0107"
branch_labels = None
depends_on = None

UTC_DT = sa.DateTime().with_variant(mssql.DATETIME2(precision=6), "mssql")


def upgrade() -> None:
    op.create_table(
        "lectura_adjunto",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("adjunto_id", sa.Integer(), nullable=True),
        sa.Column("estado", sa.String(length=20), nullable=False),
        sa.Column("motor", sa.String(length=40), nullable=False),
        sa.Column("version_motor", sa.Unicode(length=120), nullable=False),
        sa.Column("paginas", sa.UnicodeText(), nullable=True),
        sa.Column("milisegundos", sa.Integer(), nullable=False),
        sa.Column("motivo", sa.Unicode(length=200), nullable=True),
        sa.Column("leida_en", UTC_DT, nullable=False),
        sa.Column("leida_por", sa.Unicode(length=60), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lectura_adjunto")),
        sa.UniqueConstraint("sha256", name=op.f("uq_lectura_adjunto_sha256")),
    )


def downgrade() -> None:
    op.drop_table("lectura_adjunto")

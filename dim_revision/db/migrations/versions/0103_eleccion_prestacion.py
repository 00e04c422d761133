"""eleccion_prestacion: what operators chose for each search (issue #14)

Revision ID: 0103
Revises: 0002
Create Date: 2026-12-01 09:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mssql


revision = '0103'
down_revision = '0002'
branch_labels = None
depends_on = None

# Naive UTC timestamps; DATETIME2 on SQL Server.
UTC_DT = sa.DateTime().with_variant(mssql.DATETIME2(precision=6), "mssql")


def upgrade() -> None:
    op.create_table('eleccion_prestacion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consulta', sa.Unicode(length=120), nullable=False),
    sa.Column('prestacion_id', sa.Integer(), nullable=False),
    sa.Column('usuario', sa.Unicode(length=60), nullable=False),
    sa.Column('fecha', UTC_DT, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eleccion_prestacion'))
    )
    op.create_index(op.f('ix_eleccion_prestacion_fecha'), 'eleccion_prestacion', ['fecha'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_eleccion_prestacion_fecha'), table_name='eleccion_prestacion')
    op.drop_table('eleccion_prestacion')

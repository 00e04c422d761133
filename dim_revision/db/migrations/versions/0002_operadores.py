"""operadores (roles for the supervisor view)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 21:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mssql


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# Naive UTC timestamps; DATETIME2 on SQL Server.
UTC_DT = sa.DateTime().with_variant(mssql.DATETIME2(precision=6), "mssql")


def upgrade() -> None:
    op.create_table('operador',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('usuario', sa.Unicode(length=60), nullable=False),
    sa.Column('nombre', sa.Unicode(length=120), nullable=False),
    sa.Column('rol', sa.String(length=20), nullable=False),
    sa.Column('activo', sa.Boolean(), nullable=False),
    sa.Column('creado', UTC_DT, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operador')),
    sa.UniqueConstraint('usuario', name=op.f('uq_operador_usuario'))
    )


def downgrade() -> None:
    op.drop_table('operador')

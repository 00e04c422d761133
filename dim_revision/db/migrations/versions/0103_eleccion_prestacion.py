"""eleccion_prestacion (search learning) and prestacion_definicion.codigo_nomenclador

Revision ID: 0103
Revises: 0002
Create Date: 2026-12-01 09:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import mssql


revision = '0103'
down_revision = '0002'
branch_labels = None
depends_on = None

# Naive UTC timestamps; DATETIME2 on SQL Server.
UTC_DT = sa.DateTime().with_variant(mssql.DATETIME2(precision=6), "mssql")


def _stand_in_prestaciones() -> bool:
    """Only the demo/test stand-in of DIM's table gets the column: DIM's own is never altered
    (there the column, if DIM has one, is mapped by name). The offline SQL script (`db upgrade
    --sql`) is for DIM's server, so it never has it."""
    if context.is_offline_mode():
        return False
    inspector = sa.inspect(op.get_bind())
    if "prestacion_definicion" not in inspector.get_table_names():
        return False
    columns = {c["name"] for c in inspector.get_columns("prestacion_definicion")}
    return "codigo_nomenclador" not in columns


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
    if _stand_in_prestaciones():
        with op.batch_alter_table('prestacion_definicion') as batch:
            batch.add_column(sa.Column('codigo_nomenclador', sa.String(length=20), nullable=True))


def downgrade() -> None:
    # The nullable codigo_nomenclador stays: a table we might not own is never altered on the
    # way down (on the stand-in it is harmless, and revision 0001's downgrade drops the table).
    op.drop_index(op.f('ix_eleccion_prestacion_fecha'), table_name='eleccion_prestacion')
    op.drop_table('eleccion_prestacion')

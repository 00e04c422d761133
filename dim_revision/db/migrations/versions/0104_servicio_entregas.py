"""servicio: delivery columns on envio, webhook events, patient replies, key fingerprints

Revision ID: 0104
Revises: 0103
Create Date: 2026-12-01 09:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mssql


revision = '0104'
down_revision = '0103'
branch_labels = None
depends_on = None

# Naive UTC timestamps; DATETIME2 on SQL Server.
UTC_DT = sa.DateTime().with_variant(mssql.DATETIME2(precision=6), "mssql")

_ENVIO_COLUMNS = (
    ('estado_entrega', sa.String(length=20)),
    ('entregado_en', UTC_DT),
    ('leido_en', UTC_DT),
    ('error_entrega', sa.UnicodeText()),
    ('entrega_actualizada', UTC_DT),
    ('conciliado_en', UTC_DT),
    ('respuesta_en', UTC_DT),
)


def upgrade() -> None:
    with op.batch_alter_table('envio') as batch:
        for name, kind in _ENVIO_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    op.create_index(op.f('ix_envio_proveedor_id'), 'envio', ['proveedor_id'], unique=False)
    op.create_index(op.f('ix_envio_telefono'), 'envio', ['telefono'], unique=False)
    op.create_table('webhook_evento',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clave', sa.String(length=128), nullable=False),
    sa.Column('recibido', UTC_DT, nullable=False),
    sa.Column('tipo', sa.String(length=20), nullable=False),
    sa.Column('envio_id', sa.Integer(), nullable=True),
    sa.Column('resultado', sa.String(length=20), nullable=False),
    sa.Column('detalle', sa.UnicodeText(), nullable=True),
    sa.ForeignKeyConstraint(['envio_id'], ['envio.id'], name=op.f('fk_webhook_evento_envio_id_envio')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_evento')),
    sa.UniqueConstraint('clave', name=op.f('uq_webhook_evento_clave'))
    )
    op.create_index(op.f('ix_webhook_evento_recibido'), 'webhook_evento', ['recibido'], unique=False)
    op.create_table('respuesta_paciente',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('solicitud_id', sa.Integer(), nullable=False),
    sa.Column('envio_id', sa.Integer(), nullable=True),
    sa.Column('fecha', UTC_DT, nullable=False),
    sa.Column('recibido', UTC_DT, nullable=False),
    sa.Column('texto', sa.UnicodeText(), nullable=False),
    sa.Column('mensaje_id', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['envio_id'], ['envio.id'], name=op.f('fk_respuesta_paciente_envio_id_envio')),
    sa.ForeignKeyConstraint(['solicitud_id'], ['solicitud_asistencia.id'], name=op.f('fk_respuesta_paciente_solicitud_id_solicitud_asistencia')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_respuesta_paciente'))
    )
    op.create_index(op.f('ix_respuesta_paciente_solicitud_id_fecha'), 'respuesta_paciente', ['solicitud_id', 'fecha'], unique=False)
    op.create_table('servicio_latido',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nombre', sa.Unicode(length=60), nullable=False),
    sa.Column('rol', sa.String(length=20), nullable=False),
    sa.Column('modo', sa.String(length=20), nullable=False),
    sa.Column('huella_link', sa.String(length=16), nullable=True),
    sa.Column('visto', UTC_DT, nullable=False),
    sa.Column('version_app', sa.String(length=30), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_servicio_latido')),
    sa.UniqueConstraint('nombre', name=op.f('uq_servicio_latido_nombre'))
    )


def downgrade() -> None:
    op.drop_table('servicio_latido')
    op.drop_index(op.f('ix_respuesta_paciente_solicitud_id_fecha'), table_name='respuesta_paciente')
    op.drop_table('respuesta_paciente')
    op.drop_index(op.f('ix_webhook_evento_recibido'), table_name='webhook_evento')
    op.drop_table('webhook_evento')
    op.drop_index(op.f('ix_envio_telefono'), table_name='envio')
    op.drop_index(op.f('ix_envio_proveedor_id'), table_name='envio')
    with op.batch_alter_table('envio') as batch:
        for name, _kind in reversed(_ENVIO_COLUMNS):
            batch.drop_column(name)

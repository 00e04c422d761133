"""initial schema: our own tables only (DIM's tables are mapped, never created here)

Rewritten for issue #11: the first version also created stand-ins for DIM's tables with foreign
keys into them. A database made by that version (the demo file) is rebuilt with
`dim-revision demo --reset`.

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 19:51:06.921116
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mssql


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

# Naive UTC timestamps; DATETIME2 on SQL Server.
UTC_DT = sa.DateTime().with_variant(mssql.DATETIME2(precision=6), "mssql")


def upgrade() -> None:
    op.create_table('solicitud_asistencia',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('paciente_id', sa.Integer(), nullable=False),
    sa.Column('fecha_subida', UTC_DT, nullable=False),
    sa.Column('telefono_verificado', sa.Boolean(), nullable=False),
    sa.Column('movil_ingresado', sa.Unicode(length=40), nullable=True),
    sa.Column('email_verificado', sa.Boolean(), nullable=False),
    sa.Column('fecha_contacto', UTC_DT, nullable=True),
    sa.Column('usuario_contacto', sa.Unicode(length=60), nullable=True),
    sa.Column('mensaje_contacto', sa.UnicodeText(), nullable=True),
    sa.Column('resuelto', sa.Boolean(), nullable=False),
    sa.Column('fecha_resuelto', UTC_DT, nullable=True),
    sa.Column('usuario_resuelto', sa.Unicode(length=60), nullable=True),
    sa.Column('fecha_baja', UTC_DT, nullable=True),
    sa.Column('id_turno_destino', sa.Integer(), nullable=True),
    sa.Column('tomado_por', sa.Unicode(length=60), nullable=True),
    sa.Column('tomado_hasta', UTC_DT, nullable=True),
    sa.Column('tomado_desde', UTC_DT, nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_solicitud_asistencia'))
    )
    with op.batch_alter_table('solicitud_asistencia', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_solicitud_asistencia_fecha_subida'), ['fecha_subida'], unique=False)
        batch_op.create_index(batch_op.f('ix_solicitud_asistencia_paciente_id'), ['paciente_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_solicitud_asistencia_resuelto_fecha_subida'), ['resuelto', 'fecha_subida'], unique=False)

    op.create_table('contacto',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('solicitud_id', sa.Integer(), nullable=False),
    sa.Column('fecha', UTC_DT, nullable=False),
    sa.Column('usuario', sa.Unicode(length=60), nullable=False),
    sa.Column('resultado', sa.String(length=30), nullable=False),
    sa.Column('comentario', sa.UnicodeText(), nullable=False),
    sa.ForeignKeyConstraint(['solicitud_id'], ['solicitud_asistencia.id'], name=op.f('fk_contacto_solicitud_id_solicitud_asistencia')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacto'))
    )
    with op.batch_alter_table('contacto', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacto_solicitud_id'), ['solicitud_id'], unique=False)

    op.create_table('envio',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('solicitud_id', sa.Integer(), nullable=False),
    sa.Column('telefono', sa.String(length=20), nullable=False),
    sa.Column('plantilla', sa.Unicode(length=120), nullable=False),
    sa.Column('parametros', sa.UnicodeText(), nullable=False),
    sa.Column('link', sa.UnicodeText(), nullable=False),
    sa.Column('token_id', sa.String(length=64), nullable=False),
    sa.Column('estado', sa.String(length=20), nullable=False),
    sa.Column('creado', UTC_DT, nullable=False),
    sa.Column('creado_por', sa.Unicode(length=60), nullable=False),
    sa.Column('enviar_desde', UTC_DT, nullable=False),
    sa.Column('intentos', sa.Integer(), nullable=False),
    sa.Column('proximo_intento', UTC_DT, nullable=True),
    sa.Column('ultimo_error', sa.UnicodeText(), nullable=True),
    sa.Column('proveedor_id', sa.Unicode(length=120), nullable=True),
    sa.Column('enviado_en', UTC_DT, nullable=True),
    sa.Column('tomado_por', sa.Unicode(length=60), nullable=True),
    sa.Column('tomado_hasta', UTC_DT, nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['solicitud_id'], ['solicitud_asistencia.id'], name=op.f('fk_envio_solicitud_id_solicitud_asistencia')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_envio'))
    )
    with op.batch_alter_table('envio', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_envio_estado_enviar_desde'), ['estado', 'enviar_desde'], unique=False)
        batch_op.create_index(batch_op.f('ix_envio_solicitud_id'), ['solicitud_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_envio_token_id'), ['token_id'], unique=False)
        batch_op.create_index('uq_envio_vivo_por_solicitud', ['solicitud_id'], unique=True, sqlite_where=sa.text("estado IN ('programado', 'enviando')"), postgresql_where=sa.text("estado IN ('programado', 'enviando')"), mssql_where=sa.text("estado IN ('programado', 'enviando')"))

    op.create_table('solicitud_adjunto',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('solicitud_id', sa.Integer(), nullable=False),
    sa.Column('orden', sa.Integer(), nullable=False),
    sa.Column('nombre_archivo', sa.Unicode(length=255), nullable=False),
    sa.Column('mime', sa.String(length=60), nullable=False),
    sa.Column('tamano', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('paginas', sa.Integer(), nullable=True),
    sa.Column('contenido', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['solicitud_id'], ['solicitud_asistencia.id'], name=op.f('fk_solicitud_adjunto_solicitud_id_solicitud_asistencia')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_solicitud_adjunto'))
    )
    with op.batch_alter_table('solicitud_adjunto', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_solicitud_adjunto_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_solicitud_adjunto_solicitud_id'), ['solicitud_id'], unique=False)

    op.create_table('turno_adjunto',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('turno_id', sa.Integer(), nullable=False),
    sa.Column('nombre_archivo', sa.Unicode(length=255), nullable=False),
    sa.Column('mime', sa.String(length=60), nullable=False),
    sa.Column('tamano', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('contenido', sa.LargeBinary(), nullable=True),
    sa.Column('origen_adjunto_id', sa.Integer(), nullable=True),
    sa.Column('fecha_alta', UTC_DT, nullable=False),
    sa.ForeignKeyConstraint(['origen_adjunto_id'], ['solicitud_adjunto.id'], name=op.f('fk_turno_adjunto_origen_adjunto_id_solicitud_adjunto')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_turno_adjunto'))
    )
    with op.batch_alter_table('turno_adjunto', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_turno_adjunto_turno_id'), ['turno_id'], unique=False)

    op.create_table('solicitud_prestacion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('solicitud_id', sa.Integer(), nullable=False),
    sa.Column('prestacion_id', sa.Integer(), nullable=False),
    sa.Column('orden', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['solicitud_id'], ['solicitud_asistencia.id'], name=op.f('fk_solicitud_prestacion_solicitud_id_solicitud_asistencia')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_solicitud_prestacion')),
    sa.UniqueConstraint('solicitud_id', 'orden', name=op.f('uq_solicitud_prestacion_solicitud_id_orden')),
    sa.UniqueConstraint('solicitud_id', 'prestacion_id', name=op.f('uq_solicitud_prestacion_solicitud_id_prestacion_id'))
    )
    op.create_table('evento',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fecha', UTC_DT, nullable=False),
    sa.Column('usuario', sa.Unicode(length=60), nullable=False),
    sa.Column('estacion', sa.Unicode(length=60), nullable=False),
    sa.Column('solicitud_id', sa.Integer(), nullable=True),
    sa.Column('envio_id', sa.Integer(), nullable=True),
    sa.Column('accion', sa.String(length=40), nullable=False),
    sa.Column('detalle', sa.UnicodeText(), nullable=True),
    sa.ForeignKeyConstraint(['envio_id'], ['envio.id'], name=op.f('fk_evento_envio_id_envio')),
    sa.ForeignKeyConstraint(['solicitud_id'], ['solicitud_asistencia.id'], name=op.f('fk_evento_solicitud_id_solicitud_asistencia')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evento'))
    )
    with op.batch_alter_table('evento', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evento_fecha'), ['fecha'], unique=False)
        batch_op.create_index(batch_op.f('ix_evento_solicitud_id_fecha'), ['solicitud_id', 'fecha'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('evento', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evento_solicitud_id_fecha'))
        batch_op.drop_index(batch_op.f('ix_evento_fecha'))

    op.drop_table('evento')
    op.drop_table('solicitud_prestacion')
    with op.batch_alter_table('turno_adjunto', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_turno_adjunto_turno_id'))

    op.drop_table('turno_adjunto')
    with op.batch_alter_table('solicitud_adjunto', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_solicitud_adjunto_solicitud_id'))
        batch_op.drop_index(batch_op.f('ix_solicitud_adjunto_sha256'))

    op.drop_table('solicitud_adjunto')
    with op.batch_alter_table('envio', schema=None) as batch_op:
        batch_op.drop_index('uq_envio_vivo_por_solicitud', sqlite_where=sa.text("estado IN ('programado', 'enviando')"), postgresql_where=sa.text("estado IN ('programado', 'enviando')"), mssql_where=sa.text("estado IN ('programado', 'enviando')"))
        batch_op.drop_index(batch_op.f('ix_envio_token_id'))
        batch_op.drop_index(batch_op.f('ix_envio_solicitud_id'))
        batch_op.drop_index(batch_op.f('ix_envio_estado_enviar_desde'))

    op.drop_table('envio')
    with op.batch_alter_table('contacto', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacto_solicitud_id'))

    op.drop_table('contacto')
    with op.batch_alter_table('solicitud_asistencia', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_solicitud_asistencia_resuelto_fecha_subida'))
        batch_op.drop_index(batch_op.f('ix_solicitud_asistencia_paciente_id'))
        batch_op.drop_index(batch_op.f('ix_solicitud_asistencia_fecha_subida'))

    op.drop_table('solicitud_asistencia')

"""envio.iniciado_en (claimed is not in flight) and solicitud_adjunto.clave_duplicado (issue #17)

Revision ID: 0105
Revises: 0104
Create Date: 2026-12-01 09:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mssql

revision = "0105"
down_revision = "0104"
branch_labels = None
depends_on = None

UTC_DT = sa.DateTime().with_variant(mssql.DATETIME2(precision=6), "mssql")


def upgrade() -> None:
    with op.batch_alter_table("envio") as batch:
        batch.add_column(sa.Column("iniciado_en", UTC_DT, nullable=True))
    # Sends left 'enviando' by an older version were begun as far as anyone knows.
    # A Table (not a string) so the statement follows our schema (see migrations/README.md).
    envio = sa.Table(
        "envio",
        sa.MetaData(),
        sa.Column("iniciado_en", UTC_DT),
        sa.Column("tomado_hasta", UTC_DT),
        sa.Column("creado", UTC_DT),
        sa.Column("estado", sa.String(20)),
    )
    op.execute(
        envio.update()
        .where(envio.c.estado == "enviando")
        .values(iniciado_en=sa.func.coalesce(envio.c.tomado_hasta, envio.c.creado))
    )
    with op.batch_alter_table("solicitud_adjunto") as batch:
        batch.add_column(sa.Column("clave_duplicado", sa.String(length=100), nullable=True))
    where = sa.text("clave_duplicado IS NOT NULL")
    op.create_index(
        "uq_solicitud_adjunto_clave_duplicado",
        "solicitud_adjunto",
        ["clave_duplicado"],
        unique=True,
        sqlite_where=where,
        postgresql_where=where,
        mssql_where=where,
    )


def downgrade() -> None:
    op.drop_index("uq_solicitud_adjunto_clave_duplicado", table_name="solicitud_adjunto")
    with op.batch_alter_table("solicitud_adjunto") as batch:
        batch.drop_column("clave_duplicado")
    with op.batch_alter_table("envio") as batch:
        batch.drop_column("iniciado_en")

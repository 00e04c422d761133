"""DIM's tables are written only where documented (`ESCRITURAS_DIM`), and switchably.

The recorder (tests/dim_writes.py) watches every statement of the whole suite; these tests prove
it catches an undocumented write, and that the two documented writes happen only when their
setting says so.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from dim_revision.clock import FakeClock
from dim_revision.config import IntakeSettings
from dim_revision.db.uow import Database
from dim_revision.services.actor import Actor
from dim_revision.services.intake import registrar_solicitud
from dim_revision.services.turnos import vincular_turno
from tests import factories
from tests.dim_writes import DimWriteRecorder

ACTOR = Actor("portal", "web-1")


def test_recorder_catches_a_write_to_an_unlisted_dim_table(
    database: Database, no_unlisted_dim_writes: DimWriteRecorder
) -> None:
    with database.uow() as uow:
        pr = factories.prestacion(uow.session)
        uow.commit()
    assert no_unlisted_dim_writes.violations == []  # seeding is marked and not counted
    with database.uow() as uow:
        p = database.dim.prestacion
        uow.session.execute(update(p.table).where(p.id == pr.id).values(nombre="OTRA"))
        uow.commit()
    caught = no_unlisted_dim_writes.take()
    assert len(caught) == 1 and caught[0].startswith("UPDATE prestacion ['nombre']")


def test_recorder_catches_raw_sql_on_dim_tables(
    database: Database, no_unlisted_dim_writes: DimWriteRecorder
) -> None:
    with database.uow() as uow:
        factories.paciente(uow.session)
        uow.commit()
    name = database.engine.dialect.identifier_preparer.format_table(database.dim.paciente.table)
    with database.engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM {name} WHERE 1 = 0")
    caught = no_unlisted_dim_writes.take()
    assert len(caught) == 1 and caught[0].startswith("SQL: DELETE FROM")


def test_mobile_update_only_when_enabled(
    database: Database, clock: FakeClock, no_unlisted_dim_writes: DimWriteRecorder
) -> None:
    with database.uow() as uow:
        pac = factories.paciente(uow.session, movil=None)
        uow.commit()
    files = [("o.jpg", factories.jpeg_bytes())]
    no_unlisted_dim_writes.allowed.clear()
    registrar_solicitud(
        database,
        ACTOR,
        clock(),
        IntakeSettings(),
        dni=pac.dni,
        files=files,
        telefono_verificado=True,
        email_verificado=False,
        movil="11 2345-6789",
    )
    assert no_unlisted_dim_writes.allowed == []  # off by default: DIM's row untouched
    enabled = factories.with_dim(database, actualizar_movil=True)
    registrar_solicitud(
        enabled,
        ACTOR,
        clock() + timedelta(days=1),
        IntakeSettings(),
        dni=pac.dni,
        files=[("p.jpg", factories.jpeg_bytes(color="gray"))],
        telefono_verificado=True,
        email_verificado=False,
        movil="11 2345-6789",
    )
    assert [a.split(":")[0] for a in no_unlisted_dim_writes.allowed] == [
        "UPDATE paciente ['telefono_movil']"
    ]
    with database.uow() as uow:
        assert factories.movil_de(uow.session, pac.id) == "11 2345-6789"


@pytest.mark.parametrize("destino", ["propio", "dim"])
def test_order_files_go_where_configured(
    database: Database,
    clock: FakeClock,
    destino: str,
    no_unlisted_dim_writes: DimWriteRecorder,
) -> None:
    db = factories.with_dim(database, adjuntos_destino=destino)
    with db.uow() as uow:
        s = uow.session
        pac = factories.paciente(s)
        sol = factories.solicitud(s, pac, clock() - timedelta(hours=2), files=2)
        turno = factories.turno(s, pac, clock() + timedelta(days=2))
        uow.commit()
    no_unlisted_dim_writes.allowed.clear()
    res = vincular_turno(db, ACTOR, clock(), solicitud_id=sol.id, turno_id=turno.id)
    assert res.adjuntos_copiados == 2
    with db.uow() as uow:
        assert [n for n, _ in factories.adjuntos_del_turno(uow.session, turno.id)] == [
            "orden1.jpg",
            "orden2.jpg",
        ]
    writes = [a.split(" [")[0] for a in no_unlisted_dim_writes.allowed]
    assert writes == (["INSERT adjunto"] if destino == "dim" else [])

"""`db check-dim`, doctor and the start-up check against the live database, on both layouts:
a complete mapping passes; a mapping naming a missing table or column, an incompatible type or
a missing permission is reported in Spanish, and nothing is written against it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, text

from dim_revision import doctor
from dim_revision.bootstrap import AppContext
from dim_revision.cli import main
from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.dim_check import MapeoIncompleto, revisar
from dim_revision.db.models import Evento, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.errors import ConfigError
from dim_revision.paths import AppPaths
from dim_revision.secrets import MemoryStore
from dim_revision.services.actor import Actor
from tests import factories

ACTOR = Actor("portal", "web-1")


def run(db: Database, clock: FakeClock, capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    ctx = AppContext(Settings(), AppPaths.for_user(), MemoryStore(), ACTOR, clock, _db=db)
    code = main(list(argv), context=ctx)
    out, err = capsys.readouterr()
    return code, out, err


def broken(db: Database, **changes: Any) -> Database:
    return factories.with_dim(db, **changes)


def _missing_table(db: Database) -> dict[str, str]:
    schema = db.dim.paciente.table.schema
    return {"paciente_tabla": f"{schema}.NoExiste" if schema else "NoExiste"}


def test_complete_mapping_passes(
    database: Database, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(database, clock, capsys, "db", "check-dim")
    assert (code, err) == (0, ""), out
    assert out.count("[OK]") == 6 and "coinciden con la configuración [dim]" in out
    assert revisar(database) == []


def test_missing_table_and_column_are_named(
    database: Database, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    real_movil = database.dim.paciente.campos["telefono_movil"].columna
    db = broken(database, **_missing_table(database), turno_fecha_hora="FechaQueNoEsta")
    code, out, _ = run(db, clock, capsys, "db", "check-dim")
    assert code == 2
    assert "[FALLA] Falta la tabla" in out and "NoExiste de pacientes" in out
    assert "revisá [dim] paciente_tabla" in out
    assert "Falta la columna FechaQueNoEsta en" in out and "[dim] turno_fecha_hora" in out
    assert "2 problema(s)" in out
    assert real_movil  # the good mapping had it


def test_incompatible_type_is_reported(
    database: Database, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    flag = database.dim.prestacion.campos["activa"].columna
    db = broken(database, prestacion_nombre=flag, prestacion_activa="")  # a flag as the name
    code, out, _ = run(db, clock, capsys, "db", "check-dim")
    assert code == 2
    assert f"La columna {flag} de" in out and "no sirve para nombre (se espera texto)" in out


def test_start_up_check_refuses_to_write_against_a_half_mapped_database(
    database: Database, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    with database.uow() as uow:
        pac = factories.paciente(uow.session)
        uow.commit()
    f = factories.jpeg_bytes()
    path = AppPaths.for_user().data_dir / "orden.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(f)
    db = broken(database, paciente_telefono_movil="CelularQueNoEsta")
    code, out, err = run(db, clock, capsys, "intake", "--dni", pac.dni, "--file", str(path))
    assert (code, out) == (2, "")
    assert "La configuración [dim] no coincide con la base de datos" in err
    assert "Falta la columna CelularQueNoEsta" in err and "Traceback" not in err
    with database.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(SolicitudAsistencia)) == 0
        assert uow.session.scalar(select(func.count()).select_from(Evento)) == 0
    ctx = AppContext(Settings(), AppPaths.for_user(), MemoryStore(), ACTOR, clock, _db=db)
    with pytest.raises(MapeoIncompleto, match="CelularQueNoEsta"):
        ctx.verified_db()


def test_doctor_says_which(database: Database) -> None:
    db = broken(database, **_missing_table(database))
    result = doctor.check_dim(db)
    assert result.estado == doctor.FALLA and "NoExiste" in result.detalle
    assert "check-dim" in result.arreglo
    assert doctor.check_dim(database).estado == doctor.OK


def test_unusable_settings_are_refused_before_connecting(database: Database) -> None:
    with pytest.raises(ConfigError, match=r"\[dim\] prestacion_activa_valores"):
        broken(database, prestacion_activa_valores="SI")
    with pytest.raises(ConfigError, match=r"\[dim\] paciente_dni: falta el nombre de la columna"):
        broken(database, paciente_dni="")
    with pytest.raises(ConfigError, match=r"\[dim\] turno_tabla"):
        broken(database, turno_tabla="a.b.c")
    real_id = database.dim.prestacion.campos["id"].columna
    with pytest.raises(ConfigError, match=r"ya está mapeada en prestacion_id"):
        broken(database, prestacion_nombre=real_id)


@pytest.fixture
def revoked(pg_db: Database) -> Iterator[Database]:
    """Our login without SELECT on DIM's patient table (owners may revoke their own rights)."""
    name = pg_db.engine.dialect.identifier_preparer.format_table(pg_db.dim.paciente.table)
    with pg_db.engine.begin() as conn:
        conn.execute(text(f"REVOKE ALL ON {name} FROM CURRENT_USER"))
    try:
        yield pg_db
    finally:
        with pg_db.engine.begin() as conn:
            conn.execute(text(f"GRANT ALL ON {name} TO CURRENT_USER"))


def test_missing_select_permission_is_reported(
    revoked: Database, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(revoked, clock, capsys, "db", "check-dim")
    assert code == 2
    assert "No se puede leer pacientes" in out and "permission denied" in out


def test_write_permission_is_checked_only_where_we_write(
    pg_db: Database, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    name = pg_db.engine.dialect.identifier_preparer.format_table(pg_db.dim.paciente.table)
    with pg_db.engine.begin() as conn:
        conn.execute(text(f"REVOKE UPDATE ON {name} FROM CURRENT_USER"))
    try:
        assert revisar(pg_db) == []  # actualizar_movil off: UPDATE is not needed
        escribe = dataclasses.replace(pg_db.dim_settings, actualizar_movil=True)
        hallazgos = revisar(Database(pg_db._base_engine, escribe))
        assert [h.mensaje for h in hallazgos] == [
            f"Falta permiso UPDATE sobre {pg_db.dim.paciente.nombre_real} (lo usa [dim] "
            "actualizar_movil: guardar el celular que escribió el paciente)."
        ]
    finally:
        with pg_db.engine.begin() as conn:
            conn.execute(text(f"GRANT ALL ON {name} TO CURRENT_USER"))

"""The `[dim]` mapping as pure values: settings to tables, conversions, refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.dialects import mssql, postgresql, sqlite

from dim_revision.config import DimSettings, load_settings
from dim_revision.db.dim_mapping import (
    DimTables,
    Flag,
    LocalDateTime,
    esquema_propio,
    flag_si,
    nombre_completo,
    parse_valores,
)
from dim_revision.db.dim_repo import partir_nombre
from dim_revision.errors import ConfigError
from tests.layouts import LEGACY

MSSQL = mssql.dialect()


def test_defaults_are_the_standins_and_our_schema_depends_on_the_dialect() -> None:
    dim = DimTables(DimSettings(), "mssql")
    assert dim.paciente.nombre_real == "dbo.paciente"
    assert DimTables(DimSettings(), "postgresql").paciente.nombre_real == "public.paciente"
    assert DimTables(DimSettings(), "sqlite").paciente.nombre_real == "paciente"
    assert esquema_propio(DimSettings(), "mssql") == "revision"
    assert esquema_propio(DimSettings(), "sqlite") is None
    assert esquema_propio(DimSettings(esquema_propio="app"), "postgresql") == "app"
    assert esquema_propio(DimSettings(esquema_propio=""), "mssql") is None


def test_legacy_names_are_used_in_sql_with_our_keys() -> None:
    dim = DimTables(LEGACY, "mssql")
    p = dim.paciente
    assert p.nombre_real == "dbo.Pacientes"
    sql = str((p.dni == "20111222").compile(dialect=MSSQL))
    assert sql == "dbo.[Pacientes].[NroDocumento] = :dni_1"
    assert dim.paciente_nombre_sql()[0] is p.table.c.nombre_completo
    assert str(p.email.compile(dialect=MSSQL)) == "dbo.[Pacientes].[EMail]"
    # Unmapped fields read as NULL.
    assert str(p.fecha_nacimiento.compile(dialect=MSSQL)) == "NULL"
    assert dim.fila("paciente", {"apellido": "Pérez", "nombre": "Ana", "fecha_nacimiento": 1}) == {
        "nombre_completo": "Pérez, Ana"
    }


def test_flags_compare_in_their_own_encoding_never_is() -> None:
    dim = DimTables(LEGACY, "mssql")
    char = flag_si(dim.obra_social.activa).compile(
        dialect=MSSQL, compile_kwargs={"literal_binds": True}
    )
    assert str(char) == "dbo.[ObrasSociales].[Activa] = 'S'"
    num = flag_si(dim.prestacion.activa).compile(
        dialect=MSSQL, compile_kwargs={"literal_binds": True}
    )
    assert str(num) == "dbo.[Prestaciones].[Habilitada] = 1"
    bit = flag_si(DimTables(DimSettings(), "mssql").prestacion.activa).compile(dialect=MSSQL)
    assert " IS " not in str(bit)


@pytest.mark.parametrize(
    ("valores", "raw", "expected"),
    [
        ("S/N", "S", True),
        ("S/N", "n", False),
        ("S/N", "S ", True),
        ("A/I", "I", False),
        ("1/0", 1, True),
        ("1/0", 0, False),
        ("", 1, True),
        ("S/N", None, None),
    ],
)
def test_flag_results(valores: str, raw: object, expected: bool | None) -> None:
    flag = Flag(parse_valores(valores, "x"))
    assert flag.process_result_value(raw, sqlite.dialect()) is expected


def test_flag_binds() -> None:
    assert Flag(("S", "N")).process_bind_param(False, sqlite.dialect()) == "N"
    assert Flag(("1", "0")).process_bind_param(True, sqlite.dialect()) == 1


def test_local_times_are_buenos_aires_wall_clock() -> None:
    t = LocalDateTime()
    utc = datetime(2026, 3, 12, 14, 30, tzinfo=UTC)
    naive = t.process_bind_param(utc, postgresql.dialect())
    assert naive == datetime(2026, 3, 12, 11, 30)
    assert t.process_result_value(naive, postgresql.dialect()) == utc


def test_names() -> None:
    assert partir_nombre("PÉREZ, ANA MARÍA", None) == ("PÉREZ", "ANA MARÍA")
    assert partir_nombre("PÉREZ ANA", None) == ("PÉREZ ANA", "")
    assert partir_nombre("Pérez", "Ana") == ("Pérez", "Ana")
    assert nombre_completo(None, None) == "(sin nombre)"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"prestacion_activa_valores": "SI"}, "prestacion_activa_valores: «SI» no es válido"),
        ({"paciente_dni": ""}, "paciente_dni: falta el nombre de la columna"),
        ({"paciente_nombre_completo": "", "paciente_apellido": ""}, "paciente_apellido: falta"),
        ({"turno_tabla": "a.b.c"}, "turno_tabla: «a.b.c» no es un nombre de tabla válido"),
        ({"turno_fecha_hora": "id"}, "la columna «id» ya está mapeada en turno_id"),
    ],
)
def test_unusable_mappings_are_refused_in_spanish(changes: dict[str, str], message: str) -> None:
    import dataclasses

    with pytest.raises(ConfigError, match=message):
        DimTables(dataclasses.replace(DimSettings(), **changes), "mssql")


def test_dim_section_from_the_environment(tmp_path: object) -> None:
    from pathlib import Path

    settings = load_settings(
        Path(str(tmp_path)) / "none.toml",
        environ={
            "DIM_REVISION__DIM__MODO": "existente",
            "DIM_REVISION__DIM__PACIENTE_TABLA": "dbo.P",
        },
    )
    assert settings.dim.modo == "existente" and settings.dim.paciente_tabla == "dbo.P"
    with pytest.raises(ConfigError, match=r"\[dim\] modo"):
        load_settings(
            Path(str(tmp_path)) / "none.toml", environ={"DIM_REVISION__DIM__MODO": "real"}
        )


def test_a_numeric_dni_is_a_string_in_our_code() -> None:
    dim = DimTables(LEGACY, "postgresql")
    dni = dim.paciente.dni.type
    assert dni.process_bind_param("20111222", postgresql.dialect()) == 20111222
    assert dni.process_bind_param("20.111.222", postgresql.dialect()) is None  # matches nothing
    assert dni.process_result_value(20111222, postgresql.dialect()) == "20111222"
    assert "CAST" in str(dim.dni_texto().compile(dialect=MSSQL))

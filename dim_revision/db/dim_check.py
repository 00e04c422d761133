"""Does the `[dim]` mapping match the live database? (`db check-dim`, `doctor`, start-up check)

Reports, in Spanish, each missing table or column, each incompatible type and each missing
permission: SELECT on every mapped DIM table, and INSERT/UPDATE only where we write
(`dim_mapping.ESCRITURAS_DIM`, each behind its setting). Never writes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine, inspect, select
from sqlalchemy.exc import DBAPIError, NoSuchTableError

from dim_revision.db.dim_mapping import ENTIDADES, Code, DimTable, DimTables, Flag
from dim_revision.db.uow import Database
from dim_revision.errors import UserError


class MapeoIncompleto(UserError):
    """The `[dim]` mapping names tables or columns the database does not have."""


@dataclass(frozen=True)
class Hallazgo:
    entidad: str
    mensaje: str
    grave: bool = True  # False: a warning (the app works, with less data)


_FAMILIAS: dict[str, tuple[str, ...]] = {
    "id": ("INT", "NUMERIC", "DECIMAL", "SERIAL"),
    "ref": ("INT", "NUMERIC", "DECIMAL"),
    "int": ("INT", "NUMERIC", "DECIMAL"),
    "code": ("CHAR", "TEXT", "STRING", "CLOB"),
    "name": ("CHAR", "TEXT", "STRING", "CLOB"),
    "date": ("DATE", "TIMESTAMP"),
    "when": ("DATETIME", "TIMESTAMP", "DATE"),
    "blob": ("BINARY", "BLOB", "BYTEA", "IMAGE"),
}


def _tipo_compatible(kind: str, tabla: DimTable, campo: str, tipo: Any) -> bool:
    nombre = str(tipo).upper() if not isinstance(tipo, sa.types.NullType) else ""
    if not nombre:
        return True  # SQLite may not know: nothing to say
    if kind == "flag":
        flag = tabla.table.c[campo].type
        valores = flag.valores if isinstance(flag, Flag) else None
        if valores is None:
            return any(f in nombre for f in ("BOOL", "BIT", "INT"))
        if all(v.lstrip("-").isdigit() for v in valores):
            return any(f in nombre for f in ("INT", "BIT", "NUMERIC", "BOOL"))
        return "CHAR" in nombre or "TEXT" in nombre
    numero = any(f in nombre for f in _FAMILIAS["int"])
    if kind == "code" and campo == "dni":
        declarado = tabla.table.c[campo].type
        if isinstance(declarado, Code) and declarado.numerico:
            return numero  # [dim] paciente_dni_numerico = true
        return any(f in nombre for f in _FAMILIAS["code"])
    if kind == "code" and numero:
        return True  # numeric codes are read as strings (Code)
    return any(f in nombre for f in _FAMILIAS.get(kind, ()))


def _donde(tabla: DimTable) -> str:
    return f"{ENTIDADES[tabla.entidad]} ({tabla.nombre_real})"


def revisar_estructura(engine: Engine, dim: DimTables) -> list[Hallazgo]:
    """Missing tables and columns, incompatible types (by introspection)."""
    insp = inspect(engine)
    hallazgos: list[Hallazgo] = []
    for entidad, tabla in dim.todas.items():
        t = tabla.table
        if not insp.has_table(t.name, schema=t.schema):
            hallazgos.append(
                Hallazgo(
                    entidad,
                    f"Falta la tabla {tabla.nombre_real} de {ENTIDADES[entidad]}: revisá "
                    f"[dim] {entidad}_tabla (o creá la vista con ese nombre).",
                )
            )
            continue
        try:
            reales = {c["name"].lower(): c for c in insp.get_columns(t.name, schema=t.schema)}
        except NoSuchTableError:
            reales = {}
        for campo, mapeado in tabla.campos.items():
            real = reales.get(mapeado.columna.lower())
            if real is None:
                hallazgos.append(
                    Hallazgo(
                        entidad,
                        f"Falta la columna {mapeado.columna} en {tabla.nombre_real} "
                        f"({ENTIDADES[entidad]}): revisá [dim] {entidad}_{campo}.",
                    )
                )
            elif not _tipo_compatible(mapeado.tipo, tabla, campo, real["type"]):
                hallazgos.append(
                    Hallazgo(
                        entidad,
                        f"La columna {mapeado.columna} de {tabla.nombre_real} es {real['type']}, "
                        f"no sirve para {campo} ({_esperado(mapeado.tipo)}).",
                    )
                )
    return hallazgos


def _esperado(kind: str) -> str:
    return {
        "id": "se espera un entero",
        "ref": "se espera un entero",
        "int": "se espera un entero",
        "code": "se espera texto",
        "name": "se espera texto",
        "flag": "se espera bit, entero o char según [dim] ..._valores",
        "date": "se espera una fecha",
        "when": "se espera fecha y hora",
        "blob": "se espera binario",
    }[kind]


def _escrituras(db: Database) -> dict[str, tuple[str, ...]]:
    """What we write to DIM's tables with these settings (nothing else may be granted to us)."""
    quiere: dict[str, tuple[str, ...]] = {}
    if db.dim_settings.adjuntos_destino == "dim":
        quiere["adjunto"] = ("INSERT",)
    if db.dim_settings.actualizar_movil:
        quiere["paciente"] = ("UPDATE",)
    return quiere


def _permiso(engine: Engine, tabla: DimTable, permiso: str) -> bool | None:
    """Whether our login holds this permission (None: the backend cannot say, e.g. SQLite)."""
    dialect = engine.dialect.name
    t = tabla.table
    nombre = engine.dialect.identifier_preparer.format_table(t)
    if dialect == "mssql":
        query = sa.text("SELECT HAS_PERMS_BY_NAME(:obj, 'OBJECT', :perm)")
    elif dialect == "postgresql":
        query = sa.text("SELECT has_table_privilege(:obj, :perm)")
    else:
        return None
    with engine.connect() as conn:
        value = conn.execute(query, {"obj": nombre, "perm": permiso}).scalar()
    return bool(value)


def revisar_permisos(db: Database) -> list[Hallazgo]:
    """SELECT on every mapped table (a real query with the mapped columns, matching nothing),
    INSERT/UPDATE only where we write."""
    hallazgos: list[Hallazgo] = []
    engine = db.engine
    for entidad, tabla in db.dim.todas.items():
        columnas = [c for c in tabla.table.c]
        try:
            with engine.connect() as conn:
                conn.execute(select(*columnas).where(sa.false()))
        except DBAPIError as exc:
            detalle = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            hallazgos.append(Hallazgo(entidad, f"No se puede leer {_donde(tabla)}: {detalle}"))
            continue
        if _permiso(engine, tabla, "SELECT") is False:
            hallazgos.append(Hallazgo(entidad, f"Falta permiso SELECT sobre {tabla.nombre_real}."))
    for entidad, permisos in _escrituras(db).items():
        tabla = db.dim.todas[entidad]
        for permiso in permisos:
            if _permiso(engine, tabla, permiso) is False:
                hallazgos.append(
                    Hallazgo(
                        entidad,
                        f"Falta permiso {permiso} sobre {tabla.nombre_real} (lo usa "
                        f"{_para_que(entidad)}).",
                    )
                )
    return hallazgos


def _para_que(entidad: str) -> str:
    if entidad == "adjunto":
        return '[dim] adjuntos_destino = "dim": adjuntar la orden al turno'
    return "[dim] actualizar_movil: guardar el celular que escribió el paciente"


def revisar(db: Database) -> list[Hallazgo]:
    """Everything `db check-dim` reports; structure first (a missing table says it once)."""
    estructura = revisar_estructura(db.engine, db.dim)
    rotas = {h.entidad for h in estructura}
    permisos = [h for h in revisar_permisos(db) if h.entidad not in rotas]
    return estructura + permisos


def exigir_mapeo(db: Database) -> None:
    """Start-up check: refuse to work (and so to write) against a half-mapped database."""
    problemas = [h.mensaje for h in revisar_estructura(db.engine, db.dim) if h.grave]
    if problemas:
        raise MapeoIncompleto(
            "La configuración [dim] no coincide con la base de datos; no se puede trabajar "
            "así:\n  - "
            + "\n  - ".join(problemas)
            + "\nCorregí la configuración (o pedí al DBA las vistas) y probá «dim-revision db "
            "check-dim»."
        )

"""DIM's tables, mapped by configuration: the one module that knows where DIM keeps its data.

We never see DIM's legacy schema, so every DIM entity we read (paciente, obra social, plan,
prestación, turno, and DIM's attachment table of a turno) is a `Table` built at run time from the
`[dim]` settings: real `schema.table`, real column names, and the conversions legacy schemas need
(one "APELLIDO, NOMBRE" column, char/bit flags, local-time datetimes). Columns carry our logical
names as their `key`, so services write `dim.paciente.dni` and the SQL uses `NroDocumento`.

Nothing here is built at import time: `DimTables.build(settings, dialect)` is called by the
`Database` (composition root). Services reach the tables through `dim_de(session)`.

The same tables create the stand-ins (demo, tests) in `modo = "standins"`; against DIM's real
database (`modo = "existente"`) nothing in this module ever creates, alters or drops a table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Column, Dialect, MetaData, Table, TypeDecorator
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from dim_revision.clock import LOCAL_TZ
from dim_revision.config import DimSettings
from dim_revision.db.base import NAMING_CONVENTION, UTCDateTime
from dim_revision.errors import ConfigError

# --- what we read: entity -> (field, kind, required) ---------------------------------------------

ENTIDADES: dict[str, str] = {
    "paciente": "pacientes",
    "obra_social": "obras sociales",
    "plan": "planes",
    "prestacion": "prestaciones",
    "turno": "turnos",
    "adjunto": "adjuntos de turnos",
}

# kinds: id, ref (integer FK), code (short ASCII), name (NVARCHAR), flag, date, when, int, blob
CAMPOS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "paciente": (
        ("id", "id", True),
        ("dni", "code", True),
        ("nombre_completo", "name", False),
        ("apellido", "name", False),
        ("nombre", "name", False),
        ("fecha_nacimiento", "date", False),
        ("telefono_movil", "name", True),
        ("telefono_fijo", "name", False),
        ("email", "name", False),
        ("obra_social_id", "ref", False),
        ("plan_id", "ref", False),
        ("numero_afiliado", "name", False),
    ),
    "obra_social": (
        ("id", "id", True),
        ("nombre", "name", True),
        ("sigla", "name", False),
        ("activa", "flag", False),
    ),
    "plan": (
        ("id", "id", True),
        ("obra_social_id", "ref", False),
        ("nombre", "name", True),
        ("activo", "flag", False),
    ),
    "prestacion": (
        ("id", "id", True),
        ("codigo", "code", True),
        ("nombre", "name", True),
        ("modalidad", "name", False),
        ("activa", "flag", False),
        ("codigo_nomenclador", "code", False),
    ),
    "turno": (
        ("id", "id", True),
        ("paciente_id", "ref", True),
        ("prestacion_id", "ref", False),
        ("fecha_hora", "when", True),
        ("estado", "code", False),
    ),
    "adjunto": (
        ("id", "id", True),
        ("turno_id", "ref", True),
        ("nombre_archivo", "name", True),
        ("mime", "code", True),
        ("tamano", "int", False),
        ("sha256", "code", False),
        ("contenido", "blob", True),
        ("origen_id", "ref", False),
        ("fecha_alta", "when", False),
    ),
}

_LARGO = {"code": 64, "name": 255}
_LARGO_CAMPO = {"dni": 12, "mime": 60, "estado": 20, "codigo": 20, "sigla": 30}

# The only writes the application makes to DIM's tables (DESIGN §1), each behind a setting:
# the order files attached to the booked turno (`adjuntos_destino = "dim"`) and the mobile the
# patient typed at upload (`actualizar_movil = true`). Every other DIM table is read-only.
ESCRITURAS_DIM: dict[str, tuple[str, ...]] = {
    "adjunto": ("INSERT",),
    "paciente": ("UPDATE telefono_movil",),
}

SEED = {"dim_seed": True}  # execution option marking demo/test writes to the stand-ins


# --- conversions ---------------------------------------------------------------------------------


def parse_valores(raw: str, donde: str) -> tuple[str, str] | None:
    """ "S/N" -> ("S", "N"); "" -> None (a native bit/boolean column)."""
    raw = raw.strip()
    if not raw:
        return None
    partes = [p.strip() for p in raw.split("/")]
    if len(partes) != 2 or not all(partes) or partes[0] == partes[1]:
        raise ConfigError(
            f"[dim] {donde}: «{raw}» no es válido; usá el valor de sí y el de no separados "
            "por «/», por ejemplo S/N, A/I o 1/0 (vacío si la columna es bit)."
        )
    return partes[0], partes[1]


class Flag(TypeDecorator[bool]):
    """A yes/no column stored as bit/boolean, as a char ('S'/'N', 'A'/'I') or as an integer."""

    impl = sa.Boolean
    cache_ok = True

    def __init__(self, valores: tuple[str, str] | None = None) -> None:
        super().__init__()
        self.valores = valores

    @property
    def _entero(self) -> bool:
        return self.valores is not None and all(v.lstrip("-").isdigit() for v in self.valores)

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if self.valores is None:
            return dialect.type_descriptor(sa.Boolean())
        if self._entero:
            return dialect.type_descriptor(sa.Integer())
        return dialect.type_descriptor(sa.String(max(len(v) for v in self.valores)))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or self.valores is None:
            return value
        si, no = self.valores
        elegido = si if value else no
        return int(elegido) if self._entero else elegido

    def process_result_value(self, value: Any, dialect: Dialect) -> bool | None:
        if value is None:
            return None
        if self.valores is None:
            return bool(value)
        return str(value).strip().upper() == self.valores[0].upper()


class LocalDateTime(TypeDecorator[datetime]):
    """A naive Buenos Aires wall-clock datetime in DIM's table, aware UTC in our code."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a local-time column")
        return value.astimezone(LOCAL_TZ).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            return value.astimezone(UTC)
        return value.replace(tzinfo=LOCAL_TZ).astimezone(UTC)


class Code(TypeDecorator[str]):
    """Codes and DNIs are strings in our code even where DIM stores them as CHAR(n) (padded) or
    as numbers (`numerico`: a BIGINT column; a non-numeric value matches nothing)."""

    impl = sa.String
    cache_ok = True

    def __init__(self, length: int | None = None, numerico: bool = False) -> None:
        super().__init__(length)
        self.length = length
        self.numerico = numerico

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if self.numerico:
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.String(self.length))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or not self.numerico:
            return value
        text = str(value).strip()
        return int(text) if text.isdigit() else None

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(value).strip()


# --- the mapping -------------------------------------------------------------------------------


def default_schema(dialect: str) -> str | None:
    return {"mssql": "dbo", "postgresql": "public"}.get(dialect)


def esquema_propio(settings: DimSettings, dialect: str) -> str | None:
    """Where our own tables live: `revision` by default on SQL Server and PostgreSQL."""
    if dialect == "sqlite":
        return None
    valor = settings.esquema_propio.strip()
    if valor == "auto":
        return "revision"
    return valor or None


def _split_tabla(raw: str, dialect: str, donde: str) -> tuple[str | None, str]:
    partes = [p.strip().strip('[]"') for p in raw.strip().split(".")]
    if not raw.strip() or len(partes) > 2 or not all(partes):
        raise ConfigError(
            f"[dim] {donde}: «{raw}» no es un nombre de tabla válido (usá esquema.tabla)."
        )
    if dialect == "sqlite":  # no schemas: the same layout works on an embedded file
        return None, partes[-1]
    if len(partes) == 2:
        return partes[0], partes[1]
    return default_schema(dialect), partes[0]


@dataclass(frozen=True)
class CampoMapeado:
    campo: str
    columna: str
    tipo: str
    requerido: bool


class DimTable:
    """One DIM table; attributes are its columns by our logical names (`paciente.dni`).

    A field DIM's table does not have (mapped to "") reads as SQL NULL."""

    def __init__(self, entidad: str, table: Table, campos: dict[str, CampoMapeado]) -> None:
        self.entidad = entidad
        self.table = table
        self.campos = campos

    def __getattr__(self, campo: str) -> Any:
        if campo.startswith("_"):
            raise AttributeError(campo)
        if campo in self.table.c:
            return self.table.c[campo]
        if any(campo == c for c, _, _ in CAMPOS[self.entidad]):
            return sa.null()
        raise AttributeError(f"{self.entidad} has no field {campo}")

    def tiene(self, campo: str) -> bool:
        return campo in self.table.c

    @property
    def nombre_real(self) -> str:
        return self.table.fullname


class DimTables:
    """DIM's tables as configured, for one dialect."""

    def __init__(self, settings: DimSettings, dialect: str) -> None:
        self.settings = settings
        self.dialect = dialect
        self.metadata = MetaData(naming_convention=NAMING_CONVENTION)
        tablas = {e: self._tabla(e) for e in ENTIDADES}
        self.paciente = tablas["paciente"]
        self.obra_social = tablas["obra_social"]
        self.plan = tablas["plan"]
        self.prestacion = tablas["prestacion"]
        self.turno = tablas["turno"]
        self.adjunto = tablas["adjunto"]
        self.todas: dict[str, DimTable] = tablas

    @classmethod
    def build(cls, settings: DimSettings, dialect: str) -> DimTables:
        return cls(settings, dialect)

    def _valores(self, entidad: str, campo: str) -> tuple[str, str] | None:
        key = f"{entidad}_{campo}_valores"
        return parse_valores(getattr(self.settings, key, ""), key)

    def _tipo(self, entidad: str, campo: str, kind: str) -> Any:
        if kind in ("id", "ref", "int"):
            return sa.Integer()
        if kind == "code":
            numerico = (entidad, campo) == (
                "paciente",
                "dni",
            ) and self.settings.paciente_dni_numerico
            return Code(_LARGO_CAMPO.get(campo, _LARGO["code"]), numerico=numerico)
        if kind == "name":
            return sa.Unicode(_LARGO_CAMPO.get(campo, _LARGO["name"]))
        if kind == "flag":
            return Flag(self._valores(entidad, campo))
        if kind == "date":
            return sa.Date()
        if kind == "when":
            return LocalDateTime() if self.settings.horas == "local" else UTCDateTime()
        if kind == "blob":
            return sa.LargeBinary()
        raise AssertionError(kind)

    def _tabla(self, entidad: str) -> DimTable:
        key = f"{entidad}_tabla"
        schema, nombre = _split_tabla(getattr(self.settings, key), self.dialect, key)
        mapeados: dict[str, CampoMapeado] = {}
        columnas: list[Column[Any]] = []
        un_nombre = entidad == "paciente" and bool(self.settings.paciente_nombre_completo.strip())
        for campo, kind, requerido in CAMPOS[entidad]:
            real = str(getattr(self.settings, f"{entidad}_{campo}")).strip()
            if entidad == "paciente" and campo in ("apellido", "nombre"):
                if un_nombre:
                    continue
                requerido = True
            if entidad == "paciente" and campo == "nombre_completo" and un_nombre:
                requerido = True
            if not real:
                if requerido:
                    raise ConfigError(
                        f"[dim] {entidad}_{campo}: falta el nombre de la columna de "
                        f"{ENTIDADES[entidad]} (es obligatoria)."
                    )
                continue
            repetido = next(
                (m for m in mapeados.values() if m.columna.lower() == real.lower()), None
            )
            if repetido is not None:
                raise ConfigError(
                    f"[dim] {entidad}_{campo}: la columna «{real}» ya está mapeada en "
                    f"{entidad}_{repetido.campo}; cada campo necesita su propia columna."
                )
            mapeados[campo] = CampoMapeado(campo, real, kind, requerido)
            columnas.append(
                Column(
                    real,
                    self._tipo(entidad, campo, kind),
                    key=campo,
                    primary_key=kind == "id",
                    autoincrement=kind == "id",
                    nullable=kind != "id",
                )
            )
        table = Table(
            nombre,
            self.metadata,
            *columnas,
            schema=schema,
            implicit_returning=False,  # DIM's tables may have triggers: no OUTPUT/RETURNING
            info={"dim": entidad},
        )
        return DimTable(entidad, table, mapeados)

    # --- names -----------------------------------------------------------------------------

    def paciente_nombre_sql(self) -> tuple[Any, Any]:
        """(apellido, nombre) as SQL; with one "APELLIDO, NOMBRE" column, (that column, NULL)."""
        p = self.paciente
        if p.tiene("nombre_completo"):
            return p.nombre_completo, sa.null()
        return p.apellido, p.nombre

    def dni_texto(self) -> Any:
        """The DNI as text in SQL (for LIKE), whether DIM stores it as text or as a number."""
        dni = self.paciente.dni
        if self.settings.paciente_dni_numerico:
            return sa.cast(dni, sa.String(20))
        return dni

    def schemas(self) -> set[str]:
        return {t.table.schema for t in self.todas.values() if t.table.schema}

    def fila(self, entidad: str, valores: Mapping[str, Any]) -> dict[str, Any]:
        """Logical values -> this layout's row (by column key): seeds and the writes we make."""
        tabla = self.todas[entidad]
        fila = {k: v for k, v in valores.items() if tabla.tiene(k)}
        una_columna = entidad == "paciente" and tabla.tiene("nombre_completo")
        if una_columna and "nombre_completo" not in valores and "apellido" in valores:
            fila["nombre_completo"] = nombre_completo(valores["apellido"], valores.get("nombre"))
        return fila

    def create_standins(self, conn: Connection) -> None:
        """Demo and tests only (`modo = "standins"`): DIM's tables as this mapping describes."""
        if self.settings.modo != "standins":
            raise ConfigError(
                "[dim] modo = «existente»: las tablas de DIM no se crean ni se modifican."
            )
        for schema in sorted(self.schemas()):
            crear_esquema(conn, schema)
        self.metadata.create_all(conn, checkfirst=True)


def crear_esquema(conn: Connection, schema: str) -> None:
    preparer = conn.dialect.identifier_preparer
    quoted = preparer.quote_schema(schema)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {quoted}")
    elif conn.dialect.name == "mssql":
        literal = schema.replace("'", "''")
        conn.exec_driver_sql(f"IF SCHEMA_ID(N'{literal}') IS NULL EXEC(N'CREATE SCHEMA {quoted}')")


def nombre_completo(apellido: str | None, nombre: str | None) -> str:
    """How the app shows a patient: "Apellido, Nombre" from two columns, or the one column as is."""
    a, n = (apellido or "").strip(), (nombre or "").strip()
    if a and n:
        return f"{a}, {n}"
    return a or n or "(sin nombre)"


def dim_de(session: Session) -> DimTables:
    """The DIM tables of the database this session belongs to (set by `Database`)."""
    dim = session.info.get("dim")
    if not isinstance(dim, DimTables):
        raise RuntimeError("session not created by Database: no DIM mapping attached")
    return dim


def flag_si(column: Any) -> Any:
    """`flag = <yes>` in the column's own encoding ('S', 1, true) — never `IS 1`."""
    if isinstance(column, sa.Null):
        return sa.true()
    return column == sa.literal(True, column.type)

"""Records every INSERT/UPDATE/DELETE that reaches one of DIM's tables (any engine, any layout).

The only writes the application may make to DIM's tables are `dim_mapping.ESCRITURAS_DIM`
(the order attached to the turno, the patient's mobile). Test fixtures and the demo seed the
stand-ins with the `dim_seed` execution option, which the recorder skips. The autouse fixture
in `conftest.py` fails any test during which another write reached a DIM table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.sql.dml import Delete, Insert, Update

from dim_revision.db.dim_mapping import ESCRITURAS_DIM
from tests.layouts import LAYOUTS

_VERB = {Insert: "INSERT", Update: "UPDATE", Delete: "DELETE"}
# Raw SQL naming a DIM table (any layout) after a write verb.
_DIM_NAMES = sorted(
    {
        getattr(s, f"{e}_tabla").split(".")[-1].lower()
        for s in LAYOUTS.values()
        for e in ("paciente", "obra_social", "plan", "prestacion", "turno", "adjunto")
    }
)
_RAW = re.compile(
    r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO)\s+[\w\"\[\]\.]*?[\"\[]?("
    + "|".join(re.escape(n) for n in _DIM_NAMES)
    + r")[\"\]]?(\s|\(|$)",
    re.IGNORECASE,
)


def permitida(entidad: str, verbo: str, columnas: set[str]) -> bool:
    for permitido in ESCRITURAS_DIM.get(entidad, ()):
        partes = permitido.split()
        if partes[0] != verbo:
            continue
        if len(partes) == 1 or columnas <= set(partes[1:]):
            return True
    return False


@dataclass
class DimWriteRecorder:
    violations: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def __call__(
        self,
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        if context is not None and context.execution_options.get("dim_seed"):
            return
        compiled = getattr(context, "compiled", None)
        stmt = getattr(compiled, "statement", None)
        verbo = next((v for k, v in _VERB.items() if isinstance(stmt, k)), None)
        if verbo is not None:
            entidad = getattr(stmt, "table", None)
            info = getattr(entidad, "info", {}) or {}
            if "dim" not in info:
                return
            columnas = {getattr(k, "key", str(k)) for k in (getattr(stmt, "_values", None) or {})}
            if verbo == "UPDATE" and not columnas and parameters:
                first = parameters[0] if executemany else parameters
                columnas = {str(k) for k in first} if isinstance(first, dict) else set()
            linea = f"{verbo} {info['dim']} {sorted(columnas)}: {statement.splitlines()[0]}"
            if permitida(info["dim"], verbo, columnas):
                self.allowed.append(linea)
            else:
                self.violations.append(linea)
            return
        if _RAW.search(statement):
            self.violations.append(f"SQL: {statement.splitlines()[0]}")

    @contextmanager
    def installed(self) -> Iterator[DimWriteRecorder]:
        event.listen(Engine, "before_cursor_execute", self)
        try:
            yield self
        finally:
            event.remove(Engine, "before_cursor_execute", self)

    def take(self) -> list[str]:
        out, self.violations = self.violations, []
        return out

"""Export the supervisor's filtered grid to CSV or XLSX, in pages (issue #6).

CSV is what Excel in Spanish opens with a double click: UTF-8 with BOM, `;` between fields and
local `dd/mm/aaaa hh:mm` dates. XLSX has real dates, a bold frozen header and column widths.
Rows come from `list_queue` page by page (never 100 000 rows in memory) and go to a temporary
file next to the target that replaces it only when complete: a failure leaves no file behind.
"""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from dim_revision.clock import to_local
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoFiltro, etiqueta_envio
from dim_revision.errors import UserError, ValidationError
from dim_revision.services.operadores import requerir_supervisor
from dim_revision.services.queue import QueueFilter, QueueRow, count_queue, list_queue
from dim_revision.shared.actor import Actor
from dim_revision.shared.audit import registrar_evento

Progreso = Callable[[int, int], None]

PAGE_SIZE = 1000

# (header, XLSX width) in the requirements' order, plus send state and turno.
COLUMNAS: tuple[tuple[str, int], ...] = (
    ("Fecha de subida", 17),
    ("Nombre", 32),
    ("DNI", 12),
    ("Teléfono verificado", 11),
    ("Teléfono móvil", 18),
    ("Email", 30),
    ("Obra social", 24),
    ("Plan", 16),
    ("Fecha contacto", 17),
    ("Usuario contacto", 16),
    ("Resuelto", 9),
    ("Estado del envío", 16),
    ("Turno", 10),
)
_DATE_COLUMNS = (0, 8)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Formato(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class ResultadoExport:
    archivo: Path
    filas: int


def _si_no(value: bool) -> str:
    return "Sí" if value else "No"


def _values(row: QueueRow) -> list[Any]:
    """One grid row as cells; dates stay datetimes (local, naive) for the writer to format."""
    return [
        to_local(row.fecha_subida).replace(tzinfo=None),
        row.nombre,
        row.dni,
        _si_no(row.telefono_verificado),
        row.telefono_movil or "",
        row.email or "",
        row.obra_social or "",
        row.plan or "",
        to_local(row.fecha_contacto).replace(tzinfo=None) if row.fecha_contacto else None,
        row.usuario_contacto or "",
        _si_no(row.resuelto),
        etiqueta_envio(row.estado_envio, None),
        str(row.id_turno_destino) if row.id_turno_destino is not None else "",
    ]


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    text = str(value)
    # Patient-typed text that Excel would run as a formula ("=HYPERLINK(…)") is kept as text.
    if text.startswith(_FORMULA_STARTS) and not _looks_like_phone(text):
        return "'" + text
    return text


def _looks_like_phone(text: str) -> bool:
    return text[0] == "+" and all(ch.isdigit() or ch in " -()+" for ch in text)


def total_filas(db: Database, filtro: QueueFilter, now: datetime) -> int:
    with db.uow() as uow:
        counts = count_queue(uow.session, filtro, now, tope=None)  # exact, whatever the text
    if filtro.estado in (EstadoFiltro.PENDIENTES, EstadoFiltro.PENDIENTES_TODAS):
        # unresolved plus those requiring attention
        return counts.pendientes + counts.atencion
    if filtro.estado is EstadoFiltro.ATENCION:
        return counts.atencion
    if filtro.estado is EstadoFiltro.RESUELTAS:
        return counts.resueltas
    return counts.total


def iter_filas(
    db: Database, filtro: QueueFilter, now: datetime, page_size: int = PAGE_SIZE
) -> Iterator[QueueRow]:
    """The grid's rows, oldest first, one short transaction per page."""
    offset = 0
    while True:
        with db.uow() as uow:
            page = list_queue(uow.session, filtro, now, offset=offset, limit=page_size)
        yield from page
        if len(page) < page_size:
            return
        offset += page_size


def _write_csv(out: IO[str], rows: Iterator[QueueRow], tick: Callable[[], None]) -> None:
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([name for name, _ in COLUMNAS])
    for row in rows:
        writer.writerow([_csv_text(v) for v in _values(row)])
        tick()


def _write_xlsx(path: Path, rows: Iterator[QueueRow], tick: Callable[[], None]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Solicitudes")
    for i, (_, width) in enumerate(COLUMNAS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name, _ in COLUMNAS:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for row in rows:
        cells: list[Any] = []
        for i, value in enumerate(_values(row)):
            cell = WriteOnlyCell(ws, value=value)
            if i in _DATE_COLUMNS and value is not None:
                cell.number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the patient typed
            cells.append(cell)
        ws.append(cells)
        tick()
    wb.save(path)


def _temp_beside(destino: Path, suffix: str) -> Path:
    parent = destino.parent
    if not parent.is_dir():
        raise UserError(f"No existe la carpeta «{parent}» para guardar la exportación.")
    try:
        fd, name = tempfile.mkstemp(prefix=".export-", suffix=suffix, dir=parent)
    except OSError as exc:
        raise UserError(
            f"No se puede escribir en «{parent}»: {exc.strerror or exc}. Elegí otra carpeta."
        ) from None
    os.close(fd)
    return Path(name)


def exportar(
    db: Database,
    actor: Actor,
    now: datetime,
    filtro: QueueFilter,
    destino: Path,
    formato: Formato | str,
    *,
    progreso: Progreso | None = None,
    page_size: int = PAGE_SIZE,
) -> ResultadoExport:
    """Write the grid for `filtro` to `destino`; `progreso(done, total)` after each page.
    Supervisors only (issue 13.9)."""
    requerir_supervisor(db, actor)
    try:
        fmt = Formato(str(formato).lower())
    except ValueError:
        raise ValidationError(f"Formato desconocido «{formato}»: usá csv o xlsx.") from None
    if filtro.desde > filtro.hasta:
        raise ValidationError("La fecha «desde» es posterior a «hasta».")
    if destino.is_dir():
        raise UserError(f"«{destino}» es una carpeta: indicá el nombre del archivo.")
    total = total_filas(db, filtro, now)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progreso is not None and (done % page_size == 0 or done == total):
            progreso(done, max(total, done))

    temp = _temp_beside(destino, "." + fmt.value)
    try:
        rows = iter_filas(db, filtro, now, page_size)
        if progreso is not None:
            progreso(0, total)
        if fmt is Formato.CSV:
            with temp.open("w", encoding="utf-8-sig", newline="") as out:
                _write_csv(out, rows, tick)
        else:
            _write_xlsx(temp, rows, tick)
        os.replace(temp, destino)
    except OSError as exc:
        raise UserError(f"No se pudo guardar «{destino}»: {exc.strerror or exc}.") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    with db.uow() as uow:
        registrar_evento(
            uow.session,
            actor,
            "exportacion",
            now,
            detalle={
                "desde": filtro.desde.isoformat(),
                "hasta": filtro.hasta.isoformat(),
                "estado": filtro.estado.value,
                "formato": fmt.value,
                "filas": done,
            },
        )
        uow.commit()
    return ResultadoExport(destino, done)


def columnas() -> Sequence[str]:
    return [name for name, _ in COLUMNAS]

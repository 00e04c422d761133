"""Issue 19's queue pieces: keyset pages, the folded search copy, the ids-first poll stamps."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from dim_revision.clock import FakeClock, local_today
from dim_revision.db.models import BusquedaPaciente, Envio, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.services import queue_window as queue
from dim_revision.services.queue import QueueCursor, QueueFilter
from dim_revision.services.queue_texto import completar_busqueda, sincronizar_busqueda
from tests import factories


def _seed(db: Database, clock: FakeClock, count: int) -> list[int]:
    now = clock()
    with db.write() as uow:
        pac = factories.paciente(uow.session, apellido="Núñez", nombre="José")
        ids = [
            factories.solicitud(uow.session, pac, now - timedelta(minutes=120 - i // 3), files=0).id
            for i in range(count)
        ]
        uow.commit()
    return ids


def _walk(db: Database, filtro: QueueFilter, now: datetime, limit: int, **orden: Any) -> list[int]:
    """Every id the keyset pages give, page after page (`orden`: sort and descending)."""
    seen: list[int] = []
    cursor: QueueCursor | None = None
    while True:
        page = queue.pagina(db, filtro, now, despues=cursor, limit=limit, **orden)
        seen += [r.id for r in page.rows]
        if page.siguiente is None:
            return seen
        cursor = page.siguiente


def test_keyset_pages_cover_every_row_once_in_order(database: Database, clock: FakeClock) -> None:
    ids = _seed(database, clock, 23)
    now = clock()
    filtro = QueueFilter.today(now)
    assert _walk(database, filtro, now, 5) == ids
    assert _walk(database, filtro, now, 5, descending=True) == list(reversed(ids))
    # A nullable sort key (no contact yet on most rows) still walks every row exactly once.
    with database.write() as uow:
        uow.session.execute(
            update(SolicitudAsistencia)
            .where(SolicitudAsistencia.id.in_(ids[::4]))
            .values(usuario_contacto="ana")
        )
        uow.commit()
    for descending in (False, True):
        walked = _walk(database, filtro, now, 4, sort="usuario_contacto", descending=descending)
        assert sorted(walked) == ids and len(walked) == len(ids)


def test_keyset_pages_by_a_boolean_column_with_a_text(database: Database, clock: FakeClock) -> None:
    """Sorting by «Resuelto» with a text filter on: the cursor holds True/False and the next
    page still follows it (SQLAlchemy refuses `>=` against a bare bool)."""
    ids = _seed(database, clock, 9)
    now = clock()
    with database.write() as uow:
        uow.session.execute(
            update(SolicitudAsistencia)
            .where(SolicitudAsistencia.id.in_(ids[::3]))
            .values(resuelto=True)
        )
        uow.commit()
    today = local_today(now)
    filtro = QueueFilter(today, today, EstadoFiltro.TODAS, "nunez")
    for descending in (False, True):
        walked = _walk(database, filtro, now, 2, sort="resuelto", descending=descending)
        assert sorted(walked) == ids and len(walked) == len(ids)
        resolved = [sid in ids[::3] for sid in walked]
        assert resolved == sorted(resolved, reverse=descending)


def test_keyset_pages_are_stable_under_inserts(database: Database, clock: FakeClock) -> None:
    """A row uploaded while the operator scrolls never shifts the next page (OFFSET would
    repeat a row); it shows up where it belongs on the next poll."""
    ids = _seed(database, clock, 10)
    now = clock()
    filtro = QueueFilter.today(now)
    first = queue.pagina(database, filtro, now, limit=5)
    with database.write() as uow:
        pac = factories.paciente(uow.session, dni="27000111")
        earlier = factories.solicitud(uow.session, pac, now - timedelta(hours=5), files=0).id
        uow.commit()
    second = queue.pagina(database, filtro, now, despues=first.siguiente, limit=5)
    assert [r.id for r in first.rows + second.rows] == ids
    assert earlier not in [r.id for r in second.rows]


def test_text_filter_uses_the_folded_copy_and_falls_back_without_it(
    database: Database, clock: FakeClock
) -> None:
    ids = _seed(database, clock, 3)
    now = clock()
    today = local_today(now)

    def search(texto: str) -> list[int]:
        filtro = QueueFilter(today, today, EstadoFiltro.TODAS, texto)
        return [r.id for r in queue.pagina(database, filtro, now).rows]

    with database.read() as uow:
        assert uow.session.scalar(select(func.count()).select_from(BusquedaPaciente)) == 0
    assert search("nunez jose") == ids  # no copy yet: DIM's name folded in SQL
    assert completar_busqueda(database) == 1
    assert completar_busqueda(database) == 0  # nothing left: a read, no write
    assert search("NÚÑEZ jos") == ids
    assert search("gonzalez") == []
    queue.preparar_busqueda(database)  # this process now knows every patient has a copy
    assert database.flags.get("busqueda_completa")
    assert search("nunez") == ids and search("30.1") == [] and search("gonzalez") == []
    with database.read() as uow:
        copia = uow.session.scalars(select(BusquedaPaciente.nombre)).one()
    assert copia.startswith("nunez") and "jose" in copia
    assert (
        queue.conteos(database, QueueFilter(today, today, EstadoFiltro.TODAS, "nunez"), now).total
        == 3
    )


def test_a_copy_is_refreshed_when_the_patient_is_synced_again(
    database: Database, clock: FakeClock
) -> None:
    now = clock()
    with database.write() as uow:
        pac = factories.paciente(uow.session, apellido="Gómez", nombre="Eva")
        sid = factories.solicitud(uow.session, pac, now - timedelta(hours=1), files=0).id
        sincronizar_busqueda(uow.session, [pac.id])
        uow.commit()
    today = local_today(now)
    filtro = QueueFilter(today, today, EstadoFiltro.TODAS, "gomez eva")
    assert [r.id for r in queue.pagina(database, filtro, now).rows] == [sid]
    with database.write() as uow:  # written twice: replaced, never duplicated
        sincronizar_busqueda(uow.session, [pac.id])
        uow.commit()
    assert [r.id for r in queue.pagina(database, filtro, now).rows] == [sid]


def test_stamps_change_only_with_what_the_grid_shows(database: Database, clock: FakeClock) -> None:
    ids = _seed(database, clock, 4)
    now = clock()
    filtro = QueueFilter.today(now)
    before = {s.id: s.sello for s in queue.sellos(database, filtro, now, limit=10)}
    assert list(before) == ids
    assert {s.id: s.sello for s in queue.sellos(database, filtro, now, limit=10)} == before
    rows = {r.id: queue.row_stamp(r) for r in queue.filas(database, ids, now)}
    assert rows == before  # a row read by id gives the same stamp
    with database.write() as uow:
        uow.session.add(
            Envio(
                solicitud_id=ids[1],
                telefono="5491100000000",
                plantilla="p",
                parametros="{}",
                link="l",
                token_id="t",
                estado="pendiente",
                creado=now,
                creado_por="ana",
                enviar_desde=now,
            )
        )
        uow.commit()
    after = {s.id: s.sello for s in queue.sellos_de(database, ids, now)}
    assert [i for i in ids if after[i] != before[i]] == [ids[1]]


def test_every_text_mode_finds_the_same_rows(database: Database, clock: FakeClock) -> None:
    """FILA / RANGO / PACIENTES (chosen by the range's size) differ in plan, never in rows."""
    from sqlalchemy import select as sa_select

    from dim_revision.db.dim_mapping import dim_de
    from dim_revision.services.queue import queue_conditions
    from dim_revision.services.queue_texto import FILA, PACIENTES, RANGO

    ids = _seed(database, clock, 3)
    now = clock()
    today = local_today(now)
    with database.write() as uow:
        other = factories.paciente(uow.session, apellido="Gómez", nombre="Eva")
        factories.solicitud(uow.session, other, now - timedelta(hours=1), files=0)
        uow.commit()
    completar_busqueda(database)
    filtro = QueueFilter(today, today, EstadoFiltro.TODAS, "nunez jo")
    found = {}
    with database.read() as uow:
        dim = dim_de(uow.session)
        for modo in (FILA, RANGO, PACIENTES):
            for completa in (False, True):
                conds = queue_conditions(filtro, now, dim=dim, modo=modo, completa=completa)
                stmt = sa_select(SolicitudAsistencia.id).where(*conds)
                found[(modo, completa)] = sorted(uow.session.scalars(stmt))
    assert all(rows == sorted(ids) for rows in found.values()), found

"""Queue queries: filters, defaults, soft delete, counts, paging, columns."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from dim_revision.clock import FakeClock, local_today
from dim_revision.db.models import SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.services.queue import QueueFilter, count_queue, list_queue
from tests import factories


def _seed(db: Database, clock: FakeClock) -> dict[str, int]:
    now = clock()
    with db.uow() as uow:
        s = uow.session
        ana = factories.paciente(
            s, dni="30111222", apellido="Pérez", nombre="Ana", movil="011 15-2345-6789"
        )
        jose = factories.paciente(
            s, dni="28999888", apellido="Núñez", nombre="José", movil="(0351) 15 555-1234"
        )
        ids = {
            "ana_hoy_temprano": factories.solicitud(s, ana, now - timedelta(hours=3)).id,
            "jose_hoy": factories.solicitud(s, jose, now - timedelta(hours=1)).id,
            "ana_ayer": factories.solicitud(s, ana, now - timedelta(days=1)).id,
            "jose_resuelta_hoy": factories.solicitud(s, jose, now - timedelta(hours=2)).id,
            "ana_baja_hoy": factories.solicitud(s, ana, now - timedelta(minutes=30)).id,
        }
        s.execute(
            update(SolicitudAsistencia)
            .where(SolicitudAsistencia.id == ids["jose_resuelta_hoy"])
            .values(resuelto=True, fecha_resuelto=now)
        )
        s.execute(
            update(SolicitudAsistencia)
            .where(SolicitudAsistencia.id == ids["ana_baja_hoy"])
            .values(fecha_baja=now)
        )
        uow.commit()
    return ids


def test_default_is_today_unresolved_oldest_first(database: Database, clock: FakeClock) -> None:
    ids = _seed(database, clock)
    with database.uow() as uow:
        rows = list_queue(uow.session, QueueFilter.today(clock()), clock())
    assert [r.id for r in rows] == [ids["ana_hoy_temprano"], ids["jose_hoy"]]
    first = rows[0]
    assert first.nombre == "Pérez, Ana"
    assert first.dni == "30111222"
    assert first.telefono_movil == "011 15-2345-6789"
    assert first.obra_social is not None and first.plan == "310"
    assert first.resuelto is False and first.estado_envio is None and first.tomado_por is None


def test_state_filter_and_counts(database: Database, clock: FakeClock) -> None:
    ids = _seed(database, clock)
    today = local_today(clock())
    with database.uow() as uow:
        resolved = list_queue(
            uow.session, QueueFilter(today, today, EstadoFiltro.RESUELTAS), clock()
        )
        todas = list_queue(uow.session, QueueFilter(today, today, EstadoFiltro.TODAS), clock())
        counts = count_queue(uow.session, QueueFilter(today, today), clock())
        week = count_queue(uow.session, QueueFilter(today - timedelta(days=7), today), clock())
    assert [r.id for r in resolved] == [ids["jose_resuelta_hoy"]]
    assert ids["ana_baja_hoy"] not in {r.id for r in todas}  # soft-deleted never appears
    assert len(todas) == 3
    assert (counts.pendientes, counts.resueltas, counts.total) == (2, 1, 3)
    assert (week.pendientes, week.resueltas) == (3, 1)


def test_free_text_matches_name_without_accents_dni_and_phone(
    database: Database, clock: FakeClock
) -> None:
    ids = _seed(database, clock)
    today = local_today(clock())
    week = QueueFilter(today - timedelta(days=7), today, EstadoFiltro.TODAS)

    def search(texto: str) -> set[int]:
        with database.uow() as uow:
            filtro = QueueFilter(week.desde, week.hasta, week.estado, texto)
            return {r.id for r in list_queue(uow.session, filtro, clock())}

    ana = {ids["ana_hoy_temprano"], ids["ana_ayer"]}
    jose = {ids["jose_hoy"], ids["jose_resuelta_hoy"]}
    assert search("perez") == ana
    assert search("NUÑEZ") == jose
    assert search("nunez jose") == jose
    assert search("30111") == ana  # DNI prefix
    assert search("1123456789") == ana  # mobile typed without 0/15
    assert search("351 555-1234") == jose
    assert search("gomez") == set()


def test_date_range_uses_buenos_aires_days(database: Database, clock: FakeClock) -> None:
    # 02:30 UTC on the 10th is 23:30 on the 9th in Buenos Aires.
    late_night = clock().replace(hour=2, minute=30)
    with database.uow() as uow:
        pac = factories.paciente(uow.session)
        sid = factories.solicitud(uow.session, pac, late_night).id
        uow.commit()
    today = local_today(clock())
    with database.uow() as uow:
        hoy = {r.id for r in list_queue(uow.session, QueueFilter(today, today), clock())}
        ayer = {
            r.id
            for r in list_queue(
                uow.session,
                QueueFilter(today - timedelta(days=1), today - timedelta(days=1)),
                clock(),
            )
        }
    assert sid in ayer and sid not in hoy


def test_paging_never_overlaps_and_sorts_in_sql(database: Database, clock: FakeClock) -> None:
    now = clock()
    with database.uow() as uow:
        pac = factories.paciente(uow.session)
        for i in range(25):
            # Several rows share the same upload time: the id must break ties.
            factories.solicitud(uow.session, pac, now - timedelta(minutes=60 - (i // 3)), files=0)
        uow.commit()
    filtro = QueueFilter.today(now)
    with database.uow() as uow:
        pages = [list_queue(uow.session, filtro, now, offset=o, limit=10) for o in (0, 10, 20)]
        desc = list_queue(uow.session, filtro, now, limit=25, descending=True)
    seen = [r.id for page in pages for r in page]
    assert len(seen) == 25 and len(set(seen)) == 25
    assert seen == [r.id for r in reversed(desc)]
    times = [r.fecha_subida for page in pages for r in page]
    assert times == sorted(times)


def test_search_input_is_literal_clean_and_capped_on_every_backend(
    database: Database, clock: FakeClock
) -> None:
    """`%`, `_`, `[` and backslash match only themselves (one ESCAPE for all backends), a NUL or
    control character is a word break, full-width digits are digits, 101 characters are refused."""
    import pytest

    from dim_revision.errors import ValidationError

    now = clock()
    with database.uow() as uow:
        s = uow.session
        odd = factories.paciente(s, dni="40111222", apellido="O_Neil%", nombre="Ana[b]\\x")
        plain = factories.paciente(s, dni="41222333", apellido="Oxneilz", nombre="Anabx")
        odd_id = factories.solicitud(s, odd, now - timedelta(hours=1)).id
        plain_id = factories.solicitud(s, plain, now - timedelta(hours=1)).id
        uow.commit()
    today = local_today(now)

    def search(texto: str) -> set[int]:
        with database.uow() as uow:
            filtro = QueueFilter(today, today, EstadoFiltro.TODAS, texto)
            return {r.id for r in list_queue(uow.session, filtro, now)}

    assert search("%") == {odd_id}  # not "everything"
    assert search("o_n") == {odd_id}  # `_` is not "any character"
    assert search("a[b]") == {odd_id}
    assert search("b]\\x") == {odd_id}
    assert search("\\") == {odd_id}
    assert search("oxneil") == {plain_id}
    assert search("zz\x00") == set()  # a NUL never means "every row" (nor a DataError)
    assert search("neil\x00ana\x1b") == {odd_id, plain_id}  # controls separate words
    assert search("４０１１１") == {odd_id}  # full-width digits
    assert search("a" * 100) == set()
    with pytest.raises(ValidationError, match="hasta 100 caracteres"):
        search("a" * 101)

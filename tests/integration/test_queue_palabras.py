"""The queue's text filter by word start over our word copy (issue 19), on SQLite and PostgreSQL:
every plan finds the same rows, a renamed patient is found by the new name only, a patient with
no copy is still found, counts stop at the cap, and bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import false, func, select, update

from dim_revision.clock import FakeClock, local_today
from dim_revision.db.dim_mapping import SEED, dim_de
from dim_revision.db.models import BusquedaPaciente, BusquedaPalabra, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.errors import ValidationError
from dim_revision.services import queue_plan
from dim_revision.services import queue_window as queue
from dim_revision.services.queue import QueueFilter, count_queue, queue_conditions
from dim_revision.services.queue_texto import (
    FILA,
    NADA,
    PACIENTES,
    RANGO,
    RECORRIDO,
    UNIDA,
    completar_busqueda,
    sincronizar_busqueda,
)
from tests import factories


def _seed(db: Database, clock: FakeClock) -> dict[str, int]:
    now = clock()
    people = {
        "maria": ("González Pérez", "María", "30111222", "11 15-2345-6789"),
        "jose": ("Pérez-García", "José", "31222333", "(0351) 15 555-1234"),
        "eva": ("Gonzalo", "Eva", "32333444", "11 4444-5555"),
        "ana": ("Ruiz", "Ana Gonzaga", "33444555", "11 6666-7777"),
    }
    ids = {}
    with db.write() as uow:
        for key, (apellido, nombre, dni, movil) in people.items():
            pac = factories.paciente(
                uow.session, apellido=apellido, nombre=nombre, dni=dni, movil=movil
            )
            ids[key] = factories.solicitud(uow.session, pac, now - timedelta(hours=1), files=0).id
        uow.commit()
    return ids


def _filtro(clock: FakeClock, texto: str, estado: EstadoFiltro = EstadoFiltro.TODAS) -> QueueFilter:
    today = local_today(clock())
    return QueueFilter(today, today, estado, texto)


def _search(db: Database, clock: FakeClock, texto: str) -> set[int]:
    return {r.id for r in queue.pagina(db, _filtro(clock, texto), clock()).rows}


def _prepared(db: Database) -> None:
    completar_busqueda(db)
    queue.preparar_busqueda(db)


def test_names_match_by_word_start_and_numbers_as_before(
    database: Database, clock: FakeClock
) -> None:
    ids = _seed(database, clock)
    _prepared(database)
    assert _search(database, clock, "gonz") == {ids["maria"], ids["eva"], ids["ana"]}
    assert _search(database, clock, "GONZÁLEZ") == {ids["maria"]}
    assert _search(database, clock, "garcia") == {ids["jose"]}  # after a hyphen: a word too
    assert _search(database, clock, "perez-gar") == {ids["jose"]}
    assert _search(database, clock, "perez") == {ids["maria"], ids["jose"]}
    assert _search(database, clock, "gonz mar") == {ids["maria"]}  # every word, any order
    assert _search(database, clock, "mar gonz") == {ids["maria"]}
    assert _search(database, clock, "onzal") == set()  # inside a word: not a word start
    assert _search(database, clock, "zzxqw") == set()
    assert _search(database, clock, "30111") == {ids["maria"]}  # DNI prefix
    assert _search(database, clock, "30.111.222") == {ids["maria"]}
    assert _search(database, clock, "1123456789") == {ids["maria"]}  # mobile without 0/15
    assert _search(database, clock, "351 555-1234") == {ids["jose"]}
    assert _search(database, clock, "gonz 5555") == {ids["eva"]}  # a name and a phone
    counts = queue.conteos(database, _filtro(clock, "gonz"), clock())
    assert (counts.pendientes, counts.resueltas, counts.tope) == (3, 0, None)


def test_every_plan_finds_the_same_rows(database: Database, clock: FakeClock) -> None:
    """FILA / RANGO / PACIENTES (and NADA for a word nobody has) differ in plan, never in rows;
    search_mode picks each of them when the sizes say so."""
    ids = _seed(database, clock)
    _prepared(database)
    now = clock()
    texts = ["gonz", "gonz mar", "perez 3122", "ana ruiz", "30111", "zzxqw", "gonz zzxqw"]
    with database.read() as uow:
        dim = dim_de(uow.session)
        for texto in texts:
            filtro = _filtro(clock, texto)
            found = set()
            for modo in (FILA, RANGO, PACIENTES, NADA):
                for guia in (None, "gonz", "mar"):
                    if guia is not None and guia not in texto:
                        continue
                    conds = queue_conditions(
                        filtro, now, dim=dim, modo=modo, completa=True, guia=guia
                    )
                    stmt = select(SolicitudAsistencia.id).where(*conds)
                    rows = frozenset(uow.session.scalars(stmt))
                    if modo != NADA or rows:
                        found.add(rows)
            assert len(found) == 1, (texto, found)
        chosen = {
            t: queue_plan.search_mode(uow.session, _filtro(clock, t))["modo"]
            for t in ("gonz", "zzxqw", "30111")
        }
        assert chosen == {"gonz": PACIENTES, "zzxqw": NADA, "30111": FILA}
    assert _search(database, clock, "gonz zzxqw") == set()
    assert ids


def test_frequent_word_probes_each_request_and_counts_stop_at_the_cap(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plans of a backlog day, on a small one: the sizes shrunk to the seed's."""
    ids = _seed(database, clock)
    _prepared(database)
    gonz = {ids["maria"], ids["eva"], ids["ana"]}

    def mode(texto: str, conteo: bool = False) -> dict[str, Any]:
        with database.read() as uow:
            return queue_plan.search_mode(uow.session, _filtro(clock, texto), conteo=conteo)

    assert mode("gonz")["modo"] == PACIENTES  # a normal day: 3 patients, 4 requests
    monkeypatch.setattr(queue_plan, "NARROW_ROWS", 0)  # a backlog day…
    monkeypatch.setattr(queue_plan, "PAGE_PATIENTS", 1)  # …and «gonz» (3 patients) frequent
    assert mode("gonz")["modo"] == RANGO
    assert _search(database, clock, "gonz") == gonz
    assert mode("gonz", conteo=True)["modo"] == PACIENTES  # a count lists the few patients
    one_word = mode("gonzalez m", conteo=True)
    assert (one_word["modo"], one_word["guia"]) == (UNIDA, "gonzalez")  # joined: one word
    monkeypatch.setattr(queue_plan, "PLAN_CAP", 2)  # very frequent: each request probes
    monkeypatch.setattr(queue_plan, "WORD_CAP", 2)
    assert mode("gonz")["modo"] == RECORRIDO
    assert mode("gonz", conteo=True)["modo"] == RECORRIDO
    assert _search(database, clock, "gonz") == gonz
    with database.read() as uow:
        capped = count_queue(uow.session, _filtro(clock, "gonz"), clock(), tope=2)
        exact = count_queue(uow.session, _filtro(clock, "gonz"), clock(), tope=None)
        under = count_queue(uow.session, _filtro(clock, "gonz"), clock(), tope=3)
    monkeypatch.undo()
    with database.read() as uow:
        joined = count_queue(uow.session, _filtro(clock, "gonzalez m"), clock())
        lone = count_queue(uow.session, _filtro(clock, "ruiz"), clock())
    assert (joined.pendientes, joined.tope, lone.pendientes) == (1, None, 1)
    assert capped.tope == 2 and capped.pendientes + capped.resueltas == 3
    assert (exact.pendientes, exact.tope) == (3, None)
    assert (under.pendientes, under.tope) == (3, None)


def test_a_patient_renamed_in_dim_is_found_by_the_new_name_once_synced(
    database: Database, clock: FakeClock
) -> None:
    ids = _seed(database, clock)
    _prepared(database)
    with database.write() as uow:
        dim = dim_de(uow.session)
        pid = uow.session.scalar(
            select(SolicitudAsistencia.paciente_id).where(SolicitudAsistencia.id == ids["eva"])
        )
        valores = dim.fila("paciente", {"apellido": "Benítez", "nombre": "Eva Rocío"})
        uow.session.execute(
            update(dim.paciente.table)
            .where(dim.paciente.id == pid)
            .values(**valores)
            .execution_options(**SEED)
        )
        uow.commit()
    assert ids["eva"] in _search(database, clock, "gonzalo")  # the copy is still the old one
    with database.write() as uow:
        sincronizar_busqueda(uow.session, [pid])
        uow.commit()
    assert _search(database, clock, "benit roc") == {ids["eva"]}
    assert ids["eva"] not in _search(database, clock, "gonzalo")
    with database.read() as uow:
        words = set(
            uow.session.scalars(
                select(BusquedaPalabra.palabra).where(BusquedaPalabra.paciente_id == pid)
            )
        )
    assert words == {"benitez", "eva", "rocio"}  # no stale word left


def test_a_patient_without_a_copy_is_still_found(database: Database, clock: FakeClock) -> None:
    ids = _seed(database, clock)
    completar_busqueda(database)
    now = clock()
    with database.write() as uow:
        pac = factories.paciente(uow.session, apellido="Gonzaga", nombre="Luis", dni="34555666")
        late = factories.solicitud(uow.session, pac, now - timedelta(minutes=30), files=0).id
        uow.commit()
    # This process has not run preparar_busqueda: DIM's name is folded for the uncopied one.
    found = _search(database, clock, "gonz")
    assert found == {ids["maria"], ids["eva"], ids["ana"], late}
    assert _search(database, clock, "34555") == {late}
    assert queue.conteos(database, _filtro(clock, "gonz"), now).pendientes == 4


@pytest.mark.parametrize("texto", ["%", "%%%", "_", "!!!", "[", "\\", "--", "*"])
def test_a_text_of_only_symbols_matches_literally_and_changes_nothing(
    database: Database, clock: FakeClock, texto: str
) -> None:
    _seed(database, clock)
    _prepared(database)
    before = _table_counts(database)
    assert _search(database, clock, texto) == set()  # a wildcard never means "every row"
    counts = queue.conteos(database, _filtro(clock, texto), clock())
    assert (counts.pendientes, counts.resueltas, counts.atencion) == (0, 0, 0)
    assert _table_counts(database) == before


def test_wildcards_in_a_name_match_only_themselves(database: Database, clock: FakeClock) -> None:
    now = clock()
    with database.write() as uow:
        s = uow.session
        odd = factories.paciente(s, dni="40111222", apellido="O_Neil%", nombre="Ana[b]\\x")
        plain = factories.paciente(s, dni="41222333", apellido="Oxneilz", nombre="Anabx")
        odd_id = factories.solicitud(s, odd, now - timedelta(hours=1), files=0).id
        plain_id = factories.solicitud(s, plain, now - timedelta(hours=1), files=0).id
        uow.commit()
    _prepared(database)
    assert _search(database, clock, "o_n") == {odd_id}  # `_` is not "any character"
    assert _search(database, clock, "o_neil%") == {odd_id}
    assert _search(database, clock, "o%") == set()  # `%` is not "anything"
    assert _search(database, clock, "ana[b") == {odd_id}  # `[` opens no class on SQL Server
    assert _search(database, clock, "ana[b]\\") == {odd_id}
    assert _search(database, clock, "neil") == {odd_id}  # a run of letters inside the word
    assert _search(database, clock, "ox") == {plain_id}
    assert _search(database, clock, "ana\x00o\x1b") == {odd_id, plain_id}  # controls split


def test_a_too_long_text_is_refused_and_changes_nothing(
    database: Database, clock: FakeClock
) -> None:
    _seed(database, clock)
    _prepared(database)
    before = _table_counts(database)
    with pytest.raises(ValidationError, match="hasta 100 caracteres"):
        queue.conteos(database, _filtro(clock, "g" * 101), clock())
    with pytest.raises(ValidationError, match="hasta 100 caracteres"):
        _search(database, clock, "g" * 101)
    assert _search(database, clock, "g" * 100) == set()
    assert _table_counts(database) == before


def _table_counts(db: Database) -> dict[str, Any]:
    with db.read() as uow:
        s = uow.session
        return {
            "palabras": s.scalar(select(func.count()).select_from(BusquedaPalabra)),
            "copias": s.scalar(select(func.count()).select_from(BusquedaPaciente)),
            "solicitudes": s.scalar(select(func.count()).select_from(SolicitudAsistencia)),
            "pendientes": s.scalar(
                select(func.count())
                .select_from(SolicitudAsistencia)
                .where(SolicitudAsistencia.resuelto == false())
            ),
        }


def test_a_walked_text_pages_by_keyset_like_a_listed_one(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ids first along the day (RANGO / FILA) or the guide's patients listed (PACIENTES): the
    same rows in the same order, page after page, whatever the page size."""
    ids = _seed(database, clock)
    now = clock()
    with database.write() as uow:
        pac = factories.paciente(uow.session, apellido="Gonzaga", nombre="Rita")
        for minutes in (50, 40, 40, 30, 20):
            factories.solicitud(uow.session, pac, now - timedelta(minutes=minutes), files=0)
        uow.commit()
    _prepared(database)
    filtro = _filtro(clock, "gonz", EstadoFiltro.PENDIENTES)

    def walk(limit: int) -> list[int]:
        seen: list[int] = []
        cursor = None
        while True:
            page = queue.pagina(database, filtro, now, despues=cursor, limit=limit)
            seen += [r.id for r in page.rows]
            if page.siguiente is None:
                return seen
            cursor = page.siguiente

    listed = walk(200)
    assert len(listed) == 8 and ids["maria"] in listed
    monkeypatch.setattr(queue_plan, "NARROW_ROWS", 0)  # a backlog day: the range is walked
    monkeypatch.setattr(queue_plan, "PAGE_PATIENTS", 0)
    for cap in (0, 2):  # RANGO (the list), then RECORRIDO (probes)
        if cap:
            monkeypatch.setattr(queue_plan, "PLAN_CAP", cap)
            monkeypatch.setattr(queue_plan, "WORD_CAP", cap)
        with database.read() as uow:
            modo = queue_plan.search_mode(uow.session, filtro)["modo"]
        assert modo == (RECORRIDO if cap else RANGO)
        assert walk(3) == listed and walk(1) == listed and walk(200) == listed
        rows = queue.pagina(database, filtro, now).rows
        assert [r.nombre for r in rows][-1].startswith("Gonzaga")  # full rows, not just ids

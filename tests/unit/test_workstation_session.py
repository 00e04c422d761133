"""The workstation's decisions without Qt (issue 16.4): plain objects, no qtbot, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from dim_revision.domain.enums import EstadoEnvio, EstadoFiltro
from dim_revision.services.detalle import PrestacionElegida, SolicitudDetalle
from dim_revision.services.queue import QueueFilter
from dim_revision.workstation import Fila, Hecho, Pase, WorkstationSession
from dim_revision.workstation.pase import limpiar_motivo
from dim_revision.workstation.session import describe_filter, empty_text, undo_text
from dim_revision.workstation.state import Loaded, same_detail
from tests.detalles import detalle, envio_programado

NOW = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)


def _filas(*ids: int, taken: tuple[int, ...] = ()) -> list[Fila]:
    return [Fila(i, i not in taken) for i in ids]


# --- what comes next ------------------------------------------------------------------------------


def test_next_is_the_next_row_in_table_order_and_wraps() -> None:
    pase = Pase()
    assert pase.siguientes(_filas(1, 2, 3, 4), 2) == [3, 4, 1]
    assert pase.siguientes(_filas(1, 2, 3, 4), 4) == [1, 2, 3]


def test_rows_held_by_others_and_rows_done_in_the_pass_are_skipped() -> None:
    pase = Pase()
    pase.marcar(3, Hecho.SALTEADO, "La orden no se lee")
    pase.marcar(1, Hecho.CONTACTO)
    assert pase.siguientes(_filas(1, 2, 3, 4, 5, taken=(4,)), 2) == [5]
    assert pase.motivo(3) == "La orden no se lee" and pase.motivo(1) is None
    assert pase.salteadas == 1


def test_a_row_that_left_the_table_continues_below_where_it_was() -> None:
    pase = Pase()
    assert pase.siguientes(_filas(1, 2, 3, 4), 1) == [2, 3, 4]  # remembers the order
    assert pase.siguientes(_filas(1, 3, 4), 2) == [3, 4, 1]  # 2 is gone: still after it
    assert pase.siguientes(_filas(3, 4), 9) == [3, 4]  # never seen: from the top


def test_undo_makes_the_record_workable_again_in_the_pass() -> None:
    pase = Pase()
    pase.marcar(2, Hecho.RESUELTO)
    pase.olvidar(2)
    assert pase.siguientes(_filas(1, 2, 3), 1) == [2, 3]


@pytest.mark.parametrize("text", ["", "   ", "x" * 301])
def test_a_skip_needs_a_short_reason(text: str) -> None:
    with pytest.raises(ValueError, match=r"motivo|salteás"):
        limpiar_motivo(text)
    assert limpiar_motivo("  no   se lee \n") == "no se lee"


# --- the open record, drafts, enabled, state line ----------------------------------------------------


def _detalle(sid: int = 7, **kw: object) -> SolicitudDetalle:
    return detalle(NOW, id=sid, version=1, fecha_subida=NOW, **kw)


def _eco(pid: int = 5) -> PrestacionElegida:
    return PrestacionElegida(pid, "42.01", "ECO")


def _session() -> WorkstationSession:
    return WorkstationSession(describe=lambda d, claimed, reason: reason or "lista")


def _open(session: WorkstationSession, d: SolicitudDetalle, claimed: bool = True) -> None:
    session.open(d.id, preclaimed=claimed)
    assert session.loaded(Loaded(d.id, claimed, None, d))


def test_opening_another_record_says_which_one_to_release() -> None:
    session = _session()
    first = session.open(1)
    assert first is not None and first.release is None
    assert session.open(1) is None  # already open
    second = session.open(2)
    assert second is not None and second.release == 1 and session.wanted == 2
    assert not session.loaded(Loaded(1, True, None, _detalle(1)))  # late answer: dropped


def _read_ahead_session() -> WorkstationSession:
    return WorkstationSession(
        describe=lambda d, claimed, reason: reason or ("" if claimed else "SL")
    )


def test_a_record_read_ahead_is_shown_as_being_claimed_and_is_not_workable_until_it_is() -> None:
    session = _read_ahead_session()
    d = _detalle(prestaciones=(_eco(),))
    session.open(d.id, prefetched=d)
    view = session.view()
    assert view is not None and view.detalle == d  # its data shown at once
    assert view.state_text == "Tomando la solicitud…"  # not "read-only": the claim is on its way
    assert not view.claimed and not view.picks_editable
    assert session.workable() is None and not session.enabled(NOW)["confirmar"]

    assert session.loaded(Loaded(d.id, True, None, d))
    view = session.view()
    assert view is not None and view.claimed and view.state_text == ""
    assert session.workable() is not None and session.enabled(NOW)["confirmar"]


def test_a_claim_lost_after_the_record_was_read_ahead_shows_who_has_it() -> None:
    session = _read_ahead_session()
    d = _detalle()
    session.open(d.id, prefetched=d)
    assert session.loaded(Loaded(d.id, False, "La tiene beto.", d))
    view = session.view()
    assert view is not None and view.state_text == "La tiene beto." and not view.claimed
    assert session.workable() is None


def test_a_failed_load_ends_the_claiming_as_a_failed_claim_does() -> None:
    session = _read_ahead_session()
    d = _detalle()
    session.open(d.id, prefetched=d)
    assert not session.claim_failed(99)  # another record: nothing changes
    assert session.claim_failed(d.id)
    view = session.view()
    assert view is not None and view.state_text == "SL" and session.workable() is None
    assert not session.claim_failed(d.id)  # once


def test_a_claim_that_comes_back_counts_as_claimed_and_checks_its_committed_detail() -> None:
    session = _read_ahead_session()
    d = _detalle(prestaciones=(_eco(),))
    session.open(d.id, prefetched=d)
    assert not session.claim_came(99, True, None)  # another record: nothing changes
    assert session.claim_came(d.id, True, None)
    rec, view = session.current, session.view()
    assert rec is not None and rec.claimed and not rec.claiming and rec.checking
    assert view is not None and view.claimed and view.state_text == "" and view.picks_editable
    assert not session.claim_came(d.id, True, None)  # once: it is not being claimed anymore
    assert session.loaded(Loaded(d.id, True, None, d))  # the committed detail is in
    assert not rec.checking


def test_a_claim_lost_that_comes_back_shows_who_has_it_and_is_not_workable() -> None:
    session = _read_ahead_session()
    d = _detalle()
    session.open(d.id, prefetched=d)
    assert session.claim_came(d.id, False, "La tiene beto.")
    view = session.view()
    assert view is not None and view.state_text == "La tiene beto." and not view.claimed
    assert session.workable() is None and not session.enabled(NOW)["confirmar"]


def test_the_committed_detail_is_the_one_read_ahead_but_for_our_own_lease() -> None:
    ahead = _detalle(prestaciones=(_eco(),))
    ours = replace(ahead, tomado_por="ana", tomado_clave="ana@pc-01")
    assert same_detail(ahead, ours, "ana@pc-01")
    assert not same_detail(None, ours, "ana@pc-01")
    assert not same_detail(ahead, replace(ours, version=2), "ana@pc-01")
    assert not same_detail(ahead, replace(ours, resuelto=True), "ana@pc-01")
    assert not same_detail(ahead, replace(ours, prestaciones=()), "ana@pc-01")
    beto = replace(ahead, tomado_por="beto", tomado_clave="beto@pc-02")
    assert not same_detail(ahead, beto, "ana@pc-01")  # someone else's lease is news


def test_a_record_opened_already_claimed_is_never_shown_as_being_claimed() -> None:
    session = _read_ahead_session()
    d = _detalle()
    session.open(d.id, preclaimed=True, prefetched=d)
    view = session.view()
    assert view is not None and "Tomando" not in view.state_text
    assert not session.claim_failed(d.id)


def test_what_is_enabled_follows_the_record() -> None:
    session = _session()
    assert not session.enabled(NOW)["confirmar"]
    _open(session, _detalle(whatsapp=None))
    enabled = session.enabled(NOW)
    assert not enabled["confirmar"] and enabled["saltear"] and enabled["resuelto"]
    session.flags.busy = True
    assert not session.enabled(NOW)["saltear"]


def test_the_draft_wins_over_what_was_saved_and_is_forgotten_once_saved() -> None:
    session = _session()
    _open(session, _detalle(prestaciones=(_eco(),)))
    rec = session.current
    assert rec is not None and session.chosen(rec) == ((5, "ECO"),)
    session.set_chosen([(5, "ECO"), (6, "RX")])
    assert session.chosen(rec) == ((5, "ECO"), (6, "RX"))
    session.forget_draft(rec.id, prestaciones=True)
    assert session.chosen(rec) == ((5, "ECO"),) and rec.id not in session.drafts


def test_unsaved_marker_when_picks_differ_from_the_scheduled_send() -> None:
    envio = envio_programado(
        NOW,
        id=3,
        estado=EstadoEnvio.PROGRAMADO,
        link="https://x/l",
        enviar_desde=NOW + timedelta(minutes=10),
    )
    session = _session()
    _open(session, _detalle(envio=envio, resuelto=True, prestaciones=(_eco(),)))
    rec = session.current
    assert rec is not None and not session.unsaved(rec)
    session.set_chosen([(5, "ECO"), (6, "RX")])
    assert session.unsaved(rec)
    view = session.view()
    assert view is not None and view.unsaved and view.picks_editable


def test_the_state_line_says_why_a_record_was_skipped() -> None:
    session = _session()
    _open(session, _detalle())
    session.finished(7, Hecho.SALTEADO, "La orden no se lee")
    view = session.view()
    assert view is not None and view.skipped == "La orden no se lee"
    assert view.state_text.startswith("Salteada en esta pasada: La orden no se lee.")


def test_a_new_filter_starts_a_new_pass() -> None:
    session = _session()
    session.finished(1, Hecho.SALTEADO, "x")
    assert session.skip_for_next_free(2) == frozenset({1, 2})
    session.filter_changed()
    assert session.skip_for_next_free() == frozenset()


def test_advance_only_if_the_operator_did_not_move_on() -> None:
    session = _session()
    assert session.should_advance_from(None)
    session.open(1)
    assert session.should_advance_from(1) and not session.should_advance_from(None)
    session.open(2)
    assert not session.should_advance_from(1)


# --- undo ------------------------------------------------------------------------------------------


def test_undo_is_offered_for_ten_seconds_and_taken_once() -> None:
    session = _session()
    session.finished(4, Hecho.RESUELTO)
    offer = session.offer_undo("resuelto", 4, 2, NOW, "Resuelta.")
    assert session.enabled(NOW + timedelta(seconds=9))["deshacer"]
    assert not session.enabled(NOW + timedelta(seconds=10))["deshacer"]
    assert undo_text(offer, NOW + timedelta(seconds=3)) == "Resuelta. · Deshacer (Ctrl+Z), 7 s"
    assert session.take_undo(NOW + timedelta(seconds=11)) is None
    session.offer_undo("resuelto", 4, 2, NOW, "Resuelta.")
    taken = session.take_undo(NOW + timedelta(seconds=1))
    assert taken is not None and taken.version == 2
    assert 4 not in session.pase.hechas  # workable again
    assert session.take_undo(NOW) is None  # once


# --- the filter in words and the empty state ------------------------------------------------------


def test_the_filter_in_words() -> None:
    pend = QueueFilter(TODAY, TODAY, EstadoFiltro.PENDIENTES_TODAS)
    assert describe_filter(pend, TODAY) == "pendientes de hoy y de días anteriores"
    old = QueueFilter(date(2026, 11, 20), date(2026, 11, 25), EstadoFiltro.RESUELTAS, "perez")
    assert (
        describe_filter(old, TODAY)
        == "resueltas del 20/11/2026 al 25/11/2026 que coinciden con «perez»"
    )


def test_the_empty_state_says_what_the_filter_hides() -> None:
    today_only = QueueFilter(TODAY, TODAY, EstadoFiltro.PENDIENTES, "2000")
    text = empty_text(today_only, TODAY, libres=0, salteadas=2)
    assert text.startswith("No quedan solicitudes sin resolver de hoy que coinciden con «2000»")
    assert "Salteaste 2 en esta pasada" in text
    assert "borrá la búsqueda" in text and "elegí «Pendientes»" in text
    pend = QueueFilter(TODAY, TODAY, EstadoFiltro.PENDIENTES_TODAS)
    assert "El filtro oculta" not in empty_text(pend, TODAY, libres=0, salteadas=0)
    assert empty_text(pend, TODAY, libres=3, salteadas=0).startswith("Ninguna solicitud abierta")


def test_the_way_back_to_a_confirmed_record_points_the_right_way() -> None:
    session = _session()
    filas = _filas(1, 2, 3)
    session.finished(2, Hecho.CONFIRMADO)
    assert session.way_back(filas, 2) == "Ctrl+↑"  # the next one (3) is below it
    session.finished(3, Hecho.CONFIRMADO)
    assert session.way_back(filas, 3) == "Ctrl+↓"  # wrapped to 1, above it
    session.finished(1, Hecho.CONFIRMADO)
    assert session.way_back(filas, 1) is None

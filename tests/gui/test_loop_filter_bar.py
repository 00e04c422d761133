"""Issue 13.6 by the keyboard: Enter/↓ in the search open the first match, the detail never shows
a record that is not in the list, counters after every action, dates typed dd/mm/aaaa."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from dim_revision.clock import FakeClock, local_today
from dim_revision.config import Settings
from dim_revision.db.uow import Database
from dim_revision.secrets import MemoryStore
from tests.gui.conftest import type_text
from tests.gui.harness import activate, idle, loaded, make_context, open_window, press
from tests.gui.seeding import add_request, seed_queue
from ui.filter_bar import parse_date
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
NO_PREVIEW = Settings().replace("envio", confirmar_preview="nunca")


def _dni(ws: object, sid: int) -> str:
    model = ws.model  # type: ignore[attr-defined]
    row = model.row_at(model.row_of(sid))
    return str(row.dni)


def test_enter_and_down_in_the_search_open_the_first_match(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=4)
    s0, _s1, s2, s3 = seeded.solicitudes
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner)
    ws, window = opened.ws, opened.window
    bar = window.filter_bar
    dni = _dni(ws, s2)

    press(qtbot, window.picker.search_edit, Qt.Key.Key_F, CTRL)
    assert bar.texto.hasFocus()
    type_text(qtbot, bar.texto, dni)
    press(qtbot, bar.texto, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: loaded(ws, s2))
    assert [r.id for r in ws.model.loaded_rows()] == [s2]
    assert window.picker.search_edit.hasFocus()  # Enter: ready to work it
    assert window.grid.currentIndex().row() == 0

    # ↓ opens the first match and leaves the keyboard on the list.
    press(qtbot, window.picker.search_edit, Qt.Key.Key_F, CTRL)
    bar.texto.clear()
    type_text(qtbot, bar.texto, _dni(ws, s2)[:-1] + "9")  # no such DNI
    press(qtbot, bar.texto, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: idle(ws) and not ws.model.busy and ws.current is None)
    # …the detail never shows a record that is not in the list, and the empty state says why.
    assert window.right_stack.currentWidget() is window.empty_state
    assert "borrá la búsqueda" in window.empty_state.text()
    bar.texto.selectAll()
    type_text(qtbot, bar.texto, "fernández")
    press(qtbot, bar.texto, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: loaded(ws, s3))
    assert window.grid.hasFocus()
    assert s0 not in [r.id for r in ws.model.loaded_rows()]


def test_counters_refresh_after_every_action(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    s0, s1, _s2 = seed_queue(sqlite_db, clock(), count=3).solicitudes
    opened = open_window(
        qtbot, make_context(sqlite_db, clock, secrets, settings=NO_PREVIEW), runner
    )
    ws, window = opened.ws, opened.window
    picker, counts = window.picker, window.filter_bar.counts_label
    qtbot.waitUntil(lambda: ws.flags.catalog_loaded)

    def shows(pend: int, res: int) -> bool:
        return f"<b>{pend}</b> sin resolver · <b>{res}</b> resueltas" in counts.text()

    qtbot.waitUntil(lambda: shows(3, 0))
    type_text(qtbot, picker.search_edit, "mamografia\n")
    press(qtbot, picker.search_edit, Qt.Key.Key_Return, CTRL)  # confirm
    qtbot.waitUntil(lambda: shows(2, 1) and loaded(ws, s1))
    press(qtbot, picker.search_edit, Qt.Key.Key_Up, CTRL)
    qtbot.waitUntil(lambda: loaded(ws, s0) and window.actions_by_name["cancelar"].isEnabled())
    press(qtbot, picker.search_edit, Qt.Key.Key_X, CTRL | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: "cancelado" in window.message_banner.text)
    qtbot.waitUntil(lambda: shows(3, 0) and loaded(ws, s0))  # cancel
    activate(qtbot, window)
    press(qtbot, picker.search_edit, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(lambda: shows(2, 1) and loaded(ws, s1))  # resolve
    press(qtbot, picker.search_edit, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: shows(3, 0))  # undo


def test_dates_are_typed_dd_mm_aaaa_and_a_bad_one_says_why(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seed_queue(sqlite_db, clock(), count=1)
    old = add_request(sqlite_db, clock() - timedelta(days=10), apellido="Viejo")
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner)
    ws, window = opened.ws, opened.window
    bar = window.filter_bar
    today = local_today(clock())
    assert old in [r.id for r in ws.model.loaded_rows()]  # «Pendientes» reaches back

    with qtbot.waitSignal(ws.model.first_page_loaded):
        bar.estado.setCurrentIndex(bar.estado.findData("todas"))
    before = bar.filtro()
    bar.desde.setFocus()
    bar.desde.selectAll()
    type_text(qtbot, bar.desde, "32/13/2026")
    press(qtbot, bar.desde, Qt.Key.Key_Return)
    assert not bar.date_error.isHidden()
    assert "«32/13/2026» no es una fecha válida: escribila como dd/mm/aaaa" in bar.date_error.text()
    assert bar.filtro() == before and ws.model.filtro == before  # nothing changed

    earlier = today - timedelta(days=10)
    bar.desde.selectAll()
    with qtbot.waitSignal(ws.model.first_page_loaded):
        type_text(qtbot, bar.desde, f"{earlier:%d/%m/%Y}")
        press(qtbot, bar.desde, Qt.Key.Key_Return)
    assert bar.date_error.isHidden()
    assert ws.model.filtro.desde == earlier and old in [r.id for r in ws.model.loaded_rows()]
    with qtbot.waitSignal(ws.model.first_page_loaded):
        press(qtbot, bar.desde, Qt.Key.Key_Up)  # ↑: one day later
    assert ws.model.filtro.desde == earlier + timedelta(days=1)
    assert bar.desde.date() == QDate(earlier.year, earlier.month, earlier.day).addDays(1)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("01/12/2026", True),
        ("1/2/26", True),
        ("01-12-2026", True),
        ("31/02/2026", False),
        ("hoy", False),
    ],
)
def test_parse_date(text: str, ok: bool) -> None:
    if ok:
        assert parse_date(text).year == 2026
    else:
        with pytest.raises(ValueError, match="dd/mm/aaaa"):
            parse_date(text)

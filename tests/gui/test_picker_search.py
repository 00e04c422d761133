"""Issue #14 in the widgets: codes and "sin coincidencia" in the suggestions, whole long names,
and the query each pick came from reaching the learning table with Confirmar envío."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.models import EleccionPrestacion
from dim_revision.db.uow import Database
from dim_revision.domain.search_index import SearchIndex
from dim_revision.secrets import MemoryStore
from tests.gui.conftest import type_text
from tests.gui.harness import loaded, make_context, open_window, press
from tests.gui.seeding import seed_queue
from ui.picker import PrestacionPicker
from ui.picker_models import CODE_ROLE, MISSING_ROLE
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

LONG = "RESONANCIA MAGNÉTICA DE COLUMNA LUMBOSACRA SIN Y CON CONTRASTE EN RESONADOR ABIERTO"
CATALOG = [
    (1, LONG),
    (2, "RESONANCIA MAGNÉTICA DE COLUMNA LUMBOSACRA SIN CONTRASTE"),
    (3, "ECOGRAFÍA TIROIDEA"),
]


@pytest.fixture
def picker(qtbot: QtBot) -> PrestacionPicker:
    widget = PrestacionPicker()
    qtbot.addWidget(widget)
    widget.resize(380, 420)  # narrow: the long name cannot fit on one line
    widget.show()
    widget.set_index(SearchIndex.build(CATALOG, codigos={1: ["34.51.77"], 3: ["18.01.13"]}))
    return widget


def test_suggestions_show_the_code_and_the_missing_words(
    qtbot: QtBot, picker: PrestacionPicker
) -> None:
    type_text(qtbot, picker.search_edit, "rmn lumbosacra abierto urgente")
    model = picker.suggestions
    first = model.index(0, 0)
    assert first.data() == LONG  # the whole name, never cut
    assert first.data(CODE_ROLE) == "34.51.77"
    assert first.data(MISSING_ROLE) == ["urgente"]
    tip = str(first.data(Qt.ItemDataRole.ToolTipRole))
    assert LONG in tip and "Código: 34.51.77" in tip and "sin coincidencia: urgente" in tip
    picker.search_edit.setText("rmn lumbosacra abierto")
    assert picker.suggestions.index(0, 0).data(MISSING_ROLE) == []


def test_a_long_name_wraps_instead_of_being_elided(qtbot: QtBot, picker: PrestacionPicker) -> None:
    type_text(qtbot, picker.search_edit, "rmn lumbosacra")
    qtbot.waitUntil(picker.popup_visible)
    line = QFontMetrics(picker.popup.font()).height()
    rows = {picker.suggestions.index(r, 0).data(): picker.popup.sizeHintForRow(r) for r in (0, 1)}
    assert rows[LONG] >= 2 * line  # two lines or more
    assert picker.popup.height() >= sum(rows.values())  # and the popup is tall enough for them


def test_the_picker_remembers_the_query_of_each_pick(
    qtbot: QtBot, picker: PrestacionPicker
) -> None:
    type_text(qtbot, picker.search_edit, "eco tiroides\n")
    assert picker.chosen_ids() == [3]
    assert picker.consultas() == {3: "eco tiroides"}
    picker.set_chosen([(2, CATALOG[1][1])])  # another record: nothing typed for it yet
    assert picker.consultas() == {}


@pytest.mark.parametrize("aprender", [True, False])
def test_confirm_records_what_was_typed(
    qtbot: QtBot,
    sqlite_db: Database,
    clock: FakeClock,
    secrets: MemoryStore,
    runner: TaskRunner,
    aprender: bool,
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=2)
    settings = (
        Settings()
        .replace("envio", confirmar_preview="nunca")
        .replace("busqueda", aprender=aprender)
    )
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets, settings=settings), runner)
    ws, window = opened.ws, opened.window
    qtbot.waitUntil(lambda: ws.flags.catalog_loaded and loaded(ws, seeded.solicitudes[0]))
    type_text(qtbot, window.picker.search_edit, "Mamografia\n")
    chosen = window.picker.chosen_ids()
    assert chosen
    press(qtbot, window.picker.search_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: loaded(ws, seeded.solicitudes[1]))
    with sqlite_db.uow() as uow:
        rows = uow.session.execute(
            select(EleccionPrestacion.consulta, EleccionPrestacion.prestacion_id)
        ).all()
    assert [tuple(r) for r in rows] == ([("mamografia", chosen[-1])] if aprender else [])


def test_a_broken_dim_lexicon_warns_and_the_catalog_still_loads(
    qtbot: QtBot,
    sqlite_db: Database,
    clock: FakeClock,
    secrets: MemoryStore,
    runner: TaskRunner,
    tmp_path: Path,
) -> None:
    broken = tmp_path / "dim.txt"
    broken.write_text("[sinonimos]\nrmn\n", encoding="utf-8")
    seed_queue(sqlite_db, clock(), count=1)
    settings = Settings().replace("busqueda", lexico=str(broken))
    context = make_context(sqlite_db, clock, secrets, settings=settings)
    messages: list[str] = []
    opened = open_window(qtbot, context, runner)
    opened.ws.message.connect(lambda text, _level: messages.append(text))
    opened.ws._load_catalog()  # the start-up load already ran: load again, listening
    qtbot.waitUntil(lambda: any("línea 2" in m for m in messages))
    qtbot.waitUntil(lambda: opened.ws.flags.catalog_loaded)
    assert any("Se usa solo el léxico revisado" in m for m in messages)


def test_a_key_that_keeps_the_same_rows_does_not_reset_the_list(
    qtbot: QtBot, picker: PrestacionPicker
) -> None:
    """Nothing to lay out or repaint when the suggestions are the ones already shown; a real
    change resets the list and the rows get their new sizes."""
    resets: list[int] = []
    picker.suggestions.modelReset.connect(lambda: resets.append(1))
    picker.search_edit.setText("columna")
    shown = [picker.suggestions.index(r, 0).data() for r in range(picker.suggestions.rowCount())]
    assert resets == [1] and shown
    picker.search_edit.setText("columna ")  # a trailing space: the same query
    assert resets == [1]
    picker.search_edit.setText("eco")
    assert resets == [1, 1]
    heights = [picker.popup.sizeHintForRow(r) for r in range(picker.suggestions.rowCount())]
    assert all(h > 0 for h in heights)

"""PrestacionPicker: typing finds, Enter adds and clears, the chosen list edits from the keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from dim_revision.domain.search_index import SearchIndex
from tests.gui.conftest import type_text
from ui.picker import EMPTY_CHOSEN, NO_MATCHES, PrestacionPicker
from ui.picker_models import ID_ROLE, ChosenModel, Suggestion, SuggestionModel

pytestmark = pytest.mark.gui

CATALOG: list[tuple[int, str]] = [
    (101, "RESONANCIA MAGNÉTICA DE RODILLA"),
    (102, "RESONANCIA MAGNÉTICA DE RODILLA BILATERAL"),
    (103, "RESONANCIA MAGNÉTICA DE CEREBRO"),
    (104, "RESONANCIA MAGNÉTICA DE COLUMNA LUMBAR"),
    (105, "RESONANCIA MAGNÉTICA DE COLUMNA CERVICAL"),
    (106, "RESONANCIA MAGNÉTICA DE HOMBRO"),
    (107, "RESONANCIA MAGNÉTICA DE ABDOMEN CON CONTRASTE"),
    (108, "RESONANCIA MAGNÉTICA DE PELVIS"),
    (109, "ANGIORESONANCIA DE CEREBRO"),
    (110, "TOMOGRAFÍA COMPUTADA DE TÓRAX"),
    (111, "TOMOGRAFÍA COMPUTADA DE ABDOMEN Y PELVIS"),
    (112, "TOMOGRAFÍA COMPUTADA DE CEREBRO SIN CONTRASTE"),
    (113, "TOMOGRAFÍA COMPUTADA DE SENOS PARANASALES"),
    (114, "ECOGRAFÍA ABDOMINAL"),
    (115, "ECOGRAFÍA ABDOMINAL COMPLETA"),
    (116, "ECOGRAFÍA RENAL Y VESICAL"),
    (117, "ECOGRAFÍA TIROIDEA"),
    (118, "ECOGRAFÍA MAMARIA BILATERAL"),
    (119, "ECOGRAFÍA GINECOLÓGICA TRANSVAGINAL"),
    (120, "ECOGRAFÍA OBSTÉTRICA"),
    (121, "ECOGRAFÍA DE CADERA DEL NIÑO"),
    (122, "ECOGRAFÍA PARTES BLANDAS"),
    (123, "ECODOPPLER DE VASOS DEL CUELLO"),
    (124, "ECODOPPLER VENOSO DE MIEMBROS INFERIORES"),
    (125, "ECOCARDIOGRAMA DOPPLER COLOR"),
    (126, "RADIOGRAFÍA DE TÓRAX FRENTE Y PERFIL"),
    (127, "RADIOGRAFÍA DE RODILLA FRENTE Y PERFIL"),
    (128, "RADIOGRAFÍA DE COLUMNA LUMBOSACRA"),
    (129, "RADIOGRAFÍA DE MANO"),
    (130, "RADIOGRAFÍA PANORÁMICA DENTAL"),
    (131, "MAMOGRAFÍA BILATERAL"),
    (132, "DENSITOMETRÍA ÓSEA DE COLUMNA Y CADERA"),
    (133, "ELECTROCARDIOGRAMA"),
    (134, "ERGOMETRÍA"),
    (135, "HOLTER DE 24 HORAS"),
    (136, "PET-CT CORPORAL TOTAL"),
    (137, "CENTELLOGRAMA ÓSEO"),
    (138, "VIDEOCOLONOSCOPÍA"),
    (139, "ESPIROMETRÍA"),
    (140, "AUDIOMETRÍA TONAL"),
    (141, "CONTROL PEDIÁTRICO DEL NIÑO SANO"),
    (142, "PUNCIÓN ASPIRACIÓN CON AGUJA FINA DE TIROIDES"),
]
NAMES = dict(CATALOG)


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(CATALOG)


@pytest.fixture
def picker(qtbot: QtBot, index: SearchIndex) -> PrestacionPicker:
    widget = PrestacionPicker()
    qtbot.addWidget(widget)
    widget.resize(520, 420)
    with qtbot.waitActive(widget):  # focus assertions need the active window (X11 too)
        widget.show()
        widget.activateWindow()
    widget.set_index(index)
    return widget


def suggestion_names(picker: PrestacionPicker) -> list[str]:
    model = picker.suggestions
    return [str(model.index(r, 0).data()) for r in range(model.rowCount())]


def key(
    qtbot: QtBot,
    picker: PrestacionPicker,
    k: Qt.Key,
    mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    qtbot.keyClick(picker.search_edit, k, mods)


# --- models --------------------------------------------------------------------------------------


def test_suggestion_model_passes_the_model_tester(
    qtmodeltester: ModelTester, index: SearchIndex
) -> None:
    model = SuggestionModel()
    qtmodeltester.check(model)
    rows = [Suggestion(m.id, m.nombre, m.spans, m.id == 101) for m in index.search("rmn", limit=12)]
    model.set_rows(rows)
    qtmodeltester.check(model)
    assert model.rowCount() == len(rows) > 3
    flags = {
        model.index(r, 0).data(ID_ROLE): model.index(r, 0).flags() for r in range(model.rowCount())
    }
    assert not flags[101] & Qt.ItemFlag.ItemIsEnabled  # taken: shown, not selectable
    assert flags[103] & Qt.ItemFlag.ItemIsSelectable
    model.set_rows([])
    assert model.rowCount() == 0
    assert model.data(model.index(5, 0)) is None


def test_chosen_model_passes_the_model_tester_through_edits(qtmodeltester: ModelTester) -> None:
    model = ChosenModel()
    qtmodeltester.check(model)
    model.set_items([(1, "A"), (2, "B"), (3, "C"), (2, "B otra vez")])
    assert model.ids() == [1, 2, 3]  # duplicates dropped
    assert model.append(4, "D")
    assert not model.append(1, "A")
    assert model.move(3, -1) and model.ids() == [1, 2, 4, 3]
    assert model.move(0, 1) and model.ids() == [2, 1, 4, 3]
    assert not model.move(0, -1) and not model.move(3, 1) and not model.move(1, 2)
    assert model.remove(1) and model.ids() == [2, 4, 3]
    assert not model.remove(7)
    assert model.index(0, 0).data(ID_ROLE) == 2
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.data(QModelIndex()) is None


# --- searching -----------------------------------------------------------------------------------


def test_typo_and_abbreviation_rank_the_right_study_first(
    qtbot: QtBot, picker: PrestacionPicker
) -> None:
    type_text(qtbot, picker.search_edit, "rmn rodila")
    assert picker.popup_visible()
    names = suggestion_names(picker)
    assert names[0] == "RESONANCIA MAGNÉTICA DE RODILLA"
    current = picker.current_suggestion()
    assert current is not None and current.id == 101
    # the matched parts are marked for bold: "RODILLA" at least
    start = names[0].index("RODILLA")
    assert any(s <= start < e for s, e in current.spans)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ecografía", "ECOGRAFÍA ABDOMINAL"),
        ("niño", "ECOGRAFÍA DE CADERA DEL NIÑO"),
        ("ECOGRAFÍA CADERA NIÑO", "ECOGRAFÍA DE CADERA DEL NIÑO"),
        ("tomografía tórax", "TOMOGRAFÍA COMPUTADA DE TÓRAX"),
    ],
)
def test_spanish_text_with_accents_and_enye(
    qtbot: QtBot, picker: PrestacionPicker, query: str, expected: str
) -> None:
    type_text(qtbot, picker.search_edit, query)
    assert picker.search_edit.text() == query  # every character arrived, accents included
    assert expected in suggestion_names(picker)
    if query != "ecografía":
        assert suggestion_names(picker)[0] == expected


def test_no_match_says_so_and_empty_query_hides_the_list(
    qtbot: QtBot, picker: PrestacionPicker
) -> None:
    type_text(qtbot, picker.search_edit, "zzzqqq")
    assert picker.popup_visible()
    assert picker.suggestions.rowCount() == 0
    assert picker.popup.empty_text() == NO_MATCHES.format("zzzqqq")
    picker.search_edit.clear()
    assert not picker.popup_visible()


def test_without_an_index_the_list_says_it_is_loading(qtbot: QtBot) -> None:
    widget = PrestacionPicker()
    qtbot.addWidget(widget)
    widget.show()
    type_text(qtbot, widget.search_edit, "eco")
    assert widget.suggestions.rowCount() == 0
    assert "Cargando" in widget.popup.empty_text()
    widget.set_index(SearchIndex.build(CATALOG))
    assert widget.suggestions.rowCount() > 0


def test_suggestions_are_capped(qtbot: QtBot, picker: PrestacionPicker) -> None:
    type_text(qtbot, picker.search_edit, "e")
    assert 0 < picker.suggestions.rowCount() <= 12


# --- adding --------------------------------------------------------------------------------------


def test_down_enter_adds_the_second_suggestion_and_clears_the_field(
    qtbot: QtBot, picker: PrestacionPicker
) -> None:
    type_text(qtbot, picker.search_edit, "eco abdominal")
    second = suggestion_names(picker)[1]
    with qtbot.waitSignal(picker.changed) as signal:
        key(qtbot, picker, Qt.Key.Key_Down)
        key(qtbot, picker, Qt.Key.Key_Return)
    assert [n for _, n in picker.chosen()] == [second]
    assert signal.args == [[i for i, n in CATALOG if n == second]]
    assert picker.search_edit.text() == ""
    assert not picker.popup_visible()
    assert picker.search_edit.hasFocus()


def test_up_stops_at_the_first_and_escape_closes_the_list(
    qtbot: QtBot, picker: PrestacionPicker
) -> None:
    type_text(qtbot, picker.search_edit, "rmn")
    key(qtbot, picker, Qt.Key.Key_Up)
    assert picker.popup.currentIndex().row() == 0
    key(qtbot, picker, Qt.Key.Key_Escape)
    assert not picker.popup_visible()
    assert picker.search_edit.text() == "rmn"
    key(qtbot, picker, Qt.Key.Key_Return)  # nothing is added once the list is closed
    assert picker.chosen() == []
    key(qtbot, picker, Qt.Key.Key_Down)  # Down brings it back
    assert picker.popup_visible()


def test_clicking_a_suggestion_adds_it_and_keeps_focus_in_the_field(
    qtbot: QtBot, picker: PrestacionPicker
) -> None:
    type_text(qtbot, picker.search_edit, "mamografia")
    rect = picker.popup.visualRect(picker.suggestions.index(0, 0))
    qtbot.mouseClick(picker.popup.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert picker.chosen() == [(131, "MAMOGRAFÍA BILATERAL")]
    assert picker.search_edit.hasFocus()


def test_already_chosen_items_are_shown_disabled_and_skipped(
    qtbot: QtBot, picker: PrestacionPicker
) -> None:
    picker.set_chosen([(101, NAMES[101])])
    type_text(qtbot, picker.search_edit, "rmn rodilla")
    assert suggestion_names(picker)[0] == NAMES[101]
    first = picker.suggestions.row_at(0)
    assert first is not None and first.taken
    current = picker.current_suggestion()
    assert current is not None and current.id == 102  # highlight starts on the first free one
    key(qtbot, picker, Qt.Key.Key_Up)  # cannot land on the taken row
    assert picker.popup.currentIndex().row() == 1
    key(qtbot, picker, Qt.Key.Key_Return)
    assert picker.chosen_ids() == [101, 102]


# --- the chosen list -----------------------------------------------------------------------------


def add(qtbot: QtBot, picker: PrestacionPicker, query: str) -> None:
    type_text(qtbot, picker.search_edit, query)
    key(qtbot, picker, Qt.Key.Key_Return)


def test_backspace_on_the_empty_field_removes_the_last_one(
    qtbot: QtBot, picker: PrestacionPicker
) -> None:
    add(qtbot, picker, "rmn rodilla")
    add(qtbot, picker, "mamografia")
    assert picker.chosen_ids() == [101, 131]
    type_text(qtbot, picker.search_edit, "ab")
    key(qtbot, picker, Qt.Key.Key_Backspace)  # edits the text, removes nothing
    assert picker.search_edit.text() == "a" and picker.chosen_ids() == [101, 131]
    key(qtbot, picker, Qt.Key.Key_Backspace)
    assert picker.chosen_ids() == [101, 131]
    with qtbot.waitSignal(picker.changed) as signal:
        key(qtbot, picker, Qt.Key.Key_Backspace)
    assert signal.args == [[101]]
    key(qtbot, picker, Qt.Key.Key_Backspace)
    key(qtbot, picker, Qt.Key.Key_Backspace)  # nothing left: no error
    assert picker.chosen() == []


def test_delete_removes_the_selected_and_alt_arrows_reorder(
    qtbot: QtBot, picker: PrestacionPicker
) -> None:
    picker.set_chosen([(101, NAMES[101]), (114, NAMES[114]), (131, NAMES[131])])
    view = picker.chosen_view
    view.setFocus()
    view.setCurrentIndex(picker.chosen_model.index(2, 0))
    with qtbot.waitSignal(picker.changed) as signal:
        qtbot.keyClick(view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert signal.args == [[101, 131, 114]]
    assert view.currentIndex().row() == 1  # the selection follows the moved row
    qtbot.keyClick(view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert picker.chosen_ids() == [131, 101, 114]
    qtbot.keyClick(view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)  # already first
    assert picker.chosen_ids() == [131, 101, 114]
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert picker.chosen_ids() == [101, 131, 114]
    with qtbot.waitSignal(picker.changed) as signal:
        qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert signal.args == [[101, 114]]
    assert view.currentIndex().row() == 1  # the next row is selected, ready for another Supr


def test_the_cross_removes_a_row_with_the_mouse(qtbot: QtBot, picker: PrestacionPicker) -> None:
    picker.set_chosen([(101, NAMES[101]), (114, NAMES[114])])
    view = picker.chosen_view
    rect = view.visualRect(picker.chosen_model.index(0, 0))
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.right() - 8, rect.center().y())
    )
    assert picker.chosen_ids() == [114]
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + 40, rect.center().y())
    )
    assert picker.chosen_ids() == [114]  # clicking the name only selects


def test_loading_and_clearing_are_silent(qtbot: QtBot, picker: PrestacionPicker) -> None:
    with qtbot.assertNotEmitted(picker.changed):
        picker.set_chosen([(101, NAMES[101])])
        picker.clear()
    assert picker.chosen() == []
    assert picker.chosen_view.empty_text() == EMPTY_CHOSEN


def test_read_only_refuses_every_edit(qtbot: QtBot, picker: PrestacionPicker) -> None:
    picker.set_chosen([(101, NAMES[101]), (114, NAMES[114])])
    picker.set_read_only(True)
    with qtbot.assertNotEmitted(picker.changed):
        type_text(qtbot, picker.search_edit, "eco")
        key(qtbot, picker, Qt.Key.Key_Return)
        key(qtbot, picker, Qt.Key.Key_Backspace)
        picker.chosen_view.setFocus()
        picker.chosen_view.setCurrentIndex(picker.chosen_model.index(1, 0))
        qtbot.keyClick(picker.chosen_view, Qt.Key.Key_Delete)
        qtbot.keyClick(picker.chosen_view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert picker.chosen_ids() == [101, 114]
    assert picker.search_edit.text() == "" and not picker.popup_visible()
    picker.set_read_only(False)
    add(qtbot, picker, "mamografia")
    assert picker.chosen_ids() == [101, 114, 131]


def test_focus_search_gives_the_field_focus(qtbot: QtBot, picker: PrestacionPicker) -> None:
    picker.chosen_view.setFocus()
    picker.focus_search()
    qtbot.waitUntil(picker.search_edit.hasFocus)


def test_window_shortcuts_cannot_steal_the_pickers_keys(qtbot: QtBot, index: SearchIndex) -> None:
    window = QMainWindow()
    picker = PrestacionPicker()
    window.setCentralWidget(picker)
    fired: list[str] = []
    for name, keys in (("confirmar", "Ctrl+Return"), ("volver", "Esc"), ("abajo", "Down")):
        action = QAction(name, window)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda _=False, n=name: fired.append(n))
        window.addAction(action)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    picker.set_index(index)
    type_text(qtbot, picker.search_edit, "rmn")
    key(qtbot, picker, Qt.Key.Key_Down)  # moves the highlight, not the window's action
    assert picker.popup.currentIndex().row() == 1
    key(qtbot, picker, Qt.Key.Key_Escape)  # closes the list only
    assert not picker.popup_visible()
    assert fired == []
    key(qtbot, picker, Qt.Key.Key_Escape)  # nothing left to close: now it is the window's
    key(qtbot, picker, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert fired == ["volver", "confirmar"]
    assert picker.chosen() == []

"""The shared `type_text` helper types Spanish text that `qtbot.keyClicks` cannot."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from tests.gui.conftest import type_text

pytestmark = pytest.mark.gui


def test_type_text_types_accents_enye_capitals_and_spaces(qtbot: QtBot) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edited: list[str] = []
    edit.textEdited.connect(edited.append)
    type_text(qtbot, edit, "Resonancia MAGNÉTICA de Peñalolén, ¿sí?")
    assert edit.text() == "Resonancia MAGNÉTICA de Peñalolén, ¿sí?"
    assert edited[-1] == edit.text()  # real key events, as if the operator typed them

"""Contact dialog, confirm preview and the F1 help overlay."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QLineEdit, QMainWindow, QWidget
from pytestqt.qtbot import QtBot

from dim_revision.clock import LOCAL_TZ
from dim_revision.domain import mensaje
from dim_revision.domain.enums import ResultadoContacto
from dim_revision.services.envios import Borrador
from tests.gui.conftest import type_text
from ui.dialogs import (
    COMMENT_MAX,
    ConfirmPreviewDialog,
    ContactDialog,
    HelpOverlay,
    key_text,
    nota_salida,
)

pytestmark = pytest.mark.gui

NOW_LOCAL = datetime(2026, 11, 25, 14, 5, tzinfo=LOCAL_TZ)
CTRL = Qt.KeyboardModifier.ControlModifier
W = TypeVar("W", bound=QWidget)


def contact_dialog(qtbot: QtBot, **kwargs: object) -> ContactDialog:
    dialog = ContactDialog(None, "ana", NOW_LOCAL, **kwargs)  # type: ignore[arg-type]
    return shown(qtbot, dialog)


def shown(qtbot: QtBot, widget: W) -> W:
    """Show and activate: window shortcuts (Ctrl+Enter) only fire in the active window."""
    qtbot.addWidget(widget)
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()
    return widget


# --- Indicar contacto ----------------------------------------------------------------------------


def test_ok_is_disabled_until_a_comment_is_written(qtbot: QtBot) -> None:
    dialog = contact_dialog(qtbot)
    assert "25/11/2026 14:05 — ana" in dialog.auto.text()
    assert not dialog.ok_button.isEnabled()
    type_text(qtbot, dialog.comment, "   ")
    assert not dialog.ok_button.isEnabled()  # blanks are not a comment
    qtbot.keyClick(dialog.comment, Qt.Key.Key_Return, CTRL)
    assert dialog.result() == 0 and dialog.isVisible()  # Ctrl+Enter refused too
    type_text(qtbot, dialog.comment, "Atendió la hija; llamar mañana a las 9 — señora Núñez")
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.radios[ResultadoContacto.VOLVER_A_LLAMAR], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.result_value() == (
        ResultadoContacto.VOLVER_A_LLAMAR,
        "Atendió la hija; llamar mañana a las 9 — señora Núñez",
    )


def test_ctrl_enter_accepts_and_keeps_the_text_free_of_a_newline(qtbot: QtBot) -> None:
    dialog = contact_dialog(qtbot)
    type_text(qtbot, dialog.comment, "No atiende")
    qtbot.keyClick(
        dialog.comment, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier
    )  # the underlined N
    qtbot.waitUntil(
        dialog.radios[ResultadoContacto.NO_ATIENDE].isChecked
    )  # mnemonics animate a click
    assert dialog.comment.hasFocus()  # typing can go on
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.comment, Qt.Key.Key_Return, CTRL)
    assert dialog.comment.toPlainText() == "No atiende"  # Ctrl+Enter added no line break
    assert dialog.result_value() == (ResultadoContacto.NO_ATIENDE, "No atiende")


def test_escape_cancels(qtbot: QtBot) -> None:
    dialog = contact_dialog(qtbot)
    type_text(qtbot, dialog.comment, "borrador")
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog.comment, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.result_value() == (
        ResultadoContacto.CONTACTADO,
        "borrador",
    )  # draft still readable


def test_reopening_after_a_failure_keeps_what_was_typed(qtbot: QtBot) -> None:
    dialog = contact_dialog(
        qtbot, initial_outcome=ResultadoContacto.DEJO_MENSAJE, initial_comment="Dejé mensaje"
    )
    assert dialog.radios[ResultadoContacto.DEJO_MENSAJE].isChecked()
    assert dialog.comment.toPlainText() == "Dejé mensaje"
    assert dialog.ok_button.isEnabled()
    type_text(qtbot, dialog.comment, " al hijo")  # the cursor starts at the end
    assert dialog.result_value() == (ResultadoContacto.DEJO_MENSAJE, "Dejé mensaje al hijo")


def test_comment_over_the_limit_blocks_ok_and_says_so(qtbot: QtBot) -> None:
    dialog = contact_dialog(qtbot, initial_comment="x" * COMMENT_MAX)
    assert dialog.ok_button.isEnabled()
    assert dialog.counter.text() == f"{COMMENT_MAX}/{COMMENT_MAX}"
    type_text(qtbot, dialog.comment, "y")
    assert not dialog.ok_button.isEnabled()
    assert "demasiado largo" in dialog.counter.text()
    assert dialog.counter.property("role") == "error"


# --- Confirm preview -----------------------------------------------------------------------------


def borrador() -> Borrador:
    nombres = ["RESONANCIA MAGNÉTICA DE RODILLA", "RADIOGRAFÍA DE RODILLA FRENTE Y PERFIL"]
    link = "https://wsportal2023.dim.com.ar/turno/eyJhbGciOiJIUzI1NiJ9.e30.firma"
    texto = mensaje.texto_vista_previa(
        nombre="MARÍA GÓMEZ", prestaciones=nombres, link=link, dias=7
    )
    return Borrador(
        solicitud_id=4812,
        paciente_id=77,
        prestacion_ids=(101, 127),
        prestaciones=tuple(nombres),
        telefono="5491123456789",
        token="eyJhbGciOiJIUzI1NiJ9.e30.firma",
        jti="abc",
        link=link,
        parametros={},
        texto=texto,
    )


def preview(qtbot: QtBot) -> ConfirmPreviewDialog:
    return shown(qtbot, ConfirmPreviewDialog(None, borrador(), NOW_LOCAL, timedelta(minutes=15)))


def test_preview_shows_exactly_what_goes_out(qtbot: QtBot) -> None:
    dialog = preview(qtbot)
    b = borrador()
    assert dialog.texto.toPlainText() == b.texto
    assert dialog.texto.toPlainText().startswith("Hola María,")
    assert dialog.texto.isReadOnly()
    # tall enough for all of it (the long link wraps instead of being cut)
    assert dialog.texto.height() >= dialog.texto.document().size().height()
    assert "+54 9 11 2345-6789" in dialog.phone.text()
    assert "5491123456789" in dialog.raw_phone.text()
    assert dialog.link.text() == b.link and dialog.link.isReadOnly()
    assert "1. RESONANCIA MAGNÉTICA DE RODILLA" in dialog.prestaciones.text()
    assert "2. RADIOGRAFÍA DE RODILLA FRENTE Y PERFIL" in dialog.prestaciones.text()
    assert "Sale en 15 minutos (a las 14:20)" in dialog.note.text()
    assert dialog.confirm_button.text() == "Confirmar y enviar (Ctrl+Enter)"
    assert dialog.back_button.text() == "Volver (Esc)"


def test_preview_ctrl_enter_confirms_and_remembers_the_checkbox(qtbot: QtBot) -> None:
    dialog = preview(qtbot)
    qtbot.keyClick(dialog.confirm_button, Qt.Key.Key_Return)  # plain Enter does not confirm
    assert dialog.isVisible()
    dialog.dont_ask.setChecked(True)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.confirm_button, Qt.Key.Key_Return, CTRL)
    assert dialog.dont_show_again()


def test_preview_escape_goes_back(qtbot: QtBot) -> None:
    dialog = preview(qtbot)
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog.confirm_button, Qt.Key.Key_Escape)
    assert not dialog.dont_show_again()


# --- F1 help -------------------------------------------------------------------------------------


def test_help_lists_every_action_grouped_and_closes_with_esc_or_f1(qtbot: QtBot) -> None:
    window = QMainWindow()
    edit = QLineEdit()
    window.setCentralWidget(edit)
    fired: list[str] = []

    def action(text: str, *keys: str) -> QAction:
        a = QAction(text, window)
        a.setShortcuts([QKeySequence(k) for k in keys])
        a.triggered.connect(lambda: fired.append(text))
        window.addAction(a)
        return a

    confirm = action("Confirmar &envío", "Ctrl+Return")
    nxt = action("Siguiente", "Ctrl+Down", "F8")
    ver = action("Ver imagen")
    overlay = HelpOverlay(window, [("Solicitud", [confirm]), ("Navegación", [nxt, ver])])
    window.resize(800, 600)
    shown(qtbot, window)
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_F8)  # the shortcuts work while the overlay is closed
    assert fired == ["Siguiente"]
    fired.clear()
    assert overlay.rows == [
        ("Solicitud", "Confirmar envío", "Ctrl+Enter"),
        ("Navegación", "Siguiente", "Ctrl+↓ o F8"),
        ("Navegación", "Ver imagen", "—"),
    ]

    overlay.open_overlay()
    assert overlay.isVisible() and overlay.geometry() == window.rect()
    qtbot.waitUntil(overlay.hasFocus)
    qtbot.keyClick(overlay, Qt.Key.Key_Return, CTRL)  # window shortcuts don't fire behind it
    assert fired == []
    qtbot.keyClick(overlay, Qt.Key.Key_Escape)
    assert not overlay.isVisible()
    qtbot.waitUntil(edit.hasFocus)  # focus goes back where it was

    overlay.toggle()
    assert overlay.isVisible()
    qtbot.keyClick(overlay, Qt.Key.Key_F1)
    assert not overlay.isVisible()


def test_departure_note_reads_naturally() -> None:
    assert nota_salida(NOW_LOCAL, timedelta(minutes=1)).startswith("Sale en 1 minuto (a las 14:06)")
    assert nota_salida(NOW_LOCAL, timedelta(0)) == "Sale apenas confirmes."


def test_key_text_uses_the_names_on_the_keyboard() -> None:
    assert key_text(QKeySequence("Ctrl+Return")) == "Ctrl+Enter"
    assert key_text(QKeySequence("Alt+Up")) == "Alt+↑"
    assert key_text(QKeySequence("Delete")) == "Supr"
    assert key_text(QKeySequence("Ctrl+Shift+P")) == "Ctrl+Mayús+P"

"""Issue 13.11: Qt's own texts (file dialogs, standard buttons) in Spanish, and the app's too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QPushButton
from pytestqt.qtbot import QtBot

from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio
from dim_revision.services.detalle import EnvioInfo
from tests.unit.test_spanish_texts import DOUBLE_PERIOD
from ui.record_text import _envio_text
from ui.supervisor.historial import HistorialDialog
from ui.tasks import TaskRunner
from ui.translations import install_spanish, remove

pytestmark = pytest.mark.gui


@pytest.fixture
def spanish(qapp: QApplication) -> Iterator[None]:
    before = QLocale()
    translators = install_spanish(qapp)
    assert translators, "PySide6 debería traer qtbase_es.qm"
    yield
    remove(qapp, translators)
    QLocale.setDefault(before)


def test_qt_standard_buttons_and_file_dialog_speak_spanish(qtbot: QtBot, spanish: None) -> None:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Close
        | QDialogButtonBox.StandardButton.Cancel
        | QDialogButtonBox.StandardButton.Save
    )
    qtbot.addWidget(box)
    texts = {b.text().replace("&", "") for b in box.buttons()}
    assert texts == {"Cerrar", "Cancelar", "Guardar"}

    dialog = QFileDialog(None, "Exportar")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)  # what Linux and the tests show
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    qtbot.addWidget(dialog)
    labels = {b.text().replace("&", "") for b in dialog.findChildren(QPushButton)}
    assert "Cancelar" in labels and "Guardar" in labels
    assert QCoreApplication.translate("QFileDialog", "File &name:").startswith("&Nombre")
    assert QLocale().language() is QLocale.Language.Spanish


def test_historial_closes_with_cerrar_even_without_qt_catalogs(
    qtbot: QtBot, sqlite_db: Database, runner: TaskRunner
) -> None:
    dialog = HistorialDialog(sqlite_db, runner, 1)
    qtbot.addWidget(dialog)
    assert dialog.close_button.text() == "Cerrar"
    qtbot.waitUntil(runner.is_idle)


def test_a_failed_send_reads_without_a_double_period() -> None:
    now = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    envio = EnvioInfo(
        1, 1, EstadoEnvio.FALLIDO.value, "5491123456789", "x", now, "ana", now, 6,
        "Botmaker no responde. Se agotaron los reintentos (6).", None, None,
    )  # fmt: skip
    text = _envio_text(envio)
    assert "reintentos (6) (ya se atendió)." in text and not DOUBLE_PERIOD.search(text)

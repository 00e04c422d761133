"""Qt's own texts in Spanish: file dialogs, Cerrar/Cancelar/Aceptar, context menus (issue 13.11).

PySide6's wheel ships Qt's translations (`qtbase_es.qm` in `QLibraryInfo.TranslationsPath`,
collected by PyInstaller's Qt hook in the frozen build). The app's own texts are Spanish in the
source; this only covers what Qt draws itself. Dates and numbers follow Argentina's locale.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

LOCALE = QLocale(QLocale.Language.Spanish, QLocale.Country.Argentina)
CATALOGS = ("qtbase",)  # widgets, dialogs and standard buttons all live in qtbase


def install_spanish(app: QCoreApplication) -> list[QTranslator]:
    """Install Qt's Spanish catalogs on `app`; returns them (keep them alive; `remove` undoes)."""
    QLocale.setDefault(LOCALE)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    installed: list[QTranslator] = []
    for catalog in CATALOGS:
        translator = QTranslator(app)
        if translator.load(LOCALE, catalog, "_", folder) and app.installTranslator(translator):
            installed.append(translator)
        else:
            log.warning("No se encontró la traducción de Qt %s_es en %s", catalog, folder)
    return installed


def remove(app: QCoreApplication, translators: list[QTranslator]) -> None:
    for translator in translators:
        app.removeTranslator(translator)

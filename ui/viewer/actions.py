"""The viewer's actions: Spanish text, shortcuts, and the short label shown on its toolbar.

Shortcuts use `Qt.WidgetWithChildrenShortcut`, so they only fire while the focus is inside the
viewer and never clash with the main window's global ones (Ctrl+Enter, Ctrl+F, Ctrl+P, F1, F5).
The main window lists them in the F1 overlay through `OrderViewer.actions()`.

| acción                     | teclas                 |
|----------------------------|------------------------|
| Acercar / Alejar           | + / −  (también Ctrl++ / Ctrl+−, Ctrl+rueda) |
| Ajustar a la ventana       | 0                      |
| Ajustar al ancho           | A                      |
| Girar a la izquierda/derecha | Shift+R / R          |
| Página anterior/siguiente  | RePág / AvPág (al final de un archivo sigue con el próximo) |
| Archivo anterior/siguiente | Ctrl+RePág / Ctrl+AvPág |
| Ver imagen (pantalla completa) | F11 (Esc cierra)   |
| Abrir con el visor del sistema | Ctrl+Shift+O       |
| Desplazar                  | flechas o arrastrar con el mouse |
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class ViewerActions:
    prev_file: QAction
    next_file: QAction
    prev_page: QAction
    next_page: QAction
    zoom_out: QAction
    zoom_in: QAction
    fit_window: QAction
    fit_width: QAction
    rotate_left: QAction
    rotate_right: QAction
    full_screen: QAction
    open_external: QAction

    def all(self) -> list[QAction]:
        return [getattr(self, f.name) for f in fields(self)]


_SPANISH_KEYS = {"PgUp": "RePág", "PgDown": "AvPág", "Del": "Supr", "Ins": "Insert"}


def key_hint(sequence: QKeySequence) -> str:
    """A shortcut as printed on Spanish keyboards (RePág/AvPág), for buttons and tooltips."""
    text = sequence.toString(QKeySequence.SequenceFormat.NativeText)
    return "+".join(_SPANISH_KEYS.get(part, part) for part in text.split("+")) if text else ""


def build_actions(owner: QWidget) -> ViewerActions:
    def make(text: str, label: str, *keys: str, hint_on_button: bool = True) -> QAction:
        action = QAction(text, owner)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        hint = key_hint(action.shortcut())
        action.setIconText(f"{label}  {hint}" if hint_on_button else label)
        action.setToolTip(f"{text} ({hint})")
        owner.addAction(action)
        return action

    return ViewerActions(
        prev_file=make("Archivo anterior", "◀ Archivo", "Ctrl+PgUp"),
        next_file=make("Archivo siguiente", "Archivo ▶", "Ctrl+PgDown"),
        prev_page=make("Página anterior", "◀ Pág.", "PgUp"),
        next_page=make("Página siguiente", "Pág. ▶", "PgDown"),
        zoom_out=make("Alejar", " − ", "-", "Ctrl+-", hint_on_button=False),  # the key is the label
        zoom_in=make("Acercar", " + ", "+", "Ctrl++", "=", hint_on_button=False),
        fit_window=make("Ajustar a la ventana", "Ajustar", "0"),
        fit_width=make("Ajustar al ancho", "Ancho", "A"),
        rotate_left=make("Girar a la izquierda", "↺", "Shift+R"),
        rotate_right=make("Girar a la derecha", "↻", "R"),
        full_screen=make("Ver imagen en pantalla completa", "Ver imagen", "F11"),
        open_external=make("Abrir con el visor del sistema", "Abrir afuera", "Ctrl+Shift+O"),
    )

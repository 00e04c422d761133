"""The viewer's actions: Spanish text, shortcuts, and the short label shown on its toolbar.

Each action has plain keys that act while the focus is in the viewer
(`Qt.WidgetWithChildrenShortcut`, so they never steal a letter typed in the picker) and, for the
everyday ones, a *window-wide* twin with a modifier that works from anywhere in the window — the
prestación search included — so the operator never has to leave the keyboard's home to turn a
page. F6 brings the keyboard into the viewer and F6 or Esc takes it back (`ui.viewer.focus`).

| acción                       | en el visor     | desde cualquier lugar |
|------------------------------|-----------------|-----------------------|
| Acercar / Alejar             | + / -  (=)      | Ctrl++ / Ctrl+-, Ctrl+rueda |
| Ajustar a la ventana         | 0               | Ctrl+0                |
| Ajustar al ancho             | A               |                       |
| Girar a la derecha/izquierda | R / Mayús+R     | Alt+R / Alt+Mayús+R   |
| Página siguiente/anterior    | AvPág / RePág   | Alt+AvPág / Alt+RePág |
| Archivo siguiente/anterior   |                 | Ctrl+AvPág / Ctrl+RePág |
| Ver imagen (pantalla completa) | F11 (Esc cierra) | Ctrl+I (la acción de la ventana) |
| Abrir con el visor del sistema |               | Ctrl+Mayús+O          |
| Desplazar                    | flechas o arrastrar con el mouse | |
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolBar, QWidget

from ui.key_names import EXTRA_KEYS, SHOWN_KEYS, key_text, shortcut_label


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


def build_actions(owner: QWidget, *, window_wide: bool = True) -> ViewerActions:
    """The toolbar's actions on `owner`; with `window_wide`, their modifier twins too."""

    def make(
        text: str,
        label: str,
        local: tuple[str, ...] = (),
        wide: tuple[str, ...] = (),
        *,
        hint_on_button: bool = True,
        shown: str | None = None,
    ) -> QAction:
        action = QAction(text, owner)
        action.setShortcuts([QKeySequence(k) for k in local])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        owner.addAction(action)
        if window_wide and wide:
            twin = QAction(text, owner)
            twin.setObjectName("visorVentana")
            twin.setShortcuts([QKeySequence(k) for k in wide])
            twin.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            twin.triggered.connect(lambda _checked=False: action.trigger())
            action.changed.connect(lambda: twin.setEnabled(action.isEnabled()))
            owner.addAction(twin)
            action.setProperty(EXTRA_KEYS, list(wide))
        keys = local + (wide if window_wide else ())
        firsts = [*((shown,) if shown else ()), *local[:1], *(wide[:1] if window_wide else ())]
        action.setProperty(SHOWN_KEYS, firsts)  # F1 and the tooltip print these, not every alias
        hint = shown or (key_text(keys[0]) if keys else "")
        action.setIconText(f"{label}  {hint}" if hint_on_button and hint else label)
        action.setToolTip(f"{text} ({shortcut_label(action)})")
        return action

    # Long combinations stay in the tooltip and F1: at 1366×768 the viewer is ~520 px wide and
    # the toolbars must not hide buttons behind "»".
    return ViewerActions(
        prev_file=make("Archivo anterior", "◀ Archivo", (), ("Ctrl+PgUp",), hint_on_button=False),
        next_file=make(
            "Archivo siguiente", "Archivo ▶", (), ("Ctrl+PgDown",), hint_on_button=False
        ),
        prev_page=make(
            "Página anterior", "◀ RePág", ("PgUp",), ("Alt+PgUp",), hint_on_button=False
        ),
        next_page=make(
            "Página siguiente", "AvPág ▶", ("PgDown",), ("Alt+PgDown",), hint_on_button=False
        ),
        zoom_out=make("Alejar", " - ", ("-",), ("Ctrl+-",), hint_on_button=False),
        zoom_in=make("Acercar", " + ", ("+", "="), ("Ctrl++", "Ctrl+="), hint_on_button=False),
        fit_window=make("Ajustar a la ventana", "Ajustar", ("0",), ("Ctrl+0",)),
        fit_width=make("Ajustar al ancho", "Ancho", ("A",)),
        rotate_left=make(
            "Girar a la izquierda", " ↺ ", ("Shift+R",), ("Alt+Shift+R",), hint_on_button=False
        ),
        rotate_right=make("Girar a la derecha", " ↻ ", ("R",), ("Alt+R",), hint_on_button=False),
        # Ctrl+I is the window's «Ver imagen» (ui/shortcuts.py): the button shows that key too.
        full_screen=make("Ver imagen en pantalla completa", "Ver imagen", ("F11",), shown="Ctrl+I"),
        open_external=make(
            "Abrir con el visor del sistema",
            "Abrir afuera",
            (),
            ("Ctrl+Shift+O",),
            hint_on_button=False,
        ),
    )


def toolbar(parent: QWidget, *groups: list[QAction]) -> QToolBar:
    """A text-only toolbar of `groups` (separated); its buttons never take the keyboard focus:
    keys go to the picture, buttons are for the mouse."""
    bar = QToolBar(parent)
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    for i, group in enumerate(groups):
        if i:
            bar.addSeparator()
        bar.addActions(group)
    for action in bar.actions():
        button = bar.widgetForAction(action)
        if button is not None:
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return bar

"""How a shortcut is written for the operator: the one place that names keys in Spanish.

Buttons, tooltips, the F1 help, the viewer's toolbar and the dialogs all go through `key_text`,
so a key has one name everywhere ("Mayús", "AvPág", "Supr", "Ctrl"), as printed on Spanish
(Latin American) keyboards.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

KEY_NAMES = {
    Qt.Key.Key_Return: "Enter",
    Qt.Key.Key_Enter: "Enter",
    Qt.Key.Key_Up: "↑",
    Qt.Key.Key_Down: "↓",
    Qt.Key.Key_Left: "←",
    Qt.Key.Key_Right: "→",
    Qt.Key.Key_Delete: "Supr",
    Qt.Key.Key_Backspace: "Retroceso",
    Qt.Key.Key_PageUp: "RePág",
    Qt.Key.Key_PageDown: "AvPág",
    Qt.Key.Key_Home: "Inicio",
    Qt.Key.Key_End: "Fin",
    Qt.Key.Key_Insert: "Insert",
    Qt.Key.Key_Space: "Espacio",
    Qt.Key.Key_Escape: "Esc",
    Qt.Key.Key_Tab: "Tab",
    Qt.Key.Key_Minus: "-",
    Qt.Key.Key_Plus: "+",
}
MODIFIER_NAMES = (
    (Qt.KeyboardModifier.ControlModifier, "Ctrl"),
    (Qt.KeyboardModifier.AltModifier, "Alt"),
    (Qt.KeyboardModifier.ShiftModifier, "Mayús"),
    (Qt.KeyboardModifier.MetaModifier, "Meta"),
)
# A dynamic property on a QAction: more shortcut strings that trigger it from elsewhere (e.g. the
# viewer's window-wide Alt+AvPág twin of its own AvPág), listed in the F1 help after its own.
EXTRA_KEYS = "atajosExtra"
# ...and, when set, the few keys worth printing (the first of each set), instead of every alias.
SHOWN_KEYS = "atajosVisibles"


def key_text(sequence: QKeySequence | str) -> str:
    """'Ctrl+Enter', 'Alt+↑', 'Ctrl+Mayús+X', 'Supr': a shortcut as read on the keyboard."""
    if isinstance(sequence, str):
        sequence = QKeySequence(sequence)
    chords = []
    for i in range(sequence.count()):
        combo = sequence[i]  # type: ignore[index]  # PySide6 supports it; the stubs lack __getitem__
        mods = combo.keyboardModifiers()
        parts = [name for mod, name in MODIFIER_NAMES if mods & mod]
        key = combo.key()
        name = KEY_NAMES.get(key)
        if name is None:
            name = QKeySequence(key).toString(QKeySequence.SequenceFormat.PortableText)
        parts.append(name)
        chords.append("+".join(parts))
    return ", ".join(chords)


def keys_text(sequences: Iterable[QKeySequence | str], joiner: str = " o ") -> str:
    """Every shortcut once ('Ctrl+↓ o F8'); Ctrl+Return and keypad Ctrl+Enter read the same."""
    names = [key_text(s) for s in sequences if not QKeySequence(s).isEmpty()]
    return joiner.join(dict.fromkeys(names))


def action_label(action: QAction) -> str:
    """The action's text without mnemonic markers ('&Resuelto' → 'Resuelto', '&&' → '&')."""
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")


def shortcut_label(action: QAction) -> str:
    """Every shortcut of the action, its extra ones included, or a dash when it has none."""
    shown = action.property(SHOWN_KEYS)
    if shown:
        return keys_text(shown)
    extra = action.property(EXTRA_KEYS) or []
    return keys_text([*action.shortcuts(), *extra]) or "—"

"""The workstation's actions: Spanish text, shortcut, the label shown on buttons and in F1 (DESIGN §9).

One table is the single source for the buttons, the window-wide shortcuts and the help overlay,
so a shortcut can never be on a button but missing from the overlay (or the other way round).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from ui.key_names import key_text


@dataclass(frozen=True)
class ActionSpec:
    name: str
    text: str
    keys: tuple[str, ...]  # QKeySequence strings (portable form); the first one is shown
    help: str
    group: str

    @property
    def label(self) -> str:
        """How the shortcut is written for the operator ("Ctrl+Enter", "Ctrl+Mayús+X")."""
        return key_text(QKeySequence(self.keys[0]))


SPECS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "confirmar",
        "Confirmar envío",
        ("Ctrl+Return", "Ctrl+Enter"),
        "Guarda las prestaciones, programa el WhatsApp y pasa a la siguiente solicitud",
        "Solicitud",
    ),
    ActionSpec(
        "resuelto",
        "Resuelto",
        ("Ctrl+R",),
        "Marca la solicitud como resuelta sin enviar",
        "Solicitud",
    ),
    ActionSpec(
        "contacto",
        "Indicar contacto",
        ("Ctrl+K",),
        "Registra un contacto con el paciente (fecha y usuario automáticos)",
        "Solicitud",
    ),
    ActionSpec(
        "turno",
        "Asignar turno",
        ("Ctrl+T",),
        "Abre el Portal LITE con el paciente cargado",
        "Solicitud",
    ),
    ActionSpec(
        "celular",
        "Corregir celular…",
        ("Ctrl+M",),
        "Guarda el celular que confirmó el paciente por teléfono (se registra como contacto)",
        "Solicitud",
    ),
    ActionSpec(
        "copiar_link",
        "Copiar link del Portal LITE",
        ("Ctrl+Shift+C",),
        "Copia la dirección del Portal LITE con el paciente y las prestaciones elegidas",
        "Solicitud",
    ),
    ActionSpec(
        "vincular_turno",
        "Vincular turno…",
        ("Ctrl+Shift+T",),
        "Asocia a la solicitud el turno dado en el Portal LITE y le adjunta la orden",
        "Solicitud",
    ),
    ActionSpec(
        "imagen",
        "Ver imagen",
        ("Ctrl+I",),
        "Muestra la orden en pantalla completa",
        "Solicitud",
    ),
    ActionSpec(
        "saltear",
        "Saltear",
        ("Ctrl+S",),
        "Deja la solicitud para después, con un motivo: no vuelve a aparecer en esta pasada",
        "Solicitud",
    ),
    ActionSpec(
        "deshacer",
        "Deshacer",
        ("Ctrl+Z",),
        "Deshace «Resuelto» o «Cancelar envío» durante 10 segundos",
        "Solicitud",
    ),
    ActionSpec(
        "editar",
        "Editar envío",
        ("Ctrl+E",),
        "Reemplaza las prestaciones del envío programado (mismo envío, link nuevo)",
        "Envío programado",
    ),
    ActionSpec(
        "cancelar",
        "Cancelar envío",
        ("Ctrl+Shift+X",),
        "Cancela el envío programado; la solicitud vuelve a pendiente",
        "Envío programado",
    ),
    ActionSpec(
        "enviar_ahora",
        "Enviar ahora",
        ("Ctrl+Shift+Return", "Ctrl+Shift+Enter"),
        "Envía el mensaje sin esperar el fin de la ventana de corrección",
        "Envío programado",
    ),
    ActionSpec(
        "historial",
        "Historial de la solicitud",
        ("Ctrl+H",),
        "Muestra quién hizo qué con la solicitud abierta, del más viejo al más nuevo",
        "Solicitud",
    ),
    ActionSpec(
        "siguiente",
        "Siguiente",
        ("Ctrl+Down",),
        "Pasa a la solicitud de abajo",
        "Navegación",
    ),
    ActionSpec(
        "anterior",
        "Anterior",
        ("Ctrl+Up",),
        "Vuelve a la solicitud de arriba",
        "Navegación",
    ),
    ActionSpec(
        "visor",
        "Ir al visor de la orden",
        ("F6",),
        "Lleva el teclado a la imagen (zoom, giro, páginas); F6 o Esc vuelven a donde estaba",
        "Navegación",
    ),
    ActionSpec(
        "buscar",
        "Buscar en la lista",
        ("Ctrl+F",),
        "Busca por DNI, nombre o teléfono",
        "Navegación",
    ),
    ActionSpec(
        "prestaciones",
        "Buscar prestación",
        ("Ctrl+P",),
        "Lleva el cursor al buscador de prestaciones",
        "Navegación",
    ),
    ActionSpec(
        "actualizar",
        "Actualizar",
        ("F5",),
        "Vuelve a leer la lista y la solicitud",
        "Ventana",
    ),
    ActionSpec("ayuda", "Atajos de teclado", ("F1",), "Muestra esta ayuda", "Ventana"),
)
SPEC_BY_NAME = {s.name: s for s in SPECS}


def button_text(spec: ActionSpec) -> str:
    """What a button shows: the action and its shortcut ("Confirmar envío  Ctrl+Enter")."""
    return f"{spec.text}  {spec.label}"


def build_actions(window: QWidget) -> dict[str, QAction]:
    """Window-wide QActions (they fire from any focused child, including the picker's field)."""
    actions: dict[str, QAction] = {}
    for spec in SPECS:
        action = QAction(spec.text, window)
        action.setObjectName(f"accion_{spec.name}")
        action.setShortcuts([QKeySequence(k) for k in spec.keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(f"{spec.help} ({spec.label})")
        action.setStatusTip(spec.help)
        window.addAction(action)
        actions[spec.name] = action
    return actions

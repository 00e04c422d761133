""" "Según la orden:" — what the offline reader proposes for the open record (issue 15).

`PropuestasPanel` lists the proposed prestaciones above the picker, each with the line of the
order it came from and its key (Alt+1…Alt+9; Enter takes the first while the search is empty),
and the reader's warnings. Nothing is ever added without the operator's key or click. Hovering or
selecting a proposal outlines its line on the image (`Resaltador`, over the viewer's scene).

`LecturaUI` feeds it: it reads the prefetched record's files (and the open one's, if nobody has)
on its own single low-priority thread, then asks the stored readings what they propose. A
failure or a timeout only leaves the record without suggestions. `instalar_propuestas(window)`
is the one call that wires it into the main window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence, QPen, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGraphicsRectItem,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from dim_revision.clock import local_today
from dim_revision.domain.search_index import SearchIndex
from dim_revision.lectura.controles import Alerta
from dim_revision.services.lecturas import (
    PropuestaOrden,
    RevisionOrden,
    leer_solicitud,
    proponedor_de,
    proponedor_sobre,
    revisar_solicitud,
)
from ui.db_errors import db_task
from ui.tasks import TaskFailure, TaskRunner

log = logging.getLogger(__name__)

TITULO = "Según la orden:"
MAX_TECLAS = 9
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class PropuestasPanel(QFrame):
    """The proposals and warnings of one record; emits, never adds by itself."""

    accepted = Signal(int, str)  # prestación id, name
    highlighted = Signal(object)  # PropuestaOrden | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("propuestas")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(8, 6, 8, 6)
        self._layout.setSpacing(2)
        self.alertas_label = QLabel(self)
        self.alertas_label.setWordWrap(True)
        self.alertas_label.setObjectName("alertasLectura")
        self.alertas_label.setStyleSheet("QLabel#alertasLectura { color: #b91c1c; }")
        self.titulo = QLabel(TITULO, self)
        self.titulo.setProperty("role", "muted")
        self._layout.addWidget(self.alertas_label)
        self._layout.addWidget(self.titulo)
        self.revision: RevisionOrden | None = None
        self.botones: list[QPushButton] = []
        self._tomadas: set[int] = set()
        self.mostrar(None)

    # --- content ------------------------------------------------------------------------------

    def mostrar(self, revision: RevisionOrden | None, tomadas: set[int] | None = None) -> None:
        for boton in self.botones:  # hidden now: deleteLater waits for the event loop, and
            self._layout.removeWidget(boton)  # until then the old buttons were drawn under
            boton.hide()  # the new ones (the record's lines twice, one over the other)
            boton.deleteLater()
        self.botones = []
        self.revision = revision
        self._tomadas = set(tomadas or ())
        propuestas = revision.propuestas if revision is not None else ()
        alertas = revision.alertas if revision is not None else ()
        self.alertas_label.setText("\n".join(f"⚠ {a.texto}" for a in alertas))
        self.alertas_label.setVisible(bool(alertas))
        self.titulo.setVisible(bool(propuestas))
        for n, p in enumerate(propuestas[:MAX_TECLAS], start=1):
            boton = QPushButton(self)
            boton.setFlat(True)
            boton.setStyleSheet("text-align: left; padding: 2px 4px;")
            # A long name is cut at the panel's edge (the tooltip has it whole) instead of
            # widening the window past a 1366 px screen.
            boton.setSizePolicy(QSizePolicy.Policy.Ignored, boton.sizePolicy().verticalPolicy())
            boton.setToolTip(f"Agregar (Alt+{n}). Leído en la orden: «{p.propuesta.linea}»")
            boton.clicked.connect(lambda _c=False, i=n - 1: self.aceptar(i))
            boton.installEventFilter(self)
            self._layout.addWidget(boton)
            self.botones.append(boton)
        self._pintar()
        self.setVisible(bool(propuestas) or bool(alertas))

    def marcar_tomadas(self, ids: set[int]) -> None:
        self._tomadas = set(ids)
        self._pintar()

    def _pintar(self) -> None:
        if self.revision is None:
            return
        for n, (boton, p) in enumerate(
            zip(self.botones, self.revision.propuestas, strict=False), 1
        ):
            tomada = p.propuesta.prestacion_id in self._tomadas
            marca = "✓" if tomada else f"Alt+{n}"
            boton.setText(f"{marca}  {p.propuesta.nombre}\n      «{p.propuesta.linea}»")
            boton.setEnabled(not tomada)

    def pendientes(self) -> list[PropuestaOrden]:
        if self.revision is None:
            return []
        return [
            p
            for p in self.revision.propuestas[:MAX_TECLAS]
            if p.propuesta.prestacion_id not in self._tomadas
        ]

    # --- operator -----------------------------------------------------------------------------

    def aceptar(self, i: int) -> bool:
        """The operator's key for the i-th proposal (0-based); False when there is none."""
        if self.revision is None or not 0 <= i < min(MAX_TECLAS, len(self.revision.propuestas)):
            return False
        p = self.revision.propuestas[i]
        if p.propuesta.prestacion_id in self._tomadas:
            return False
        self.highlighted.emit(p)
        self.accepted.emit(p.propuesta.prestacion_id, p.propuesta.nombre)
        return True

    def aceptar_primera(self) -> bool:
        quedan = self.pendientes()
        if not quedan or self.revision is None:
            return False
        return self.aceptar(list(self.revision.propuestas).index(quedan[0]))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched in self.botones and self.revision is not None:
            i = self.botones.index(watched)
            if event.type() in (QEvent.Type.Enter, QEvent.Type.FocusIn):
                self.highlighted.emit(self.revision.propuestas[i])
            elif event.type() in (QEvent.Type.Leave, QEvent.Type.FocusOut):
                self.highlighted.emit(None)
        return False


class Resaltador:
    """Outlines a proposal's line on the viewer's picture (scene units = the file's natural
    size, so the outline turns and zooms with the picture)."""

    def __init__(self, viewer: Any) -> None:
        self.viewer = viewer
        self.item: QGraphicsRectItem | None = None
        self._objetivo: PropuestaOrden | None = None
        viewer.canvas.view_changed.connect(self._actualizar)

    def mostrar(self, propuesta: PropuestaOrden | None) -> None:
        self._objetivo = propuesta
        if propuesta is not None and (self.viewer.index, self.viewer.page) != (
            propuesta.archivo,
            propuesta.propuesta.pagina,
        ):
            self.viewer.go_to(propuesta.archivo, propuesta.propuesta.pagina)
        self._actualizar()

    def _actualizar(self) -> None:
        p = self._objetivo
        visible = (
            p is not None
            and self.viewer.canvas.has_content()
            and (self.viewer.index, self.viewer.page) == (p.archivo, p.propuesta.pagina)
        )
        if not visible or p is None:
            if self.item is not None:
                self.item.setVisible(False)
            return
        size = self.viewer.canvas.natural_size()
        x0, y0, x1, y1 = p.region
        rect = QRectF(
            x0 * size.width(),
            y0 * size.height(),
            (x1 - x0) * size.width(),
            (y1 - y0) * size.height(),
        ).adjusted(-4, -4, 4, 4)
        if self.item is None or self.item.scene() is None:
            self.item = QGraphicsRectItem()
            pen = QPen(QColor(234, 88, 12))
            pen.setWidthF(max(2.0, size.width() / 400))
            self.item.setPen(pen)
            self.item.setBrush(QBrush(QColor(250, 204, 21, 60)))
            self.item.setZValue(10)
            self.viewer.canvas.scene().addItem(self.item)
        self.item.setRect(rect)
        self.item.setVisible(True)


class LecturaUI(QObject):
    """Reads in the background and shows what the reading proposes for the open record."""

    revision_ready = Signal(object)  # RevisionOrden of the open record

    def __init__(
        self,
        ws: Any,
        panel: PropuestasPanel,
        lector: Any,
        *,
        picker: Any = None,
        resaltador: Resaltador | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws, self.panel, self.lector = ws, panel, lector
        self.picker, self.resaltador = picker, resaltador
        self.runner = TaskRunner(self, max_threads=1)  # never takes the shared runner's threads
        self.quien = str(ws.me)[:60]
        self.proponedor: Any = None
        self._abierta: int | None = None
        ws.catalog_ready.connect(self._on_catalog)
        ws.prefetch_ready.connect(self._on_prefetch)
        ws.record_changed.connect(self._on_record)
        panel.accepted.connect(self._agregar)
        if resaltador is not None:
            panel.highlighted.connect(resaltador.mostrar)
        if picker is not None:
            picker.changed.connect(lambda _ids: panel.marcar_tomadas(set(picker.chosen_ids())))
            picker.search_edit.installEventFilter(self)
        # Installed after start: do not wait for the next catalog (the picker holds this one).
        self._on_catalog(getattr(picker, "_index", None))
        if ws.current is not None:
            self._on_record(ws.view())

    def shutdown(self) -> None:
        self.runner.shutdown(2000)
        if self.lector is not None:
            self.lector.cerrar()

    # --- reading ------------------------------------------------------------------------------

    def _on_catalog(self, index: object) -> None:
        """The proposer over the picker's own index (one copy in memory, issue 19); its own
        load only when there is none to share."""
        if isinstance(index, SearchIndex):
            self.runner.submit(
                db_task(proponedor_sobre),
                self.ws.db,
                index,
                on_done=self._on_proponedor,
                on_error=self._ignorar,
                key="lectura-proponedor",
            )
            return
        self.runner.submit(
            db_task(proponedor_de),
            self.ws.db,
            self.ws.clock(),
            self.ws.settings.busqueda,
            on_done=self._on_proponedor,
            on_error=self._ignorar,
            key="lectura-proponedor",
        )

    def _on_proponedor(self, proponedor: Any) -> None:
        self.proponedor = proponedor
        if self._abierta is not None:
            self._revisar(self._abierta)

    def _on_prefetch(self, detalle: Any) -> None:
        if self.lector is not None:
            self.runner.submit(
                db_task(leer_solicitud),
                self.ws.db,
                self.lector,
                detalle.id,
                self.quien,
                on_error=self._ignorar,
            )

    def _on_record(self, view: Any) -> None:
        sid = view.id if view is not None else None
        if sid == self._abierta:
            return
        self._abierta = sid
        self.panel.mostrar(None)
        if self.resaltador is not None:
            self.resaltador.mostrar(None)
        if sid is not None and view.detalle is None:
            # Opened cold: its photo is being read and decoded for the screen, and reading it for
            # the proposals too would compete with that (issue 19): once the record is painted.
            self.ws.later.add("lectura", lambda: self._revisar_abierta(sid))
        elif sid is not None:  # once the record is painted (it does not compete with it)
            self.ws.later.add("lectura", lambda: self._revisar(sid))

    def _revisar_abierta(self, sid: int) -> None:
        if sid != self._abierta:
            return
        if not self._en_pantalla(sid):  # `later` ran for the record before (a quick operator)
            self.ws.later.add("lectura", lambda: self._revisar_abierta(sid))
            return
        self._revisar(sid)

    def _en_pantalla(self, sid: int) -> bool:
        """The record is shown with its detail and its picture (or the message instead)."""
        rec = self.ws.current
        if rec is None or rec.id != sid or rec.detalle is None:
            return False
        viewer = self.resaltador.viewer if self.resaltador is not None else None
        return viewer is None or viewer.displayed_pixmap() is not None or bool(viewer.message())

    def _revisar(self, sid: int) -> None:
        if self.proponedor is None:
            return  # _on_proponedor comes back here
        hoy = local_today(self.ws.clock())
        validez = self.ws.settings.lectura.validez_dias
        lector, quien, db, proponedor = self.lector, self.quien, self.ws.db, self.proponedor

        def work() -> RevisionOrden:
            if lector is not None:
                leer_solicitud(db, lector, sid, quien)
            return revisar_solicitud(db, sid, proponedor, hoy, validez)

        self.runner.submit(
            db_task(work), on_done=self._on_revision, on_error=self._ignorar, key="lectura-actual"
        )

    def _on_revision(self, revision: RevisionOrden) -> None:
        if revision.solicitud_id != self._abierta:
            return  # the operator moved on
        tomadas = set(self.picker.chosen_ids()) if self.picker is not None else set()
        self.panel.mostrar(revision, tomadas)
        sugerir: Callable[..., Any] | None = getattr(
            self.resaltador and self.resaltador.viewer, "set_suggested_rotation", None
        )
        if sugerir is not None:
            for archivo, pagina, grados in revision.giros:
                sugerir(archivo, pagina, grados)
        self.revision_ready.emit(revision)

    def _ignorar(self, failure: TaskFailure) -> None:
        log.info("Sin sugerencias de la lectura: %s", failure.message)

    # --- operator -----------------------------------------------------------------------------

    def _agregar(self, prestacion_id: int, nombre: str) -> None:
        picker = self.picker
        if picker is None or picker.is_read_only():
            return
        if picker.chosen_model.append(prestacion_id, nombre):
            picker.changed.emit(picker.chosen_ids())
        picker.focus_search()

    def alertas_de(self, solicitud_id: int) -> tuple[Alerta, ...]:
        """The warnings shown on the open record, for Confirmar to audit with the save."""
        revision = self.panel.revision
        if revision is None or revision.solicitud_id != solicitud_id:
            return ()
        return tuple(revision.alertas)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in the empty search takes the first proposal (Alt+N takes any)."""
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            key = event if isinstance(event, QKeyEvent) else None
            if (
                key is not None
                and key.key() in _ENTER
                and key.modifiers() == Qt.KeyboardModifier.NoModifier
                and not self.picker.search_edit.text().strip()
                and self.panel.pendientes()
                and not self.picker.is_read_only()
            ):
                if event.type() == QEvent.Type.KeyPress:
                    self.panel.aceptar_primera()
                event.accept()
                return True
        return False


_CONSTRUIR = object()


def instalar_propuestas(window: Any, lector: Any = _CONSTRUIR) -> LecturaUI | None:
    """Put the panel above the window's picker and start reading (if `[lectura]` is on);
    `lector=None` shows stored readings only (tests)."""
    from dim_revision.bootstrap import build_lector

    ws = window.ws
    if not ws.settings.lectura.activa:
        return None
    panel = PropuestasPanel(window)
    layout = window.picker.parentWidget().layout()
    if layout is not None:
        layout.insertWidget(max(0, layout.indexOf(window.picker)), panel)
    if lector is _CONSTRUIR:
        lector = build_lector(ws.ctx)
    ui = LecturaUI(
        ws, panel, lector, picker=window.picker, resaltador=Resaltador(window.viewer), parent=window
    )
    for n in range(1, MAX_TECLAS + 1):
        atajo = QShortcut(QKeySequence(f"Alt+{n}"), window)
        atajo.activated.connect(lambda i=n - 1: panel.aceptar(i))
    record_actions = getattr(window, "record_actions", None)
    if record_actions is not None:
        record_actions.alertas_de = ui.alertas_de
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(ui.shutdown)
    window.propuestas = panel
    return ui

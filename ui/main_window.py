"""The workstation's main window: queue on the left, the open request on the right (DESIGN §4).

Only layout and wiring live here: the `Workstation` controller decides, the widgets render.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QRect, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dim_revision.clock import local_today, to_local
from dim_revision.domain.enums import ResultadoContacto
from dim_revision.outbox.status import OutboxCounts, WorkerStatus
from dim_revision.services.detalle import AdjuntoInfo, SolicitudDetalle, cargar_adjunto
from dim_revision.services.queue import QueueCounts
from ui.action_bar import ActionBar
from ui.banner import Banner
from ui.db_errors import OFFLINE_MESSAGE, db_task
from ui.dialogs import ConfirmPreviewDialog, ContactDialog
from ui.filter_bar import FilterBar
from ui.first_paint import FirstShown
from ui.help_overlay import HelpOverlay
from ui.loop_wiring import install as install_loop
from ui.patient_card import PatientCard
from ui.picker import PrestacionPicker
from ui.queue_model import COLUMNS, ID_ROLE
from ui.record_actions import PreviewRequest, RecordActions
from ui.record_extras import install as install_extras
from ui.record_state import RecordView
from ui.record_text import aviso_telefono
from ui.roles import install as install_roles
from ui.screen_fit import DEFAULT_SIZE
from ui.screen_fit import place as place_window
from ui.settings_store import LayoutStore
from ui.shortcuts import SPECS, build_actions
from ui.status_bar import StatusBar
from ui.supervisor.tools import install as install_supervisor
from ui.viewer import OrderViewer, ViewerFile, install_cold_open
from ui.workstation import Workstation

EMPTY_QUEUE = (
    "No quedan solicitudes sin resolver para trabajar.\n\n"
    "Las nuevas aparecen solas: cuando llegue una, se abre acá."
)
EMPTY_GRID = "No hay solicitudes con este filtro."


class MainWindow(QMainWindow):
    def __init__(self, ws: Workstation, layout_store: LayoutStore | None = None) -> None:
        super().__init__()
        self.ws = ws
        self.record_actions = RecordActions(ws, self)
        self.layout_store = layout_store
        self.setWindowTitle("DIM Revisión de órdenes")
        self.setObjectName("mainWindow")
        self.actions_by_name: dict[str, QAction] = build_actions(self)
        self._shown: tuple[int, tuple[int, ...]] | None = None  # record id, adjunto ids shown
        self.contact_dialog: ContactDialog | None = None
        self.preview_dialog: ConfirmPreviewDialog | None = None
        self._focused_once = False

        self._build_widgets()
        self._build_layout()
        self._build_menu()
        self.help = HelpOverlay(self, self._help_groups())
        self._connect()
        self.first_shown = FirstShown(self)  # what waits for the first record painted (#19)
        self.first_shown.then(ws.first_record_shown)
        self.loop = install_loop(self)  # Saltear, Deshacer, shortcuts from any focus (issue 13)
        self._restore_layout()
        self._on_actions_changed()
        self.supervisor = install_supervisor(self)  # dock + Historial/Reabrir/Liberar (issue #6)
        self.extras = install_extras(self)  # Corregir celular, Vincular turno, Copiar link (#13)
        self.roles = install_roles(self)  # Exportar / Configuración for supervisors (#13)

    # --- construction --------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        ws = self.ws
        self.offline_banner = Banner(self, action_text="Reintentar", closable=False)
        self.message_banner = Banner(self)
        self.clock_banner = Banner(self)
        self.filter_bar = FilterBar(
            local_today(ws.clock()), self.actions_by_name["actualizar"], self
        )

        self.grid = QTableView(self)
        self.grid.setObjectName("queueGrid")
        self.grid.setModel(ws.model)
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setAlternatingRowColors(True)
        self.grid.setWordWrap(False)
        self.grid.verticalHeader().hide()
        self.grid.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.grid.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        for i, column in enumerate(COLUMNS):
            header.resizeSection(i, column.width)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.grid_empty = QLabel(EMPTY_GRID, self)
        self.grid_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grid_empty.setProperty("role", "muted")
        self.grid_stack = QStackedWidget(self)
        self.grid_stack.addWidget(self.grid)
        self.grid_stack.addWidget(self.grid_empty)

        self.viewer = OrderViewer(ws.runner, self)
        self.patient_card = PatientCard(ws.clock, ws.me, self)
        self.picker = PrestacionPicker(self)
        self.action_bar = ActionBar(self.actions_by_name, self)
        self.status = StatusBar(ws.actor, self)
        self.status.servicio = ws.settings.outbox.modo == "servicio"
        self.setStatusBar(self.status)
        self.empty_state = QLabel(EMPTY_QUEUE, self)
        self.empty_state.setObjectName("emptyState")
        self.empty_state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_state.setWordWrap(True)
        self.empty_state.setStyleSheet("QLabel#emptyState { font-size: 15pt; color: #4b5563; }")

    def _build_layout(self) -> None:
        self.side_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.side_splitter.addWidget(self.patient_card)
        self.side_splitter.addWidget(self._titled("Prestaciones", self.picker))
        self.side_splitter.setSizes([340, 460])
        self.detail_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.detail_splitter.addWidget(self.viewer)
        self.detail_splitter.addWidget(self.side_splitter)
        self.detail_splitter.setStretchFactor(0, 1)
        self.detail_splitter.setStretchFactor(1, 1)
        self.detail_splitter.setSizes([520, 480])

        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(6, 0, 6, 6)
        detail_layout.addWidget(self.detail_splitter, 1)
        detail_layout.addWidget(self.action_bar)
        self.detail_page = detail
        self.right_stack = QStackedWidget(self)
        self.right_stack.addWidget(detail)
        self.right_stack.addWidget(self.empty_state)

        self.main_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.addWidget(self.grid_stack)
        self.main_splitter.addWidget(self.right_stack)
        self.main_splitter.setStretchFactor(0, 2)
        self.main_splitter.setStretchFactor(1, 3)
        self.main_splitter.setSizes([600, 1000])

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.offline_banner)
        layout.addWidget(self.clock_banner)
        layout.addWidget(self.message_banner)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.main_splitter, 1)
        self.setCentralWidget(central)

    def _build_menu(self) -> None:
        """Herramientas > Configuración…; `ui/app.py` connects it to the setup dialog."""
        menu = self.menuBar().addMenu("Herramientas")
        self.setup_action = QAction("Configuración…", self)
        self.setup_action.setObjectName("configuracion")
        menu.addAction(self.setup_action)

    def _titled(self, title: str, widget: QWidget) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 6, 0, 0)
        label = QLabel(title, box)
        label.setProperty("role", "section")
        layout.addWidget(label)
        layout.addWidget(widget, 1)
        return box

    def _help_groups(self) -> list[tuple[str, list[QAction]]]:
        groups: dict[str, list[QAction]] = defaultdict(list)
        for spec in SPECS:
            groups[spec.group].append(self.actions_by_name[spec.name])
        result = list(groups.items())
        viewer_actions = self.viewer.viewer_actions.all()
        if self.viewer.keyboard is not None:
            viewer_actions.append(self.viewer.keyboard.back_action)
        result.append(("Visor de la orden (F6 lleva el teclado a la imagen)", viewer_actions))
        return result

    def _toggle_viewer_focus(self) -> None:
        if self.viewer.keyboard is not None:
            self.viewer.keyboard.fallback = self.picker.focus_search
            self.viewer.keyboard.toggle()

    def _connect(self) -> None:
        ws, acts, ra = self.ws, self.actions_by_name, self.record_actions
        handlers: dict[str, Callable[[], object]] = {
            "confirmar": ra.confirm,
            "resuelto": ra.resolve,
            "contacto": self.open_contact_dialog,
            "turno": ra.assign_turno,
            "imagen": self.viewer.open_full_screen,
            "editar": ra.edit,
            "cancelar": ra.cancel_send,
            "enviar_ahora": ra.send_now,
            "siguiente": lambda: self.move_selection(1),
            "anterior": lambda: self.move_selection(-1),
            "buscar": self.filter_bar.focus_search,
            "prestaciones": self.picker.focus_search,
            "visor": self._toggle_viewer_focus,
            "actualizar": ws.refresh_all,
            "ayuda": self.help.toggle,
        }
        for name, handler in handlers.items():
            acts[name].triggered.connect(lambda _checked=False, h=handler: h())

        self.grid.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.filter_bar.filter_changed.connect(ws.set_filter)
        self.picker.changed.connect(lambda _ids: ws.set_chosen(self.picker.chosen()))
        self.picker.changed.connect(lambda _ids: ws.set_consultas(self.picker.consultas()))
        self.viewer.notice.connect(lambda text: self.message_banner.show_message(text, "warning"))
        self.viewer.shown.connect(self._arm_later)
        ws.later.watch(self)
        self.offline_banner.action_requested.connect(ws.retry_now)

        model = ws.model
        model.counts_changed.connect(self._on_counts)
        model.refreshed.connect(self._sync_selection)
        model.first_page_loaded.connect(self._sync_selection)
        for signal in (
            model.modelReset,
            model.rowsInserted,
            model.rowsRemoved,
            model.loading_changed,
        ):
            signal.connect(self._update_grid_empty)

        self.cold_open = install_cold_open(ws, self.viewer, self._file)  # before _on_record
        ws.record_changed.connect(self._on_record)
        ws.actions_changed.connect(self._on_actions_changed)
        ws.message.connect(self.message_banner.show_message)
        ws.online_changed.connect(self._on_online)
        ws.outbox_changed.connect(self._on_outbox)
        ws.key_checked.connect(self.status.set_key)
        ws.clock_skew_changed.connect(self._on_clock_skew)
        ws.countdown_changed.connect(self.action_bar.show_envio)
        ws.select_requested.connect(self.select_id)
        ws.empty_changed.connect(self._on_empty)
        ws.catalog_ready.connect(self.picker.set_index)
        ws.prefetch_ready.connect(lambda d: self.viewer.prefetch(self._files(d)))
        ws.focus_picker_requested.connect(self.picker.focus_search)
        ra.preview_ready.connect(self.show_preview)

    # --- grid ----------------------------------------------------------------------------------

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self.ws.model.updating:
            self.ws.open(int(current.data(ID_ROLE)))

    def _sync_selection(self) -> None:
        """After rows moved under the view, the highlight follows the open record (or goes)."""
        rec = self.ws.current
        row = self.ws.model.row_of(rec.id) if rec is not None else None
        if row is None:
            self.grid.selectionModel().clear()
        else:
            self.select_id(rec.id)  # type: ignore[union-attr]

    def select_id(self, sid: int) -> None:
        row = self.ws.model.row_of(sid)
        if row is None:
            return
        index = self.ws.model.index(row, 0)
        if self.grid.currentIndex().row() == row and self.grid.selectionModel().isRowSelected(row):
            return
        self.grid.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.grid.scrollTo(index)

    def move_selection(self, step: int) -> None:
        model = self.ws.model
        if model.rowCount() == 0:
            return
        current = self.grid.currentIndex().row()
        row = 0 if current < 0 else min(max(current + step, 0), model.rowCount() - 1)
        if step > 0 and current == model.rowCount() - 1 and model.canFetchMore():
            model.fetchMore()
        self.grid.selectRow(row)

    def _update_grid_empty(self, *_args: object) -> None:
        empty = self.ws.model.rowCount() == 0 and not self.ws.model.busy
        self.grid_stack.setCurrentWidget(self.grid_empty if empty else self.grid)

    def _on_counts(self, counts: QueueCounts) -> None:
        self.filter_bar.set_counts(counts)

    # --- the open record -----------------------------------------------------------------------

    def _files(self, d: SolicitudDetalle) -> list[ViewerFile]:
        return [self._file(a) for a in d.adjuntos]

    def _file(self, a: AdjuntoInfo) -> ViewerFile:
        load = functools.partial(db_task(cargar_adjunto), self.ws.db, a.id)
        return ViewerFile(a.id, a.nombre, a.mime, load=load)

    def _on_record(self, view: RecordView | None) -> None:
        detalle = view.detalle if view is not None else None
        self.patient_card.show_detalle(detalle)
        if view is None:
            self._shown = None
            self.viewer.set_files([])
            self.picker.clear()
            self.picker.set_read_only(True)
            self.action_bar.set_state_text("")
            return  # the viewer's "no files" message arms `ws.later` (`_arm_later`)
        key = (view.id, tuple(a.id for a in detalle.adjuntos) if detalle is not None else ())
        if detalle is not None and key != self._shown:
            self._shown = key
            self.viewer.set_files(self._files(detalle))
        elif detalle is None and (self._shown is None or self._shown[0] != view.id):
            self._shown = None
            self.viewer.set_files([])
        if self.picker.chosen() != list(view.chosen):
            self.picker.set_chosen(view.chosen)
        self.picker.set_read_only(not view.picks_editable)
        self.action_bar.set_state_text(view.state_text)
        focus = QApplication.focusWidget()
        lost = focus is None or not focus.isEnabled() or not focus.isVisible()
        if view.picks_editable and (lost or not self._focused_once):
            self._focused_once = True  # the day starts typing in the picker
            self.picker.focus_search()
        if self.viewer.displayed_pixmap() is not None or self.viewer.message():
            self._arm_later()  # its picture (or what stands for it) is already there

    def _arm_later(self) -> None:
        """The record's picture (or what stands for it) is on screen: `ws.later` runs once painted."""
        if self.ws.current is None or self.ws.current.detalle is not None:
            self.ws.later.arm()

    def _on_actions_changed(self) -> None:
        for name, enabled in self.ws.enabled().items():
            self.actions_by_name[name].setEnabled(enabled)
        view = self.ws.view()
        self.picker.set_read_only(view is None or not view.picks_editable)

    def _on_empty(self, empty: bool) -> None:
        self.right_stack.setCurrentWidget(self.empty_state if empty else self.detail_page)

    # --- dialogs -------------------------------------------------------------------------------

    def show_preview(self, request: PreviewRequest) -> None:
        settings = self.ws.settings
        dialog = ConfirmPreviewDialog(
            self,
            request.borrador,
            to_local(self.ws.clock()),
            timedelta(minutes=settings.envio.demora_minutos),
            aviso=aviso_telefono(self.ws.current.detalle if self.ws.current else None),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted() -> None:
            if dialog.dont_show_again():
                self.ws.flags.preview_muted = True
            self.record_actions.accept_preview(request)

        dialog.accepted.connect(accepted)
        dialog.finished.connect(self._after_dialog(lambda: setattr(self, "preview_dialog", None)))
        self.preview_dialog = dialog
        dialog.open()
        dialog.activateWindow()

    def open_contact_dialog(self) -> None:
        rec = self.ws.workable()
        if rec is None:
            return
        draft = self.ws.draft(rec.id)
        dialog = ContactDialog(
            self,
            self.ws.actor.usuario,
            to_local(self.ws.clock()),
            initial_outcome=ResultadoContacto(draft.contacto_resultado)
            if draft.contacto_resultado
            else None,
            initial_comment=draft.contacto_comentario,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        sid = rec.id

        def finished(result: int) -> None:
            outcome, comment = dialog.result_value()
            kept = self.ws.draft(sid)
            kept.contacto_resultado, kept.contacto_comentario = outcome.value, comment
            self.contact_dialog = None
            if result == ContactDialog.DialogCode.Accepted:
                self.record_actions.register_contact(outcome.value, comment)

        dialog.finished.connect(finished)
        dialog.finished.connect(self._after_dialog(lambda: None))
        self.contact_dialog = dialog
        dialog.open()
        dialog.activateWindow()

    def _after_dialog(self, then: Callable[[], object]) -> Callable[[int], None]:
        """When a dialog closes, the keyboard goes back to where the operator was."""
        focus = QApplication.focusWidget()

        def restore(_result: int) -> None:
            then()
            self.activateWindow()
            if focus is not None and focus.isVisible() and focus.isEnabled():
                focus.setFocus(Qt.FocusReason.OtherFocusReason)

        return restore

    # --- status --------------------------------------------------------------------------------

    def _on_online(self, online: bool, detail: str) -> None:
        self.status.set_db(online, detail)
        if online:
            self.offline_banner.hide()
            self.message_banner.show_message("Conexión recuperada: se recargó todo.", "info")
        else:
            self.offline_banner.show_message(OFFLINE_MESSAGE, "error")
            self.offline_banner.setToolTip(detail)
        self._on_actions_changed()

    def _on_clock_skew(self, text: str | None) -> None:
        if text:
            if not (self.clock_banner.isVisible() and self.clock_banner.text == text):
                self.clock_banner.show_message(text, "warning")
        else:
            self.clock_banner.hide()

    def _on_outbox(self, counts: OutboxCounts | None, status: WorkerStatus | None) -> None:
        self.status.set_outbox(counts, status)

    # --- layout memory -------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        store = self.layout_store
        self.geometry_restored = store is not None and store.restore_window(self)
        if not self.geometry_restored:
            self.resize(DEFAULT_SIZE)
        if store is not None:
            store.restore_splitter("main", self.main_splitter)
            store.restore_splitter("detail", self.detail_splitter)
            store.restore_splitter("side", self.side_splitter)
            store.restore_header("grid", self.grid.horizontalHeader())
        self.grid.setSortingEnabled(True)

    def place_on_screen(self, available: QRect | None = None) -> None:
        """Before the first `show()`: fit the screen (see `ui.screen_fit`); once shown, a
        restored geometry is checked again with the real window frame."""
        place_window(self, restored=self.geometry_restored, available=available)
        self._place_again = self.geometry_restored

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if getattr(self, "_place_again", False):
            self._place_again = False
            QTimer.singleShot(0, lambda: place_window(self, restored=True))

    def save_layout(self) -> None:
        store = self.layout_store
        if store is None:
            return
        store.save_window(self)
        store.save_splitter("main", self.main_splitter)
        store.save_splitter("detail", self.detail_splitter)
        store.save_splitter("side", self.side_splitter)
        store.save_header("grid", self.grid.horizontalHeader())
        store.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self.help.hide()
        self.ws.shutdown()
        super().closeEvent(event)

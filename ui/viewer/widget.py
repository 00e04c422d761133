"""OrderViewer: toolbar + zoom view + status line over a request's attachments.

Bytes come from each file's `load` and are decoded on the task runner; the GUI thread only
turns finished QImages into pixmaps. The current picture is requested under one runner key, so
a slow decode of a file the operator already left is dropped. After a zoom the picture is
re-decoded at the resolution the new scale needs (debounced), and swapped in without moving.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QSize, QSizeF, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from dim_revision.config import IntakeSettings
from ui.elided_label import ElidedLabel
from ui.tasks import TaskFailure, TaskRunner
from ui.viewer.actions import ViewerActions, build_actions, toolbar
from ui.viewer.cache import ImageCache
from ui.viewer.canvas import ZOOM_STEP, FitMode, ZoomView
from ui.viewer.decode import KIND_PDF, Decoded
from ui.viewer.files import NO_FILES, ViewerFile
from ui.viewer.focus import ViewerFocus, message_style
from ui.viewer.fullscreen import FullScreenWindow
from ui.viewer.jobs import FirstFile, export_copy
from ui.viewer.loader import Picture, PictureLoader
from ui.viewer.rotation import Rotations

REFINE_DELAY_MS = 150  # wait for the zoom to settle before decoding sharper
LOADING_DELAY_MS = 250  # only say "Cargando…" if it is not instant
MIN_DECODE_BOX = QSize(640, 480)  # before the view has a real size
WIDE_BOX_HEIGHT = 1_000_000  # "unbounded" height for fit-to-width decoding

PROBLEM_COLOR = "#9b1c1c"
CALM_COLOR = "#555555"

OpenUrl = Callable[[QUrl], bool]


class OrderViewer(QWidget):
    """Shows a request's photos and PDF pages; see `ui.viewer.actions` for the shortcuts."""

    notice = Signal(str)  # a message for the main window's banner (e.g. the OS viewer failed)
    shown = Signal()  # a picture, or the message that stands for it, was put on screen

    def __init__(
        self,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        cache: ImageCache | None = None,
        open_url: OpenUrl | None = None,
        export_dir: Path | None = None,
        max_pixels: int | None = None,
        allow_full_screen: bool = True,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._cache = cache if cache is not None else ImageCache()
        self._open_url: OpenUrl = open_url or QDesktopServices.openUrl
        self._export_dir = export_dir or Path(tempfile.gettempdir()) / "dim-revision-visor"
        self._max_pixels = max_pixels or IntakeSettings().max_pixeles
        self._allow_full_screen = allow_full_screen
        self._open_key = f"visor-{id(self)}-abrir"
        self._loader = PictureLoader(runner, self._cache, self._max_pixels, self)
        self._loader.ready.connect(self._on_picture)
        self._loader.failed.connect(self._on_failed)

        self._files: list[ViewerFile] = []
        self._index = 0
        self._page = 0
        self._rotations = Rotations()  # by hand (a file turns with all its pages) or suggested
        self._fit = FitMode.AUTO  # the last fit chosen; zooming does not change it
        self._shown: tuple[int, int] | None = None  # (adjunto_id, page) on the canvas
        self._shown_decoded: Decoded | None = None
        self._message = ""
        self.full_screen_window: FullScreenWindow | None = None

        self._refine_timer = QTimer(self, singleShot=True, interval=REFINE_DELAY_MS)
        self._refine_timer.timeout.connect(self._refine)
        self._loading_timer = QTimer(self, singleShot=True, interval=LOADING_DELAY_MS)
        self._loading_timer.timeout.connect(self._show_loading)

        self.canvas = ZoomView(self)
        self.canvas.view_changed.connect(self._on_view_changed)
        self._message_label = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self._message_label.setObjectName("visorMensaje")
        self._message_label.setMargin(24)
        self._message_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.canvas)
        self._stack.addWidget(self._message_label)
        self.name_label = ElidedLabel(min_chars=4)  # the full name is its tooltip
        self.name_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status_label = QLabel()

        self.setFocusProxy(self.canvas)  # focusing the viewer focuses the picture
        self.viewer_actions: ViewerActions = build_actions(self)
        # F6 in / F6 or Esc out (the full-screen copy closes with Esc instead).
        self.keyboard = ViewerFocus(self, self.focus_picture) if allow_full_screen else None
        self._build_layout()
        self._connect_actions()
        self._refresh()

    # --- layout ---------------------------------------------------------------------------------

    def _build_layout(self) -> None:
        """View operations on top; file/page navigation with the status line at the bottom."""
        a = self.viewer_actions
        view_bar = toolbar(
            self,
            [a.zoom_out, a.zoom_in, a.fit_window, a.fit_width],
            [a.rotate_left, a.rotate_right],
            [a.full_screen, a.open_external] if self._allow_full_screen else [a.open_external],
        )
        nav_bar = toolbar(self, [a.prev_file, a.next_file], [a.prev_page, a.next_page])
        footer = QHBoxLayout()
        footer.setContentsMargins(0, 0, 8, 0)
        footer.addWidget(nav_bar)
        footer.addSpacing(8)
        footer.addWidget(self.name_label, 1)
        footer.addSpacing(8)
        footer.addWidget(self.status_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(view_bar)
        layout.addWidget(self._stack, 1)
        layout.addLayout(footer)

    def _connect_actions(self) -> None:
        a = self.viewer_actions
        a.prev_file.triggered.connect(self.prev_file)
        a.next_file.triggered.connect(self.next_file)
        a.prev_page.triggered.connect(self.prev_page)
        a.next_page.triggered.connect(self.next_page)
        a.zoom_in.triggered.connect(self.zoom_in)
        a.zoom_out.triggered.connect(self.zoom_out)
        a.fit_window.triggered.connect(self.fit_window)
        a.fit_width.triggered.connect(self.fit_width)
        a.rotate_left.triggered.connect(self.rotate_left)
        a.rotate_right.triggered.connect(self.rotate_right)
        a.full_screen.triggered.connect(self.open_full_screen)
        a.open_external.triggered.connect(self.open_external)
        if not self._allow_full_screen:  # inside the full-screen window F11/Esc close it
            a.full_screen.setShortcuts([])
            a.full_screen.setVisible(False)

    # --- public API -----------------------------------------------------------------------------

    def set_files(
        self,
        files: Sequence[ViewerFile],
        *,
        index: int = 0,
        page: int = 0,
        rotations: dict[int, int] | Rotations | None = None,
    ) -> None:
        """Show another request's attachments (the first one, fitted, unless told otherwise)."""
        self._files = list(files)
        self._index = min(max(index, 0), max(len(self._files) - 1, 0))
        self._page = max(page, 0)
        self._rotations = Rotations.of_value(rotations)
        self._show_current()

    def set_suggested_rotation(self, file_index: int, page: int, degrees: int) -> None:
        """Turn page `page` of file `file_index` by `degrees` clockwise (a quarter turn; after
        EXIF) — e.g. from a text-orientation check — unless the operator turned that file by
        hand. Out-of-range indexes are ignored (the operator may have moved on)."""
        if not 0 <= file_index < len(self._files) or page < 0:
            return
        file = self._files[file_index]
        if not self._rotations.suggest(file.adjunto_id, page, degrees):
            return
        if (file_index, page) == (self._index, self._page) and self._shown is not None:
            self.canvas.set_rotation(self._rotations.of(file.adjunto_id, page))
            self._refresh()

    def focus_picture(self) -> None:
        """Give the keyboard to the viewer: the picture, or the message shown instead."""
        page = self._stack.currentWidget() or self.canvas
        page.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def prefetch(self, files: Sequence[ViewerFile]) -> None:
        """Decode the first attachment of the next request now, so showing it later is instant."""
        if files:
            self._loader.prefetch(files[0], self._decode_box(0))

    def prefetch_first(self, find: Callable[[], FirstFile | None]) -> None:
        """A request opened cold: `find` (on the task runner) finds and reads its first file,
        decoded in the same task; `first_file_known` then says which file it is."""
        self._loader.prefetch_first(find, self._decode_box(0))

    def first_file_known(self, file: ViewerFile) -> None:
        self._loader.first_file_known(file, self._decode_box(0))

    def files(self) -> list[ViewerFile]:
        return list(self._files)

    def current_file(self) -> ViewerFile | None:
        return self._files[self._index] if self._files else None

    @property
    def index(self) -> int:
        return self._index

    @property
    def page(self) -> int:
        return self._page

    def page_count(self) -> int:
        file = self.current_file()
        return (self._loader.page_count(file.adjunto_id) or 1) if file else 0

    def rotation(self) -> int:
        file = self.current_file()
        return self._rotations.of(file.adjunto_id, self._page) if file else 0

    def message(self) -> str:
        """The text shown instead of a picture ("" while a picture is shown)."""
        return self._message

    def displayed_pixmap(self) -> QPixmap | None:
        return self.canvas.pixmap() if self._shown is not None else None

    def status_text(self) -> str:
        """E.g. "archivo 2/3 · página 1/2 · 45 %"."""
        file = self.current_file()
        if file is None:
            return "sin archivos"
        parts = [f"archivo {self._index + 1}/{len(self._files)}"]
        count = self._loader.page_count(file.adjunto_id)
        if self._loader.kind(file.adjunto_id) == KIND_PDF and count is not None:
            parts.append(f"página {self._page + 1}/{count}")
        if self._shown is not None:
            parts.append(f"{round(self.canvas.scale_factor() * 100)} %")
        return " · ".join(parts)

    # --- navigation -----------------------------------------------------------------------------

    def go_to(self, index: int, page: int = 0) -> None:
        if not self._files:
            return
        index = min(max(index, 0), len(self._files) - 1)
        if (index, page) != (self._index, self._page):
            self._index, self._page = index, max(page, 0)
            self._show_current()

    def next_file(self) -> None:
        if self._index + 1 < len(self._files):
            self.go_to(self._index + 1)

    def prev_file(self) -> None:
        if self._index > 0:
            self.go_to(self._index - 1)

    def next_page(self) -> None:
        """The next PDF page; past the last page, the next file."""
        if self._page + 1 < self.page_count():
            self.go_to(self._index, self._page + 1)
        else:
            self.next_file()

    def prev_page(self) -> None:
        """The previous PDF page; before the first, the last page of the previous file."""
        if self._page > 0:
            self.go_to(self._index, self._page - 1)
        elif self._index > 0:
            previous = self._files[self._index - 1]
            self.go_to(self._index - 1, (self._loader.page_count(previous.adjunto_id) or 1) - 1)

    # --- view operations ------------------------------------------------------------------------

    def zoom_in(self) -> None:
        self.canvas.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.canvas.zoom_by(1 / ZOOM_STEP)

    def fit_window(self) -> None:
        self._fit = FitMode.WINDOW
        self.canvas.set_fit_mode(self._fit)

    def fit_width(self) -> None:
        self._fit = FitMode.WIDTH
        self.canvas.set_fit_mode(self._fit)

    def rotate_left(self) -> None:
        self._rotate(-90)

    def rotate_right(self) -> None:
        self._rotate(90)

    def _rotate(self, delta: int) -> None:
        """Rotation belongs to the file: every page of a PDF turns with it."""
        file = self.current_file()
        if file is None:
            return
        degrees = self._rotations.turn(file.adjunto_id, self._page, delta)
        if self._shown is not None:
            self.canvas.set_rotation(degrees)

    def open_full_screen(self) -> None:
        if not self._files or not self._allow_full_screen:
            return
        if self.full_screen_window is not None:
            self.full_screen_window.close()
        inner = OrderViewer(
            self._runner,
            cache=self._cache,
            open_url=self._open_url,
            export_dir=self._export_dir,
            max_pixels=self._max_pixels,
            allow_full_screen=False,
        )
        window = FullScreenWindow(inner, self)
        window.destroyed.connect(self._on_full_screen_closed)
        self.full_screen_window = window
        inner.set_files(self._files, index=self._index, page=self._page, rotations=self._rotations)
        window.showFullScreen()
        inner.canvas.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_full_screen_closed(self) -> None:
        self.full_screen_window = None

    def open_external(self) -> None:
        """Write the file to a temp folder and let the OS open it with its own program."""
        file = self.current_file()
        if file is None:
            return
        self._runner.submit(
            export_copy,
            file,
            self._cache.data(file.adjunto_id),
            self._export_dir,
            on_done=self._on_exported,
            on_error=self._on_export_failed,
            key=self._open_key,
        )

    def _on_exported(self, path: Path) -> None:
        if not self._open_url(QUrl.fromLocalFile(str(path))):
            self.notice.emit(f"No se pudo abrir el visor del sistema. El archivo quedó en {path}.")

    def _on_export_failed(self, failure: TaskFailure) -> None:
        self.notice.emit(f"No se pudo abrir el archivo con el visor del sistema. {failure.message}")

    # --- loading --------------------------------------------------------------------------------

    def _show_current(self) -> None:
        self._refine_timer.stop()
        self._loading_timer.stop()
        self._loader.cancel()
        self._shown = self._shown_decoded = None
        self.canvas.clear()
        file = self.current_file()
        if file is None:
            self._show_message(NO_FILES, problem=False)
            return
        self._message = ""
        self._switch_to(self.canvas)
        box = self._decode_box(self._rotations.of(file.adjunto_id, self._page))
        cached = self._loader.request(file, self._page, box)
        if cached is not None:
            self._display(file, self._page, cached)
        else:
            self._loading_timer.start()
        self._refresh()

    def _decode_box(self, rotation: int) -> QSize:
        """Device pixels the picture may fill in the current fit mode, in its own orientation."""
        box = self.canvas.maximumViewportSize().expandedTo(MIN_DECODE_BOX)
        if self._fit is FitMode.WIDTH:
            box.setHeight(WIDE_BOX_HEIGHT)
        if rotation % 180:
            box = box.transposed()
        ratio = self.devicePixelRatioF()
        return QSize(math.ceil(box.width() * ratio), math.ceil(box.height() * ratio))

    def _on_picture(self, picture: Picture) -> None:
        file = self.current_file()
        if file is None or file.adjunto_id != picture.adjunto_id:
            return
        self._page = picture.page
        if picture.sharper and self._shown == (picture.adjunto_id, picture.page):
            self._shown_decoded = picture.decoded
            self.canvas.replace_pixmap(QPixmap.fromImage(picture.decoded.image))
        else:
            self._display(file, picture.page, picture.decoded)

    def _on_failed(self, message: str) -> None:
        if self._shown is None:
            self._show_message(message)

    def _display(self, file: ViewerFile, page: int, decoded: Decoded) -> None:
        self._loading_timer.stop()
        self._shown = (file.adjunto_id, page)
        self._shown_decoded = decoded
        self._message = ""
        self._switch_to(self.canvas)
        self.canvas.set_content(
            QPixmap.fromImage(decoded.image),
            QSizeF(decoded.natural),
            rotation=self._rotations.of(file.adjunto_id, page),
            mode=self._fit,
        )
        self._refresh()
        self.shown.emit()
        self._loader.warm_up()

    def _switch_to(self, page: QWidget) -> None:
        """Show the picture or the message; the keyboard focus stays in the viewer."""
        if self._stack.currentWidget() is page:
            return
        focus = QApplication.focusWidget()
        keep_focus = focus is not None and (focus is self or self.isAncestorOf(focus))
        self._stack.setCurrentWidget(page)
        if keep_focus:
            page.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_loading(self) -> None:
        file = self.current_file()
        if file is not None and self._shown is None and not self._message:
            self._message_label.setText(f"Cargando «{file.nombre}»…")
            self._message_label.setStyleSheet(message_style(CALM_COLOR))
            self._switch_to(self._message_label)

    def _show_message(self, text: str, *, problem: bool = True) -> None:
        self._loading_timer.stop()
        self._message = text
        self._message_label.setText(text)
        self._message_label.setStyleSheet(message_style(PROBLEM_COLOR if problem else CALM_COLOR))
        self._switch_to(self._message_label)
        self._refresh()
        self.shown.emit()

    # --- sharper decoding after zoom -------------------------------------------------------------

    def _wanted_density(self, decoded: Decoded) -> float:
        return min(self.canvas.needed_density(), decoded.max_density)

    def _needs_sharper(self) -> bool:
        decoded = self._shown_decoded
        if decoded is None:
            return False
        wanted = self._wanted_density(decoded)
        return wanted > decoded.density * 1.02 and wanted > self._loader.requested_density * 1.02

    def _on_view_changed(self) -> None:
        self._refresh()
        if self._needs_sharper():
            self._refine_timer.start()

    def _refine(self) -> None:
        file, decoded = self.current_file(), self._shown_decoded
        if file is None or decoded is None or not self._needs_sharper():
            return
        density, natural = self._wanted_density(decoded), decoded.natural
        box = QSize(math.ceil(natural.width() * density), math.ceil(natural.height() * density))
        self._loader.sharpen(file, self._page, box, density)

    # --- labels and enabled state ---------------------------------------------------------------

    def _refresh(self) -> None:
        file = self.current_file()
        self.name_label.setText(file.nombre if file else "")
        self.name_label.setToolTip(file.nombre if file else "")
        self.status_label.setText(self.status_text())
        a = self.viewer_actions
        for action in (a.zoom_in, a.zoom_out, a.fit_window, a.fit_width, a.rotate_left):
            action.setEnabled(self._shown is not None)
        a.rotate_right.setEnabled(self._shown is not None)
        last = len(self._files) - 1
        a.prev_file.setEnabled(self._index > 0)
        a.next_file.setEnabled(self._index < last)
        a.prev_page.setEnabled(self._page > 0 or self._index > 0)
        a.next_page.setEnabled(self._page + 1 < self.page_count() or self._index < last)
        a.full_screen.setEnabled(bool(self._files) and self._allow_full_screen)
        a.open_external.setEnabled(bool(self._files))

    def actions_for_help(self) -> list[QAction]:
        return self.viewer_actions.all()  # the actions the F1 overlay lists (as `actions()`)

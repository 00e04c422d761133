"""The zoom / pan / rotate view of one picture (QGraphicsView over a single pixmap item).

Scene coordinates are *natural* pixels (see `Decoded`), whatever resolution the pixmap was
decoded at: swapping in a sharper pixmap after zooming changes nothing on screen but detail.
The view transform is `scale × rotation`; fit modes recompute the scale on every resize.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import QPoint, QPointF, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPixmap, QResizeEvent, QTransform, QWheelEvent
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QStyle,
    QWidget,
)

from ui.viewer.focus import CANVAS_STYLE

MIN_SCALE = 0.05
MAX_SCALE = 8.0
ZOOM_STEP = 1.25
MARGIN = 8  # px around the picture in fit modes
BACKGROUND = QColor("#525659")
# An A4 page at 96 dpi is 1123 px tall; at half that it is still readable. AUTO shows the whole
# page when it is at least that tall on screen, else fills the width (a short 1366×768 window).
READABLE_LONG_SIDE = 1123 * 0.5


class FitMode(enum.Enum):
    AUTO = "auto"  # WINDOW, or WIDTH when the whole page would be too small to read
    WINDOW = "window"
    WIDTH = "width"
    FREE = "free"


class ZoomView(QGraphicsView):
    """Shows one picture; emits `view_changed` whenever scale, rotation or content change."""

    view_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._item.setVisible(False)
        self._scene.addItem(self._item)
        self._natural = QSizeF()
        self._scale = 1.0
        self._rotation = 0
        self._mode = FitMode.AUTO
        self._width_fitted = False  # AUTO chose the width for the current picture
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setBackgroundBrush(BACKGROUND)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setObjectName("visorLienzo")
        self.setStyleSheet(CANVAS_STYLE)  # a visible frame while the picture has the keyboard

    # --- content ------------------------------------------------------------------------------

    def set_content(
        self, pixmap: QPixmap, natural: QSizeF, *, rotation: int, mode: FitMode
    ) -> None:
        """Show a new picture, with its own rotation, in a fit mode (FREE falls back to AUTO)."""
        self._natural = QSizeF(natural)
        self._rotation = rotation % 360
        self._mode = FitMode.AUTO if mode is FitMode.FREE else mode
        self._set_pixmap(pixmap)
        self._scene.setSceneRect(QRectF(QPointF(0, 0), self._natural))
        self._apply_fit()

    def replace_pixmap(self, pixmap: QPixmap) -> None:
        """Same picture, another resolution: the view does not move."""
        self._set_pixmap(pixmap)
        self.view_changed.emit()

    def clear(self) -> None:
        self._item.setPixmap(QPixmap())
        self._item.setVisible(False)
        self._natural = QSizeF()
        self._scene.setSceneRect(QRectF())
        self.view_changed.emit()

    def has_content(self) -> bool:
        return self._item.isVisible()

    def pixmap(self) -> QPixmap:
        return self._item.pixmap()

    def natural_size(self) -> QSizeF:
        return QSizeF(self._natural)

    def _set_pixmap(self, pixmap: QPixmap) -> None:
        self._item.setPixmap(pixmap)
        self._item.setTransform(
            QTransform.fromScale(
                self._natural.width() / max(1, pixmap.width()),
                self._natural.height() / max(1, pixmap.height()),
            )
        )
        self._item.setVisible(True)

    # --- state ----------------------------------------------------------------------------------

    def scale_factor(self) -> float:
        """Screen (logical) pixels per natural pixel: 1.0 is 100 %."""
        return self._scale

    def rotation(self) -> int:
        return self._rotation

    def fit_mode(self) -> FitMode:
        return self._mode

    def needed_density(self) -> float:
        """Decoded pixels per natural pixel that look sharp at the current zoom."""
        return self._scale * self.devicePixelRatioF()

    def displayed_size(self) -> QSizeF:
        """The picture's on-screen size, rotation included (for tests and the status line)."""
        rect = self.transform().mapRect(QRectF(QPointF(0, 0), self._natural))
        return rect.size()

    # --- operations -----------------------------------------------------------------------------

    def set_fit_mode(self, mode: FitMode) -> None:
        self._mode = mode
        self._apply_fit()

    def set_rotation(self, degrees: int) -> None:
        center = self._visible_center()
        self._rotation = degrees % 360
        if self._mode is FitMode.FREE:
            self._set_transform(self._scale)
            self.centerOn(center)
            self.view_changed.emit()
        else:
            self._apply_fit()

    def zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        """Zoom keeping the scene point under `anchor` (viewport coords; default the centre) still."""
        if not self.has_content():
            return
        new_scale = min(MAX_SCALE, max(MIN_SCALE, self._scale * factor))
        if anchor is None:
            anchor = self.viewport().rect().center()
        fixed = self.mapToScene(anchor)
        self._mode = FitMode.FREE
        self._set_transform(new_scale)
        moved = self.mapFromScene(fixed) - anchor
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + moved.x())
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + moved.y())
        self.view_changed.emit()

    def _rotated_natural(self) -> QSizeF:
        return self._natural.transposed() if self._rotation % 180 else QSizeF(self._natural)

    def _apply_fit(self, keep: QPointF | None = None) -> None:
        """Scale for the fit mode; then show `keep` (a scene point) centred, or the start."""
        if self._natural.isEmpty():
            return
        scale, by_width = self.fit_scale(self._mode)
        self._width_fitted = by_width
        self._set_transform(scale)
        if keep is not None:
            self.centerOn(keep)
        elif by_width:  # start reading at the top
            self.verticalScrollBar().setValue(self.verticalScrollBar().minimum())
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().minimum())
        else:
            self.centerOn(QPointF(self._natural.width() / 2, self._natural.height() / 2))
        self.view_changed.emit()

    def fit_scale(self, mode: FitMode) -> tuple[float, bool]:
        """The scale `mode` gives the current picture in the current viewport, and whether it
        fills the width (WIDTH, or AUTO on a page too short to read whole)."""
        size = self._rotated_natural()
        if size.isEmpty():
            return self._scale, False
        room = self.maximumViewportSize()
        width = max(1, room.width() - 2 * MARGIN)
        height = max(1, room.height() - 2 * MARGIN)
        whole = min(width / size.width(), height / size.height())
        by_width = width / size.width()
        if size.height() * by_width > room.height():  # a vertical scroll bar will take room
            bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
            by_width = max(1, width - bar) / size.width()
        use_width = mode is FitMode.WIDTH or (
            mode is FitMode.AUTO
            and max(size.width(), size.height()) * whole < READABLE_LONG_SIDE
            and by_width > whole
        )
        scale = by_width if use_width else whole
        return min(MAX_SCALE, max(MIN_SCALE, scale)), use_width

    def _set_transform(self, scale: float) -> None:
        self._scale = scale
        self.setTransform(QTransform().scale(scale, scale).rotate(self._rotation))

    def _visible_center(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())

    # --- events ---------------------------------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.zoom_by(ZOOM_STEP**steps, event.position().toPoint())
            event.accept()
            return
        super().wheelEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._mode is FitMode.WINDOW or (self._mode is FitMode.AUTO and not self._width_fitted):
            self._apply_fit()
        elif self._mode in (FitMode.WIDTH, FitMode.AUTO) and self.has_content():
            self._apply_fit(keep=self._visible_center())

"""A suggestion's text laid out for one width: bold runs for the matched parts, word-wrapped.

Kept apart from the delegate that paints it so the cost that matters per keystroke (measuring
words) is in one place and cached: word widths are shared by all rows, whole layouts are kept per
row content and width.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtGui import QFont, QFontMetrics

from ui.picker_models import MISSING, TAKEN, Span, Suggestion

Line = tuple[tuple[int, str, bool], ...]  # (x, piece, bold) drawn left to right
_PIECES = re.compile(r"\s+|\S+")


def segments(text: str, spans: Iterable[Span]) -> list[tuple[str, bool]]:
    """Split `text` into (piece, bold) runs; spans may overlap or fall outside the text."""
    n = len(text)
    merged: list[list[int]] = []
    for start, end in sorted((max(0, a), min(n, b)) for a, b in spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    runs: list[tuple[str, bool]] = []
    at = 0
    for start, end in merged:
        if start > at:
            runs.append((text[at:start], False))
        runs.append((text[start:end], True))
        at = end
    if at < n:
        runs.append((text[at:], False))
    return runs


@dataclass(frozen=True)
class RowLayout:
    """A suggestion laid out for one width: wrapped name pieces, the side text, the height."""

    lines: tuple[Line, ...]
    side: str  # "ya agregada · 34.50.01"
    side_width: int
    missing: str  # "sin coincidencia: cte", or ""
    text_height: int  # all lines, hint included


class RowLayouts:
    """Lays out suggestions (name wrapped in bold/regular runs, code on the right), cached."""

    GAP = 12  # between the name and the side text
    CACHE = 512

    def __init__(self) -> None:
        self._layouts: dict[tuple[object, ...], RowLayout] = {}
        self._metrics: dict[tuple[str, bool], QFontMetrics] = {}
        self._fonts: dict[str, tuple[QFont, QFont, QFont]] = {}
        self._widths: dict[tuple[str, bool, str], int] = {}  # word widths, shared by all rows

    def fonts(self, font: QFont) -> tuple[QFont, QFont, QFont]:
        """Regular, bold and italic copies of `font`, made once per font."""
        key = font.key()
        found = self._fonts.get(key)
        if found is None:
            bold, italic = QFont(font), QFont(font)
            bold.setBold(True)
            italic.setItalic(True)
            found = self._fonts[key] = (QFont(font), bold, italic)
        return found

    def metrics(self, font: QFont, bold: bool, font_key: str | None = None) -> QFontMetrics:
        key = (font.key() if font_key is None else font_key, bold)
        fm = self._metrics.get(key)
        if fm is None:
            styled = QFont(font)
            styled.setBold(bold)
            fm = self._metrics[key] = QFontMetrics(styled)
        return fm

    def layout(self, row: Suggestion, font: QFont, width: int) -> RowLayout:
        """`row` laid out in `width` pixels."""
        font_key = font.key()
        key = (row.nombre, row.spans, row.taken, row.codigo, row.sin_coincidencia, width, font_key)
        layout = self._layouts.get(key)
        if layout is None:
            taken, code, missing = row.taken, row.codigo, row.sin_coincidencia
            side = " · ".join(p for p in (TAKEN if taken else "", str(code or "")) if p)
            regular = self.metrics(font, False, font_key)
            side_width = regular.horizontalAdvance(side) if side else 0
            room = max(width - (side_width + self.GAP if side else 0), 40)
            lines = self._wrap(segments(row.nombre, row.spans), font, room, font_key)
            hint = MISSING.format(", ".join(missing)) if missing else ""
            height = (len(lines) + (1 if hint else 0)) * regular.height()
            layout = RowLayout(lines, side, side_width, hint, height)
            if len(self._layouts) >= self.CACHE:
                self._layouts.clear()
            self._layouts[key] = layout
        return layout

    def _wrap(
        self, runs: list[tuple[str, bool]], font: QFont, width: int, font_key: str
    ) -> tuple[Line, ...]:
        """Word-wrap bold/regular runs into lines of (x, text, bold), neighbouring words of the
        same weight drawn as one text; a word longer than the line is broken where it overflows
        (rare in a catalog)."""
        lines: list[list[tuple[int, str, bool]]] = [[]]
        x = 0
        pending_space = False
        widths = self._widths
        for text, bold in runs:
            fm = self.metrics(font, bold, font_key)
            space = self._width(" ", bold, fm, font_key)
            for piece in _PIECES.findall(text):
                if piece.isspace():
                    pending_space = bool(x)
                    continue
                key = (piece, bold, font_key)
                w = widths.get(key)
                if w is None:
                    w = widths[key] = fm.horizontalAdvance(piece)
                gap = space if pending_space else 0
                pending_space = False
                if x and x + gap + w > width:
                    lines.append([])
                    x, gap = 0, 0
                while w > width and len(piece) > 1:  # one word wider than the line
                    cut = len(piece) - 1
                    while cut > 1 and fm.horizontalAdvance(piece[:cut]) > width - x:
                        cut -= 1
                    lines[-1].append((x, piece[:cut], bold))
                    lines.append([])
                    x, gap = 0, 0
                    piece = piece[cut:]
                    w = fm.horizontalAdvance(piece)
                line = lines[-1]
                if line and line[-1][2] == bold:  # same weight: extend the previous text
                    start, previous, _ = line[-1]
                    line[-1] = (start, previous + (" " if gap else "") + piece, bold)
                else:
                    line.append((x + gap, piece, bold))
                x += gap + w
        if len(widths) > 20_000:
            widths.clear()
        return tuple(tuple(line) for line in lines)

    def _width(self, text: str, bold: bool, fm: QFontMetrics, font_key: str) -> int:
        key = (text, bold, font_key)
        w = self._widths.get(key)
        if w is None:
            w = self._widths[key] = fm.horizontalAdvance(text)
        return w

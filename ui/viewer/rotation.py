"""How each page of the open request is turned: by the operator's hand, or as suggested.

The photo arrives upright per its EXIF orientation (the decoder applies it, Pillow's
`ImageOps.exif_transpose` semantics). On top of that, a reader of the order's text (issue 15)
may suggest a quarter turn for a page that is still sideways or upside down
(`OrderViewer.set_suggested_rotation`). A suggestion is used only until the operator turns that
file by hand: from then on the file keeps the operator's angle on every page. Neither changes the
stored file.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Rotations:
    manual: dict[int, int] = field(default_factory=dict)  # adjunto_id → degrees (every page)
    suggested: dict[tuple[int, int], int] = field(default_factory=dict)  # (adjunto_id, page)

    def of(self, adjunto_id: int, page: int) -> int:
        if adjunto_id in self.manual:
            return self.manual[adjunto_id]
        return self.suggested.get((adjunto_id, page), 0)

    def turn(self, adjunto_id: int, page: int, delta: int) -> int:
        """The operator turns the file (all its pages) by `delta` from what is shown now."""
        degrees = (self.of(adjunto_id, page) + delta) % 360
        self.manual[adjunto_id] = degrees
        return degrees

    def suggest(self, adjunto_id: int, page: int, degrees: int) -> bool:
        """Note a suggestion; True if it decides what the page shows (no hand rotation yet)."""
        self.suggested[(adjunto_id, page)] = normalize(degrees)
        return adjunto_id not in self.manual

    def copy(self) -> Rotations:
        return Rotations(dict(self.manual), dict(self.suggested))

    @staticmethod
    def of_value(value: Rotations | dict[int, int] | None) -> Rotations:
        """A copy of `value`, or the operator's turns (adjunto_id → degrees) as Rotations."""
        return value.copy() if isinstance(value, Rotations) else Rotations(dict(value or {}))


def normalize(degrees: int) -> int:
    """A clockwise quarter turn: 0, 90, 180 or 270 (anything else rounds to the nearest)."""
    return (round(degrees / 90) * 90) % 360

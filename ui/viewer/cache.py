"""A small LRU of decoded pictures and raw bytes, shared by the viewer and its full-screen window.

Pictures are keyed by (adjunto_id, page, decoded size) so a prefetched first image of the next
record is shown at once, and the bytes are kept so zooming or re-rendering never asks the
database twice. Used only on the GUI thread: no locking.
"""

from __future__ import annotations

from collections import OrderedDict

from ui.viewer.decode import Decoded

ImageKey = tuple[int, int, int, int]  # adjunto_id, page, width, height


class ImageCache:
    def __init__(
        self, *, max_image_bytes: int = 64 * 1024 * 1024, max_data_entries: int = 4
    ) -> None:
        # 64 MB ≈ 20 photos decoded for a 1000 px box: the record, the prefetched next ones and
        # a few to go back to. 256 MB let RSS climb for ~85 records (issue 19: flat over 200).
        # The raw bytes (4–5 MB a phone photo) are only for a sharper decode or the OS viewer:
        # the file on screen and the next record's first one.
        self._images: OrderedDict[ImageKey, Decoded] = OrderedDict()
        self._data: OrderedDict[int, bytes] = OrderedDict()
        self._max_image_bytes = max_image_bytes
        self._max_data_entries = max_data_entries

    def put_image(self, adjunto_id: int, page: int, decoded: Decoded) -> None:
        key = (adjunto_id, page, decoded.image.width(), decoded.image.height())
        self._images[key] = decoded
        self._images.move_to_end(key)
        total = sum(d.nbytes for d in self._images.values())
        while total > self._max_image_bytes and len(self._images) > 1:
            _, evicted = self._images.popitem(last=False)
            total -= evicted.nbytes

    def best_image(self, adjunto_id: int, page: int) -> Decoded | None:
        """The largest decoded version of that page, or None; marks it recently used."""
        matches = [k for k in self._images if k[0] == adjunto_id and k[1] == page]
        if not matches:
            return None
        key = max(matches, key=lambda k: k[2] * k[3])
        self._images.move_to_end(key)
        return self._images[key]

    def put_data(self, adjunto_id: int, data: bytes) -> None:
        self._data[adjunto_id] = data
        self._data.move_to_end(adjunto_id)
        while len(self._data) > self._max_data_entries:
            self._data.popitem(last=False)

    def data(self, adjunto_id: int) -> bytes | None:
        found = self._data.get(adjunto_id)
        if found is not None:
            self._data.move_to_end(adjunto_id)
        return found

    def __len__(self) -> int:
        return len(self._images)

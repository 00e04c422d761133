"""Where the viewer's pictures come from: the cache, a prefetch already running, or a decode.

One request is current at a time (a runner key per loader): when the operator moves to another
file, page or record, the result of the previous request is dropped, never shown. A prefetch
runs under its own key, and only once the current picture is decoded (it would compete with it
for the cores: issue 19); if the operator reaches that file before it finishes, the loader waits
for it instead of fetching the bytes a second time.

A record opened cold has no file list yet: `prefetch_first` finds its first file, reads it and
decodes it in one task, while the claim and the detail are read (no trip through the GUI thread
between finding the file and reading it). Until it ends it counts as the picture on its way to
the screen: other prefetches wait for it, and the request for the file it finds waits for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QSize, Signal

from ui.tasks import TaskFailure, TaskRunner, Ticket
from ui.viewer import jpeg
from ui.viewer.cache import ImageCache
from ui.viewer.decode import Decoded
from ui.viewer.files import DecodeError, ViewerFile
from ui.viewer.jobs import FirstFile, Loaded, find_and_decode, load_and_decode

LOOKUP = -1  # `_prefetching` while `prefetch_first` looks for a file it does not know yet


@dataclass(frozen=True)
class Picture:
    adjunto_id: int
    page: int  # may differ from the one asked for: a PDF page past the end is clamped
    decoded: Decoded
    sharper: bool  # a better-resolution version of the picture already on screen


@dataclass(frozen=True)
class _Request:
    file: ViewerFile
    page: int
    box: QSize
    sharper: bool


class PictureLoader(QObject):
    """Emits `ready(Picture)` or `failed(message)` for the current request only."""

    ready = Signal(object)
    failed = Signal(str)

    def __init__(
        self, runner: TaskRunner, cache: ImageCache, max_pixels: int, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._cache = cache
        self._max_pixels = max_pixels
        tag = f"visor-{id(self)}"
        self._key, self._prefetch_key = f"{tag}-mostrar", f"{tag}-previa"
        self._current: _Request | None = None
        self._ticket: Ticket | None = None
        self._awaiting: _Request | None = None  # waiting for the prefetch of this file
        self._prefetching: int | None = None  # adjunto_id, or LOOKUP
        self._lookup_file: int | None = None  # what the running lookup will find, once known
        self._next_prefetch: tuple[ViewerFile, QSize] | None = None  # after the current decode
        self._page_counts: dict[int, int] = {}
        self._kinds: dict[int, str] = {}
        self.requested_density = 0.0  # of the sharper decode in flight (inf after one failed)
        self._warming = False

    # --- what the viewer asks -------------------------------------------------------------------

    def request(self, file: ViewerFile, page: int, box: QSize) -> Decoded | None:
        """The cached picture right now, or None and a `ready`/`failed` signal later."""
        self.cancel()
        cached = self._cache.best_image(file.adjunto_id, page)
        if cached is not None:
            self._note(file.adjunto_id, cached)
            self._start_waiting_prefetch()
            return cached
        wanted = _Request(file, page, box, sharper=False)
        if page == 0 and self._prefetching_file(file.adjunto_id):
            self._awaiting = wanted
        else:
            self._submit(wanted)
        return None

    def sharpen(self, file: ViewerFile, page: int, box: QSize, density: float) -> None:
        """Decode the picture on screen again, at `box` (it was zoomed past its resolution)."""
        self.requested_density = density
        self._submit(_Request(file, page, box, sharper=True))

    def prefetch(self, file: ViewerFile, box: QSize) -> None:
        if self._cache.best_image(file.adjunto_id, 0) is not None:
            return
        if self._prefetching == LOOKUP:  # a cold record's first file on its way to the screen
            if file.adjunto_id != self._lookup_file:
                self._next_prefetch = (file, box)
            return
        if self._current is not None and self._current.file.adjunto_id != file.adjunto_id:
            self._next_prefetch = (file, box)  # the picture on its way to the screen first
            return
        self._next_prefetch = None
        if self._prefetching == file.adjunto_id:
            return
        if self._awaiting is not None:  # the new prefetch replaces the one we were waiting for
            waiting, self._awaiting = self._awaiting, None
            self._submit(waiting)
        self._prefetching = file.adjunto_id
        self._runner.submit(
            load_and_decode,
            file,
            0,
            box,
            self._cache.data(file.adjunto_id),
            self._max_pixels,
            on_done=self._on_prefetched,
            on_error=self._on_prefetch_failed,
            key=self._prefetch_key,
        )

    def prefetch_first(self, find: Callable[[], FirstFile | None], box: QSize) -> None:
        """Find (`find`, on the task runner: the file and its bytes, or None), read and decode a
        record's first file in one task: a record opened cold, whose files are not known yet."""
        self._next_prefetch = None
        if self._awaiting is not None:  # it waited for the prefetch this one replaces
            waiting, self._awaiting = self._awaiting, None
            self._submit(waiting)
        self._prefetching, self._lookup_file = LOOKUP, None
        self._runner.submit(
            find_and_decode,
            find,
            box,
            self._max_pixels,
            on_done=self._on_prefetched,
            on_error=self._on_prefetch_failed,
            key=self._prefetch_key,
        )

    def first_file_known(self, file: ViewerFile, box: QSize) -> None:
        """The first file of the record being opened, known: what a running lookup will find
        (a request for it waits for the lookup), else prefetched as usual."""
        if self._prefetching == LOOKUP:
            self._lookup_file = file.adjunto_id
        else:
            self.prefetch(file, box)

    def _prefetching_file(self, adjunto_id: int) -> bool:
        """A prefetch in flight will bring page 0 of that file (a lookup: unless it is known to
        bring another one)."""
        if self._prefetching == LOOKUP:
            return self._lookup_file in (None, adjunto_id)
        return self._prefetching == adjunto_id

    def warm_up(self) -> None:
        """Import the fast JPEG codec in the background, once a picture is on screen (its numpy
        import is ~0.1 s: never before the first paint). Until then photos take Qt's path."""
        if not self._warming and not jpeg.codec_ready():
            self._warming = True
            self._runner.submit(jpeg.warm_up, key="visor-codec")

    def cancel(self) -> None:
        if self._ticket is not None:
            self._ticket.cancel()
        self._ticket = self._current = self._awaiting = None
        self.requested_density = 0.0

    def page_count(self, adjunto_id: int) -> int | None:
        return self._page_counts.get(adjunto_id)

    def kind(self, adjunto_id: int) -> str | None:
        return self._kinds.get(adjunto_id)

    # --- background work ------------------------------------------------------------------------

    def _submit(self, request: _Request) -> None:
        self._current = request
        file = request.file
        self._ticket = self._runner.submit(
            load_and_decode,
            file,
            request.page,
            request.box,
            self._cache.data(file.adjunto_id),
            self._max_pixels,
            on_done=self._on_loaded,
            on_error=self._on_failed,
            key=self._key,
        )

    def _on_loaded(self, loaded: Loaded) -> None:
        self._remember(loaded)
        request, self._current, self._ticket = self._current, None, None
        if request is not None and request.file.adjunto_id == loaded.adjunto_id:
            if request.sharper:
                self.requested_density = 0.0
            picture = Picture(loaded.adjunto_id, loaded.page, loaded.decoded, request.sharper)
            self.ready.emit(picture)
        self._start_waiting_prefetch()

    def _start_waiting_prefetch(self) -> None:
        """The prefetch that waited for the picture on its way to the screen, once none is."""
        waiting = self._next_prefetch
        if waiting is not None and self._current is None:
            self._next_prefetch = None
            self.prefetch(*waiting)

    def _on_failed(self, failure: TaskFailure) -> None:
        request, self._current, self._ticket = self._current, None, None
        self._start_waiting_prefetch()
        if request is None:
            return
        if request.sharper:  # keep the picture we have; do not retry at this zoom
            self.requested_density = float("inf")
            return
        if isinstance(failure.exception, DecodeError):
            self.failed.emit(failure.message)
        else:
            self.failed.emit(f"No se pudo mostrar «{request.file.nombre}». {failure.message}")

    def _on_prefetched(self, loaded: Loaded | None) -> None:
        self._prefetching = self._lookup_file = None
        if loaded is not None:  # None: the lookup found no file
            self._remember(loaded)
        waiting, self._awaiting = self._awaiting, None
        if (
            waiting is not None
            and loaded is not None
            and waiting.file.adjunto_id == loaded.adjunto_id
        ):
            self.ready.emit(Picture(loaded.adjunto_id, 0, loaded.decoded, sharper=False))
        elif waiting is not None:  # the lookup brought another file than the one asked for
            self._submit(waiting)
        self._start_waiting_prefetch()

    def _on_prefetch_failed(self, failure: TaskFailure) -> None:
        self._prefetching = self._lookup_file = None
        if self._awaiting is not None:  # ask again as the current file, to show the reason
            waiting, self._awaiting = self._awaiting, None
            self._submit(waiting)
        self._start_waiting_prefetch()

    def _remember(self, loaded: Loaded) -> None:
        self._cache.put_data(loaded.adjunto_id, loaded.data)
        self._cache.put_image(loaded.adjunto_id, loaded.page, loaded.decoded)
        self._note(loaded.adjunto_id, loaded.decoded)

    def _note(self, adjunto_id: int, decoded: Decoded) -> None:
        self._page_counts[adjunto_id] = decoded.page_count
        self._kinds[adjunto_id] = decoded.kind

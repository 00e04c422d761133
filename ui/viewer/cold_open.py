"""A record opened cold (nothing read ahead): its first file found, read and decoded in one task.

The workstation shows the record at once (data still to come) while its lane claims it and reads
the detail. The photo is the long part (issue 19: 12 MP open → painted), so it starts right then,
on the shared task runner: find the first file, read its bytes, decode them to the viewer's box,
all in one task. Finding the file in one task and reading it from a second, started from the GUI
thread, waited 5–30 ms for that thread, busy painting the record it had just opened.

The workstation's own `first_file_known` (the same lookup, for its own bookkeeping) tells the
viewer which file the task will bring, so the detail's request for it waits for the task instead
of reading the file a second time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from dim_revision.services.detalle import AdjuntoInfo, primer_adjunto
from ui.db_errors import db_task
from ui.viewer.files import ViewerFile
from ui.viewer.jobs import FirstFile

if TYPE_CHECKING:
    from dim_revision.workstation.state import RecordView
    from ui.viewer.widget import OrderViewer
    from ui.workstation import Workstation

FileOf = Callable[[AdjuntoInfo], ViewerFile]


class ColdOpen:
    """Starts the first file's task when a record is shown without its detail (once per
    opening), and passes on which file that is once the workstation knows."""

    def __init__(self, ws: Workstation, viewer: OrderViewer, file_of: FileOf) -> None:
        self._ws, self._viewer, self._file_of = ws, viewer, file_of
        self._opening: int | None = None  # the record whose first file is on its way

    def on_record(self, view: RecordView | None) -> None:
        if view is None or view.detalle is not None:
            self._opening = None
            return
        if view.id == self._opening:  # the same opening, shown again (its state changed)
            return
        self._opening = sid = view.id
        db, file_of = self._ws.db, self._file_of

        def find() -> FirstFile | None:  # on the task runner
            first = primer_adjunto(db, sid)
            if first is None:
                return None
            file = file_of(first)
            return file, file.load()

        self._viewer.prefetch_first(db_task(find))

    def on_first_file(self, first: AdjuntoInfo) -> None:
        self._viewer.first_file_known(self._file_of(first))


def install_cold_open(ws: Workstation, viewer: OrderViewer, file_of: FileOf) -> ColdOpen:
    """Wire the viewer to the workstation's records. Connected before the window's own
    `record_changed` handler (which gives the viewer the record's files): the task starts before
    the window updates the rest of the record."""
    cold = ColdOpen(ws, viewer, file_of)
    ws.record_changed.connect(cold.on_record)
    ws.first_file_known.connect(cold.on_first_file)
    return cold

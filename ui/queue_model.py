"""The queue grid's model: a lazy table over the services' paged query (DESIGN §4, §10 Anki).

Rows come in keyset pages from SQL (`canFetchMore`/`fetchMore`: each page starts after the last
row's sort value and id, so any depth costs the same), sorting is a new SQL query, and a filter
change replaces the rows in one reset. Nothing is sorted or filtered in Python and there is no
proxy model. Polling calls `refresh()`, which asks for the window's ids and stamps first (as
Anki's browser model does), reads by id only the rows whose stamp changed, and applies the
difference in runs (removals, moves, insertions, changes) so the view keeps its selection; a
poll where nothing changed issues no row query. All queries run on the task runner; results for
an outdated filter are dropped by generation.

The cells are formatted on the worker with their page and written once into the model's own
`QStandardItem`s (`queue_items`): a paint reads every role in C++ and never calls back into
Python (issue 19: first rows painted against the stock `QSqlQueryModel`). A new list reads a
screenful first; the rest of the first page follows right after it is shown, with the counts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItemModel

from dim_revision.clock import Clock
from dim_revision.services.queue import QueueCounts, QueueCursor, QueueFilter, QueueRow
from dim_revision.services.queue_window import Sello, row_stamp
from ui.queue_columns import COLUMN_INDEX, COLUMNS, ID_ROLE, TAKEN_ROLE, header, taken_by_other
from ui.queue_diff import insertion_runs, removal_runs, unique, with_pinned
from ui.queue_items import (
    ESPERA,
    RowCells,
    prepare_styles,
    prototype,
    quiet,
    row_cells,
    write_age,
    write_row,
)
from ui.queue_source import LoadedPage, QueueSource, ServiceQueueSource, load_page
from ui.tasks import TaskFailure, TaskRunner

__all__ = ["COLUMNS", "COLUMN_INDEX", "ID_ROLE", "TAKEN_ROLE", "QueueModel", "ServiceQueueSource"]

AnyIndex = QModelIndex | QPersistentModelIndex
# A new list's first query: a screenful (a full-height grid at 1400×800 shows 32 rows); the rest
# of the first page (up to FIRST_PAGE rows) is read right after it is painted.
FIRST_SCREEN = 32
FIRST_PAGE = 60
# The counts, the rest of the first page and the upkeep start this long after a first page is
# shown, not with it: a worker running Python while the rows paint holds the GIL.
AFTER_FIRST_PAGE_MS = 30
_HORIZONTAL = Qt.Orientation.Horizontal
_TOOLTIP = Qt.ItemDataRole.ToolTipRole


class QueueModel(QStandardItemModel):
    """Rows of the queue for one filter and sort; `me` is this workstation's lease owner key."""

    loading_changed = Signal(bool)
    counts_changed = Signal(object)  # QueueCounts
    first_page_loaded = Signal()
    refreshed = Signal()
    failed = Signal(object)  # TaskFailure

    def __init__(
        self,
        runner: TaskRunner,
        source: QueueSource,
        clock: Clock,
        me: str,
        filtro: QueueFilter,
        *,
        batch: int = 200,
        parent: Any = None,
    ) -> None:
        super().__init__(0, len(COLUMNS), parent)
        for section in range(len(COLUMNS)):  # titles and tooltips answered in C++ too
            for role in (Qt.ItemDataRole.DisplayRole, _TOOLTIP):
                self.setHeaderData(section, _HORIZONTAL, header(section, role), role)
        self.setItemPrototype(prototype())  # every cell is made by the model, in C++
        prepare_styles()
        self._runner = runner
        self._source = source
        self._clock = clock
        self._me = me
        self._filter = filtro
        self._batch = batch
        self._sort = ("fecha_subida", False)
        self._rows: list[QueueRow] = []
        self._index_cache: dict[int, int] | None = {}  # id → row, rebuilt lazily after changes
        self._cursor: QueueCursor | None = None  # where the next keyset page starts
        self._prepared = False  # the source's background upkeep ran (once per model)
        self._exhausted = True  # nothing to fetch until the first page arrives
        self._generation = 0
        self._busy = False
        self._refreshing = False
        self._updating = False  # rows are being swapped under the view (not the operator moving)
        self._pinned: set[int] = set()  # rows just worked here: polling never drops them
        self._now: datetime = clock()  # the clock the cells show (ages), moved by `tick`
        self._after_first = QTimer(self)
        self._after_first.setSingleShot(True)
        self._after_first.setInterval(AFTER_FIRST_PAGE_MS)
        self._after_first.timeout.connect(self._after_first_page)

    # --- what the controller reads -------------------------------------------------------------

    @property
    def filtro(self) -> QueueFilter:
        return self._filter

    @property
    def sort_key(self) -> tuple[str, bool]:
        return self._sort

    @property
    def updating(self) -> bool:
        """True while a reset or a polled snapshot moves rows: selection changes are not the operator's."""
        return self._updating

    @property
    def busy(self) -> bool:
        return self._busy or self._refreshing

    @property
    def settled(self) -> bool:
        """Nothing loading and nothing due after the last first page (its counts submitted)."""
        return not self.busy and not self._after_first.isActive()

    def row_at(self, row: int) -> QueueRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, solicitud_id: int) -> int | None:
        return self._index.get(solicitud_id)

    @property
    def _index(self) -> dict[int, int]:
        if self._index_cache is None:
            self._index_cache = {r.id: i for i, r in enumerate(self._rows)}
        return self._index_cache

    def loaded_rows(self) -> list[QueueRow]:
        return list(self._rows)

    def taken_by_other(self, row: QueueRow) -> bool:
        return taken_by_other(row, self._me)

    # --- loading -------------------------------------------------------------------------------

    def set_filter(self, filtro: QueueFilter) -> None:
        self._filter = filtro
        self.reload()

    def pin(self, solicitud_id: int) -> None:
        """Keep this row on screen even once it no longer matches the filter (e.g. it was just
        confirmed and the operator may come back to edit the send), until the filter changes."""
        self._pinned.add(solicitud_id)

    def reload(self) -> None:
        """Read the first page again and replace everything (filter or sort changed)."""
        self._pinned.clear()
        self._after_first.stop()  # the new filter's counts follow its own first page
        self._generation += 1
        generation = self._generation
        self._set_busy(True)
        # A screenful first (what the operator sees is painted sooner); the rest of the first
        # page and the counts follow once it is shown, and `fetchMore` brings full batches as
        # the view scrolls.
        self._runner.submit(
            load_page,
            self._source,
            self._clock,
            self._me,
            None,
            self._filter,
            None,
            min(self._batch, FIRST_SCREEN),
            *self._sort,
            on_done=lambda loaded: self._replace(generation, loaded),
            on_error=self._on_error,
            key=f"queue-page-{id(self)}",
        )

    def refresh(self) -> None:
        """Polling: the loaded window's ids and stamps first; rows changed elsewhere are then
        read by id and updated in place (nothing changed: no row query at all)."""
        if self.busy:
            return
        generation = self._generation
        limit = max(len(self._rows), self._batch)
        self._refreshing = True
        self._runner.submit(
            self._source.stamps,
            self._filter,
            limit,
            *self._sort,
            on_done=lambda stamps: self._on_stamps(generation, limit, stamps),
            on_error=self._on_refresh_error,
            key=f"queue-refresh-{id(self)}",
        )
        self._load_counts()

    def _on_stamps(self, generation: int, limit: int, stamps: list[Sello]) -> None:
        if generation != self._generation:
            self._refreshing = False
            return
        window = {s.id for s in stamps}
        pinned = [i for i in self._pinned if i in self._index and i not in window]
        if not pinned:
            self._fetch_changed(generation, limit, stamps, [])
            return
        self._runner.submit(
            self._source.stamps_of,
            pinned,
            on_done=lambda extra: self._fetch_changed(generation, limit, stamps, extra),
            on_error=self._on_refresh_error,
        )

    def _fetch_changed(
        self, generation: int, limit: int, stamps: list[Sello], pinned: list[Sello]
    ) -> None:
        if generation != self._generation:
            self._refreshing = False
            return
        index = self._index
        changed = [
            s.id
            for s in [*stamps, *pinned]
            if s.id not in index or row_stamp(self._rows[index[s.id]]) != s.sello
        ]
        if not changed:
            self._apply_snapshot(generation, limit, stamps, [])
            return
        self._runner.submit(
            self._source.rows,
            changed,
            on_done=lambda rows: self._apply_snapshot(generation, limit, stamps, rows),
            on_error=self._on_refresh_error,
        )

    def refresh_ids(self, ids: list[int]) -> None:
        """Update specific rows now (after this workstation changed them)."""
        wanted = [i for i in ids if i in self._index]
        if not wanted:
            return
        generation = self._generation
        self._runner.submit(
            self._source.rows,
            wanted,
            on_done=lambda rows: self._update_rows(generation, rows),
            on_error=self._on_refresh_error,
        )

    def refresh_counts(self) -> None:
        """Re-read only the sin resolver / resueltas counters (after this workstation wrote)."""
        self._load_counts()

    def tick(self) -> None:
        """The clock moved: ages and liveness of leases are recomputed by the view."""
        self._now = self._clock()
        if not self._rows:
            return
        with quiet(self):  # one dataChanged for the column, not one per cell
            for row, current in enumerate(self._rows):
                write_age(self, row, current, self._now, self._me)
        self.dataChanged.emit(
            self.index(0, ESPERA),
            self.index(len(self._rows) - 1, ESPERA),
            [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole],
        )

    def _load_counts(self) -> None:
        generation = self._generation
        self._runner.submit(
            self._source.counts,
            self._filter,
            on_done=lambda counts: self._emit_counts(generation, counts),
            on_error=lambda failure: None,  # the page query reports the failure
            key=f"queue-counts-{id(self)}",
        )

    def _emit_counts(self, generation: int, counts: QueueCounts) -> None:
        if generation == self._generation:
            self.counts_changed.emit(counts)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.loading_changed.emit(busy)

    def _on_error(self, failure: TaskFailure) -> None:
        self._set_busy(False)
        self.failed.emit(failure)

    def _on_refresh_error(self, failure: TaskFailure) -> None:
        self._refreshing = False
        self.failed.emit(failure)

    def _replace(self, generation: int, loaded: LoadedPage) -> None:
        if generation != self._generation:
            return
        self._now = loaded.now
        self._updating = True
        try:
            # One reset: the rows swapped inside it are not announced one by one (the views
            # re-read everything at `modelReset`; persistent indexes are invalidated by it).
            self.beginResetModel()
            with quiet(self):
                self.setRowCount(0)
                self.setRowCount(len(loaded.cells))
                for row, cells in enumerate(loaded.cells):
                    write_row(self, row, cells, fresh=True)
            self._rows = list(loaded.rows)
            self._reindex()
            self._cursor = loaded.page.siguiente
            self._exhausted = loaded.page.siguiente is None
            self.endResetModel()
        finally:
            self._updating = False
        self._set_busy(False)
        self._after_first.start()  # before the signal: a slot that reloads cancels it
        self.first_page_loaded.emit()

    def _rest(self) -> int:
        """How many rows the first page still lacks after its screenful."""
        return min(self._batch, FIRST_PAGE) - len(self._rows)

    def _after_first_page(self) -> None:
        rest = self._rest()
        if rest > 0 and self.canFetchMore():
            self._fetch(rest)  # the rest of the first page, under the screenful just shown
        self._load_counts()
        if not self._prepared:
            self._prepared = True
            self._runner.submit(
                self._source.prepare,
                on_done=lambda _count: None,
                on_error=lambda _failure: None,  # upkeep only: the grid works without it
                key=f"queue-prepare-{id(self)}",
            )

    # --- lazy batches --------------------------------------------------------------------------

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and not self.busy

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        # A view whose last row is on screen asks right after a first screenful is painted: it
        # gets the first page's rest (what `_after_first_page` would read), a batch after that.
        rest = self._rest() if self._after_first.isActive() else 0
        self._fetch(rest if rest > 0 else self._batch)

    def _fetch(self, limit: int) -> None:
        generation = self._generation
        self._set_busy(True)
        self._runner.submit(
            load_page,
            self._source,
            self._clock,
            self._me,
            self._now,
            self._filter,
            self._cursor,
            limit,
            *self._sort,
            on_done=lambda loaded: self._append(generation, loaded),
            on_error=self._on_error,
            key=f"queue-page-{id(self)}",
        )

    def _append(self, generation: int, loaded: LoadedPage) -> None:
        if generation != self._generation:
            return
        self._set_busy(False)
        self._cursor = loaded.page.siguiente
        self._exhausted = loaded.page.siguiente is None
        index = self._index
        fresh = [
            (r, c) for r, c in zip(loaded.rows, loaded.cells, strict=True) if r.id not in index
        ]
        first = len(self._rows)
        self._insert_run(first, fresh)
        if fresh and loaded.now != self._now:  # the clock ticked while the page was read
            with quiet(self):
                for offset, (row, _cells) in enumerate(fresh):
                    write_age(self, first + offset, row, self._now, self._me)

    def _insert_run(self, position: int, run: list[tuple[QueueRow, RowCells]]) -> None:
        """One insertion for the run (its cells empty while it is announced), then the cells
        written at once and announced as one change: the view paints them once."""
        if not run:
            return
        self._rows[position:position] = [r for r, _ in run]
        self._index_cache = None
        self.insertRows(position, len(run))
        with quiet(self):
            for offset, (_row, cells) in enumerate(run):
                write_row(self, position + offset, cells, fresh=True)
        last = position + len(run) - 1
        self.dataChanged.emit(self.index(position, 0), self.index(last, len(COLUMNS) - 1))

    # --- applying a polled snapshot without losing the selection -------------------------------

    def _apply_snapshot(
        self, generation: int, limit: int, stamps: list[Sello], fresh: list[QueueRow]
    ) -> None:
        self._refreshing = False
        if generation != self._generation:
            return
        by_id = {r.id: r for r in self._rows}
        by_id.update((r.id, r) for r in fresh)
        # A row gone between the two queries is simply left out until the next poll.
        rows = [by_id[s.id] for s in stamps if s.id in by_id]
        new = with_pinned(unique(rows), self._rows, self._pinned, by_id)
        self._updating = True
        try:
            self._remove_missing({r.id for r in new})
            self._reorder_common([r.id for r in new])
            self._insert_new(new)
            self._update_rows(generation, new)
        finally:
            self._updating = False
        self._exhausted = len(stamps) < limit
        last = stamps[-1] if stamps and not self._exhausted else None
        self._cursor = QueueCursor(last.orden, last.id) if last is not None else None
        self.refreshed.emit()

    def _remove_missing(self, keep: set[int]) -> None:
        for first, last in removal_runs([r.id for r in self._rows], keep):
            del self._rows[first : last + 1]
            self._index_cache = None
            self.removeRows(first, last - first + 1)

    def _reorder_common(self, new_order: list[int]) -> None:
        current = [r.id for r in self._rows]
        present = set(current)
        target = [i for i in new_order if i in present]
        if target == current:
            return
        self.layoutAboutToBeChanged.emit()
        by_id = {r.id: r for r in self._rows}
        self._rows = [by_id[i] for i in target]
        self._reindex()
        with quiet(self):  # the cells follow their rows (the layout change repaints them)
            for row, moved in enumerate(self._rows):
                write_row(self, row, row_cells(moved, self._now, self._me), fresh=False)
        sources = self.persistentIndexList()
        targets = []
        for idx in sources:
            old_row = idx.row()
            moved_id = current[old_row] if 0 <= old_row < len(current) else None
            new_row = self._index.get(moved_id) if moved_id is not None else None
            targets.append(
                self.index(new_row, idx.column()) if new_row is not None else QModelIndex()
            )
        self.changePersistentIndexList(sources, targets)
        self.layoutChanged.emit()

    def _insert_new(self, new: list[QueueRow]) -> None:
        """New rows go in as runs: one insertion (and one index rebuild) per contiguous run."""
        for position, run in insertion_runs([r.id for r in self._rows], new):
            self._insert_run(position, [(r, row_cells(r, self._now, self._me)) for r in run])

    def _update_rows(self, generation: int, rows: list[QueueRow]) -> None:
        if generation != self._generation:
            return
        last = len(COLUMNS) - 1
        for fresh in rows:
            row = self._index.get(fresh.id)
            if row is None or self._rows[row] == fresh:
                continue
            self._rows[row] = fresh
            with quiet(self):
                write_row(self, row, row_cells(fresh, self._now, self._me), fresh=False)
            self.dataChanged.emit(self.index(row, 0), self.index(row, last))

    def _reindex(self) -> None:
        self._index_cache = {r.id: i for i, r in enumerate(self._rows)}

    # --- Qt model API --------------------------------------------------------------------------
    # rowCount, columnCount, headerData, data, multiData and flags are QStandardItemModel's own
    # (C++): a paint never calls into Python. Only sorting and lazy fetching are ours.

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS) or COLUMNS[column].sort is None:
            return
        key = COLUMNS[column].key
        sort = COLUMNS[column].sort or "fecha_subida"
        descending = order == Qt.SortOrder.DescendingOrder
        if key == "espera":  # longest wait first == oldest upload first
            descending = not descending
        if (sort, descending) == self._sort:
            return
        self._sort = (sort, descending)
        self.reload()

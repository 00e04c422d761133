"""How a polled snapshot changes the grid's rows, as plain lists (no Qt): the runs `QueueModel`
removes and inserts, so the view keeps its selection and does one update per contiguous run."""

from __future__ import annotations

from dim_revision.services.queue import QueueRow


def unique(rows: list[QueueRow]) -> list[QueueRow]:
    """The rows without repeated ids (the first one of each id is kept)."""
    seen: set[int] = set()
    out = []
    for r in rows:
        if r.id not in seen:
            seen.add(r.id)
            out.append(r)
    return out


def with_pinned(
    new: list[QueueRow], current: list[QueueRow], pinned: set[int], by_id: dict[int, QueueRow]
) -> list[QueueRow]:
    """Pinned rows of `current` missing from `new` stay where they were (below the same row),
    with their state as just read by id (`by_id`) when it changed."""
    present = {r.id for r in new}
    kept = [(i, r) for i, r in enumerate(current) if r.id in pinned and r.id not in present]
    merged = list(new)
    for at, row in kept:
        positions = {r.id: i for i, r in enumerate(merged)}
        above = current[:at]
        anchor = next((positions[r.id] for r in reversed(above) if r.id in positions), -1)
        merged.insert(anchor + 1, by_id.get(row.id, row))
    return merged


def removal_runs(ids: list[int], keep: set[int]) -> list[tuple[int, int]]:
    """(first, last) positions of the contiguous runs of `ids` not in `keep`, last run first
    (removing them in this order never shifts a run still to remove)."""
    runs: list[tuple[int, int]] = []
    row = len(ids) - 1
    while row >= 0:
        if ids[row] in keep:
            row -= 1
            continue
        last = row
        while row - 1 >= 0 and ids[row - 1] not in keep:
            row -= 1
        runs.append((row, last))
        row -= 1
    return runs


def insertion_runs(current: list[int], new: list[QueueRow]) -> list[tuple[int, list[QueueRow]]]:
    """(position, rows) to insert, in order, so `current` becomes `new`'s ids; `current` must
    already be in `new`'s order (the model removes and reorders first)."""
    where = {i: n for n, i in enumerate(current)}
    runs: list[tuple[int, list[QueueRow]]] = []
    position, inserted = 0, 0
    run: list[QueueRow] = []
    for row in new:
        if row.id not in where:
            run.append(row)
            continue
        if run:
            runs.append((position, run))
            inserted += len(run)
            run = []
        position = where[row.id] + inserted + 1
    if run:
        runs.append((position, run))
    return runs

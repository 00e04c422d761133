"""The queue's result rows as plain named tuples before they become `QueueRow`s (issue 19).

`queue._row` reads 26 columns of each row by name; on SQLAlchemy's `Row` each of those costs
~0.3 µs (a mapping lookup per attribute), about 0.27 of the 0.38 ms a screenful of rows takes to
build. A named tuple made once per set of columns answers the same names from C, so the rows a
page, a refresh or a text filter read cost less than half as much to turn into `QueueRow`s.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=32)
def _tuple_type(fields: tuple[str, ...]) -> Any:
    return namedtuple("Fila", fields)


def plain(rows: Sequence[Any]) -> Sequence[Any]:
    """`rows` (SQLAlchemy rows of one statement) as named tuples with the same fields."""
    if not rows:
        return rows
    try:
        make = _tuple_type(tuple(rows[0]._fields))._make
    except ValueError:  # a label a named tuple cannot take: the rows as they are
        return rows
    return [make(r) for r in rows]

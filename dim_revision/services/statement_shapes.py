"""Statements built once per shape (issue 19), for the grid's page, its counts and the plan.

Building a SELECT for every call, and SQLAlchemy then walking the new statement for its cache
key, costs more Python than a screenful's SQL; a statement built once for its shape, with bound
parameters for what varies, only binds values. The shapes are few (states, sorts, kinds of
text typed), so a full cache is emptied rather than tracked; statements that depend on the DIM
mapping are kept per mapping, and go with it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from dim_revision.db.dim_mapping import DimTables

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MAX_SHAPES = 256


class Shapes(Generic[K, V]):
    """At most `limit` statements by shape; emptied when full."""

    def __init__(self, limit: int = MAX_SHAPES) -> None:
        self._items: dict[K, V] = {}
        self._limit = limit

    def get(self, shape: K, build: Callable[[], V]) -> V:
        if shape not in self._items:
            if len(self._items) >= self._limit:
                self._items.clear()
            self._items[shape] = build()
        return self._items[shape]


class ShapesPerDim(Generic[K, V]):
    """`Shapes` for each DIM mapping (weakly keyed: a mapping dropped takes its statements)."""

    def __init__(self, limit: int = MAX_SHAPES) -> None:
        self._by_dim: weakref.WeakKeyDictionary[DimTables, Shapes[K, V]] = (
            weakref.WeakKeyDictionary()
        )
        self._limit = limit

    def get(self, dim: DimTables, shape: K, build: Callable[[], V]) -> V:
        shapes = self._by_dim.get(dim)
        if shapes is None:
            shapes = self._by_dim.setdefault(dim, Shapes(self._limit))
        return shapes.get(shape, build)

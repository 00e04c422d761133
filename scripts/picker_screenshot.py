"""Render the prestación picker offscreen with two queries and save the PNGs in docs/.

QT_QPA_PLATFORM=offscreen python scripts/picker_screenshot.py [--out docs]

1. `picker-hint.png`: a query with a word the catalog does not have ("rmn columna lumbar abierto
   s/cte urgente"): the entries with the other words are listed, each saying
   "sin coincidencia: urgente", and the long names wrap instead of hiding their end behind "…".
2. `picker-long-names.png`: "rmn cerebro resonador abierto" with whole long names and codes.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from dim_revision.demo.catalog import generate_catalog
from dim_revision.domain.search_index import SearchIndex
from ui.app import load_style
from ui.picker import PrestacionPicker

SHOTS = (
    ("picker-hint", "rmn columna lumbar abierto s/cte urgente"),
    ("picker-long-names", "rmn cerebro resonador abierto"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    load_style(app)
    catalog = generate_catalog(2000, random.Random(20260310))
    index = SearchIndex.build(
        [(i, p.nombre) for i, p in enumerate(catalog, start=1)],
        codigos={i: [p.codigo] for i, p in enumerate(catalog, start=1)},
    )
    picker = PrestacionPicker()
    picker.resize(560, 560)
    picker.show()
    picker.set_index(index)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, query in SHOTS:
        picker.search_edit.setFocus()
        picker.search_edit.setText(query)
        for _ in range(5):
            app.processEvents()
        path = args.out / f"{name}.png"
        picker.grab().save(str(path))
        print(path)
    picker.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

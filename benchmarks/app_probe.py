"""One measurement of the real window, in a process of its own (so start-up and RSS are honest).

python -m benchmarks.app_probe {seed|startup|confirm|memory} DB_PATH [N]

`seed` fills a SQLite file (N requests with small JPEGs, via tests/gui/seeding); `startup` prints
the seconds from interpreter start to the first record's detail on screen; `confirm` prints the
milliseconds of N «Confirmar envío» → next record ready; `memory` bulk-loads N queue rows, visits
50 records and prints the peak RSS in MB. Output: one JSON line on stdout.
"""

from __future__ import annotations

import json
import os
import random
import resource
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

_T0 = time.perf_counter()  # before the heavy imports below: they are part of start-up

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dim_revision.bootstrap import AppContext  # noqa: E402
from dim_revision.clock import FakeClock  # noqa: E402
from dim_revision.config import Settings  # noqa: E402
from dim_revision.db import migrate  # noqa: E402
from dim_revision.db.engine import create_db_engine, sqlite_url  # noqa: E402
from dim_revision.db.uow import Database  # noqa: E402
from dim_revision.paths import AppPaths  # noqa: E402
from dim_revision.secrets import MemoryStore  # noqa: E402
from dim_revision.services.actor import Actor  # noqa: E402

NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
HOUR_MS = 3_600_000
SECRETS = {"botmaker-token": "token-bench", "link-key": "clave-bench-" + "x" * 32}


def _db(path: Path) -> Database:
    engine = create_db_engine(sqlite_url(path))
    migrate.upgrade(engine)
    return Database(engine)


def seed(path: Path, count: int) -> None:
    from tests.gui.seeding import seed_queue

    db = _db(path)
    seed_queue(db, NOW, count=count)
    db.dispose()


def _wait(pred: Callable[[], bool], timeout_s: float = 60.0) -> None:
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    deadline = time.perf_counter() + timeout_s
    while not pred():
        if time.perf_counter() > deadline:
            raise TimeoutError("la ventana no respondió a tiempo")
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)


def _window(db: Database, settings: Settings) -> tuple[object, object, object]:
    """The real window on `db` (as `tests/gui/harness.open_window` builds it), shown and started."""
    from PySide6.QtWidgets import QApplication

    from ui.app import load_style
    from ui.main_window import MainWindow
    from ui.settings_store import LayoutStore
    from ui.tasks import TaskRunner
    from ui.workstation import Workstation

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    load_style(app)
    ctx = AppContext(
        settings,
        AppPaths.for_user(),
        MemoryStore(dict(SECRETS)),
        Actor("bench", "pc-01"),
        FakeClock(NOW),
        _db=db,
    )
    runner = TaskRunner(max_threads=3)
    ws = Workstation(ctx, runner, open_url=lambda _u: True, poll_ms=HOUR_MS)
    window = MainWindow(ws, LayoutStore(ctx.paths.config_dir / "ventana.ini"))
    window.resize(1600, 1000)
    window.show()
    ws.start()
    return app, window, ws


def _loaded(ws: object, sid: int | None = None) -> bool:
    rec = ws.current  # type: ignore[attr-defined]
    if rec is None or rec.detalle is None or not ws.lane.is_idle() or ws.flags.busy:  # type: ignore[attr-defined]
        return False
    return sid is None or rec.id == sid


def startup(path: Path) -> dict[str, float]:
    _, _, ws = _window(_db(path), Settings())
    _wait(lambda: _loaded(ws))
    return {"seconds": time.perf_counter() - _T0}


def confirm(path: Path, runs: int) -> dict[str, list[float]]:
    settings = Settings().replace("envio", confirmar_preview="nunca")
    _, window, ws = _window(_db(path), settings)
    _wait(lambda: _loaded(ws) and ws.flags.catalog_loaded)  # type: ignore[attr-defined]
    samples: list[float] = []
    for _ in range(runs):
        rec = ws.current  # type: ignore[attr-defined]
        first = rec.id
        _wait(lambda: len(ws.prefetched()) > 0)  # type: ignore[attr-defined]  # steady state
        ws.set_chosen([(1, "RESONANCIA MAGNÉTICA DE RODILLA")])  # type: ignore[attr-defined]
        start = time.perf_counter()
        window.record_actions.confirm()  # type: ignore[attr-defined]
        _wait(lambda f=first: _loaded(ws) and ws.current.id != f)  # type: ignore[attr-defined]
        samples.append((time.perf_counter() - start) * 1000)
    return {"ms": samples}


def memory(path: Path, rows: int) -> dict[str, float]:
    from benchmarks.bench_queue import _insert_all

    db = _db(path)
    _insert_all(db, rows, NOW, random.Random(20260310))
    _, _, ws = _window(db, Settings())
    _wait(lambda: _loaded(ws))
    visited = 0
    for sid in range(1, rows + 1):
        if visited == 50:
            break
        ws.open(sid)  # type: ignore[attr-defined]
        _wait(lambda s=sid: _loaded(ws, s) or (ws.current is not None and ws.current.id != s))  # type: ignore[attr-defined]
        visited += 1
    return {"mb": _peak_rss_mb(), "visited": float(visited)}


def _peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kb / 1024


def main(argv: list[str]) -> int:
    mode, path = argv[0], Path(argv[1])
    n = int(argv[2]) if len(argv) > 2 else 0
    out: object
    if mode == "seed":
        seed(path, n)
        out = {"ok": 1}
    elif mode == "startup":
        out = startup(path)
    elif mode == "confirm":
        out = confirm(path, n)
    elif mode == "memory":
        out = memory(path, n)
    else:
        raise SystemExit(f"modo desconocido: {mode}")
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)  # skip Qt finalization (see benchmarks.run)

"""One measurement of the real window, in a process of its own (so start-up and RSS are honest).

python -m benchmarks.app_probe {seed|warm|startup|confirm|next|open|filter|memory} DB_PATH [N]

The DB is `benchmarks.datasets.queue_db(100_000, catalog=10_000, fotos=210)` (a working copy):
DIM-sized queue and catalog, the first requests of the default view (Pendientes, oldest first:
`datasets.first_to_work`) with 12 MP photos; polling on at its default (`Workstation.POLL_MS`).
The probes pick their records the same way, and fail at once, saying which record, when the
one they wait for has no file. Every timing ends when the window *painted* the result:
`startup` — seconds from interpreter start to the first record shown with its image painted;
`confirm` — N «Confirmar envío» → next record with its image painted (at operator pace: the
next record's data and image were read ahead, the background work of the last one is done);
`next` — N «siguiente» (↓) onto a record whose data and image were prefetched → claimed and
painted (its committed detail, read again right after the claim, reported apart);
`open` — N records opened cold (not prefetched, photo unread by the order reader) → image
painted; `filter` — N filter changes (text typed, after the 250 ms typing pause) → grid
painted; `memory` — RSS after 50 and after N records opened. Output: one JSON line on stdout. Between inputs and while it waits for a
paint, the probe runs the event loop asleep between events, as the app's own loop does
(`paint.pump_until`), not spinning on `processEvents`. `DIM_REVISION_BENCH_LECTURA=0` turns the
order reader off, to measure the window without it.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_T0 = time.perf_counter()  # before the heavy imports below: they are part of start-up

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dim_revision.bootstrap import AppContext  # noqa: E402
from dim_revision.clock import FakeClock  # noqa: E402
from dim_revision.config import Settings  # noqa: E402
from dim_revision.db.engine import create_db_engine, sqlite_url  # noqa: E402
from dim_revision.db.uow import Database  # noqa: E402
from dim_revision.paths import AppPaths  # noqa: E402
from dim_revision.secrets import MemoryStore  # noqa: E402
from dim_revision.services.actor import Actor  # noqa: E402

NOW = datetime(2026, 3, 10, 19, 0, tzinfo=UTC)  # benchmarks.datasets.NOW
HOUR_MS = 3_600_000
READER_SWITCH = "DIM_REVISION_BENCH_LECTURA"  # "0": the order reader off (a measurement only)
SECRETS = {"botmaker-token": "token-bench", "link-key": "clave-bench-" + "x" * 32}


def _db(path: Path) -> Database:
    """The working copy, as the app opens it: already migrated (the app never migrates at start)."""
    return Database(create_db_engine(sqlite_url(path)))


def seed(path: Path, count: int) -> None:
    from dim_revision.db import migrate
    from tests.gui.seeding import seed_queue

    engine = create_db_engine(sqlite_url(path))
    migrate.upgrade(engine)
    db = Database(engine)
    seed_queue(db, NOW, count=count)
    db.dispose()


def _wait(pred: Callable[[], bool], timeout_s: float = 60.0) -> None:
    """The event loop runs, asleep between events as the app's own (`paint.pump_until`)."""
    from benchmarks.paint import pump_until

    try:
        pump_until(pred, timeout_s)
    except TimeoutError:
        raise TimeoutError("la ventana no respondió a tiempo") from None


# Imported only by what the app does later (OCR, plots, PDFs of reports, the API, HTTP clients,
# migrations): none of them may be loaded when the first record is shown.
DEFERRED = (
    "onnxruntime",
    "rapidocr_onnxruntime",
    "matplotlib",
    "reportlab",
    "httpx",
    "fastapi",
    "uvicorn",
    "alembic",
    "openpyxl",
)


def loaded_too_early() -> list[str]:
    return [m for m in DEFERRED if m in sys.modules]


def _window(db: Database, settings: Settings) -> tuple[object, object, object]:
    """The real window on `db` as `ui.app.run_gui` builds it (GC guard, Spanish catalogs, style,
    the `[dim]` check, `build_window` with the order reader's panel), shown and started; no send
    worker (nothing to send to here)."""
    from PySide6.QtWidgets import QApplication

    from ui.app import build_window, dim_mapping_problem, freeze_long_lived, load_style
    from ui.runtime_guard import RuntimeGuard
    from ui.tasks import TaskRunner
    from ui.translations import install_spanish

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    if os.environ.get(READER_SWITCH) == "0":  # measuring the window without the order reader
        settings = settings.replace("lectura", activa=False)
    guard = RuntimeGuard(app)  # cycle GC on the GUI thread, as in run_gui
    _KEEP.append(install_spanish(app))
    load_style(app)
    ctx = AppContext(
        settings,
        AppPaths.for_user(),
        MemoryStore(dict(SECRETS)),
        Actor("bench", "pc-01"),
        FakeClock(NOW),
        _db=db,
    )
    problem = dim_mapping_problem(ctx)
    if problem is not None:
        raise RuntimeError(problem)
    runner = TaskRunner(max_threads=3)
    window = build_window(ctx, runner)  # polling at its default
    window.resize(1600, 1000)
    window.show()
    window.ws.start()
    freeze_long_lived(window, guard)  # as run_gui
    _KEEP.extend([runner, guard])
    return app, window, window.ws


_KEEP: list[object] = []


def _loaded(ws: object, sid: int | None = None) -> bool:
    rec = ws.current  # type: ignore[attr-defined]
    if rec is None or rec.detalle is None or not ws.lane.is_idle() or ws.flags.busy:  # type: ignore[attr-defined]
        return False
    return sid is None or rec.id == sid


class NoPhoto(RuntimeError):
    """The record a probe waits for has no file: the data does not match what the window opens."""


def _image_shown(window: object, ws: object) -> bool:
    """The current record's first file is on the viewer's canvas."""
    rec = ws.current  # type: ignore[attr-defined]
    if rec is None or rec.detalle is None:
        return False
    if not rec.detalle.adjuntos:
        raise NoPhoto(
            f"la solicitud {rec.id} ({rec.detalle.fecha_subida:%Y-%m-%d}) no tiene archivo: "
            "las fotos no están en las solicitudes que la ventana abre (datasets.first_to_work)"
        )
    return window.viewer._shown == (rec.detalle.adjuntos[0].id, 0)  # type: ignore[attr-defined]


def _shown_painted(window: object, ws: object, start: float, sid: int | None = None) -> float:
    """Wait for the record (data and image) painted; ms since `start`."""

    watch = _watch(window)
    end = watch.wait_asleep(start, lambda: _loaded(ws, sid) and _image_shown(window, ws))
    return (end - start) * 1000


_WATCHES: dict[int, Any] = {}


def _watch(window: object) -> Any:
    from benchmarks.paint import PaintWatch

    canvas = window.viewer.canvas.viewport()  # type: ignore[attr-defined]
    if id(canvas) not in _WATCHES:
        _WATCHES[id(canvas)] = PaintWatch(canvas)
    return _WATCHES[id(canvas)]


def startup(path: Path) -> dict[str, Any]:
    _, window, ws = _window(_db(path), Settings())
    early: list[list[str]] = []

    def shown() -> bool:
        ready = _loaded(ws) and _image_shown(window, ws)
        if ready and not early:  # what was loaded when the first record could be painted
            early.append(loaded_too_early())
        return ready

    end = _watch(window).wait_asleep(0.0, shown)
    return {"seconds": end - _T0, "in_process": end - _T1, "too_early": early[0]}


def warm(path: Path) -> dict[str, float]:
    """A first start that stays until the catalog index is built (and cached on disk)."""
    _, window, ws = _window(_db(path), Settings())
    _shown_painted(window, ws, 0.0)
    _settled(window, ws)
    return {"seconds": time.perf_counter() - _T0}


def confirm(path: Path, runs: int) -> dict[str, list[float]]:
    settings = Settings().replace("envio", confirmar_preview="nunca")
    _, window, ws = _window(_db(path), settings)
    _shown_painted(window, ws, 0.0)
    _settled(window, ws)
    samples: list[float] = []
    for _ in range(runs):
        first = ws.current.id  # type: ignore[attr-defined]
        following = ws._next_candidate(first)  # type: ignore[attr-defined]
        if following is None:
            raise RuntimeError("no hay una solicitud siguiente en la lista")
        # Operator pace: the next record's data and image were read ahead, the reader is done.
        _wait(lambda f=following: _image_ready(window, f))
        _settled(window, ws)
        ws.set_chosen([(1, "RESONANCIA MAGNÉTICA DE RODILLA")])  # type: ignore[attr-defined]
        start = time.perf_counter()
        window.record_actions.confirm()  # type: ignore[attr-defined]
        _wait(lambda f=first: ws.current is not None and ws.current.id != f)  # type: ignore[attr-defined]
        samples.append(_shown_painted(window, ws, start))
    return {"ms": samples}


def _settled(window: object, ws: object) -> None:
    """What a start leaves to do is done (the picker's index, the order reader's own index and
    its reading of the open record): the operator has looked at the first record for a while."""

    def idle() -> bool:
        reader = getattr(window, "lectura", None)
        return bool(ws.flags.catalog_loaded) and (reader is None or reader.runner.is_idle())  # type: ignore[attr-defined]

    _wait(idle)


def _image_ready(window: object, sid: int) -> bool:
    """The viewer already holds the decoded first file of `sid` (its prefetch finished)."""
    ws = window.ws  # type: ignore[attr-defined]
    d = ws._prefetched.get(sid)
    if d is None:
        return False
    if not d.adjuntos:
        raise NoPhoto(f"la solicitud {sid} (la siguiente) no tiene archivo")
    return window.viewer._cache.best_image(d.adjuntos[0].id, 0) is not None  # type: ignore[attr-defined]


def _claimed(ws: object, sid: int) -> bool:
    """`sid` is open, its claim committed and ours, its data on screen, nothing being written."""
    rec = ws.current  # type: ignore[attr-defined]
    return (
        rec is not None
        and rec.id == sid
        and rec.detalle is not None
        and rec.claimed
        and not rec.claiming
        and not ws.flags.busy  # type: ignore[attr-defined]
    )


def next_prefetched(path: Path, runs: int) -> dict[str, list[float]]:
    """N × «siguiente» (↓, no write) onto a record whose data and image were read and decoded
    ahead → that record claimed (its claim committed, «Tomando…» gone) with its data and image
    painted (`ms`); `fresh_ms`: until its committed detail, read again right after the claim,
    is in and the lane is idle (to the 2 ms of the probe's tick)."""
    _, window, ws = _window(_db(path), Settings())
    _shown_painted(window, ws, 0.0)
    _settled(window, ws)
    samples: list[float] = []
    fresh: list[float] = []
    for _ in range(runs):
        following = ws._next_candidate(ws.current.id)  # type: ignore[attr-defined]
        if following is None:
            raise RuntimeError("no hay una solicitud siguiente en la lista")
        _wait(lambda f=following: _image_ready(window, f))
        _settled(window, ws)
        start = time.perf_counter()
        window.actions_by_name["siguiente"].trigger()  # type: ignore[attr-defined]
        end = _watch(window).wait_asleep(
            start, lambda f=following: _claimed(ws, f) and _image_shown(window, ws)
        )
        samples.append((end - start) * 1000)
        _wait(lambda f=following: _loaded(ws, f) and not getattr(ws.current, "checking", False))  # type: ignore[attr-defined]
        fresh.append((time.perf_counter() - start) * 1000)
    return {"ms": samples, "fresh_ms": fresh}


def _photo_ids(db: Database, limit: int) -> list[int]:
    """The records the data put photos on (the first of the window's default view, in its
    order), at most `limit`."""
    from sqlalchemy import func, select

    from benchmarks.datasets import first_to_work
    from dim_revision.db.models import SolicitudAdjunto

    with db.read() as uow:
        photos = uow.session.scalar(select(func.count()).select_from(SolicitudAdjunto)) or 0
    return first_to_work(db, min(limit, photos))


def open_cold(path: Path, runs: int) -> dict[str, list[float]]:
    """Records far apart (never the prefetched next one) opened → image painted. Each photo is
    unread when its record opens, as in production, where no two uploads are the same file (the
    data repeats 6 photos over 210 requests, and a reading is kept by the file's sha256): the
    order reader reads it as it would a new upload."""
    from sqlalchemy import delete

    from dim_revision.db.models import LecturaAdjunto

    db = _db(path)
    _, window, ws = _window(db, Settings())
    _shown_painted(window, ws, 0.0)
    _settled(window, ws)
    ids = _photo_ids(db, 210)[::-7][:runs]
    samples = []
    for sid in ids:
        with db.uow() as uow:  # nothing read of this photo (before the timing starts)
            uow.session.execute(delete(LecturaAdjunto))
        ws._prefetched.clear()  # type: ignore[attr-defined]  # cold: nothing read ahead
        start = time.perf_counter()
        ws.open(sid)  # type: ignore[attr-defined]
        samples.append(_shown_painted(window, ws, start, sid))
    return {"ms": samples}


def filter_change(path: Path, runs: int) -> dict[str, dict[str, list[float]]]:
    """The grid painted after a filter change (from the end of the typing pause), at operator
    pace: the start's background work done, and each filter's counts back before the next."""
    from benchmarks.paint import PaintWatch, wait_any

    _, window, ws = _window(_db(path), Settings())
    _shown_painted(window, ws, 0.0)
    _settled(window, ws)
    bar = window.filter_bar  # type: ignore[attr-defined]
    grid = PaintWatch(window.grid.viewport())  # type: ignore[attr-defined]
    empty = PaintWatch(window.grid_empty)  # type: ignore[attr-defined]  # "no results" label
    loaded, counted = [False], [False]
    ws.model.first_page_loaded.connect(lambda: loaded.__setitem__(0, True))  # type: ignore[attr-defined]
    ws.model.counts_changed.connect(lambda _c: counted.__setitem__(0, True))  # type: ignore[attr-defined]
    out: dict[str, list[float]] = {"gonz": [], "sin resultado": []}
    for _ in range(runs):
        for label, texto in (("gonz", "gonz"), ("sin resultado", "zzxqw"), ("", "")):
            bar.texto.setText(texto)
            loaded[0] = counted[0] = False
            start = time.perf_counter()
            bar._emit()  # type: ignore[attr-defined]  # what the 250 ms debounce timer calls
            end = wait_any([grid, empty], start, lambda: loaded[0])
            if label:
                out[label].append((end - start) * 1000)
            _wait(lambda: counted[0])  # the operator reads the result before typing again
    return {"ms": out}


def memory(path: Path, rows: int) -> dict[str, Any]:
    """RSS after 50 (a quarter, if fewer) and after `rows` records opened, each with its
    12 MP photo painted: the window's process and the order reader's child process (its pid,
    how many pages it read, how many children were started)."""
    db = _db(path)
    _, window, ws = _window(db, Settings())
    _shown_painted(window, ws, 0.0)
    _settled(window, ws)
    ids = _photo_ids(db, rows)
    rss: dict[str, Any] = {}
    for n, sid in enumerate(ids, start=1):
        start = time.perf_counter()
        ws.open(sid)  # type: ignore[attr-defined]
        _shown_painted(window, ws, start, sid)
        if n == min(50, max(1, rows // 4)):
            rss["rss_first"], rss["first_n"] = _rss_mb(), float(n)
            rss["child_first"] = _reader_rss(window)
    rss["rss_last"] = _rss_mb()
    rss["child_last"] = _reader_rss(window)
    motor = _reader_engine(window)
    rss["child"] = {
        "peak": _reader_peak(window),
        "pages": getattr(motor, "paginas", None),
        "started": getattr(motor, "arranques", None),
        "tracker": _tracker_rss(),
    }
    rss["ocr_in_window"] = [m for m in ("onnxruntime", "rapidocr_onnxruntime") if m in sys.modules]
    return {**rss, "peak": _peak_rss_mb(), "visited": float(len(ids))}


def _reader_engine(window: object) -> Any:
    reader = getattr(window, "lectura", None)
    lector = getattr(reader, "lector", None)
    return getattr(lector, "motor", None)


def _reader_rss(window: object) -> float | None:
    """RSS of the order reader's child process between pages (a page in its hands is waited
    for: its working set then is the peak, reported apart); None: no child, or it runs here."""
    from dim_revision.memoria import rss_mb

    motor = _reader_engine(window)
    pagina = getattr(motor, "en_pagina", None)
    if pagina is not None:
        _wait(lambda: not pagina.is_set(), 120.0)
    pid = getattr(motor, "pid", None)
    return None if pid is None else rss_mb(pid)


def _tracker_rss() -> float | None:
    """multiprocessing's resource tracker: a small process every "spawn" start brings along."""
    from multiprocessing import resource_tracker

    from dim_revision.memoria import rss_mb

    pid = getattr(resource_tracker._resource_tracker, "_pid", None)
    return None if pid is None else rss_mb(pid)


def _reader_peak(window: object) -> float | None:
    from dim_revision.memoria import pico_mb

    pid = getattr(_reader_engine(window), "pid", None)
    return None if pid is None else pico_mb(pid)


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mb() -> float:
    """This process's own peak (VmHWM): ru_maxrss carries the bench runner's over fork + exec."""
    from dim_revision.memoria import pico_mb

    peak = pico_mb()
    if peak is not None:
        return peak
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB (not Linux: rough)


_T1 = time.perf_counter()  # imports of this module done


def main(argv: list[str]) -> int:
    mode, path = argv[0], Path(argv[1])
    n = int(argv[2]) if len(argv) > 2 else 0
    out: object
    if mode == "seed":
        seed(path, n)
        out = {"ok": 1}
    elif mode == "startup":
        out = startup(path)
    elif mode == "warm":
        out = warm(path)
    elif mode == "confirm":
        out = confirm(path, n)
    elif mode == "next":
        out = next_prefetched(path, n)
    elif mode == "open":
        out = open_cold(path, n)
    elif mode == "filter":
        out = filter_change(path, n)
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

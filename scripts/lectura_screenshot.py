"""docs/lectura-propuestas.png: a demo record whose order belongs to another person, with the
reader's proposals above the picker and one of them outlined on the image (issue 15); and
docs/lectura-foto-derecha.png: a photo uploaded upside down without an EXIF tag, shown upright
by the reader's orientation check (the viewer's own rotation; the stored file is untouched).

    QT_QPA_PLATFORM=offscreen python -m scripts.lectura_screenshot [--out docs]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
SOLICITUDES = 200


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.lectura_screenshot")
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="dim-lectura-"))
    os.environ["DIM_REVISION_HOME"] = str(work)

    from PySide6.QtWidgets import QApplication
    from sqlalchemy import false, select

    from dim_revision.bootstrap import AppContext, build_lector
    from dim_revision.clock import FakeClock, local_today
    from dim_revision.config import Settings
    from dim_revision.db import migrate
    from dim_revision.db.engine import create_db_engine, sqlite_url
    from dim_revision.db.models import SolicitudAsistencia as S
    from dim_revision.db.uow import Database
    from dim_revision.demo.seed import planificar, seed_demo
    from dim_revision.paths import AppPaths
    from dim_revision.secrets import MemoryStore
    from dim_revision.services import lecturas
    from dim_revision.services.actor import Actor
    from ui.app import build_window, load_style
    from ui.tasks import TaskRunner

    app = QApplication(sys.argv[:1])
    load_style(app)
    db = Database(create_db_engine(sqlite_url(work / "demo.sqlite3")))
    migrate.upgrade(db)
    seed_demo(db, seed=15, solicitudes=SOLICITUDES, prestaciones=1600, now=NOW)
    plan = planificar(seed=15, solicitudes=SOLICITUDES, prestaciones=1600, now=NOW).planes
    from dim_revision.demo import camera

    al_reves = {  # upload time of today's open requests with a photo stored upside down, no tag
        p.fecha_subida
        for p in plan
        if p.resuelto is None
        and p.baja is None
        and any(a.toma.forma == camera.FOTO_180 for a in p.archivos)
    }
    ajenas = {  # the generator knows whose each order is: upload time of those of a relative
        p.fecha_subida
        for p in plan
        if p.resuelto is None
        and p.baja is None
        and any(o.de_otra_persona for a in p.archivos for o in a.paginas)
    }
    ctx = AppContext(
        Settings(),
        AppPaths.for_user(),
        MemoryStore(),
        Actor("mgarcia", "PC-03"),
        FakeClock(NOW),
        _db=db,
    )
    lector = build_lector(ctx)
    proponedor = lecturas.proponedor_de(db, NOW, ctx.settings.busqueda)
    elegida = None
    with db.uow() as uow:
        abiertas = [
            (sid, subida)
            for sid, subida in uow.session.execute(
                select(S.id, S.fecha_subida)
                .where(S.resuelto == false(), S.fecha_baja.is_(None))
                .order_by(S.fecha_subida)
            )
            if local_today(subida) == local_today(NOW)  # today's: listed
        ]
    girada = None
    for sid, subida in abiertas:
        if subida in al_reves:
            lecturas.leer_solicitud(db, lector, sid, "captura")
            if lecturas.revisar_solicitud(db, sid, proponedor, local_today(NOW)).giros:
                girada = sid
                break
    abiertas = [sid for sid, subida in abiertas if subida in ajenas]
    for sid in abiertas:
        lecturas.leer_solicitud(db, lector, sid, "captura")
        rev = lecturas.revisar_solicitud(db, sid, proponedor, local_today(NOW))
        if rev.propuestas and any(a.clave == "otra_persona" for a in rev.alertas):
            elegida = sid
            break
    if elegida is None:
        print("Ninguna solicitud de hoy con una orden de otra persona.", file=sys.stderr)
        return 1
    window = build_window(ctx, TaskRunner(max_threads=3))
    ws = window.ws
    window.resize(1600, 1000)
    window.show()
    ws.start()
    _wait(app, lambda: ws.current is not None and ws.flags.catalog_loaded)
    window.select_id(elegida)
    panel = window.propuestas
    _wait(app, lambda: ws.current is not None and ws.current.id == elegida and bool(panel.botones))
    _wait(app, window.viewer.canvas.has_content)
    panel.highlighted.emit(panel.revision.propuestas[0])
    _wait(app, lambda: False, 0.5)
    args.out.mkdir(parents=True, exist_ok=True)
    destino = args.out / "lectura-propuestas.png"
    window.grab().save(str(destino))
    print(f"Captura guardada en {destino}")
    if girada is None:
        print("Ninguna foto de hoy al revés que la lectura haya enderezado.", file=sys.stderr)
    else:
        window.select_id(girada)
        canvas = window.viewer.canvas
        _wait(app, lambda: ws.current is not None and ws.current.id == girada)
        _wait(app, lambda: canvas.has_content() and canvas.rotation() == 180, 60)
        _wait(app, lambda: False, 0.5)
        destino = args.out / "lectura-foto-derecha.png"
        window.grab().save(str(destino))
        print(f"Captura guardada en {destino} (giro {canvas.rotation()}°)")
    ws.shutdown()
    os._exit(0)


def _wait(app: object, cond: Callable[[], bool], at_most: float = 120.0) -> None:
    fin = time.monotonic() + at_most
    while not cond() and time.monotonic() < fin:
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.02)


if __name__ == "__main__":
    sys.exit(main())

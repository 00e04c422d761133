"""DIM-sized data for the benchmarks (issue 19), generated once and cached on disk.

- `queue_db(n)`: a SQLite file with `n` requests shaped like DIM's history — about 3 000 uploads
  a day (08–20 h local) going back as many days as `n` needs (1 000 000 ≈ the past year), older
  days almost all resolved, today's up to `NOW`; a third as many patients, nine obras sociales,
  a send for every 5th request, and the queue's folded search copy filled by the real
  `completar_busqueda`. `today_heavy=True`: a tenth of all requests uploaded today (a backlog).
- `with_catalog(db, size)`: the demo catalog grown to `size` prestaciones (10 000, 50 000).
- `photos(k)`: `k` distinct 12 MP phone-like JPEGs of 4–5 MB.

Files live in `build/bench-data/` (or `$DIM_REVISION_BENCH_DATA`), never committed; a name holds
the generator version and the schema's migration files, so a schema change regenerates them.
Generation uses Core `executemany` in chunks (1 000 000 requests: about a minute here).
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from dim_revision.clock import local_day_bounds, local_today
from dim_revision.db import migrate
from dim_revision.db.engine import create_db_engine, sqlite_url
from dim_revision.db.models import Envio, SolicitudAsistencia
from dim_revision.db.uow import Database

# 2: every mobile valid for WhatsApp; 3: counts index with paciente_id; 4: the photos go on the
# first requests of the default view (Pendientes: today and every earlier unresolved one)
GENERATOR = 4
# 16:00 in Buenos Aires: today's uploads run from 08:00 to now.
NOW = datetime(2026, 3, 10, 19, 0, tzinfo=UTC)
PER_DAY = 3_000
SEED = 20260310
_CHUNK = 50_000

APELLIDOS = [
    "GONZÁLEZ",
    "RODRÍGUEZ",
    "GÓMEZ",
    "FERNÁNDEZ",
    "LÓPEZ",
    "DÍAZ",
    "MARTÍNEZ",
    "PÉREZ",
    "GARCÍA",
    "SÁNCHEZ",
    "ROMERO",
    "SOSA",
    "ÁLVAREZ",
    "TORRES",
    "RUIZ",
    "RAMÍREZ",
    "FLORES",
    "BENÍTEZ",
    "ACOSTA",
    "MEDINA",
    "HERRERA",
    "SUÁREZ",
    "AGUIRRE",
    "PEREYRA",
    "GUTIÉRREZ",
    "GIMÉNEZ",
    "MOLINA",
    "SILVA",
    "CASTRO",
    "ROJAS",
    "ORTIZ",
    "NÚÑEZ",
    "LUNA",
    "JUÁREZ",
    "CABRERA",
    "RÍOS",
    "MORALES",
    "GODOY",
    "FERREYRA",
    "DOMÍNGUEZ",
    "CARDOZO",
    "VERA",
    "PERALTA",
    "IBARRA",
    "CÁCERES",
    "QUIROGA",
    "VILLALBA",
]
NOMBRES = [
    "MARÍA",
    "JUAN",
    "ANA",
    "CARLOS",
    "LUCÍA",
    "JORGE",
    "SOFÍA",
    "MARTÍN",
    "VALENTINA",
    "DIEGO",
    "CAMILA",
    "PABLO",
    "JULIETA",
    "GUSTAVO",
    "FLORENCIA",
    "SERGIO",
    "AGUSTINA",
    "RAÚL",
    "NOELIA",
    "HÉCTOR",
    "ROCÍO",
    "MATÍAS",
    "GABRIELA",
    "NICOLÁS",
]
OBRAS = ("OSDE", "SWISS MEDICAL", "GALENO", "MEDIFÉ", "OMINT", "IOMA", "PAMI", "OSECAC", "OSPRERA")


def data_dir() -> Path:
    folder = Path(os.environ.get("DIM_REVISION_BENCH_DATA", "build/bench-data"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _tag(names: list[str]) -> str:
    digest = hashlib.sha256(str(GENERATOR).encode())
    for name in names:
        digest.update(name.encode())
    return digest.hexdigest()[:8]


def _migration_names() -> list[str]:
    versions = Path(migrate.__file__).parent / "migrations" / "versions"
    return sorted(f.name for f in versions.glob("*.py"))


def _schema_tag() -> str:
    return _tag(_migration_names())


def _older_tags(newest: int = 6) -> list[str]:
    """The tags the same generator gave before the last `newest` migrations were added, newest
    first: a file with one of them holds the same data at an older schema."""
    names = _migration_names()
    tail = [n for n in names if not n[0].isdigit()]  # `__init__.py` sorts after the revisions
    revisions = [n for n in names if n[0].isdigit()]
    return [_tag(revisions[:k] + tail) for k in range(len(revisions) - 1, 0, -1)][:newest]


def _upgraded_copy(name: str, tmp: Path) -> bool:
    """Fill `tmp` from a file this generator made at an older schema, if one is at hand: a copy
    migrated to head gives the same rows as a fresh generation, minutes sooner. A migration that
    needs rows the generator writes must come with a new `GENERATOR`."""
    for tag in _older_tags():
        older = data_dir() / name.replace(_schema_tag(), tag)
        if older.exists():
            shutil.copyfile(older, tmp)
            return True
    return False


def open_db(path: Path) -> Database:
    engine = create_db_engine(sqlite_url(path))
    migrate.upgrade(engine)
    return Database(engine)


def queue_db(
    n: int,
    *,
    today_heavy: bool = False,
    catalog: int = 0,
    fotos: int = 0,
    foto_px: tuple[int, int] = (4000, 3000),
) -> Path:
    """The cached file for these parameters (generated on first use). `fotos`: the first that
    many requests the operator works (`first_to_work`) carry a 12 MP photo (six distinct ones
    in turn; `foto_px` smaller for the quick smoke run)."""
    kind = "hoy" if today_heavy else "hist"
    px = "" if foto_px == (4000, 3000) else f"-{foto_px[0]}px"
    name = f"queue-{n}-{kind}-cat{catalog}-fotos{fotos}{px}-{_schema_tag()}.sqlite3"
    path = data_dir() / name
    if path.exists():
        return path
    tmp = path.with_suffix(".partial")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    if _upgraded_copy(name, tmp):
        db = open_db(tmp)  # migrates the copy to head
        try:
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        finally:
            db.dispose()
        tmp.rename(path)
        return path
    db = open_db(tmp)
    try:
        fill_queue(db, n, today_heavy=today_heavy, rng=random.Random(SEED))
        if catalog:
            with_catalog(db, catalog)
        if fotos:
            with_photos(db, fotos, foto_px)
        from dim_revision.services.queue_texto import completar_busqueda

        completar_busqueda(db, lote=20_000)
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    finally:
        db.dispose()  # the last connection closed checkpoints and removes the WAL
    tmp.rename(path)
    return path


def working_copy(source: Path, folder: Path) -> Path:
    """A private copy for cases that write (the window confirms, claims)."""
    target = folder / source.name
    shutil.copyfile(source, target)
    return target


def _day_counts(n: int, today_heavy: bool) -> list[int]:
    """Requests per day, index 0 = today."""
    elapsed = (NOW.hour - 3 - 8) / 12  # share of today's 08–20 h window gone by at NOW
    today = n // 10 if today_heavy else min(n, int(PER_DAY * elapsed))
    counts = [today]
    left = n - today
    while left > 0:
        counts.append(min(PER_DAY, left))
        left -= counts[-1]
    return counts


def fill_queue(db: Database, n: int, *, today_heavy: bool, rng: random.Random) -> None:
    dim = db.dim
    pacientes = max(10, n // 3)
    today = local_today(NOW)
    with db.engine.begin() as conn:
        conn.execute(
            insert(dim.obra_social.table),
            [{"id": i, "nombre": nombre, "activa": True} for i, nombre in enumerate(OBRAS, 1)],
        )
        conn.execute(
            insert(dim.plan.table),
            [
                {"id": (o - 1) * 3 + p, "obra_social_id": o, "nombre": f"PLAN {p}10"}
                for o in range(1, len(OBRAS) + 1)
                for p in range(1, 4)
            ],
        )
        for start in range(1, pacientes + 1, _CHUNK):
            conn.execute(
                insert(dim.paciente.table),
                [
                    {
                        "id": i,
                        "dni": str(20_000_000 + i * 7),
                        "apellido": f"{rng.choice(APELLIDOS)} {rng.choice(APELLIDOS)}",
                        "nombre": rng.choice(NOMBRES),
                        "telefono_movil": f"11 {rng.randrange(2000, 9000)}-{rng.randrange(1000, 10000)}",
                        "email": f"paciente{i}@example.com" if i % 3 else None,
                        "obra_social_id": (o := rng.randrange(1, len(OBRAS) + 1)),
                        "plan_id": (o - 1) * 3 + rng.randrange(1, 4),
                    }
                    for i in range(start, min(start + _CHUNK, pacientes + 1))
                ],
            )
        ident = 0
        sols: list[dict[str, object]] = []
        for days_ago, count in enumerate(_day_counts(n, today_heavy)):
            day = today - timedelta(days=days_ago)
            start_day, _ = local_day_bounds(day, day)
            opens = start_day + timedelta(hours=8)
            closes = min(start_day + timedelta(hours=20), NOW)
            span = (closes - opens).total_seconds()
            resolved_share = 0.3 if days_ago == 0 else 0.97
            for _ in range(count):
                ident += 1
                when = opens + timedelta(seconds=span * rng.random())
                resuelto = rng.random() < resolved_share
                sols.append(
                    {
                        "id": ident,
                        "paciente_id": rng.randrange(1, pacientes + 1),
                        "fecha_subida": when,
                        "telefono_verificado": rng.random() < 0.8,
                        "email_verificado": rng.random() < 0.3,
                        "resuelto": resuelto,
                        "fecha_contacto": when + timedelta(minutes=30) if resuelto else None,
                        "usuario_contacto": "operador1" if resuelto else None,
                        "version": 1,
                    }
                )
                if len(sols) == _CHUNK:
                    _flush(conn, sols)
                    sols = []
        _flush(conn, sols)


def _flush(conn: object, sols: list[dict[str, object]]) -> None:
    if not sols:
        return
    conn.execute(insert(SolicitudAsistencia), sols)  # type: ignore[attr-defined]
    conn.execute(  # type: ignore[attr-defined]
        insert(Envio),
        [
            {
                "solicitud_id": s["id"],
                "telefono": "5491100000000",
                "plantilla": "dim_link_turno",
                "parametros": "{}",
                "link": "https://portal.example/t/x",
                "token_id": f"jti-{s['id']}",
                "estado": "enviado",
                "creado": s["fecha_subida"],
                "creado_por": "operador1",
                "enviar_desde": s["fecha_subida"],
                "intentos": 1,
                "version": 1,
            }
            for s in sols[::5]
        ],
    )


def with_catalog(db: Database, size: int) -> None:
    """DIM's prestaciones: the benchmark catalog of `size` entries, ids from 1."""
    from benchmarks.bench_search import catalog_names

    p = db.dim.prestacion
    entries = catalog_names(size, SEED)
    with db.engine.begin() as conn:
        conn.execute(
            insert(p.table),
            [
                {"id": i, "codigo": code[:20], "nombre": nombre, "activa": True}
                for i, (code, nombre) in enumerate(entries, start=1)
            ],
        )


def first_to_work(db: Database, count: int) -> list[int]:
    """The first `count` requests of the window's default view in its order (what it opens
    first and walks through), as the queue service the grid calls returns them."""
    from dim_revision.services.queue import QueueFilter
    from dim_revision.services.queue_window import pagina

    return [r.id for r in pagina(db, QueueFilter.pendientes(NOW), NOW, limit=count).rows]


def with_photos(db: Database, count: int, px: tuple[int, int] = (4000, 3000)) -> None:
    from dim_revision.db.models import SolicitudAdjunto

    files = [p.read_bytes() for p in photos(6, px)]
    ids = first_to_work(db, count)
    with db.engine.begin() as conn:
        for i, sid in enumerate(ids):
            data = files[i % len(files)]
            conn.execute(
                insert(SolicitudAdjunto),
                [
                    {
                        "solicitud_id": sid,
                        "orden": 0,
                        "nombre_archivo": f"orden-{sid}.jpg",
                        "mime": "image/jpeg",
                        "tamano": len(data),
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "contenido": data,
                    }
                ],
            )


def photos(k: int, px: tuple[int, int] = (4000, 3000)) -> list[Path]:
    """`k` distinct photo-like JPEGs, 4000×3000 (4–5 MB each) unless `px` says, cached."""
    from benchmarks.bench_image import make_jpeg

    folder = data_dir() / "photos"
    folder.mkdir(exist_ok=True)
    out = []
    for i in range(k):
        path = folder / f"foto-{px[0]}x{px[1]}-{i}.jpg"
        if not path.exists():
            partial = path.with_suffix(".partial")
            make_jpeg(partial, px[0], px[1], 6 if i % 3 == 2 else None, SEED + i)
            partial.rename(path)
        out.append(path)
    return out

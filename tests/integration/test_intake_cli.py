"""`dim-revision intake` with real files on disk: success, and every bad input exits 2 writing nothing."""

from __future__ import annotations

import io
import json
import random
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from dim_revision.bootstrap import AppContext
from dim_revision.cli import main
from dim_revision.clock import FakeClock
from dim_revision.config import Settings, write_config_file
from dim_revision.db import dim_repo
from dim_revision.db.engine import sqlite_url
from dim_revision.db.models import Evento, SolicitudAdjunto, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.paths import AppPaths
from dim_revision.secrets import MemoryStore
from dim_revision.services.actor import Actor
from tests import factories
from tests.layouts import dim_config_values

ACTOR = Actor("portal", "web-1")


class Run:
    """Calls `main` against the test database with an injected clock, capturing the output."""

    def __init__(
        self, db: Database, clock: FakeClock, capsys: pytest.CaptureFixture[str], folder: Path
    ) -> None:
        self.db, self.clock, self.capsys, self.folder = db, clock, capsys, folder

    def file(self, name: str, data: bytes) -> str:
        path = self.folder / name
        path.write_bytes(data)
        return str(path)

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        ctx = AppContext(
            Settings(), AppPaths.for_user(), MemoryStore(), ACTOR, self.clock, _db=self.db
        )
        code = main(list(argv), context=ctx)
        out, err = self.capsys.readouterr()
        return code, out, err

    def snapshot(self) -> dict[str, Any]:
        with self.db.uow() as uow:
            s = uow.session
            return {
                "solicitudes": s.scalar(select(func.count()).select_from(SolicitudAsistencia)),
                "adjuntos": s.scalar(select(func.count()).select_from(SolicitudAdjunto)),
                "eventos": s.scalar(select(func.count()).select_from(Evento)),
                "moviles": factories.moviles(s),
            }

    def refused(self, *argv: str) -> str:
        """Exit code 2, nothing on stdout, nothing written; returns the message without "Error: "."""
        before = self.snapshot()
        code, out, err = self(*argv)
        assert (code, out) == (2, ""), err
        assert self.snapshot() == before
        assert err.startswith("Error: ") and err.endswith("\n")
        return err[len("Error: ") : -1]


@pytest.fixture
def run(
    database: Database, clock: FakeClock, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> Run:
    folder = tmp_path / "subidas"
    folder.mkdir()
    return Run(database, clock, capsys, folder)


@pytest.fixture
def dni(database: Database) -> str:
    with database.uow() as uow:
        pac = factories.paciente(uow.session, dni="30111222", movil="11 15-2345-6789")
        uow.commit()
        return pac.dni


def noisy_jpeg() -> bytes:
    rnd = random.Random(3)
    img = Image.frombytes("RGB", (300, 200), rnd.randbytes(300 * 200 * 3))
    buf = io.BytesIO()
    img.save(buf, "JPEG")
    return buf.getvalue()


def bomb_png(side: int) -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    comp = zlib.compressobj(9)
    row = b"\x00" * (1 + (side + 7) // 8)
    idat = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


# --- success -----------------------------------------------------------------------------------


def test_intake_prints_the_new_id(run: Run, dni: str) -> None:
    a = run.file("orden.jpg", factories.jpeg_bytes())
    b = run.file("receta.pdf", factories.pdf_bytes(pages=2))
    code, out, err = run(
        "intake",
        "--dni",
        dni,
        "--file",
        a,
        "--file",
        b,
        "--telefono-verificado",
        "--email-verificado",
    )
    assert (code, err) == (0, "")
    sid = json.loads(out)["solicitud_id"]
    with run.db.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert (
            sol is not None and (dim_repo.paciente(uow.session, sol.paciente_id) or sol).dni == dni
        )
        assert (sol.telefono_verificado, sol.email_verificado, sol.fecha_subida) == (
            True,
            True,
            run.clock(),
        )
        assert [(x.nombre_archivo, x.mime, x.paginas) for x in sol.adjuntos] == [
            ("orden.jpg", "image/jpeg", None),
            ("receta.pdf", "application/pdf", 2),
        ]


def test_intake_with_mobile_typed_saves_it(run: Run, database: Database) -> None:
    with database.uow() as uow:
        factories.paciente(uow.session, dni="27333444", movil=None)
        uow.commit()
    f = run.file("o.png", factories.png_bytes())
    code, out, _ = run(
        "intake", "--dni", "27.333.444", "--file", f, "--movil", "(0351) 15 555-1234"
    )
    sid = json.loads(out)["solicitud_id"]
    assert code == 0 and sid > 0
    with run.db.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert sol is not None and sol.movil_ingresado == "(0351) 15 555-1234"


def test_jpg_that_is_really_a_pdf_is_accepted_as_pdf(run: Run, dni: str) -> None:
    f = run.file("orden.jpg", factories.pdf_bytes(pages=1))
    code, out, _ = run("intake", "--dni", dni, "--file", f)
    assert code == 0
    with run.db.uow() as uow:
        adj = uow.session.scalars(
            select(SolicitudAdjunto).where(
                SolicitudAdjunto.solicitud_id == json.loads(out)["solicitud_id"]
            )
        ).one()
        assert (adj.nombre_archivo, adj.mime) == ("orden.pdf", "application/pdf")


def test_real_composition_root_with_db_option(
    sqlite_db: Database,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No injected context: `--db URL` builds the engine like a real invocation (the DIM
    layout comes from the config file's [dim] section)."""
    config = tmp_path / "config.toml"
    write_config_file(config, dim_config_values(sqlite_db.dim_settings))
    monkeypatch.setenv("DIM_REVISION_CONFIG", str(config))
    with sqlite_db.uow() as uow:
        factories.paciente(uow.session, dni="30999888")
        uow.commit()
    f = tmp_path / "orden.jpg"
    f.write_bytes(factories.jpeg_bytes())
    url = sqlite_url(Path(str(sqlite_db.engine.url.database)))
    assert main(["--db", url, "intake", "--dni", "30999888", "--file", str(f)]) == 0
    assert json.loads(capsys.readouterr().out)["solicitud_id"] == 1
    assert main(["--db", url, "intake", "--dni", "1", "--file", str(f)]) == 2
    assert "No hay ningún paciente con DNI 1." in capsys.readouterr().err


# --- bad input: patient and mobile -------------------------------------------------------------


def test_unknown_dni(run: Run, dni: str) -> None:
    f = run.file("o.jpg", factories.jpeg_bytes())
    assert run.refused("intake", "--dni", "99888777", "--file", f).startswith(
        "No hay ningún paciente con DNI 99888777."
    )


def test_no_mobile(run: Run, database: Database) -> None:
    with database.uow() as uow:
        factories.paciente(uow.session, dni="28000111", movil=None)
        uow.commit()
    f = run.file("o.jpg", factories.jpeg_bytes())
    msg = run.refused("intake", "--dni", "28000111", "--file", f)
    assert msg.startswith(
        "El paciente no tiene un teléfono móvil cargado. Es obligatorio para subir la orden"
    )


def test_landline_only(run: Run, database: Database) -> None:
    with database.uow() as uow:
        factories.paciente(uow.session, dni="28000222", movil=None, telefono_fijo="011 4567-8901")
        uow.commit()
    f = run.file("o.jpg", factories.jpeg_bytes())
    msg = run.refused("intake", "--dni", "28000222", "--file", f)
    assert "(sólo tiene un teléfono fijo)" in msg


def test_invalid_mobile(run: Run, dni: str) -> None:
    f = run.file("o.jpg", factories.jpeg_bytes())
    msg = run.refused("intake", "--dni", dni, "--file", f, "--movil", "15-2345-6789")
    assert msg.startswith("El teléfono móvil ingresado («15-2345-6789») no sirve para WhatsApp:")


# --- bad input: files --------------------------------------------------------------------------


def test_no_files(run: Run, dni: str) -> None:
    assert run.refused("intake", "--dni", dni) == "Adjunte al menos un archivo con la orden médica."


def test_six_files(run: Run, dni: str) -> None:
    args = []
    for i in range(6):
        args += ["--file", run.file(f"o{i}.jpg", factories.jpeg_bytes(20 + i, 20))]
    assert run.refused("intake", "--dni", dni, *args) == (
        "Se pueden subir hasta 5 archivos por solicitud (se recibieron 6)."
    )


def test_eleven_megabyte_file(run: Run, dni: str) -> None:
    f = run.file("grande.jpg", factories.jpeg_bytes() + b"\x00" * (11 * 1024 * 1024))
    assert run.refused("intake", "--dni", dni, "--file", f) == (
        "«grande.jpg»: pesa 11 MB y supera el máximo de 10 MB"
    )


def test_gif(run: Run, dni: str) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "GIF")
    f = run.file("x.gif", buf.getvalue())
    assert run.refused("intake", "--dni", dni, "--file", f).startswith(
        "«x.gif»: tipo de archivo no admitido (se aceptan JPG, PNG o PDF)"
    )


def test_truncated_jpeg(run: Run, dni: str) -> None:
    data = noisy_jpeg()
    f = run.file("orden.jpg", data[: len(data) * 2 // 3])
    assert run.refused("intake", "--dni", dni, "--file", f) == (
        "«orden.jpg»: la imagen está dañada o incompleta"
    )


def test_corrupt_png(run: Run, dni: str) -> None:
    data = bytearray(factories.png_bytes(100, 100, "blue"))
    data[data.index(b"IDAT") + 8] ^= 0x55
    f = run.file("orden.png", bytes(data))
    assert run.refused("intake", "--dni", dni, "--file", f) == (
        "«orden.png»: la imagen está dañada o incompleta"
    )


def test_decompression_bomb(run: Run, dni: str) -> None:
    f = run.file("bomba.png", bomb_png(20000))
    assert Path(f).stat().st_size < 200_000
    msg = run.refused("intake", "--dni", dni, "--file", f)
    assert msg.startswith("«bomba.png»: la imagen es demasiado grande")


def test_pdf_with_21_pages(run: Run, dni: str) -> None:
    f = run.file("estudios.pdf", factories.pdf_bytes(pages=21))
    assert run.refused("intake", "--dni", dni, "--file", f) == (
        "«estudios.pdf»: el PDF tiene 21 páginas (máximo 20)"
    )


def test_encrypted_pdf(run: Run, dni: str) -> None:
    f = run.file("orden.pdf", factories.pdf_bytes(password="secreta"))
    assert run.refused("intake", "--dni", dni, "--file", f) == (
        "«orden.pdf»: el PDF está protegido con contraseña; súbalo sin protección"
    )


def test_duplicate_same_day_refused_next_day_allowed(run: Run, dni: str) -> None:
    f = run.file("orden.jpg", factories.jpeg_bytes())
    code, out, _ = run("intake", "--dni", dni, "--file", f)
    first = json.loads(out)["solicitud_id"]
    run.clock.advance(hours=3)  # 13:00 local, same day
    msg = run.refused("intake", "--dni", dni, "--file", f)
    assert msg.startswith(f"«orden.jpg»: ya subió hoy este mismo archivo (solicitud {first})")
    run.clock.advance(days=1)
    code, out, _ = run("intake", "--dni", dni, "--file", f)
    assert code == 0 and json.loads(out)["solicitud_id"] > first


def test_same_file_twice_in_one_command(run: Run, dni: str) -> None:
    data = factories.jpeg_bytes()
    a, b = run.file("a.jpg", data), run.file("b.jpg", data)
    assert run.refused("intake", "--dni", dni, "--file", a, "--file", b) == (
        "«b.jpg»: es el mismo archivo que «a.jpg»; súbalo una sola vez."
    )


# --- bad input: paths --------------------------------------------------------------------------


def test_missing_path(run: Run, dni: str) -> None:
    good = run.file("o.jpg", factories.jpeg_bytes())
    missing = str(run.folder / "no-existe.jpg")
    assert run.refused("intake", "--dni", dni, "--file", good, "--file", missing) == (
        f"No existe el archivo «{missing}»."
    )


def test_directory_instead_of_file(run: Run, dni: str) -> None:
    assert run.refused("intake", "--dni", dni, "--file", str(run.folder)) == (
        f"«{run.folder}» es una carpeta, no un archivo."
    )


def test_unreadable_file(run: Run, dni: str) -> None:
    f = Path(run.file("privado.jpg", factories.jpeg_bytes()))
    f.chmod(0)
    try:
        if _readable(f):
            pytest.skip("running as a user who can read any file (root)")
        assert run.refused("intake", "--dni", dni, "--file", str(f)) == (
            f"No hay permiso para leer el archivo «{f}»."
        )
    finally:
        f.chmod(0o644)


def test_path_the_system_cannot_open(run: Run, dni: str) -> None:
    bad = str(run.folder / ("x" * 300 + ".jpg"))  # longer than any file name may be
    msg = run.refused("intake", "--dni", dni, "--file", bad)
    assert msg.startswith(f"No se pudo leer el archivo «{bad}»: ")


def _readable(path: Path) -> bool:
    try:
        path.read_bytes()
    except PermissionError:
        return False
    return True


def test_huge_file_is_refused_from_its_size_without_reading_it(run: Run, dni: str) -> None:
    path = run.folder / "enorme.pdf"
    with path.open("wb") as fh:  # sparse: 3 GB on paper, nothing on disk
        fh.truncate(3 * 1024**3)
    assert run.refused("intake", "--dni", dni, "--file", str(path)) == (
        "«enorme.pdf»: pesa 3072 MB y supera el máximo de 10 MB"
    )


def test_next_local_day_boundary(run: Run, dni: str) -> None:
    """The clock starts at 10:00 in Buenos Aires: 23:59 is still today, 00:01 is not."""
    f = run.file("orden.jpg", factories.jpeg_bytes())
    assert run("intake", "--dni", dni, "--file", f)[0] == 0
    run.clock.advance(hours=13, minutes=59)  # 23:59 local, same day
    run.refused("intake", "--dni", dni, "--file", f)
    run.clock.advance(minutes=2)
    assert run("intake", "--dni", dni, "--file", f)[0] == 0

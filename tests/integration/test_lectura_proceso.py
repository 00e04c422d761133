"""The order reader in a process of its own (issue 19), with a real child and real onnxruntime:
the same lines as in this process, a child killed in the middle of a page (an `ilegible`
reading in Spanish, then a new child for the next one), the time budget stopping the child, and
`cerrar()` leaving no process behind."""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import threading
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from dim_revision.bootstrap import AppContext, build_lector
from dim_revision.config import Settings
from dim_revision.lectura.lector import CAIDA, Lector
from dim_revision.lectura.modelo import AGOTADA, ILEGIBLE, LEIDA, Lectura
from dim_revision.lectura.motor import RapidOcr, disponible
from dim_revision.lectura.proceso import MotorEnProceso
from dim_revision.paths import AppPaths
from dim_revision.secrets import MemoryStore
from dim_revision.services.actor import Actor

pytestmark = pytest.mark.skipif(disponible() is not None, reason="rapidocr-onnxruntime missing")
FUENTE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LINEAS = ("Paciente: Juan Gomez", "DNI: 10.343.780", "Solicito:", "RMN de rodilla derecha")


def _png(lineas: tuple[str, ...] = LINEAS, size: tuple[int, int] = (640, 480)) -> bytes:
    img = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(FUENTE, 24) if Path(FUENTE).exists() else ImageFont.load_default(24)
    for i, texto in enumerate(lineas):
        d.text((40, 30 + 70 * i), texto, font=font, fill="black")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _lectores() -> list[object]:
    """This process's reader children (the suite's T-SQL parser runs in a spawned pool too)."""
    return [p for p in multiprocessing.active_children() if p.name == "dim-revision-lectura"]


def _vivo(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as fh:  # a reaped child is gone; a zombie would say Z
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_the_child_reads_the_same_lines_as_this_process_and_leaves_nothing_behind() -> None:
    motor = MotorEnProceso(1)
    lector = Lector(motor, timeout=120)
    try:
        aparte = lector.leer(_png())
        pid = motor.pid
        assert pid is not None and pid != os.getpid() and _vivo(pid)
        otra = lector.leer(_png(("Solicito: ecografia abdominal",)))  # the same child
        assert (motor.pid, motor.arranques, motor.paginas) == (pid, 1, 2)
    finally:
        lector.cerrar()
    aqui = Lector(RapidOcr(1), timeout=120)
    try:
        local = aqui.leer(_png())
    finally:
        aqui.cerrar()
    assert aparte.estado == LEIDA and otra.estado == LEIDA
    assert aparte.paginas == local.paginas  # lines, confidences, boxes and turn
    assert "RMN de rodilla derecha" in [ln.texto for _, ln in aparte.lineas]
    assert not _vivo(pid) and motor.pid is None
    assert _lectores() == []
    cerrada = lector.leer(_png())  # after cerrar(): no new child, no verdict to store
    assert cerrada.extra == {"cerrada": True} and motor.arranques == 1


def test_a_child_killed_mid_page_gives_ilegible_and_the_next_reading_starts_a_new_one() -> None:
    motor = MotorEnProceso(1)
    lector = Lector(motor, timeout=120)
    larga = _png(LINEAS * 4, (1280, 1200))
    resultado: list[Lectura] = []
    try:
        hilo = threading.Thread(target=lambda: resultado.append(lector.leer(larga)))
        hilo.start()
        assert motor.en_pagina.wait(120)  # the child holds the page
        primero = motor.pid
        assert primero is not None
        os.kill(primero, signal.SIGKILL)
        hilo.join(30)
        assert not hilo.is_alive()
        (caida,) = resultado
        assert (caida.estado, caida.motivo) == (ILEGIBLE, CAIDA)
        assert caida.motivo == "el motor de lectura se detuvo en medio de la lectura"
        assert not _vivo(primero)  # reaped, not a zombie
        siguiente = lector.leer(_png())
        assert siguiente.estado == LEIDA and motor.arranques == 2
        assert motor.pid not in (None, primero)
    finally:
        lector.cerrar()
    assert _lectores() == []


def test_the_time_budget_stops_the_child_and_the_next_reading_works() -> None:
    motor = MotorEnProceso(1)
    lector = Lector(motor, timeout=120)
    try:
        assert lector.leer(_png()).estado == LEIDA  # child up, models loaded
        primero = motor.pid
        assert primero is not None
        lector.timeout = 0.05  # far less than a 1280 px page takes
        agotada = lector.leer(_png(LINEAS * 4, (1280, 1200)))
        assert (agotada.estado, agotada.motivo) == (AGOTADA, "se agotó el tiempo de lectura")
        lector.timeout = 120
        assert lector.leer(_png()).estado == LEIDA
        assert motor.arranques == 2 and not _vivo(primero)  # the busy child was stopped
    finally:
        lector.cerrar()
    assert _lectores() == []


def test_the_reader_runs_apart_by_default_and_in_this_process_on_request() -> None:
    def lector_de(settings: Settings) -> Lector:
        ctx = AppContext(settings, AppPaths.for_user(), MemoryStore(), Actor("ana", "pc"))
        lector = build_lector(ctx)
        assert isinstance(lector, Lector)
        return lector

    aparte = lector_de(Settings())
    aqui = lector_de(Settings().replace("lectura", proceso_aparte=False))
    assert isinstance(aparte.motor, MotorEnProceso) and aparte.motor.pid is None  # lazy
    assert isinstance(aqui.motor, RapidOcr)
    aparte.cerrar()
    aqui.cerrar()


def test_a_window_that_dies_without_closing_leaves_no_reader_behind(tmp_path: Path) -> None:
    """The app killed or ending with os._exit: the child sees its pipe close and leaves."""
    import subprocess
    import sys
    import time

    pagina = tmp_path / "orden.png"
    pagina.write_bytes(_png())
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from dim_revision.lectura.lector import Lector\n"
        "from dim_revision.lectura.proceso import MotorEnProceso\n"
        "motor = MotorEnProceso(1)\n"
        "lectura = Lector(motor, timeout=120).leer(Path(sys.argv[1]).read_bytes())\n"
        "print(motor.pid, lectura.estado, flush=True)\n"
        "os._exit(0)\n"  # no cerrar(), no atexit: as a crash would leave it
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", script, str(pagina)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    ).stdout.split()
    pid, estado = int(out[0]), out[1]
    assert estado == LEIDA
    hasta = time.monotonic() + 30
    while _vivo(pid) and time.monotonic() < hasta:
        time.sleep(0.1)  # another process: nothing to wait on but its /proc entry
    assert not _vivo(pid)


def test_a_photo_is_decoded_in_the_child_and_a_cut_off_one_is_ilegible_in_spanish() -> None:
    img = Image.open(io.BytesIO(_png())).convert("RGB")
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    foto = buf.getvalue()
    motor = MotorEnProceso(1)
    lector = Lector(motor, timeout=120)
    try:
        leida = lector.leer(foto)
        cortada = lector.leer(foto[: len(foto) // 2])  # the header is whole, the pixels are not
        assert motor.paginas == 1 and motor.arranques == 1  # the child survived the bad file
    finally:
        lector.cerrar()
    textos = [ln.texto.replace(" ", "") for _, ln in leida.lineas]  # JPEG: spaces may go
    assert leida.estado == LEIDA and "RMNderodilladerecha" in textos
    assert (cortada.estado, cortada.motivo) == (ILEGIBLE, "la imagen está dañada o incompleta")

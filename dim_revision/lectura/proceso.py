"""The OCR engine in a process of its own (issue 19): a `Motor` that forwards each page to a child.

Why: onnxruntime's working set (models, per-page buffers, fragmented arenas) is hundreds of MB
that the window never gets back; a crash inside the engine (a native library, memory) must not
take the window with it; and the OCR's CPU work must not hold the window's GIL.

One child, started lazily on the first page (multiprocessing "spawn": the same on Linux and on
Windows, no forked copy of the window's threads or Qt state; the frozen build calls
`multiprocessing.freeze_support()` in `dim_revision/__main__.py`). A page travels as raw RGB
bytes, a photo as its file (decoded in the child: `leer_archivo`); the answer is a `Pagina`. A
child that dies (crash, kill, out of memory) fails that page with `MotorCaido` (the `Lector`
turns it into an `ilegible` reading) and the next page starts a new child; `cancelar()` (the `Lector`'s time budget ran out) kills the busy child; `cerrar()` (the
app quitting) ends it and waits for it: no orphan process is left.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
import time
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from PIL import Image

from dim_revision.lectura.hijo import ARCHIVO, ILEGIBLE, LISTO, servir
from dim_revision.lectura.modelo import Pagina
from dim_revision.lectura.motor import MOTOR, MotorCaido, MotorNoDisponible, version_motor
from dim_revision.lectura.paginas import Ilegible

ARRANQUE = 120.0  # s: spawn, imports, models on a slow PC (the Lector's budget ends first)
CERRADO = "el motor de lectura se cerró"
CAIDO = "el motor de lectura se detuvo"
_POLL = 0.25


class MotorEnProceso:
    nombre = MOTOR

    def __init__(self, hilos: int = 1, *, arranque: float = ARRANQUE) -> None:
        self._hilos = hilos
        self._arranque = arranque
        self._ctx = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()  # guards the fields below (short holds only)
        self._uso = threading.Lock()  # one page at a time through the pipe
        self._proc: BaseProcess | None = None
        self._conn: Connection | None = None
        self._leyendo = False
        self._cerrado = False
        self._sin_motor: str | None = None
        self.arranques = 0  # children started (tests, the benchmark)
        self.paginas = 0  # pages read by any child
        self.en_pagina = threading.Event()  # a page is in the child's hands (tests)

    def version(self) -> str:
        return version_motor()

    @property
    def pid(self) -> int | None:
        """The running child's process id, or None."""
        proc = self._proc
        return proc.pid if proc is not None and proc.is_alive() else None

    def leer(self, imagen: Image.Image) -> Pagina:
        rgb = imagen if imagen.mode == "RGB" else imagen.convert("RGB")
        return self._pedir((rgb.mode, rgb.width, rgb.height), rgb.tobytes())

    def leer_archivo(self, archivo: bytes, lado: int) -> Pagina:
        """A photo's file, decoded (EXIF, at most `lado` px) and read in the child: the window
        spends neither the decode's CPU (~110 ms a 12 MP photo) nor its buffers. Ilegible when
        its pixels do not decode."""
        return self._pedir((ARCHIVO, lado), archivo)

    def _pedir(self, pedido: tuple[Any, ...], datos: bytes) -> Pagina:
        with self._uso:
            conn, proc = self._hijo()
            try:
                conn.send(pedido)
                conn.send_bytes(datos)
                self.en_pagina.set()
                tipo, valor = _esperar(conn, proc, None)
            except (EOFError, OSError, TimeoutError) as exc:
                self._descartar(proc, conn)
                raise MotorCaido(CAIDO) from exc
            finally:
                self.en_pagina.clear()
                with self._lock:
                    self._leyendo = False
        if tipo == ILEGIBLE:
            raise Ilegible(str(valor))
        if tipo != "ok":
            raise RuntimeError(f"el motor de lectura falló: {valor}")
        self.paginas += 1
        if not isinstance(valor, Pagina):
            raise RuntimeError("el motor de lectura respondió algo inesperado")
        return valor

    def cancelar(self) -> None:
        """Stop the page being read (the caller's time ran out): the busy child is killed."""
        with self._lock:
            proc = self._proc if self._leyendo else None
        if proc is not None:
            _matar(proc)

    def cerrar(self) -> None:
        """End the child and wait for it; later pages raise `MotorNoDisponible`."""
        with self._lock:
            self._cerrado = True
            proc, conn, leyendo = self._proc, self._conn, self._leyendo
            self._proc = self._conn = None
        if proc is None:
            return
        if not leyendo and conn is not None:  # idle: ask it to leave
            with contextlib.suppress(OSError, ValueError):
                conn.send(None)
            proc.join(1.0)
        _matar(proc)
        if not leyendo and conn is not None:  # else the reading thread closes its own end
            conn.close()

    # --- the child ----------------------------------------------------------------------------

    def _hijo(self) -> tuple[Connection, BaseProcess]:
        """The running child (started if needed and ready); marks a page in progress."""
        with self._lock:
            if self._cerrado:
                raise MotorNoDisponible(CERRADO)
            if self._sin_motor is not None:
                raise MotorNoDisponible(self._sin_motor)
            proc, conn = self._proc, self._conn
            if proc is not None and conn is not None and proc.is_alive():
                self._leyendo = True
                return conn, proc
            viejo = (proc, conn)
            padre, hijo = self._ctx.Pipe(duplex=True)
            proc = self._ctx.Process(
                target=servir, args=(hijo, self._hilos), name="dim-revision-lectura", daemon=True
            )
            proc.start()
            hijo.close()  # only the child holds its end: its death reads as EOF here
            self._proc, self._conn, self._leyendo = proc, padre, True
            self.arranques += 1
        if viejo[0] is not None:  # died while idle (killed, crashed): reap it
            _matar(viejo[0])
        if viejo[1] is not None:
            viejo[1].close()
        try:
            tipo, valor = _esperar(padre, proc, time.monotonic() + self._arranque)
        except (EOFError, OSError, TimeoutError) as exc:
            self._descartar(proc, padre)
            raise MotorCaido(CAIDO) from exc
        if tipo != LISTO:
            self._sin_motor = str(valor)
            self._descartar(proc, padre)
            raise MotorNoDisponible(self._sin_motor)
        return padre, proc

    def _descartar(self, proc: BaseProcess, conn: Connection) -> None:
        with self._lock:
            if self._proc is proc:
                self._proc = self._conn = None
            self._leyendo = False
        _matar(proc)
        conn.close()


def _esperar(conn: Connection, proc: BaseProcess, hasta: float | None) -> Any:
    """The child's next message; EOFError when it died, TimeoutError past `hasta`."""
    while not conn.poll(_POLL):
        if not proc.is_alive():
            raise EOFError("el proceso de lectura terminó")
        if hasta is not None and time.monotonic() > hasta:
            raise TimeoutError("el proceso de lectura no arrancó a tiempo")
    return conn.recv()


def _matar(proc: BaseProcess) -> None:
    """Kill (if still running) and reap: no zombie, no orphan."""
    if proc.is_alive():
        with contextlib.suppress(OSError):
            proc.kill()
    proc.join(5.0)

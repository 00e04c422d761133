"""Read one file within a budget, on one low-priority thread, never raising.

`Lector.leer` runs the work on its own single worker thread (niced on Linux: the GUI and the
picker keep the CPU) and waits at most `timeout` seconds; pages not reached by then are skipped
and the reading is `agotada` (an engine in a child process, `proceso.MotorEnProceso`, is told to
stop that page). A file that cannot be decoded is `ilegible`, and so is a reading whose engine
process died; a page without any confident line counts as nothing found. An engine that cannot
start gives no verdict (nothing is stored; the file is read later). Every outcome is a
`Lectura`, never an exception.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from dim_revision.lectura.modelo import AGOTADA, ILEGIBLE, LEIDA, SIN_TEXTO, Lectura, Pagina
from dim_revision.lectura.motor import Motor, MotorCaido, MotorNoDisponible
from dim_revision.lectura.paginas import LADO_MAXIMO, Ilegible, hojas
from dim_revision.memoria import devolver_libre

log = logging.getLogger(__name__)

PRIORIDAD = 10  # nice value added to the reading thread (Linux); Windows keeps normal priority
CERRADA = "la lectura se cerró"
CAIDA = "el motor de lectura se detuvo en medio de la lectura"
MIN_LETRAS = 12  # fewer letters on every page together: nothing found


class Lector:
    def __init__(self, motor: Motor, *, timeout: float = 20.0, lado: int = LADO_MAXIMO) -> None:
        self.motor = motor
        self.timeout = timeout
        self.lado = lado
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._cerrado = threading.Event()

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    1, thread_name_prefix="lectura", initializer=_bajar_prioridad
                )
            return self._pool

    def cerrar(self) -> None:
        """Stop taking work and release any caller waiting for a reading (it gets `agotada`);
        an engine with a process of its own ends it."""
        self._cerrado.set()
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        self._motor_hace("cerrar")

    def _motor_hace(self, que: str) -> None:
        """Call the engine's optional `cerrar` / `cancelar` (engines in this process have none)."""
        metodo = getattr(self.motor, que, None)
        if callable(metodo):
            try:
                metodo()
            except Exception:
                log.warning("El motor de lectura no pudo %s", que, exc_info=True)

    def leer(self, data: bytes) -> Lectura:
        if self._cerrado.is_set():
            return Lectura(AGOTADA, self.motor.nombre, "", (), 0.0, CERRADA, {"cerrada": True})
        inicio = time.monotonic()
        limite = inicio + self.timeout
        cancelado = threading.Event()
        futuro: Future[Lectura] = self._executor().submit(self._leer, data, limite, cancelado)
        try:
            while True:  # short waits: `cerrar()` (the app quitting) releases the caller at once
                try:
                    return futuro.result(timeout=0.2)
                except FutureTimeout:
                    if self._cerrado.is_set() or time.monotonic() > limite + 1.0:
                        raise
        except FutureTimeout:
            cancelado.set()
            self._motor_hace("cancelar")
            if self._cerrado.is_set():  # not the file's fault: nobody stores this one
                return Lectura(AGOTADA, self.motor.nombre, "", (), 0.0, CERRADA, {"cerrada": True})
            return Lectura(
                AGOTADA,
                self.motor.nombre,
                self.motor.version(),
                (),
                self.timeout,
                "se agotó el tiempo de lectura",
            )
        except MotorNoDisponible as exc:  # not the file's fault: nobody stores this one
            segundos = time.monotonic() - inicio
            return Lectura(
                AGOTADA, self.motor.nombre, "", (), segundos, str(exc), {"cerrada": True}
            )
        except MotorCaido:
            log.warning("El proceso de lectura terminó en medio de una lectura")
            segundos = time.monotonic() - inicio
            return Lectura(ILEGIBLE, self.motor.nombre, self.motor.version(), (), segundos, CAIDA)
        except Exception as exc:  # an engine bug must not reach the operator
            log.warning("Lectura fallida: %s", exc, exc_info=True)
            return Lectura(
                ILEGIBLE,
                self.motor.nombre,
                self.motor.version(),
                (),
                time.monotonic() - inicio,
                "el motor de lectura falló",
            )

    def _leer(self, data: bytes, limite: float, cancelado: threading.Event) -> Lectura:
        try:
            return self._leer_hojas(data, limite, cancelado)
        finally:  # the engine's buffers (tens of MB a page) go back to the system, not the heap
            devolver_libre()

    def _leer_hojas(self, data: bytes, limite: float, cancelado: threading.Event) -> Lectura:
        inicio = time.monotonic()
        version = self.motor.version()
        leer_archivo = getattr(self.motor, "leer_archivo", None)  # decodes where it reads
        try:
            paginas = hojas(data, self.lado, decodificar=leer_archivo is None)
        except Ilegible as exc:
            return Lectura(ILEGIBLE, "", "", (), time.monotonic() - inicio, str(exc))
        leidas: list[Pagina] = []
        motores: set[str] = set()
        agotada = False
        for hoja in paginas:
            if cancelado.is_set() or time.monotonic() > limite:
                agotada = True
                break
            if hoja.texto is not None:
                leidas.append(hoja.texto)
                motores.add("pdf-texto")
            elif hoja.imagen is not None:
                leidas.append(self.motor.leer(hoja.imagen))
                motores.add(self.motor.nombre)
            elif hoja.archivo is not None and leer_archivo is not None:
                try:
                    leidas.append(leer_archivo(hoja.archivo, self.lado))
                except Ilegible as exc:  # the pixels did not decode (a cut-off file)
                    return Lectura(ILEGIBLE, "", "", (), time.monotonic() - inicio, str(exc))
                motores.add(self.motor.nombre)
            else:
                leidas.append(Pagina(0, 0, ()))
        segundos = time.monotonic() - inicio
        motor = "+".join(sorted(motores))
        if not motores - {"pdf-texto"}:
            version = "pypdf" if motores else ""
        letras = sum(ch.isalpha() for p in leidas for ln in p.lineas for ch in ln.texto)
        if agotada and not letras:
            return Lectura(
                AGOTADA, motor, version, tuple(leidas), segundos, "se agotó el tiempo de lectura"
            )
        estado = LEIDA if letras >= MIN_LETRAS else SIN_TEXTO
        return Lectura(estado, motor, version, tuple(leidas), segundos)


def _bajar_prioridad() -> None:
    """Lower this thread's CPU priority (Linux: per-thread nice). Best effort."""
    if hasattr(os, "setpriority") and hasattr(threading, "get_native_id"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), PRIORIDAD)

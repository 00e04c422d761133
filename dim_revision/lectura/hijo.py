"""The order reader's own process (issue 19): one `RapidOcr`, pages in, `Pagina`s out, by pipe.

Started by `proceso.MotorEnProceso` with multiprocessing's "spawn" context. The child lowers its
own priority (nice on Linux, BELOW_NORMAL on Windows), caps glibc's malloc arenas, loads the
models and says so (`LISTO`, or `SIN_MOTOR` with the reason). Then, per page: a header
`(mode, width, height)` and the raw pixels as bytes, or `("archivo", lado)` and a photo's file
(decoded here, at most `lado` px: the window never decodes it twice) → `("ok", Pagina)`,
`("ilegible", reason)` or `("error", text)`, and free heap pages go back to the system. It ends on `None` or when the pipe closes (the
window quit or died): never an orphan left reading.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

from dim_revision.lectura.paginas import Ilegible

LISTO = "listo"
SIN_MOTOR = "sin_motor"
ILEGIBLE = "ilegible"
ARCHIVO = "archivo"  # a photo's file to decode here: ("archivo", lado), then its bytes
PRIORIDAD = 10  # nice value (Linux), as the reading thread's; Windows: BELOW_NORMAL
_BELOW_NORMAL = 0x00004000


def bajar_prioridad() -> None:
    """This whole process at a lower CPU priority than the window. Best effort."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), _BELOW_NORMAL)
    elif hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            actual = os.nice(0)  # inherited from the niced reading thread that started it
            if actual < PRIORIDAD:
                os.nice(PRIORIDAD - actual)


def servir(conn: Any, hilos: int) -> None:
    """The child's main loop (the target of the spawned process)."""
    from dim_revision.memoria import devolver_libre, limitar_arenas

    bajar_prioridad()
    limitar_arenas(mmap_desde=None)  # see memoria.limitar_arenas; trimmed after every page
    try:
        from dim_revision.lectura.motor import RapidOcr

        motor = RapidOcr(hilos)
        motor.cargar()
    except Exception as exc:  # onnxruntime's DLL, a model file missing in the bundle…
        with contextlib.suppress(OSError):
            conn.send((SIN_MOTOR, f"el motor de lectura no arrancó ({type(exc).__name__}: {exc})"))
        return
    try:
        conn.send((LISTO, os.getpid()))
        while True:
            pedido = conn.recv()
            if pedido is None:
                return
            datos = conn.recv_bytes()
            try:
                respuesta: tuple[str, Any] = ("ok", _leer(motor, pedido, datos))
            except Ilegible as exc:
                respuesta = (ILEGIBLE, str(exc))
            except Exception as exc:  # this page's failure; the child stays up
                respuesta = ("error", f"{type(exc).__name__}: {exc}")
            del datos
            devolver_libre()
            conn.send(respuesta)
    except (EOFError, OSError):  # the window closed its end: nothing left to read for
        return


def _leer(motor: Any, pedido: tuple[Any, ...], datos: bytes) -> Any:
    from PIL import Image

    from dim_revision.lectura.paginas import imagen_de

    if pedido[0] == ARCHIVO:
        imagen = imagen_de(datos, int(pedido[1]))
        if imagen is None:  # too small to hold an order (the window checked the header)
            from dim_revision.lectura.modelo import Pagina

            return Pagina(0, 0, ())
    else:
        modo, ancho, alto = pedido
        imagen = Image.frombytes(modo, (ancho, alto), datos)
    return motor.leer(imagen)

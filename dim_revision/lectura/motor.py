"""The OCR engine: rapidocr-onnxruntime (PP-OCRv4 detection + recognition and the 0°/180° line
classifier, ONNX models inside the wheel, CPU only, one thread). Chosen over Tesseract on the
demo's pages: see README ("Dependencias") and docs/performance.md.

The pipeline is driven step by step (detect → crop → classify → recognise) so the classifier's
votes come back too: they say whether the page is upside down, and tall boxes say it is sideways
(then the page is turned and read again). The result's boxes are in the upright page's pixels.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import threading
from collections.abc import Sequence
from importlib import metadata
from typing import Any, Protocol

from PIL import Image

from dim_revision.lectura.modelo import Caja, Linea, Pagina

log = logging.getLogger(__name__)

MOTOR = "rapidocr"
CONFIANZA_MINIMA = 0.5
_ALTA = 1.5  # a detected box this many times taller than wide is text running up or down


class Motor(Protocol):
    nombre: str

    def version(self) -> str: ...

    def leer(self, imagen: Image.Image) -> Pagina: ...


class MotorCaido(Exception):
    """The engine's process ended during a page (crashed, killed, out of memory)."""


class MotorNoDisponible(Exception):
    """The engine could not start: not the file's fault, so no verdict is stored for it."""


def instalado() -> str | None:
    """None if the engine's packages are installed, else the Spanish reason; nothing imported
    (the window must not load onnxruntime when the reading runs in a process of its own)."""
    for nombre in ("rapidocr_onnxruntime", "onnxruntime"):
        try:
            encontrado = importlib.util.find_spec(nombre) is not None
        except (ImportError, ValueError):
            encontrado = False
        if not encontrado:
            return f"el motor de lectura no está instalado (falta {nombre})"
    return None


@functools.cache
def version_motor() -> str:
    try:
        v = metadata.version("rapidocr-onnxruntime")
    except metadata.PackageNotFoundError:
        v = "?"
    return f"rapidocr-onnxruntime {v} (PP-OCRv4 det/rec, ppocr-mobile-v2 cls)"


def disponible() -> str | None:
    """None if the engine can be imported, else the Spanish reason."""
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except Exception as exc:  # ImportError, or onnxruntime failing to load its DLL
        return f"el motor de lectura no está instalado ({type(exc).__name__}: {exc})"
    return None


class RapidOcr:
    """One engine per process, loaded on first use (≈ 1 s), used from one thread at a time."""

    nombre = MOTOR

    def __init__(self, hilos: int = 1) -> None:
        self._hilos = hilos
        self._engine: Any = None
        self._lock = threading.Lock()

    def version(self) -> str:
        return version_motor()

    def _cargar(self) -> Any:
        if self._engine is None:
            from rapidocr_onnxruntime import RapidOCR

            logging.getLogger("RapidOCR").setLevel(logging.WARNING)
            self._engine = RapidOCR(
                intra_op_num_threads=self._hilos, inter_op_num_threads=self._hilos
            )
        return self._engine

    def cargar(self) -> None:
        """Load the models now (the child process does it before saying it is ready)."""
        with self._lock:
            self._cargar()

    def leer(self, imagen: Image.Image) -> Pagina:
        with self._lock:
            eng = self._cargar()
            lineas, altas, vuelta = _pasada(eng, imagen)
            if altas > 0.5:  # sideways: turn the page so its lines run left to right, read again
                giro = 90 if vuelta > 0.5 else 270  # see _pasada: crops were turned 90° CCW
                girada = imagen.rotate(-giro, expand=True)
                lineas, _, vuelta = _pasada(eng, girada)
                base, w, h = giro, girada.width, girada.height
            else:
                base, w, h = 0, imagen.width, imagen.height
            if vuelta > 0.5:  # upside down: every line was flipped by the classifier
                lineas = [_volcar(ln, w, h) for ln in lineas]
                lineas.sort(key=lambda ln: (ln.caja[1], ln.caja[0]))
                base = (base + 180) % 360
            return Pagina(w, h, tuple(lineas), base, "ocr")


def _pasada(eng: Any, imagen: Image.Image) -> tuple[list[Linea], float, float]:
    """Lines, share of tall boxes, share of lines the classifier turned 180°."""
    import numpy as np

    arr = np.asarray(imagen.convert("RGB"))[:, :, ::-1].copy()  # BGR, as OpenCV reads
    raw_h, raw_w = arr.shape[:2]
    img, ratio_h, ratio_w = eng.preprocess(arr)
    record: dict[str, Any] = {"preprocess": {"ratio_h": ratio_h, "ratio_w": ratio_w}}
    img, record = eng.maybe_add_letterbox(img, record)
    boxes, _ = eng.auto_text_det(img)
    if boxes is None or len(boxes) == 0:
        return [], 0.0, 0.0
    crops = eng.get_crop_img_list(img, boxes)
    altas = sum(1 for b in boxes if _alto(b) >= _ALTA * _ancho(b)) / len(boxes)
    crops, cls_res, _ = eng.text_cls(crops)
    rec_res, _ = eng.text_rec(crops, False)
    puntos = eng._get_origin_points(boxes, record, raw_h, raw_w)
    lineas: list[Linea] = []
    giradas = 0
    for box, cls, rec in zip(puntos, cls_res, rec_res, strict=False):
        texto, score = str(rec[0]).strip(), float(rec[1])
        if not texto or score < CONFIANZA_MINIMA:
            continue
        if str(cls[0]) == "180" and float(cls[1]) >= 0.9:
            giradas += 1
        xs, ys = [float(p[0]) for p in box], [float(p[1]) for p in box]
        caja: Caja = (round(min(xs)), round(min(ys)), round(max(xs)), round(max(ys)))
        lineas.append(Linea(texto, round(score, 3), caja))
    return lineas, altas, giradas / max(1, len(lineas))


def _alto(box: Sequence[Sequence[float]]) -> float:
    return float(max(p[1] for p in box) - min(p[1] for p in box))


def _ancho(box: Sequence[Sequence[float]]) -> float:
    return float(max(p[0] for p in box) - min(p[0] for p in box))


def _volcar(ln: Linea, w: int, h: int) -> Linea:
    x0, y0, x1, y1 = ln.caja
    return Linea(ln.texto, ln.confianza, (w - x1, h - y1, w - x0, h - y0))

"""Render the planned files on a few threads, yielding them in plan order.

Pillow releases the GIL while warping and encoding, so threads use both cores without the
start-up cost and packaging caveats of processes. Each file has its own seed, so the bytes do not
depend on which thread drew them. At most a small window of files is in memory at once.
"""

from __future__ import annotations

import hashlib
import os
import random
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from dim_revision.demo import camera
from dim_revision.demo.fonts import FontBook
from dim_revision.demo.orders import ELECTRONICA, MANUSCRITA, PAGE, PageRenderer
from dim_revision.demo.plan import Archivo
from dim_revision.demo.receta_pdf import receta_pdf
from dim_revision.demo.textures import Texturas

MIME = {camera.PDF: "application/pdf", camera.PNG: "image/png"}


@dataclass(frozen=True)
class ArchivoListo:
    nombre: str
    mime: str
    contenido: bytes
    sha256: str
    paginas: int | None


class Taller:
    """Shared backgrounds plus one page renderer (with its own fonts) per thread."""

    def __init__(self, fuentes: Mapping[str, Sequence[str]] | None = None) -> None:
        self.texturas = Texturas()
        self._fuentes = fuentes  # tests pass {} to render on a machine without fonts
        self._local = threading.local()

    def _renderer(self) -> PageRenderer:
        renderer: PageRenderer | None = getattr(self._local, "renderer", None)
        if renderer is None:
            renderer = PageRenderer(FontBook(self._fuentes))
            self._local.renderer = renderer
        return renderer

    def render(self, archivo: Archivo) -> ArchivoListo:
        rng = random.Random(archivo.seed)
        renderer = self._renderer()
        forma = archivo.toma.forma
        escala = 1.0 if forma in (camera.PDF, camera.PNG) else camera.escala_pagina(archivo.toma)
        variante = archivo.papel if escala < 1 else archivo.papel % 2  # bounds the texture cache
        papel = self.texturas.papel((round(PAGE[0] * escala), round(PAGE[1] * escala)), variante)
        paginas = [renderer.render(o, papel, rng) for o in archivo.paginas]
        n_paginas: int | None = None
        if forma == camera.PDF and _con_texto(archivo):
            data = receta_pdf(archivo.paginas)  # exported by the doctor's system: a text layer
            n_paginas = len(archivo.paginas)
        elif forma == camera.PDF:
            hojas = [
                camera.escaneo(p, o.tipo == MANUSCRITA)
                for p, o in zip(paginas, archivo.paginas, strict=True)
            ]
            data = camera.pdf(hojas, archivo.toma, "Orden médica")
            n_paginas = len(hojas)
        elif forma == camera.PNG:
            data = camera.png(camera.escaneo(paginas[0], archivo.paginas[0].tipo == MANUSCRITA))
        else:
            data = camera.foto(paginas[0], archivo.toma, self.texturas, rng)
        return ArchivoListo(
            archivo.nombre,
            MIME.get(forma, "image/jpeg"),
            data,
            hashlib.sha256(data).hexdigest(),
            n_paginas,
        )


def _con_texto(archivo: Archivo) -> bool:
    """Half of the PDFs made only of electronic prescriptions come straight from the doctor's
    system (own generator: every other file of the demo keeps its bytes)."""
    electronicas = all(o.tipo == ELECTRONICA for o in archivo.paginas)
    return electronicas and random.Random(f"texto:{archivo.seed}").random() < 0.5


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def render_all(archivos: Iterable[Archivo], taller: Taller, workers: int) -> Iterator[ArchivoListo]:
    """Files in the order given; keeps at most 2 × workers renders in flight."""
    if workers <= 1:
        for archivo in archivos:
            yield taller.render(archivo)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="demo-render") as pool:
        pendientes: deque[Future[ArchivoListo]] = deque()
        for archivo in archivos:
            pendientes.append(pool.submit(taller.render, archivo))
            if len(pendientes) >= 2 * workers:
                yield pendientes.popleft().result()
        while pendientes:
            yield pendientes.popleft().result()

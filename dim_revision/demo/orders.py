"""Draw one medical order as a flat page: letterhead, patient, "Solicito:" in handwriting, signature, stamp.

Three kinds of page: the classic handwritten recetario, a typed electronic prescription (with a
barcode), and the insurer's authorization form that patients often scan along with the order.
Layout is in A4-at-150-dpi units; the page is drawn directly at the scale of the paper it is given
(so a photo never has to resample it), and `camera.py` turns it into the uploaded file.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date

from PIL import Image, ImageDraw

from dim_revision.demo.fonts import MANOS, Font, FontBook
from dim_revision.demo.medicos import Medico

PAGE = (1240, 1754)
MARGEN = 96
GRIS = (70, 70, 70)
NEGRO = (20, 20, 20)

MANUSCRITA = "manuscrita"
ELECTRONICA = "electronica"
AUTORIZACION = "autorizacion"

Color = tuple[int, int, int]
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Orden:
    """What one page says."""

    tipo: str  # MANUSCRITA / ELECTRONICA / AUTORIZACION
    medico: Medico
    fecha: date
    paciente: str  # "Pérez, Ana"
    dni: str
    cobertura: str  # "OSDE 310" / "Particular"
    afiliado: str | None
    estudios: tuple[str, ...]  # as written (prose); "código nombre" on an authorization
    diagnostico: str
    codigo: str  # electronic prescription / authorization number
    emisor: str = ""  # the insurer heading an authorization
    # Ground truth for the reader's benchmark (issue 15): catalog indexes this page asks for,
    # and whether it names somebody else than the patient who uploaded it.
    pide: tuple[int, ...] = ()
    de_otra_persona: bool = False


def dni_con_puntos(dni: str) -> str:
    return f"{int(dni):,}".replace(",", ".") if dni.isdigit() else dni


class Lienzo:
    """ImageDraw in page units: coordinates, widths and font sizes are scaled on the way in."""

    def __init__(
        self,
        img: Image.Image,
        fonts: FontBook,
        escala: float | None = None,
        impresos: dict[tuple[str, str, int], tuple[Image.Image, int, int]] | None = None,
    ) -> None:
        self.img = img
        self.d = ImageDraw.Draw(img)
        self.fonts = fonts
        self.e = escala or img.width / PAGE[0]
        self._impresos = {} if impresos is None else impresos

    def font(self, role: str, size: float) -> Font:
        return self.fonts.get(role, max(6, round(size * self.e)))

    def largo(self, texto: str, role: str, size: float) -> float:
        return float(self.font(role, size).getlength(texto)) / self.e

    def text(
        self,
        xy: tuple[float, float],
        texto: str,
        role: str,
        size: float,
        fill: Color | int,
        fijo: bool = False,
    ) -> None:
        """`fijo` marks printed text that repeats across pages (letterheads, labels): its glyphs
        are rasterised once and stamped with `paste`, which, unlike FreeType, frees the GIL."""
        x, y = xy[0] * self.e, xy[1] * self.e
        font = self.font(role, size)
        if not fijo or self.img.mode != "RGB":
            self.d.text((x, y), texto, font=font, fill=fill)
            return
        key = (texto, role, max(6, round(size * self.e)))
        impreso = self._impresos.get(key)
        if impreso is None:
            left, top, right, bottom = (int(v) for v in font.getbbox(texto))
            mask = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
            ImageDraw.Draw(mask).text((-left, -top), texto, font=font, fill=255)
            impreso = self._impresos[key] = (mask, left, top)
        mask, left, top = impreso
        ox, oy = round(x) + left, round(y) + top
        self.img.paste(fill, (ox, oy, ox + mask.width, oy + mask.height), mask)

    def _w(self, width: float) -> int:
        return max(1, round(width * self.e))

    def _box(self, box: Box) -> Box:
        return (box[0] * self.e, box[1] * self.e, box[2] * self.e, box[3] * self.e)

    def line(
        self,
        puntos: list[tuple[float, float]],
        fill: Color | int,
        width: float,
        curve: bool = False,
    ) -> None:
        scaled = [(x * self.e, y * self.e) for x, y in puntos]
        self.d.line(scaled, fill=fill, width=self._w(width), joint="curve" if curve else None)

    def rectangle(
        self,
        box: Box,
        fill: Color | int | None = None,
        outline: Color | int | None = None,
        width: float = 1,
    ) -> None:
        self.d.rectangle(self._box(box), fill=fill, outline=outline, width=self._w(width))

    def rounded(self, box: Box, radius: float, outline: Color | int, width: float) -> None:
        self.d.rounded_rectangle(
            self._box(box), radius=radius * self.e, outline=outline, width=self._w(width)
        )

    def ellipse(self, box: Box, outline: Color, width: float) -> None:
        self.d.ellipse(self._box(box), outline=outline, width=self._w(width))


class PageRenderer:
    """Draws pages on a given paper; one per thread (it owns a FontBook)."""

    def __init__(self, fonts: FontBook) -> None:
        self.fonts = fonts
        self._impresos: dict[tuple[str, str, int], tuple[Image.Image, int, int]] = {}

    def render(self, orden: Orden, papel: Image.Image, rng: random.Random) -> Image.Image:
        c = Lienzo(papel.copy(), self.fonts, impresos=self._impresos)
        if orden.tipo == AUTORIZACION:
            _autorizacion(c, orden, rng)
            return c.img
        y = _membrete(c, orden.medico, rng)
        if orden.tipo == ELECTRONICA:
            _electronica(c, orden, y, rng)
        else:
            _manuscrita(c, orden, y, rng)
        return c.img


def _membrete(c: Lienzo, m: Medico, rng: random.Random) -> float:
    consultorio = rng.random() < 0.3  # private practice: the doctor's name is the letterhead
    lineas: list[tuple[str, str, float, Color]] = (
        [
            (m.nombre, "titulo", 46, m.color),
            (m.especialidad.upper(), "texto", 24, GRIS),
            (m.matricula, "texto", 24, GRIS),
        ]
        if consultorio
        else [
            (m.clinica, "titulo", 46, m.color),
            (m.nombre, "serif", 34, GRIS),
            (m.especialidad, "texto", 24, GRIS),
        ]
    )
    lineas.append((f"{m.direccion}  ·  {m.telefono}", "texto", 21, GRIS))
    centrado = rng.random() < 0.5
    if not centrado:  # logo on the left: a cross in a circle
        cx, cy, r = MARGEN + 52, 140, 52
        c.ellipse((cx - r, cy - r, cx + r, cy + r), m.color, 6)
        c.rectangle((cx - 10, cy - 34, cx + 10, cy + 34), fill=m.color)
        c.rectangle((cx - 34, cy - 10, cx + 34, cy + 10), fill=m.color)
    y: float = 80
    for texto, role, size, color in lineas:
        x = (PAGE[0] - c.largo(texto, role, size)) / 2 if centrado else MARGEN + 140
        c.text((x, y), texto, role, size, color, fijo=True)
        y += size * 1.45
    y += 10
    c.line([(MARGEN, y), (PAGE[0] - MARGEN, y)], m.color, 4)
    return y + 40


def _mano(
    c: Lienzo,
    xy: tuple[float, float],
    texto: str,
    m: Medico,
    rng: random.Random,
    size: float = 40,
    ancho: float | None = None,
) -> float:
    """Handwriting: words drift off the baseline and spacing varies; returns the next line's y."""
    role = MANOS[m.mano]
    size += rng.randint(-2, 2)
    x0, y = xy
    ancho = ancho or PAGE[0] - MARGEN - x0
    pendiente = rng.uniform(-0.025, 0.02)
    espacio = c.largo(" ", role, size)
    x = x0
    alto = size * 1.5
    palabras = texto.split()
    # Two words per stroke: enough wobble to look handwritten, half the glyph-rendering calls.
    trazos = [" ".join(palabras[i : i + 2]) for i in range(0, len(palabras), 2)]
    for trazo in trazos:
        largo = c.largo(trazo, role, size)
        if x > x0 and x + largo > x0 + ancho:
            x, y = x0 + rng.uniform(-4, 10), y + alto
        dy = pendiente * (x - x0) + rng.uniform(-2.5, 2.5)
        c.text((x, y + dy), trazo, role, size, m.tinta)
        x += largo + espacio * rng.uniform(0.9, 1.7)
    return y + alto


def _etiqueta(c: Lienzo, xy: tuple[float, float], texto: str) -> float:
    c.text(xy, texto, "texto", 26, GRIS, fijo=True)
    return xy[0] + c.largo(texto, "texto", 26) + 14


def _manuscrita(c: Lienzo, o: Orden, y: float, rng: random.Random) -> None:
    m = o.medico
    fecha = o.fecha.strftime(rng.choice(("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y")))
    x = _etiqueta(c, (PAGE[0] - MARGEN - 360, y), "Fecha:")
    _mano(c, (x, y - 10), fecha, m, rng, 38)
    y += 70
    x = _etiqueta(c, (MARGEN, y), "Paciente:")
    _mano(c, (x, y - 10), o.paciente, m, rng, 40)
    y += 70
    x = _etiqueta(c, (MARGEN, y), "DNI:")
    _mano(c, (x, y - 10), rng.choice((o.dni, dni_con_puntos(o.dni))), m, rng, 38)
    x = _etiqueta(c, (PAGE[0] / 2, y), "Obra social:")
    _mano(c, (x, y - 10), o.cobertura, m, rng, 38)
    y += 70
    if o.afiliado:
        x = _etiqueta(c, (MARGEN, y), "Nº de afiliado:")
        _mano(c, (x, y - 10), o.afiliado, m, rng, 36)
    y += 100
    if rng.random() < 0.6:
        c.text((MARGEN, y), "Rp/", "serif", 60, GRIS, fijo=True)
        y += 90
    else:
        y = _mano(c, (MARGEN, y), "Solicito:", m, rng, 42) + 10
    for estudio in o.estudios:
        y = _mano(c, (MARGEN + 60, y), estudio, m, rng, 44, PAGE[0] - 2 * MARGEN - 80) + 16
    _mano(c, (MARGEN + 60, y + 40), o.diagnostico, m, rng, 40, PAGE[0] - 2 * MARGEN - 80)
    _firma_y_sello(c, m, rng, PAGE[1] - 520)


def _electronica(c: Lienzo, o: Orden, y: float, rng: random.Random) -> None:
    m = o.medico
    c.rectangle((MARGEN, y, PAGE[0] - MARGEN, y + 56), fill=(226, 230, 236))
    c.text(
        (MARGEN + 20, y + 12),
        "ORDEN DE PRÁCTICAS - RECETA ELECTRÓNICA",
        "titulo",
        28,
        (30, 30, 30),
        fijo=True,
    )
    y += 96
    for etiqueta, valor in (
        ("Fecha de emisión:", o.fecha.strftime("%d/%m/%Y")),
        ("Paciente:", o.paciente.upper()),
        ("DNI:", dni_con_puntos(o.dni)),
        ("Cobertura:", o.cobertura),
        ("Nº de afiliado:", o.afiliado or "-"),
    ):
        c.text((MARGEN, y), etiqueta, "titulo", 28, (30, 30, 30), fijo=True)
        c.text((MARGEN + 320, y), valor, "texto", 28, NEGRO)
        y += 48
    c.text((MARGEN, y + 40), "Prescripción:", "titulo", 28, (30, 30, 30), fijo=True)
    y += 100
    for i, estudio in enumerate(o.estudios, start=1):
        c.text((MARGEN + 30, y), f"{i}) {estudio.upper()}", "texto", 28, (10, 10, 10))
        y += 52
    c.text((MARGEN, y + 30), o.diagnostico, "texto", 28, NEGRO)
    _codigo_de_barras(c, (MARGEN, PAGE[1] - 330), rng)
    c.text((MARGEN, PAGE[1] - 230), f"Código de prescripción: {o.codigo}", "mono", 24, NEGRO)
    c.text(
        (MARGEN, PAGE[1] - 150),
        f"Firmado electrónicamente por {m.nombre} - {m.matricula}",
        "texto",
        19,
        GRIS,
        fijo=True,
    )
    c.text(
        (MARGEN, PAGE[1] - 122),
        "Prescripción electrónica (Ley 27.553). Válida por 30 días desde su emisión.",
        "texto",
        19,
        GRIS,
        fijo=True,
    )
    if rng.random() < 0.5:
        _firma_y_sello(c, m, rng, PAGE[1] - 560)


def _autorizacion(c: Lienzo, o: Orden, rng: random.Random) -> None:
    w = PAGE[0]
    azul = (20, 60, 130)
    c.text((MARGEN, 90), (o.emisor or "Obra social").upper(), "titulo", 64, azul, fijo=True)
    titulo = "AUTORIZACIÓN DE PRÁCTICAS AMBULATORIAS"
    c.text((MARGEN, 180), titulo, "titulo", 32, (30, 30, 30), fijo=True)
    c.line([(MARGEN, 240), (w - MARGEN, 240)], azul, 3)
    y: float = 280
    for etiqueta, valor in (
        ("Nº de autorización:", o.codigo),
        ("Fecha:", o.fecha.strftime("%d/%m/%Y")),
        ("Afiliado:", f"{o.paciente.upper()} - DNI {dni_con_puntos(o.dni)}"),
        ("Credencial:", o.afiliado or "-"),
        ("Plan:", o.cobertura),
        ("Prescriptor:", f"{o.medico.nombre} ({o.medico.matricula})"),
    ):
        c.text((MARGEN, y), etiqueta, "texto", 27, GRIS, fijo=True)
        c.text((MARGEN + 300, y), valor, "texto", 27, NEGRO)
        y += 50
    y += 40
    c.rectangle((MARGEN, y, w - MARGEN, y + 50), fill=(230, 232, 236))
    c.text((MARGEN + 16, y + 10), "Código", "titulo", 26, (30, 30, 30), fijo=True)
    c.text((MARGEN + 210, y + 10), "Práctica", "titulo", 26, (30, 30, 30), fijo=True)
    y += 70
    for linea in o.estudios:
        codigo, _, nombre = linea.partition(" ")
        c.text((MARGEN + 16, y), codigo, "mono", 27, NEGRO)
        for parte in _partir(c, nombre, w - 2 * MARGEN - 230):
            c.text((MARGEN + 210, y), parte, "texto", 27, NEGRO)
            y += 42
        y += 16
    c.text((MARGEN, y + 40), "Copago: $0,00     Vigencia: 30 días", "texto", 27, GRIS, fijo=True)
    ancho = c.largo("AUTORIZADA", "titulo", 44) + 60
    x, y = w - MARGEN - ancho - 40 + rng.randint(-10, 10), y + 130
    verde = (30, 130, 70)
    c.rounded((x, y, x + ancho, y + 90), 14, verde, 6)
    c.text((x + 30, y + 18), "AUTORIZADA", "titulo", 44, verde, fijo=True)


def _partir(c: Lienzo, texto: str, ancho: float) -> list[str]:
    lineas: list[str] = []
    actual = ""
    for palabra in texto.split():
        prueba = f"{actual} {palabra}".strip()
        if actual and c.largo(prueba, "texto", 27) > ancho:
            lineas.append(actual)
            actual = palabra
        else:
            actual = prueba
    return [*lineas, actual] if actual else lineas


def _firma_y_sello(c: Lienzo, m: Medico, rng: random.Random, y: float) -> None:
    x = PAGE[0] - MARGEN - 460 + rng.randint(-40, 20)
    _garabato(c, (x, y + rng.randint(0, 40)), m.tinta, rng)
    sello = _sello(c, m).rotate(rng.uniform(-9, 9), Image.Resampling.BILINEAR, expand=True)
    opacidad = rng.uniform(0.55, 0.85)
    sello = sello.point(lambda v: int(v * opacidad))
    donde = (
        round((x - 20 + rng.randint(-20, 30)) * c.e),
        round((y + 110 + rng.randint(-20, 20)) * c.e),
    )
    c.img.paste(m.sello, (*donde, donde[0] + sello.width, donde[1] + sello.height), sello)


def _sello(c: Lienzo, m: Medico) -> Image.Image:
    """The rubber stamp as an ink mask (L), at the page's scale."""
    lineas = ((m.nombre, 32), (m.especialidad.upper(), 22), (m.matricula, 26))
    ancho = max(c.largo(t, "sello", s) for t, s in lineas) + 60
    alto = 150
    mask = Lienzo(Image.new("L", (round(ancho * c.e), round(alto * c.e)), 0), c.fonts, c.e)
    mask.rounded((4, 4, ancho - 5, alto - 5), 18, 255, 4)
    y: float = 18
    for texto, size in lineas:
        mask.text(((ancho - c.largo(texto, "sello", size)) / 2, y), texto, "sello", size, 255)
        y += size + 14
    return mask.img


def _garabato(c: Lienzo, xy: tuple[float, float], tinta: Color, rng: random.Random) -> None:
    """A signature: a fast loopy stroke, bigger at the start, with a flourish underneath."""
    x0, y0 = xy
    ancho = rng.randint(260, 380)
    amps = (rng.uniform(22, 38), rng.uniform(8, 16), rng.uniform(2, 6))
    freqs = (rng.uniform(1.5, 3.5), rng.uniform(5.0, 9.0), rng.uniform(12.0, 18.0))
    fases = [rng.uniform(0, math.tau) for _ in amps]
    lazo, f_lazo = rng.uniform(8, 18), rng.uniform(4.0, 8.0)
    puntos = []
    for i in range(120):
        t = i / 119
        envolvente = 1.4 - t
        x = x0 + t * ancho + lazo * math.cos(f_lazo * math.tau * t + fases[0])
        y = y0 + envolvente * sum(
            a * math.sin(f * math.tau * t + p) for a, f, p in zip(amps, freqs, fases, strict=True)
        )
        puntos.append((x, y))
    c.line(puntos, tinta, 4, curve=True)
    yb = y0 + amps[0] + 24
    c.line(
        [
            (x0 - 10, yb + 8),
            (x0 + ancho * 0.5, yb + rng.uniform(-6, 6)),
            (x0 + ancho + 20, yb - 12),
        ],
        tinta,
        3,
    )


def _codigo_de_barras(c: Lienzo, xy: tuple[float, float], rng: random.Random) -> None:
    x, y = xy
    fin = x + 460
    while x < fin:
        ancho = rng.choice((2, 2, 3, 4, 6))
        c.rectangle((x, y, x + ancho - 1, y + 84), fill=(10, 10, 10))
        x += ancho + rng.choice((2, 3, 4, 5))

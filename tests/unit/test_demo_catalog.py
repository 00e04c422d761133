"""The demo's generated data: a realistic, sensible catalog, messy-but-real patients, renderable orders."""

from __future__ import annotations

import io
import random
import re
from collections import Counter
from datetime import date, datetime

import pytest
from PIL import Image, ImageOps
from pypdf import PdfReader

from dim_revision.clock import LOCAL_TZ, local_today
from dim_revision.demo import camera
from dim_revision.demo.catalog import SEDES, Prestacion, generate_catalog, max_prestaciones
from dim_revision.demo.catalog_data import CANONICAS, MODALIDADES
from dim_revision.demo.fonts import FontBook
from dim_revision.demo.medicos import generate_medicos
from dim_revision.demo.orders import (
    AUTORIZACION,
    ELECTRONICA,
    MANUSCRITA,
    PAGE,
    Orden,
    PageRenderer,
)
from dim_revision.demo.people import FORMATOS_MOVIL, generate_pacientes, obras_sociales
from dim_revision.demo.seed import planificar
from dim_revision.demo.textures import Texturas
from dim_revision.demo.wording import prosa_estudio

HOY = date(2026, 3, 10)


@pytest.fixture(scope="module")
def catalogo() -> list[Prestacion]:
    return generate_catalog(1600, random.Random(2026))


def test_catalog_has_at_least_1500_unique_names_and_codes() -> None:
    for size in (1500, 1600):
        cat = generate_catalog(size, random.Random(7))
        assert len(cat) == size
        assert len({p.nombre for p in cat}) == size
        assert len({p.codigo for p in cat}) == size
        assert all(re.fullmatch(r"\d{2}\.\d{2}\.\d{2}", p.codigo) for p in cat)


def test_catalog_covers_every_modality_with_proper_accents(catalogo: list[Prestacion]) -> None:
    assert {p.modalidad for p in generate_catalog(1500, random.Random(1))} == set(MODALIDADES)
    nombres = " ".join(p.nombre for p in catalogo)
    for palabra in (
        "RESONANCIA MAGNÉTICA",
        "TOMOGRAFÍA COMPUTADA",
        "TÓRAX",
        "ECOGRAFÍA",
        "MUÑECA",
        "RADIOGRAFÍA",
    ):
        assert palabra in nombres
    assert "MAGNETICA" not in nombres and "TORAX" not in nombres
    for texto in (
        "SIN CONTRASTE",
        "CON CONTRASTE",
        "SIN Y CON CONTRASTE",
        "DERECHA",
        "IZQUIERDO",
        "BILATERAL",
    ):
        assert texto in nombres


def test_canonical_studies_come_first_and_ids_are_stable_across_sizes_and_seeds() -> None:
    a = generate_catalog(1500, random.Random(1))
    b = generate_catalog(1600, random.Random(99))
    assert [p.nombre for p in a[: len(CANONICAS)]] == list(CANONICAS)
    assert [p.nombre for p in b[: len(CANONICAS)]] == list(CANONICAS)
    assert all(p.activa for p in a[: len(CANONICAS)])
    # Same seed: the smaller catalog is a prefix of the bigger one.
    c = generate_catalog(1600, random.Random(1))
    assert [p.nombre for p in c[:1500]] == [p.nombre for p in a]
    # Codes depend on the study, never on the seed.
    codes_b = {p.nombre: p.codigo for p in b}
    assert all(codes_b[p.nombre] == p.codigo for p in a if p.nombre in codes_b)


def test_catalog_is_deterministic_and_has_a_few_inactive_entries(
    catalogo: list[Prestacion],
) -> None:
    assert generate_catalog(1600, random.Random(2026)) == catalogo
    inactivas = [p for p in catalogo if not p.activa]
    assert 5 <= len(inactivas) <= 60


_MSK = (
    "RODILLA",
    "HOMBRO",
    "CODO",
    "TOBILLO",
    "MUÑECA",
    "CADERA",
    "PIE ",
    "MANO",
    "PIERNA",
    "MUSLO",
)
_MEDIOS = (
    "CEREBRO",
    "TÓRAX",
    "ABDOMEN",
    "COLUMNA",
    "PRÓSTATA",
    "TIROIDEA",
    "OBSTÉTRIC",
    "PELVIS",
    "HÍGADO",
)


def test_no_nonsense_combinations(catalogo: list[Prestacion]) -> None:
    for p in generate_catalog(max_prestaciones() // (1 + len(SEDES)), random.Random(3)):
        n = p.nombre + " "
        if "MAMOGRAFÍA" in n:
            assert not any(z in n for z in _MSK), n
        if "DENSITOMETRÍA" in n:
            assert any(z in n for z in ("COLUMNA", "CADERA", "CUERPO ENTERO", "ANTEBRAZO")), n
        if any(z in n for z in _MEDIOS):  # midline organs have no side
            assert not re.search(r"DERECH|IZQUIERD", n), n
        if p.modalidad in ("ECOGRAFÍA", "RADIOGRAFÍA", "MAMOGRAFÍA", "DENSITOMETRÍA"):
            assert "CONTRASTE" not in n or "ESPECTRAL" in n or "DOBLE CONTRASTE" in n, n
        if "PANORÁMICA DENTAL" in n:
            assert p.modalidad == "RADIOGRAFÍA"
        # Gender agreement of the side with the region.
        assert not re.search(
            r"(RODILLA|MUÑECA|CADERA|MANO|PIERNA|MAMA) (DERECHO|IZQUIERDO)\b", n
        ), n
        assert not re.search(
            r"(HOMBRO|CODO|TOBILLO|PIE|MUSLO|MIEMBRO \w+) (DERECHA|IZQUIERDA)\b", n
        ), n
        assert n.count("CONTRASTE") <= 1 or "DOBLE" in n, n
        e = p.estudio
        if re.search(r"OBSTÉTRIC|TRANSVAGINAL|MAMOGRAFÍA|HISTEROSALPINGO|FETAL", n):
            assert e.sexo == "F", n
        if re.search(r"PRÓSTATA|PROSTÁTICA|TESTICULAR|PSMA|PENE", n):
            assert e.sexo == "M", n


def test_catalog_beyond_its_base_size_lists_the_same_studies_per_site() -> None:
    base = max_prestaciones() // (1 + len(SEDES))
    cat = generate_catalog(base + 50, random.Random(5))
    assert len({p.nombre for p in cat}) == base + 50
    assert len({p.codigo for p in cat}) == base + 50
    assert all(" - SEDE " in p.nombre for p in cat[base:])
    grande = generate_catalog(10_000, random.Random(5))  # the size DESIGN §7 benchmarks search on
    assert len({p.codigo for p in grande}) == 10_000
    with pytest.raises(ValueError):
        generate_catalog(max_prestaciones() + 1, random.Random(5))


def test_prose_reads_like_a_doctor_wrote_it(catalogo: list[Prestacion]) -> None:
    rodilla = next(
        p for p in catalogo if p.nombre == "RESONANCIA MAGNÉTICA DE RODILLA DERECHA SIN CONTRASTE"
    )
    textos = {prosa_estudio(rodilla.estudio, random.Random(i)) for i in range(40)}
    assert len(textos) > 5
    for texto in textos:
        assert "rodilla" in texto.lower()
        assert re.search(r"\b(rmn|rm|rnm|resonancia)\b", texto.lower()), texto
        assert re.search(r"der|dcha|\bd\b", texto.lower()), texto
    assert any("s/cte" in t for t in textos)


# --- people ------------------------------------------------------------------------------------


def test_patients_have_unique_plausible_dnis_and_every_phone_format() -> None:
    pacientes = generate_pacientes(1500, random.Random(11), HOY)
    dnis = [p.dni for p in pacientes]
    assert len(set(dnis)) == len(dnis)
    assert all(d.isdigit() and 7 <= len(d) <= 8 for d in dnis)
    formatos = Counter(p.formato_movil for p in pacientes)
    assert set(formatos) == {f for f, _ in FORMATOS_MOVIL}
    moviles = [p.telefono_movil or "" for p in pacientes]
    for patron in (
        r"^011 15-\d{4}-\d{4}$",  # 011 15-2345-6789
        r"^\(0\d{3,4}\) 15 \d{2,4}-\d{4}$",  # (0351) 15 555-1234
        r"^\+54 9 \d{2,4} \d{2,4}-\d{4}$",  # +54 9 11 2345-6789
        r"^\+549\d{10}$",
        r"^54 9 \d{2,4} \d{2,4} \d{4}$",
        r"^\d{2,4} \d{2,4}-\d{4}$",  # 11 2345-6789 (no 9, no 15)
        r"^\d{10}$",
        r"^15-\d{4}-\d{4}$",  # invalid: no area code
        r"[a-z]",  # letters
    ):
        assert any(re.search(patron, m) for m in moviles), patron
    assert any(p.telefono_movil is None and p.telefono_fijo for p in pacientes)  # landline only
    assert any(not p.telefono_movil for p in pacientes)
    assert any(p.email is None for p in pacientes) and any(p.email for p in pacientes)
    areas = {re.sub(r"\D", "", m)[:3] for m in moviles if m.startswith("(0")}
    assert {"035", "034", "026"} & areas  # Córdoba, Rosario, Mendoza...


def test_insurers_are_argentine_with_their_plans() -> None:
    obras = {o.nombre: o for o in obras_sociales()}
    assert {p.nombre for p in obras["OSDE"].planes} >= {"210", "310", "410", "450", "510"}
    assert {p.nombre for p in obras["Swiss Medical"].planes} >= {"SMG20", "SMG30", "SMG40"}
    for nombre in (
        "Galeno",
        "Medifé",
        "OMINT",
        "Sancor Salud",
        "IOMA",
        "PAMI",
        "OSECAC",
        "OSPRERA",
        "Unión Personal",
        "Accord Salud",
        "OSDEPYM",
    ):
        assert nombre in obras
    assert any("Particular" in n and not o.planes for n, o in obras.items())
    assert any(not p.activo for o in obras.values() for p in o.planes)


# --- rendering ---------------------------------------------------------------------------------


def _orden(tipo: str) -> Orden:
    medico = generate_medicos(random.Random(1))[0]
    return Orden(
        tipo=tipo,
        medico=medico,
        fecha=HOY,
        paciente="Núñez, María José",
        dni="30123456",
        cobertura="OSDE 310",
        afiliado="61 234567 8 01",
        estudios=("RMN de rodilla der. s/cte", "34.56.07 RESONANCIA MAGNÉTICA DE RODILLA DERECHA"),
        diagnostico="Dx: gonalgia.",
        codigo="1234-20260310-556677",
        emisor="OSDE",
    )


@pytest.mark.parametrize("fuentes", [None, {}], ids=["dejavu", "sin-fuentes"])
def test_orders_render_as_photos_scans_and_pdfs_even_without_fonts(
    fuentes: dict[str, tuple[str, ...]] | None,
) -> None:
    renderer = PageRenderer(FontBook(fuentes))
    texturas = Texturas()
    tomada = datetime(2026, 3, 10, 9, 30)
    toma = camera.Toma(camera.FOTO_EXIF, 1600, 1200, 82, tomada, ("samsung", "SM-A125M"), 6)
    escala = camera.escala_pagina(toma)
    papel = texturas.papel((round(PAGE[0] * escala), round(PAGE[1] * escala)), 0)
    pagina = renderer.render(_orden(MANUSCRITA), papel, random.Random(1))
    foto = Image.open(io.BytesIO(camera.foto(pagina, toma, texturas, random.Random(2))))
    assert foto.format == "JPEG" and foto.size == (1600, 1200)
    assert foto.getexif()[0x0112] == 6
    assert ImageOps.exif_transpose(foto).size == (1200, 1600)  # portrait once the tag is applied

    hojas = [
        camera.escaneo(
            renderer.render(_orden(t), texturas.papel(PAGE, 1), random.Random(3)), t == MANUSCRITA
        )
        for t in (MANUSCRITA, ELECTRONICA, AUTORIZACION)
    ]
    assert all(h.mode == "L" and h.size == PAGE for h in hojas)
    png = Image.open(io.BytesIO(camera.png(hojas[0])))
    assert png.format == "PNG" and png.mode == "L"
    pdf = camera.pdf(hojas, camera.Toma(camera.PDF, 1240, 1754, 75, tomada), "Orden médica")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 3
    assert (
        camera.pdf(hojas, camera.Toma(camera.PDF, 1240, 1754, 75, tomada), "Orden médica") == pdf
    )  # no clock inside


# --- planning ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local_now", "hoy_min"),
    [((10, 0, 0), 1), ((6, 30, 0), 1), ((0, 0, 0), 0), ((23, 59, 59), 1)],
)
def test_uploads_are_strictly_before_now_with_a_share_today(
    local_now: tuple[int, int, int], hoy_min: int
) -> None:
    now = datetime(2026, 3, 10, *local_now, tzinfo=LOCAL_TZ)
    planes = planificar(seed=1, solicitudes=40, prestaciones=200, now=now).planes
    assert len(planes) == 40
    assert all(p.fecha_subida < now for p in planes)
    de_hoy = sum(local_today(p.fecha_subida) == now.date() for p in planes)
    assert de_hoy == (12 if hoy_min else 0)
    for p in planes:
        assert all(p.fecha_subida < c.fecha < now for c in p.contactos)
        assert p.resuelto is None or p.fecha_subida < p.resuelto < now
        assert p.baja is None or p.fecha_subida < p.baja < now
        assert 1 <= len(p.archivos) <= 3
        assert all(1 <= len(a.paginas) <= 3 for a in p.archivos)

"""The order reader without the OCR engine: pages and text layers, the line parser, the proposals
over the picker's index (merged words too), the patient checks, and the reader's budget."""

from __future__ import annotations

import io
import threading
from datetime import date

import pytest
from PIL import Image

from dim_revision.demo.pdf_texto import pdf_con_texto
from dim_revision.domain.search_index import SearchIndex
from dim_revision.lectura.controles import Paciente, controlar
from dim_revision.lectura.lector import Lector
from dim_revision.lectura.modelo import (
    AGOTADA,
    ILEGIBLE,
    LEIDA,
    SIN_TEXTO,
    Lectura,
    Linea,
    Pagina,
    paginas_de_json,
)
from dim_revision.lectura.paginas import Hoja, Ilegible, hojas
from dim_revision.lectura.propuestas import Proponedor
from dim_revision.lectura.renglones import renglones

CATALOGO = [
    (1, "TOMOGRAFÍA COMPUTADA DE ABDOMEN Y PELVIS"),
    (2, "RESONANCIA MAGNÉTICA DE RODILLA DERECHA SIN CONTRASTE"),
    (3, "ECOGRAFÍA ABDOMINAL"),
    (4, "RADIOGRAFÍA DE TÓRAX (FRENTE Y PERFIL)"),
]
HOY = date(2026, 12, 1)
ANA = Paciente("20111222", "Pérez, Ana", ("OSDE 310",))


def _lectura(*textos: str) -> Lectura:
    lineas = tuple(Linea(t, 0.9, (40, 40 + 30 * i, 600, 64 + 30 * i)) for i, t in enumerate(textos))
    return Lectura(LEIDA, "prueba", "1", (Pagina(800, 1000, lineas),))


@pytest.fixture(scope="module")
def proponedor() -> Proponedor:
    return Proponedor(SearchIndex.build(CATALOGO), [n for _, n in CATALOGO])


def test_prescription_lines_propose_from_the_catalog_even_with_merged_words(
    proponedor: Proponedor,
) -> None:
    lectura = _lectura(
        "Dra. Rosa Villalba",
        "Paciente: Ana Pérez",
        "Solicito:",
        "TACDEABDOMENYPELVIS",
        "RMN de rodilla der. s/cte",
        "Dx: dolor abdominal",
        "Radiografia de torax",  # after the diagnosis: not a prescription line
    )
    props = proponedor.proponer(lectura)
    assert [(p.prestacion_id, p.linea) for p in props] == [
        (1, "TACDEABDOMENYPELVIS"),
        (2, "RMN de rodilla der. s/cte"),
    ]
    assert props[0].caja == (40, 130, 600, 154)
    assert proponedor.separar("RMDERODILLADERECHAS/CTE") == "rm de rodilla derecha s/cte"


def test_numbered_lines_count_and_footers_do_not(proponedor: Proponedor) -> None:
    lectura = _lectura(
        "Prescripción:",
        "1) ECOGRAFIA ABDOMINAL",
        "2)RADIOGRAFIADETORAXFRENTEYPERFIL",
        "Prescripción electrónica (Ley 27.553). Válida por 30 días desde su emisión.",
    )
    assert [p.prestacion_id for p in proponedor.proponer(lectura)] == [3, 4]


@pytest.mark.parametrize(
    "textos",
    [
        (),
        ("The quick brown fox", "jumps over the lazy dog"),
        ("Solicito:", "lorem ipsum dolor sit amet"),
        ("Rp/", "xxxxxxxxxxxxxx"),
    ],
)
def test_foreign_or_empty_text_proposes_nothing(
    proponedor: Proponedor, textos: tuple[str, ...]
) -> None:
    assert proponedor.proponer(_lectura(*textos)) == []


def test_dni_of_another_person_is_a_warning_and_a_misread_digit_is_not() -> None:
    otra = controlar(renglones(_lectura("Paciente: Juan Pérez", "DNI: 10.343.780")), ANA, HOY)
    assert [a.texto for a in otra] == [
        "La orden parece ser de otra persona: DNI 10.343.780 en la orden "
        "(el paciente tiene 20.111.222)."
    ]
    assert controlar(renglones(_lectura("DNI:", "20.111.229")), ANA, HOY) == []
    assert controlar(renglones(_lectura("DNI 20111222")), ANA, HOY) == []


def test_a_name_that_is_not_the_patient_warns_when_no_dni_was_read() -> None:
    alertas = controlar(renglones(_lectura("Paciente: Roberto Gómez")), ANA, HOY)
    assert [a.clave for a in alertas] == ["otra_persona"]
    assert controlar(renglones(_lectura("Paciente: Ana Perez")), ANA, HOY) == []


def test_an_old_order_and_another_coverage_warn() -> None:
    lectura = _lectura("Fecha: 21/10/2026", "Obra social: Swiss Medical SMG20")
    textos = [a.texto for a in controlar(renglones(lectura), ANA, HOY)]
    assert textos == [
        "Orden emitida hace 41 días (21/10/2026); vale 30 días.",
        "La orden dice «SWISS MEDICAL SMG20» y el paciente tiene OSDE 310.",
    ]
    assert controlar(renglones(_lectura("Fecha: 21/10/2026")), ANA, HOY, validez_dias=60) == []
    assert (
        controlar(renglones(_lectura("Fecha: 25/11/26", "Obra social: OSDE 310")), ANA, HOY) == []
    )


def test_readings_round_trip_through_json() -> None:
    lectura = _lectura("Solicito:", "TAC de abdomen")
    assert paginas_de_json(lectura.a_json()) == lectura.paginas
    assert paginas_de_json("{not json") == ()
    assert paginas_de_json(None) == ()


def _png(size: tuple[int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, "PNG")
    return buf.getvalue()


def test_pages_of_each_kind_of_file() -> None:
    texto = pdf_con_texto(
        [[(60, 60, 12, "Prescripción:"), (80, 90, 12, "1) TAC DE ABDOMEN Y PELVIS")]]
    )
    (capa,) = hojas(texto)
    assert capa.texto is not None and [ln.texto for ln in capa.texto.lineas] == [
        "Prescripción:",
        "1) TAC DE ABDOMEN Y PELVIS",
    ]
    buf = io.BytesIO()
    Image.new("L", (400, 560), 255).save(buf, "PDF")  # a scan: no text layer
    (escaneo,) = hojas(buf.getvalue())
    assert escaneo.texto is None and escaneo.imagen is not None
    (grande,) = hojas(_png((3000, 2000)))
    assert grande.imagen is not None and max(grande.imagen.size) == 1280
    (chica,) = hojas(_png((30, 20)))
    assert chica.imagen is None
    with pytest.raises(Ilegible, match="demasiado grande"):
        hojas(_png_header(8000, 8000))  # 64 MP announced: refused before any pixel is decoded
    for malo in (b"GIF89a....", b"\xff\xd8\xff\xe0 truncated", b"%PDF-1.4 garbage"):
        with pytest.raises(Ilegible):
            hojas(malo)
    # For an engine that decodes where it reads (the reader's own process): only the header.
    foto = _png((3000, 2000))
    assert hojas(foto, decodificar=False) == [Hoja(archivo=foto)]
    assert hojas(_png((30, 20)), decodificar=False) == [Hoja()]
    with pytest.raises(Ilegible, match="demasiado grande"):
        hojas(_png_header(8000, 8000), decodificar=False)
    with pytest.raises(Ilegible, match="dañada"):
        hojas(b"\xff\xd8\xff\xe0 truncated", decodificar=False)


def _png_header(w: int, h: int) -> bytes:
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


class _Motor:
    nombre = "prueba"

    def __init__(self, pagina: Pagina | None = None, falla: bool = False) -> None:
        self.pagina, self.falla = pagina, falla
        self.soltar = threading.Event()
        self.empezo = threading.Event()
        self.llamadas = 0

    def version(self) -> str:
        return "prueba 1"

    def leer(self, imagen: Image.Image) -> Pagina:
        self.llamadas += 1
        self.empezo.set()
        if self.falla:
            raise RuntimeError("boom")
        if self.pagina is None:
            self.soltar.wait(10)
            return Pagina(imagen.width, imagen.height, ())
        return self.pagina


def test_the_reader_never_raises_and_respects_its_budget() -> None:
    blanca = _png((600, 800))
    vacia = Lector(_Motor(Pagina(600, 800, ())))
    assert vacia.leer(blanca).estado == SIN_TEXTO
    assert vacia.leer(b"no es nada").estado == ILEGIBLE
    assert Lector(_Motor(falla=True)).leer(blanca).motivo == "el motor de lectura falló"
    lenta = _Motor()
    lector = Lector(lenta, timeout=0.2)
    try:
        assert lector.leer(blanca).estado == AGOTADA
    finally:
        lenta.soltar.set()
        lector.cerrar()
    texto = pdf_con_texto([[(60, 60, 12, "Solicito: ecografía abdominal completa")]])
    motor = _Motor(Pagina(1, 1, ()))
    leida = Lector(motor).leer(texto)
    assert (leida.estado, leida.motor, motor.llamadas) == (LEIDA, "pdf-texto", 0)


def test_doctor_reports_the_reader() -> None:
    from dim_revision.doctor import AVISO, OK, check_lectura
    from dim_revision.lectura.motor import disponible

    apagada = check_lectura(False, None)
    assert (apagada.estado, apagada.detalle) == (
        OK,
        "desactivada ([lectura] activa = false): sin propuestas",
    )
    lista = check_lectura(True, None)
    if disponible() is None:
        assert lista.estado == OK and lista.detalle.startswith("rapidocr-onnxruntime 1.4.4")
    else:
        assert lista.estado == AVISO


def test_closing_the_reader_releases_its_caller_without_a_verdict() -> None:
    lenta = _Motor()
    lector = Lector(lenta, timeout=60)
    resultado: list[Lectura] = []
    hilo = threading.Thread(target=lambda: resultado.append(lector.leer(_png((600, 800)))))
    hilo.start()
    assert lenta.empezo.wait(10)  # the page is being read
    lector.cerrar()
    hilo.join(5)
    lenta.soltar.set()
    assert not hilo.is_alive() and resultado[0].extra == {"cerrada": True}
    assert lector.leer(b"x").extra == {"cerrada": True}

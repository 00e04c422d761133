"""`dim-revision leer-orden` with the real engine on one small typed page (the only tests that
run the OCR models, kept to two small pages): proposals from the database's active catalog, the
patient check by --dni, exit 2 naming an unreadable file, and a page photographed sideways."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from dim_revision.bootstrap import AppContext
from dim_revision.cli import main
from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.uow import Database
from dim_revision.lectura.lector import Lector
from dim_revision.lectura.motor import RapidOcr, disponible
from dim_revision.paths import AppPaths
from dim_revision.secrets import MemoryStore
from dim_revision.services.actor import Actor
from tests import factories

pytestmark = pytest.mark.skipif(disponible() is not None, reason="rapidocr-onnxruntime missing")
FUENTE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LINEAS = (
    "Fecha: 20/10/2026",
    "Paciente: Juan Gomez",
    "DNI: 10.343.780",
    "Solicito:",
    "RMN de rodilla derecha",
    "Dx: gonalgia",
)


def _pagina() -> Image.Image:
    img = Image.new("RGB", (640, 480), "white")
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(FUENTE, 24) if Path(FUENTE).exists() else ImageFont.load_default(24)
    for i, texto in enumerate(LINEAS):
        d.text((40, 30 + 70 * i), texto, font=font, fill="black")
    return img


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def test_leer_orden_prints_lines_proposals_and_warnings(
    sqlite_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite_db.uow() as uow:
        factories.paciente(uow.session, dni="20111222")
        rodilla = factories.prestacion(uow.session, "RESONANCIA MAGNÉTICA DE RODILLA DERECHA")
        factories.prestacion(uow.session, "ECOGRAFÍA ABDOMINAL")
        uow.commit()
    orden = tmp_path / "orden.png"
    orden.write_bytes(_png(_pagina()))
    rota = tmp_path / "rota.jpg"
    rota.write_bytes(b"\xff\xd8\xff\xe0 cut short")
    clock = FakeClock(datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    ctx = AppContext(
        Settings(), AppPaths.for_user(), MemoryStore(), Actor("ana", "pc"), clock, _db=sqlite_db
    )
    code = main(["leer-orden", str(orden), str(rota), "--dni", "20111222"], context=ctx)
    out, err = capsys.readouterr()
    assert code == 2 and "«rota.jpg»: la imagen está dañada o incompleta." in err
    (archivo,) = json.loads(out)["archivos"]
    assert archivo["archivo"] == str(orden)
    assert "RMN de rodilla derecha" in [ln["texto"] for ln in archivo["lineas"]]
    assert all(0 < ln["confianza"] <= 1 for ln in archivo["lineas"])
    assert [(p["prestacion_id"], p["linea"]) for p in archivo["propuestas"]] == [
        (rodilla.id, "RMN de rodilla derecha")
    ]
    assert archivo["alertas"] == [
        "La orden parece ser de otra persona: DNI 10.343.780 en la orden "
        "(el paciente tiene 20.111.222).",
        "Orden emitida hace 42 días (20/10/2026); vale 30 días.",
    ]


def test_a_sideways_photo_is_read_upright_and_says_how_to_turn_it() -> None:
    lector = Lector(RapidOcr(1), timeout=60)
    try:
        lectura = lector.leer(_png(_pagina().rotate(90, expand=True)))  # turned counterclockwise
    finally:
        lector.cerrar()
    (pagina,) = lectura.paginas
    assert pagina.giro == 90 and (pagina.ancho, pagina.alto) == (640, 480)
    assert "RMN de rodilla derecha" in [ln.texto for ln in pagina.lineas]

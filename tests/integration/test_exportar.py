"""Export of the filtered grid (issue #6): CSV Excel opens in Spanish, XLSX, the CLI and bad input."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from dim_revision.bootstrap import AppContext
from dim_revision.cli import main
from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.models import Evento, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.paths import AppPaths
from dim_revision.secrets import MemoryStore
from dim_revision.services.actor import Actor
from dim_revision.services.exportar import Formato, columnas, exportar
from dim_revision.services.queue import QueueFilter
from tests import factories

SUP = Actor("marta", "pc-sup")


@pytest.fixture
def seeded(database: Database, clock: FakeClock) -> Database:
    """Five requests today (10/03 local) and one yesterday; one resolved with contact, send and turno."""
    now = clock()
    with database.uow() as uow:
        s = uow.session
        factories.operador(s, SUP.usuario, supervisor=True)  # exporting is for supervisors
        first = factories.solicitud(
            s,
            factories.paciente(
                s, apellido="Núñez", nombre="María José", movil="+54 9 11 2345-6789"
            ),
            now - timedelta(hours=3, minutes=15),  # 06:45 local
            files=0,
            telefono_verificado=False,
        )
        first.resuelto = True
        first.fecha_resuelto = now
        first.fecha_contacto = now - timedelta(hours=1)  # 09:00 local
        first.usuario_contacto = "ana"
        first.id_turno_destino = factories.turno(
            s, factories.Fila(id=first.paciente_id), now + timedelta(days=3)
        ).id
        factories.envio(s, first, now, estado="enviado")
        factories.solicitud(
            s,
            factories.paciente(s, apellido='=HYPERLINK("http://x")', nombre="Malicioso"),
            now - timedelta(hours=2),
            files=0,
        )
        for i in range(3):
            factories.solicitud(
                s,
                factories.paciente(s, apellido=f"Gómez{i}", email=None, with_obra_social=False),
                now - timedelta(minutes=50 - i),
                files=0,
            )
        factories.solicitud(s, factories.paciente(s), now - timedelta(days=1), files=0)
        uow.commit()
    return database


@pytest.fixture
def outdir(tmp_path: Path) -> Path:
    """A folder of its own: tmp_path also holds the SQLite test database."""
    path = tmp_path / "salida"
    path.mkdir()
    return path


def _hoy(clock: FakeClock, estado: EstadoFiltro = EstadoFiltro.TODAS) -> QueueFilter:
    return QueueFilter.today(clock(), estado)


def test_csv_for_excel_in_spanish(seeded: Database, clock: FakeClock, tmp_path: Path) -> None:
    progress: list[tuple[int, int]] = []
    out = tmp_path / "grilla.csv"
    result = exportar(
        seeded,
        SUP,
        clock(),
        _hoy(clock),
        out,
        Formato.CSV,
        progreso=lambda d, t: progress.append((d, t)),
        page_size=2,  # three pages for five rows
    )
    assert result.filas == 5
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == list(columnas())
    assert rows[0][3] == "Teléfono verificado" and rows[0][-2:] == ["Estado del envío", "Turno"]
    assert len(rows) == 6
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Fecha de subida"] == "10/03/2026 06:45"
    assert first["Nombre"] == "Núñez, María José"
    assert first["Teléfono verificado"] == "No"
    assert first["Teléfono móvil"] == "+54 9 11 2345-6789"  # a phone is not a formula
    assert first["Fecha contacto"] == "10/03/2026 09:00"
    assert first["Usuario contacto"] == "ana"
    assert first["Resuelto"] == "Sí"
    assert first["Estado del envío"] == "Enviado"
    assert first["Turno"].isdigit()
    assert rows[2][1].startswith("'=HYPERLINK")  # patient text never runs as a formula
    assert rows[3][5] == "" and rows[3][6] == ""  # no email, no obra social
    assert progress == [(0, 5), (2, 5), (4, 5), (5, 5)]
    with seeded.uow() as uow:
        ev = uow.session.scalars(select(Evento).where(Evento.accion == "exportacion")).one()
        assert ev.usuario == "marta" and ev.detalle is not None and '"filas": 5' in ev.detalle


def test_state_filter(seeded: Database, clock: FakeClock, tmp_path: Path) -> None:
    out = tmp_path / "pend.csv"
    assert (
        exportar(seeded, SUP, clock(), _hoy(clock, EstadoFiltro.PENDIENTES), out, "csv").filas == 4
    )
    out2 = tmp_path / "res.csv"
    assert (
        exportar(seeded, SUP, clock(), _hoy(clock, EstadoFiltro.RESUELTAS), out2, "csv").filas == 1
    )


def test_xlsx(seeded: Database, clock: FakeClock, tmp_path: Path) -> None:
    out = tmp_path / "grilla.xlsx"
    assert exportar(seeded, SUP, clock(), _hoy(clock), out, Formato.XLSX, page_size=2).filas == 5
    ws = load_workbook(out).active
    assert ws is not None
    assert [c.value for c in ws[1]] == list(columnas())
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width == 32
    assert ws.max_row == 6
    assert ws["A2"].value == datetime(2026, 3, 10, 6, 45)  # local time, a real date
    assert ws["A2"].number_format == "dd/mm/yyyy hh:mm"
    assert ws["B2"].value == "Núñez, María José"
    assert ws["B3"].value.startswith("=HYPERLINK") and ws["B3"].data_type == "s"


def test_failure_leaves_no_file(seeded: Database, clock: FakeClock, outdir: Path) -> None:
    out = outdir / "x.csv"

    def boom(done: int, total: int) -> None:
        if done:
            raise RuntimeError("cancelado")

    with pytest.raises(RuntimeError):
        exportar(seeded, SUP, clock(), _hoy(clock), out, "csv", progreso=boom, page_size=2)
    assert list(outdir.iterdir()) == []


class Cli:
    def __init__(
        self,
        db: Database,
        clock: FakeClock,
        secrets: MemoryStore,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        self.db, self.clock, self.secrets, self.capsys = db, clock, secrets, capsys

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        ctx = AppContext(
            Settings(), AppPaths.for_user(), self.secrets, SUP, self.clock, _db=self.db
        )
        code = main(list(argv), context=ctx)
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def cli(
    seeded: Database, clock: FakeClock, secrets: MemoryStore, capsys: pytest.CaptureFixture[str]
) -> Cli:
    return Cli(seeded, clock, secrets, capsys)


def test_cli_success(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    code, stdout, _ = cli(
        "export",
        "--desde",
        "09/03/2026",
        "--hasta",
        "2026-03-10",
        "--estado",
        "todas",
        "--formato",
        "csv",
        "-o",
        str(out),
    )
    assert code == 0 and "Exportadas 6 solicitudes" in stdout
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 7
    xlsx = tmp_path / "b.xlsx"
    code, stdout, _ = cli("export", "--estado", "pendientes", "-o", str(xlsx))  # today; by suffix
    assert code == 0 and "Exportadas 4 solicitudes" in stdout
    ws = load_workbook(xlsx).active
    assert ws is not None and ws.max_row == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--desde", "31/02/2026"], "Fecha «desde» inválida"),
        (["--hasta", "mañana"], "Fecha «hasta» inválida"),
        (["--desde", "10/03/2026", "--hasta", "09/03/2026"], "es posterior"),
        (["--estado", "algunas"], "Estado desconocido"),
        (["--formato", "pdf"], "Formato desconocido"),
    ],
)
def test_cli_bad_input(cli: Cli, outdir: Path, args: list[str], message: str) -> None:
    out = outdir / "x.csv"
    code, stdout, err = cli("export", *args, "-o", str(out))
    assert code == 2 and message in err and stdout == ""
    assert not out.exists() and list(outdir.iterdir()) == []


def test_cli_unwritable_output(cli: Cli, outdir: Path) -> None:
    code, _, err = cli("export", "-o", str(outdir / "no-existe" / "x.csv"))
    assert code == 2 and "No existe la carpeta" in err
    code, _, err = cli("export", "-o", str(outdir))
    assert code == 2 and "es una carpeta" in err
    assert list(outdir.iterdir()) == []
    with cli.db.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Evento)) == 0
        assert uow.session.scalar(select(func.count()).select_from(SolicitudAsistencia)) == 6


def test_dates_are_local_across_utc_midnight(database: Database, tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 3, 11, 2, 30, tzinfo=UTC))  # 23:30 local on the 10th
    with database.uow() as uow:
        s = uow.session
        factories.operador(s, SUP.usuario, supervisor=True)
        factories.solicitud(s, factories.paciente(s), clock() - timedelta(minutes=5), files=0)
        uow.commit()
    out = tmp_path / "n.csv"
    hoy = QueueFilter.today(clock(), EstadoFiltro.TODAS)
    assert hoy.desde.day == 10
    assert exportar(database, SUP, clock(), hoy, out, "csv").filas == 1
    assert "10/03/2026 23:25" in out.read_text(encoding="utf-8-sig")

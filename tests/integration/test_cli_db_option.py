"""`--db` before or after the subcommand, a plain path taken as SQLite, the same for every
command; bad values get the Spanish message (exit 2), never a traceback or a crash report."""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from dim_revision.bootstrap import AppContext
from dim_revision.cli import build_parser, cli_overrides, main
from dim_revision.db import migrate
from dim_revision.db.engine import create_db_engine, sqlite_url, url_or_path
from dim_revision.paths import AppPaths
from dim_revision.secrets import MemoryStore
from tests.contexts import new_context


def _ctx() -> AppContext:
    return new_context(MemoryStore())


@pytest.fixture
def migrated(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "datos" / "dim.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(sqlite_template, path)
    return path


def _leaf_parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
    for action in subs:
        for name, child in action.choices.items():
            yield from _leaf_parsers(child, (*path, name))


def test_every_command_takes_db_after_it() -> None:
    leaves = dict(_leaf_parsers(build_parser()))
    assert ("outbox", "list") in leaves and ("demo",) in leaves and ("db", "upgrade") in leaves
    missing = [
        " ".join(p) for p, parser in leaves.items() if "--db" not in parser._option_string_actions
    ]
    assert missing == []


@pytest.mark.parametrize(
    "argv",
    [
        ["--db", "{path}", "outbox", "list"],
        ["outbox", "list", "--db", "{path}"],
        ["outbox", "--db", "{path}", "list"],
        ["outbox", "list", "--db", "sqlite:///{path}"],
    ],
)
def test_db_before_or_after_the_subcommand(
    argv: list[str], migrated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([a.format(path=migrated.as_posix()) for a in argv], context=_ctx()) == 0
    assert "No hay envíos." in capsys.readouterr().out  # it read the migrated file


def test_after_the_subcommand_wins_over_before(migrated: Path, tmp_path: Path) -> None:
    args = build_parser().parse_args(["--db", "otra.db", "db", "current", "--db", str(migrated)])
    assert cli_overrides(args)["database"]["url"] == sqlite_url(migrated)


@pytest.mark.parametrize("form", ["./demo.db", "demo.db", "datos/../demo.db"])
def test_a_relative_path_is_a_sqlite_file_in_the_current_folder(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "datos").mkdir()
    assert main(["db", "upgrade", "--db", form], context=_ctx()) == 0
    assert main(["--db", form, "db", "current"], context=_ctx()) == 0
    assert "al día" in capsys.readouterr().out
    engine = create_db_engine(sqlite_url(tmp_path / "demo.db"))
    try:
        assert migrate.is_up_to_date(engine)
    finally:
        engine.dispose()


def test_a_windows_path_is_a_sqlite_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert url_or_path(r"C:\datos\dim.sqlite3") == "sqlite:///C:/datos/dim.sqlite3"
    assert url_or_path("C:/datos/dim.sqlite3") == "sqlite:///C:/datos/dim.sqlite3"
    for argv in (
        ["config", "show", "--db", r"C:\datos\dim.sqlite3"],
        ["--db", r"C:\datos\dim.sqlite3", "config", "show"],
    ):
        ctx = _ctx()
        assert main(argv, context=ctx) == 0
        assert ctx.settings.database.url == "sqlite:///C:/datos/dim.sqlite3"
        assert "/datos/dim.sqlite3'" in capsys.readouterr().out


def test_urls_pass_through_unchanged() -> None:
    for url in (
        "mssql+pyodbc://SQLDIM01/DIM?driver=ODBC+Driver+18+for+SQL+Server",
        "postgresql://u@h:5433/base",
        "sqlite:///relativo.db",
    ):
        assert url_or_path(url) == url


def test_demo_takes_db_before_or_after(tmp_path: Path) -> None:
    parser = build_parser()
    for argv in (["--db", "d.db", "demo"], ["demo", "--db", "d.db"]):
        assert parser.parse_args(argv).db == "d.db"


# --- bad input -----------------------------------------------------------------------------------


def _no_crash_report() -> None:
    assert list(AppPaths.for_user().log_dir.glob("error-*.txt")) == []


def test_a_non_numeric_port_gets_the_spanish_message(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "mssql+pyodbc://dba:secreto@sqlprod:puerto/DIM?driver=ODBC+Driver+18+for+SQL+Server"
    for argv in (["--db", url, "db", "current"], ["outbox", "list", "--db", url]):
        assert main(argv) == 2  # a real run: no injected context
        err = capsys.readouterr().err
        assert "Error: La URL de base de datos «mssql+pyodbc://dba:***@sqlprod:puerto/DIM" in err
        assert "no es válida" in err and "secreto" not in err and "Traceback" not in err
    _no_crash_report()


def test_an_empty_db_value_is_refused(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "current", "--db", " "]) == 2
    assert "--db está vacío" in capsys.readouterr().err
    _no_crash_report()


def test_demo_refuses_a_server_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    assert main(["demo", "--no-gui", "--db", "postgresql://u:clave@h/base"], context=_ctx()) == 2
    err = capsys.readouterr().err
    assert "La demo usa un archivo SQLite propio" in err and "clave" not in err
    assert sorted(tmp_path.rglob("*")) == before  # nothing created


def test_global_usuario_is_not_the_new_operators_name() -> None:
    """`operadores add USUARIO` has its own positional: the acting operator stays the one of
    `--usuario` (it used to be overwritten by the new operator's name)."""
    args = build_parser().parse_args(
        ["--usuario", "ana", "operadores", "add", "bob", "--nombre", "Bob"]
    )
    assert args.usuario == "bob"
    assert cli_overrides(args)["operador"]["usuario"] == "ana"

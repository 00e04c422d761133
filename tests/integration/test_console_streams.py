"""The two frozen executables' streams: the windowed one has none (no crash, a clear refusal),
the console one prompts for secrets without echo or reads them from a pipe."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from dim_revision import frozen
from dim_revision.bootstrap import AppContext
from dim_revision.cli import main
from dim_revision.secrets import KeyringStore
from tests.contexts import new_context


def _ctx() -> AppContext:
    return new_context(KeyringStore())


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_secrets_set_without_stdin_is_a_clear_refusal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    assert main(["secrets", "set", "botmaker-token"], context=_ctx()) == 2
    err = capsys.readouterr().err
    assert "No hay entrada estándar" in err and "dim-revision.exe secrets set botmaker-token" in err
    assert KeyringStore().get("botmaker-token") is None


def test_secrets_set_prompts_without_echo_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return "tok-tty"

    monkeypatch.setattr(sys, "stdin", _Tty("not read\n"))
    monkeypatch.setattr("getpass.getpass", fake_getpass)
    assert main(["secrets", "set", "botmaker-token"], context=_ctx()) == 0
    assert prompts and "botmaker-token" in prompts[0]
    assert KeyringStore().get("botmaker-token") == "tok-tty"
    assert "tok-tty" not in capsys.readouterr().out


def test_secrets_set_reads_a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    key = "Zq8vN2pLx7RtB4mW9sKd3FhJ6yCe1GuA5oTn0XiV-_Qw"  # what `secrets generate` makes
    monkeypatch.setattr(sys, "stdin", io.StringIO(key + "\r\n"))
    assert main(["secrets", "set", "link-key"], context=_ctx()) == 0
    assert KeyringStore().get("link-key") == key


def test_ensure_streams_replaces_only_missing_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    real_err = io.StringIO()
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", real_err)
    assert frozen.ensure_streams() is False
    assert sys.stdout is not None
    print("a nadie", file=sys.stdout)  # must not crash
    assert sys.stderr is real_err
    sys.stdout.close()
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert frozen.ensure_streams() is True


def test_redirected_ansi_output_switches_to_utf8() -> None:
    """`dim-revision.exe doctor > informe.txt` on Windows: cp1252 cannot encode «→»."""
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp1252")
    frozen.utf8_output(stream)
    print("[FALLA] Botmaker: falta el token\n        → dim-revision secrets set", file=stream)
    stream.flush()
    assert "→".encode() in raw.getvalue()
    already = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    frozen.utf8_output(already)
    assert already.errors == "strict"  # left alone


def test_windowed_executable_refuses_cli_commands(
    monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    """`dim-revision-gui.exe secrets generate link-key` would store a key and show it to no one."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(frozen, "configure_frozen", lambda: False)
    shown: list[str] = []
    monkeypatch.setattr(frozen, "tell_windowless", lambda command: shown.append(command) or "")
    assert main(["secrets", "generate", "link-key"], context=_ctx()) == 2
    assert shown == ["secrets"]
    assert KeyringStore().get("link-key") is None
    assert "dim-revision.exe doctor" in frozen.WINDOWLESS_COMMAND.format(command="doctor")


def test_secrets_check_in_servicio_mode_needs_no_sender_secret(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    machine = isolated_home / "machine" / "config.toml"
    machine.parent.mkdir(parents=True)
    machine.write_text("[outbox]\nmodo = 'servicio'\n", encoding="utf-8")
    assert main(["secrets", "check"], context=_ctx()) == 0
    out = capsys.readouterr().out
    assert "botmaker-token" in out and "no hace falta (servicio)" in out
    assert "FALTA" not in out
    machine.write_text("[outbox]\nmodo = 'estaciones'\n", encoding="utf-8")
    assert main(["secrets", "check"], context=_ctx()) == 1
    assert "FALTA" in capsys.readouterr().out

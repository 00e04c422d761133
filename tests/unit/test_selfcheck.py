"""`dim-revision selfcheck` (core half) and the frozen build's keyring choice."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.errors import NoKeyringError

from dim_revision.bootstrap import build_context
from dim_revision.cli import main
from dim_revision.commands import selfcheck
from dim_revision.errors import UserError
from dim_revision.frozen import NO_KEYRING_MESSAGE, SinLlavero, choose_keyring_backend
from dim_revision.resources import resources_dir
from dim_revision.secrets import KeyringStore, keyring_usable


def test_selfcheck_core_passes_in_a_checkout(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["selfcheck", "--sin-qt"], context=build_context(secrets=KeyringStore()))
    out = capsys.readouterr().out
    assert code == 0, out
    for name in ("módulos del núcleo", "migraciones", "base SQLite temporal", "recursos"):
        assert f"OK     {name}" in out
    assert "0 falla(s)" in out


def test_core_modules_are_all_found_and_skip_entry_scripts() -> None:
    names = selfcheck.core_module_names()
    assert "dim_revision.commands.selfcheck" in names
    assert "dim_revision.frozen" in names
    assert not [n for n in names if n.endswith("__main__") or ".migrations" in n]


def test_missing_resources_fail(tmp_path: Path) -> None:
    results = {r.name: r for r in selfcheck.core_checks(resources=tmp_path)}
    assert results["recursos"].status == selfcheck.FAIL
    assert "style.qss" in results["recursos"].detail
    assert results["migraciones"].status == selfcheck.OK


def test_a_failed_check_gives_exit_code_1(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(selfcheck, "resources_dir", lambda: tmp_path)
    code = main(["selfcheck", "--sin-qt"], context=build_context(secrets=KeyringStore()))
    out = capsys.readouterr().out
    assert code == 1
    assert "FALLA  recursos" in out and "1 falla(s)" in out


def test_committed_icons_exist() -> None:
    assert selfcheck.check_resources(resources_dir())


def test_no_secret_service_means_a_spanish_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    backend = choose_keyring_backend("linux")
    assert isinstance(backend, SinLlavero)
    keyring.set_keyring(backend)  # the autouse fixture restores the in-memory one
    assert keyring_usable() == (False, "no hay un llavero del sistema disponible")
    with pytest.raises(NoKeyringError, match="Secret Service"):
        keyring.get_password("dim-revision", "botmaker-token")
    with pytest.raises(UserError) as error:
        KeyringStore().set("botmaker-token", "x")
    assert str(error.value) == f"No se pudo guardar en el llavero del sistema: {NO_KEYRING_MESSAGE}"

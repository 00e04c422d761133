"""The MSI's file list generated from a staged folder, and a tiny MSI built with wixl and checked
with msiinfo (the same code paths `scripts/installer_smoke.sh` runs over the real build)."""

from __future__ import annotations

import os
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scripts.build_installer import build_msi, files_fragment, msi_version
from scripts.check_msi import run_checks

NS = {"w": "http://schemas.microsoft.com/wix/2006/wi"}


def staged(root: Path) -> Path:
    folder = root / "dist" / "dim-revision"
    for rel in (
        "dim-revision-gui.exe",
        "dim-revision.exe",
        "_internal/Qt6Core.dll",
        "_internal/resources/icons/app.ico",
        "_internal/resources/style.qss",
    ):
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rel.encode() * 10)
    return folder


def test_fragment_mirrors_the_folder_with_stable_ids(tmp_path: Path) -> None:
    folder = staged(tmp_path)
    text, count = files_fragment(folder, tmp_path)
    assert count == 5
    assert text == files_fragment(folder, tmp_path)[0]  # same folder, same source (same GUIDs)
    root = ET.fromstring(text)
    files = {f.get("Name"): f for f in root.iter(f"{{{NS['w']}}}File")}
    assert files["dim-revision-gui.exe"].get("Id") == "GuiExe"
    assert files["dim-revision.exe"].get("Id") == "CliExe"
    assert all(not Path(f.get("Source", "")).is_absolute() for f in files.values())  # wixl
    resources = next(
        d for d in root.iter(f"{{{NS['w']}}}Directory") if d.get("Name") == "resources"
    )
    assert {d.get("Name") for d in resources.iter(f"{{{NS['w']}}}Directory")} == {
        "resources",
        "icons",
    }
    refs = [r.get("Id") for r in root.iter(f"{{{NS['w']}}}ComponentRef")]
    assert len(refs) == len(set(refs)) == 5


def test_msi_version_is_numeric() -> None:
    assert msi_version("0.1.0") == "0.1.0"
    assert msi_version("1.2rc1") == "1.2.1"
    assert msi_version("2") == "2.0.0"


LINUX_CI = sys.platform.startswith("linux") and os.environ.get("CI", "").lower() in {"1", "true"}


@pytest.mark.skipif(
    not (shutil.which("wixl") and shutil.which("msiinfo")) and not LINUX_CI,
    reason="wixl/msiinfo (Debian msitools) not installed; the Linux CI (.ci/run) installs them",
)
def test_tiny_msi_passes_the_table_checks_and_a_missing_file_fails_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = staged(tmp_path)
    msi = build_msi(folder, tmp_path / "build", tmp_path / "dist" / "t.msi", "wixl")
    assert run_checks(msi, folder) == 0
    out = capsys.readouterr().out
    assert "FALLA" not in out and "OK     acceso directo" in out
    (folder / "_internal" / "extra.dll").write_bytes(b"x")  # staged but not in the MSI
    assert run_checks(msi, folder) == 1
    assert "FALLA  archivos: 5 en la tabla File, 6" in capsys.readouterr().out

"""Check the MSI's tables with `msiinfo` (Debian's msitools): what IT relies on is really in it.

    python -m scripts.check_msi dist/dim-revision-0.1.0-x64.msi --folder dist/dim-revision

Checks, each printed as OK / FALLA (exit 1 on any FALLA): every file of the staged folder is in
the File table (both executables with their fixed ids), per-machine install (ALLUSERS=1) under
Program Files (64-bit components), the Start-menu shortcut to the windowed executable, the
major-upgrade entry (Upgrade table with the product's UpgradeCode, RemoveExistingProducts
scheduled) and the DB_URL / MODO custom action (deferred, as SYSTEM) with both properties secure.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from scripts.build_installer import app_version, executables, list_files, msi_version

MSIDBCA_DEFERRED = 0x400  # msidbCustomActionTypeInScript
MSIDBCA_NOIMPERSONATE = 0x800
MSIDBCOMPONENT_64BIT = 0x100


def table(msi: Path, name: str) -> list[dict[str, str]]:
    """The rows of one table as dicts (msiinfo export: header, types, table name, then rows)."""
    text = subprocess.run(
        ["msiinfo", "export", str(msi), name], capture_output=True, text=True, check=True
    ).stdout
    lines = text.splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=False)) for line in lines[3:] if line]


class Checks:
    def __init__(self) -> None:
        self.failed = 0

    def check(self, ok: bool, name: str, detail: str) -> None:
        print(f"{'OK' if ok else 'FALLA':<6} {name}: {detail}")
        self.failed += not ok


def run_checks(msi: Path, folder: Path) -> int:
    c = Checks()
    props = {r["Property"]: r.get("Value", "") for r in table(msi, "Property")}
    files = table(msi, "File")
    staged = list_files(folder)
    ids = {r["File"] for r in files}
    c.check(
        len(files) == len(staged),
        "archivos",
        f"{len(files)} en la tabla File, {len(staged)} en {folder}",
    )
    gui, cli = executables(folder)
    names = {r["File"]: r["FileName"] for r in files}
    c.check(
        names.get("GuiExe", "").endswith(gui.name) and names.get("CliExe", "").endswith(cli.name),
        "ejecutables",
        f"GuiExe={names.get('GuiExe')}, CliExe={names.get('CliExe')}",
    )
    components = table(msi, "Component")
    c.check(
        all(int(r["Attributes"] or 0) & MSIDBCOMPONENT_64BIT for r in components)
        and {r["KeyPath"] for r in components} >= ids,
        "componentes",
        f"{len(components)}, todos de 64 bits, un archivo por componente",
    )
    dirs = {r["Directory"]: r for r in table(msi, "Directory")}
    install = dirs.get("INSTALLDIR", {})
    c.check(
        props.get("ALLUSERS") == "1" and install.get("Directory_Parent") == "ProgramFiles64Folder",
        "por equipo",
        f"ALLUSERS={props.get('ALLUSERS')}, INSTALLDIR en {install.get('Directory_Parent')}"
        f" «{install.get('DefaultDir')}»",
    )
    shortcuts = table(msi, "Shortcut")
    start = [s for s in shortcuts if s["Directory_"] == "ProgramMenuFolder"]
    c.check(
        len(start) == 1 and start[0]["Target"] == "[#GuiExe]",
        "acceso directo",
        ", ".join(f"{s['Name']} → {s['Target']} en {s['Directory_']}" for s in shortcuts)
        or "ninguno",
    )
    version = msi_version(app_version())
    c.check(props.get("ProductVersion") == version, "versión", f"{props.get('ProductVersion')}")
    code = props.get("UpgradeCode", "")
    upgrades = [u for u in table(msi, "Upgrade") if u["UpgradeCode"] == code]
    replaces_older = any(
        u.get("VersionMax") == version and not u.get("VersionMin") for u in upgrades
    )
    sequence = {r["Action"]: r for r in table(msi, "InstallExecuteSequence")}
    c.check(
        bool(code)
        and replaces_older
        and "RemoveExistingProducts" in sequence
        and "FindRelatedProducts" in sequence,
        "actualización",
        f"UpgradeCode {code}: {len(upgrades)} filas en Upgrade, "
        f"RemoveExistingProducts {'sí' if 'RemoveExistingProducts' in sequence else 'no'}",
    )
    actions = {r["Action"]: r for r in table(msi, "CustomAction")}
    ca = actions.get("WriteMachineConfig", {})
    kind = int(ca.get("Type") or 0)
    c.check(
        ca.get("Source") == "CliExe"
        and "[DB_URL]" in ca.get("Target", "")
        and "[MODO]" in ca.get("Target", "")
        and bool(kind & MSIDBCA_DEFERRED)
        and bool(kind & MSIDBCA_NOIMPERSONATE)
        and "WriteMachineConfig" in sequence,
        "DB_URL y MODO",
        f"{ca.get('Target')!r} (tipo {kind}), condición «{sequence.get('WriteMachineConfig', {}).get('Condition')}»",
    )
    secure = props.get("SecureCustomProperties", "").split(";")
    c.check(
        "DB_URL" in secure and "MODO" in secure,
        "propiedades seguras",
        props.get("SecureCustomProperties", ""),
    )
    return 1 if c.failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.check_msi")
    parser.add_argument("msi", type=Path)
    parser.add_argument("--folder", type=Path, required=True, help="la carpeta que se empaquetó")
    args = parser.parse_args(argv)
    return run_checks(args.msi, args.folder)


if __name__ == "__main__":
    sys.exit(main())

"""Build DIM Revisión for installation, the same way on Windows and Linux (no bash, no venv paths).

    python -m scripts.build_installer            # PyInstaller folder dist/dim-revision/
    python -m scripts.build_installer --msi      # ... and the MSI dist/dim-revision-<v>-x64.msi
    python -m scripts.build_installer --msi --skip-build   # MSI over an existing folder

The folder holds two executables over the same libraries: `dim-revision-gui(.exe)` (windowed)
and `dim-revision(.exe)` (console, every CLI command). The MSI is packaging/windows/dim-revision.wxs
plus a file list generated here from the staged folder (build/msi/files.wxs), since wixl (Debian's
msitools, used on Linux CI) has no `heat`. The WiX tool is the first one found of: `wix` (WiX 4+,
after `wix convert`), `candle`/`light` (WiX 3), `wixl`; `--wix` picks one.

Run with the interpreter of the environment that has the app and PyInstaller installed
(`pip install -e .[installer]`).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

ROOT = Path(__file__).resolve().parent.parent
NAME = "dim-revision"
GUI_NAME = "dim-revision-gui"
WXS = ROOT / "packaging" / "windows" / "dim-revision.wxs"
ICON = ROOT / "resources" / "icons" / "app.ico"
WIX3_NS = "http://schemas.microsoft.com/wix/2006/wi"
# Component GUIDs are derived from the installed path under this namespace: the same file keeps
# the same component across versions (Windows Installer's component rules), with no state kept.
COMPONENT_NAMESPACE = uuid.UUID("E31AAC1A-96E7-4B12-AD7D-E5F0F13DB0E4")
TOOLS = ("wix", "candle", "wixl")


def log(message: str) -> None:
    print(message, flush=True)


def app_version() -> str:
    text = (ROOT / "dim_revision" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'__version__\s*=\s*"([^"]+)"', text)
    if not match:
        raise SystemExit("No se encontró __version__ en dim_revision/__init__.py")
    return match.group(1)


def msi_version(version: str) -> str:
    """Windows Installer wants major.minor.build numbers (255.255.65535): "0.1.0rc1" -> "0.1.0"."""
    numbers = [int(n) for n in re.findall(r"\d+", version)[:3]]
    numbers += [0] * (3 - len(numbers))
    return ".".join(str(n) for n in numbers)


def exe_name(name: str, windows: bool) -> str:
    return f"{name}.exe" if windows else name


# --- PyInstaller --------------------------------------------------------------------------------


def build_folder(dist: Path, work: Path) -> Path:
    if importlib.util.find_spec("PyInstaller") is None:
        raise SystemExit(
            "Falta PyInstaller en este Python: pip install -e .[installer]  "
            f"(intérprete: {sys.executable})"
        )
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--distpath",
        str(dist),
        "--workpath",
        str(work / "pyinstaller"),
        str(ROOT / "build_installer.spec"),
    ]
    start = time.monotonic()
    subprocess.run(cmd, check=True, cwd=ROOT)
    log(f"PyInstaller: {time.monotonic() - start:.0f} s")
    return dist / NAME


def executables(folder: Path) -> tuple[Path, Path]:
    """(windowed, console) in the staged folder; either OS's names."""
    for windows in (True, False):
        gui = folder / exe_name(GUI_NAME, windows)
        cli = folder / exe_name(NAME, windows)
        if gui.is_file() and cli.is_file():
            return gui, cli
    raise SystemExit(f"{folder} no tiene {GUI_NAME} y {NAME}: ¿falló PyInstaller?")


# --- the MSI file list ----------------------------------------------------------------------------


def _wix_id(prefix: str, relative: str) -> str:
    """A valid, stable WiX identifier (<= 72 chars) for a path inside the folder."""
    return f"{prefix}_{hashlib.sha1(relative.encode('utf-8')).hexdigest()[:24]}"


def list_files(folder: Path) -> list[Path]:
    """Every file the MSI carries: the folder's files, links followed, dangling links left out."""
    return list(_files(folder))


def _files(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.exists():  # a dangling link (its library was pruned by the spec) is skipped
                yield path


def _source(path: Path, base: Path) -> str:
    """Source paths relative to the folder the WiX tool runs in (wixl refuses absolute ones)."""
    return os.path.relpath(path, base)


def files_fragment(folder: Path, base: Path) -> tuple[str, int]:
    """WiX source for every file of the folder under INSTALLDIR: one component per file, the two
    executables with the fixed ids the main source refers to (GuiExe, CliExe); Source paths are
    relative to `base`. Returns the text and the number of files."""
    gui, cli = executables(folder)
    fixed = {gui.resolve(): "GuiExe", cli.resolve(): "CliExe"}
    tree: dict[str, list[Path]] = {}
    for path in _files(folder):
        rel_dir = path.parent.relative_to(folder).as_posix()
        tree.setdefault("" if rel_dir == "." else rel_dir, []).append(path)
    components: list[str] = []
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!-- Generated by scripts/build_installer.py from the staged folder: do not edit. -->",
        f'<Wix xmlns="{WIX3_NS}">',
        "  <Fragment>",
        '    <DirectoryRef Id="INSTALLDIR">',
    ]

    def emit(rel_dir: str, depth: int) -> None:
        pad = "  " * depth
        for path in tree.get(rel_dir, []):
            rel = path.relative_to(folder).as_posix()
            file_id = fixed.get(path.resolve(), _wix_id("f", rel))
            comp_id = _wix_id("c", rel)
            guid = str(uuid.uuid5(COMPONENT_NAMESPACE, rel.lower())).upper()
            components.append(comp_id)
            lines.append(f'{pad}<Component Id="{comp_id}" Guid="{guid}" Win64="yes">')
            lines.append(
                f'{pad}  <File Id="{file_id}" Name={quoteattr(path.name)} '
                f'Source={quoteattr(_source(path, base))} KeyPath="yes" />'
            )
            lines.append(f"{pad}</Component>")
        prefix = f"{rel_dir}/" if rel_dir else ""
        children = sorted(
            {d[len(prefix) :].split("/")[0] for d in tree if d.startswith(prefix) and d != rel_dir}
        )
        for child in children:
            child_rel = f"{prefix}{child}"
            lines.append(f'{pad}<Directory Id="{_wix_id("d", child_rel)}" Name={quoteattr(child)}>')
            emit(child_rel, depth + 1)
            lines.append(f"{pad}</Directory>")

    emit("", 3)
    lines += ["    </DirectoryRef>", "  </Fragment>", "  <Fragment>"]
    lines.append('    <ComponentGroup Id="AppFiles">')
    lines += [f'      <ComponentRef Id="{c}" />' for c in components]
    lines += ["    </ComponentGroup>", "  </Fragment>", "</Wix>", ""]
    return "\n".join(lines), len(components)


# --- WiX tools ----------------------------------------------------------------------------------


def pick_tool(wanted: str) -> str:
    if wanted != "auto":
        if not shutil.which(wanted):
            raise SystemExit(f"No se encontró «{wanted}» en el PATH.")
        return wanted
    for tool in TOOLS:
        if shutil.which(tool):
            return tool
    raise SystemExit(
        "No hay herramienta WiX: en Windows «dotnet tool install --global wix», en Debian "
        "«apt-get install wixl» (msitools)."
    )


def run(cmd: Sequence[str], cwd: Path) -> None:
    log("$ " + " ".join(cmd))
    subprocess.run(list(cmd), check=True, cwd=cwd)


def build_msi(folder: Path, work: Path, out: Path, tool: str) -> Path:
    msi_dir = work / "msi"
    shutil.rmtree(msi_dir, ignore_errors=True)
    msi_dir.mkdir(parents=True)
    main = msi_dir / "dim-revision.wxs"
    shutil.copyfile(WXS, main)
    fragment, count = files_fragment(folder, msi_dir)
    files = msi_dir / "files.wxs"
    files.write_text(fragment, encoding="utf-8")
    log(f"Lista de archivos: {files} ({count} archivos)")
    version = msi_version(app_version())
    defines = {"Version": version, "IconFile": _source(ICON, msi_dir)}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    start = time.monotonic()
    if tool == "wixl":
        cmd = ["wixl", "-a", "x64", "-o", str(out)]
        for key, value in defines.items():
            cmd += ["-D", f"{key}={value}"]
        run([*cmd, str(main), str(files)], cwd=msi_dir)
        _wixl_secure_properties(out, ("DB_URL", "MODO"))
    elif tool == "candle":
        cmd = ["candle", "-nologo", "-arch", "x64", "-out", str(msi_dir) + os.sep]
        cmd += [f"-d{key}={value}" for key, value in defines.items()]
        run([*cmd, str(main), str(files)], cwd=msi_dir)
        objs = [str(msi_dir / "dim-revision.wixobj"), str(msi_dir / "files.wixobj")]
        # ICE validation needs a Windows Installer service: skipped (-sval) to build unattended.
        run(["light", "-nologo", "-sval", "-out", str(out), *objs], cwd=msi_dir)
    else:  # WiX 4+: convert the WiX 3 sources in the work copy, then build
        for source in (main, files):
            # `wix convert` exits non-zero when it changed something: the build below checks.
            subprocess.run(["wix", "convert", str(source)], cwd=msi_dir, check=False)
        cmd = ["wix", "build", "-arch", "x64", "-o", str(out)]
        for key, value in defines.items():
            cmd += ["-d", f"{key}={value}"]
        run([*cmd, str(main), str(files)], cwd=msi_dir)
    log(
        f"MSI ({tool}): {out} — {out.stat().st_size / 1e6:.1f} MB en {time.monotonic() - start:.0f} s"
    )
    return out


def _wixl_secure_properties(msi: Path, names: Sequence[str]) -> None:
    """wixl ignores Property/@Secure: add the names to SecureCustomProperties (msibuild, also
    from msitools), so a managed install passes them from the client to the server side."""
    exported = subprocess.run(
        ["msiinfo", "export", str(msi), "Property"], capture_output=True, text=True, check=True
    ).stdout
    current = next(
        (
            line.split("\t")[1]
            for line in exported.splitlines()
            if line.startswith("SecureCustomProperties\t")
        ),
        None,
    )
    value = ";".join([*names, *(current.split(";") if current else [])])
    if current is None:
        query = f"INSERT INTO `Property` (`Property`, `Value`) VALUES ('SecureCustomProperties', '{value}')"
    else:
        query = (
            f"UPDATE `Property` SET `Value` = '{value}' WHERE `Property` = 'SecureCustomProperties'"
        )
    run(["msibuild", str(msi), "-q", query], cwd=msi.parent)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.build_installer", description=__doc__)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="carpeta de salida")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="carpeta de trabajo")
    parser.add_argument("--msi", action="store_true", help="armar también el MSI")
    parser.add_argument("--skip-build", action="store_true", help="no correr PyInstaller")
    parser.add_argument("--wix", choices=("auto", *TOOLS), default="auto")
    args = parser.parse_args(argv)
    dist, work = args.dist.resolve(), args.work.resolve()
    folder = dist / NAME if args.skip_build else build_folder(dist, work)
    gui, cli = executables(folder)
    log(f"Ejecutables: {gui.name} (ventana), {cli.name} (consola) en {folder}")
    if args.msi:
        out = dist / f"{NAME}-{msi_version(app_version())}-x64.msi"
        build_msi(folder, work, out, pick_tool(args.wix))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

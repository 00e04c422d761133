"""The core imports and works with Qt absent (napari's habit): every module loads with PySide6 blocked."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_every_core_module_imports_without_qt() -> None:
    script = textwrap.dedent(
        """
        import importlib, pkgutil, sys

        class BlockQt:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {"PySide6", "shiboken6", "ui"}:
                    raise ImportError(f"blocked: {name}")
                return None

        sys.meta_path.insert(0, BlockQt())
        import dim_revision
        count = 0
        for mod in pkgutil.walk_packages(dim_revision.__path__, "dim_revision."):
            if ".migrations" in mod.name or mod.name.endswith("__main__"):
                continue
            importlib.import_module(mod.name)
            count += 1
        print(count)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) > 20

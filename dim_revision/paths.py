"""Where the app keeps its files on this machine (per-user folders from platformdirs, plus the
machine-wide config file IT manages)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

APP_NAME = "DIM Revision"
APP_AUTHOR = "DIM"
ENV_MACHINE_CONFIG = "DIM_REVISION_MACHINE_CONFIG"


def machine_config_file(platform: str = sys.platform) -> Path:
    """IT's file for every user of this PC (the MSI's DB_URL and MODO land here):
    Windows `%ProgramData%\\DIM\\Revision\\config.toml`, Linux `/etc/dim-revision/config.toml`.
    DIM_REVISION_MACHINE_CONFIG points elsewhere (tests, unusual installs)."""
    override = os.environ.get(ENV_MACHINE_CONFIG)
    if override:
        return Path(override)
    if platform == "win32":
        program_data = os.environ.get("PROGRAMDATA") or r"C:\ProgramData"
        return Path(program_data) / "DIM" / "Revision" / "config.toml"
    if platform == "darwin":
        return Path(platformdirs.site_config_dir(APP_NAME, APP_AUTHOR)) / "config.toml"
    return Path("/etc/dim-revision/config.toml")


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path
    data_dir: Path
    log_dir: Path
    # None: no machine layer (tests that build paths by hand); for_user() fills it in.
    machine_config: Path | None = field(default=None)

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def demo_db(self) -> Path:
        return self.data_dir / "demo.sqlite3"

    @classmethod
    def for_user(cls) -> AppPaths:
        """The OS-conventional folders; DIM_REVISION_HOME moves them all (tests, portable installs)."""
        home = os.environ.get("DIM_REVISION_HOME")
        if home:
            root = Path(home)
            return cls(root / "config", root / "data", root / "logs", machine_config_file())
        return cls(
            Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)),
            Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
            Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
            machine_config_file(),
        )

"""Where the app keeps its files on this machine (per-user folders from platformdirs)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "DIM Revision"
APP_AUTHOR = "DIM"


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path
    data_dir: Path
    log_dir: Path

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
            return cls(root / "config", root / "data", root / "logs")
        return cls(
            Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)),
            Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
            Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
        )

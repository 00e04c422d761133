"""The OpenAPI document for the portal team: `python -m dim_revision.api.openapi [FILE]` writes
it (docs/api/openapi.json is committed; a test checks it matches the app)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from dim_revision.api.auth import Credentials
from dim_revision.api.metrics import Metrics
from dim_revision.clock import utcnow
from dim_revision.config import Settings
from dim_revision.secrets import MemoryStore


def document() -> dict[str, Any]:
    from dim_revision.api.app import ApiServices, create_app

    secrets = MemoryStore()
    services = ApiServices(
        db=None,  # type: ignore[arg-type]  # never touched: only the schema is built
        settings=Settings(),
        secrets=secrets,
        credentials=Credentials(secrets, []),
        metrics=Metrics(),
        clock=utcnow,
        health=dict,
    )
    return create_app(services).openapi()


def render() -> str:
    return json.dumps(document(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else Path("docs/api/openapi.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(), encoding="utf-8")
    print(f"OpenAPI escrito en {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

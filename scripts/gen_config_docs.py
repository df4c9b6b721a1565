#!/usr/bin/env python3
"""Write docs/configuration.md from the Settings model (every field's description and default).

Run after changing settings.py: `.venv/bin/python scripts/gen_config_docs.py`. A test fails when
the file is out of date, so the reference can never drift from the code.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from visdesk.settings import Settings  # noqa: E402

HEADER = """# Configuration reference

Generated from `src/visdesk/settings.py` by `scripts/gen_config_docs.py`; do not edit by hand.

Every setting is read from the environment with the prefix `VISDESK_`; nested sections use `__`
(for example `VISDESK_CACHE__URL=redis://127.0.0.1:6379/0`). A `.env` file in the working
directory is read too. Lists and tuples take JSON (`VISDESK_SAFETY__API_KEYS='["k1","k2"]'`).
"""


def _default(value: object) -> str:
    if isinstance(value, BaseModel):
        return ""
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, tuple):
        value = list(value)
    return "`" + json.dumps(value, ensure_ascii=False) + "`"


def rows(model: type[BaseModel], prefix: str) -> list[str]:
    lines = []
    instance = model() if model is not Settings else Settings(_env_file=None)  # type: ignore[call-arg]
    for name, field in model.model_fields.items():
        value = getattr(instance, name)
        if isinstance(value, BaseModel):
            continue
        env = f"{prefix}{name.upper()}"
        lines.append(f"| `{env}` | {_default(value)} | {field.description or ''} |")
    return lines


def render() -> str:
    out = [HEADER, "## General", "", "| variable | default | meaning |", "|---|---|---|"]
    out += rows(Settings, "VISDESK_")
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out += ["", f"## {(field.description or name).rstrip('.')} (`{name}`)", ""]
            out += ["| variable | default | meaning |", "|---|---|---|"]
            out += rows(annotation, f"VISDESK_{name.upper()}__")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    target = ROOT / "docs" / "configuration.md"
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)}")

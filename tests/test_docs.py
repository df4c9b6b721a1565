"""Docs stay true to the code: every setting is documented, and the reference is regenerated."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from pydantic import BaseModel

from visdesk.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_config_docs", ROOT / "scripts" / "gen_config_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sections() -> list[tuple[str, type[BaseModel]]]:
    out = []
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out.append((name, annotation))
    return out


def test_every_setting_has_a_description() -> None:
    missing = [name for name, field in Settings.model_fields.items() if not field.description]
    for name, section in _sections():
        missing += [f"{name}.{sub}" for sub, f in section.model_fields.items() if not f.description]
    assert not missing, f"settings without a description: {missing}"


def test_configuration_reference_is_up_to_date() -> None:
    expected = _generator().render()
    actual = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/configuration.md is stale: run scripts/gen_config_docs.py"


def test_every_env_variable_appears_in_the_reference() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    sections = dict(_sections())
    for name in Settings.model_fields:
        if name in sections:
            for sub in sections[name].model_fields:
                assert f"`VISDESK_{name.upper()}__{sub.upper()}`" in text
        else:
            assert f"`VISDESK_{name.upper()}`" in text


def test_readme_names_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make serve" in readme and "make test" in readme

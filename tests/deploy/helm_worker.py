"""Runs Helm's Go SDK (helm-python-sdk) in a process of its own: `python -m tests.deploy.helm_worker lint|render`.

Why a separate process: the Go runtime inside the SDK's shared library crashed the test process
(SIGSEGV) once OpenVINO/onnxruntime threads and uvicorn servers from earlier tests were running in it.
Reads the values as JSON on stdin, writes {"lint": report} / {"rendered": {path: text}} / {"error": message}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

CHART = Path(__file__).resolve().parents[2] / "deploy" / "helm" / "visdesk"


def main(command: str) -> int:
    import helm_python as helm

    values = json.loads(sys.stdin.read() or "{}")
    try:
        if command == "lint":
            out: dict[str, object] = {"lint": helm.lint(str(CHART))}
        else:
            with helm.Chart.load(str(CHART)) as chart:
                out = {"rendered": chart.render(values, name="shop", namespace="support")}
    except helm.HelmError as exc:
        out = {"error": str(exc)}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

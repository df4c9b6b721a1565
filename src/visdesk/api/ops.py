"""Operational endpoints: liveness, readiness, Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from visdesk.metrics import CONTENT_TYPE

router = APIRouter(tags=["ops"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Alive: the process answers HTTP."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready: the engine has loaded and can answer."""
    services = getattr(request.app.state, "services", None)
    if services is None or not services.engine.ready():
        return JSONResponse({"status": "starting"}, status_code=503)
    body = {"status": "ready", "engine": services.engine.name, "level": services.governor.level.value}
    if services.engine.capabilities.needs_ocr:
        body["ocr_runtime"] = services.perceiver.reader.backend  # e.g. "openvino/bf16" or "onnxruntime"
    return JSONResponse(body)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus text exposition of this app's registry (404 when metrics are disabled)."""
    services = getattr(request.app.state, "services", None)
    render = getattr(getattr(services, "metrics", None), "render", None)
    if render is None:
        return JSONResponse({"error": {"code": "not_found", "message": "Metrics are disabled."}}, status_code=404)
    return Response(render(), media_type=CONTENT_TYPE)

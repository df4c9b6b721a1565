"""Operational endpoints: liveness, readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

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
    return JSONResponse({"status": "ready", "engine": services.engine.name, "level": services.governor.level.value})

"""The app factory: create_app(settings) → FastAPI. All I/O happens in the lifespan, none at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from visdesk import __version__
from visdesk.api import catalog, chat, feedback, manuals, ops, returns, sessions, web
from visdesk.api import openai as openai_api
from visdesk.api.chat_fast_path import ChatFastPath
from visdesk.api.common import error_response
from visdesk.api.receive_guard import ReceiveGuard
from visdesk.api.security import install_security
from visdesk.cache import build_cache
from visdesk.engines import create_engine
from visdesk.errors import AppError, ErrorCode
from visdesk.history import build_history
from visdesk.image_store import MemoryImageStore
from visdesk.knowledge import build_knowledge
from visdesk.load import LoadGovernor
from visdesk.metrics import NullMetrics, PrometheusMetrics
from visdesk.perception import build_perceiver
from visdesk.pipeline import Pipeline
from visdesk.returns import build_return_desk
from visdesk.safety import SafetyFilter
from visdesk.services import Services
from visdesk.settings import Settings

log = logging.getLogger("visdesk.app")


async def build_services(settings: Settings) -> Services:
    """Choose and start every service from Settings (engine weights load here, not at import)."""
    engine = create_engine(settings.engine, settings)
    perceiver = build_perceiver(settings)
    metrics = PrometheusMetrics() if settings.observability.metrics_enabled else NullMetrics()
    governor = LoadGovernor(settings.load)
    if isinstance(metrics, PrometheusMetrics):
        metrics.bind_governor(governor)
    safety = SafetyFilter(settings.safety, metrics)
    await safety.start()
    services = Services(
        settings=settings,
        engine=engine,
        perceiver=perceiver,
        knowledge=build_knowledge(settings),
        cache=build_cache(settings.cache, metrics.cache_error),
        safety=safety,
        governor=governor,
        history=await build_history(settings),
        images=MemoryImageStore(),
        metrics=metrics,
    )
    await engine.start()
    if engine.capabilities.needs_ocr:
        perceiver.reader.warm_up()
    return services


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """Build the app. Pass `services` to run on pre-built services (tests, embedding)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        built = services or await build_services(settings)
        app.state.services = built
        app.state.pipeline = Pipeline(built)
        app.state.returns = build_return_desk(built)
        log.info("ready", extra={"fields": {"engine": built.engine.name, "version": __version__}})
        try:
            yield
        finally:
            if services is None:
                await built.close()

    app = FastAPI(
        title="visdesk",
        version=__version__,
        summary="Answers customer questions about screenshots and photos, with evidence.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.add_middleware(ChatFastPath)  # innermost: POST /v1/chat, /v1/chat/completions straight to their endpoints
    install_security(app, settings)  # request ids, body limits, auth, rate limits, metrics, CORS (pure ASGI)
    app.add_middleware(ReceiveGuard, body_timeout_s=settings.limits.body_timeout_s)  # slow bodies, form UTF-8
    _install_error_handlers(app)
    app.include_router(chat.router)
    app.include_router(openai_api.router)
    app.include_router(ops.router)
    app.include_router(web.router)
    app.include_router(feedback.router)
    app.include_router(sessions.router)
    app.include_router(catalog.router)
    app.include_router(returns.router)
    app.include_router(manuals.router)
    app.mount("/static", StaticFiles(directory=web.WEB_DIR), name="static")
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"), "problem": err.get("msg", "")}
            for err in exc.errors()
        ]
        summary = "; ".join(f"{p['field'] or 'body'}: {p['problem']}" for p in problems[:5])
        return error_response(
            AppError(ErrorCode.INVALID_REQUEST, f"The request is not valid: {summary}.", details={"problems": problems})
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(
            {"error": {"code": code, "message": str(exc.detail)}}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return error_response(AppError(ErrorCode.INTERNAL, "Something went wrong on our side; please try again."))

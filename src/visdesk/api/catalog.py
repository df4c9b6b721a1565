"""GET /v1/catalog/{sku}/image: a catalog product's picture, for the recommendation cards.

Why a route and not a static mount: the pictures live in the knowledge-base folders (any of them,
configured at run time), and only files the catalog names may be served, by SKU, never by path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from visdesk.errors import AppError, ErrorCode
from visdesk.protocol import ErrorResponse

router = APIRouter(tags=["catalog"])
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}


@runtime_checkable
class CatalogImages(Protocol):
    def product_image(self, sku: str) -> str | None: ...


@router.get(
    "/v1/catalog/{sku}/image",  # knowledge.catalog.IMAGE_URL builds these URLs
    response_class=FileResponse,
    responses={200: {"content": {"image/png": {}}}, 404: {"model": ErrorResponse}},
    summary="A catalog product's picture",
)
async def product_image(sku: str, request: Request) -> FileResponse:
    knowledge = request.app.state.services.knowledge
    path = knowledge.product_image(sku) if isinstance(knowledge, CatalogImages) else None
    if not path or not Path(path).is_file() or Path(path).suffix.lower() not in MEDIA_TYPES:
        raise AppError(ErrorCode.UNKNOWN_PRODUCT, "No catalog picture for this product.", details={"sku": sku[:40]})
    return FileResponse(
        path, media_type=MEDIA_TYPES[Path(path).suffix.lower()], headers={"Cache-Control": "public, max-age=3600"}
    )

"""One error vocabulary for every transport.

Why an enum with a status map: routes never pick HTTP codes by matching message text; an
AppError carries its ErrorCode and renders the same way as JSON (before a response starts)
or as an in-band SSE event (after a 200 stream has begun).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    # 4xx: the request was wrong
    INVALID_REQUEST = "invalid_request"
    MISSING_IMAGE = "missing_image"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    CORRUPT_IMAGE = "corrupt_image"
    IMAGE_TOO_LARGE = "image_too_large"  # bytes over the upload cap
    IMAGE_TOO_MANY_PIXELS = "image_too_many_pixels"  # decompression-bomb guard
    IMAGE_BAD_SHAPE = "image_bad_shape"  # aspect ratio past images.max_aspect_ratio
    INVALID_TEXT = "invalid_text"  # lone surrogates, invalid UTF-8, over-long ids
    REQUEST_TIMEOUT = "request_timeout"  # headers or body sent too slowly
    BAD_BASE64 = "bad_base64"
    EMPTY_QUESTION = "empty_question"
    QUESTION_TOO_LONG = "question_too_long"
    REMOTE_IMAGE_URL_REFUSED = "remote_image_url_refused"
    UNSAFE_IMAGE = "unsafe_image"
    UNKNOWN_SESSION = "unknown_session"
    UNKNOWN_MESSAGE = "unknown_message"
    UNKNOWN_MODEL = "unknown_model"
    UNKNOWN_PRODUCT = "unknown_product"  # no catalog picture for this SKU
    UNAUTHORIZED = "unauthorized"
    RATE_LIMITED = "rate_limited"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    NOT_CONFIGURED = "not_configured"  # a feature whose knowledge-base data is missing (e.g. no return taxonomy)
    # 5xx: we could not serve it
    OVERLOADED = "overloaded"
    TIMEOUT = "timeout"
    ENGINE_UNAVAILABLE = "engine_unavailable"
    ENGINE_ERROR = "engine_error"
    UPSTREAM_ERROR = "upstream_error"
    MODEL_NOT_FOUND = "model_not_found"
    INTERNAL = "internal_error"


HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID_REQUEST: 400,
    ErrorCode.MISSING_IMAGE: 400,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.CORRUPT_IMAGE: 400,
    ErrorCode.IMAGE_TOO_LARGE: 413,
    ErrorCode.IMAGE_TOO_MANY_PIXELS: 413,
    ErrorCode.IMAGE_BAD_SHAPE: 400,
    ErrorCode.INVALID_TEXT: 400,
    ErrorCode.REQUEST_TIMEOUT: 408,
    ErrorCode.BAD_BASE64: 400,
    ErrorCode.EMPTY_QUESTION: 400,
    ErrorCode.QUESTION_TOO_LONG: 400,
    ErrorCode.REMOTE_IMAGE_URL_REFUSED: 400,
    ErrorCode.UNSAFE_IMAGE: 422,
    ErrorCode.UNKNOWN_SESSION: 404,
    ErrorCode.UNKNOWN_MESSAGE: 404,
    ErrorCode.UNKNOWN_MODEL: 404,
    ErrorCode.UNKNOWN_PRODUCT: 404,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.NOT_CONFIGURED: 404,
    ErrorCode.OVERLOADED: 503,
    ErrorCode.TIMEOUT: 504,
    ErrorCode.ENGINE_UNAVAILABLE: 503,
    ErrorCode.ENGINE_ERROR: 502,
    ErrorCode.UPSTREAM_ERROR: 502,
    ErrorCode.MODEL_NOT_FOUND: 500,
    ErrorCode.INTERNAL: 500,
}


class AppError(Exception):
    """An error with a code, a user-facing message, and optional details/headers."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or {}

    @property
    def status(self) -> int:
        return HTTP_STATUS[self.code]

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code.value, "message": self.message}
        if self.details:
            body["details"] = self.details
        return {"error": body}

    def __repr__(self) -> str:
        return f"AppError({self.code.value!r}, {self.message!r})"

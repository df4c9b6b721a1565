"""Image intake: the only place that decodes user bytes.

Sniffs the type from the bytes (never the file name), enforces the byte and pixel caps before
decoding pixels, applies EXIF orientation, converts every mode to RGB, and gives the image a
content id. Errors say what was wrong and what is accepted.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import threading
import warnings
from functools import cache

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from visdesk.domain import ImageInput
from visdesk.errors import AppError, ErrorCode
from visdesk.settings import ImageSettings

ImageFile.LOAD_TRUNCATED_IMAGES = False  # a truncated upload is an error, never silently grey-filled
ACCEPTED_HUMAN = "JPEG, PNG, WebP, GIF (first frame), BMP, or HEIC/HEIF"
_MB = 1024 * 1024
_OCR_MIN_SIDE = 32  # RapidOCR's detector input is a multiple of 32 per side
_OCR_MAX_RATIO = 30  # sides of the OCR canvas kept within 30:1 (see pad_for_ocr)
# warnings.catch_warnings() swaps process-wide state (not thread-safe before Python 3.14); intake runs in
# worker threads, so the decode section holds this lock to keep one thread from restoring another's filters.
_WARNINGS_LOCK = threading.Lock()
_PIL_FORMATS = {  # the decoder chosen by the sniffed bytes; Pillow may not second-guess it
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "image/bmp": "BMP",
    "image/heic": "HEIF",
    "image/heif": "HEIF",
}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"hevm", b"hevs"}


def sniff(data: bytes) -> str | None:
    """Media type from magic bytes, or None when the bytes are not an image type we accept."""
    head = data[:32]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:2] == b"BM" and len(data) > 26:
        return "image/bmp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "image/heic" if head[8:12] in {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"} else "image/heif"
    return None


def describe_unsupported(data: bytes) -> str:
    """A short name for common non-image uploads, so the error says what we received."""
    head = data[:512].lstrip()
    lowered = head[:256].lower()
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if b"<svg" in lowered or (lowered.startswith(b"<?xml") and b"svg" in lowered):
        return "an SVG drawing"
    if head.startswith(b"MZ") or head.startswith(b"\x7fELF") or head[:4] in (b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe"):
        return "an executable program"
    if head.startswith(b"PK\x03\x04"):
        return "a ZIP archive"
    if head[4:8] == b"ftyp":
        return f"an ISO media file of brand {head[8:12].decode('latin-1')!r} (video or an unsupported image)"
    try:
        # incremental decoding tolerates a multi-byte character cut at the 2048-byte boundary
        sample = codecs.getincrementaldecoder("utf-8")().decode(data[:2048], final=False)
    except UnicodeDecodeError:
        return "a file of unknown type"
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in sample)
    return "text" if sample and "\x00" not in sample and printable >= 0.95 * len(sample) else "a file of unknown type"


@cache
def _register_heif() -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()


def intake(data: bytes, settings: ImageSettings) -> ImageInput:
    """Decode and normalise user image bytes. Raises AppError with a precise code on bad input."""
    if not data:
        raise AppError(ErrorCode.MISSING_IMAGE, f"The image is empty (0 bytes). Send a {ACCEPTED_HUMAN} file.")
    if len(data) > settings.max_upload_bytes:
        raise AppError(
            ErrorCode.IMAGE_TOO_LARGE,
            f"The image is {len(data) / _MB:.1f} MB; at most {settings.max_upload_bytes / _MB:.0f} MB is accepted.",
            details={"max_bytes": settings.max_upload_bytes, "bytes": len(data)},
        )
    media_type = sniff(data)
    if media_type is None or media_type not in settings.allowed_types:
        what = describe_unsupported(data) if media_type is None else media_type
        raise AppError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            f"The upload is {what}, not a supported image. Accepted: {ACCEPTED_HUMAN}.",
            details={"accepted": list(settings.allowed_types)},
        )
    if media_type in ("image/heic", "image/heif"):
        _register_heif()
    image = _open_checked(data, media_type, settings)
    image = _to_rgb(image)
    original_size = image.size
    ocr_image = fit(image, settings.ocr_max_side)
    engine_image = fit(ocr_image, settings.max_side)
    digest = hashlib.sha256(f"{ocr_image.width}x{ocr_image.height}:".encode())
    digest.update(ocr_image.tobytes())
    return ImageInput(
        content_id=digest.hexdigest(),
        image=engine_image,
        ocr_image=ocr_image,
        original_size=original_size,
        media_type=media_type,
        byte_size=len(data),
    )


def _open_checked(data: bytes, media_type: str, settings: ImageSettings) -> Image.Image:
    """Read the header, check the pixel cap, then decode the first frame and apply EXIF orientation."""
    corrupt = AppError(
        ErrorCode.CORRUPT_IMAGE,
        f"The {media_type.split('/')[1].upper()} file could not be decoded: it is truncated or damaged. "
        "Please send the complete file again.",
    )
    with _WARNINGS_LOCK, warnings.catch_warnings():
        # Decoder warnings (bomb warning, odd EXIF) are not the user's problem: we apply our own caps.
        warnings.simplefilter("ignore")
        try:
            image = Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[media_type]])
            width, height = image.size  # header only: no pixels decoded yet
        except Image.DecompressionBombError as exc:
            raise _too_many_pixels(None, settings) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise corrupt from exc
        if width <= 0 or height <= 0 or width * height > settings.max_pixels:
            raise _too_many_pixels((width, height), settings)
        _check_shape(width, height, settings)
        try:
            image.load()  # an opened image sits on its first frame (GIF, animated WebP); never count frames
        except Image.DecompressionBombError as exc:
            raise _too_many_pixels((width, height), settings) from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise corrupt from exc
        return _exif_upright(image)


def _check_shape(width: int, height: int, settings: ImageSettings) -> None:
    """Refuse absurd strips (3000×2, 60000×1) before decoding: no screenshot or photo is shaped like that.

    Long-but-plausible strips (a scrolled chat, a receipt, a banner) stay accepted and are padded for OCR
    by `pad_for_ocr`, so there is no minimum side.
    """
    ratio = max(width, height) / min(width, height)
    if ratio > settings.max_aspect_ratio:
        raise AppError(
            ErrorCode.IMAGE_BAD_SHAPE,
            f"The image is {width}×{height} pixels, {ratio:.0f} times longer than it is wide; at most "
            f"{settings.max_aspect_ratio:g}:1 is accepted. Please send a screenshot or photo of the whole screen.",
            details={"size": [width, height], "max_aspect_ratio": settings.max_aspect_ratio},
        )


def pad_for_ocr(image: Image.Image) -> Image.Image:
    """Thin images padded (edge pixels repeated, so no new edges) until OCR's detector can resize them.

    Why: RapidOCR rounds each side of its detection input to a multiple of 32 after scaling the longest
    side down to its limit; a side that rounds to 0 raised ResizeImgError (a 500 for a 3000×2 PNG).
    Each side is made at least 32 px and at least 1/30 of the other, which survives a detection limit of
    480 px or more. Padding goes right and bottom, so OCR boxes keep their coordinates.
    """
    width, height = image.size
    target_w = max(width, _OCR_MIN_SIDE, -(-height // _OCR_MAX_RATIO))
    target_h = max(height, _OCR_MIN_SIDE, -(-width // _OCR_MAX_RATIO))
    if (target_w, target_h) == (width, height):
        return image
    array = np.asarray(image)
    padded = np.pad(array, ((0, target_h - height), (0, target_w - width), (0, 0)), mode="edge")
    return Image.fromarray(padded)


def _exif_upright(image: Image.Image) -> Image.Image:
    """Apply EXIF orientation; a damaged EXIF block leaves the pixels as stored rather than failing."""
    try:
        return ImageOps.exif_transpose(image) or image
    except Exception:  # EXIF parsing raises many types (struct.error, KeyError, TypeError …)
        return image


def _too_many_pixels(size: tuple[int, int] | None, settings: ImageSettings) -> AppError:
    shown = f"{size[0]}×{size[1]} pixels" if size else "too many pixels"
    return AppError(
        ErrorCode.IMAGE_TOO_MANY_PIXELS,
        f"The image is {shown}; at most {settings.max_pixels / 1e6:.0f} megapixels are accepted. "
        "Please send a smaller image or a screenshot.",
        details={"max_pixels": settings.max_pixels, "size": list(size) if size else None},
    )


def _to_rgb(image: Image.Image) -> Image.Image:
    """Any mode → RGB: alpha flattened on white, palettes expanded, CMYK converted, 16-bit scaled."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        array = np.asarray(image, dtype=np.float64)
        # 16-bit files use the 0..65535 range; 32-bit "I"/"F" data that stays within 0..255 is already 8-bit
        sixteen_bit = image.mode.startswith("I;16") or float(array.max(initial=0.0)) > 255.0
        scale = 255.0 / 65535.0 if sixteen_bit else 1.0
        image = Image.fromarray(np.clip(array * scale, 0, 255).round().astype(np.uint8))
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode != "RGB":
        return image.convert("RGB")
    return image


def fit(image: Image.Image, max_side: int) -> Image.Image:
    """Downscale so the longest side is at most `max_side` (never upscale)."""
    longest = max(image.size)
    if longest <= max_side:
        return image
    ratio = max_side / longest
    size = (max(1, round(image.width * ratio)), max(1, round(image.height * ratio)))
    return image.resize(size, Image.Resampling.LANCZOS)

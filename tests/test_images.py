"""Image intake on real encoded files: every accepted format and mode, and every refusal with its code."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zlib

import numpy as np
import pytest
from PIL import Image

from tests.support.render import png_bytes
from visdesk.errors import AppError, ErrorCode
from visdesk.images import describe_unsupported, intake, sniff
from visdesk.settings import ImageSettings

SETTINGS = ImageSettings()


def encoded(image: Image.Image, fmt: str, **save: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save)
    return buffer.getvalue()


def two_tone(size: tuple[int, int] = (120, 80)) -> Image.Image:
    """Left half red, right half blue: orientation and colour survive checks can tell which way is up."""
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    return image


def pixel(data: bytes, xy: tuple[int, int]) -> tuple[int, ...]:
    return intake(data, SETTINGS).image.getpixel(xy)  # type: ignore[return-value]


def close_to(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def expect_error(data: bytes, code: ErrorCode, settings: ImageSettings = SETTINGS) -> AppError:
    with pytest.raises(AppError) as caught:
        intake(data, settings)
    assert caught.value.code is code, caught.value
    assert caught.value.status < 500
    assert len(caught.value.message) > 20
    return caught.value


@pytest.mark.parametrize(
    ("fmt", "media_type", "save"),
    [
        ("JPEG", "image/jpeg", {"quality": 95}),
        ("PNG", "image/png", {}),
        ("WEBP", "image/webp", {"quality": 90}),
        ("BMP", "image/bmp", {}),
        ("GIF", "image/gif", {}),
        ("HEIF", "image/heic", {"quality": 90}),
    ],
)
def test_each_accepted_format_decodes_to_rgb(fmt: str, media_type: str, save: dict[str, object]) -> None:
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    data = encoded(two_tone(), fmt, **save)
    image = intake(data, SETTINGS)
    assert image.media_type == media_type
    assert image.image.mode == "RGB"
    assert image.original_size == (120, 80)
    assert image.byte_size == len(data)
    assert close_to(image.image.getpixel((20, 40)), (255, 0, 0))
    assert close_to(image.image.getpixel((100, 40)), (0, 0, 255))


def test_gif_uses_the_first_frame() -> None:
    frames = [Image.new("RGB", (40, 30), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert close_to(pixel(buffer.getvalue(), (10, 10)), (255, 0, 0))


def test_exif_orientation_is_applied_and_defines_the_box_space() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: display rotated 90° clockwise
    data = encoded(two_tone((120, 80)), "JPEG", quality=95, exif=exif.tobytes())
    image = intake(data, SETTINGS)
    assert image.original_size == (80, 120)  # width and height swapped
    # the left (red) half of the stored pixels is now the top half
    assert close_to(image.image.getpixel((40, 20)), (255, 0, 0))
    assert close_to(image.image.getpixel((40, 100)), (0, 0, 255))
    assert image.to_original((0, 0, 80, 120)) == (0, 0, 80, 120)


def test_exif_boxes_scale_back_to_the_rotated_original() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encoded(two_tone((3000, 1000)), "JPEG", quality=80, exif=exif.tobytes())
    image = intake(data, SETTINGS)
    assert image.original_size == (1000, 3000)
    assert max(image.image.size) == SETTINGS.max_side
    assert max(image.ocr_image.size) == SETTINGS.ocr_max_side
    x0, y0, x1, y1 = image.to_original((0, 0, image.ocr_image.width, image.ocr_image.height))
    assert (x0, y0) == (0, 0) and abs(x1 - 1000) < 1 and abs(y1 - 3000) < 1


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: Image.new("RGBA", (40, 30), (255, 0, 0, 0)), id="RGBA"),
        pytest.param(lambda: Image.new("LA", (40, 30), (0, 0)), id="LA"),
    ],
)
def test_transparent_pixels_are_flattened_on_white(make: object) -> None:
    image = make()  # type: ignore[operator]
    image.paste((0, 255) if image.mode == "LA" else (0, 0, 0, 255), (0, 0, 20, 30))  # opaque black left half
    data = encoded(image, "PNG")
    assert pixel(data, (30, 15)) == (255, 255, 255)
    assert pixel(data, (5, 15)) == (0, 0, 0)


def test_palette_with_transparency_is_flattened_on_white() -> None:
    image = Image.new("P", (40, 30), 0)
    image.putpalette([0, 255, 0] + [200, 0, 0] + [0] * 762)
    image.paste(1, (0, 0, 20, 30))
    data = encoded(image, "PNG", transparency=0)  # palette index 0 (green) is transparent
    assert pixel(data, (30, 15)) == (255, 255, 255)
    assert pixel(data, (5, 15)) == (200, 0, 0)


def test_opaque_palette_image_keeps_its_colours() -> None:
    image = two_tone().convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    data = encoded(image, "PNG")
    assert close_to(pixel(data, (20, 40)), (255, 0, 0), 10)


def test_cmyk_jpeg_is_converted_to_rgb() -> None:
    data = encoded(two_tone().convert("CMYK"), "JPEG", quality=95)
    assert Image.open(io.BytesIO(data)).mode == "CMYK"
    assert close_to(pixel(data, (20, 40)), (255, 0, 0))
    assert close_to(pixel(data, (100, 40)), (0, 0, 255))


def test_sixteen_bit_png_is_scaled_to_eight_bits() -> None:
    ramp = np.tile(np.linspace(0, 65535, 64, dtype=np.uint16), (16, 1))
    data = encoded(Image.fromarray(ramp), "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I")
    image = intake(data, SETTINGS).image
    assert image.getpixel((0, 8)) == (0, 0, 0)
    assert image.getpixel((63, 8)) == (255, 255, 255)
    assert 110 <= image.getpixel((32, 8))[0] <= 145  # mid-grey, not clipped to white


def test_content_id_follows_pixels_not_encoding() -> None:
    base = two_tone()
    as_png = intake(encoded(base, "PNG"), SETTINGS)
    as_webp = intake(encoded(base, "WEBP", lossless=True), SETTINGS)
    assert as_png.media_type != as_webp.media_type
    assert as_png.content_id == as_webp.content_id
    other = base.copy()
    other.putpixel((0, 0), (0, 0, 0))
    assert intake(encoded(other, "PNG"), SETTINGS).content_id != as_png.content_id
    assert intake(encoded(base.transpose(Image.Transpose.ROTATE_90), "PNG"), SETTINGS).content_id != as_png.content_id


def test_type_is_sniffed_from_bytes_whatever_the_name() -> None:
    png = encoded(two_tone(), "PNG")
    assert sniff(png) == "image/png"  # intake never sees a file name: a PNG "renamed .jpg" is a PNG
    assert intake(png, SETTINGS).media_type == "image/png"


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "SVG"),
        (b"<svg viewBox='0 0 10 10'><rect width='10' height='10'/></svg>", "SVG"),
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF"),
        ("错误码是什么？this is just text\n".encode() * 20, "text"),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(120), "executable"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(120), "executable"),
        (b"PK\x03\x04\x14\x00" + bytes(60), "ZIP"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00" + bytes(40), "ISO media"),
        (bytes(range(256)) * 4, "unknown"),
    ],
)
def test_non_images_are_refused_and_named(data: bytes, what: str) -> None:
    error = expect_error(data, ErrorCode.UNSUPPORTED_MEDIA_TYPE)
    assert what in error.message
    assert "JPEG, PNG" in error.message  # says what is accepted


def test_text_sample_cut_inside_a_character_is_still_text() -> None:
    data = "错" * 700  # 2100 bytes: the 2048-byte sample ends inside a character
    assert describe_unsupported(data.encode()) == "text"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_files_are_corrupt(fmt: str) -> None:
    noisy = Image.fromarray(np.random.default_rng(1).integers(0, 255, (200, 200, 3), dtype=np.uint8))
    data = encoded(noisy, fmt)
    error = expect_error(data[: len(data) // 2], ErrorCode.CORRUPT_IMAGE)
    assert fmt in error.message and "truncated" in error.message


def test_header_only_png_is_corrupt() -> None:
    expect_error(b"\x89PNG\r\n\x1a\n" + bytes(20), ErrorCode.CORRUPT_IMAGE)


def _png_declaring(width: int, height: int) -> bytes:
    """A valid PNG header and a tiny compressed body, declaring `width`×`height` pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    body = chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(1024))) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


@pytest.mark.parametrize("side", [8_000, 20_000, 100_000])  # below, between and above Pillow's own limits
def test_decompression_bomb_is_refused_from_the_header(side: int) -> None:
    data = _png_declaring(side, side)
    assert len(data) < 200
    tracemalloc.start()
    started = time.perf_counter()
    try:
        error = expect_error(data, ErrorCode.IMAGE_TOO_MANY_PIXELS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 1.0
    assert peak < 5 * 1024 * 1024  # nothing near side² bytes was allocated
    assert "megapixels" in error.message
    assert error.status == 413


def test_pixel_cap_follows_settings() -> None:
    small_cap = ImageSettings(max_pixels=100 * 100)
    expect_error(encoded(two_tone((120, 100)), "PNG"), ErrorCode.IMAGE_TOO_MANY_PIXELS, small_cap)
    assert intake(encoded(two_tone((100, 100)), "PNG"), small_cap).original_size == (100, 100)


def test_oversize_upload_is_refused_before_decoding() -> None:
    capped = ImageSettings(max_upload_bytes=1024 * 1024)
    data = png_bytes(two_tone()) + bytes(1024 * 1024)  # a valid image padded past the cap
    error = expect_error(data, ErrorCode.IMAGE_TOO_LARGE, capped)
    assert "at most 1 MB" in error.message
    assert error.details["max_bytes"] == 1024 * 1024


def test_empty_file_is_a_missing_image() -> None:
    error = expect_error(b"", ErrorCode.MISSING_IMAGE)
    assert "empty" in error.message


def test_broken_exif_does_not_fail_the_upload() -> None:
    data = encoded(two_tone(), "JPEG", exif=b"Exif\x00\x00II*\x00\x08\x00\x00\x00\xff\xff\x12\x01")
    assert intake(data, SETTINGS).original_size == (120, 80)


def test_disallowed_type_by_settings_is_refused() -> None:
    only_png = ImageSettings(allowed_types=("image/png",))
    error = expect_error(encoded(two_tone(), "JPEG"), ErrorCode.UNSUPPORTED_MEDIA_TYPE, only_png)
    assert "image/jpeg" in error.message


def test_animated_webp_uses_the_first_frame() -> None:
    frames = [Image.new("RGB", (40, 30), colour) for colour in ((255, 0, 0), (0, 255, 0))]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="WEBP", save_all=True, append_images=frames[1:], duration=100, lossless=True)
    assert close_to(pixel(buffer.getvalue(), (10, 10)), (255, 0, 0), 5)


def test_jpeg_declaring_huge_dimensions_is_refused_from_the_header() -> None:
    data = bytearray(encoded(two_tone((64, 48)), "JPEG"))
    sof = data.index(b"\xff\xc0")  # baseline frame header: length(2) precision(1) height(2) width(2)
    data[sof + 5 : sof + 9] = struct.pack(">HH", 60_000, 60_000)
    tracemalloc.start()
    try:
        expect_error(bytes(data), ErrorCode.IMAGE_TOO_MANY_PIXELS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024

"""Profile photos: validate an upload by decoding it, then re-encode it without any metadata.

The order matters for safety: the size in bytes is checked first, then `Image.open` reads only
the header, so the pixel count is checked before a single pixel is decoded. A decompression bomb
(a small file claiming 20,000 × 20,000 pixels) is refused at the cost of reading its header.

Decoding is the expensive part (a 154 KB PNG of 6300 × 6300 took 4.3 s and 635 MB), so the cap is
what a photo shown at 800 px needs, a JPEG is decoded at a reduced scale (`Image.draft`), every
other format is shrunk right after decoding, before any copy is made, and uploads are rate-limited
per user (UPLOAD_RATE_LIMIT).
"""

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps

MAX_PHOTO_BYTES = 5 * 1024 * 1024
PROFILE_SIZE = 800
THUMBNAIL_SIZE = 200
# 24 megapixels: every phone's default photo (12 MP, 4000 × 3000) and most cameras' fit; the
# profile shows 800 px, so more pixels only cost decoding time and memory.
MAX_PHOTO_PIXELS = 24_000_000
# Decode no larger than this (a JPEG at 1/2, 1/4 or 1/8 scale), then shrink to it before copying.
DECODE_SIZE = 2 * PROFILE_SIZE
ALLOWED_PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
JPEG_QUALITY = 85

WRONG_TYPE = "Upload a photo in JPEG, PNG or WebP format."
UNREADABLE = "This file could not be read as an image; it may be damaged. Try exporting it again as JPEG or PNG."
TOO_MANY_PIXELS = (
    "This image has too many pixels: at most {megapixels} megapixels (for example 6,000 × 4,000 for 24). "
    "Export it at a smaller size and try again."
)
TOO_MANY_BYTES = "This photo is too large: at most 5 MB."


@dataclass(frozen=True)
class ProcessedPhoto:
    """Re-encoded JPEG bytes, free of EXIF, GPS, comments and colour profiles."""

    profile: bytes
    thumbnail: bytes


def open_checked_image(
    upload, *, allowed_formats: set[str], max_pixels: int, wrong_type: str, decode_size: int | None = None
) -> Image.Image:
    """Open an uploaded image after checking format and pixel count from its header, then verify it.

    Returns the image reopened and loaded (verify() leaves the image it checks unusable). With
    `decode_size`, a JPEG is decoded at the smallest scale still at least that large, and any
    image is shrunk to fit decode_size × decode_size before it is returned.
    """
    too_many_pixels = TOO_MANY_PIXELS.format(megapixels=max_pixels // 1_000_000)
    try:
        upload.seek(0)
        with Image.open(upload) as header:
            image_format = header.format
            width, height = header.size
    except Image.DecompressionBombError:
        # Pillow's own cap (far above ours) fired while reading the header.
        raise ValidationError(too_many_pixels, code="too_many_pixels") from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(wrong_type, code="wrong_type") from None
    if image_format not in allowed_formats:
        raise ValidationError(wrong_type, code="wrong_type")
    if width * height > max_pixels:
        raise ValidationError(too_many_pixels, code="too_many_pixels")
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
        upload.seek(0)
        image = Image.open(upload)
        if decode_size:
            # JPEG only: the decoder skips detail it would throw away (DCT scaling); a no-op elsewhere.
            image.draft("RGB", (decode_size, decode_size))
        image.load()
        if decode_size:
            # In place, with Pillow's reducing_gap: a cheap box reduction first, then a good resample.
            image.thumbnail((decode_size, decode_size), Image.Resampling.LANCZOS, reducing_gap=2.0)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(UNREADABLE, code="unreadable") from None
    return image


def flatten(image: Image.Image) -> Image.Image:
    """A brand-new RGB image with the same pixels: nothing from the original's `info` survives."""
    if image.mode in {"RGBA", "LA"} or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        clean = Image.new("RGB", image.size, "white")
        clean.paste(image, mask=image.getchannel("A"))
        return clean
    clean = Image.new("RGB", image.size)
    clean.paste(image.convert("RGB"))
    return clean


def _encode_jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # No exif=, icc_profile= or comment= arguments, and the image's info is empty: no metadata.
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def check_photo(upload) -> None:
    """Refuse, in the request, an upload that process_photo could not use; cheap enough to wait for.

    The same checks as process_photo, but the pixels are decoded at the smallest scale that proves
    them readable: a 12-megapixel JPEG at 1/8 scale takes about 25 ms where resizing and encoding
    it take about 400 ms, which the photo task does later (therapists.photos). PNG and WebP have no
    reduced-scale decoding, so for them this is a full decode.
    """
    # Not closed: ImageFile.close() closes the upload it read, which the view still has to store.
    # The decoded pixels (a few hundred KB at this scale) go with the image when it is dropped here.
    _open_photo(upload, decode_size=THUMBNAIL_SIZE)


def process_photo(upload) -> ProcessedPhoto:
    """Validate an uploaded photo and return its profile-size and thumbnail JPEGs.

    Raises ValidationError with a message for the form when the upload is not acceptable.
    """
    image = _open_photo(upload, decode_size=DECODE_SIZE)
    with image:
        upright = ImageOps.exif_transpose(image)
        clean = flatten(upright)
    profile = clean.copy()
    profile.thumbnail((PROFILE_SIZE, PROFILE_SIZE), Image.Resampling.LANCZOS)
    thumbnail = ImageOps.fit(clean, (THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
    return ProcessedPhoto(profile=_encode_jpeg(profile), thumbnail=_encode_jpeg(thumbnail))


def _open_photo(upload, *, decode_size: int) -> Image.Image:
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(TOO_MANY_BYTES, code="too_many_bytes")
    return open_checked_image(
        upload,
        allowed_formats=ALLOWED_PHOTO_FORMATS,
        max_pixels=MAX_PHOTO_PIXELS,
        wrong_type=WRONG_TYPE,
        decode_size=decode_size,
    )

"""Credential documents: a PDF, JPEG or PNG of at most 10 MB, recognised by content, not by name."""

from django.core.exceptions import ValidationError

from therapists.images import open_checked_image

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Scans are large, but a document image still has no business being a decompression bomb.
MAX_DOCUMENT_PIXELS = 60_000_000
DOCUMENT_TYPES = {"PDF": ("pdf", "application/pdf"), "JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}
CONTENT_TYPES_BY_EXTENSION = dict(DOCUMENT_TYPES.values())

WRONG_TYPE = "Upload the document as a PDF, JPEG or PNG file."
TOO_MANY_BYTES = "This document is too large: at most 10 MB. Scan it at a lower resolution or compress the PDF."


def check_document(upload) -> str:
    """Return the file extension to store the document under; raise ValidationError if unacceptable."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(TOO_MANY_BYTES, code="too_many_bytes")
    upload.seek(0)
    magic = upload.read(5)
    upload.seek(0)
    if magic == b"%PDF-":
        return DOCUMENT_TYPES["PDF"][0]
    image = open_checked_image(
        upload, allowed_formats={"JPEG", "PNG"}, max_pixels=MAX_DOCUMENT_PIXELS, wrong_type=WRONG_TYPE
    )
    # Not closed: closing the image would close the upload, which is still to be stored.
    upload.seek(0)
    return DOCUMENT_TYPES[image.format][0]


def content_type_for(name: str) -> str:
    """The content type of a stored document; its extension was chosen by the server from its content."""
    extension = name.rsplit(".", 1)[-1].lower()
    return CONTENT_TYPES_BY_EXTENSION.get(extension, "application/octet-stream")

"""Credential documents: a PDF, JPEG or PNG of at most 10 MB, recognised by parsing, not by name.

A document is served from the site's own origin to its owner and the moderators, so what is stored
must be what it claims to be and carry nothing active: a PDF is parsed with pypdf (a file that only
starts with "%PDF-" is not a PDF) and refused when it holds JavaScript, actions that run on opening,
launch other programs or embeds files; an image is decoded and re-encoded like a photo, which drops
EXIF and GPS data and anything appended after the image data. The response is sandboxed as well
(`Content-Security-Policy: sandbox`, therapists.dashboard.credential_document).
"""

import io
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from therapists.images import flatten, open_checked_image

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# An A4 page scanned at 600 dpi is 35 megapixels; a document image has no business being larger.
MAX_DOCUMENT_PIXELS = 40_000_000
# How many PDF objects the active-content check looks at; a real scan has a few hundred.
MAX_PDF_OBJECTS = 200_000
DOCUMENT_TYPES = {"PDF": ("pdf", "application/pdf"), "JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}
CONTENT_TYPES_BY_EXTENSION = dict(DOCUMENT_TYPES.values())
# Keys that make a PDF do something: scripts, launching, embedded files, rich media, XFA forms. An
# /OpenAction or /AA (event actions) is looked into, not refused: "open at page 1" is common and
# harmless, and a script or launch inside one is found by its /S name below.
ACTIVE_PDF_KEYS = {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA"}
ACTIVE_PDF_NAMES = {"/JavaScript", "/Launch", "/FileAttachment", "/RichMedia", "/SubmitForm", "/ImportData",
                    "/GoToE", "/EmbeddedFile"}

WRONG_TYPE = "Upload the document as a PDF, JPEG or PNG file."
TOO_MANY_BYTES = "This document is too large: at most 10 MB. Scan it at a lower resolution or compress the PDF."
UNREADABLE_PDF = "This PDF could not be read; it may be damaged. Save or print it as a PDF again and upload that."
ENCRYPTED_PDF = "This PDF is password-protected, so our moderators could not read it. Upload it without a password."
ACTIVE_PDF = (
    "This PDF contains scripts, automatic actions or attached files, which we do not accept. "
    "Print it to a new PDF (or scan the paper document) and upload that."
)
TOO_COMPLEX_PDF = "This PDF is too complex to check. Print it to a new PDF and upload that."
JPEG_QUALITY = 90

# pypdf warns through logging about every small defect of a damaged file; a refusal is our answer.
logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True)
class CheckedDocument:
    extension: str
    content: object  # the upload itself (PDF) or the re-encoded image (a ContentFile)


def _has_active_content(reader: PdfReader) -> bool:
    """Walk every object reachable from the trailer, looking for keys or names that act."""
    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    visited = 0
    while stack:
        node = stack.pop()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise ValidationError(TOO_COMPLEX_PDF, code="too_complex")
        if isinstance(node, IndirectObject):
            ref = (node.idnum, node.generation)
            if ref in seen:
                continue
            seen.add(ref)
            node = node.get_object()
        if isinstance(node, DictionaryObject):  # a stream's dictionary too (StreamObject subclasses it)
            for key, value in node.items():
                if key in ACTIVE_PDF_KEYS:
                    return True
                if isinstance(value, NameObject) and value in ACTIVE_PDF_NAMES:
                    return True
                stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
        elif isinstance(node, NameObject) and node in ACTIVE_PDF_NAMES:
            return True
    return False


def check_pdf(upload) -> None:
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted:
            raise ValidationError(ENCRYPTED_PDF, code="encrypted")
        if len(reader.pages) < 1:
            raise ValidationError(UNREADABLE_PDF, code="unreadable")
        active = _has_active_content(reader)
    except ValidationError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        # pypdf raises many kinds of error on a damaged or forged file; each means "not a PDF we can check".
        raise ValidationError(UNREADABLE_PDF, code="unreadable") from None
    finally:
        upload.seek(0)
    if active:
        raise ValidationError(ACTIVE_PDF, code="active_content")


def _reencode(image: Image.Image, image_format: str) -> ContentFile:
    """The same pixels in a brand-new file: no EXIF, GPS, comments or trailing bytes survive."""
    buffer = io.BytesIO()
    clean = flatten(image)
    if image_format == "PNG":
        clean.save(buffer, format="PNG", optimize=True)
    else:
        clean.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return ContentFile(buffer.getvalue(), name=f"document.{DOCUMENT_TYPES[image_format][0]}")


def check_document(upload) -> CheckedDocument:
    """Return what to store and under which extension; raise ValidationError if unacceptable."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(TOO_MANY_BYTES, code="too_many_bytes")
    upload.seek(0)
    magic = upload.read(5)
    upload.seek(0)
    if magic == b"%PDF-":
        check_pdf(upload)
        return CheckedDocument(DOCUMENT_TYPES["PDF"][0], upload)
    image = open_checked_image(
        upload, allowed_formats={"JPEG", "PNG"}, max_pixels=MAX_DOCUMENT_PIXELS, wrong_type=WRONG_TYPE
    )
    with image:
        # Upright first: the orientation lives in the EXIF data the re-encoding drops.
        image_format = image.format
        content = _reencode(ImageOps.exif_transpose(image), image_format)
    return CheckedDocument(DOCUMENT_TYPES[image_format][0], content)


def content_type_for(name: str) -> str:
    """The content type of a stored document; its extension was chosen by the server from its content."""
    extension = name.rsplit(".", 1)[-1].lower()
    return CONTENT_TYPES_BY_EXTENSION.get(extension, "application/octet-stream")

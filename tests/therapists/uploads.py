"""Real upload files made in the test with Pillow (and a few hand-made byte strings)."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject


def image_bytes(image_format: str, size=(640, 480), color="teal", **save_kwargs) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=image_format, **save_kwargs)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height pixels, with one tiny compressed row: costs nothing to make."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def pdf_bytes(size: int = 600, *, javascript: str | None = None, open_action: bool = False,
              attachment: bytes | None = None) -> bytes:
    """A real one-page PDF made by pypdf, padded to about `size` bytes with a metadata entry.

    javascript: a document-level script (the catalog's /Names /JavaScript); open_action: a
    /OpenAction that runs JavaScript on opening; attachment: an embedded file.
    """
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    def script(code: str):
        return writer._add_object(DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                                    NameObject("/JS"): TextStringObject(code)}))

    if javascript is not None:
        tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), script(javascript)])})
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    if open_action:
        writer._root_object[NameObject("/OpenAction")] = script("app.alert(document.cookie)")
    if attachment is not None:
        writer.add_attachment("payload.html", attachment)
    buffer = io.BytesIO()
    writer.write(buffer)
    padding = max(0, size - len(buffer.getvalue()) - 40)
    if padding:
        writer.add_metadata({"/Padding": "0" * padding})
        buffer = io.BytesIO()
        writer.write(buffer)
    return buffer.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)

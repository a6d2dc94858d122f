"""Uploads are cheap to refuse and cheap to decode, rate-limited per user, and image documents are
re-encoded without their metadata (issue 13, items 9 and 14)."""

import io

import pytest
from django.core.files.storage import storages
from PIL import ExifTags, Image

from tests.factories import TherapistFactory
from tests.therapists.test_credential_dashboard import credential_data
from tests.therapists.uploads import image_bytes, pdf_bytes, upload
from therapists import images
from therapists.models import Credential

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    therapist = TherapistFactory()
    client.force_login(therapist.user)
    return therapist


def jpeg_with_gps(size=(1200, 900)) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    exif[ExifTags.Base.ImageDescription] = "Home address 12 Secret St"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(monkeypatch):
    photo = image_bytes("JPEG", size=(6000, 4000))
    decoded_sizes = []
    load = Image.Image.load

    def recording_load(image):
        result = load(image)
        decoded_sizes.append(image.size)
        return result

    monkeypatch.setattr(Image.Image, "load", recording_load)
    processed = images.process_photo(upload("big.jpg", photo))

    # Decoded at 1/2 scale (3000 × 2000) instead of 24 megapixels, then shrunk to the decode size.
    assert max(width * height for width, height in decoded_sizes) <= 3000 * 2000
    assert Image.open(io.BytesIO(processed.profile)).size[0] == 800


def test_photo_and_document_uploads_are_rate_limited_per_user(client, owner, settings):
    settings.UPLOAD_RATE_LIMIT = "3/h"
    for _ in range(2):
        assert client.post("/dashboard/photo/", {"photo": upload("me.jpg", image_bytes("JPEG"))}).status_code == 302
    assert client.post(
        "/dashboard/credentials/new/", {**credential_data(), "document": upload("l.pdf", pdf_bytes())}
    ).status_code == 302

    refused = client.post("/dashboard/photo/", {"photo": upload("me.jpg", image_bytes("JPEG", color="red"))})
    refused_document = client.post(
        "/dashboard/credentials/new/", {**credential_data(title="Another"), "document": upload("l.pdf", pdf_bytes())}
    )

    assert refused.status_code == refused_document.status_code == 429
    assert "uploaded many files" in refused.content.decode()
    assert Credential.objects.filter(therapist=owner).count() == 1
    # Another therapist has their own allowance, and a page without a file is never counted.
    assert client.get("/dashboard/photo/").status_code == 200
    other = TherapistFactory()
    client.force_login(other.user)
    assert client.post("/dashboard/photo/", {"photo": upload("me.jpg", image_bytes("JPEG"))}).status_code == 302


@pytest.mark.parametrize("image_format", ["JPEG", "PNG"])
def test_an_image_document_is_re_encoded_without_exif_or_gps(client, owner, image_format):
    if image_format == "JPEG":
        content = jpeg_with_gps()
    else:
        buffer = io.BytesIO()
        exif = Image.Exif()
        exif[ExifTags.Base.ImageDescription] = "Home address 12 Secret St"
        Image.new("RGB", (800, 600), "white").save(buffer, format="PNG", exif=exif)
        content = buffer.getvalue() + b"<html><script>alert(1)</script></html>"

    response = client.post("/dashboard/credentials/new/", {**credential_data(), "document": upload("scan", content)})

    assert response.status_code == 302
    credential = Credential.objects.get(therapist=owner)
    stored = storages["private"].open(credential.document.name).read()
    assert stored != content
    assert b"Secret St" not in stored and b"SpyCam" not in stored and b"<script>" not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.format == image_format
    assert not image.getexif()
    assert image.size == Image.open(io.BytesIO(content)).size


def test_a_clean_pdf_is_stored_as_uploaded(client, owner):
    content = pdf_bytes()
    client.post("/dashboard/credentials/new/", {**credential_data(), "document": upload("l.pdf", content)})
    credential = Credential.objects.get(therapist=owner)
    assert storages["private"].open(credential.document.name).read() == content

import io

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from PIL import ExifTags, Image, ImageFile

from tests.factories import TherapistFactory
from tests.therapists.uploads import SVG, image_bytes, png_claiming, upload
from therapists import services
from therapists.images import THUMBNAIL_SIZE, ProcessedPhoto, process_photo
from therapists.models import PhotoUpload, Therapist

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    therapist = TherapistFactory()
    client.force_login(therapist.user)
    return therapist


@pytest.fixture
def owner_with_photo(owner, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/dashboard/photo/", {"photo": upload("me.jpg", image_bytes("JPEG"), "image/jpeg")})
    owner.refresh_from_db()
    assert owner.photo
    return owner


@pytest.fixture
def post_photo(client, django_capture_on_commit_callbacks):
    """Upload from the photo page; the resize task runs after commit (eager, as with no broker)."""

    def post(name, content, content_type="image/jpeg"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/dashboard/photo/", {"photo": upload(name, content, content_type)})

    return post


def stored_image(field) -> Image.Image:
    with field.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_jpeg_upload_is_stored_as_profile_photo_and_thumbnail_under_server_names(post_photo, owner):
    response = post_photo("holiday at home.jpg", image_bytes("JPEG", size=(1600, 1200)))

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.photo.name.startswith("photos/") and "holiday" not in owner.photo.name
    assert not PhotoUpload.objects.exists(), "the original is dropped once resized"
    assert stored_image(owner.photo).size == (800, 600)
    assert stored_image(owner.photo_thumbnail).size == (THUMBNAIL_SIZE, THUMBNAIL_SIZE)


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_png_and_webp_uploads_are_re_encoded_as_jpeg(post_photo, owner, image_format):
    response = post_photo("me.bin", image_bytes(image_format), "application/octet-stream")

    assert response.status_code == 302
    owner.refresh_from_db()
    assert stored_image(owner.photo).format == "JPEG"


BAD_UPLOADS = [
    pytest.param("notes.jpg", b"I am plain text, not a photo.\n" * 20, "JPEG, PNG or WebP", id="text-named-jpg"),
    pytest.param("cut.png", image_bytes("PNG", size=(400, 400))[:300], "could not be read", id="truncated-png"),
    pytest.param("bomb.png", png_claiming(20_000, 20_000), "at most 24 megapixels", id="20000x20000"),
    pytest.param("big.png", png_claiming(7_000, 7_000), "at most 24 megapixels", id="49-megapixels"),
    # The probe's photo: 154 KB, 6300 × 6300, took 4.3 s and 635 MB to decode before the cap was lowered.
    pytest.param("probe.png", png_claiming(6_300, 6_300), "at most 24 megapixels", id="6300x6300"),
    pytest.param("just-over.png", png_claiming(5_000, 5_000), "at most 24 megapixels", id="25-megapixels"),
    pytest.param("drawing.svg", SVG, "JPEG, PNG or WebP", id="svg"),
    pytest.param("anim.gif", image_bytes("GIF"), "JPEG, PNG or WebP", id="gif"),
    pytest.param("huge.jpg", b"\xff\xd8\xff" + b"\0" * (5 * 1024 * 1024), "at most 5 MB", id="over-5-mb"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_UPLOADS)
def test_bad_photo_gets_a_clear_message_and_keeps_the_old_photo(post_photo, owner_with_photo, name, content, message):
    old_photo, old_thumbnail = owner_with_photo.photo.name, owner_with_photo.photo_thumbnail.name

    response = post_photo(name, content)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'class="field field-error"' in response.content.decode()
    owner_with_photo.refresh_from_db()
    assert (owner_with_photo.photo.name, owner_with_photo.photo_thumbnail.name) == (old_photo, old_thumbnail)
    assert default_storage.exists(old_photo) and default_storage.exists(old_thumbnail)


def test_decompression_bomb_is_refused_from_its_header_without_decoding(monkeypatch):
    """The pixel check comes before any pixel is decoded: load() is never reached."""

    def fail_load(self):
        raise AssertionError("decoded a refused image")

    monkeypatch.setattr(Image.Image, "load", fail_load)
    monkeypatch.setattr(ImageFile.ImageFile, "load", fail_load)
    with pytest.raises(Exception, match="megapixels"):
        process_photo(upload("bomb.png", png_claiming(7_000, 7_000)))


def test_gps_exif_and_comment_are_removed_from_the_stored_photo(post_photo, owner):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (13.0, 24.0, 18.0)
    original = image_bytes("JPEG", exif=exif, comment=b"my home address")
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test file carries GPS

    post_photo("me.jpg", original)

    owner.refresh_from_db()
    for field in (owner.photo, owner.photo_thumbnail):
        with field.open("rb") as handle:
            raw = handle.read()
        image = Image.open(io.BytesIO(raw))
        assert not image.getexif()
        assert "comment" not in image.info and "exif" not in image.info
        assert b"my home address" not in raw and b"SecretCam" not in raw


def test_photo_with_rotated_exif_orientation_comes_out_upright(post_photo, owner):
    # Stored sideways: 300 wide, 100 high, red on the left. Orientation 6 means "rotate 90° clockwise
    # to display", which brings the left edge to the top.
    sideways = Image.new("RGB", (300, 100), "blue")
    sideways.paste((255, 0, 0), (0, 0, 150, 100))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    buffer = io.BytesIO()
    sideways.save(buffer, format="JPEG", exif=exif)

    post_photo("me.jpg", buffer.getvalue())

    owner.refresh_from_db()
    upright = stored_image(owner.photo).convert("RGB")
    assert upright.size == (100, 300)
    red, _green, blue = upright.getpixel((50, 10))
    assert red > 200 and blue < 60
    red, _green, blue = upright.getpixel((50, 290))
    assert blue > 200 and red < 60


def test_replacing_the_photo_deletes_the_old_files_after_commit(post_photo, owner_with_photo):
    old_names = [owner_with_photo.photo.name, owner_with_photo.photo_thumbnail.name]

    post_photo("new.png", image_bytes("PNG", color="orange"), "image/png")

    owner_with_photo.refresh_from_db()
    assert owner_with_photo.photo.name not in old_names
    assert default_storage.exists(owner_with_photo.photo.name)
    assert not any(default_storage.exists(name) for name in old_names)


def test_a_failed_replacement_keeps_the_old_photo_and_leaves_no_new_file(owner_with_photo, monkeypatch):
    old_names = [owner_with_photo.photo.name, owner_with_photo.photo_thumbnail.name]
    saved = []
    real_save = FileSystemStorage._save

    def save_then_fail_on_thumbnail(storage, name, content):
        if "thumb" in name:
            raise OSError("disk full")
        saved.append(real_save(storage, name, content))
        return saved[-1]

    monkeypatch.setattr(FileSystemStorage, "_save", save_then_fail_on_thumbnail)
    photo = process_photo(upload("new.jpg", image_bytes("JPEG", color="orange")))

    with pytest.raises(OSError, match="disk full"):
        services.replace_photo(therapist=owner_with_photo, photo=photo)

    owner_with_photo.refresh_from_db()
    assert [owner_with_photo.photo.name, owner_with_photo.photo_thumbnail.name] == old_names
    assert all(default_storage.exists(name) for name in old_names)
    assert saved and not default_storage.exists(saved[0])


def test_processed_photo_has_no_metadata_even_for_png_with_text_chunks():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret")
    buffer = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(buffer, format="PNG", pnginfo=info)

    result = process_photo(upload("a.png", buffer.getvalue()))

    assert isinstance(result, ProcessedPhoto)
    assert b"secret" not in result.profile
    assert Image.open(io.BytesIO(result.profile)).info.get("comment") is None


def test_photo_page_is_only_for_therapists(client, client_user):
    client.force_login(client_user)

    response = client.get("/dashboard/photo/")

    assert response.status_code == 404
    assert not Therapist.objects.filter(user=client_user).exists()

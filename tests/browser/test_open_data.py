"""A reuser finds the open data from any page, reads the licence and downloads the export."""

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from opendata import export
from tests.factories import ModalityFactory, TherapistFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published_export(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "opendata": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    TherapistFactory(
        display_name="Clara Weber", modalities=[ModalityFactory(slug="od-reflexology", name="Reflexology for reusers")]
    )
    return export.publish_export()


@pytest.mark.parametrize("width", [360, 1280])
def test_a_reuser_goes_from_the_footer_to_the_download(live_server, page, screenshot, published_export, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="open data").click()
    expect(page.get_by_role("heading", name="Open data", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Creative Commons Attribution 4.0 International")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Reflexology for reusers")).to_be_visible()
    # Nothing sticks out sideways on a phone: the id tables scroll inside their box.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(f"open-data-{width}")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the export").click()
    download = download_info.value
    assert download.suggested_filename == published_export.archive
    with zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read())) as archive:
        organizations = json.loads(archive.read("organizations.json"))
    assert [organization["name"] for organization in organizations] == ["Clara Weber"]

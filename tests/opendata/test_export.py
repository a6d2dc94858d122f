"""manage.py export_hsds and the daily published export served on /open-data/."""

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from opendata import export
from tests.factories import CredentialFactory, ModalityFactory, ReviewFactory, TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _open_data_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "opendata": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "od"},
        },
    }


def read_directory(path) -> dict[str, object]:
    return {file.stem: json.loads(file.read_text()) for file in path.iterdir()}


def everything_written(path) -> str:
    return "\n".join(file.read_text() for file in sorted(path.iterdir()))


def test_ids_are_the_same_in_two_exports(seeded, tmp_path):
    write_once, write_twice = tmp_path / "one", tmp_path / "two"
    export.write_export(write_once)
    export.write_export(write_twice)
    first, second = read_directory(write_once), read_directory(write_twice)
    assert first["organizations"] == second["organizations"]
    assert first["taxonomy_terms"] == second["taxonomy_terms"]
    assert len({o["id"] for o in first["organizations"]}) == len(first["organizations"])


def test_ids_survive_unrelated_changes_and_a_new_practice(seeded, tmp_path):
    export.write_export(tmp_path / "before")
    TherapistFactory(slug="newcomer")
    export.write_export(tmp_path / "after")
    before = {o["id"]: [s["id"] for s in o["services"]] for o in read_directory(tmp_path / "before")["organizations"]}
    after = {o["id"]: [s["id"] for s in o["services"]] for o in read_directory(tmp_path / "after")["organizations"]}
    assert len(after) == len(before) + 1
    assert all(after[organization] == services for organization, services in before.items())


def test_nothing_unpublished_or_private_leaves_in_the_export_or_the_api(client, tmp_path):
    shown = TherapistFactory(
        display_name="Shown Practice", contact_email="public@practice.example", user__email="login-only@private.example"
    )
    TherapistFactory(display_name="Suspended Sven", suspended=True, contact_email="sven@suspended.example")
    TherapistFactory(display_name="Draft Dora", draft=True)
    CredentialFactory(therapist=shown, title="Pending Diploma", number="PEND-424242")
    CredentialFactory(therapist=shown, rejected=True, title="Rejected Paper", number="REJ-1")
    CredentialFactory(therapist=shown, expired=True, title="Lapsed Licence", number="EXP-1")
    verified = CredentialFactory(therapist=shown, verified=True, number="LIC-777")
    ReviewFactory(
        therapist=shown,
        author=UserFactory(name="Reviewer Rita", email="rita@reviews.example"),
        title="A review title",
        body="Review body text",
    )

    export.write_export(tmp_path / "export")
    written = everything_written(tmp_path / "export")
    api = "\n".join(
        client.get(path).content.decode()
        for path in (
            "/api/hsds/services?per_page=100",
            "/api/hsds/organizations?per_page=100",
            "/api/hsds/service_at_locations?per_page=100",
        )
    )
    organization_id = json.loads((tmp_path / "export" / "organizations.json").read_text())[0]["id"]
    api += client.get(f"/api/hsds/organizations/{organization_id}").content.decode()

    for secret in (
        "Suspended Sven",
        "sven@suspended.example",
        "Draft Dora",
        "login-only@private.example",
        "Pending Diploma",
        "PEND-424242",
        "Rejected Paper",
        "Lapsed Licence",
        "Reviewer Rita",
        "rita@reviews.example",
        "A review title",
        "Review body text",
        "licence.pdf",
        "credentials/",
    ):
        assert secret not in written, secret
        assert secret not in api, secret
    # What the therapist made public is there.
    for public in ("Shown Practice", "public@practice.example", "LIC-777", verified.issuer):
        assert public in written and public in api, public


def test_the_command_writes_a_zip_with_the_four_files(seeded, tmp_path):
    stdout = io.StringIO()
    call_command("export_hsds", str(tmp_path / "hsds.zip"), stdout=stdout)
    with zipfile.ZipFile(tmp_path / "hsds.zip") as archive:
        assert sorted(archive.namelist()) == [
            "export.json",
            "organizations.json",
            "taxonomies.json",
            "taxonomy_terms.json",
        ]
        manifest = json.loads(archive.read("export.json"))
        organizations = json.loads(archive.read("organizations.json"))
    assert manifest["organizations"] == len(organizations) > 0
    assert manifest["licence"] == "CC-BY-4.0"
    assert f"Exported {len(organizations)} organizations" in stdout.getvalue()


@pytest.mark.parametrize("arguments", [[], ["out", "--publish"]])
def test_the_command_wants_either_an_output_or_publish(arguments, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match="either OUTPUT or --publish"):
        call_command("export_hsds", *arguments)


def test_an_output_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "taken").write_text("x")
    with pytest.raises(CommandError, match="not a directory"):
        call_command("export_hsds", str(tmp_path / "taken"))


def test_every_exported_id_resolves_in_the_api(client, tmp_path):
    TherapistFactory(modalities=[ModalityFactory(slug="thai")])
    export.write_export(tmp_path / "export")
    organization = read_directory(tmp_path / "export")["organizations"][0]
    service = organization["services"][0]
    assert client.get(f"/api/hsds/organizations/{organization['id']}").json()["id"] == organization["id"]
    assert client.get(f"/api/hsds/services/{service['id']}").json()["name"] == service["name"]
    at_location = service["service_at_locations"][0]["id"]
    assert client.get(f"/api/hsds/service_at_locations/{at_location}").status_code == 200


def test_the_open_data_page_before_the_first_export(client):
    response = client.get("/open-data/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "has not been published yet" in page
    assert "Creative Commons Attribution 4.0" in page
    assert client.get("/open-data/hsds.zip").status_code == 404


def test_the_published_export_is_on_the_page_and_downloads(client):
    TherapistFactory(display_name="Downloaded Practice")
    summary = export.publish_export()
    page = client.get("/open-data/").content.decode()
    assert summary.exported_at in page
    assert "1 practice offering 1 service," in page
    response = client.get("/open-data/hsds.zip")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{summary.archive}"'
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert "Downloaded Practice" in archive.read("organizations.json").decode()


def test_publishing_keeps_the_last_week_and_serves_the_newest(client, monkeypatch):
    from datetime import UTC, datetime

    stamps = iter(datetime(2026, 11, day, 2, 0, tzinfo=UTC) for day in range(1, 11))

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return next(stamps)

    monkeypatch.setattr(export, "datetime", Clock)
    TherapistFactory()
    for _ in range(9):
        newest = export.publish_export()
    assert len(export.published_manifests()) == export.KEEP_PUBLISHED
    assert export.latest_export().archive == newest.archive == "hsds-20261109T020000Z.zip"


def test_the_daily_export_is_on_the_beat_schedule_and_its_task_publishes(settings):
    from opendata.tasks import publish_export

    assert settings.CELERY_BEAT_SCHEDULE["publish-hsds-export"]["task"] == "opendata.tasks.publish_export"
    TherapistFactory()
    archive = publish_export()
    assert export.latest_export().archive == archive

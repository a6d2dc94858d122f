import io
import json
import zipfile

from django.test import TestCase

from privacy import services
from privacy.models import DataExport


def built_export(user) -> DataExport:
    """Ask for the user's archive; with no broker the build runs on commit, so it is ready on return."""
    # The build is queued on commit; the test's transaction never commits, so run the callbacks here.
    with TestCase.captureOnCommitCallbacks(execute=True):
        export = services.request_export(user=user)
    export.refresh_from_db()
    return export


def archive_of(export: DataExport, storage) -> zipfile.ZipFile:
    with storage.open(export.archive, "rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def data_of(archive: zipfile.ZipFile) -> dict:
    return json.loads(archive.read("data.json"))


def everything(archive: zipfile.ZipFile) -> str:
    """Every byte of the archive as text, to look for what must not be in it."""
    return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())

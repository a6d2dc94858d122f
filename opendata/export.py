"""The bulk HSDS export: every published practice, streamed to a directory or a zip archive.

Files (the organization-package form of HSDS 3.0's compiled schemas):
    organizations.json    a JSON array; each item one organization fully nested with its phones,
                          location and services (validates against schema/compiled/organization.json)
    taxonomies.json       our two taxonomies (schema/taxonomy.json)
    taxonomy_terms.json   the massage types and needs (schema/taxonomy_term.json)
    export.json           when, what version, how many, under which licence

Streaming: practices are read in primary-key batches (keyset, no OFFSET), built, written and
dropped, so memory stays flat whatever the directory's size (bench/RESULTS.md: 100,000 practices).

The daily published export (publish_export) goes to the "opendata" storage under a timestamped
name, its manifest last, so /open-data/ never points at a half-written archive.
"""

import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db.models import Exists, OuterRef

from opendata import hsds
from opendata.listings import listings, vocabulary
from opendata.models import PublishedIdentifier
from therapists.models import Therapist

BATCH = 2000
LICENCE = "CC-BY-4.0"
LICENCE_NAME = "Creative Commons Attribution 4.0 International"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
ATTRIBUTION = "Qualified Touch therapist directory"
STORAGE = "opendata"
KEEP_PUBLISHED = 7


@dataclass
class ExportSummary:
    exported_at: str
    organizations: int
    services: int
    taxonomy_terms: int
    hsds_version: str = hsds.HSDS_VERSION
    licence: str = LICENCE
    licence_url: str = LICENCE_URL
    attribution: str = ATTRIBUTION
    archive: str = ""
    archive_bytes: int = 0


def _progress_noop(label: str, done: int, total: int) -> None:
    pass


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _DirectoryTarget:
    def __init__(self, path: Path):
        path.mkdir(parents=True, exist_ok=True)
        self.path = path

    @contextmanager
    def open(self, name: str):
        with open(self.path / name, "wb") as stream:
            yield stream

    def close(self):
        pass


class _ZipTarget:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        # Level 1: JSON still shrinks about eightfold, and deflate stops being the export's bottleneck.
        self.archive = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)

    @contextmanager
    def open(self, name: str):
        with self.archive.open(name, "w", force_zip64=True) as stream:
            yield stream

    def close(self):
        self.archive.close()


def published_batches(batch: int = BATCH) -> Iterator[list[hsds.Listing]]:
    """Published practices in primary-key order, `batch` at a time."""
    last = 0
    while True:
        ids = list(
            Therapist.objects.published().filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return
        found = listings(ids)
        yield [found[pk] for pk in ids if pk in found]
        last = ids[-1]


def record_identifiers() -> int:
    """Record the ids of every published practice and service not recorded yet, so each id of the
    export resolves in the API. Set-wise: the rows still missing are found by two anti-joins, so the
    daily run, with almost nothing new, costs two queries. Returns how many ids were added."""
    Kind = PublishedIdentifier.Kind
    published = Therapist.objects.published()
    new_practices = published.exclude(
        Exists(PublishedIdentifier.objects.filter(therapist=OuterRef("pk"), kind=Kind.ORGANIZATION))
    ).values_list("pk", flat=True)
    new_services = (
        Therapist.modalities.through.objects.filter(therapist__in=published)
        .exclude(
            Exists(
                PublishedIdentifier.objects.filter(
                    therapist=OuterRef("therapist_id"), modality=OuterRef("modality_id"), kind=Kind.SERVICE
                )
            )
        )
        .values_list("therapist_id", "modality_id")
    )

    def missing():
        for pk in list(new_practices):
            yield PublishedIdentifier(uuid=hsds.hsds_id("organization", pk), kind=Kind.ORGANIZATION, therapist_id=pk)
        for therapist_id, modality_id in list(new_services):
            for kind in (Kind.SERVICE, Kind.SERVICE_AT_LOCATION):
                yield PublishedIdentifier(
                    uuid=hsds.hsds_id(kind, therapist_id, modality_id),
                    kind=kind,
                    therapist_id=therapist_id,
                    modality_id=modality_id,
                )

    # In slices: the first export of a large directory records half a million ids.
    added, rows = 0, missing()
    while chunk := list(islice(rows, BATCH)):
        PublishedIdentifier.objects.remember(chunk)
        added += len(chunk)
    return added


def write_export(
    output: Path, *, progress: Callable[[str, int, int], None] = _progress_noop, now: datetime | None = None
) -> ExportSummary:
    """Write the export to `output`: a zip archive when it ends in .zip, else a directory."""
    now = now or datetime.now(UTC)
    terms = vocabulary()
    record_identifiers()
    total = Therapist.objects.published().count()
    target = _ZipTarget(output) if output.suffix == ".zip" else _DirectoryTarget(output)
    organizations = services = 0
    try:
        with target.open("organizations.json") as stream:
            stream.write(b"[")
            for batch in published_batches():
                chunk = [_dumps(hsds.organization(listing, terms)) for listing in batch]
                if organizations and chunk:
                    stream.write(b",\n")
                stream.write(",\n".join(chunk).encode())
                organizations += len(batch)
                services += sum(len(listing.modality_ids) for listing in batch)
                progress("organizations", min(organizations, total), total)
            stream.write(b"]\n")
        progress("organizations", total, total)
        with target.open("taxonomies.json") as stream:
            stream.write(_dumps([hsds.taxonomy(key, terms) for key in hsds.TAXONOMIES]).encode())
        term_list = [hsds.taxonomy_term(term, terms) for term in terms.terms()]
        with target.open("taxonomy_terms.json") as stream:
            stream.write(_dumps(term_list).encode())
        summary = ExportSummary(
            exported_at=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
            organizations=organizations,
            services=services,
            taxonomy_terms=len(term_list),
        )
        with target.open("export.json") as stream:
            stream.write(json.dumps(asdict(summary), indent=2).encode())
    finally:
        target.close()
    return summary


def publish_export(*, progress: Callable[[str, int, int], None] = _progress_noop) -> ExportSummary:
    """The daily export: a zip in the "opendata" storage, then its manifest; older ones pruned."""
    storage = storages[STORAGE]
    now = datetime.now(UTC)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    name = f"hsds-{stamp}.zip"
    with tempfile.TemporaryDirectory(prefix="hsds-export-") as scratch:
        archive = Path(scratch) / name
        summary = write_export(archive, progress=progress, now=now)
        summary.archive = name
        summary.archive_bytes = archive.stat().st_size
        with open(archive, "rb") as stream:
            storage.save(name, File(stream))
    # The manifest last: until it exists, nobody is pointed at the archive.
    storage.save(f"hsds-{stamp}.json", ContentFile(json.dumps(asdict(summary), indent=2).encode()))
    for old in published_manifests()[KEEP_PUBLISHED:]:
        storage.delete(old)
        storage.delete(old.removesuffix(".json") + ".zip")
    return summary


def published_manifests() -> list[str]:
    """Manifest names in the storage, newest first (the timestamp sorts as text)."""
    storage = storages[STORAGE]
    try:
        _, files = storage.listdir("")
    except FileNotFoundError:
        return []
    return sorted((name for name in files if name.startswith("hsds-") and name.endswith(".json")), reverse=True)


def latest_export() -> ExportSummary | None:
    """The newest published export whose archive is there, or None before the first one."""
    storage = storages[STORAGE]
    for manifest in published_manifests():
        with storage.open(manifest, "rb") as stream:
            try:
                summary = ExportSummary(**json.load(stream))
            except (ValueError, TypeError):
                continue
        if summary.archive and storage.exists(summary.archive):
            return summary
    return None

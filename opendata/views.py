from django.core.files.storage import storages
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from directory.lib.cache import cache_public_page
from opendata import export, hsds
from opendata.listings import vocabulary


@require_GET
@cache_public_page
def open_data(request):
    terms = vocabulary()
    taxonomies = [
        {
            "described": described,
            "terms": [term for term in terms.terms() if term.taxonomy == key],
        }
        for key, described in hsds.TAXONOMIES.items()
    ]
    return render(
        request,
        "opendata/open_data.html",
        {
            "latest": export.latest_export(),
            "taxonomies": taxonomies,
            "licence_name": export.LICENCE_NAME,
            "licence_url": export.LICENCE_URL,
            "attribution": export.ATTRIBUTION,
            "keep": export.KEEP_PUBLISHED,
        },
    )


@require_GET
def download(request):
    """The newest daily export, at one stable URL that reusers can fetch every day."""
    latest = export.latest_export()
    if latest is None:
        raise Http404("No export has been published yet.")
    # Streamed from the storage in blocks: the archive is tens of megabytes.
    response = FileResponse(
        storages[export.STORAGE].open(latest.archive, "rb"),
        as_attachment=True,
        filename=latest.archive,
        content_type="application/zip",
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response

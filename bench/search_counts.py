"""Time search pages with facet counts, uncached, in process (issue 19).

Every request starts with an empty cache (no cached page, count, facet counts, choices or
vocabulary), so each one pays the full SQL: the listing count, the page's rows, their massage
types and the one UNION of facet counts (plus, for a misspelt word, the vocabulary and the
correction). The Django test client runs the view in this process: the figures are the
application's time without network or gunicorn, the same for every row.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_search_bench \\
        .venv/bin/python bench/search_counts.py --repeat 30
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
# The in-process test client sends no Host header of its own: allow the test server's.
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from reviews.models import Review  # noqa: E402
from therapists.models import Therapist  # noqa: E402

PAGES = [
    ("no filter", "/therapists/"),
    ("city", "/therapists/?city=Berlin"),
    ("city+radius+modality", "/therapists/?city=Berlin&radius_km=25&modality=lymphatic-drainage"),
    ("q + verified + language", "/therapists/?q=sports&verified=1&language=de"),
    ("three families", "/therapists/?modality=deep-tissue&modality=sports&need=stress-sleep&accepting=1"),
    ("misspelt q (corrected)", "/therapists/?q=masage"),
    ("empty (way out)", "/therapists/?city=Berlin&radius_km=1&modality=honey&need=skin&verified=1"),
]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    client = Client()
    therapists = Therapist.objects.count()
    reviews = Review.objects.count()
    print(f"{connection.vendor}, {therapists:,} therapists / {reviews:,} reviews, {args.repeat} requests per page, "
          f"load average {' / '.join(f'{load:.2f}' for load in os.getloadavg())}")
    print("| page | path | queries | median ms | p95 ms |")
    print("| --- | --- | ---: | ---: | ---: |")
    for name, path in PAGES:
        cache.clear()
        client.get(path)  # warm the process (gazetteer, templates), not the cache
        timings, queries = [], 0
        for _ in range(args.repeat):
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            queries = max(queries, len(captured))
        print(f"| {name} | `{path}` | {queries} | {statistics.median(timings):.1f} | {percentile(timings, 0.95):.1f} |")


if __name__ == "__main__":
    main()

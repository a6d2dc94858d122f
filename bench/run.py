"""Benchmark the directory at 100,000 therapists / 1,000,000 reviews (PostgreSQL) or 10,000 / 100,000 (SQLite).

    python bench/run.py                      # PostgreSQL, DATABASE_URL or postgres://postgres@127.0.0.1:5432/bench
    python bench/run.py --sqlite             # SQLite file /tmp/bench/bench-10k.sqlite3, runs anywhere
    python bench/run.py --label after        # the heading of this run's section in bench/RESULTS.md

Seeds only an empty database, reuses one already seeded at the target size, and refuses anything
in between. See bench/README.md for what each column means.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
LUA = ROOT / "bench" / "wrk_report.lua"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/bench"
SQLITE_FILE = Path("/tmp/bench/bench-10k.sqlite3")  # noqa: S108 - a scratch data set, rebuilt when missing # nosec B108
# Production refuses a short or development key; this one is only ever used on loopback.
SECRET_KEY = "bench-only-secret-key-" + "k7Qm2xVt9Lp4Rz8Ws1Yn6Hc3Jd5Fg0Bq"
# Where the lead recorded the timings of seeding the shared data sets.
LEAD_LOGS = Path("/tmp/bench")  # noqa: S108 - read only, when present # nosec B108

# Full-text word and massage type that occur in the demo data (therapists/demo.py).
SEARCH_WORD = "lymphatic"
MODALITY = "lymphatic-drainage"

# The targets, PostgreSQL 100k/1M on this machine.
MAX_QUERIES = 6
MAX_MEDIAN_MS = 50
MAX_P95_MS = 100
MIN_HEALTHZ_RATIO = 0.35
MAX_DEEP_PAGE_FACTOR = 2
MAX_RECOMPUTE_S = 20


@dataclass
class Page:
    name: str
    path: str
    is_search: bool = False
    queries: int | None = None
    queries_logged_in: int | None = None
    median_ms: float | None = None
    p95_ms: float | None = None
    rps: float | None = None
    ratio: float | None = None
    non_2xx: int = 0
    logged_in_median_ms: float | None = None
    logged_in_p95_ms: float | None = None
    explains: list = field(default_factory=list)  # (role, ms, index names or "seq scan …")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", action="store_true", help="10,000 therapists / 100,000 reviews on SQLite")
    parser.add_argument("--database-url", default=None, help=f"default: DATABASE_URL or {POSTGRES_URL}")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page (default 10)")
    parser.add_argument("--connections", type=int, default=2, help="wrk connections (default 2: one per worker)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8201)
    parser.add_argument("--label", default="latest", help="section name in bench/RESULTS.md")
    parser.add_argument("--skip-recompute", action="store_true", help="do not time recompute_scores in this run")
    parser.add_argument("--no-write", action="store_true", help="print the table, leave RESULTS.md alone")
    return parser.parse_args()


def main():
    args = parse_args()
    if args.sqlite:
        database_url, therapists, reviews, deep_page = f"sqlite:///{SQLITE_FILE}", 10_000, 100_000, 200
        SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
    else:
        database_url = args.database_url or os.environ.get("DATABASE_URL") or POSTGRES_URL
        therapists, reviews, deep_page = 100_000, 1_000_000, 2000
        ensure_postgres_database(database_url)
    backend = "sqlite" if args.sqlite else "postgresql"
    static_root = Path(tempfile.mkdtemp(prefix="bench-static-"))
    env = production_env(database_url, static_root)
    os.environ.update(env)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    load_before = os.getloadavg()
    started_at = datetime.now(UTC)

    manage(["migrate", "--noinput", "-v0"], env)
    timings = ensure_seeded(env, backend, therapists, reviews)
    if not args.skip_recompute:
        timings["recompute (this run, no-op)"] = timed_manage(["recompute_scores"], env)
    manage(["collectstatic", "--noinput", "-v0"], env)

    import django

    django.setup()
    analyse_tables(backend)
    pages = build_pages(deep_page)
    session_cookie = count_queries_and_explain(pages, backend)
    measure_load(pages, args, env, session_cookie)
    load_after = os.getloadavg()

    report = render_report(args, backend, therapists, reviews, pages, timings, load_before, load_after, started_at)
    print(report)
    if not args.no_write:
        write_section(f"{args.label} · {backend}", report)
        print(f"\nWritten to {RESULTS.relative_to(ROOT)} (section “{args.label} · {backend}”).")


def production_env(database_url: str, static_root: Path) -> dict:
    return {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "directory.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_ROOT": str(static_root),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2"),
        # Per second: DRF keeps one timestamp per request of the window in the cache, and a minute
        # of this load made that list, read and written on every request, the API's main cost.
        "API_THROTTLE_RATE": "100000000/second",
        "DJANGO_LOG_LEVEL": "ERROR",
    }


def manage(arguments: list[str], env: dict) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments], env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def timed_manage(arguments: list[str], env: dict) -> str:
    started = time.monotonic()
    manage(arguments, env)
    return f"{time.monotonic() - started:.1f} s (`manage.py {' '.join(arguments)}`)"


def ensure_postgres_database(database_url: str) -> None:
    """Create the database when the server has none of that name; never drop one."""
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def count_rows(env: dict) -> tuple[int, int]:
    output = manage(
        [
            "shell",
            "-c",
            "from therapists.models import Therapist; from reviews.models import Review; "
            "print(Therapist.objects.count(), Review.objects.count())",
        ],
        env,
    )
    therapists, reviews = output.split()[-2:]
    return int(therapists), int(reviews)


def ensure_seeded(env: dict, backend: str, therapists: int, reviews: int) -> dict[str, str]:
    """Seed an empty database and time it; reuse one already at the target size."""
    have_therapists, have_reviews = count_rows(env)
    if (have_therapists, have_reviews) == (0, 0):
        seed = ["seed_demo", "--therapists", str(therapists), "--reviews", str(reviews), "--seed", "1"]
        return {
            "seed_demo (this run)": timed_manage(seed, env),
            "recompute_scores (this run)": timed_manage(["recompute_scores"], env),
        }
    if have_therapists != therapists or have_reviews != reviews:
        sys.exit(
            f"The database has {have_therapists:,} therapists and {have_reviews:,} reviews, not "
            f"{therapists:,} / {reviews:,}. Point DATABASE_URL at an empty database or one seeded at that size."
        )
    return lead_timings(backend)


def lead_timings(backend: str) -> dict[str, str]:
    """The seed and recompute timings recorded when the reused data set was made (see README.md)."""
    suffix = "pg" if backend == "postgresql" else "sqlite"
    timings = {}
    for step, log in (("seed_demo", f"seed_{suffix}.log"), ("recompute_scores", f"recompute_{suffix}.log")):
        path = LEAD_LOGS / log
        if not path.exists():
            continue
        walls = re.findall(r"wall ([\d.]+) s", path.read_text())
        if walls:
            timings[f"{step} (when seeded, {path})"] = ", ".join(f"{wall} s" for wall in walls)
    return timings or {"seed_demo": "reused an existing data set; no timing recorded"}


def analyse_tables(backend: str) -> None:
    """Fresh planner statistics, as autovacuum would have by now on a live database."""
    from django.db import connection

    with connection.cursor() as cursor:
        if backend == "postgresql":
            for table in ("therapists_therapist", "therapists_therapist_modalities", "reviews_review"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        else:
            cursor.execute("ANALYZE")


def build_pages(deep_page: int) -> list[Page]:
    from django.db.models import F, Func

    from therapists.models import Therapist

    profile = (
        Therapist.objects.published()
        .annotate(distance=Func(F("review_count") - 500, function="ABS"))
        .order_by("distance", "pk")
        .values_list("slug", "review_count")
        .first()
    )
    slug, review_count = profile
    return [
        Page("home", "/"),
        Page("search", "/therapists/", is_search=True),
        Page(f"search q={SEARCH_WORD}", f"/therapists/?q={SEARCH_WORD}", is_search=True),
        Page(
            "search city+radius+modality",
            f"/therapists/?city=Berlin&radius_km=25&modality={MODALITY}",
            is_search=True,
        ),
        Page(f"search page {deep_page}", f"/therapists/?page={deep_page}", is_search=True),
        Page(f"profile ({review_count} reviews)", f"/therapists/{slug}/"),
        Page("API list", "/api/v1/therapists/", is_search=True),
        Page("healthz", "/healthz"),
    ]


def count_queries_and_explain(pages: list[Page], backend: str) -> str:
    """Queries per page with the test client in-process, anonymous and logged in, on the same database.

    Returns the logged-in client's session cookie (sessions live in the shared Redis), for wrk.
    """
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    anonymous = Client(HTTP_HOST="127.0.0.1")
    logged_in = Client(HTTP_HOST="127.0.0.1")
    # A client: neither staff nor a moderator (a moderator's pages add the pending-credentials count).
    user = (
        get_user_model()
        .objects.filter(is_staff=False, is_superuser=False, therapist__isnull=True)
        .exclude(groups__permissions__codename="moderate")
        .order_by("pk")
        .first()
    )
    logged_in.force_login(user)
    for page in pages:
        for client in (anonymous, logged_in):  # warms the shared caches: search choices, large counts
            client.get(page.path)
        forget_public_page(page.path)  # count the queries of rendering the page, not of a cache hit
        with CaptureQueriesContext(connection) as captured:
            response = anonymous.get(page.path)
        if response.status_code != 200:
            sys.exit(f"{page.path} answered {response.status_code} in-process")
        page.queries = len(captured)
        statements = [query["sql"] for query in captured]
        with CaptureQueriesContext(connection) as captured:
            logged_in.get(page.path)
        page.queries_logged_in = len(captured)
        if page.is_search:
            page.explains = [explain(sql, backend) for sql in statements if is_listing_query(sql)]
    cookie = settings.SESSION_COOKIE_NAME
    return f"{cookie}={logged_in.cookies[cookie].value}"


def forget_public_page(path: str) -> None:
    # Every cached page: a profile's key also carries its therapist's version (directory/lib/cache.py).
    from directory.lib.cache import invalidate_public_pages

    invalidate_public_pages()


def is_listing_query(sql: str) -> bool:
    """A query over the therapist table itself (page rows or count), not a prefetch or a lookup table."""
    return bool(re.search(r'FROM "therapists_therapist"(?!_)', sql)) or sql.startswith("SELECT COUNT(*) FROM (SELECT")


def explain(sql: str, backend: str) -> tuple[str, float, str]:
    from django.db import connection

    role = "count" if re.match(r"SELECT COUNT\(\*\)", sql) else "rows"
    with connection.cursor() as cursor:
        if backend == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
            return role, plan["Execution Time"], describe_pg_plan(plan["Plan"])
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        details = [row[-1] for row in cursor.fetchall()]
        started = time.perf_counter()
        cursor.execute(sql)
        cursor.fetchall()
        elapsed = (time.perf_counter() - started) * 1000
    indexes = sorted({m for d in details for m in re.findall(r"USING (?:COVERING )?INDEX (\w+)", d)})
    scans = [d for d in details if d.startswith("SCAN therapists_therapist") and "INDEX" not in d]
    return role, elapsed, ", ".join(indexes + ["full scan of therapists_therapist"] * bool(scans)) or "-"


def describe_pg_plan(plan: dict) -> str:
    """Index names the plan reads therapists_therapist through, or the sequential scan."""
    indexes, seq_scans = set(), set()

    def walk(node):
        if node.get("Index Name"):
            indexes.add(node["Index Name"])
        if node.get("Node Type") == "Seq Scan":
            seq_scans.add(node.get("Relation Name"))
        for child in node.get("Plans", []):
            walk(child)

    walk(plan)
    parts = sorted(indexes) + [f"seq scan {table}" for table in sorted(seq_scans)]
    return ", ".join(parts) or "-"


def measure_load(pages: list[Page], args, env: dict, session_cookie: str) -> None:
    """Serve with gunicorn (production settings) and load each page with wrk for --duration seconds.

    HTML pages are loaded a second time as a logged-in client, whose pages are never cached.
    """
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "directory.wsgi:application",
            f"--workers={args.workers}",
            f"--bind=127.0.0.1:{args.port}",
            "--log-level=warning",
        ],
        env={**os.environ, **env},
        cwd=ROOT,
    )
    try:
        wait_until_up(f"{base}/healthz")
        floor = next(page for page in pages if page.path == "/healthz")
        for page in pages:
            wrk(base + page.path, 2, args)  # warm-up: connections, cached templates, caches
            figures = wrk(base + page.path, args.duration, args)
            page.median_ms = figures["p50_us"] / 1000
            page.p95_ms = figures["p95_us"] / 1000
            page.rps = figures["requests"] / (figures["duration_us"] / 1e6)
            page.non_2xx = figures["non_2xx"] + figures["socket_errors"]
            if is_html(page):
                wrk(base + page.path, 2, args, session_cookie)
                figures = wrk(base + page.path, args.duration, args, session_cookie)
                page.logged_in_median_ms = figures["p50_us"] / 1000
                page.logged_in_p95_ms = figures["p95_us"] / 1000
                page.non_2xx += figures["non_2xx"] + figures["socket_errors"]
        for page in pages:
            page.ratio = page.rps / floor.rps
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only # nosec B310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer {url} within 60 s")


def is_html(page: Page) -> bool:
    return not page.path.startswith(("/api/", "/healthz"))


def wrk(url: str, seconds: int, args, cookie: str | None = None) -> dict:
    assert url.startswith("http://127.0.0.1:"), "load goes to loopback only"
    command = ["wrk", "-t1", f"-c{args.connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA), url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if line is None:
        sys.exit(f"wrk failed for {url}:\n{result.stdout}\n{result.stderr}")
    return json.loads(line.removeprefix("BENCH_JSON "))


def render_report(args, backend, therapists, reviews, pages, timings, load_before, load_after, started_at) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    lines = [
        f"Run {started_at:%Y-%m-%d %H:%M} UTC, commit {commit.stdout.strip()}{' + uncommitted changes' * bool(dirty)}, "
        f"{backend}, {therapists:,} therapists / {reviews:,} reviews. gunicorn {args.workers} sync workers, "
        f"wrk 1 thread {args.connections} connections {args.duration} s per page, on loopback. "
        f"Load average before {load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f}, "
        f"after {load_after[0]:.2f} / {load_after[1]:.2f} / {load_after[2]:.2f} ({os.cpu_count()} cores).",
        "",
        "| page | path | queries | queries logged in | median ms | p95 ms | req/s | × healthz "
        "| logged in: median / p95 ms | EXPLAIN ANALYZE ms: plan |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for page in pages:
        explains = "<br>".join(f"{role} {ms:.1f} ms: {how}" for role, ms, how in page.explains) or ""
        errors = f" ({page.non_2xx} errors)" if page.non_2xx else ""
        logged_in = f"{page.logged_in_median_ms:.1f} / {page.logged_in_p95_ms:.1f}" if is_html(page) else ""
        lines.append(
            f"| {page.name} | `{page.path}` | {page.queries} | {page.queries_logged_in} | {page.median_ms:.1f} | "
            f"{page.p95_ms:.1f} | {page.rps:.0f}{errors} | {page.ratio:.2f} | {logged_in} | {explains} |"
        )
    lines += ["", *[f"- {step}: {value}" for step, value in timings.items()]]
    lines += ["", *check_targets(pages, timings, backend)]
    return "\n".join(lines)


def check_targets(pages: list[Page], timings: dict, backend: str) -> list[str]:
    first = next(page for page in pages if page.path == "/therapists/")
    deep = next(page for page in pages if "page=" in page.path)
    searches = [page for page in pages if page.is_search]
    checks = [
        (f"every page ≤ {MAX_QUERIES} queries", all(p.queries <= MAX_QUERIES for p in pages)),
        (
            f"every page ≤ {MAX_QUERIES} queries logged in too",
            all(p.queries_logged_in <= MAX_QUERIES for p in pages),
        ),
        (
            f"search pages median < {MAX_MEDIAN_MS} ms and p95 < {MAX_P95_MS} ms",
            all(p.median_ms < MAX_MEDIAN_MS and p.p95_ms < MAX_P95_MS for p in searches),
        ),
        (
            f"search pages ≥ {MIN_HEALTHZ_RATIO:.0%} of /healthz throughput",
            all(p.ratio >= MIN_HEALTHZ_RATIO for p in searches),
        ),
        (
            f"deep page ≤ {MAX_DEEP_PAGE_FACTOR}× page 1 (median {deep.median_ms:.1f} vs {first.median_ms:.1f} ms)",
            deep.median_ms <= MAX_DEEP_PAGE_FACTOR * first.median_ms,
        ),
        ("no errors under load", all(p.non_2xx == 0 for p in pages)),
    ]
    recompute = [float(m) for k, v in timings.items() if "recompute" in k for m in re.findall(r"([\d.]+) s\b", v)]
    if recompute:
        slowest = max(recompute)
        text = f"recompute_scores < {MAX_RECOMPUTE_S} s (slowest recorded {slowest:.1f} s)"
        checks.append((text, slowest < MAX_RECOMPUTE_S))
    heading = "Targets (PostgreSQL 100k/1M; informative on SQLite):" if backend == "sqlite" else "Targets:"
    return [heading, *[f"- {'met' if ok else '**missed**'}: {text}" for text, ok in checks]]


def write_section(title: str, body: str) -> None:
    """Replace this label's section of RESULTS.md, or append it; other sections stay as they are."""
    start, end = f"<!-- bench:{title} -->", f"<!-- /bench:{title} -->"
    section = f"{start}\n### {title}\n\n{body}\n{end}"
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()

"""Load with faults: nothing acknowledged is lost, nothing is written twice, scores stay consistent.

Run with `make loadtest` (see bench/LOAD_FAULTS.md). It needs the machine's PostgreSQL and Redis and
root (to restart PostgreSQL). What it does:

1. Creates the PostgreSQL database `loadtest` (dropped at the end), migrates, seeds demo data and
   load-test client accounts, and starts gunicorn with 4 workers on 127.0.0.1 (Redis db 4).
2. Drives a bounded mixed load for a fixed time from threads, each with its own loopback source
   address (127.0.0.x) like distinct visitors: searches, profiles, API calls, logins, review posts
   from many client accounts, and one moderator hiding/restoring reviews and deciding credentials.
3. Mid-run, kills one gunicorn worker with SIGKILL, and later restarts PostgreSQL once.
4. Checks that every acknowledged review (a redirect after POST) exists exactly once, that no
   (therapist, author) pair has two reviews, that every acknowledged moderation decision is logged
   exactly once, and that every therapist's denormalised rating/count/score equals a fresh
   recomputation (recompute_scores() changes nothing). Prints the error rate outside the fault
   windows and how long after the PostgreSQL restart requests succeeded again.

Exits 1 on any lost or duplicated write or inconsistent score. Only ever talks to 127.0.0.1.
"""

import argparse
import http.client
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PORTS = range(8301, 8310)
DATABASE = "loadtest"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/4"
PASSWORD = "load-test-password-2026"  # noqa: S105 - throwaway accounts in a throwaway database
MODERATOR_EMAIL = "load-moderator@loadtest.example"
RESULTS = ROOT / "bench" / "LOAD_FAULTS_RESULTS.md"
MARKER = re.compile(r"loadtest-([0-9a-f]{32})")
# Load shape: (action, weight). Reads dominate, as on a directory.
MIX = [("search", 35), ("profile", 25), ("api", 12), ("review", 20), ("login", 4)]
SEARCHES = ["", "q=sports", "q=deep+tissue", "city=Berlin", "city=Paris%2C+FR&radius_km=50", "verified=1",
            "sort=rating", "min_rating=4", "accepting=1&sort=experience", "q=massage&page=2"]


def server_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    return {
        **env,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "REDIS_URL": REDIS_URL,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "load-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
        "DJANGO_TESTING": "true",  # static files without a collectstatic manifest
        "API_THROTTLE_RATE": "100000/minute",
    }


# --- setup ------------------------------------------------------------------------------------


def recreate_database(*, drop_only=False) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        if not drop_only:
            connection.execute(f"CREATE DATABASE {DATABASE}")


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=server_env(), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)


def prepare(clients: int) -> dict:
    """Migrate, seed, make accounts; return what the load needs to know (ids, slugs)."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    recreate_database()
    manage("migrate", "--noinput")
    manage("seed_demo", "--therapists", "300", "--reviews", "3000", "--seed", "7")

    os.environ.update(server_env())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connections

    from accounts.models import User
    from reviews.models import Review
    from therapists.models import Credential, Therapist

    password_hash = make_password(PASSWORD)
    users = User.objects.bulk_create(
        [User(email=f"load-client-{i}@loadtest.example", password=password_hash, name=f"Load {i}")
         for i in range(clients)]
        + [User(email=MODERATOR_EMAIL, password=password_hash, name="Load Moderator")]
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users]
    )
    Group.objects.get(name="moderators").user_set.add(users[-1])
    therapists = {
        slug: [modality for modality in modalities if modality is not None]
        for slug, modalities in _modalities_by_slug(Therapist.objects.published())
    }
    review_ids = list(
        Review.objects.published().filter(therapist__status=Therapist.Status.PUBLISHED).values_list("pk", flat=True)
    )
    pending = list(Credential.objects.pending().values_list("pk", flat=True))
    connections.close_all()  # nothing of ours holds a connection through the PostgreSQL restart
    return {
        "clients": [user.email for user in users[:-1]],
        "therapists": therapists,
        "review_ids": review_ids,
        "pending_credentials": pending,
    }


def _modalities_by_slug(therapists):
    grouped: dict[str, list] = {}
    for slug, modality_id in therapists.values_list("slug", "modalities__pk"):
        grouped.setdefault(slug, []).append(modality_id)
    return grouped.items()


def free_port() -> int:
    import socket

    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def start_gunicorn(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "directory.wsgi", "--bind", f"{HOST}:{port}", "--workers", "4",
         "--timeout", "30", "--graceful-timeout", "5"],
        cwd=ROOT, env=server_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if Client(port, HOST).request("GET", "/healthz").status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


# --- the load ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str
    start: float
    end: float
    status: int | None  # None: no HTTP answer at all (connection reset, timeout)
    error: str = ""


@dataclass
class Response:
    status: int
    headers: list
    body: str


class Client:
    """One visitor: its own loopback source address and cookie jar; a new connection per request."""

    def __init__(self, port: int, source: str):
        self.port, self.source, self.cookies = port, source, {}

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=20, source_address=(self.source, 0))
        headers = {"Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            # Django accepts the unmasked secret from the cookie as the form token.
            body = urlencode({"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie_name, _, rest = value.partition("=")
                    self.cookies[cookie_name] = rest.split(";", 1)[0]
            return Response(response.status, response.getheaders(), response.read().decode(errors="replace"))
        finally:
            connection.close()


@dataclass
class Shared:
    port: int
    data: dict
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    outcomes: list = field(default_factory=list)
    acknowledged_reviews: set = field(default_factory=set)  # marker tokens
    attempted_reviews: set = field(default_factory=set)
    acknowledged_decisions: list = field(default_factory=list)  # (action, target_id)
    max_requests: int = 200_000

    def record(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)
            if len(self.outcomes) >= self.max_requests:
                self.stop.set()


def timed(shared: Shared, kind: str, call) -> Response | None:
    start = time.monotonic()
    try:
        response = call()
    except (OSError, http.client.HTTPException) as error:
        shared.record(Outcome(kind, start, time.monotonic(), None, type(error).__name__))
        return None
    shared.record(Outcome(kind, start, time.monotonic(), response.status))
    return response


def redirected_to_login(response: Response) -> bool:
    location = next((value for name, value in response.headers if name.lower() == "location"), "")
    return location.startswith("/accounts/login/")


def log_in(shared: Shared, client: Client, email: str) -> bool:
    client.cookies.clear()
    if timed(shared, "login-form", lambda: client.request("GET", "/accounts/login/")) is None:
        return False
    response = timed(
        shared, "login", lambda: client.request("POST", "/accounts/login/", {"login": email, "password": PASSWORD})
    )
    return response is not None and response.status == 302


def visitor(shared: Shared, index: int, accounts: list[str]) -> None:
    rng = random.Random(index)
    source = f"127.0.0.{20 + index}"
    slugs = list(shared.data["therapists"])
    sessions = {email: Client(shared.port, source) for email in accounts}
    logged_in: set[str] = set()
    reviewed: dict[str, set] = {email: set() for email in accounts}
    anonymous = Client(shared.port, source)
    actions, weights = zip(*MIX, strict=True)
    while not shared.stop.is_set():
        action = rng.choices(actions, weights)[0]
        if action == "search":
            timed(shared, "search", lambda: anonymous.request("GET", f"/therapists/?{rng.choice(SEARCHES)}"))
        elif action == "profile":
            timed(shared, "profile", lambda: anonymous.request("GET", f"/therapists/{rng.choice(slugs)}/"))
        elif action == "api":
            path = rng.choice(["/api/v1/therapists/?sort=score", f"/api/v1/therapists/{rng.choice(slugs)}/"])
            timed(shared, "api", lambda path=path: anonymous.request("GET", path))
        elif action == "login":
            email = rng.choice(accounts)
            if log_in(shared, sessions[email], email):
                logged_in.add(email)
        else:
            email = rng.choice(accounts)
            client = sessions[email]
            if email not in logged_in:
                if not log_in(shared, client, email):
                    continue
                logged_in.add(email)
            candidates = [slug for slug in rng.sample(slugs, 5) if slug not in reviewed[email]]
            if not candidates:
                continue
            slug = candidates[0]
            # One attempt per (author, therapist), never retried: a retry would be an edit, not a new review.
            reviewed[email].add(slug)
            token = uuid.uuid4().hex
            modalities = shared.data["therapists"][slug]
            form = {
                "rating": str(rng.randint(1, 5)),
                "consultation_given": rng.choice(["True", "False"]),
                "unwanted_effects": rng.choice(["True", "False"]),
                "aftercare_given": rng.choice(["True", "False"]),
                "title": "Load test visit",
                "body": f"A session written by the load test, marker loadtest-{token}.",
                "visit_date": (date.today() - timedelta(days=rng.randint(1, 300))).isoformat(),
                "modality": str(rng.choice(modalities)) if modalities else "",
            }
            with shared.lock:
                shared.attempted_reviews.add(token)
            response = timed(
                shared, "review", lambda client=client, slug=slug, form=form: client.request(
                    "POST", f"/therapists/{slug}/review/", form
                )
            )
            if response is not None and response.status == 302:
                if redirected_to_login(response):
                    logged_in.discard(email)
                else:
                    with shared.lock:
                        shared.acknowledged_reviews.add(token)


def moderator(shared: Shared, index: int) -> None:
    rng = random.Random(1000 + index)
    client = Client(shared.port, f"127.0.0.{20 + index}")
    review_ids = list(shared.data["review_ids"])
    rng.shuffle(review_ids)
    pending = list(shared.data["pending_credentials"])
    hidden: list[int] = []
    logged_in = False
    while not shared.stop.is_set():
        if not logged_in:
            logged_in = log_in(shared, client, MODERATOR_EMAIL)
            if not logged_in:
                time.sleep(0.5)
                continue
        choice = rng.random()
        if choice < 0.4 and review_ids:
            pk, action, form = review_ids.pop(), "hide_review", {"hide-reason": "Load test: off-topic."}
        elif choice < 0.7 and hidden:
            pk, action, form = hidden.pop(0), "restore_review", {"restore-reason": ""}
        elif pending:
            pk = pending.pop()
            action = rng.choice(["verify_credential", "reject_credential"])
            form = {"expires_on": ""} if action == "verify_credential" else {"reject-reason": "Load test: illegible."}
        else:
            time.sleep(0.2)
            continue
        path = {
            "hide_review": f"/moderation/reviews/{pk}/hide/",
            "restore_review": f"/moderation/reviews/{pk}/restore/",
            "verify_credential": f"/moderation/credentials/{pk}/verify/",
            "reject_credential": f"/moderation/credentials/{pk}/reject/",
        }[action]
        response = timed(shared, "moderation", lambda path=path, form=form: client.request("POST", path, form))
        if response is not None and response.status == 302:
            if redirected_to_login(response):
                logged_in = False
                continue
            with shared.lock:
                shared.acknowledged_decisions.append((action, pk))
            if action == "hide_review":
                hidden.append(pk)
        time.sleep(0.1)


# --- faults -----------------------------------------------------------------------------------


@dataclass
class Faults:
    kill_at: float = 0.0
    restart_start: float = 0.0
    restart_end: float = 0.0
    killed_pid: int = 0
    restart_error: str = ""


def run_faults(shared: Shared, master: int, faults: Faults, started: float, kill_after: float, restart_after: float,
               pg_version: str) -> None:
    if shared.stop.wait(max(0.0, started + kill_after - time.monotonic())):
        return
    victim = random.Random(5).choice(worker_pids(master))
    faults.kill_at = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    faults.killed_pid = victim
    if shared.stop.wait(max(0.0, started + restart_after - time.monotonic())):
        return
    faults.restart_start = time.monotonic()
    result = subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", "--mode", "fast", pg_version, "main", "restart"],
        capture_output=True, text=True, timeout=120,
    )
    faults.restart_end = time.monotonic()
    if result.returncode != 0:
        faults.restart_error = (result.stderr or result.stdout).strip()


# --- checks -----------------------------------------------------------------------------------


def check_writes(shared: Shared) -> dict:
    from django.db import connections
    from django.db.models import Count

    from moderation.models import Decision
    from reviews.models import Review
    from therapists.scores import recompute_scores

    connections.close_all()  # whatever connection we had died with the restart
    found = Counter()
    for body in Review.objects.filter(body__contains="loadtest-").values_list("body", flat=True):
        for token in MARKER.findall(body):
            found[token] += 1
    acknowledged = shared.acknowledged_reviews
    lost = sorted(token for token in acknowledged if found[token] == 0)
    duplicated = sorted(token for token, count in found.items() if count > 1)
    unacknowledged_present = sorted(set(found) - acknowledged)
    pair_duplicates = (
        Review.objects.values("therapist_id", "author_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    decisions = Counter(
        (action, target_id) for action, target_id in Decision.objects.values_list("action", "target_id")
    )
    acknowledged_decisions = Counter(shared.acknowledged_decisions)
    lost_decisions = [key for key in acknowledged_decisions if decisions[key] < acknowledged_decisions[key]]
    duplicated_decisions = [key for key in acknowledged_decisions if decisions[key] > acknowledged_decisions[key]]
    inconsistent = recompute_scores()
    return {
        "attempted": len(shared.attempted_reviews),
        "acknowledged": len(acknowledged),
        "found": sum(1 for token in acknowledged if found[token]),
        "lost": len(lost),
        "duplicated": len(duplicated) + pair_duplicates,
        "unacknowledged_present": len(unacknowledged_present),
        "decisions_acknowledged": sum(acknowledged_decisions.values()),
        "decisions_lost": len(lost_decisions),
        "decisions_duplicated": len(duplicated_decisions),
        "inconsistent_scores": inconsistent,
    }


def summarise(shared: Shared, faults: Faults) -> dict:
    outcomes = sorted(shared.outcomes, key=lambda outcome: outcome.start)

    def failed(outcome: Outcome) -> bool:
        return outcome.status is None or outcome.status >= 500

    # After the restart command returned, the first request that touched the database and succeeded.
    recovered_at = None
    if faults.restart_end:
        for outcome in outcomes:
            if outcome.start >= faults.restart_end and not failed(outcome) and outcome.kind != "login-form":
                recovered_at = outcome.end
                break
    windows = []
    if faults.kill_at:
        windows.append((faults.kill_at, faults.kill_at + 3.0))
    if faults.restart_start:
        windows.append((faults.restart_start, (recovered_at or faults.restart_end) + 1.0))

    def in_window(outcome: Outcome) -> bool:
        return any(start <= outcome.end and outcome.start <= end for start, end in windows)

    outside = [outcome for outcome in outcomes if not in_window(outcome)]
    inside = [outcome for outcome in outcomes if in_window(outcome)]
    errors_outside = [outcome for outcome in outside if failed(outcome)]
    duration = outcomes[-1].end - outcomes[0].start if outcomes else 0.0
    return {
        "requests": len(outcomes),
        "duration": duration,
        "by_kind": Counter(outcome.kind for outcome in outcomes),
        "statuses": Counter(outcome.status or outcome.error for outcome in outcomes),
        "refused_429": sum(1 for outcome in outcomes if outcome.status == 429),
        "outside": len(outside),
        "errors_outside": len(errors_outside),
        "error_kinds_outside": Counter(outcome.status or outcome.error for outcome in errors_outside),
        "inside": len(inside),
        "errors_inside": sum(1 for outcome in inside if failed(outcome)),
        # Requests that began once PostgreSQL was back up and still failed: stale connections served.
        "errors_after_restart": sum(
            1 for outcome in outcomes if faults.restart_end and outcome.start >= faults.restart_end and failed(outcome)
        ),
        "restart_seconds": faults.restart_end - faults.restart_start if faults.restart_start else None,
        "recovery_seconds": (recovered_at - faults.restart_end) if recovered_at else None,
        "outage_seconds": (recovered_at - faults.restart_start) if recovered_at else None,
    }


def report(args, load: dict, writes: dict, faults: Faults) -> str:
    def pct(part, whole):
        return f"{100 * part / whole:.2f} %" if whole else "n/a"

    def secs(value):
        return "n/a" if value is None else f"{value:.2f} s"

    rows = [
        ("duration of the load", f"{load['duration']:.1f} s ({args.threads} visitor threads + 1 moderator)"),
        ("requests made", f"{load['requests']} ({load['requests'] / max(load['duration'], 1):.0f}/s)"),
        ("requests by kind", ", ".join(f"{kind} {count}" for kind, count in sorted(load["by_kind"].items()))),
        ("review posts attempted", writes["attempted"]),
        ("acknowledged review writes (redirect after POST)", writes["acknowledged"]),
        ("acknowledged writes found in the database", writes["found"]),
        ("lost (must be 0)", writes["lost"]),
        ("duplicated (must be 0)", writes["duplicated"]),
        ("written without an acknowledgement (answer lost in a fault)", writes["unacknowledged_present"]),
        ("moderation decisions acknowledged / lost / duplicated",
         f"{writes['decisions_acknowledged']} / {writes['decisions_lost']} / {writes['decisions_duplicated']}"),
        ("therapists whose stored score differed from a recomputation (must be 0)", writes["inconsistent_scores"]),
        ("refused by a rate limit (429)", load["refused_429"]),
        ("error rate outside the fault windows (5xx or no answer)",
         f"{pct(load['errors_outside'], load['outside'])} ({load['errors_outside']} of {load['outside']})"),
        ("errors inside the fault windows", f"{load['errors_inside']} of {load['inside']}"),
        ("gunicorn worker killed (SIGKILL)", f"pid {faults.killed_pid} at t+{args.kill_after:.0f} s"),
        ("PostgreSQL restart (pg_ctlcluster … restart -m fast) took", secs(load["restart_seconds"])),
        ("requests succeeded again after PostgreSQL was back", secs(load["recovery_seconds"])),
        ("from the start of the restart to the first success", secs(load["outage_seconds"])),
        ("requests begun after PostgreSQL was back that still failed (stale connections)",
         load["errors_after_restart"]),
    ]
    if load["error_kinds_outside"]:
        rows.append(("errors outside the windows, by kind", dict(load["error_kinds_outside"])))
    if faults.restart_error:
        rows.append(("PostgreSQL restart failed", faults.restart_error))
    lines = ["| figure | value |", "| --- | --- |", *[f"| {name} | {value} |" for name, value in rows]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--threads", type=int, default=12, help="visitor threads (each its own 127.0.0.x)")
    parser.add_argument("--accounts-per-thread", type=int, default=6)
    parser.add_argument("--kill-after", type=float, default=15.0)
    parser.add_argument("--restart-after", type=float, default=32.0)
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/LOAD_FAULTS_RESULTS.md")
    args = parser.parse_args()
    if args.threads > 200:
        raise SystemExit("at most 200 visitor threads")

    pg_version = sorted(os.listdir("/etc/postgresql"))[-1]
    print(f"Preparing database {DATABASE} …", flush=True)
    data = prepare(args.threads * args.accounts_per_thread)
    port = free_port()
    gunicorn = start_gunicorn(port)
    print(f"gunicorn (pid {gunicorn.pid}, 4 workers) on {HOST}:{port}; load for {args.duration:.0f} s", flush=True)
    shared = Shared(port=port, data=data)
    faults = Faults()
    try:
        started = time.monotonic()
        accounts = data["clients"]
        per = args.accounts_per_thread
        threads = [
            threading.Thread(target=visitor, args=(shared, i, accounts[i * per:(i + 1) * per]), daemon=True)
            for i in range(args.threads)
        ]
        threads.append(threading.Thread(target=moderator, args=(shared, args.threads), daemon=True))
        fault_thread = threading.Thread(
            target=run_faults,
            args=(shared, gunicorn.pid, faults, started, args.kill_after, args.restart_after, pg_version),
            daemon=True,
        )
        for thread in [*threads, fault_thread]:
            thread.start()
        while time.monotonic() - started < args.duration and not shared.stop.is_set():
            time.sleep(0.5)
        shared.stop.set()
        for thread in [*threads, fault_thread]:
            thread.join(timeout=60)
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=15)
        except subprocess.TimeoutExpired:
            gunicorn.kill()

    load = summarise(shared, faults)
    writes = check_writes(shared)
    table = report(args, load, writes, faults)
    print(table)
    if not args.no_write:
        RESULTS.write_text(
            "# Load with faults: figures\n\n"
            f"Written by `make loadtest` (bench/load_faults.py) on {date.today().isoformat()}; "
            "see bench/LOAD_FAULTS.md for what is measured and how.\n\n" + table + "\n"
        )
    if not args.keep_database:
        from django.db import connections

        connections.close_all()
        recreate_database(drop_only=True)
    problems = writes["lost"] + writes["duplicated"] + writes["decisions_lost"] + writes["decisions_duplicated"]
    if problems or writes["inconsistent_scores"]:
        print("FAILED: lost or duplicated writes, or scores that disagree with a recomputation.", file=sys.stderr)
        return 1
    print("OK: every acknowledged write exists exactly once and every score matches a recomputation.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

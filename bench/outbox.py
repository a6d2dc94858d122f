"""Outbox figures for the closing note of issue 15. Not a test; prints what it measured.

    # a moderation decision's request latency (median of 50 verify-credential POSTs), run from any tree:
    .venv/bin/python /work/wt-queue/bench/outbox.py latency --database postgres://postgres@127.0.0.1:5432/NAME
    # with a broker: the request only writes the row and publishes the task
    CELERY_BROKER_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/outbox.py latency --database …
    # outbox rows per second sent by a real worker to a local SMTP sink
    .venv/bin/python bench/outbox.py throughput --database … --broker redis://127.0.0.1:6379/5 --rows 1000

Both start an aiosmtpd SMTP sink on loopback (--smtp-port; SINK_PYTHON names a Python that has
aiosmtpd, for trees without it) and send every email to it. All traffic
stays on 127.0.0.1 and every loop is bounded by a count and a deadline.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

TREE = Path.cwd()  # the tree being measured: run from /work/main for "before", from this tree for "after"


def start_sink(port: int) -> subprocess.Popen:
    python = os.environ.get("SINK_PYTHON", sys.executable)
    sink = subprocess.Popen(
        [python, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return sink
        except OSError:
            time.sleep(0.1)
    sink.kill()
    raise SystemExit(f"the SMTP sink did not start on port {port}")


def setup_django(database: str, smtp_port: int) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "directory.settings",
            "DATABASE_URL": database,
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
        }
    )
    sys.path.insert(0, str(TREE))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    call_command("flush", "--noinput", verbosity=0)  # a throwaway database: every run starts empty


def latency(args) -> None:
    sink = start_sink(args.smtp_port)
    try:
        setup_django(args.database, args.smtp_port)
        from django.conf import settings
        from django.test import Client

        from tests.factories import CredentialFactory, UserFactory

        settings.ALLOWED_HOSTS = ["testserver"]
        moderator = UserFactory(moderator=True)
        credentials = CredentialFactory.create_batch(args.requests + 5)
        client = Client()
        client.force_login(moderator)
        timings = []
        for index, credential in enumerate(credentials):
            started = time.perf_counter()
            response = client.post(f"/moderation/credentials/{credential.pk}/verify/", {"expires_on": ""})
            elapsed = time.perf_counter() - started
            assert response.status_code == 302, response.status_code
            if index >= 5:  # the first few warm caches and connections
                timings.append(elapsed * 1000)
        broker = os.environ.get("CELERY_BROKER_URL") or "none (in-process)"
        print(f"tree={TREE} broker={broker} requests={len(timings)}")
        print(
            f"median {statistics.median(timings):.1f} ms, p90 {statistics.quantiles(timings, n=10)[-1]:.1f} ms, "
            f"min {min(timings):.1f} ms, max {max(timings):.1f} ms"
        )
    finally:
        sink.kill()


def throughput(args) -> None:
    sink = start_sink(args.smtp_port)
    os.environ["CELERY_BROKER_URL"] = args.broker
    worker = None
    try:
        setup_django(args.database, args.smtp_port)
        import redis
        from django.db import transaction
        from django.db.models import Max, Min

        from outbox.models import Email
        from outbox.services import queue_email

        redis.Redis.from_url(args.broker).flushdb()
        Email.objects.all().delete()
        env = dict(os.environ)
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "directory", "worker", "--loglevel", "WARNING",
             "--concurrency", str(args.concurrency), "--without-gossip", "--without-mingle"],
            cwd=TREE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        time.sleep(8)  # let the worker boot before the clock starts (it would otherwise count)
        with transaction.atomic():
            for index in range(args.rows):
                queue_email(to=f"reader{index}@example.com", subject=f"Message {index}", body="Hello.\n" * 20)
        started = time.monotonic()
        deadline = started + 600
        while Email.objects.queued().exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        span = Email.objects.filter(status=Email.Status.SENT).aggregate(first=Min("sent_at"), last=Max("sent_at"))
        sent = Email.objects.filter(status=Email.Status.SENT).count()
        seconds = (span["last"] - span["first"]).total_seconds() if sent > 1 else float("nan")
        print(f"rows={args.rows} sent={sent} concurrency={args.concurrency} first→last sent {seconds:.1f} s")
        print(f"{sent / seconds:.0f} rows/s (wall clock from commit: {sent / (time.monotonic() - started):.0f} rows/s)")
    finally:
        if worker is not None:
            os.killpg(worker.pid, 15)
            worker.wait(timeout=60)
        sink.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("latency", "throughput"):
        command = commands.add_parser(name)
        command.add_argument("--database", required=True, help="DATABASE_URL of a throwaway database")
        command.add_argument("--smtp-port", type=int, default=18104)
    commands.choices["latency"].add_argument("--requests", type=int, default=50)
    commands.choices["throughput"].add_argument("--broker", required=True)
    commands.choices["throughput"].add_argument("--rows", type=int, default=1000)
    commands.choices["throughput"].add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    {"latency": latency, "throughput": throughput}[args.command](args)


if __name__ == "__main__":
    main()

"""Real Celery workers for the reliability tests: separate processes on the machine's Redis and PostgreSQL.

Everything waits by polling with a generous deadline (a loaded 2-core CI machine starts a worker in
seconds, not milliseconds); nothing sleeps for a fixed time and hopes.
"""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import redis
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 90  # seconds; a worker's start on a busy machine is the slowest step


def wait_until(condition, *, timeout=DEADLINE, interval=0.1, message="condition", log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    tail = f"\n--- worker log ---\n{log.read_text()[-4000:]}" if log is not None and log.exists() else ""
    raise AssertionError(f"timed out after {timeout} s waiting for {message}{tail}")


def database_url() -> str:
    """The test database this process uses, for the worker to share (rows must be committed)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def broker_is_idle(broker_url: str) -> bool:
    """No message waiting in the queue and none held unacknowledged by a worker."""
    client = redis.Redis.from_url(broker_url)
    try:
        return client.llen("celery") == 0 and client.hlen("unacked") == 0
    finally:
        client.close()


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path):
        self.process = process
        self.log = log

    def kill(self):
        """SIGKILL the worker and its pool children at once: no shutdown, no acknowledgement."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def celery_worker(*, name: str, broker_url: str, log_dir: Path, env: dict, beat: bool = False):
    """Start `celery -A directory worker` (prefork, one child) and yield it once it is ready."""
    log = log_dir / f"worker-{name}.log"
    worker_env = {
        key: value for key, value in os.environ.items() if not key.startswith(("REDIS_", "CELERY_", "OUTBOX_"))
    }
    worker_env.update(
        {
            "DJANGO_SETTINGS_MODULE": "directory.settings",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "DATABASE_CONN_MAX_AGE": "0",
            **env,
        }
    )
    command = [sys.executable, "-m", "celery", "-A", "directory", "worker", "--pool", "prefork", "--concurrency", "1"]
    command += ["--hostname", f"{name}@%h", "--loglevel", "INFO", "--without-gossip", "--without-mingle"]
    if beat:
        command += ["--beat", "--schedule", str(log_dir / f"beat-{name}")]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=worker_env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    worker = Worker(process, log)
    try:
        wait_until(
            lambda: process.poll() is not None or b" ready." in log.read_bytes(),
            message=f"worker {name} to be ready",
            log=log,
        )
        assert process.poll() is None, f"worker {name} exited:\n{log.read_text()[-4000:]}"
        yield worker
    finally:
        worker.stop()

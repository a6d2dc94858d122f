"""A guard: only outbox/delivery.py hands messages to Django's mail backends; everything else queues."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SENDERS = re.compile(r"\b(send_mail|send_mass_mail|mail_admins|mail_managers|EmailMessage|EmailMultiAlternatives)\(")
SKIP = {".venv", "tests", "bench", "var", "staticfiles", "node_modules"}


def test_no_module_but_the_outbox_sends_mail_itself():
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in SKIP or relative == Path("outbox/delivery.py"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if SENDERS.search(line) and not line.lstrip().startswith(("#", "def ")):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == [], "send through outbox.services.queue_email instead:\n" + "\n".join(offenders)

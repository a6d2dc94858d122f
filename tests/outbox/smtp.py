"""A real SMTP server on loopback (aiosmtpd) for the outbox tests, and a port that refuses connections."""

import asyncio
import socket
import threading
from contextlib import contextmanager
from email import message_from_bytes

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    """Keeps every message it accepted (answered 250 to). Optionally stalls the first DATA forever.

    A stalled message is never accepted: the sender waits for the server's answer, and when the
    connection drops (its worker is killed) the message is not delivered, as with a real server.
    """

    def __init__(self, *, stall_first: bool = False, reject_with: str | None = None):
        self.accepted = []
        self.stalled = threading.Event()
        self._stall_first = stall_first
        self._reject_with = reject_with
        self._lock = threading.Lock()
        self._release = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self._reject_with:
            return self._reject_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self._stall_first and not self.stalled.is_set():
            self._release = asyncio.Event()
            self.stalled.set()
            await self._release.wait()
            return "451 Aborted"
        with self._lock:
            self.accepted.append(message_from_bytes(envelope.content))
        return "250 Message accepted"

    def messages(self):
        with self._lock:
            return list(self.accepted)


@contextmanager
def smtp_sink(**options):
    """Yield (sink, port) with an SMTP server listening on 127.0.0.1:port."""
    sink = Sink(**options)
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, ready_timeout=30)
    controller.start()
    try:
        yield sink, port
    finally:
        if sink._release is not None:
            controller.loop.call_soon_threadsafe(sink._release.set)
        controller.stop()


def refusing_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused at once."""
    return free_port()

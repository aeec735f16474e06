"""A real SMTP server on localhost (aiosmtpd) that keeps what the app sends."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_string, policy

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos[0], envelope.content.decode("utf-8", "replace")))
        return "250 OK"

    def to(self, address: str) -> list[tuple[str, str]]:
        """Return (subject, decoded body) of the messages received for ``address``."""
        found = []
        for rcpt, raw in self.messages:
            if rcpt == address:
                message = message_from_string(raw, policy=policy.default)
                found.append((str(message["Subject"]), message.get_content()))
        return found


def free_port() -> int:
    """Return a TCP port on localhost that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def smtp_inbox(app, monkeypatch) -> Iterator[Inbox]:
    """Run a real SMTP server on localhost that the app sends to (use in a fixture)."""
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    yield handler
    controller.stop()


@pytest.fixture
def inbox(app, monkeypatch):
    """A real SMTP server on localhost that the app sends to."""
    yield from smtp_inbox(app, monkeypatch)

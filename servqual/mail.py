"""Send e-mail over SMTP with the settings in the configuration."""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app


@dataclass(frozen=True)
class Mail:
    """One message to one recipient."""

    to: str
    subject: str
    text: str


@dataclass(frozen=True)
class Delivery:
    """What happened to one message."""

    mail: Mail
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Tell whether the server accepted the message."""
        return self.error is None


def _message(mail: Mail) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or None)
    message.set_content(mail.text)
    return message


def send_all(mails: Iterable[Mail]) -> list[Delivery]:
    """Send messages over one SMTP connection; a refused recipient does not stop the rest."""
    config = current_app.config
    mails = list(mails)
    if not mails:
        return []
    connection_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    try:
        server = connection_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30)
    except OSError as error:
        return [Delivery(mail, f"cannot reach the mail server: {error}") for mail in mails]
    results = []
    with server:
        if config["MAIL_USE_TLS"]:
            server.starttls()
        if config["MAIL_USERNAME"]:
            server.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        for mail in mails:
            try:
                server.send_message(_message(mail))
                results.append(Delivery(mail))
            except (smtplib.SMTPException, OSError) as error:
                results.append(Delivery(mail, str(error)[:250]))
    return results

"""E-mails of the case work: extension notice, answer, request for information,
escalation to managers, satisfaction survey. Each is written in the reader's language.
"""

from __future__ import annotations

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from servqual.accounts.models import User
from servqual.mail import Mail, send_all
from servqual.pqr.models import Case


def _lang(locale: str | None) -> str:
    return "en" if (locale or "es").startswith("en") else "es"


def external_url(endpoint: str, **values) -> str:
    """Return an absolute URL, or the path when no request or SERVER_NAME gives the host."""
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context():
        return url_for(endpoint, **values)


def deliver(mails: list[Mail]) -> list[str]:
    """Send ``mails``; return the errors (empty when every message was accepted)."""
    return [f"{d.mail.to}: {d.error}" for d in send_all(mails) if not d.ok]


def extension_notice(case: Case, new_due_on, reason: str) -> Mail:
    """Tell the customer the term is extended, why, and the new date (art. 14 parágrafo)."""
    with force_locale(_lang(case.locale)):
        subject = _("Your case %(number)s: new answer date", number=case.filing_label)
        text = _(
            "Dear %(name)s,\n\nWe need more time to answer your case %(number)s properly. "
            "Reason: %(reason)s\n\nWe will answer by %(date)s at the latest.\n",
            name=case.contact_name,
            number=case.filing_label,
            reason=reason,
            date=new_due_on.isoformat(),
        )
    return Mail(to=case.contact_email, subject=subject, text=text)


def answer_mail(case: Case) -> Mail:
    """Send the answer to the customer."""
    with force_locale(_lang(case.locale)):
        subject = _("Answer to your case %(number)s", number=case.filing_label)
    return Mail(to=case.contact_email, subject=subject, text=case.answer_text or "")


def information_request(case: Case, question: str) -> Mail:
    """Ask the customer for the missing information."""
    with force_locale(_lang(case.locale)):
        subject = _("Your case %(number)s: we need information", number=case.filing_label)
        text = _(
            "Dear %(name)s,\n\nTo answer your case %(number)s we need the following "
            "information:\n\n%(question)s\n\nThe term to answer is suspended until we "
            "receive it. Please reply to this message.\n",
            name=case.contact_name,
            number=case.filing_label,
            question=question,
        )
    return Mail(to=case.contact_email, subject=subject, text=text)


def escalation(case: Case, manager: User, overdue: bool, percent: int) -> Mail:
    """Tell a manager that a case of their site is near its deadline or overdue."""
    with force_locale(_lang(manager.locale)):
        if overdue:
            subject = _("Overdue PQR case %(number)s", number=case.filing_label)
            first = _(
                "The case %(number)s at %(site)s passed its due date, %(date)s.",
                number=case.filing_label,
                site=case.site.name,
                date=case.due_on.isoformat(),
            )
        else:
            subject = _("PQR case %(number)s near its deadline", number=case.filing_label)
            first = _(
                "The case %(number)s at %(site)s has used %(percent)d%% of its term; "
                "it is due on %(date)s.",
                number=case.filing_label,
                site=case.site.name,
                percent=percent,
                date=case.due_on.isoformat(),
            )
        assignee = case.assigned_to.name if case.assigned_to else _("nobody")
        text = "\n\n".join(
            [
                first,
                _("Assigned to: %(name)s", name=assignee),
                external_url("pqr_cases.case", case_id=case.id),
            ]
        )
    return Mail(to=manager.email, subject=subject, text=text + "\n")


def satisfaction_invitation(case: Case, token: str) -> Mail:
    """Ask the customer the one satisfaction question after closing."""
    with force_locale(_lang(case.locale)):
        subject = _("Case %(number)s: were you satisfied?", number=case.filing_label)
        text = _(
            "Dear %(name)s,\n\nWe closed your case %(number)s. Were you satisfied with "
            "our answer? One click tells us:\n\n%(url)s\n",
            name=case.contact_name,
            number=case.filing_label,
            url=external_url("pqr_cases.satisfaction", satisfaction_token=token),
        )
    return Mail(to=case.contact_email, subject=subject, text=text)

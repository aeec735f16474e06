"""The vocabulary of PQR cases: request types, channels, statuses, history actions.

Values are stored as text and checked by constraints in :mod:`servqual.pqr.models`; the
request type is also the key of its term in :class:`servqual.pqr.clock.TermPolicy`.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class RequestType(enum.StrEnum):
    """What the customer files; the value is the key of the term in ``clock.TermPolicy``."""

    PETITION = "petition"
    INFORMATION = "information"
    CONSULTATION = "consultation"
    COMPLAINT = "complaint"
    CLAIM = "claim"
    SUGGESTION = "suggestion"
    COMPLIMENT = "compliment"

    @property
    def label(self) -> str:
        """Return the translated name."""
        return str(REQUEST_TYPE_LABELS[self])


REQUEST_TYPE_LABELS = {
    RequestType.PETITION: _l("Request (petición)"),
    RequestType.INFORMATION: _l("Request for documents or information"),
    RequestType.CONSULTATION: _l("Consultation"),
    RequestType.COMPLAINT: _l("Complaint (queja)"),
    RequestType.CLAIM: _l("Claim (reclamo)"),
    RequestType.SUGGESTION: _l("Suggestion"),
    RequestType.COMPLIMENT: _l("Compliment"),
}

#: The types a customer chooses from on the public form (the others are set by staff).
PUBLIC_REQUEST_TYPES = (
    RequestType.PETITION,
    RequestType.COMPLAINT,
    RequestType.CLAIM,
    RequestType.SUGGESTION,
    RequestType.COMPLIMENT,
)


class CaseChannel(enum.StrEnum):
    """How the case reached the organisation."""

    WEB = "web"
    PHONE = "phone"
    LETTER = "letter"
    IN_PERSON = "in_person"
    EMAIL = "email"
    #: A follow-up case opened from a survey response (``Case.survey_response_id``).
    SURVEY = "survey"

    @property
    def label(self) -> str:
        """Return the translated name."""
        return str(CASE_CHANNEL_LABELS[self])


CASE_CHANNEL_LABELS = {
    CaseChannel.WEB: _l("Web form"),
    CaseChannel.PHONE: _l("Phone"),
    CaseChannel.LETTER: _l("Letter"),
    CaseChannel.IN_PERSON: _l("In person"),
    CaseChannel.EMAIL: _l("E-mail"),
    CaseChannel.SURVEY: _l("Survey follow-up"),
}

#: Channels staff may record when they register a case for a customer.
STAFF_CHANNELS = (CaseChannel.PHONE, CaseChannel.LETTER, CaseChannel.IN_PERSON, CaseChannel.EMAIL)


class CaseStatus(enum.StrEnum):
    """Where a case stands between filing and closing."""

    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    ANSWERED = "answered"
    CLOSED = "closed"
    REOPENED = "reopened"

    @property
    def label(self) -> str:
        """Return the translated name."""
        return str(CASE_STATUS_LABELS[self])


CASE_STATUS_LABELS = {
    CaseStatus.RECEIVED: _l("Received"),
    CaseStatus.IN_PROGRESS: _l("In progress"),
    CaseStatus.WAITING_CUSTOMER: _l("Waiting for your information"),
    CaseStatus.ANSWERED: _l("Answered"),
    CaseStatus.CLOSED: _l("Closed"),
    CaseStatus.REOPENED: _l("Reopened"),
}

#: Statuses in which the deadline still runs (or is paused) and the case needs work.
OPEN_STATUSES = (
    CaseStatus.RECEIVED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.WAITING_CUSTOMER,
    CaseStatus.REOPENED,
)

#: SERVQUAL dimension codes, as in the instruments' YAML.
DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")


class CaseAction(enum.StrEnum):
    """What happened to a case (its history)."""

    FILED = "filed"
    EDITED = "edited"
    ASSIGNED = "assigned"
    STATUS_CHANGED = "status_changed"
    CLASSIFIED = "classified"
    NOTE_ADDED = "note_added"
    ATTACHMENT_ADDED = "attachment_added"
    PAUSED = "paused"
    RESUMED = "resumed"
    EXTENDED = "extended"
    ESCALATED = "escalated"
    ANSWERED = "answered"
    CLOSED = "closed"
    REOPENED = "reopened"
    SATISFACTION = "satisfaction"
    MAIL_SENT = "mail_sent"

    @property
    def label(self) -> str:
        """Return the translated name (as the customer reads it in the history)."""
        return str(CASE_ACTION_LABELS[self])


CASE_ACTION_LABELS = {
    CaseAction.FILED: _l("Case filed"),
    CaseAction.EDITED: _l("Case details corrected"),
    CaseAction.ASSIGNED: _l("Assigned to an agent"),
    CaseAction.STATUS_CHANGED: _l("Status changed"),
    CaseAction.CLASSIFIED: _l("Classified"),
    CaseAction.NOTE_ADDED: _l("Internal note added"),
    CaseAction.ATTACHMENT_ADDED: _l("File attached"),
    CaseAction.PAUSED: _l("Information requested from you"),
    CaseAction.RESUMED: _l("Information received"),
    CaseAction.EXTENDED: _l("Term extended"),
    CaseAction.ESCALATED: _l("Escalated to the manager"),
    CaseAction.ANSWERED: _l("Answer sent"),
    CaseAction.CLOSED: _l("Case closed"),
    CaseAction.REOPENED: _l("Case reopened"),
    CaseAction.SATISFACTION: _l("Satisfaction survey answered"),
    CaseAction.MAIL_SENT: _l("E-mail sent"),
}

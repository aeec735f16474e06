"""Record M, S, C, D and the anonymous staff answers (flush only; the caller commits)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from servqual.accounts.models import User
from servqual.extensions import db
from servqual.instruments.models import Instrument, InstrumentVersion
from servqual.surveys.internal_models import (
    CommunicationRating,
    DeliveryRating,
    ManagementRating,
    SpecificationRating,
    StaffAnswer,
    StaffParticipation,
    StaffResponse,
)
from servqual.surveys.models import Campaign
from servqual.surveys.operations import SurveyError

#: Below this many respondents no breakdown of the staff survey is shown.
MIN_GROUP = 5


def latest_version(key: str) -> InstrumentVersion:
    """Return the newest stored version of an instrument, or refuse politely."""
    version = db.session.scalar(
        sa.select(InstrumentVersion)
        .join(Instrument)
        .where(Instrument.key == key)
        .order_by(InstrumentVersion.number.desc())
    )
    if version is None:
        raise SurveyError(
            _("The instrument “%(key)s” is not loaded; run “servqual instruments sync”.", key=key)
        )
    return version


def _upsert(model, keys: dict[str, Any], values: dict[str, Any]):
    row = db.session.scalar(sa.select(model).filter_by(**keys))
    if row is None:
        row = model(**keys, **values)
        db.session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    return row


def record_management(
    campaign: Campaign,
    user: User,
    touchpoint_id: int,
    version: InstrumentVersion,
    answers: dict[str, int | None],
) -> None:
    """Store a manager's M answers for one touchpoint, replacing earlier ones."""
    for code, value in answers.items():
        _upsert(
            ManagementRating,
            {
                "campaign_id": campaign.id,
                "user_id": user.id,
                "touchpoint_id": touchpoint_id,
                "item_code": code,
            },
            {"value": value, "instrument_version_id": version.id},
        )
    db.session.flush()


def record_specification(
    campaign: Campaign,
    user: User,
    touchpoint_id: int,
    ratings: dict[str, tuple[str | None, str | None]],
) -> None:
    """Store S and C per item: S is a level, "none" (no documented standard) or unrated."""
    for code, (spec, communication) in ratings.items():
        keys = {"campaign_id": campaign.id, "touchpoint_id": touchpoint_id, "item_code": code}
        if spec in (None, ""):
            _delete(SpecificationRating, keys)
        else:
            has_standard = spec != "none"
            _upsert(
                SpecificationRating,
                keys,
                {
                    "has_standard": has_standard,
                    "value": int(spec) if has_standard else None,
                    "rated_by_id": user.id,
                },
            )
        if communication in (None, ""):
            _delete(CommunicationRating, keys)
        else:
            _upsert(
                CommunicationRating, keys, {"value": int(communication), "rated_by_id": user.id}
            )
    db.session.flush()


def record_delivery(
    campaign: Campaign,
    user: User,
    touchpoint_id: int,
    site_id: int | None,
    ratings: dict[str, str | None],
) -> None:
    """Store a supervisor's D ratings for a touchpoint (and site)."""
    for code, value in ratings.items():
        keys = {
            "campaign_id": campaign.id,
            "rated_by_id": user.id,
            "touchpoint_id": touchpoint_id,
            "site_id": site_id,
            "item_code": code,
        }
        if value in (None, ""):
            _delete(DeliveryRating, keys)
        else:
            _upsert(DeliveryRating, keys, {"value": int(value), "source": "supervisor"})
    db.session.flush()


def _delete(model, keys: dict[str, Any]) -> None:
    db.session.execute(sa.delete(model).filter_by(**keys))


def has_answered_staff_survey(campaign: Campaign, user: User) -> bool:
    """Tell whether the user already answered this wave's internal scales."""
    return db.session.get(StaffParticipation, (campaign.id, user.id)) is not None


def record_staff_answers(
    campaign: Campaign, user: User, version: InstrumentVersion, answers: dict[str, int | None]
) -> None:
    """Store anonymous staff answers; only the fact of participation names the user."""
    if has_answered_staff_survey(campaign, user):
        raise SurveyError(_("You have already answered this survey. Thank you."))
    db.session.add(StaffParticipation(campaign_id=campaign.id, user_id=user.id))
    response = StaffResponse(
        campaign_id=campaign.id, instrument_version_id=version.id, staff_group=user.role
    )
    response.answers = [StaffAnswer(item_code=code, value=value) for code, value in answers.items()]
    db.session.add(response)
    db.session.flush()

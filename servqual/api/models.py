"""API tokens (one per integration, scoped to a campaign) and the requests they submitted.

Only the SHA-256 of a token's secret is stored: the secret is shown once, on creation.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servqual.accounts.models import User
from servqual.extensions import db
from servqual.modelbase import Timestamped, describe_tables, utcnow
from servqual.surveys.models import Campaign, Response, SurveyLink


class ApiToken(Timestamped, db.Model):
    """The credential of one integration (a kiosk, an app) for one campaign, maybe one link."""

    __tablename__ = "api_tokens"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    #: When set, the token may only submit through this touchpoint/site link.
    link_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("survey_links.id", ondelete="CASCADE")
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    campaign: Mapped[Campaign] = relationship()
    link: Mapped[SurveyLink | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def is_revoked(self) -> bool:
        """Tell whether the token no longer opens the API."""
        return self.revoked_at is not None


class ApiSubmission(db.Model):
    """What a token sent for a stored response: replays of the same key must match it."""

    __tablename__ = "api_submissions"

    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    token_id: Mapped[int] = mapped_column(
        sa.ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True
    )
    #: SHA-256 of the canonical JSON of the request body.
    body_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    response: Mapped[Response] = relationship()
    token: Mapped[ApiToken] = relationship()


describe_tables(
    api_tokens=_l("API tokens"),
    api_submissions=_l("responses received through the API"),
)

"""Store checked rows: all or none, each keyed by the file's hash and its row."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import sqlalchemy as sa

from servqual.extensions import db
from servqual.modelbase import utcnow
from servqual.surveys.aggregates import record_responses
from servqual.surveys.importing.plan import (
    ImportMapping,
    ImportOutcome,
    MappingError,
    build_plan,
    check_mapping,
)
from servqual.surveys.importing.rows import check_rows
from servqual.surveys.models import Answer, Campaign, ImportancePoints, Response
from servqual.surveys.tables import Table

#: Measures in column order, and the suffix of their column names (``REL1_E``).


# --- storing ------------------------------------------------------------------------------


def file_hash(data: bytes) -> str:
    """Return the SHA-256 of an uploaded file (hex)."""
    return hashlib.sha256(data).hexdigest()


def submission_key(campaign_id: int, digest: str, row: int) -> str:
    """Return the submission key of one imported row: the same file row imports once."""
    return hashlib.sha256(f"import:{campaign_id}:{digest}:{row}".encode()).hexdigest()


def _existing_keys(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 1000):
        found.update(
            db.session.scalars(
                sa.select(Response.submission_key).where(
                    Response.submission_key.in_(keys[start : start + 1000])
                )
            )
        )
    return found


def import_responses(
    campaign: Campaign,
    table: Table,
    mapping: ImportMapping,
    digest: str,
    lang: str = "en",
    allowed_site_ids: Iterable[int] | None = None,
    dry_run: bool = False,
) -> ImportOutcome:
    """Check every row, then (unless ``dry_run`` or any row is bad) add them all; flush only.

    Raises ``MappingError`` when the mapping itself cannot be used.
    """
    plan = build_plan(campaign, lang, allowed_site_ids)
    refused = check_mapping(plan, mapping, table.headers)
    if refused:
        raise MappingError(refused)
    parsed, problems = check_rows(table, plan, mapping)
    outcome = ImportOutcome(rows=len(table.rows), problems=problems, preview=parsed[:10])
    keys = {row.row: submission_key(campaign.id, digest, row.row) for row in parsed}
    existing = _existing_keys(list(keys.values()))
    fresh = [row for row in parsed if keys[row.row] not in existing]
    outcome.already_imported = len(parsed) - len(fresh)
    if problems or dry_run or not fresh:
        return outcome
    channels = {place.id: place.channel_id for place in plan.touchpoints}
    now = utcnow()
    ids = db.session.scalars(
        sa.insert(Response).returning(Response.id, sort_by_parameter_order=True),
        [
            {
                "campaign_id": campaign.id,
                "instrument_version_id": campaign.instrument_version_id,
                "touchpoint_id": row.touchpoint_id,
                "site_id": row.site_id,
                "channel_id": channels[row.touchpoint_id],
                "segment": row.segment,
                "language": row.language,
                "source": "import",
                "submission_key": keys[row.row],
                "submitted_at": row.submitted_at or now,
                "overall_quality": row.overall_quality,
                "recommend": row.recommend,
                "comment": row.comment,
                "may_contact": False,
            }
            for row in fresh
        ],
    ).all()
    answers = [
        {"response_id": response_id, "item_code": code, **dict.fromkeys(("e", "p", "a", "ds"))}
        | values
        for response_id, row in zip(ids, fresh, strict=True)
        for code, values in row.answers.items()
        if any(v is not None for v in values.values())
    ]
    if answers:
        db.session.execute(sa.insert(Answer), answers)
    points = [
        {"response_id": response_id, "dimension": dimension, "points": value}
        for response_id, row in zip(ids, fresh, strict=True)
        for dimension, value in row.importance.items()
    ]
    if points:
        db.session.execute(sa.insert(ImportancePoints), points)
    record_responses(campaign, ids)
    db.session.flush()
    outcome.created = len(fresh)
    return outcome

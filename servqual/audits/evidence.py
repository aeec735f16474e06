"""Evidence photos: size and real-content checks, location stripping, private storage."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from PIL import Image

from servqual import uploads
from servqual.accounts.models import Role, User
from servqual.audits.models import EDITABLE_STATUSES, Evidence, Visit
from servqual.audits.operations import AuditRefused
from servqual.audits.visits import visit_questions
from servqual.extensions import db

#: The largest photo accepted, in bytes (a phone photo is 2–6 MB).
MAX_EVIDENCE_BYTES = 8 * 1024 * 1024


def evidence_dir() -> Path:
    """Return the folder holding evidence photos (in the instance folder, never static)."""
    return Path(current_app.instance_path) / "evidence"


def evidence_path(evidence: Evidence) -> Path:
    """Return the file of one photo."""
    return evidence_dir() / evidence.stored_name


def max_bytes() -> int:
    """Return the configured size limit of one photo."""
    return int(current_app.config.get("AUDIT_EVIDENCE_MAX_BYTES", MAX_EVIDENCE_BYTES))


def _open_image(content: bytes) -> Image.Image:
    """Open ``content`` as an image after verifying it, or refuse."""
    try:
        return uploads.open_image(content)
    except uploads.TooManyPixels:
        raise AuditRefused(_("This picture has too many pixels.")) from None
    except uploads.NotAnImage:
        raise AuditRefused(_("This file is not a photo (JPEG, PNG or WebP).")) from None


def store_evidence(
    visit: Visit, auditor: User, content: bytes, question_code: str | None
) -> tuple[Evidence, bool]:
    """Check and store a photo for ``visit``; return it and whether it is new.

    The same photo uploaded twice to one visit is stored once.
    """
    if visit.auditor_id != auditor.id:
        raise AuditRefused(_("This visit is not assigned to you."))
    if visit.status not in EDITABLE_STATUSES:
        raise AuditRefused(_("This visit has been submitted; it can no longer be changed."))
    if question_code:
        codes = {
            q.code
            for q in visit_questions(visit)
            if q.type == "photo" or q.raw.get("evidence") in ("required", "optional")
        }
        if question_code not in codes:
            raise AuditRefused(_("This question takes no photo."))
    if not content:
        raise AuditRefused(_("Choose a photo to upload."))
    limit = max_bytes()
    if len(content) > limit:
        raise AuditRefused(
            _("The photo is too large: at most %(mb)s MB.", mb=f"{limit / 1024 / 1024:g}")
        )
    image = _open_image(content)
    digest = hashlib.sha256(content).hexdigest()
    existing = db.session.scalar(
        sa.select(Evidence).where(Evidence.visit_id == visit.id, Evidence.sha256 == digest)
    )
    if existing is not None:
        return existing, False
    has_location = uploads.has_location(image)
    if visit.programme.keeps_location:
        stored = content
    else:
        stored, has_location = uploads.without_location(image), False
    content_type, extension = uploads.IMAGE_FORMATS[image.format]
    name = f"{visit.id}/{secrets.token_hex(16)}.{extension}"
    path = evidence_dir() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(stored)
    evidence = Evidence(
        visit_id=visit.id,
        question_code=question_code or None,
        sha256=digest,
        content_type=content_type,
        size_bytes=len(stored),
        stored_name=name,
        width=image.width,
        height=image.height,
        has_location=has_location,
        uploaded_by_id=auditor.id,
    )
    try:
        db.session.add(evidence)
        db.session.flush()
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return evidence, True


def remove_evidence(evidence: Evidence, auditor: User) -> None:
    """Let the auditor remove a photo from a visit still being filled in."""
    visit = evidence.visit
    if visit.auditor_id != auditor.id or visit.status not in EDITABLE_STATUSES:
        raise AuditRefused(_("This photo can no longer be removed."))
    path = evidence_path(evidence)
    db.session.delete(evidence)
    db.session.flush()
    path.unlink(missing_ok=True)


def may_see_evidence(user: User, evidence: Evidence) -> bool:
    """Tell whether ``user`` may view a photo: its visit's auditor or a manager of its site."""
    visit = evidence.visit
    if visit.auditor_id == user.id:
        return True
    return user.has_role(Role.MANAGER) and user.can_see_site(visit.site_id)

"""PQR attachments: size and real-content checks, private storage in the instance folder.

A file is accepted when its bytes are what its type claims: a PDF starts with the
``%PDF-`` signature and ends with an ``%%EOF`` marker; a picture is opened and verified
by Pillow (JPEG, PNG or WebP); a picture's GPS position is removed before it is stored.
The name the customer's file had is never used to store it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from servqual import uploads
from servqual.extensions import db
from servqual.pqr.models import Attachment, Case

PDF = ("application/pdf", "pdf")
#: Where a PDF's end-of-file marker may sit (trailing whitespace or an incremental update).
_PDF_TAIL = 2048


class AttachmentRefused(ValueError):
    """A file that cannot be attached; the message says why, for the customer."""


@dataclass(frozen=True)
class CheckedFile:
    """An upload whose content has been checked, ready to store."""

    content: bytes
    content_type: str
    extension: str
    sha256: str
    original_name: str


def attachment_dir() -> Path:
    """Return the folder holding PQR attachments (in the instance folder, never static)."""
    return Path(current_app.instance_path) / "pqr_attachments"


def attachment_path(attachment: Attachment) -> Path:
    """Return the file of one attachment."""
    return attachment_dir() / attachment.stored_name


def max_bytes() -> int:
    """Return the configured size limit of one attachment, in bytes."""
    return int(current_app.config.get("PQR_ATTACHMENT_MAX_MB", 5) * 1024 * 1024)


def max_count() -> int:
    """Return how many files one case may carry at filing."""
    return int(current_app.config.get("PQR_MAX_ATTACHMENTS", 3))


def clean_name(name: str | None) -> str:
    """Return a file name safe to show: no folders, no control characters, at most 160."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if ch.isprintable())
    return base.strip()[:160] or "file"


def _kind(content: bytes, name: str) -> tuple[str, str, bytes]:
    """Return (content type, extension, bytes to store), or refuse what is not a real file.

    Pictures carrying a GPS position are stored without it.
    """
    refused = AttachmentRefused(
        _("%(name)s is not a PDF document or a picture (JPEG, PNG or WebP).", name=name)
    )
    if content.startswith(b"%PDF-"):
        if b"%%EOF" not in content[-_PDF_TAIL:]:
            raise refused
        return (*PDF, content)
    try:
        image = uploads.open_image(content)
    except uploads.TooManyPixels:
        raise AttachmentRefused(_("%(name)s has too many pixels.", name=name)) from None
    except uploads.NotAnImage:
        raise refused from None
    if uploads.has_location(image):
        content = uploads.without_location(image)
    return (*uploads.IMAGE_FORMATS[image.format], content)


def check_file(content: bytes, filename: str | None) -> CheckedFile:
    """Check one upload's size and real content; raise :class:`AttachmentRefused`."""
    name = clean_name(filename)
    if not content:
        raise AttachmentRefused(_("%(name)s is empty.", name=name))
    limit = max_bytes()
    if len(content) > limit:
        raise AttachmentRefused(
            _(
                "%(name)s is too large: at most %(mb)s MB per file.",
                name=name,
                mb=f"{limit / 1024 / 1024:g}",
            )
        )
    content_type, extension, stored = _kind(content, name)
    return CheckedFile(
        content=stored,
        content_type=content_type,
        extension=extension,
        sha256=hashlib.sha256(content).hexdigest(),
        original_name=name,
    )


def check_files(uploads: list[tuple[bytes, str | None]]) -> list[CheckedFile]:
    """Check every upload (before anything is written); the same file twice counts once."""
    if len(uploads) > max_count():
        raise AttachmentRefused(_("Attach at most %(count)d files.", count=max_count()))
    checked: dict[str, CheckedFile] = {}
    for content, filename in uploads:
        file = check_file(content, filename)
        checked.setdefault(file.sha256, file)
    return list(checked.values())


def store_files(
    case: Case, files: list[CheckedFile], user_id: int | None, written: list[Path]
) -> None:
    """Write checked files for ``case`` and add their rows (flush).

    Every path is appended to ``written`` as soon as it exists, so the caller can remove
    the files if the transaction does not commit (see :func:`discard`).
    """
    for file in files:
        name = f"{case.id}/{secrets.token_hex(16)}.{file.extension}"
        path = attachment_dir() / name
        path.parent.mkdir(parents=True, exist_ok=True)
        written.append(path)
        path.write_bytes(file.content)
        db.session.add(
            Attachment(
                case_id=case.id,
                sha256=file.sha256,
                content_type=file.content_type,
                size_bytes=len(file.content),
                original_name=file.original_name,
                stored_name=name,
                uploaded_by_id=user_id,
            )
        )
    db.session.flush()


def discard(paths: list[Path]) -> None:
    """Remove files written for a transaction that did not commit."""
    for path in paths:
        path.unlink(missing_ok=True)

"""Uploaded files kept between the import steps, under a random id, for a day."""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path
from typing import Any

from servqual.surveys.importing.store import file_hash

#: The largest file accepted for import.
MAX_IMPORT_BYTES = 8 * 1024 * 1024
UPLOAD_LIFETIME_SECONDS = 24 * 3600
_UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")

#: Measures in column order, and the suffix of their column names (``REL1_E``).


def _upload_dir(instance_path: str | Path) -> Path:
    folder = Path(instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_upload(
    instance_path: str | Path,
    data: bytes,
    filename: str,
    campaign_id: int,
    user_id: int | None,
    encoding: str,
) -> str:
    """Keep an uploaded file under a random id (and forget day-old ones); return the id."""
    folder = _upload_dir(instance_path)
    cutoff = time.time() - UPLOAD_LIFETIME_SECONDS
    for old in folder.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    upload_id = secrets.token_urlsafe(16)
    (folder / f"{upload_id}.data").write_bytes(data)
    meta = {
        "campaign_id": campaign_id,
        "user_id": user_id,
        "filename": Path(filename).name[:200],
        "sha256": file_hash(data),
        "encoding": encoding,
        "size": len(data),
    }
    (folder / f"{upload_id}.json").write_text(json.dumps(meta), encoding="utf-8")
    return upload_id


def load_upload(
    instance_path: str | Path, upload_id: str, campaign_id: int
) -> tuple[dict[str, Any], bytes] | None:
    """Return a kept upload's facts and bytes, or ``None`` (unknown id or another campaign)."""
    if not _UPLOAD_ID.match(upload_id):
        return None
    folder = _upload_dir(instance_path)
    try:
        meta = json.loads((folder / f"{upload_id}.json").read_text(encoding="utf-8"))
        data = (folder / f"{upload_id}.data").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("campaign_id") != campaign_id:
        return None
    return meta, data


def delete_upload(instance_path: str | Path, upload_id: str) -> None:
    """Forget a kept upload."""
    if not _UPLOAD_ID.match(upload_id):
        return
    folder = _upload_dir(instance_path)
    for suffix in (".data", ".json"):
        (folder / f"{upload_id}{suffix}").unlink(missing_ok=True)

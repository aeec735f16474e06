"""Sync instrument files into versioned rows (flushes; the caller commits)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from servqual.extensions import db
from servqual.instruments.format import Instrument as Definition
from servqual.instruments.format import InstrumentInvalid, instrument_files, validate_files
from servqual.instruments.models import Instrument, InstrumentItem, InstrumentVersion


@dataclass(frozen=True)
class SyncResult:
    """What syncing did to one instrument."""

    key: str
    version: int
    created: bool


def load_directory(directory: Path) -> list[Definition]:
    """Validate every file in ``directory``; raise ``InstrumentInvalid`` listing all errors."""
    definitions, errors = [], []
    for _path, definition, problems in validate_files(instrument_files(directory)):
        errors.extend(problems)
        if definition is not None:
            definitions.append(definition)
    if errors:
        raise InstrumentInvalid(errors)
    return definitions


def sync_definition(definition: Definition, source_file: str) -> SyncResult:
    """Store ``definition`` as a new version unless the latest version has the same content."""
    instrument = db.session.scalar(sa.select(Instrument).filter_by(key=definition.key))
    if instrument is None:
        instrument = Instrument(key=definition.key, kind=definition.kind)
        db.session.add(instrument)
        db.session.flush()
    latest = instrument.latest
    if latest is not None and latest.content_hash == definition.content_hash:
        return SyncResult(definition.key, latest.number, created=False)
    instrument.kind = definition.kind
    version = InstrumentVersion(
        instrument=instrument,
        number=(latest.number + 1) if latest else 1,
        content_hash=definition.content_hash,
        definition=definition.data,
        source_file=source_file,
    )
    db.session.add(version)
    scored = {d["code"] for d in definition.dimensions if d.get("scored", True)}
    for item in definition.items:
        db.session.add(
            InstrumentItem(
                version=version,
                code=item.code,
                dimension=item.dimension,
                item_type=item.type,
                position=item.position,
                is_scored=item.dimension in scored and item.type == "likert",
                label_es=item.label["es"],
                label_en=item.label["en"],
            )
        )
    db.session.flush()
    return SyncResult(definition.key, version.number, created=True)


def sync_directory(directory: Path) -> list[SyncResult]:
    """Validate all files first, then sync each; nothing is stored if any file is invalid."""
    definitions = load_directory(directory)
    return [sync_definition(d, f"{d.key}.yaml") for d in definitions]

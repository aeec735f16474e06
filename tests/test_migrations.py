"""The migrations build exactly the schema the models describe, up and down, on each backend."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade

from servqual.config import bundled_dir
from servqual.extensions import db


def _tables(app: Flask) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def test_there_is_a_single_head():
    directory = bundled_dir("migrations")
    config = Config(str(directory / "alembic.ini"))
    config.set_main_option("script_location", str(directory))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgrade_downgrade_upgrade(empty_app):
    model_tables = set(db.metadata.tables)
    with empty_app.app_context():
        upgrade()
    assert _tables(empty_app) == model_tables | {"alembic_version"}
    with empty_app.app_context():
        downgrade(revision="base")
    assert _tables(empty_app) == {"alembic_version"}
    with empty_app.app_context():
        upgrade()
    assert _tables(empty_app) == model_tables | {"alembic_version"}


def test_models_and_migrations_agree(empty_app):
    with empty_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True}
            )
            differences = compare_metadata(context, db.metadata)
    assert differences == [], f"run 'servqual db migrate': {differences}"

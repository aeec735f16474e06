"""servqual: service-quality surveys and SERVQUAL gap audits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from servqual import config as config_module
from servqual import i18n, navigation, security
from servqual.accounts.views import bp as accounts_bp
from servqual.accounts.views import init_login
from servqual.analysis.views import bp as analysis_bp
from servqual.api.token_views import bp as api_tokens_bp
from servqual.api.views import bp as api_bp
from servqual.audits.fieldwork import bp as fieldwork_bp
from servqual.audits.views import bp as audits_bp
from servqual.extensions import babel, csrf, db, limiter, login_manager, migrate
from servqual.main.views import bp as main_bp
from servqual.pqr.intake_views import bp as pqr_intake_bp
from servqual.pqr.queue_views import bp as pqr_cases_bp
from servqual.reports.actions import bp as actions_bp
from servqual.reports.dashboard import bp as dashboard_bp
from servqual.reports.views import bp as reports_bp
from servqual.service.views import bp as service_bp
from servqual.surveys.internal import bp as internal_bp
from servqual.surveys.invitation_views import bp as invitations_bp
from servqual.surveys.public import bp as respond_bp
from servqual.surveys.transfer_views import bp as transfer_bp
from servqual.surveys.views import bp as surveys_bp


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Create the application: configure, initialise extensions, register blueprints."""
    app = Flask(
        __name__,
        instance_path=(overrides or {}).get("INSTANCE_PATH")
        or config_module.instance_path_from_env(),
        instance_relative_config=True,
    )
    settings = config_module.load_settings(overrides)
    app.config.update(config_module.flask_config(settings, Path(app.instance_path)))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(config_module.bundled_dir("migrations")), render_as_batch=True
    )
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    login_manager.init_app(app)
    init_login(login_manager)
    i18n.init_app(app)
    security.init_app(app)
    navigation.init_app(app)

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(service_bp)
    app.register_blueprint(surveys_bp)
    app.register_blueprint(respond_bp)
    app.register_blueprint(internal_bp)
    app.register_blueprint(invitations_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(actions_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(transfer_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_tokens_bp)
    app.register_blueprint(analysis_bp)
    app.register_blueprint(audits_bp)
    app.register_blueprint(fieldwork_bp)
    app.register_blueprint(pqr_intake_bp)
    app.register_blueprint(pqr_cases_bp)
    return app

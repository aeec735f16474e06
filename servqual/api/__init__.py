"""The JSON API for kiosks and apps (``/api/v1``): bearer tokens scoped to one campaign."""

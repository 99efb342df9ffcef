"""System checks (`manage.py check`, and before `runserver` and `migrate`):
settings that are missing or malformed, without calling Herald; for that,
`manage.py herald_check`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from . import conf


@checks.register()
def herald_settings(app_configs: Any = None, **_: Any) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    # Warnings, not errors: a build step (collectstatic) without secrets must still run.
    if not getattr(settings, "HERALD_URL", None):
        found.append(checks.Warning("HERALD_URL is not set", hint="Herald's address, e.g. https://herald.example.com", id="herald.W001"))
    else:
        try:
            conf.herald_url()
        except ImproperlyConfigured as error:
            found.append(checks.Error(str(error), id="herald.E001"))
    if not getattr(settings, "HERALD_API_KEY", None):
        found.append(checks.Warning("HERALD_API_KEY is not set", hint="Make a key on Herald's Admin page", id="herald.W002"))
    try:
        conf.external_id_function()
    except ImproperlyConfigured as error:
        found.append(checks.Error(str(error), id="herald.E003"))
    return found

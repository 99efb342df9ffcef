"""The settings, and the one `herald.Client` built from them.

- `HERALD_URL` (required): where this server reaches Herald.
- `HERALD_API_KEY` (required): a key made on Herald's Admin page.
- `HERALD_PUBLIC_URL`: where browsers reach Herald, when that differs
  (Herald behind another name than the one your servers use); the bell's
  script and connections go there. Default: `HERALD_URL`.
- `HERALD_EXTERNAL_ID`: a function (or its dotted path) from a user to
  the id Herald knows them by. Default: `"django:<pk>"`.
- `HERALD_TOKEN_TTL`: seconds a bell's connection token lasts (the bell
  fetches the next one before it expires). Default: 600.
- `HERALD_TIMEOUT`: seconds per request to Herald. Default: 5.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

import herald

DEFAULT_TOKEN_TTL = 600
DEFAULT_TIMEOUT = 5.0

_lock = threading.Lock()
_client: herald.Client | None = None


def herald_url() -> str:
    url = getattr(settings, "HERALD_URL", None)
    if not url:
        raise ImproperlyConfigured("Set HERALD_URL to Herald's address, e.g. https://herald.example.com")
    if not str(url).startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"HERALD_URL must start with http:// or https://, not {url!r}")
    return str(url).rstrip("/")


def public_url() -> str:
    return str(getattr(settings, "HERALD_PUBLIC_URL", None) or herald_url()).rstrip("/")


def api_key() -> str:
    key = getattr(settings, "HERALD_API_KEY", None)
    if not key:
        raise ImproperlyConfigured("Set HERALD_API_KEY to a key made on Herald's Admin page")
    return str(key)


def token_ttl() -> int:
    return int(getattr(settings, "HERALD_TOKEN_TTL", DEFAULT_TOKEN_TTL))


def timeout() -> float:
    return float(getattr(settings, "HERALD_TIMEOUT", DEFAULT_TIMEOUT))


def _default_external_id(user: Any) -> str:
    return f"django:{user.pk}"


def external_id_function() -> Callable[[Any], str]:
    scheme = getattr(settings, "HERALD_EXTERNAL_ID", None)
    if scheme is None:
        return _default_external_id
    if isinstance(scheme, str):
        try:
            scheme = import_string(scheme)
        except ImportError as error:
            raise ImproperlyConfigured(f"HERALD_EXTERNAL_ID: cannot import {scheme!r}: {error}") from error
    if not callable(scheme):
        raise ImproperlyConfigured("HERALD_EXTERNAL_ID must be a function of a user, or its dotted path")
    return scheme


def external_id(user: Any) -> str:
    """The id Herald knows `user` by (`django:<pk>` unless `HERALD_EXTERNAL_ID` says otherwise)."""
    if getattr(user, "pk", None) is None:
        raise ValueError(f"{user!r} is not a saved user: it has no primary key")
    return str(external_id_function()(user))


def get_client() -> herald.Client:
    """The process's `herald.Client`, made from the settings on first use.
    One for all threads: its connection pool is thread-safe."""
    global _client
    with _lock:
        if _client is None:
            _client = herald.Client(herald_url(), api_key(), timeout=timeout())
        return _client


@receiver(setting_changed)
def _forget_client(*, setting: str, **_: Any) -> None:
    # Tests that override HERALD_* get a client made from their settings.
    global _client
    if setting.startswith("HERALD_"):
        with _lock:
            if _client is not None:
                _client.close()
            _client = None

"""The view `<herald-bell token-url=…>` fetches: a connection token for the
signed-in user, as Herald mints it (`{"token": …, "expires_at": …}`)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

import herald

from . import conf

log = logging.getLogger("herald.django")


def _problem(status: int, title: str, detail: str) -> JsonResponse:
    return JsonResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status=status,
        content_type="application/problem+json",
    )


# GET, as the element fetches it (same-origin, with the page's cookies). It
# changes nothing, so Django's CSRF protection has nothing to guard, and no
# other site can read the answer (no CORS); a browser's cross-site request is
# refused anyway. `never_cache`: Cache-Control: no-store, a token is a secret.
@never_cache
@require_GET
def token(request: HttpRequest) -> JsonResponse:
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return _problem(403, "Forbidden", "A connection token is for this site's own pages.")
    user = request.user
    # 403, not a redirect to the login page: the caller is a script, not a person.
    if not user.is_authenticated or not user.is_active:
        return _problem(403, "Not signed in", "Sign in to see your notifications.")
    try:
        minted = conf.get_client().connection_token(external_id=conf.external_id(user), ttl_seconds=conf.token_ttl())
    except herald.HeraldError:
        log.exception("Herald: could not mint a connection token")
        return _problem(502, "Bad gateway", "Notifications are unavailable; the bell tries again.")
    return JsonResponse({"token": minted.token, "expires_at": minted.expires_at})

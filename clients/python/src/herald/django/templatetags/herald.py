"""`{% load herald %}{% herald_bell %}`: Herald's bell for the signed-in
user, with its script; nothing for anonymous visitors.

Extra keyword arguments become attributes (`class_="x"` → `class="x"`,
`token_url=…` replaces the default). The script tag carries the page's CSP
nonce when there is one: the `csp_nonce` context variable (Django 6's
context processor) or `request.csp_nonce` (django-csp)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .. import conf

register = template.Library()


@register.simple_tag(takes_context=True)
def herald_bell(context: template.Context, **attributes: Any) -> SafeString:
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return SafeString("")
    server = conf.public_url()
    nonce = context.get("csp_nonce") or getattr(request, "csp_nonce", None)
    script = format_html(
        '<script src="{}/embed/herald-bell.js" defer{}></script>',
        server,
        format_html(' nonce="{}"', nonce) if nonce else "",
    )
    attrs = {"server": server, "token-url": reverse("herald:token")}
    attrs |= {name.rstrip("_").replace("_", "-"): value for name, value in attributes.items()}
    return format_html(
        "{}<herald-bell{}></herald-bell>", script, format_html_join("", ' {}="{}"', attrs.items())
    )

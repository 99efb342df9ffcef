"""`manage.py herald_check`: is Herald reachable at HERALD_URL, does it
accept HERALD_API_KEY, and do the clocks agree? With `--origin`, may the
bell on that site read from Herald? One line either way; exit status 1 on
the first problem."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import httpx
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

import herald

from ... import conf

# Herald refuses webhook signatures five minutes old; tokens carry expiry
# times: well inside that, a drift means the clock is not synchronised.
DEFAULT_MAX_SKEW = 30.0


class Command(BaseCommand):
    help = "Checks that Herald is reachable at HERALD_URL, accepts HERALD_API_KEY, and has the same time as this server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--max-skew", type=float, default=DEFAULT_MAX_SKEW, help="seconds of clock difference allowed (30)")
        parser.add_argument("--origin", help="your site's origin (https://shop.example.com): check that Herald lets its bell in")

    def handle(self, *args: Any, max_skew: float, origin: str | None, **options: Any) -> None:
        try:
            url, key = conf.herald_url(), conf.api_key()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        timeout = conf.timeout()

        before = time.time()
        try:
            health = httpx.get(f"{url}/healthz", timeout=timeout)
        except httpx.HTTPError as error:
            raise CommandError(f"Herald is unreachable at HERALD_URL={url}: {type(error).__name__}: {error}") from error
        after = time.time()
        if health.status_code != 200:
            raise CommandError(f"{url}/healthz answered {health.status_code}: is HERALD_URL Herald's address?")

        # Reading a user who does not exist: no side effects, but the key is checked first.
        with herald.Client(url, key, timeout=timeout, max_retries=0) as client:
            try:
                client.unread(external_id="herald-check:nobody")
            except herald.NotFoundError:
                pass
            except herald.AuthenticationError as error:
                raise CommandError(
                    f"Herald at {url} refuses HERALD_API_KEY ({error.status}): unknown or revoked; make a key on Herald's Admin page"
                ) from error
            except herald.HeraldError as error:
                raise CommandError(f"Herald at {url} failed a test request: {error}") from error

        if origin is not None:
            self.check_origin(url, origin.rstrip("/"), timeout)

        date = health.headers.get("Date")
        if date is None:
            self.stdout.write(f"Herald at {url}: reachable, API key accepted; clock not checked (no Date header).")
            return
        # Date has whole seconds: Herald's time was within [date, date + 1) during the request.
        herald_time = email.utils.parsedate_to_datetime(date).timestamp() + 0.5
        skew = (before + after) / 2 - herald_time
        if abs(skew) > max_skew + 0.5:
            way = "ahead of" if skew > 0 else "behind"
            raise CommandError(
                f"this server's clock is {abs(skew):.0f} s {way} Herald's at {url} (more than {max_skew:.0f} s): "
                "synchronise both with NTP, or tokens expire early and webhook signatures are refused"
            )
        self.stdout.write(f"Herald at {url}: reachable, API key accepted, clocks agree within {max(1, round(abs(skew)))} s.")

    def check_origin(self, url: str, origin: str, timeout: float) -> None:
        # The browser's own question (a CORS preflight) for the bell's reads.
        try:
            answer = httpx.options(
                f"{url}/api/v1/me/unread",
                headers={"Origin": origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"},
                timeout=timeout,
            )
        except httpx.HTTPError as error:
            raise CommandError(f"Herald is unreachable at HERALD_URL={url}: {type(error).__name__}: {error}") from error
        if answer.headers.get("Access-Control-Allow-Origin") != origin:
            raise CommandError(f"Herald at {url} does not let the bell on {origin} in: add {origin} to Herald's HERALD_ALLOWED_ORIGINS")

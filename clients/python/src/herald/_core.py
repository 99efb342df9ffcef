"""One request to Herald, and the loop that sends it: retries of 429 and
503 after `Retry-After`, and of lost connections where sending again is
safe. Shared by the sync and the async clients, which differ only in how
they wait."""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar

import httpx

from ._errors import HeraldError, TransportError, problem_error

__version__ = "0.1.0"
USER_AGENT = f"herald-python/{__version__}"
log = logging.getLogger("herald")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """A request, and how to read its successful answer."""

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: Mapping[str, str | int] | None = None
    # Encoded once, so every retry sends the very bytes Herald hashed for
    # the Idempotency-Key (a different body under the same key is a 409).
    body: bytes | None = None
    idempotency_key: str | None = None
    # Whether a request that may have reached Herald can be sent again: a
    # send (its Idempotency-Key replays it) or any call with the same effect
    # twice. Not a retraction: the second would answer 404.
    replayable: bool = True

    def headers(self) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self.body is not None:
            headers["Content-Type"] = "application/json"
        if self.idempotency_key is not None:
            headers["Idempotency-Key"] = self.idempotency_key
        return headers


def encode(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


class Bearer(httpx.Auth):
    """`Authorization: Bearer <secret>`, kept out of every repr: the secret
    is only ever in the request's headers, which httpx does not print."""

    __slots__ = ("_header",)

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("an API key or connection token is required")
        self._header = f"Bearer {secret}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return "Bearer(<hidden>)"


# Never reached Herald: safe to send again whatever the request.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# May have reached Herald, and even been done: only replayable calls.
_MAYBE_SENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True, slots=True)
class Retries:
    max_retries: int
    max_wait: float

    def after_response(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before trying again, or None to give up."""
        if response.status_code not in (429, 503) or attempt >= self.max_retries:
            return None
        wait = retry_after(response)
        if wait is None:
            wait = self.backoff(attempt)
        # Asked to wait longer than we may: fail now rather than be refused again.
        return wait if wait <= self.max_wait else None

    def after_error(self, error: httpx.TransportError, call: Call[Any], attempt: int) -> float | None:
        if attempt >= self.max_retries:
            return None
        if isinstance(error, _NOT_SENT) or (isinstance(error, _MAYBE_SENT) and call.replayable):
            return self.backoff(attempt)
        return None

    def backoff(self, attempt: int) -> float:
        # 0.25 s doubling, jittered so that many clients do not come back at once.
        return min(0.25 * 2.0**attempt * random.uniform(1.0, 1.5), self.max_wait)


def retry_after(response: httpx.Response) -> float | None:
    """`Retry-After` in seconds: delay-seconds or an HTTP date."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(int(value)))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


@dataclass(frozen=True, slots=True)
class Wait:
    """Try again after this many seconds."""

    seconds: float


class _Base:
    def __init__(self, base_url: str, secret: str, timeout: float, max_retries: int, max_retry_wait: float) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must be an http:// or https:// URL")
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.auth = Bearer(secret)
        self.retries = Retries(max_retries, max_retry_wait)

    def request(self, call: Call[Any]) -> dict[str, Any]:
        return {
            "method": call.method,
            "url": self.base_url + call.path,
            "params": call.params,
            "content": call.body,
            "headers": call.headers(),
            "auth": self.auth,
            "timeout": self.timeout,
        }

    def outcome(self, call: Call[T], response: httpx.Response, attempt: int) -> T | Wait:
        """The parsed answer, or how long to wait before trying again;
        raises the problem when there is nothing to retry."""
        if response.is_success:
            try:
                return call.parse(response)
            except (ValueError, KeyError, TypeError) as error:
                raise HeraldError(f"{call.method} {call.path}: unexpected answer: {error}") from error
        wait = self.retries.after_response(response, attempt)
        if wait is None:
            raise problem_error(response, retry_after(response))
        log.info(
            "%s %s: %d, retrying in %.2f s (retry %d of %d)",
            call.method, call.path, response.status_code, wait, attempt + 1, self.retries.max_retries,
        )
        return Wait(wait)

    def failure(self, call: Call[Any], error: httpx.TransportError, attempt: int) -> float:
        """How long to wait after a transport error; raises when not retried."""
        wait = self.retries.after_error(error, call, attempt)
        if wait is None:
            raise TransportError(f"{call.method} {call.path}: {type(error).__name__}: {error}") from error
        log.info(
            "%s %s: %s, retrying in %.2f s (retry %d of %d)",
            call.method, call.path, type(error).__name__, wait, attempt + 1, self.retries.max_retries,
        )
        return wait


class SyncTransport(_Base):
    def __init__(
        self,
        base_url: str,
        secret: str,
        *,
        timeout: float,
        max_retries: int,
        max_retry_wait: float,
        http_client: httpx.Client | None,
    ) -> None:
        super().__init__(base_url, secret, timeout, max_retries, max_retry_wait)
        self.owned = http_client is None
        self.http = http_client or httpx.Client()

    def run(self, call: Call[T]) -> T:
        attempt = 0
        while True:
            try:
                response = self.http.request(**self.request(call))
            except httpx.TransportError as error:
                wait = self.failure(call, error, attempt)
            else:
                result = self.outcome(call, response, attempt)
                if not isinstance(result, Wait):
                    return result
                wait = result.seconds
            time.sleep(wait)
            attempt += 1

    def close(self) -> None:
        if self.owned:
            self.http.close()


class AsyncTransport(_Base):
    def __init__(
        self,
        base_url: str,
        secret: str,
        *,
        timeout: float,
        max_retries: int,
        max_retry_wait: float,
        http_client: httpx.AsyncClient | None,
    ) -> None:
        super().__init__(base_url, secret, timeout, max_retries, max_retry_wait)
        self.owned = http_client is None
        self.http = http_client or httpx.AsyncClient()

    async def run(self, call: Call[T]) -> T:
        attempt = 0
        while True:
            try:
                response = await self.http.request(**self.request(call))
            except httpx.TransportError as error:
                wait = self.failure(call, error, attempt)
            else:
                result = self.outcome(call, response, attempt)
                if not isinstance(result, Wait):
                    return result
                wait = result.seconds
            await asyncio.sleep(wait)
            attempt += 1

    async def close(self) -> None:
        if self.owned:
            await self.http.aclose()

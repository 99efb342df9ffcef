"""The exceptions the client raises: every failure is a `HeraldError`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


class HeraldError(Exception):
    """Anything that went wrong talking to Herald."""


class TransportError(HeraldError):
    """No answer from Herald (connection refused, timeout, connection lost),
    after any retries. The httpx exception is the `__cause__`."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid field, by its path in the request (`title`,
    `recipients[0].user_id`, `categories.mention.bell`), and what is wrong."""

    field: str
    message: str


class ProblemError(HeraldError):
    """Herald refused the request with an RFC 9457 problem."""

    status: int
    type: str
    title: str
    detail: str | None
    errors: tuple[FieldError, ...]
    retry_after: float | None
    problem: dict[str, Any]
    """The problem document as sent, with any members this client does not know."""

    def __init__(self, status: int, problem: dict[str, Any], retry_after: float | None = None) -> None:
        self.status = status
        self.problem = problem
        self.type = str(problem.get("type", "about:blank"))
        self.title = str(problem.get("title", ""))
        self.detail = problem.get("detail")
        self.errors = tuple(
            FieldError(str(e.get("field", "")), str(e.get("message", "")))
            for e in problem.get("errors") or ()
            if isinstance(e, dict)
        )
        self.retry_after = retry_after
        super().__init__(self._describe())

    def __reduce__(self) -> tuple[type[ProblemError], tuple[int, dict[str, Any], float | None]]:
        # Picklable (a task queue hands exceptions between processes).
        return type(self), (self.status, self.problem, self.retry_after)

    def _describe(self) -> str:
        text = f"{self.status} {self.title}".rstrip()
        if self.detail:
            text += f": {self.detail}"
        if self.errors:
            text += " (" + "; ".join(f"{e.field}: {e.message}" for e in self.errors) + ")"
        return text

    @property
    def fields(self) -> dict[str, str]:
        """Each invalid field's message, by field (the first, if named twice)."""
        out: dict[str, str] = {}
        for e in self.errors:
            out.setdefault(e.field, e.message)
        return out


class ValidationError(ProblemError):
    """400, 413, 415 or 422: the request as it stands is refused; see `errors`."""


class AuthenticationError(ProblemError):
    """401: a missing, unknown or revoked API key, or an invalid or expired
    connection token."""


class NotFoundError(ProblemError):
    """404: no such notification (or already retracted), user or action."""


class ConflictError(ProblemError):
    """409: the Idempotency-Key was used before with a different request."""


class RateLimitedError(ProblemError):
    """429, still, after the retries: over the key's (or user's) rate limit."""


class UnavailableError(ProblemError):
    """503, still, after the retries: Herald is busy or not ready."""


class ServerError(ProblemError):
    """Another 5xx: a failure on Herald's side (or a proxy's in front of it)."""


_BY_STATUS: dict[int, type[ProblemError]] = {
    400: ValidationError,
    401: AuthenticationError,
    404: NotFoundError,
    409: ConflictError,
    413: ValidationError,
    415: ValidationError,
    422: ValidationError,
    429: RateLimitedError,
    503: UnavailableError,
}


def problem_error(response: httpx.Response, retry_after: float | None) -> ProblemError:
    """The exception for an error answer, problem+json or not (a proxy's page)."""
    problem: dict[str, Any] = {}
    try:
        body = response.json()
        if isinstance(body, dict):
            problem = body
    except ValueError:
        pass
    problem.setdefault("title", response.reason_phrase)
    status = response.status_code
    kind = _BY_STATUS.get(status) or (ServerError if status >= 500 else ProblemError)
    return kind(status, problem, retry_after)

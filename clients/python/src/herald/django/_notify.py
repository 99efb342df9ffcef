"""`notify` and `notify_topic`: a notification sent when, and only if, the
change that caused it is committed; once per cause."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import models, transaction

import herald

from . import conf

log = logging.getLogger("herald.django")

Cause = str | tuple[object, ...]
"""What a notification is about, e.g. `(order, "shipped")`: a model
instance in it stands for its model and primary key."""

# Herald takes up to 1000 recipients per send.
MAX_RECIPIENTS = 1000


def notify(
    users: Any | Iterable[Any],
    title: str,
    *,
    body: str | None = None,
    link: str | None = None,
    category: str | None = None,
    actor: str | None = None,
    actions: Sequence[herald.Action] = (),
    expires_at: int | datetime | None = None,
    group_key: str | None = None,
    send_at: int | datetime | None = None,
    cause: Cause | None = None,
    idempotency_key: str | None = None,
    using: str | None = None,
    robust: bool = True,
) -> None:
    """Notify one user or several, once the current transaction on
    `using` commits: a rolled-back change notifies nobody. Outside a
    transaction (autocommit), at once.

    Give `cause`, e.g. `(order, "shipped")`, and the send is made at most
    once per cause and recipients within Herald's 24 hours, however often
    the code that calls this runs (a signal sent twice, two workers
    saving the same change, a retried task). `idempotency_key` sets the
    key yourself instead. Without either, only this call's own retries are
    deduplicated. With `send_at` (an aware datetime or Unix ms) Herald
    stores it at the commit and delivers it then.

    The send happens after the commit, when the change is already saved,
    so a failure (Herald down after the retries) does not undo it: with
    `robust` (the default) it is logged to the `herald.django` logger;
    with `robust=False` it is raised to whoever committed.
    """
    if cause is not None and idempotency_key is not None:
        raise ValueError("give cause or idempotency_key, not both")
    if isinstance(users, models.Model) or not isinstance(users, Iterable):
        users = [users]
    # Sorted: a repeat with the users in another order is the same request,
    # byte for byte, as Herald's Idempotency-Key requires.
    recipients = sorted({conf.external_id(u) for u in users})
    if not recipients:
        return
    base_key = idempotency_key or (cause_key(cause, recipients) if cause is not None else None)
    content = dict(
        body=body, link=link, category=category, actor=actor, actions=actions,
        expires_at=expires_at, group_key=group_key,
    )
    if send_at is not None:
        content["send_at"] = send_at
    chunks = [recipients[i : i + MAX_RECIPIENTS] for i in range(0, len(recipients), MAX_RECIPIENTS)]
    for n, chunk in enumerate(chunks):
        key = base_key if base_key is None or len(chunks) == 1 else f"{base_key}.{n}"
        transaction.on_commit(
            functools.partial(_send, title, chunk, content, key, cause, robust), using=using
        )


def notify_topic(
    topics: str | Iterable[str],
    title: str,
    *,
    exclude: Any | Iterable[Any] = (),
    body: str | None = None,
    link: str | None = None,
    category: str | None = None,
    actor: str | None = None,
    actions: Sequence[herald.Action] = (),
    expires_at: int | datetime | None = None,
    group_key: str | None = None,
    send_at: int | datetime | None = None,
    cause: Cause | None = None,
    idempotency_key: str | None = None,
    using: str | None = None,
    robust: bool = True,
) -> None:
    """Notify everyone subscribed to `topics` (`"post:42"`, or several),
    each once, except the `exclude` user(s) (who caused it: nobody is told
    of their own comment), once the current transaction on `using`
    commits. `cause`, `idempotency_key` and `robust` work as in `notify`."""
    if cause is not None and idempotency_key is not None:
        raise ValueError("give cause or idempotency_key, not both")
    topics = sorted({topics} if isinstance(topics, str) else set(topics))
    if not topics:
        return
    if isinstance(exclude, models.Model) or not isinstance(exclude, Iterable):
        exclude = [exclude]
    excluded = sorted({conf.external_id(u) for u in exclude})
    key = idempotency_key or (
        cause_key(cause, [f"topic:{t}" for t in topics] + [f"not:{e}" for e in excluded])
        if cause is not None
        else None
    )
    content = dict(
        body=body, link=link, category=category, actor=actor, actions=actions,
        expires_at=expires_at, group_key=group_key, send_at=send_at,
    )
    transaction.on_commit(
        functools.partial(_send_topic, title, topics, excluded, content, key, cause, robust), using=using
    )


def cause_key(cause: Cause, recipients: Sequence[str]) -> str:
    """The Idempotency-Key for a cause and its recipients: the recipients
    are part of it, so one event may notify a customer and, with other
    words, the staff."""
    parts = cause if isinstance(cause, tuple) else (cause,)
    text = json.dumps([_part(p) for p in parts] + [list(recipients)], ensure_ascii=False)
    return "django:" + hashlib.sha256(text.encode()).hexdigest()


def _part(part: object) -> str:
    if isinstance(part, models.Model):
        if part.pk is None:
            raise ValueError(f"cause: {part!r} is not saved, so it has no primary key")
        return f"{part._meta.label_lower}:{part.pk}"
    return str(part)


def _send(
    title: str, recipients: list[str], content: dict[str, Any], key: str | None, cause: Cause | None, robust: bool
) -> None:
    try:
        client = conf.get_client()
        if content.get("send_at") is not None:
            client.schedule(title, external_ids=recipients, idempotency_key=key, **content)
        else:
            client.send(title, external_ids=recipients, idempotency_key=key, **content)
    except herald.ConflictError:
        # This cause was notified before, with other words (a title that
        # changed between two runs): still once, as asked.
        log.warning("Herald: %r was already notified for cause %r with other content; not sent again", title, cause)
    except herald.HeraldError:
        if not robust:
            raise
        log.exception("Herald: could not notify %d user(s) of %r (cause %r)", len(recipients), title, cause)


def _send_topic(
    title: str,
    topics: list[str],
    excluded: list[str],
    content: dict[str, Any],
    key: str | None,
    cause: Cause | None,
    robust: bool,
) -> None:
    try:
        conf.get_client().notify_topic(
            title, topics=topics, exclude_external_ids=excluded, idempotency_key=key, **content
        )
    except herald.ConflictError:
        log.warning("Herald: %r was already notified for cause %r with other content; not sent again", title, cause)
    except herald.HeraldError:
        if not robust:
            raise
        log.exception("Herald: could not notify topics %s of %r (cause %r)", ", ".join(topics), title, cause)

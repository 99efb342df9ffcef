"""The clients: `Client` and `AsyncClient` with an API key (your backend),
`TokenClient` and `AsyncTokenClient` with one user's connection token
(`/api/v1/me`). Each method is one endpoint; see `_ops` for what it sends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Self

import httpx

from . import _models as m
from . import _ops as ops
from ._core import AsyncTransport, SyncTransport

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_RETRIES = 3
DEFAULT_MAX_RETRY_WAIT = 10.0


class Client:
    """Herald's integration API with an API key, for your backend.

    `timeout` is per attempt (seconds). 429 and 503 are retried up to
    `max_retries` times after `Retry-After` (refused at once if Herald asks
    for more than `max_retry_wait` seconds); lost connections are retried
    where sending again is safe. Pass `http_client` for proxies, custom
    certificates or connection limits (it is not closed by `close()`).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._t = SyncTransport(
            base_url, api_key, timeout=timeout, max_retries=max_retries,
            max_retry_wait=max_retry_wait, http_client=http_client,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._t.base_url!r})"

    def send(
        self,
        title: str,
        *,
        external_ids: str | Iterable[str] = (),
        user_ids: int | Iterable[int] = (),
        body: str | None = None,
        link: str | None = None,
        category: str | None = None,
        actor: str | None = None,
        actions: Sequence[m.Action] = (),
        expires_at: int | datetime | None = None,
        group_key: str | None = None,
        idempotency_key: str | None = None,
    ) -> m.Sent:
        """One notification to each user named: by your id for them
        (`external_ids`, a user made on first use) or by Herald's
        (`user_ids`). Give `idempotency_key` (unique per event, e.g.
        `order-7-shipped`) and a repeat of this send within 24 hours, from
        any process, creates nothing; without one, only this call's own
        retries are covered."""
        content = ops.content(title, body, link, category, actor, actions, expires_at, group_key)
        return self._t.run(ops.send(content, external_ids, user_ids, idempotency_key))

    def broadcast(
        self,
        title: str,
        *,
        body: str | None = None,
        link: str | None = None,
        category: str | None = None,
        actor: str | None = None,
        actions: Sequence[m.Action] = (),
        expires_at: int | datetime | None = None,
        group_key: str | None = None,
        idempotency_key: str | None = None,
    ) -> m.Broadcast:
        """One notification to every active user, written in the background."""
        content = ops.content(title, body, link, category, actor, actions, expires_at, group_key)
        return self._t.run(ops.broadcast(content, idempotency_key))

    def schedule(
        self,
        title: str,
        *,
        send_at: int | datetime,
        external_ids: str | Iterable[str] = (),
        user_ids: int | Iterable[int] = (),
        everyone: bool = False,
        body: str | None = None,
        link: str | None = None,
        category: str | None = None,
        actor: str | None = None,
        actions: Sequence[m.Action] = (),
        expires_at: int | datetime | None = None,
        group_key: str | None = None,
        idempotency_key: str | None = None,
    ) -> m.Scheduled:
        """A send delivered at `send_at` (an aware datetime or Unix ms, at
        most a year ahead) to the users named, or to `everyone`: stored now,
        delivered then, once. `retract_send(result.send_id)` cancels it."""
        content = ops.content(title, body, link, category, actor, actions, expires_at, group_key)
        return self._t.run(ops.schedule(content, external_ids, user_ids, everyone, send_at, idempotency_key))

    def notify_topic(
        self,
        title: str,
        *,
        topics: str | Iterable[str],
        external_ids: str | Iterable[str] = (),
        user_ids: int | Iterable[int] = (),
        exclude_external_ids: str | Iterable[str] = (),
        body: str | None = None,
        link: str | None = None,
        category: str | None = None,
        actor: str | None = None,
        actions: Sequence[m.Action] = (),
        expires_at: int | datetime | None = None,
        group_key: str | None = None,
        send_at: int | datetime | None = None,
        idempotency_key: str | None = None,
    ) -> m.Broadcast:
        """One notification to everyone subscribed to `topics` (and any
        users named), each once, except `exclude_external_ids` (the actor
        who caused it); written out in the background."""
        content = ops.content(title, body, link, category, actor, actions, expires_at, group_key)
        return self._t.run(ops.notify_topic(
            content, topics, external_ids, user_ids, exclude_external_ids, send_at, idempotency_key
        ))

    def subscribe(
        self, topic: str, *, external_ids: str | Iterable[str] = (), user_ids: int | Iterable[int] = ()
    ) -> int:
        """Subscribes users to `topic` (unknown external ids become users);
        returns how many were new."""
        return self._t.run(ops.change_subscribers("PUT", topic, external_ids, user_ids))

    def unsubscribe(
        self, topic: str, *, external_ids: str | Iterable[str] = (), user_ids: int | Iterable[int] = ()
    ) -> int:
        """Unsubscribes users from `topic`; returns how many were subscribed."""
        return self._t.run(ops.change_subscribers("DELETE", topic, external_ids, user_ids))

    def subscribers(self, topic: str, *, after: int | None = None, limit: int | None = None) -> m.Subscribers:
        """One page of `topic`'s subscribers (`limit` 1–1000, default 100)."""
        return self._t.run(ops.subscribers(topic, after, limit))

    def iter_subscribers(self, topic: str, *, page_size: int = 1000) -> Iterator[m.Subscriber]:
        """Every subscriber of `topic`, a page at a time."""
        after: int | None = None
        while True:
            page = self.subscribers(topic, after=after, limit=page_size)
            yield from page.subscribers
            if page.next_after is None:
                return
            after = page.next_after

    def retract(self, notification_id: int) -> None:
        """Take a notification back from its recipient's inbox and count, live.
        `NotFoundError` if unknown or already retracted."""
        self._t.run(ops.retract(notification_id))

    def set_user(self, external_id: str, *, email: str | None = None, display_name: str | None = None) -> int:
        """Sets the address email digests go to and the name they greet
        (`None` removes it); makes the user on first use. Their Herald id."""
        return self._t.run(ops.set_user(external_id, email, display_name))

    def send_status(self, send_id: int) -> m.SendStatus:
        """Where a send (a `send_id` from `broadcast`, `schedule` or
        `notify_topic`) stands, with its counts."""
        return self._t.run(ops.send_status(send_id))

    def retract_send(self, send_id: int) -> None:
        """Take back a whole send (a broadcast, a scheduled send) from every
        recipient; before a scheduled send's time, nobody ever gets it."""
        self._t.run(ops.retract_send(send_id))

    def mark_read(self, notification_id: int) -> None:
        self._t.run(ops.mark_read(notification_id))

    def notifications(
        self,
        *,
        external_id: str | None = None,
        user_id: int | None = None,
        view: m.View | None = None,
        before: int | None = None,
        limit: int | None = None,
    ) -> m.Page:
        """One page of a user's notifications, newest first (`limit` 1–100, default 20)."""
        return self._t.run(ops.page(external_id, user_id, view, before, limit))

    def iter_notifications(
        self,
        *,
        external_id: str | None = None,
        user_id: int | None = None,
        view: m.View | None = None,
        page_size: int = 100,
    ) -> Iterator[m.Notification]:
        """Every notification of a user's `view`, newest first, a page at a time."""
        before: int | None = None
        while True:
            page = self.notifications(external_id=external_id, user_id=user_id, view=view, before=before, limit=page_size)
            yield from page.notifications
            if page.next_before is None:
                return
            before = page.next_before

    def unread(self, *, external_id: str | None = None, user_id: int | None = None) -> m.Unread:
        return self._t.run(ops.unread(external_id, user_id))

    def connection_token(
        self, *, external_id: str | None = None, user_id: int | None = None, ttl_seconds: int | None = None
    ) -> m.ConnectionToken:
        """A token for one user's page (`ttl_seconds` 1–3600, default 300)."""
        return self._t.run(ops.connection_token(external_id, user_id, ttl_seconds))

    def preferences(self, external_id: str) -> m.Preferences:
        return self._t.run(ops.preferences(external_id))

    def update_preferences(self, external_id: str, changes: Mapping[str, m.PreferenceChange]) -> m.Preferences:
        """Change some categories, e.g. `{"mention": {"bell": False}}`; answers all of them."""
        return self._t.run(ops.update_preferences(external_id, changes))

    def close(self) -> None:
        self._t.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()


class AsyncClient:
    """`Client`, for asyncio: the same methods, awaited."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._t = AsyncTransport(
            base_url, api_key, timeout=timeout, max_retries=max_retries,
            max_retry_wait=max_retry_wait, http_client=http_client,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._t.base_url!r})"

    async def send(
        self,
        title: str,
        *,
        external_ids: str | Iterable[str] = (),
        user_ids: int | Iterable[int] = (),
        body: str | None = None,
        link: str | None = None,
        category: str | None = None,
        actor: str | None = None,
        actions: Sequence[m.Action] = (),
        expires_at: int | datetime | None = None,
        group_key: str | None = None,
        idempotency_key: str | None = None,
    ) -> m.Sent:
        content = ops.content(title, body, link, category, actor, actions, expires_at, group_key)
        return await self._t.run(ops.send(content, external_ids, user_ids, idempotency_key))

    async def broadcast(
        self,
        title: str,
        *,
        body: str | None = None,
        link: str | None = None,
        category: str | None = None,
        actor: str | None = None,
        actions: Sequence[m.Action] = (),
        expires_at: int | datetime | None = None,
        group_key: str | None = None,
        idempotency_key: str | None = None,
    ) -> m.Broadcast:
        content = ops.content(title, body, link, category, actor, actions, expires_at, group_key)
        return await self._t.run(ops.broadcast(content, idempotency_key))

    async def schedule(
        self,
        title: str,
        *,
        send_at: int | datetime,
        external_ids: str | Iterable[str] = (),
        user_ids: int | Iterable[int] = (),
        everyone: bool = False,
        body: str | None = None,
        link: str | None = None,
        category: str | None = None,
        actor: str | None = None,
        actions: Sequence[m.Action] = (),
        expires_at: int | datetime | None = None,
        group_key: str | None = None,
        idempotency_key: str | None = None,
    ) -> m.Scheduled:
        content = ops.content(title, body, link, category, actor, actions, expires_at, group_key)
        return await self._t.run(ops.schedule(content, external_ids, user_ids, everyone, send_at, idempotency_key))

    async def notify_topic(
        self,
        title: str,
        *,
        topics: str | Iterable[str],
        external_ids: str | Iterable[str] = (),
        user_ids: int | Iterable[int] = (),
        exclude_external_ids: str | Iterable[str] = (),
        body: str | None = None,
        link: str | None = None,
        category: str | None = None,
        actor: str | None = None,
        actions: Sequence[m.Action] = (),
        expires_at: int | datetime | None = None,
        group_key: str | None = None,
        send_at: int | datetime | None = None,
        idempotency_key: str | None = None,
    ) -> m.Broadcast:
        content = ops.content(title, body, link, category, actor, actions, expires_at, group_key)
        return await self._t.run(ops.notify_topic(
            content, topics, external_ids, user_ids, exclude_external_ids, send_at, idempotency_key
        ))

    async def subscribe(
        self, topic: str, *, external_ids: str | Iterable[str] = (), user_ids: int | Iterable[int] = ()
    ) -> int:
        return await self._t.run(ops.change_subscribers("PUT", topic, external_ids, user_ids))

    async def unsubscribe(
        self, topic: str, *, external_ids: str | Iterable[str] = (), user_ids: int | Iterable[int] = ()
    ) -> int:
        return await self._t.run(ops.change_subscribers("DELETE", topic, external_ids, user_ids))

    async def subscribers(self, topic: str, *, after: int | None = None, limit: int | None = None) -> m.Subscribers:
        return await self._t.run(ops.subscribers(topic, after, limit))

    async def retract(self, notification_id: int) -> None:
        await self._t.run(ops.retract(notification_id))

    async def set_user(self, external_id: str, *, email: str | None = None, display_name: str | None = None) -> int:
        return await self._t.run(ops.set_user(external_id, email, display_name))

    async def send_status(self, send_id: int) -> m.SendStatus:
        return await self._t.run(ops.send_status(send_id))

    async def retract_send(self, send_id: int) -> None:
        await self._t.run(ops.retract_send(send_id))

    async def mark_read(self, notification_id: int) -> None:
        await self._t.run(ops.mark_read(notification_id))

    async def notifications(
        self,
        *,
        external_id: str | None = None,
        user_id: int | None = None,
        view: m.View | None = None,
        before: int | None = None,
        limit: int | None = None,
    ) -> m.Page:
        return await self._t.run(ops.page(external_id, user_id, view, before, limit))

    async def iter_notifications(
        self,
        *,
        external_id: str | None = None,
        user_id: int | None = None,
        view: m.View | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[m.Notification]:
        before: int | None = None
        while True:
            page = await self.notifications(
                external_id=external_id, user_id=user_id, view=view, before=before, limit=page_size
            )
            for notification in page.notifications:
                yield notification
            if page.next_before is None:
                return
            before = page.next_before

    async def unread(self, *, external_id: str | None = None, user_id: int | None = None) -> m.Unread:
        return await self._t.run(ops.unread(external_id, user_id))

    async def connection_token(
        self, *, external_id: str | None = None, user_id: int | None = None, ttl_seconds: int | None = None
    ) -> m.ConnectionToken:
        return await self._t.run(ops.connection_token(external_id, user_id, ttl_seconds))

    async def preferences(self, external_id: str) -> m.Preferences:
        return await self._t.run(ops.preferences(external_id))

    async def update_preferences(self, external_id: str, changes: Mapping[str, m.PreferenceChange]) -> m.Preferences:
        return await self._t.run(ops.update_preferences(external_id, changes))

    async def close(self) -> None:
        await self._t.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        await self.close()


class TokenClient:
    """One user's own notifications (`/api/v1/me`), with the connection
    token your backend minted for them (`Client.connection_token`)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._t = SyncTransport(
            base_url, token, timeout=timeout, max_retries=max_retries,
            max_retry_wait=max_retry_wait, http_client=http_client,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._t.base_url!r})"

    def notifications(
        self, *, view: m.View | None = None, before: int | None = None, limit: int | None = None
    ) -> m.Page:
        return self._t.run(ops.my_page(view, before, limit))

    def unread(self) -> m.Unread:
        return self._t.run(ops.my_unread())

    def mark_read(self, notification_id: int) -> None:
        self._t.run(ops.my_change(notification_id, "read"))

    def mark_unread(self, notification_id: int) -> None:
        self._t.run(ops.my_change(notification_id, "unread"))

    def archive(self, notification_id: int) -> None:
        self._t.run(ops.my_change(notification_id, "archive"))

    def unarchive(self, notification_id: int) -> None:
        self._t.run(ops.my_change(notification_id, "unarchive"))

    def snooze(self, notification_id: int, until: int | datetime) -> None:
        """Out of the inbox and count until `until` (Unix ms or an aware datetime)."""
        self._t.run(ops.my_snooze(notification_id, until))

    def unsnooze(self, notification_id: int) -> None:
        self._t.run(ops.my_change(notification_id, "unsnooze"))

    def mark_all_read(self) -> None:
        self._t.run(ops.my_read_all())

    def act(self, notification_id: int, index: int) -> str | None:
        """Click action `index`: where a link action goes (`None` for a webhook)."""
        return self._t.run(ops.my_act(notification_id, index))

    def preferences(self) -> m.Preferences:
        return self._t.run(ops.my_preferences())

    def update_preferences(self, changes: Mapping[str, m.PreferenceChange]) -> m.Preferences:
        return self._t.run(ops.my_update_preferences(changes))

    def close(self) -> None:
        self._t.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()


class AsyncTokenClient:
    """`TokenClient`, for asyncio."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._t = AsyncTransport(
            base_url, token, timeout=timeout, max_retries=max_retries,
            max_retry_wait=max_retry_wait, http_client=http_client,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._t.base_url!r})"

    async def notifications(
        self, *, view: m.View | None = None, before: int | None = None, limit: int | None = None
    ) -> m.Page:
        return await self._t.run(ops.my_page(view, before, limit))

    async def unread(self) -> m.Unread:
        return await self._t.run(ops.my_unread())

    async def mark_read(self, notification_id: int) -> None:
        await self._t.run(ops.my_change(notification_id, "read"))

    async def mark_unread(self, notification_id: int) -> None:
        await self._t.run(ops.my_change(notification_id, "unread"))

    async def archive(self, notification_id: int) -> None:
        await self._t.run(ops.my_change(notification_id, "archive"))

    async def unarchive(self, notification_id: int) -> None:
        await self._t.run(ops.my_change(notification_id, "unarchive"))

    async def snooze(self, notification_id: int, until: int | datetime) -> None:
        await self._t.run(ops.my_snooze(notification_id, until))

    async def unsnooze(self, notification_id: int) -> None:
        await self._t.run(ops.my_change(notification_id, "unsnooze"))

    async def mark_all_read(self) -> None:
        await self._t.run(ops.my_read_all())

    async def act(self, notification_id: int, index: int) -> str | None:
        return await self._t.run(ops.my_act(notification_id, index))

    async def preferences(self) -> m.Preferences:
        return await self._t.run(ops.my_preferences())

    async def update_preferences(self, changes: Mapping[str, m.PreferenceChange]) -> m.Preferences:
        return await self._t.run(ops.my_update_preferences(changes))

    async def close(self) -> None:
        await self._t.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        await self.close()

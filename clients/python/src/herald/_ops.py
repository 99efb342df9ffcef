"""Every endpoint of `/api/v1` as a `Call`: what to send and how to read
the answer. The clients only run these."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from . import _models as m
from ._core import Call, encode

API = "/api/v1"
T = TypeVar("T")


def _nothing(_: httpx.Response) -> None:
    return None


def _json(read: Callable[[Any], T]) -> Callable[[httpx.Response], T]:
    return lambda response: read(response.json())


def _ids(value: Any, kind: type) -> list[Any]:
    # One id alone is taken as a list of one, never iterated (a string would
    # otherwise become its characters).
    if isinstance(value, kind):
        return [value]
    return list(value)


def _user(external_id: str | None, user_id: int | None) -> dict[str, str | int]:
    if external_id is not None and user_id is None:
        return {"external_id": external_id}
    if user_id is not None and external_id is None:
        return {"user_id": user_id}
    raise ValueError("name the user by external_id or user_id (exactly one)")


def content(
    title: str,
    body: str | None,
    link: str | None,
    category: str | None,
    actor: str | None,
    actions: Sequence[m.Action],
    expires_at: int | datetime | None,
    group_key: str | None = None,
) -> dict[str, Any]:
    """The notification's fields, only those given: Herald's defaults apply to
    the rest. `group_key`: unread notifications with the same key show to
    each recipient as one row, counted once."""
    out: dict[str, Any] = {"title": title}
    fields = (("body", body), ("link", link), ("category", category), ("actor", actor),
              ("group_key", group_key))
    for name, value in fields:
        if value is not None:
            out[name] = value
    if actions:
        out["actions"] = [a.to_json() for a in actions]
    if expires_at is not None:
        out["expires_at"] = m.millis(expires_at)
    return out


def send(
    content: dict[str, Any],
    external_ids: str | Iterable[str],
    user_ids: int | Iterable[int],
    idempotency_key: str | None,
) -> Call[m.Sent]:
    recipients: list[dict[str, Any]] = [{"external_id": e} for e in _ids(external_ids, str)]
    recipients += [{"user_id": u} for u in _ids(user_ids, int)]
    return _create({"recipients": recipients} | content, m.sent, idempotency_key)


def broadcast(content: dict[str, Any], idempotency_key: str | None) -> Call[m.Broadcast]:
    return _create({"broadcast": True} | content, m.broadcast, idempotency_key)


def schedule(
    content: dict[str, Any],
    external_ids: str | Iterable[str],
    user_ids: int | Iterable[int],
    everyone: bool,
    send_at: int | datetime,
    idempotency_key: str | None,
) -> Call[m.Scheduled]:
    recipients: list[dict[str, Any]] = [{"external_id": e} for e in _ids(external_ids, str)]
    recipients += [{"user_id": u} for u in _ids(user_ids, int)]
    audience: dict[str, Any] = {"broadcast": True} if everyone else {"recipients": recipients}
    return _create(audience | content | {"send_at": m.millis(send_at)}, m.scheduled, idempotency_key)


def notify_topic(
    content: dict[str, Any],
    topics: str | Iterable[str],
    external_ids: str | Iterable[str],
    user_ids: int | Iterable[int],
    exclude_external_ids: str | Iterable[str],
    send_at: int | datetime | None,
    idempotency_key: str | None,
) -> Call[m.Broadcast]:
    recipients: list[dict[str, Any]] = [{"topic": t} for t in _ids(topics, str)]
    recipients += [{"external_id": e} for e in _ids(external_ids, str)]
    recipients += [{"user_id": u} for u in _ids(user_ids, int)]
    payload: dict[str, Any] = {"recipients": recipients} | content
    exclude = [{"external_id": e} for e in _ids(exclude_external_ids, str)]
    if exclude:
        payload["exclude"] = exclude
    if send_at is not None:
        payload["send_at"] = m.millis(send_at)
    return _create(payload, m.broadcast, idempotency_key)


def _topic_path(topic: str) -> str:
    return f"{API}/topics/{quote(topic, safe=':')}/subscribers"


def change_subscribers(
    method: str, topic: str, external_ids: str | Iterable[str], user_ids: int | Iterable[int]
) -> Call[int]:
    body = {"external_ids": _ids(external_ids, str), "user_ids": _ids(user_ids, int)}
    # The same change twice leaves the same subscribers: safe to retry.
    return Call(method, _topic_path(topic), _json(m.changed), body=encode(body))


def subscribers(topic: str, after: int | None, limit: int | None) -> Call[m.Subscribers]:
    params: dict[str, str | int] = {}
    if after is not None:
        params["after"] = after
    if limit is not None:
        params["limit"] = limit
    return Call("GET", _topic_path(topic), _json(m.subscribers), params=params)


def _create(payload: dict[str, Any], read: Callable[[Any], T], idempotency_key: str | None) -> Call[T]:
    return Call(
        "POST",
        f"{API}/notifications",
        _json(read),
        body=encode(payload),
        # One key for every attempt of this call, so a retry never sends twice.
        idempotency_key=idempotency_key or str(uuid.uuid4()),
    )


def retract(notification_id: int) -> Call[None]:
    return Call("DELETE", f"{API}/notifications/{int(notification_id)}", _nothing, replayable=False)


def set_user(external_id: str, email: str | None, display_name: str | None) -> Call[int]:
    body = {"email": email, "display_name": display_name}
    # The same details twice are the same details: safe to retry.
    return Call(
        "PUT", f"{API}/users/{quote(external_id, safe='')}", _json(lambda d: int(d["user_id"])), body=encode(body)
    )


def send_status(send_id: int) -> Call[m.SendStatus]:
    return Call("GET", f"{API}/sends/{int(send_id)}", _json(m.send_status))


def retract_send(send_id: int) -> Call[None]:
    # Withdrawing a send twice is a 204 both times: safe to retry.
    return Call("DELETE", f"{API}/sends/{int(send_id)}", _nothing)


def mark_read(notification_id: int) -> Call[None]:
    return Call("POST", f"{API}/notifications/{int(notification_id)}/read", _nothing)


def _page_params(view: m.View | None, before: int | None, limit: int | None) -> dict[str, str | int]:
    params: dict[str, str | int] = {}
    if view is not None:
        params["view"] = view
    if before is not None:
        params["before"] = before
    if limit is not None:
        params["limit"] = limit
    return params


def page(
    external_id: str | None, user_id: int | None, view: m.View | None, before: int | None, limit: int | None
) -> Call[m.Page]:
    params = _user(external_id, user_id) | _page_params(view, before, limit)
    return Call("GET", f"{API}/notifications", _json(m.page), params=params)


def unread(external_id: str | None, user_id: int | None) -> Call[m.Unread]:
    return Call("GET", f"{API}/unread", _json(m.unread), params=_user(external_id, user_id))


def connection_token(external_id: str | None, user_id: int | None, ttl_seconds: int | None) -> Call[m.ConnectionToken]:
    payload: dict[str, Any] = _user(external_id, user_id)
    if ttl_seconds is not None:
        payload["ttl_seconds"] = ttl_seconds
    return Call("POST", f"{API}/connection-tokens", _json(m.connection_token), body=encode(payload))


def _preferences_path(external_id: str) -> str:
    # Any character may be in an external id (`django:42`, `a/b`): one path segment.
    return f"{API}/users/{quote(external_id, safe='')}/preferences"


def preferences(external_id: str) -> Call[m.Preferences]:
    return Call("GET", _preferences_path(external_id), _json(m.preferences))


def _changes(changes: Mapping[str, m.PreferenceChange]) -> bytes:
    return encode({"categories": {name: dict(change) for name, change in changes.items()}})


def update_preferences(external_id: str, changes: Mapping[str, m.PreferenceChange]) -> Call[m.Preferences]:
    return Call("PUT", _preferences_path(external_id), _json(m.preferences), body=_changes(changes))


# `/api/v1/me`: one user's own notifications, with their connection token.


def my_page(view: m.View | None, before: int | None, limit: int | None) -> Call[m.Page]:
    return Call("GET", f"{API}/me/notifications", _json(m.page), params=_page_params(view, before, limit))


def my_unread() -> Call[m.Unread]:
    return Call("GET", f"{API}/me/unread", _json(m.unread))


def my_change(notification_id: int, change: str) -> Call[None]:
    """`read`, `unread`, `archive`, `unarchive` or `unsnooze`."""
    return Call("POST", f"{API}/me/notifications/{int(notification_id)}/{change}", _nothing)


def my_snooze(notification_id: int, until: int | datetime) -> Call[None]:
    path = f"{API}/me/notifications/{int(notification_id)}/snooze"
    return Call("POST", path, _nothing, params={"until": m.millis(until)})


def my_read_all() -> Call[None]:
    return Call("POST", f"{API}/me/notifications/read-all", _nothing)


def my_act(notification_id: int, index: int) -> Call[str | None]:
    path = f"{API}/me/notifications/{int(notification_id)}/actions/{int(index)}"
    return Call("POST", path, _json(lambda data: data.get("url")))


def my_preferences() -> Call[m.Preferences]:
    return Call("GET", f"{API}/me/preferences", _json(m.preferences))


def my_update_preferences(changes: Mapping[str, m.PreferenceChange]) -> Call[m.Preferences]:
    return Call("PUT", f"{API}/me/preferences", _json(m.preferences), body=_changes(changes))

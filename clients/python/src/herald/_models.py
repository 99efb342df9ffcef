"""What the API takes and answers, as plain frozen dataclasses.

Times are Unix milliseconds (ints), as on the wire. Answers are read
leniently: a field a newer Herald adds is ignored, not an error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypedDict

View = Literal["all", "unread", "snoozed", "archived"]
"""Which notifications a page lists: `all` is the inbox (not archived or snoozed)."""


@dataclass(frozen=True, slots=True)
class Action:
    """A button on a notification to send: exactly one of `url` (a link,
    opened through Herald, which records the click) or `webhook` (an https
    URL Herald POSTs, signed, when the recipient clicks)."""

    label: str
    url: str | None = None
    webhook: str | None = None

    def to_json(self) -> dict[str, str]:
        out = {"label": self.label}
        if self.url is not None:
            out["url"] = self.url
        if self.webhook is not None:
            out["webhook"] = self.webhook
        return out


@dataclass(frozen=True, slots=True)
class SentNotification:
    """One recipient's copy of a sent notification."""

    id: int
    user_id: int
    seq: int


@dataclass(frozen=True, slots=True)
class Sent:
    """The answer to a send to named users: one notification per recipient."""

    notifications: tuple[SentNotification, ...]

    @property
    def ids(self) -> list[int]:
        return [n.id for n in self.notifications]


@dataclass(frozen=True, slots=True)
class Broadcast:
    """A send to everyone, accepted: Herald writes it out in the background."""

    send_id: int
    recipients: int


@dataclass(frozen=True, slots=True)
class Scheduled:
    """A send accepted for later: delivered at `send_at` (Unix ms), once,
    also if Herald is down then (as soon as it runs again). Cancel it with
    `retract_send(send_id)` before then."""

    send_id: int
    recipients: int
    send_at: int


@dataclass(frozen=True, slots=True)
class NotificationAction:
    """A button as a recipient sees it: a webhook action has no `url`."""

    label: str
    url: str | None


@dataclass(frozen=True, slots=True)
class Notification:
    id: int
    seq: int
    version: int
    title: str
    body: str
    link: str | None
    category: str
    actor: str | None
    created_at: int
    seen_at: int | None
    read_at: int | None
    archived_at: int | None
    snoozed_until: int | None
    muted: bool
    actions: tuple[NotificationAction, ...]
    interacted_at: int | None
    chosen_action: int | None
    group_key: str | None = None
    """The sender's grouping key; notifications sharing `group` show as one row."""
    group: int | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """Newest first; pass `next_before` as `before` for the next page
    (`None` on the last)."""

    notifications: tuple[Notification, ...]
    next_before: int | None

    def __iter__(self) -> Iterator[Notification]:
        return iter(self.notifications)

    def __len__(self) -> int:
        return len(self.notifications)


@dataclass(frozen=True, slots=True)
class Unread:
    unread: int
    seq: int
    """The user's sequence number this count is valid at."""


@dataclass(frozen=True, slots=True)
class CategoryPreference:
    bell: bool
    desktop: bool
    push: bool
    required: bool
    """An admin made the category required: `bell` cannot be turned off."""
    email: bool = False
    """In an email digest when no tab showed it in time."""


@dataclass(frozen=True, slots=True)
class Preferences:
    """Every category's preference, by category name (`info`, `success`,
    `warning`, `mention`)."""

    categories: Mapping[str, CategoryPreference]

    def __getitem__(self, category: str) -> CategoryPreference:
        return self.categories[category]


class PreferenceChange(TypedDict, total=False):
    """What changes in one category; what is left out stays."""

    bell: bool
    desktop: bool
    push: bool
    email: bool


@dataclass(frozen=True, slots=True)
class ConnectionToken:
    """A short-lived token for one user's page: `/ws?token=`, `/events?token=`
    and `/api/v1/me`. Kept out of `repr()`: it is a credential."""

    token: str = field(repr=False)
    expires_at: int


def millis(when: int | datetime) -> int:
    """Unix milliseconds from an int (taken as milliseconds) or an aware datetime."""
    if isinstance(when, datetime):
        if when.tzinfo is None:
            raise ValueError("a naive datetime is ambiguous: give it a tzinfo (e.g. UTC)")
        return int(when.timestamp() * 1000)
    return int(when)


def sent(data: Any) -> Sent:
    return Sent(tuple(SentNotification(n["id"], n["user_id"], n["seq"]) for n in data["notifications"]))


def broadcast(data: Any) -> Broadcast:
    return Broadcast(data["send_id"], data["recipients"])


@dataclass(frozen=True, slots=True)
class Subscriber:
    """One user subscribed to a topic."""

    user_id: int
    external_id: str | None
    since: int
    """When they were subscribed (Unix ms)."""


@dataclass(frozen=True, slots=True)
class Subscribers:
    """A page of a topic's subscribers in Herald id order; pass
    `next_after` as `after` for the next (`None` on the last)."""

    subscribers: tuple[Subscriber, ...]
    next_after: int | None

    def __iter__(self) -> Iterator[Subscriber]:
        return iter(self.subscribers)


def subscribers(data: Any) -> Subscribers:
    return Subscribers(
        tuple(Subscriber(s["user_id"], s["external_id"], s["since"]) for s in data["subscribers"]),
        data["next_after"],
    )


def changed(data: Any) -> int:
    return int(data["changed"])


@dataclass(frozen=True, slots=True)
class SendStatus:
    """Where a send stands: `status` is scheduled, sending, sent or
    withdrawn; the counts are its recipients so far."""

    send_id: int
    title: str
    audience: str
    status: Literal["scheduled", "sending", "sent", "withdrawn"]
    created_at: int
    send_at: int | None
    recipients: int
    delivered: int
    seen: int
    read: int
    interacted: int


def send_status(data: Any) -> SendStatus:
    return SendStatus(
        data["send_id"], data["title"], data["audience"], data["status"], data["created_at"],
        data.get("send_at"), data["recipients"], data["delivered"], data["seen"], data["read"],
        data["interacted"],
    )


def scheduled(data: Any) -> Scheduled:
    return Scheduled(data["send_id"], data["recipients"], data["send_at"])


def notification(n: Any) -> Notification:
    return Notification(
        id=n["id"],
        seq=n["seq"],
        version=n["version"],
        title=n["title"],
        body=n.get("body", ""),
        link=n.get("link"),
        category=n["category"],
        actor=n.get("actor"),
        created_at=n["created_at"],
        seen_at=n.get("seen_at"),
        read_at=n.get("read_at"),
        archived_at=n.get("archived_at"),
        snoozed_until=n.get("snoozed_until"),
        muted=n.get("muted", False),
        actions=tuple(NotificationAction(a["label"], a.get("url")) for a in n.get("actions", ())),
        interacted_at=n.get("interacted_at"),
        chosen_action=n.get("chosen_action"),
        group_key=n.get("group_key"),
        group=n.get("group"),
    )


def page(data: Any) -> Page:
    return Page(tuple(notification(n) for n in data["notifications"]), data.get("next_before"))


def unread(data: Any) -> Unread:
    return Unread(data["unread"], data["seq"])


def preferences(data: Any) -> Preferences:
    return Preferences(
        {
            name: CategoryPreference(
                p["bell"], p["desktop"], p["push"], p.get("required", False), p.get("email", False)
            )
            for name, p in data["categories"].items()
        }
    )


def connection_token(data: Any) -> ConnectionToken:
    return ConnectionToken(data["token"], data["expires_at"])

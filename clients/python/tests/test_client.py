"""Every method of `Client` and `TokenClient` against a real Herald."""

from __future__ import annotations

import pickle
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from conftest import Herald, eventually

import herald
from herald import Action


def test_send_with_every_field_reads_back(client: herald.Client, user: str) -> None:
    expires = datetime.now(timezone.utc) + timedelta(days=1)
    sent = client.send(
        "Your order shipped",
        external_ids=[user],
        body="Order #7 is on its way.",
        link="/orders/7",
        category="success",
        actor="Shop",
        actions=[Action("View order", url="https://shop.example/orders/7"), Action("Refund", webhook="http://127.0.0.1:9/hook")],
        expires_at=expires,
    )
    assert len(sent.notifications) == 1
    created = sent.notifications[0]

    page = client.notifications(external_id=user)
    assert page.next_before is None
    (n,) = page.notifications
    assert (n.id, n.seq) == (created.id, created.seq)
    assert (n.title, n.body, n.link, n.category, n.actor) == (
        "Your order shipped", "Order #7 is on its way.", "/orders/7", "success", "Shop",
    )
    # A webhook's address is never shown back: only that it is one.
    assert [(a.label, a.url) for a in n.actions] == [("View order", "https://shop.example/orders/7"), ("Refund", None)]
    assert n.read_at is None and not n.muted
    assert client.unread(external_id=user).unread == 1
    # The same user, now by Herald's id.
    assert client.unread(user_id=created.user_id).unread == 1


def test_send_by_user_id_and_external_id_at_once(client: herald.Client, user: str) -> None:
    first = client.send("hello", external_ids=user)  # one id alone, not a list
    other = f"{user}-b"
    sent = client.send("to both", user_ids=first.notifications[0].user_id, external_ids=[other])
    assert sorted(n.user_id for n in sent.notifications)[0] == first.notifications[0].user_id
    assert len(sent.ids) == 2
    assert client.unread(external_id=user).unread == 2
    assert client.unread(external_id=other).unread == 1


def test_grouped_sends_are_one_row_counted_once(client: herald.Client, user: str) -> None:
    for who in ("Ana", "Bo", "Cy"):
        client.send(f"{who} commented", external_ids=[user], actor=who, group_key="post:42:comments")
    page = client.notifications(external_id=user)
    assert {n.group_key for n in page} == {"post:42:comments"}
    assert len({n.group for n in page}) == 1
    assert client.unread(external_id=user).unread == 1


def test_broadcast_reaches_every_user(client: herald.Client, user: str) -> None:
    client.send("so that the user exists", external_ids=[user])
    accepted = client.broadcast("Maintenance at noon", category="warning", idempotency_key=str(uuid.uuid4()))
    assert accepted.send_id > 0 and accepted.recipients >= 4  # the seeded users and ours

    def arrived() -> bool:
        return any(n.title == "Maintenance at noon" for n in client.notifications(external_id=user))

    eventually(arrived, what="the broadcast in the user's inbox")


def test_schedule_delivers_at_its_time_and_retract_send_cancels(client: herald.Client, user: str) -> None:
    soon = datetime.now(timezone.utc) + timedelta(seconds=1)
    cancelled = client.schedule("Never mind", send_at=soon, external_ids=[user])
    kept = client.schedule("Your trial ends tomorrow", send_at=soon + timedelta(milliseconds=500), external_ids=[user])
    assert isinstance(kept, herald.Scheduled) and kept.recipients == 1
    assert kept.send_at == int((soon + timedelta(milliseconds=500)).timestamp() * 1000)
    assert client.notifications(external_id=user).notifications == (), "nothing yet"
    assert client.send_status(cancelled.send_id).status == "scheduled"
    client.retract_send(cancelled.send_id)
    client.retract_send(cancelled.send_id)  # twice is fine: it stays withdrawn
    assert client.send_status(cancelled.send_id).status == "withdrawn"

    def arrived() -> list[str]:
        return [n.title for n in client.notifications(external_id=user)]

    # The kept one was due after the cancelled one: when it is here, the
    # other would have been too.
    assert eventually(arrived, what="the scheduled send") == ["Your trial ends tomorrow"]
    done = eventually(lambda: client.send_status(kept.send_id).status == "sent" and client.send_status(kept.send_id),
                      what="the send recorded as sent")
    assert done.recipients == 1
    with pytest.raises(herald.ValidationError) as refused:
        client.schedule("In the past", send_at=datetime.now(timezone.utc) - timedelta(minutes=1), external_ids=[user])
    assert [e.field for e in refused.value.errors] == ["send_at"]


def test_topics_subscribe_page_send_and_exclude(client: herald.Client, user: str) -> None:
    topic = f"post:{uuid.uuid4().hex[:8]}:comments"
    actor, follower = f"{user}-actor", f"{user}-follower"
    assert client.subscribe(topic, external_ids=[user, actor, follower]) == 3
    assert client.subscribe(topic, external_ids=user) == 0  # already in
    assert [s.external_id for s in client.iter_subscribers(topic, page_size=2)] == [user, actor, follower]
    assert client.unsubscribe(topic, external_ids=[follower, "nobody"]) == 1
    accepted = client.notify_topic("Ana commented", topics=topic, exclude_external_ids=actor, actor="Ana")
    assert accepted.recipients == 1

    def arrived() -> list[str]:
        return [n.title for n in client.notifications(external_id=user)]

    assert eventually(arrived, what="the topic send") == ["Ana commented"]
    assert client.notifications(external_id=actor).notifications == ()
    with pytest.raises(herald.ValidationError) as refused:
        client.subscribe("no spaces allowed", external_ids=[user])
    assert [e.field for e in refused.value.errors] == ["key"]


def test_set_user_and_email_preference(client: herald.Client, user: str) -> None:
    assert client.set_user(user, email=f"{user}@example.com", display_name="Ana") > 0
    assert client.preferences(user).categories["info"].email is False
    changed = client.update_preferences(user, {"info": {"email": True}})
    assert changed.categories["info"].email is True
    with pytest.raises(herald.ValidationError) as refused:
        client.set_user(user, email="not an address")
    assert [e.field for e in refused.value.errors] == ["email"]


def test_retract_and_mark_read(client: herald.Client, user: str) -> None:
    a, b = (client.send(t, external_ids=[user]).ids[0] for t in ("a", "b"))
    client.mark_read(a)
    assert client.unread(external_id=user).unread == 1
    client.retract(b)
    assert client.unread(external_id=user).unread == 0
    assert [n.id for n in client.notifications(external_id=user)] == [a]
    with pytest.raises(herald.NotFoundError) as refused:
        client.retract(b)
    assert refused.value.status == 404
    with pytest.raises(herald.NotFoundError):
        client.mark_read(10**12)


def test_pages_and_iteration(client: herald.Client, user: str) -> None:
    ids = [client.send(f"n{i}", external_ids=[user]).ids[0] for i in range(5)]
    first = client.notifications(external_id=user, limit=2)
    assert [n.id for n in first] == [ids[4], ids[3]]
    assert first.next_before is not None
    second = client.notifications(external_id=user, limit=2, before=first.next_before)
    assert [n.id for n in second] == [ids[2], ids[1]]
    assert [n.id for n in client.iter_notifications(external_id=user, page_size=2)] == ids[::-1]
    client.mark_read(ids[0])
    assert [n.id for n in client.notifications(external_id=user, view="unread")] == ids[:0:-1]


def test_unknown_user_is_not_found(client: herald.Client, user: str) -> None:
    with pytest.raises(herald.NotFoundError):
        client.notifications(external_id=user)
    with pytest.raises(herald.NotFoundError):
        client.preferences(user)
    with pytest.raises(ValueError, match="exactly one"):
        client.unread()


def test_preferences(client: herald.Client, user: str) -> None:
    # A user not seen before is made, so preferences can be synced first.
    prefs = client.update_preferences(user, {"mention": {"bell": False}})
    assert set(prefs.categories) == {"info", "success", "warning", "mention"}
    assert prefs["mention"].bell is False and prefs["mention"].desktop is True
    assert client.preferences(user)["mention"].bell is False
    # Muted: stored and listed, never counted.
    client.send("psst", external_ids=[user], category="mention")
    assert client.unread(external_id=user).unread == 0
    assert [n.muted for n in client.notifications(external_id=user)] == [True]
    with pytest.raises(herald.ValidationError) as refused:
        client.update_preferences(user, {"nope": {"bell": False}})
    assert "categories.nope" in refused.value.fields


def test_external_ids_with_any_character(client: herald.Client) -> None:
    odd = f"django:{uuid.uuid4().hex[:6]}/a b?c#d%"
    client.update_preferences(odd, {"info": {"push": False}})
    assert client.preferences(odd)["info"].push is False
    client.send("odd", external_ids=[odd])
    assert client.unread(external_id=odd).unread == 1


def test_field_errors_name_the_field(client: herald.Client, user: str) -> None:
    cases: list[tuple[dict[str, object], str]] = [
        ({"title": ""}, "title"),
        ({"title": "t", "link": "ftp://x"}, "link"),
        ({"title": "t", "category": "urgent"}, "category"),
        ({"title": "t", "actions": [Action("a", url="/a")] * 3}, "actions"),
        ({"title": "t", "expires_at": 1}, "expires_at"),
    ]
    for fields, name in cases:
        with pytest.raises(herald.ValidationError) as refused:
            client.send(external_ids=[user], **fields)  # type: ignore[arg-type]
        assert refused.value.status == 422
        assert name in refused.value.fields, (name, refused.value.errors)
        assert name in str(refused.value)
    with pytest.raises(herald.ValidationError) as refused:
        client.send("nobody")
    assert "recipients" in refused.value.fields
    # As a task queue would hand it from a worker.
    copy = pickle.loads(pickle.dumps(refused.value))
    assert (type(copy), copy.status, copy.errors) == (herald.ValidationError, 422, refused.value.errors)
    with pytest.raises(herald.ValidationError) as refused:
        client.connection_token(external_id=user, ttl_seconds=0)
    assert "ttl_seconds" in refused.value.fields
    client.send("exists", external_ids=[user])
    with pytest.raises(herald.ValidationError) as refused:
        client.notifications(external_id=user, limit=0)
    assert list(refused.value.fields) == ["limit"]
    with pytest.raises(herald.ValidationError) as refused:
        client.send("t", external_ids=[user], idempotency_key="x" * 256)
    assert "Idempotency-Key" in refused.value.fields


def test_wrong_key_is_an_authentication_error(server: Herald) -> None:
    with herald.Client(server.base_url, "hk_not-a-key") as wrong:
        with pytest.raises(herald.AuthenticationError) as refused:
            wrong.send("t", external_ids=["x"])
    problem = refused.value
    assert (problem.status, problem.title, problem.type) == (401, "Unauthorized", "about:blank")
    assert problem.detail and "API key" in problem.detail


def test_idempotency_key_creates_once(client: herald.Client, user: str) -> None:
    key = f"order-{uuid.uuid4()}-shipped"
    first = client.send("Shipped", external_ids=[user], body="b", idempotency_key=key)
    again = client.send("Shipped", external_ids=[user], body="b", idempotency_key=key)
    assert again == first
    assert client.unread(external_id=user).unread == 1
    with pytest.raises(herald.ConflictError):
        client.send("Shipped!", external_ids=[user], body="b", idempotency_key=key)


def test_token_client_every_method(server: Herald, client: herald.Client, user: str) -> None:
    a, b = (
        client.send(t, external_ids=[user], actions=[Action("Open", url="/x"), Action("Hook", webhook="http://127.0.0.1:9/h")]).ids[0]
        for t in ("a", "b")
    )
    token = client.connection_token(external_id=user, ttl_seconds=60)
    assert token.expires_at > 0
    with herald.TokenClient(server.base_url, token.token) as me:
        assert [n.id for n in me.notifications()] == [b, a]
        assert me.unread().unread == 2
        me.mark_read(a)
        assert me.unread().unread == 1
        me.mark_unread(a)
        assert me.unread().unread == 2
        me.archive(a)
        assert [n.id for n in me.notifications(view="archived")] == [a]
        me.unarchive(a)
        me.snooze(b, datetime.now(timezone.utc) + timedelta(hours=1))
        assert [n.id for n in me.notifications(view="snoozed", limit=5)] == [b]
        assert me.unread().unread == 1
        me.unsnooze(b)
        assert me.unread().unread == 2
        me.mark_all_read()
        assert me.unread().unread == 0
        assert me.act(a, 0) == "/x"
        assert me.act(a, 1) is None
        acted = me.notifications().notifications[-1]
        assert acted.id == a and acted.interacted_at is not None and acted.chosen_action == 1
        with pytest.raises(herald.NotFoundError):
            me.act(a, 2)
        assert me.update_preferences({"warning": {"desktop": False}})["warning"].desktop is False
        assert me.preferences()["warning"].desktop is False
        assert client.preferences(user)["warning"].desktop is False
        with pytest.raises(herald.ValidationError) as refused:
            me.snooze(a, 1)
        assert "until" in refused.value.fields

    # Another user's notification is as absent as one that does not exist.
    other = client.connection_token(external_id=f"{user}-other")
    with herald.TokenClient(server.base_url, other.token) as them:
        with pytest.raises(herald.NotFoundError):
            them.mark_read(a)
    with herald.TokenClient(server.base_url, token.token + "x") as forged:
        with pytest.raises(herald.AuthenticationError):
            forged.unread()

"""Every method of `AsyncClient` and `AsyncTokenClient` against a real Herald."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import pytest
from conftest import Herald

import herald
from herald import Action

pytestmark = pytest.mark.anyio


@pytest.fixture
async def aclient(server: Herald, api_key: str) -> AsyncIterator[herald.AsyncClient]:
    async with herald.AsyncClient(server.base_url, api_key) as c:
        yield c


async def test_send_read_retract(aclient: herald.AsyncClient, user: str) -> None:
    key = str(uuid.uuid4())
    tomorrow = int((datetime.now(timezone.utc) + timedelta(days=1)).timestamp() * 1000)
    sent = await aclient.send(
        "Hello", external_ids=[user], body="b", link="https://x.example/", category="mention",
        actor="Ann", actions=[Action("Go", url="/go")], expires_at=tomorrow, idempotency_key=key,
    )
    assert await aclient.send(
        "Hello", external_ids=[user], body="b", link="https://x.example/", category="mention",
        actor="Ann", actions=[Action("Go", url="/go")], expires_at=tomorrow, idempotency_key=key,
    ) == sent
    (created,) = sent.notifications
    second = await aclient.send("Again", user_ids=[created.user_id])
    assert (await aclient.unread(external_id=user)).unread == 2
    page = await aclient.notifications(external_id=user, limit=1)
    assert [n.id for n in page] == second.ids and page.next_before is not None
    assert [n.id async for n in aclient.iter_notifications(user_id=created.user_id, page_size=1)] == [
        second.ids[0], created.id,
    ]
    await aclient.mark_read(created.id)
    assert [n.id for n in await aclient.notifications(external_id=user, view="unread")] == second.ids
    await aclient.retract(second.ids[0])
    assert (await aclient.unread(external_id=user)).unread == 0
    with pytest.raises(herald.NotFoundError):
        await aclient.retract(second.ids[0])


async def test_broadcast_and_preferences(aclient: herald.AsyncClient, user: str) -> None:
    accepted = await aclient.broadcast("All hands", body="at noon")
    assert accepted.recipients >= 1
    prefs = await aclient.update_preferences(user, {"info": {"bell": False, "push": False}})
    assert (prefs["info"].bell, prefs["info"].push) == (False, False)
    assert (await aclient.preferences(user))["info"].bell is False


async def test_field_errors(aclient: herald.AsyncClient, user: str) -> None:
    with pytest.raises(herald.ValidationError) as refused:
        await aclient.send("t" * 201, external_ids=[user], actor="a" * 201)
    assert {"title", "actor"} <= set(refused.value.fields)
    with pytest.raises(herald.ValidationError) as refused:
        await aclient.send("t", external_ids=[user], actions=[Action("", url="/x")])
    assert any(f.startswith("actions") for f in refused.value.fields)


async def test_token_client_every_method(server: Herald, aclient: herald.AsyncClient, user: str) -> None:
    (a,) = (await aclient.send("a", external_ids=[user], actions=[Action("Open", url="/o")])).ids
    token = await aclient.connection_token(external_id=user)
    async with herald.AsyncTokenClient(server.base_url, token.token) as me:
        assert [n.id for n in await me.notifications(limit=10)] == [a]
        await me.mark_read(a)
        await me.mark_unread(a)
        assert (await me.unread()).unread == 1
        await me.archive(a)
        assert [n.id for n in await me.notifications(view="archived")] == [a]
        await me.unarchive(a)
        await me.snooze(a, datetime.now(timezone.utc) + timedelta(minutes=5))
        assert (await me.unread()).unread == 0
        await me.unsnooze(a)
        await me.mark_all_read()
        assert (await me.unread()).unread == 0
        assert await me.act(a, 0) == "/o"
        assert (await me.update_preferences({"success": {"push": False}}))["success"].push is False
        assert (await me.preferences())["success"].push is False
    async with herald.AsyncTokenClient(server.base_url, "not-a-token") as forged:
        with pytest.raises(herald.AuthenticationError):
            await forged.unread()

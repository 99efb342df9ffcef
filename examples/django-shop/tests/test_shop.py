"""The shop and herald.django against a real Herald: after commit, once per
cause, the bell's token view, `{% herald_bell %}` and `herald_check`.

`on_commit` callbacks never run inside pytest-django's default test
transaction (it is rolled back, never committed), so the tests that need
a real commit use `transaction=True`, and the others run the callbacks
explicitly with `django_capture_on_commit_callbacks(execute=True)`."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from conftest import SHOP_URL, eventually, titles
from django.contrib.auth.models import AnonymousUser, User
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models.signals import post_save
from django.template import Context, Template
from django.test import Client, RequestFactory

import herald
import herald.django
from shop.models import Order


class Boom(Exception):
    pass


def customer_with_order(name: str = "carol") -> tuple[User, Order]:
    user = User.objects.create_user(name, password="carol-password")
    return user, Order.objects.create(customer=user, item="Walking boots")


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_save_notifies_nobody(herald_client: herald.Client) -> None:
    customer, order = customer_with_order()
    with pytest.raises(Boom), transaction.atomic():
        order.status = Order.Status.SHIPPED
        order.save()  # the receiver calls notify() here
        raise Boom
    # Sending is synchronous, in the commit: had it been sent, it would be in Herald now.
    assert titles(herald_client, herald.django.external_id(customer)) == []

    order = Order.objects.get(pk=order.pk)
    with transaction.atomic():
        order.status = Order.Status.SHIPPED
        order.save()
        assert titles(herald_client, herald.django.external_id(customer)) == [], "sent before the commit"
    assert titles(herald_client, herald.django.external_id(customer)) == [f"Your order #{order.pk} shipped"]


@pytest.mark.django_db(transaction=True)
def test_a_signal_run_twice_notifies_once(herald_client: herald.Client) -> None:
    customer, order = customer_with_order()
    runs: list[int] = []

    def count(sender: type[Order], instance: Order, **_: Any) -> None:
        runs.append(instance.pk)

    post_save.connect(count, sender=Order)
    try:
        # Two staff members ship the same order from two stale pages.
        first, second = Order.objects.get(pk=order.pk), Order.objects.get(pk=order.pk)
        for copy in (first, second):
            copy.status = Order.Status.SHIPPED
            copy.save()
        # And the receiver runs once more, as a signal sent twice would.
        second.saved_status = Order.Status.PENDING
        post_save.send(sender=Order, instance=second, created=False)
    finally:
        post_save.disconnect(count, sender=Order)
    assert runs == [order.pk] * 3
    assert titles(herald_client, herald.django.external_id(customer)) == [f"Your order #{order.pk} shipped"]


@pytest.mark.django_db(transaction=True)
def test_a_later_save_of_a_shipped_order_notifies_nobody_again(herald_client: herald.Client) -> None:
    customer, order = customer_with_order()
    order.status = Order.Status.SHIPPED
    order.save()
    order.item = "Walking boots, size 43"
    order.save()
    Order.objects.get(pk=order.pk).save()
    assert len(titles(herald_client, herald.django.external_id(customer))) == 1


@pytest.mark.django_db(transaction=True)
def test_notify_topic_reaches_the_subscribers_after_commit_but_not_the_actor(herald_client: herald.Client) -> None:
    author, order = customer_with_order("dora")
    follower = User.objects.create_user("erin", password="erin-password")
    ids = [herald.django.external_id(u) for u in (author, follower)]
    herald_client.subscribe(f"order:{order.pk}", external_ids=ids)
    with pytest.raises(Boom), transaction.atomic():
        herald.django.notify_topic(f"order:{order.pk}", "Rolled back", exclude=author)
        raise Boom
    for _ in range(2):  # a receiver run twice: once
        with transaction.atomic():
            herald.django.notify_topic(
                f"order:{order.pk}", "Dora commented on the order", exclude=author,
                group_key=f"order:{order.pk}:comments", cause=(order, "commented"),
            )
    eventually(lambda: titles(herald_client, ids[1]) == ["Dora commented on the order"], what="the topic send")
    assert titles(herald_client, ids[0]) == [], "the actor is not told of their own comment"


@pytest.mark.django_db(transaction=True)
def test_notify_with_send_at_is_stored_at_the_commit_and_delivered_at_its_time(herald_client: herald.Client) -> None:
    customer, order = customer_with_order("fay")
    soon = datetime.now(timezone.utc) + timedelta(seconds=1)
    with transaction.atomic():
        herald.django.notify(customer, "Rate your boots", send_at=soon, cause=(order, "review-reminder"))
    who = herald.django.external_id(customer)
    assert titles(herald_client, who) == [], "not before its time"
    eventually(lambda: titles(herald_client, who) == ["Rate your boots"], what="the scheduled send")
    assert datetime.now(timezone.utc) >= soon


@pytest.mark.django_db
def test_the_admin_action_ships_and_notifies(
    client: Client, herald_client: herald.Client, django_capture_on_commit_callbacks: Any
) -> None:
    customer, order = customer_with_order()
    client.force_login(User.objects.create_superuser("sam", password="sam-password"))
    with django_capture_on_commit_callbacks(execute=True) as sends:
        response = client.post(
            "/admin/shop/order/", {"action": "mark_shipped", "_selected_action": [order.pk]}, follow=True
        )
    assert response.status_code == 200
    assert len(sends) == 1
    assert Order.objects.get(pk=order.pk).status == Order.Status.SHIPPED
    assert titles(herald_client, herald.django.external_id(customer)) == [f"Your order #{order.pk} shipped"]


@pytest.mark.django_db
def test_the_token_view_refuses_anonymous_users_and_mints_for_the_signed_in_one(
    client: Client, herald_client: herald.Client, herald_settings: Any
) -> None:
    refused = client.get("/herald/token")
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert "no-store" in refused["Cache-Control"]
    assert client.post("/herald/token").status_code == 405

    customer, _ = customer_with_order()
    client.force_login(customer)
    assert client.get("/herald/token", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    minted = client.get("/herald/token", headers={"Sec-Fetch-Site": "same-origin"})
    assert minted.status_code == 200
    assert "no-store" in minted["Cache-Control"]
    token = minted.json()
    assert set(token) == {"token", "expires_at"}

    # The token is this customer's, and only theirs, on Herald's /api/v1/me.
    herald_client.send("For carol", external_ids=herald.django.external_id(customer))
    herald_client.send("For someone else", external_ids=f"{herald.django.external_id(customer)}-other")
    with herald.TokenClient(herald_settings.HERALD_URL, token["token"]) as me:
        assert [n.title for n in me.notifications()] == ["For carol"]
        assert me.unread().unread == 1


@pytest.mark.django_db
def test_the_orders_page_shows_the_bell_to_a_signed_in_customer(client: Client, herald_settings: Any) -> None:
    assert client.get("/").status_code == 302  # to the login page
    customer, order = customer_with_order()
    client.force_login(customer)
    page = client.get("/").content.decode()
    assert f'<herald-bell server="{herald_settings.HERALD_URL}" token-url="/herald/token"></herald-bell>' in page
    assert order.item in page


def test_the_template_tag_renders_the_bell_with_the_pages_csp_nonce(herald_settings: Any) -> None:
    herald_settings.HERALD_PUBLIC_URL = "https://herald.example.com"
    request = RequestFactory().get("/")
    request.user = User(pk=7, username="carol")
    request.csp_nonce = "n0nce"  # as django-csp sets it
    template = Template('{% load herald %}{% herald_bell class_="bell" %}')
    assert template.render(Context({"request": request})) == (
        '<script src="https://herald.example.com/embed/herald-bell.js" defer nonce="n0nce"></script>'
        '<herald-bell server="https://herald.example.com" token-url="/herald/token" class="bell"></herald-bell>'
    )
    request.user = AnonymousUser()
    assert template.render(Context({"request": request})) == ""


def test_herald_check_passes_and_reports_a_wrong_key_in_one_line(
    herald_settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("herald_check")
    assert capsys.readouterr().out.startswith(f"Herald at {herald_settings.HERALD_URL}: reachable, API key accepted")

    herald_settings.HERALD_API_KEY = "hk_wrong"
    with pytest.raises(CommandError) as wrong:
        call_command("herald_check")
    assert "refuses HERALD_API_KEY" in str(wrong.value)
    assert "\n" not in str(wrong.value)


def test_herald_check_tells_whether_herald_lets_the_sites_bell_in(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("herald_check", origin=SHOP_URL)  # in the test Herald's HERALD_ALLOWED_ORIGINS
    assert "reachable, API key accepted" in capsys.readouterr().out
    with pytest.raises(CommandError, match="add http://elsewhere.test to Herald's HERALD_ALLOWED_ORIGINS$"):
        call_command("herald_check", origin="http://elsewhere.test")


def test_herald_check_reports_a_clock_two_minutes_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from herald.django.management.commands import herald_check

    class Ahead:
        @staticmethod
        def time() -> float:
            return time.time() + 120

    monkeypatch.setattr(herald_check, "time", Ahead)  # this command's clock only
    with pytest.raises(CommandError, match=r"^this server's clock is 12\d s ahead of Herald's"):
        call_command("herald_check")


def test_herald_check_exits_non_zero_with_one_line_when_herald_is_unreachable(herald_settings: Any) -> None:
    herald_settings.HERALD_URL = "http://127.0.0.1:9"  # discard: nobody listens
    with pytest.raises(CommandError, match=r"^Herald is unreachable at HERALD_URL=http://127\.0\.0\.1:9: ConnectError"):
        call_command("herald_check")


def test_the_client_imports_without_django() -> None:
    blocked = "import sys; sys.modules['django'] = None; import herald; print(herald.Client.__name__)"
    assert subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True, check=True).stdout == "Client\n"

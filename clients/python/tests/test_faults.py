"""Retries against a real Herald under real faults: its rate limit (429),
its load shedding (503), a crash (SIGKILL) before a send reaches it, and a
crash after it committed a send whose answer never arrived. Each retried
send must leave exactly one notification, every attempt under one key."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

import httpx
import pytest
from conftest import Herald, eventually, free_port, running

import herald

T = TypeVar("T")


class Recorder:
    """Each attempt at a send the client made: its Idempotency-Key, and the
    status (None when no answer came)."""

    def __init__(self) -> None:
        self.attempts: list[tuple[str | None, int | None]] = []

    def on_request(self, request: httpx.Request) -> None:
        if request.method == "POST" and request.url.path == "/api/v1/notifications":
            self.attempts.append((request.headers.get("Idempotency-Key"), None))

    def on_response(self, response: httpx.Response) -> None:
        request = response.request
        if request.method == "POST" and request.url.path == "/api/v1/notifications":
            self.attempts[-1] = (self.attempts[-1][0], response.status_code)

    def statuses(self) -> list[int | None]:
        return [status for _, status in self.attempts]

    def keys(self) -> set[str | None]:
        return {key for key, _ in self.attempts}

    def http(self) -> httpx.Client:
        hooks: dict[str, list[Callable[..., Any]]] = {"request": [self.on_request], "response": [self.on_response]}
        # Uncompressed, so that a test can read an answer off the wire.
        return httpx.Client(event_hooks=hooks, headers={"Accept-Encoding": "identity"})


class Background(Generic[T]):
    """`work` on a thread of its own, while the test breaks things."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._outcome: list[T] = []
        self._error: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, args=(work,), daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], T]) -> None:
        try:
            self._outcome.append(work())
        except BaseException as error:  # re-raised in the test's thread
            self._error.append(error)

    def result(self, timeout: float = 30.0) -> T:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"still running after {timeout} s"
        if self._error:
            raise self._error[0]
        return self._outcome[0]


@pytest.fixture
def retry_logged() -> Iterator[threading.Event]:
    """Set when the client logs that it will retry."""
    logged = threading.Event()

    class OnRetry(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "retrying" in record.getMessage():
                logged.set()

    handler, logger = OnRetry(), logging.getLogger("herald")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield logged
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.fixture(scope="module")
def limited(tmp_root: Path) -> Iterator[Herald]:
    """A Herald allowing one API request a second, in a burst of one."""
    yield from running(tmp_root / "limited", HERALD_API_RATE="1", HERALD_API_BURST="1")


def test_429_is_retried_with_the_same_key_and_creates_one(limited: Herald, user: str) -> None:
    key = limited.mint_key()
    recorder = Recorder()
    with (
        recorder.http() as http,
        herald.Client(limited.base_url, key, http_client=http) as client,
        herald.Client(limited.base_url, key, max_retries=0) as impatient,
    ):
        client.send("uses up the burst", external_ids=[f"{user}-a"])
        # No retries: the 429 surfaces, and nothing was created.
        with pytest.raises(herald.RateLimitedError) as refused:
            impatient.send("refused", external_ids=[f"{user}-b"])
        assert refused.value.status == 429 and refused.value.retry_after == 1
        # Retried after Retry-After, under one key.
        recorder.attempts.clear()
        sent = client.send("retried", external_ids=[user])
        assert recorder.statuses() == [429, 201]
        assert len(recorder.keys()) == 1
        assert [n.id for n in client.notifications(external_id=user)] == sent.ids
        with pytest.raises(herald.NotFoundError):  # the refused send did not even make its user
            client.notifications(external_id=f"{user}-b")


def test_retry_after_past_the_cap_is_not_waited_for(limited: Herald, user: str) -> None:
    key = limited.mint_key("impatient")
    with herald.Client(limited.base_url, key, max_retry_wait=0.5) as client:
        client.send("uses up the burst", external_ids=[user])
        with pytest.raises(herald.RateLimitedError):
            client.send("would need 1 s", external_ids=[user])


@pytest.fixture
def busy(tmp_root: Path) -> Iterator[Herald]:
    """A Herald handling one request at a time."""
    yield from running(tmp_root / "busy", HERALD_MAX_CONCURRENT_REQUESTS="1")


def test_503_while_busy_is_retried_with_the_same_key(busy: Herald, user: str, retry_logged: threading.Event) -> None:
    """The one slot is held by a request whose body never comes: the send
    is shed with 503, then retried once the slot is free."""
    key = busy.mint_key()
    recorder = Recorder()
    with (
        socket.create_connection(("127.0.0.1", busy.port)) as hold,
        recorder.http() as http,
        herald.Client(busy.base_url, key, http_client=http) as client,
    ):
        hold.sendall(
            b"POST /api/v1/notifications HTTP/1.1\r\nHost: herald\r\n"
            b"Authorization: Bearer " + key.encode() + b"\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        )

        def shed() -> bool:
            response = httpx.get(f"{busy.base_url}/api/v1/unread", params={"external_id": user}, timeout=5)
            return response.status_code == 503

        eventually(shed, what="the held request to take the only slot")
        sending = Background(lambda: client.send("sent while busy", external_ids=[user]))
        assert retry_logged.wait(timeout=10), "the send was not shed"
        hold.close()  # frees the slot before the retry comes
        sent = sending.result()
        assert [n.id for n in client.notifications(external_id=user)] == sent.ids
    assert recorder.statuses() == [503, 201]
    assert len(recorder.keys()) == 1


@pytest.fixture
def crashable(tmp_root: Path, request: pytest.FixtureRequest) -> Iterator[Herald]:
    yield from running(tmp_root / f"crash-{request.node.name}")


def test_send_while_herald_is_down_lands_once_when_it_is_back(
    crashable: Herald, user: str, retry_logged: threading.Event
) -> None:
    key = crashable.mint_key()
    recorder = Recorder()
    with (
        recorder.http() as http,
        herald.Client(crashable.base_url, key, http_client=http, max_retries=20, max_retry_wait=1.0) as client,
    ):
        crashable.kill()
        sending = Background(lambda: client.send("sent into a crash", external_ids=[user]))
        assert retry_logged.wait(timeout=10), "the first attempt was not refused"
        crashable.start()  # the same database and port
        sent = sending.result()
        assert [n.id for n in client.notifications(external_id=user)] == sent.ids
    # Refused (no answer) at least once, then created, all under one key.
    statuses = recorder.statuses()
    assert statuses[0] is None and statuses[-1] == 201 and statuses.count(201) == 1
    assert len(recorder.keys()) == 1


class LosingProxy:
    """A TCP proxy to Herald that, on its first connection, forwards the
    request, reads Herald's whole answer, and then (once told) hangs up
    without passing it on: the request was done, its answer lost. Later
    connections are passed through."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.port = free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.answered = threading.Event()
        self.hang_up = threading.Event()
        self.lost_answer = b""
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        first = True
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            target = self._lose if first else self._pass
            first = False
            threading.Thread(target=target, args=(conn,), daemon=True).start()

    @staticmethod
    def _message(conn: socket.socket) -> bytes:
        """One whole HTTP message, its body by Content-Length or chunked."""

        def more() -> bytes:
            chunk = conn.recv(65536)
            if not chunk:
                raise ConnectionError("closed mid-message")
            return chunk

        data = b""
        while b"\r\n\r\n" not in data:
            data += more()
        head, _, body = data.partition(b"\r\n\r\n")
        fields = dict(line.lower().split(b":", 1) for line in head.split(b"\r\n")[1:])
        if fields.get(b"transfer-encoding", b"").strip() == b"chunked":
            while not body.endswith(b"0\r\n\r\n"):
                body += more()
        length = int(fields.get(b"content-length", b"0"))
        while len(body) < length:
            body += more()
        return head + b"\r\n\r\n" + body

    def _lose(self, conn: socket.socket) -> None:
        with conn, socket.create_connection(self.upstream) as up:
            up.sendall(self._message(conn))
            self.lost_answer = self._message(up)
            self.answered.set()
            self.hang_up.wait(timeout=30)

    def _pass(self, conn: socket.socket) -> None:
        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while chunk := src.recv(65536):
                    dst.sendall(chunk)
            except OSError:
                pass
            finally:
                dst.close()

        with conn, socket.create_connection(self.upstream) as up:
            back = threading.Thread(target=pump, args=(up, conn), daemon=True)
            back.start()
            pump(conn, up)
            back.join(timeout=30)

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def proxy(crashable: Herald) -> Iterator[LosingProxy]:
    losing = LosingProxy(crashable.port)
    yield losing
    losing.close()


def test_answer_lost_in_a_crash_after_commit_is_replayed_once(
    crashable: Herald, proxy: LosingProxy, user: str
) -> None:
    key = crashable.mint_key()
    recorder = Recorder()
    with (
        recorder.http() as http,
        herald.Client(f"http://127.0.0.1:{proxy.port}", key, http_client=http, timeout=20) as client,
    ):
        sending = Background(lambda: client.send("committed, answer lost", external_ids=[user]))
        assert proxy.answered.wait(timeout=10), "Herald never answered the first attempt"
        # Herald committed the send and answered; the client has heard nothing.
        assert proxy.lost_answer.startswith(b"HTTP/1.1 201")
        crashable.kill()
        crashable.start()
        proxy.hang_up.set()
        sent = sending.result()
        # The retry got the first answer again, from the restarted Herald's database.
        lost = json.loads(proxy.lost_answer.partition(b"\r\n\r\n")[2])
        assert sent.ids == [n["id"] for n in lost["notifications"]]
        assert [n.id for n in client.notifications(external_id=user)] == sent.ids
    assert recorder.statuses() == [None, 201]
    assert len(recorder.keys()) == 1


def test_lost_answer_of_a_retraction_is_not_retried(crashable: Herald, proxy: LosingProxy, user: str) -> None:
    """A retraction sent again would answer 404 for one that worked: its
    lost answer is a transport error, not a retry."""
    key = crashable.mint_key()
    with herald.Client(crashable.base_url, key) as direct:
        (notification,) = direct.send("to retract", external_ids=[user]).ids
    proxy.hang_up.set()
    with herald.Client(f"http://127.0.0.1:{proxy.port}", key) as client:
        with pytest.raises(herald.TransportError):
            client.retract(notification)
        assert proxy.answered.is_set()
        assert client.unread(external_id=user).unread == 0

"""A real Herald for the shop's tests: the debug build on a fresh SQLite
database, an API key minted as an admin mints one, and the shop's
settings pointed at it (as clients/python/tests/conftest.py does)."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from pytest_django.fixtures import Settings

import herald

ROOT = Path(__file__).resolve().parents[3]
BINARY = ROOT / "target" / "debug" / "herald"
PASSWORD = "pytest-password"
SHOP_URL = "http://shop.test"
T = TypeVar("T")


def eventually(check: Callable[[], T | None], timeout: float = 10.0, what: str = "condition") -> T:
    """Polls `check` until it returns something truthy, failing after `timeout`."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
    return result


class Herald:
    def __init__(self, directory: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.log = directory / "server.log"
        # The caller's own HERALD_* settings must not leak into a test server.
        env = {k: v for k, v in os.environ.items() if not k.startswith("HERALD_")} | {
            "HERALD_DATABASE_URL": f"sqlite://{directory}/herald.db",
            "HERALD_SEED_PASSWORD": PASSWORD,
            # The shop's origin, as SHOP_URL below: its bell may read from Herald.
            "HERALD_ALLOWED_ORIGINS": SHOP_URL,
            "RUST_LOG": "warn",
            "LEPTOS_SITE_ADDR": f"127.0.0.1:{port}",
            "LEPTOS_SITE_ROOT": "target/site",
        }
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([BINARY], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

        def healthy() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"Herald exited on start:\n{self.log.read_text(errors='replace')}")
            try:
                return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        eventually(healthy, 30, "Herald's /healthz")

    def mint_key(self) -> str:
        """Through the admin page's server function, signed in as admin."""
        with httpx.Client(base_url=self.url, headers={"accept": "application/json"}, timeout=10) as web:
            web.post("/api/login", data={"username": "admin", "password": PASSWORD}).raise_for_status()
            response = web.post("/api/admin/api-keys/create", data={"name": "django-shop"})
            response.raise_for_status()
            return str(response.json())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def herald_server() -> Iterator[Herald]:
    if not BINARY.exists():
        pytest.fail(f"{BINARY} is missing: build it with `cargo leptos build --split --lib-features split`")
    with tempfile.TemporaryDirectory(prefix="herald-django-") as d:
        server = Herald(Path(d))
        try:
            yield server
        finally:
            server.stop()
            if "panicked" in server.log.read_text(errors="replace"):
                pytest.fail(f"Herald panicked:\n{server.log.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def api_key(herald_server: Herald) -> str:
    return herald_server.mint_key()


@pytest.fixture(autouse=True)
def herald_settings(settings: Settings, herald_server: Herald, api_key: str) -> Settings:
    settings.HERALD_URL = herald_server.url
    settings.HERALD_API_KEY = api_key
    settings.SHOP_URL = SHOP_URL
    # The test database's primary keys start again in each test; Herald's
    # users live on. A prefix per test keeps each test's customers its own.
    prefix = f"shop-{uuid.uuid4().hex[:8]}"
    settings.HERALD_EXTERNAL_ID = lambda user: f"{prefix}:{user.pk}"
    return settings


@pytest.fixture
def herald_client(herald_server: Herald, api_key: str) -> Iterator[herald.Client]:
    with herald.Client(herald_server.url, api_key) as client:
        yield client


def titles(client: herald.Client, external_id: str) -> list[str]:
    """What Herald holds for a user, newest first; [] for one it never saw."""
    try:
        return [n.title for n in client.notifications(external_id=external_id, view="all")]
    except herald.NotFoundError:
        return []


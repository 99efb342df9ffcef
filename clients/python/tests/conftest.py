"""A real Herald for the tests: the debug build (`cargo leptos build`), on
a fresh SQLite database in a temporary directory, started the way
scripts/api-fuzz.sh starts it, with an API key minted as an admin mints one."""

from __future__ import annotations

import os
import secrets
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

import herald

ROOT = Path(__file__).resolve().parents[3]
BINARY = ROOT / "target" / "debug" / "herald"
PASSWORD = "pytest-password"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def eventually(check: Callable[[], T | None], timeout: float = 10.0, what: str = "condition") -> T:
    """Polls `check` until it returns something truthy, failing after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class Herald:
    """One Herald process; `kill` and `start` again keep its database and port."""

    def __init__(self, directory: Path, **settings: str) -> None:
        self.dir = directory
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        # The caller's own HERALD_* settings must not leak into a test server.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("HERALD_")} | {
            "HERALD_DATABASE_URL": f"sqlite://{directory}/herald.db",
            "HERALD_SEED_PASSWORD": PASSWORD,
            # Fixed, so tokens outlive a restart as with several instances.
            "HERALD_TOKEN_SECRET": secrets.token_hex(32),
            "HERALD_WEBHOOK_SECRET": secrets.token_hex(32),
            "HERALD_WEBHOOK_ALLOW": "127.0.0.1",
            "HERALD_API_RATE": "100000",
            "HERALD_API_BURST": "100000",
            "RUST_LOG": "warn",
            "LEPTOS_SITE_ADDR": f"127.0.0.1:{self.port}",
            "LEPTOS_SITE_ROOT": "target/site",
        } | settings

    def start(self, timeout: float = 30.0) -> None:
        if not BINARY.exists():
            pytest.fail(f"{BINARY} is missing: build it with `cargo leptos build --split --lib-features split`")
        with open(self.dir / "server.log", "ab") as log:
            self.process = subprocess.Popen([BINARY], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

        def healthy() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"Herald exited on start:\n{self.log_tail()}")
            try:
                return httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        eventually(healthy, timeout, "Herald's /healthz")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flushing; as a crash or an OOM kill."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join((self.dir / "server.log").read_text(errors="replace").splitlines()[-lines:])

    def mint_key(self, name: str = "pytest") -> str:
        """An API key, made the way an admin makes one: through the admin
        page's server function, signed in."""
        with httpx.Client(base_url=self.base_url, headers={"accept": "application/json"}, timeout=10) as web:
            web.post("/api/login", data={"username": "admin", "password": PASSWORD}).raise_for_status()
            response = web.post("/api/admin/api-keys/create", data={"name": name})
            response.raise_for_status()
            key = response.json()
            assert isinstance(key, str) and key
            return key


@pytest.fixture(scope="session")
def tmp_root() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="herald-pytest-") as d:
        yield Path(d)


def running(directory: Path, **settings: str) -> Iterator[Herald]:
    directory.mkdir()
    server = Herald(directory, **settings)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        if "panicked" in (directory / "server.log").read_text(errors="replace"):
            pytest.fail(f"Herald panicked:\n{server.log_tail()}")


@pytest.fixture(scope="session")
def server(tmp_root: Path) -> Iterator[Herald]:
    yield from running(tmp_root / "main")


@pytest.fixture(scope="session")
def api_key(server: Herald) -> str:
    return server.mint_key()


@pytest.fixture
def client(server: Herald, api_key: str) -> Iterator[herald.Client]:
    with herald.Client(server.base_url, api_key) as c:
        yield c


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def user() -> str:
    """An external id no other test uses."""
    return f"pytest:{uuid.uuid4().hex[:12]}"

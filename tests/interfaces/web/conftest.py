"""A live server on loopback over a small simulated world, and Debian's Chromium.

Browser tests skip with a reason when Chromium or Playwright is missing, and
fail instead when ``RENOWN_REQUIRE_BROWSER=1`` (CI sets it).  Playwright only
drives the system's ``/usr/bin/chromium``; it never downloads a browser.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from renown.interfaces.api import create_app
from tests.interfaces.served_world import ServedWorld, build_world

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def chromium_or_skip() -> str:
    """The system Chromium's path, or skip (fail when RENOWN_REQUIRE_BROWSER=1)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    reason = None
    if path is None:
        reason = "Chromium is not installed (apt-get install chromium)"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            reason = "Playwright is not installed (pip install -e '.[dev]')"
    if reason is not None:
        if os.environ.get("RENOWN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"RENOWN_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    assert path is not None
    return path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> ServedWorld:
    return build_world(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def live_server(world: ServedWorld) -> Iterator[str]:
    """uvicorn serving the real app on a free loopback port, in a thread."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(world.db), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=30)
    sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Tab:
    """A browser page and what it did that it should not have."""

    page: Any
    base: str
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def clean(self) -> None:
        """No console errors (CSP violations are reported there) and nothing off the server."""
        assert self.console_errors == []
        assert self.foreign_requests == []


@pytest.fixture
def tab(browser: Any, live_server: str) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server)
    found = Tab(context.new_page(), live_server)
    found.page.on("console", lambda m: m.type == "error" and found.console_errors.append(m.text))
    found.page.on("request", lambda r: None if r.url.startswith(live_server)
                  else found.foreign_requests.append(r.url))
    yield found
    context.close()


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

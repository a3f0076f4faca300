"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every test here is marked `browser`. Each viewport gets its own fresh browser context; the
page is audited with axe-core after each navigation (`axe_check`, in checks.py).
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; the test's ORM calls are still
# plain synchronous code, so Django's async-safety guard must be told to stand aside.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 375, "height": 812},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


# Package scope, not session: Playwright's sync API keeps an event loop running in the
# main thread while it lives, and asgiref's async_to_sync refuses to run beside one, so the
# browser must be gone before the rest of the suite (channel-layer sends) runs.
@pytest.fixture(scope="package")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; `make install-test` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser):
    """Make a fresh browser context for a viewport name ("desktop" or "phone")."""
    contexts = []

    def make(viewport: str):
        # The app sends a strict Content-Security-Policy; bypassing it lets axe-core be
        # injected as a script tag. The app's own pages carry no inline script either way.
        context = browser.new_context(bypass_csp=True, **VIEWPORTS[viewport])
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context, viewport, live_server):
    """A page in a fresh context for the test's `viewport` parameter."""
    context = new_context(viewport)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert not errors, f"JavaScript errors on the pages: {errors}"


# Appended for the live meeting: pages and WebSockets served by uvicorn.


class AsgiServer:
    """Accord's ASGI application (pages, static files and the /ws/ sockets) served by uvicorn
    in a thread of the test process: it shares the test database, even SQLite's in-memory
    one, which a server in another process could not see."""

    LOGGERS = ("django.request", "uvicorn.error", "asyncio")

    def __init__(self):
        import socket

        import uvicorn

        from accord.asgi import application

        self.errors: list[str] = []
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))  # a free port, held from here on: no race for it
        self.socket = sock
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(
            application,
            loop="asyncio",
            lifespan="off",
            # The sans-I/O implementation: the legacy one warns, and warnings are errors here.
            ws="websockets-sansio",
            log_config=None,  # leave the logging to Django's settings
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=5,
        )
        self.server = uvicorn.Server(config)

    def start(self):
        import logging
        import threading
        import time

        from django.db import connections
        from django.db.backends.signals import connection_created

        # Django runs each request of an ASGI server in a thread of its own, so a persistent
        # database connection (CONN_MAX_AGE, set for PostgreSQL) would stay open after its
        # thread is gone, and PostgreSQL would refuse to drop the test database at the end.
        self.conn_max_age = {}
        for alias in connections:
            self.conn_max_age[alias] = connections.settings[alias].get("CONN_MAX_AGE", 0)
            connections.settings[alias]["CONN_MAX_AGE"] = 0
        # SQLite's in-memory test database is shared between the threads' connections in
        # "shared cache" mode, where a reader and a writer of the same table fail at once
        # with "database table is locked" instead of waiting (busy_timeout does not apply).
        # Reading without read locks leaves only writer against writer, and those wait for
        # each other here as they would on a file (`_wait_for_shared_cache`).
        self.in_memory = {
            alias
            for alias in connections
            if connections[alias].vendor == "sqlite" and connections[alias].is_in_memory_db()
        }
        connection_created.connect(self._read_uncommitted)
        if self.in_memory:
            _wait_for_shared_cache(True)
        for alias in self.in_memory:
            connections[alias].ensure_connection()
            self._read_uncommitted(connections[alias])

        # A fresh channel layer for this server's event loop: one left by an earlier server
        # may hold a lock taken in that server's loop, now closed ("bound to a different
        # event loop" as soon as a consumer of this server receives).
        from channels.layers import channel_layers

        channel_layers.backends.clear()
        self.handler = logging.Handler(logging.ERROR)
        self.handler.emit = lambda record: self.errors.append(
            f"{record.name}: {record.getMessage()}"
        )
        for name in self.LOGGERS:
            logging.getLogger(name).addHandler(self.handler)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                pytest.fail(f"uvicorn did not start: {self.errors}")
            time.sleep(0.02)

    def _read_uncommitted(self, connection, value=1, **kwargs):
        if connection.alias in self.in_memory:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA read_uncommitted = {int(value)}")

    def stop(self):
        import logging

        from django.db import connections
        from django.db.backends.signals import connection_created

        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.socket.close()
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self.handler)
        connection_created.disconnect(self._read_uncommitted)
        _wait_for_shared_cache(False)
        for alias in self.in_memory:
            self._read_uncommitted(connections[alias], value=0)
        for alias, age in self.conn_max_age.items():
            connections.settings[alias]["CONN_MAX_AGE"] = age


def _retrying(execute):
    """`execute` that waits out another connection's write to the same table of the shared
    in-memory database (SQLITE_LOCKED), for up to 10 s, as SQLite's busy timeout does for a
    database file. The refused statement did nothing, so running it again is safe."""
    import sqlite3
    import time

    def run(self, *args, **kwargs):
        deadline = time.monotonic() + 10
        while True:
            try:
                return execute(self, *args, **kwargs)
            except sqlite3.OperationalError as error:
                if "is locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    run.waits = execute
    return run


def _wait_for_shared_cache(on: bool) -> None:
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper as cursor

    for name in ("execute", "executemany"):
        method = getattr(cursor, name)
        if on and not hasattr(method, "waits"):
            setattr(cursor, name, _retrying(method))
        elif not on and hasattr(method, "waits"):
            setattr(cursor, name, method.waits)


@pytest.fixture
def asgi_server(transactional_db):
    """A real ASGI server for tests that need WebSockets (pytest-django's `live_server` speaks
    WSGI only). Its `url` is like live_server's; `errors` collects what the server logged as
    errors (a 500, a crashed consumer), for the test to assert there were none."""
    server = AsgiServer()
    server.start()
    yield server
    server.stop()

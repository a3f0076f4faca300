"""`make run` on another port, with no SITE_URL, as a newcomer runs it: the links in the
emails it sends follow the port and open, and the scheduler it starts beside uvicorn runs
the jobs and stops with it.

The test runs `make run` itself (migrate and the demo alliance into a fresh DATA_DIR, then
uvicorn), plans a meeting through its pages as the demo facilitator, reads the invitation
from the console (where `make run` prints emails) and follows its link as a member.
"""

import http.cookiejar
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from django.utils import timezone

from bench.harness import free_port

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "accord-demo"  # noqa: S105 (the demo's, printed by `make run`)
# Variables a newcomer's shell does not have, and those the test run sets for itself.
NOT_SET = {
    "SITE_URL",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "EMAIL_HOST",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DJANGO_SETTINGS_MODULE",
    "HOST",
    "PORT",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
}

pytestmark = pytest.mark.skipif(
    Path(sys.prefix).resolve() != (ROOT / ".venv").resolve(),
    reason="`make run` serves from the checkout's .venv, which is not the one running tests",
)


class Browser:
    """Just enough of a browser: cookies, redirects followed, forms posted with their CSRF
    token, and no proxy."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.cookies)
        )

    def get(self, url: str) -> tuple[str, str]:
        """The page's final address (after redirects) and its HTML."""
        with self.opener.open(urllib.parse.urljoin(self.base, url), timeout=30) as response:
            assert response.status == 200, (url, response.status)
            return response.url, response.read().decode()

    def post(self, url: str, fields: list[tuple[str, str]], page: str) -> tuple[str, str]:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        data = urllib.parse.urlencode([("csrfmiddlewaretoken", token), *fields]).encode()
        request = urllib.request.Request(  # noqa: S310 (http only, to the server we started)
            urllib.parse.urljoin(self.base, url), data=data, headers={"Referer": self.base}
        )
        with self.opener.open(request, timeout=30) as response:
            return response.url, response.read().decode()

    def sign_in(self, url: str, page: str, email: str) -> tuple[str, str]:
        """Sign in on the sign-in page at `url`, as its form does (with where to go next)."""
        after = re.search(r'<input type="hidden" name="next" value="([^"]*)"', page)
        fields = [("username", email), ("password", PASSWORD)]
        return self.post(url, [*fields, ("next", unescape(after[1]) if after else "")], page)


@pytest.fixture
def make_run(tmp_path):
    """`PORT=<free port> make run` in a fresh DATA_DIR; stopped, with uvicorn, at the end."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in NOT_SET}
    env.update(PORT=str(port), DATA_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    log = tmp_path / "make-run.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 (our own Makefile)
            ["make", "--no-print-directory", "run"],  # noqa: S607 (make from PATH, as people run it)
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # make and the uvicorn it starts, stopped together
        )
    try:
        _wait_ready(process, port, log)
        yield port, log, tmp_path / "accord.sqlite3", process
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(20)
        except ProcessLookupError:
            pass  # stopped already
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_ready(process, port: int, log: Path, timeout: float = 240) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"make run exited:\n{log.read_text()[-5000:]}")
        try:
            with opener.open(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"make run did not serve on port {port}:\n{log.read_text()[-5000:]}")


def _group(pgid: int) -> dict[int, list[str]]:
    """The processes of a process group: pid and arguments."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) == pgid:
                found[int(entry.name)] = (entry / "cmdline").read_bytes()
        except (ProcessLookupError, FileNotFoundError, PermissionError):
            continue
    return {pid: line.decode(errors="replace").split("\0") for pid, line in found.items()}


def _scheduler_runs(database: Path, timeout: float = 60) -> set[str]:
    """The jobs the scheduler has run, once it has run settle_rounds (due at any time)."""
    deadline = time.monotonic() + timeout
    done: set[str] = set()
    while "settle_rounds" not in done and time.monotonic() < deadline:
        with sqlite3.connect(database) as connection:
            rows = connection.execute("SELECT job FROM upkeep_jobrun WHERE status = 'ok'")
            done = {job for (job,) in rows}
        time.sleep(0.25)
    return done


def _autumn_review(database: Path) -> tuple[str, int]:
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT a.slug, r.id FROM reviews_review r "
            "JOIN alliances_alliance a ON a.id = r.alliance_id WHERE r.name = ?",
            ["Autumn 2026 review"],
        ).fetchone()


def _plan_fields(page: str) -> list[tuple[str, str]]:
    """The plan form as it comes (its default agenda and facilitator), with a date."""
    agenda = re.findall(r'<input type="checkbox" name="agenda" value="([^"]+)"[^>]*\bchecked', page)
    facilitator = re.search(
        r'<select name="facilitator".*?<option value="(\d+)" selected', page, re.S
    )[1]
    when = timezone.localtime() + timedelta(days=7)
    return [
        ("starts_at", when.strftime("%Y-%m-%dT%H:%M")),
        ("duration_minutes", "120"),
        ("place", "Food Bank community room"),
        ("facilitator", facilitator),
        *[("agenda", key) for key in agenda],
    ]


def test_make_run_on_another_port_sends_invitation_links_that_open(make_run):
    port, log, database, process = make_run
    site = f"http://127.0.0.1:{port}"
    slug, review_id = _autumn_review(database)
    facilitator = Browser(site)
    url, page = facilitator.get(f"/a/{slug}/reviews/{review_id}/meetings/new/")
    assert "/accounts/sign-in/" in url
    facilitator.sign_in(url, page, "marisol@harvest-food.example")
    url, page = facilitator.get(f"/a/{slug}/reviews/{review_id}/meetings/new/")

    url, page = facilitator.post(url, _plan_fields(page), page)

    meeting = re.fullmatch(re.escape(site) + rf"/a/{slug}/meetings/(\d+)/", url)
    assert meeting, (url, page[-2000:])
    printed = log.read_text(errors="replace")
    assert f"Accord is at {site}/" in printed  # what `make run` says is where links go
    links = set(re.findall(rf"https?://[^\s/]+/a/{slug}/meetings/{meeting[1]}/", printed))
    assert links == {f"{site}/a/{slug}/meetings/{meeting[1]}/"}, printed[-3000:]

    # A member follows the link from the email: signs in, and lands in the meeting.
    member = Browser(site)
    url, page = member.get(links.pop())
    assert url.startswith(f"{site}/accounts/sign-in/?next=")
    url, page = member.sign_in(url, page, "dana@harvest-food.example")
    assert url == f"{site}/a/{slug}/meetings/{meeting[1]}/"
    assert "Food Bank community room" in page

    # The scheduler started beside uvicorn has run the jobs due (settle_rounds always is).
    assert "settle_rounds" in _scheduler_runs(database), log.read_text()[-3000:]
    group = _group(process.pid)
    [scheduler] = [
        pid for pid, args in group.items() if args[1:3] == ["manage.py", "run_scheduler"]
    ]
    [uvicorn] = [
        pid for pid, args in group.items() if len(args) > 1 and args[1].endswith("bin/uvicorn")
    ]

    # uvicorn stops (as when it fails): make ends, and takes the scheduler with it.
    os.kill(uvicorn, signal.SIGTERM)
    process.wait(60)
    deadline = time.monotonic() + 30
    while scheduler in _group(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _group(process.pid) == {}, log.read_text()[-3000:]
    assert "The scheduler stopped." in log.read_text()

"""The production recipe of deploy/, run for real on loopback and driven only through the
proxy, as a browser would: Debian's nginx with deploy/nginx/accord.conf (only the values a
self-hoster changes are replaced: the name, ports, the static folder, and a certificate of
the test's own), in front of one gunicorn with two workers and two uvicorn processes,
against a PostgreSQL database of the module's own and Redis, static files collected.

Skipped only when PostgreSQL or Redis does not answer, or nginx is not installed
(`make install-test` installs Debian's).
"""

import asyncio
import datetime
import gzip
import html
import http.client
import ipaddress
import itertools
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from bench import harness
from upkeep.jobs import JOBS

NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
SHIPPED = harness.ROOT / "deploy" / "nginx" / "accord.conf"
ADVANCE = {"type": "command", "command": "advance", "confirmed": True}
ADMIN = {"email": "ada@proxy.example", "name": "Ada Admin", "password": "a-long-test-password-9"}
MB = 1024 * 1024


def wait_for(condition, what: str, timeout: float = 15):
    """Until `condition()` gives something true (processes take their time to start, log,
    or reload); then that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"still waiting for {what} after {timeout} s")


def certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, in place of Let's Encrypt's."""
    # only this module needs them
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def render(ports: dict, static_root: Path, cert: Path, key: Path) -> str:
    """deploy/nginx/accord.conf with the values its header says to change, and nothing else."""
    text = SHIPPED.read_text()
    replacements = [  # (what the file ships, how many times, what runs here)
        ("listen [::]:443 ssl http2;", 1, "# (IPv6 left out on loopback)"),
        ("listen [::]:80;", 1, "# (IPv6 left out on loopback)"),
        ("listen 443 ssl http2;", 1, f"listen 127.0.0.1:{ports['https']} ssl http2;"),
        ("listen 80;", 1, f"listen 127.0.0.1:{ports['http']};"),
        ("/etc/letsencrypt/live/accord.example.org/fullchain.pem", 1, str(cert)),
        ("/etc/letsencrypt/live/accord.example.org/privkey.pem", 1, str(key)),
        ("server_name accord.example.org;", 2, "server_name 127.0.0.1;"),
        ("alias /var/lib/accord/static/;", 1, f"alias {static_root}/;"),
        ("server 127.0.0.1:8001;", 1, f"server 127.0.0.1:{ports['gunicorn']};"),
        ("server 127.0.0.1:8002;", 1, f"server 127.0.0.1:{ports['uvicorn'][0]};"),
        ("server 127.0.0.1:8003;", 1, f"server 127.0.0.1:{ports['uvicorn'][1]};"),
    ]
    for shipped, count, here in replacements:
        assert text.count(shipped) == count, f"{SHIPPED.name} no longer has {shipped!r} {count}×"
        text = text.replace(shipped, here)
    return text


# What Debian's /etc/nginx/nginx.conf gives the sites it includes, with this run's own pid,
# logs and temporary files, and a log line that says which upstream answered.
MAIN = """\
daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log notice;
events {{
    worker_connections 512;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    log_format upstreams '$request_method $request_uri $status $upstream_addr';
    access_log {dir}/access.log upstreams;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/accord.conf;
}}
"""


class Proxy:
    """nginx, running the shipped site configuration in a folder of its own."""

    def __init__(self, directory: Path, ports: dict, static_root: Path):
        self.dir = directory
        self.ports = ports
        cert, key = certificate(directory)
        (directory / "accord.conf").write_text(render(ports, static_root, cert, key))
        (directory / "nginx.conf").write_text(MAIN.format(dir=directory))
        self.tls = ssl.create_default_context(cafile=str(cert))
        self.url = f"https://127.0.0.1:{ports['https']}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [NGINX, "-p", str(self.dir), "-c", str(self.dir / "nginx.conf")]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True)  # noqa: S603
        assert check.returncode == 0, check.stderr
        with (self.dir / "stderr.log").open("ab") as stderr:
            self.process = subprocess.Popen(command, stderr=stderr)  # noqa: S603
        wait_for(self._listening, "nginx to listen")

    def _listening(self) -> bool:
        assert self.process.poll() is None, self.log("stderr.log") + self.log("error.log")
        try:
            socket.create_connection(("127.0.0.1", self.ports["https"]), timeout=1).close()
            return True
        except OSError:
            return False

    def reload(self) -> None:
        """What `systemctl reload nginx` does: new workers read the configuration again;
        the old ones keep the connections they hold until those close."""
        started = self.log("error.log").count("start worker process")
        self.process.send_signal(signal.SIGHUP)
        wait_for(
            lambda: self.log("error.log").count("start worker process") > started,
            "nginx's new worker",
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # fast shutdown: open sockets are not waited for
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self, name: str) -> str:
        path = self.dir / name
        return path.read_text(errors="replace") if path.exists() else ""

    def request(self, method: str, path: str, headers=None, body=None, https=True):
        """One request, no redirect followed: (status, headers, body)."""
        if https:
            connection = http.client.HTTPSConnection(
                "127.0.0.1", self.ports["https"], context=self.tls, timeout=30
            )
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.ports["http"], timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def follow(self, path: str, headers: dict) -> tuple[int, bytes]:
        """GET, following redirects within the site as a browser does: (status, body)."""
        for _hop in range(5):
            status, answer, body = self.request("GET", path, headers)
            if status not in {301, 302}:
                return status, body
            path = answer["Location"].removeprefix(self.url)
        raise AssertionError(f"{path} redirects again and again")

    def refused_before_reading(self, path: str, length: int, cookie: str = "") -> int:
        """Announce a body of `length` bytes and send none of it: the status of an answer
        that comes without the body (nginx's limit), as a browser's upload would get."""
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.ports["https"], context=self.tls, timeout=30
        )
        try:
            connection.putrequest("POST", path)
            connection.putheader("Content-Type", "multipart/form-data; boundary=limit")
            connection.putheader("Content-Length", str(length))
            if cookie:
                connection.putheader("Cookie", cookie)
            connection.endheaders()
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()


def start_manage(started: list, site, *arguments, **env) -> subprocess.Popen:
    """`manage.py` with the site's environment, started and added to `started` (the
    caller waits for its exit status, or kills it)."""
    command = subprocess.Popen(  # noqa: S603 (our own command)
        [harness.BIN / "python", "manage.py", *arguments],
        cwd=harness.ROOT,
        env={**site.env, **env},
        stdout=subprocess.DEVNULL,
    )
    started.append(command)
    return command


@pytest.fixture(scope="module")
def deployment():
    reason = harness.unreachable()
    if reason:
        pytest.skip(f"The deployment test needs PostgreSQL and Redis: {reason}")
    if not os.access(NGINX, os.X_OK):
        pytest.skip(f"The deployment test needs nginx at {NGINX}: `make install-test` installs it")
    directory = Path(tempfile.mkdtemp(prefix="accord-deploy-"))
    directory.chmod(0o755)  # nginx's workers run as nobody when the test runs as root
    ports = {
        "https": harness.free_port(),
        "http": harness.free_port(),
        "gunicorn": harness.free_port(),
        "uvicorn": (harness.free_port(), harness.free_port()),
    }
    site = harness.Site(f"accord_proxy_{os.getpid()}", redis_db=12)
    site.env.update(
        SITE_URL=f"https://127.0.0.1:{ports['https']}",
        ALLOWED_HOSTS="127.0.0.1",
        TRUSTED_PROXY_COUNT="1",
        DATA_DIR=str(directory / "data"),
        STATIC_ROOT=str(directory / "static"),
    )
    commands, servers, proxy = [], [], None
    try:
        # Collecting static files needs no database: meanwhile, migrate and seed a meeting.
        collect = start_manage(commands, site, "collectstatic", "--noinput", "-v", "0")
        site.create(participants=2)
        # The first account, as docs/deploy.md makes it, while the servers start.
        first_account = start_manage(
            commands,
            site,
            "createsuperuser",
            "--noinput",
            "--email",
            ADMIN["email"],
            "--name",
            ADMIN["name"],
            DJANGO_SUPERUSER_PASSWORD=ADMIN["password"],
        )
        pages = site.pages(ports["gunicorn"], workers=2)
        sockets = [site.server(port, access_log=True) for port in ports["uvicorn"]]
        for server in sockets:
            server.env["CONN_MAX_AGE"] = "60"  # as accord-ws@.service sets it
        for server in [pages, *sockets]:
            servers.append(server)
            server.start(wait=False)
        assert (collect.wait(120), first_account.wait(120)) == (0, 0)
        for server in servers:
            server.wait_ready()
        proxy = Proxy(directory, ports, directory / "static")
        proxy.start()
        yield site, proxy, pages, sockets
    finally:
        for command in commands:
            if command.poll() is None:
                command.kill()
                command.wait()
        if proxy is not None:
            proxy.stop()
        for server in servers:  # all at once, then each waited for
            if server.process is not None and server.process.poll() is None:
                server.process.terminate()
        for server in servers:
            server.close()
        site.drop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def site(deployment):
    return deployment[0]


@pytest.fixture(scope="module")
def proxy(deployment):
    return deployment[1]


@pytest.fixture(scope="module")
def pages(deployment):
    return deployment[2]


@pytest.fixture(scope="module")
def sockets(deployment):
    return deployment[3]


def logged(server) -> str:
    """Everything a server process wrote to its log (`output()` keeps only the end)."""
    return Path(server.log.name).read_text(errors="replace")


def cookies_of(headers) -> dict[str, str]:
    jar = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return {name: morsel.value for name, morsel in jar.items()}


def session(key: str) -> str:
    return f"sessionid={key}"


def form_token(body: bytes) -> str:
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1].decode()


# Pages and files


def test_a_page_comes_from_gunicorn_with_djangos_headers_and_the_proxys_own(proxy, pages):
    status, headers, body = proxy.request("GET", "/accounts/sign-in/")

    assert status == 200
    assert b'name="password"' in body
    for name in ["Strict-Transport-Security", "Content-Security-Policy", "X-Frame-Options"]:
        assert len(headers.get_all(name)) == 1, f"{name} is sent once, by Django"
    assert headers["Permissions-Policy"].startswith("camera=()")
    assert headers["Server"] == "nginx"  # no version
    wait_for(lambda: '"GET /accounts/sign-in/ HTTP/1.0" 200' in logged(pages), "gunicorn's log")


def test_a_static_file_comes_from_the_proxy_compressed_and_kept_an_hour(proxy, pages):
    shipped = (harness.ROOT / "static" / "accord" / "accord.css").read_bytes()

    status, headers, body = proxy.request(
        "GET", "/static/accord/accord.css", {"Accept-Encoding": "gzip"}
    )

    assert status == 200
    assert headers["Content-Encoding"] == "gzip"  # collectstatic's copy, sent as it is
    assert gzip.decompress(body) == shipped
    assert headers["Cache-Control"] == "max-age=3600"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "/static/" not in logged(pages)


def test_plain_http_is_sent_to_https_but_the_health_check(proxy):
    status, headers, _body = proxy.request("GET", "/accounts/sign-in/?next=/", https=False)
    assert (status, headers["Location"]) == (301, "https://127.0.0.1/accounts/sign-in/?next=/")

    status, headers, body = proxy.request("GET", "/healthz", https=False)
    assert headers["Content-Type"] == "application/json"
    health = json.loads(body)
    # Answered by Accord over plain HTTP (never a redirect): a new installation's jobs are
    # not overdue yet, and every one is reported.
    assert status == 200, health
    assert (health["database"], health["channel_layer"]) == ("ok", "ok")
    assert set(health["jobs"]) == {job.name for job in JOBS}


# Signing in


def test_a_person_signs_in_through_the_proxy_and_reads_their_pages(proxy, site):
    _status, headers, body = proxy.request("GET", "/accounts/sign-in/")
    csrf = cookies_of(headers)["csrftoken"]
    form = {
        "csrfmiddlewaretoken": form_token(body),
        "username": ADMIN["email"],
        "password": ADMIN["password"],
    }

    status, headers, _body = proxy.request(
        "POST",
        "/accounts/sign-in/",
        {
            "Cookie": f"csrftoken={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": proxy.url,
            "Referer": f"{proxy.url}/accounts/sign-in/",
        },
        urlencode(form).encode(),
    )
    assert status == 302
    signed_in = session(cookies_of(headers)["sessionid"])
    status, body = proxy.follow(headers["Location"], {"Cookie": signed_in})
    assert status == 200
    assert ADMIN["name"].encode() in body

    # A member of the seeded alliance reads its page; someone outside it gets 404.
    member, outsider = site.data["participants"][0], site.data["outsider"]
    path = f"/a/{site.data['slug']}/"
    status, _headers, body = proxy.request("GET", path, {"Cookie": session(member)})
    assert (status, b"Live Alliance" in body) == (200, True)
    assert proxy.request("GET", path, {"Cookie": session(outsider)})[0] == 404


# Upload limits


def test_an_upload_over_the_limit_is_refused_by_the_proxy_before_django(proxy, site, pages):
    member = session(site.data["participants"][0])
    upload = f"/a/{site.data['slug']}/agreements/new/"

    assert proxy.refused_before_reading(upload, 11 * MB, member) == 413
    # An alliance's file may be larger; past 50 MB it is refused at the door too.
    assert proxy.refused_before_reading("/alliances/import/", 51 * MB) == 413
    status, _headers, _body = proxy.request(
        "POST",
        "/alliances/import/",
        {"Content-Type": "application/octet-stream"},
        bytes(11 * MB),
    )

    assert status == 403  # Django's CSRF check: the 11 MB reached it
    # nginx logs each refusal with no upstream ("-"): Django never saw them.
    refusals = [f"POST {upload} 413 -\n", "POST /alliances/import/ 413 -\n"]
    wait_for(lambda: all(line in proxy.log("access.log") for line in refusals), "nginx's log")
    wait_for(lambda: 'POST /alliances/import/ HTTP/1.0" 403' in logged(pages), "gunicorn's log")
    assert upload not in logged(pages)


# Live meetings through the proxy


class Room:
    """The meeting's people, each with a socket opened through nginx, as their pages do;
    the uvicorn process that accepted each is read from its access log, where the socket's
    address carries a tag (`?who=`), which the meeting's routes ignore."""

    tags = itertools.count(1)  # one for every socket of the module: each tag is logged once

    def __init__(self, site, proxy, sockets):
        self.site, self.proxy, self.sockets = site, proxy, sockets

    def process_of(self, tag: str):
        accepted = f'who={tag}" [accepted]'
        found = wait_for(
            lambda: [s for s in self.sockets if accepted in logged(s)],
            f"the socket {tag} in a uvicorn log",
        )
        assert len(found) == 1
        return found[0]

    async def join(self, session_key: str, away_from=None):
        """A socket through the proxy, and its first state; with `away_from`, opened again
        until nginx gave it to the other process."""
        for _attempt in range(6):
            tag = f"s{next(self.tags)}"
            ws = await harness.connect(
                self.proxy.url, f"{self.site.ws_path}?who={tag}", session_key, ssl=self.proxy.tls
            )
            first = await state_after(ws)
            process = await asyncio.to_thread(self.process_of, tag)
            if process is not away_from:
                return ws, first, process
            await ws.close()
        raise AssertionError("nginx kept giving the socket to the same process")


async def state_after(ws, seq=None, timeout=10.0) -> dict:
    """The next state message (with sequence number `seq`, if given), skipping presence."""
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
        if message["type"] == "state" and (seq is None or message["seq"] == seq):
            return message


def answer(proxy, site, session_key: str, rating: str) -> int:
    """A participant's answer, from the form on their phone: through nginx to gunicorn."""
    meeting = f"/a/{site.data['slug']}/meetings/{site.data['meeting']}/"
    _status, headers, body = proxy.request(
        "GET", meeting + "mine/?part=work", {"Cookie": session(session_key)}
    )
    rating_field = re.search(rb'name="([\w-]+-rating)"', body)[1].decode()
    rules = html.unescape(re.search(rb'name="rules"[^>]*value="([^"]*)"', body)[1].decode())
    form = {"csrfmiddlewaretoken": form_token(body), rating_field: rating, "rules": rules}
    csrf = cookies_of(headers).get("csrftoken")
    status, _headers, _body = proxy.request(
        "POST",
        meeting + "reflect/",
        {
            "Cookie": f"{session(session_key)}; csrftoken={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": proxy.url,
            "Referer": proxy.url + meeting,
        },
        urlencode(form).encode(),
    )
    return status


def test_a_live_meeting_spans_both_socket_processes_through_the_proxy(proxy, site, sockets):
    room = Room(site, proxy, sockets)
    facilitator_key = site.data["facilitator"]
    first_key, second_key = site.data["participants"]

    async def scenario():
        facilitator, now, on = await room.join(facilitator_key)
        first, _state, first_on = await room.join(first_key, away_from=on)
        second, _state, second_on = await room.join(second_key, away_from=on)
        # The facilitator moves the room to its first reflect phase; both phones follow.
        while now["kind"] != "reflect":
            await facilitator.send(json.dumps(ADVANCE))
            now = await state_after(facilitator, now["seq"] + 1)
            followed = [await state_after(p, now["seq"]) for p in (first, second)]
            assert [s["phase"] for s in followed] == [now["phase"]] * 2
        before = now["html"]

        status = await asyncio.to_thread(answer, proxy, site, first_key, "4")
        counted = await state_after(facilitator, now["seq"] + 1)

        for ws in (facilitator, first, second):
            await ws.close()
        return on, first_on, second_on, before, status, counted

    on, first_on, second_on, before, status, counted = asyncio.run(scenario())
    assert first_on is second_on is not on
    assert "0 of 2 have answered" in before
    assert status == 302
    assert "1 of 2 has answered" in counted["html"]
    assert site.meeting_row() == (counted["seq"], counted["phase"])


def test_a_socket_process_restarted_and_the_proxy_reloaded_lose_nothing(proxy, site, sockets):
    room = Room(site, proxy, sockets)
    participants = site.data["participants"]

    async def scenario():
        facilitator, seen, on = await room.join(site.data["facilitator"])
        phones = [(await room.join(key, away_from=on))[0] for key in participants]
        restarted = next(s for s in sockets if s is not on)

        restarted.stop()
        for phone in phones:
            with pytest.raises(ConnectionClosed):
                while True:
                    await asyncio.wait_for(phone.recv(), 10)
        # The room moves on while the phones are away.
        await facilitator.send(json.dumps(ADVANCE))
        moved = await state_after(facilitator, seen["seq"] + 1)
        await asyncio.to_thread(restarted.start)
        await asyncio.to_thread(proxy.reload)

        # Like meeting.js: reconnect (through the proxy), then say the last number seen.
        back = []
        for key in participants:
            phone, state, _process = await room.join(key)
            await phone.send(json.dumps({"type": "hello", "seq": seen["seq"]}))
            back.append((phone, state))
        caught_up = [state for _phone, state in back]
        # The facilitator's socket, held by nginx's old worker, still steers the room.
        still_open = facilitator.state is State.OPEN
        await facilitator.send(json.dumps(ADVANCE))
        after = await state_after(facilitator, moved["seq"] + 1)
        followed = [await state_after(phone, after["seq"]) for phone, _state in back]

        for ws in (facilitator, *(phone for phone, _state in back)):
            await ws.close()
        return seen, moved, caught_up, still_open, after, followed

    seen, moved, caught_up, still_open, after, followed = asyncio.run(scenario())
    assert moved["phase"] == seen["phase"] + 1
    assert [(s["seq"], s["phase"]) for s in caught_up] == [(moved["seq"], moved["phase"])] * 2
    assert still_open
    assert [(s["seq"], s["phase"]) for s in followed] == [(after["seq"], after["phase"])] * 2
    assert site.meeting_row() == (after["seq"], after["phase"])


def test_the_proxy_restarted_mid_meeting_loses_nothing(proxy, site, sockets):
    room = Room(site, proxy, sockets)
    people = [site.data["facilitator"], *site.data["participants"]]

    async def scenario():
        joined = [await room.join(key) for key in people]
        seen = joined[0][1]

        proxy.stop()  # every socket goes down with it
        for ws, _state, _process in joined:
            with pytest.raises(ConnectionClosed):
                while True:
                    await asyncio.wait_for(ws.recv(), 10)
        await asyncio.to_thread(proxy.start)

        back = []
        for key in people:
            ws, state, _process = await room.join(key)
            await ws.send(json.dumps({"type": "hello", "seq": seen["seq"]}))
            back.append((ws, state))
        facilitator = back[0][0]
        await facilitator.send(json.dumps(ADVANCE))
        moved = await state_after(facilitator, seen["seq"] + 1)
        followed = [await state_after(ws, moved["seq"]) for ws, _state in back[1:]]

        for ws, _state in back:
            await ws.close()
        return seen, [state for _ws, state in back], moved, followed

    seen, caught_up, moved, followed = asyncio.run(scenario())
    assert [(s["seq"], s["phase"]) for s in caught_up] == [(seen["seq"], seen["phase"])] * 3
    assert [(s["seq"], s["phase"]) for s in followed] == [(moved["seq"], moved["phase"])] * 2
    assert site.meeting_row() == (moved["seq"], moved["phase"])

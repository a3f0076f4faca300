"""Run Accord for real: a dedicated PostgreSQL database, migrated and seeded in
subprocesses, and uvicorn server processes joined by Redis (and gunicorn for the pages), as
in production.

Shared by tests/test_live_servers.py, tests/test_deploy.py and bench/live_meeting.py; the
pages' keep-alive clients (at the end) by bench/indicators.py and bench/history.py.
PostgreSQL and Redis are found from DATABASE_URL and REDIS_URL when those point at them,
else on 127.0.0.1; the database is always a separate one, created here and dropped
afterwards.
"""

import http.client
import json
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET_KEY = "live-servers-not-secret"  # noqa: S105 (a throwaway database)


def postgres_admin_url() -> str:
    """The server of DATABASE_URL when it is PostgreSQL, else the local one; database
    `postgres`, for creating and dropping others."""
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme in {"postgres", "postgresql"}:
        return urlunsplit(urlsplit(url)._replace(path="/postgres"))
    return "postgres://postgres@127.0.0.1:5432/postgres"


def redis_url(db: int) -> str:
    """The Redis of REDIS_URL (else the local one), with database number `db`."""
    url = os.environ.get("REDIS_URL", "") or "redis://127.0.0.1:6379/0"
    return urlunsplit(urlsplit(url)._replace(path=f"/{db}"))


def unreachable() -> str:
    """Why the live servers cannot run here, or "" when PostgreSQL and Redis both answer."""
    # imported when a live run is wanted: the tests import this module, and stay light
    import psycopg
    import redis

    try:
        psycopg.connect(postgres_admin_url(), connect_timeout=3).close()
    except psycopg.Error as error:
        return f"PostgreSQL is not reachable at {postgres_admin_url()}: {error}"
    client = redis.Redis.from_url(redis_url(0), socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        return f"Redis is not reachable at {redis_url(0)}: {error}"
    finally:
        client.close()
    return ""


def process_env(**values: str) -> dict:
    """The environment of an Accord process started here: this one's, without what points
    at the suite's own database and Redis (or lets it run async code unsafely), with
    Accord's settings and `values`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "REDIS_URL"}
    }
    env.update(DJANGO_SETTINGS_MODULE="accord.settings", **values)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Site:
    """A dedicated database with a started meeting, and the environment for processes
    that serve it."""

    def __init__(self, name: str, redis_db: int):
        self.name = name
        admin = urlsplit(postgres_admin_url())
        self.database_url = urlunsplit(admin._replace(path=f"/{name}"))
        self.redis_url = redis_url(redis_db)
        self.env = process_env(
            DATABASE_URL=self.database_url,
            SECRET_KEY=SECRET_KEY,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        self.data: dict = {}

    def _admin(self, sql: str) -> None:
        # only a live run needs PostgreSQL's client (see `unreachable`)
        import psycopg

        with psycopg.connect(postgres_admin_url(), autocommit=True) as connection:
            connection.execute(sql)

    def create(self, participants: int, agenda: str = "default", spanish: float = 0.0) -> dict:
        """Create and migrate the database, then seed a started meeting."""
        self.drop()
        self._admin(f'CREATE DATABASE "{self.name}"')
        run([BIN / "python", "manage.py", "migrate", "--verbosity", "0"], self.env)
        output = run(
            [
                BIN / "python",
                "-m",
                "bench.seed_meeting",
                "--participants",
                str(participants),
                "--agenda",
                agenda,
                "--spanish",
                str(spanish),
            ],
            self.env,
        )
        self.data = json.loads(output.strip().splitlines()[-1])
        return self.data

    def drop(self) -> None:
        """Drop the database, and the meeting's channel group from Redis (a group whose
        sockets did not all leave cleanly would linger there for a day)."""
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        if self.data:
            # only a live run needs Redis's client (see `unreachable`)
            import redis

            client = redis.Redis.from_url(self.redis_url)
            try:
                client.delete(f"asgi:group:meeting.{self.data['meeting']}")
            finally:
                client.close()

    def sql(self, query: str, params=()) -> list[tuple]:
        """Read or write the site's database directly (not through Accord)."""
        # only a live run needs PostgreSQL's client (see `unreachable`)
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as connection:
            cursor = connection.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def meeting_row(self) -> tuple[int, int]:
        """The meeting's (seq, current phase position), from the database."""
        rows = self.sql(
            "SELECT m.seq, p.position FROM meetings_meeting m "
            "JOIN meetings_phase p ON p.id = m.current_id WHERE m.id = %s",
            [self.data["meeting"]],
        )
        return rows[0]

    @property
    def ws_path(self) -> str:
        return f"/ws/a/{self.data['slug']}/meetings/{self.data['meeting']}/"

    def server(
        self,
        port: int | None = None,
        redis: bool = True,
        app: str = "accord.asgi:application",
        access_log: bool = False,
    ) -> "Server":
        env = dict(self.env)
        if redis:
            env["REDIS_URL"] = self.redis_url
        return Server(env, port or free_port(), app, access_log)

    def pages(self, port: int | None = None, workers: int = 2) -> "Pages":
        """gunicorn serving the pages (accord.wsgi), as accord-web.service does."""
        return Pages(dict(self.env, REDIS_URL=self.redis_url), port or free_port(), workers)


def run(command: list, env: dict, timeout: float = 300) -> str:
    result = subprocess.run(  # noqa: S603 (our own commands)
        [str(part) for part in command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise RuntimeError(
            f"{' '.join(map(str, command))} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def _serving(healthz: bytes) -> bool:
    """Whether /healthz's answer says the database and the channel layer answer."""
    try:
        body = json.loads(healthz)
    except ValueError:
        return False
    return body.get("database") == "ok" and body.get("channel_layer") == "ok"


class Server:
    """One uvicorn process serving Accord; its output goes to a temporary log file (with
    `access_log`, a line for each request and socket it accepts)."""

    name = "uvicorn"

    def __init__(
        self,
        env: dict,
        port: int,
        app: str = "accord.asgi:application",
        access_log: bool = False,
    ):
        self.env = env
        self.port = port
        self.app = app
        self.access_log = access_log
        self.process: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in stop)
            prefix=f"accord-{self.name}-{port}-", suffix=".log", delete=False
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        command = [str(BIN / "uvicorn"), self.app, "--host", "127.0.0.1", "--port", str(self.port)]
        if self.access_log:
            return [*command, "--log-level", "info"]
        return [*command, "--no-access-log", "--log-level", "warning"]

    def start(self, wait: bool = True) -> "Server":
        self.process = subprocess.Popen(  # noqa: S603 (our own command)
            self.command(),
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 30) -> None:
        """Until /healthz says the database and the channel layer both answer (whatever it
        says of the scheduled jobs: no scheduler runs here, and a site seeded long ago has
        them overdue, a 503)."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} on port {self.port} exited:\n{self.output()}")
            try:
                with opener.open(self.url + "/healthz", timeout=2) as response:
                    body = response.read()
            except urllib.error.HTTPError as error:
                body = error.read()
            except OSError:
                body = b""
            # Still alive: the answer came from this process, not from another one that
            # took the port while this one failed to bind it.
            if _serving(body) and self.process.poll() is None:
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} on port {self.port} did not start:\n{self.output()}")

    def stop(self, timeout: float = 10) -> None:
        """Terminate (as a process manager would), or kill when that takes too long."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def close(self) -> None:
        self.stop()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-5000:]


class Pages(Server):
    """gunicorn serving Accord's pages (accord.wsgi) with `workers` processes, as
    accord-web.service does; its access log goes to the log file (a benchmark turns it off
    with `access_log=False`: then only warnings are written)."""

    name = "gunicorn"

    def __init__(self, env: dict, port: int, workers: int = 2, access_log: bool = True):
        super().__init__(env, port, app="accord.wsgi", access_log=access_log)
        self.workers = workers

    def command(self) -> list[str]:
        command = [
            str(BIN / "gunicorn"),
            self.app,
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--error-logfile",
            "-",
        ]
        if self.access_log:
            return [*command, "--access-logfile", "-"]
        return [*command, "--log-level", "warning"]


async def connect(server: "Server | int | str", path: str, session_key: str | None, **options):
    """A WebSocket client as a browser is one: the session cookie and the page's origin.
    `server` is a Server, the port of one, or the address of the site in front of them
    (`https://127.0.0.1:8443`, a proxy: give `ssl` a context that trusts its certificate)."""
    # websockets comes with uvicorn[standard]: only a live run needs it
    from websockets.asyncio.client import connect

    if isinstance(server, str):
        site = server
    else:
        site = f"http://127.0.0.1:{server if isinstance(server, int) else server.port}"
    headers = {"Cookie": f"sessionid={session_key}"} if session_key else {}
    return await connect(
        site.replace("http", "ws", 1) + path,
        origin=site,
        additional_headers=headers,
        proxy=None,
        open_timeout=10,
        **options,
    )


# Keep-alive clients of pages served by `Pages` (bench/indicators.py, bench/history.py).


def client(port, path, cookie, seconds, threads, out):
    """One process of `threads` keep-alive clients: how many answers, and their times."""
    # imported in the client process, the only one that starts threads
    import threading

    done, times, errors = [], [], []

    def loop():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": cookie}
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            start = time.monotonic()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
                continue
            times.append(time.monotonic() - start)
            done.append(1)

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    out.put((len(done), times, errors))


def measure(port, path, cookie, seconds, processes, threads) -> dict:
    queue = multiprocessing.Queue()
    jobs = [
        multiprocessing.Process(target=client, args=(port, path, cookie, seconds, threads, queue))
        for _ in range(processes)
    ]
    for job in jobs:
        job.start()
    results = [queue.get() for _ in jobs]
    for job in jobs:
        job.join()
    count = sum(r[0] for r in results)
    times = sorted(t for r in results for t in r[1])
    errors = [e for r in results for e in r[2]]
    if errors:
        raise RuntimeError(f"{path} answered {len(errors)} times with {sorted(set(errors))}")
    return {
        "rps": count / seconds,
        "median_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * times[int(len(times) * 0.95)],
    }

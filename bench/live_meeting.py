"""How long the last of 300 participants waits for the facilitator's move, beside a bare
Channels group broadcast measured in the same run.

Starts Accord as in production (two uvicorn processes joined by Redis, PostgreSQL, in a
database of its own), seeds a live meeting with N participants, connects them over
WebSockets (split between the two processes), then alternates:

- a bare broadcast: `group_send` of a message the size of a real state to the meeting's
  group, straight from this process through Redis (no database, no rendering);
- an advance: the facilitator sends an `advance` command (`ADVANCE`) on its socket.

Each is timed from the send to the moment the last participant has the message; the next
one starts only once all have it. Run with `make bench-live`; see docs/performance.md.
"""

import argparse
import asyncio
import functools
import json
import multiprocessing
import os
import platform
import re
import statistics
import sys
import time
from collections import defaultdict

from bench import harness

# The facilitator moves on; past a reflect phase, without asking again.
ADVANCE = {"type": "command", "command": "advance", "confirmed": True}

# The start of each message is enough to know which broadcast it is: the full message is
# received (and decompressed) as a browser would, but a browser's JSON.parse happens on
# its own device, not on the benchmark's two cores.
HEAD = re.compile(r'^\{"type": "state", "(seq|bench)": (-?\d+)')


# Client processes


def client_process(conn, assignments, path, concurrency, compression):
    """Hold some of the participants' sockets and report when all of them have each
    broadcast: ("got", key, first receipt, last receipt), on the monotonic clock that
    every process of the machine shares."""
    # uvloop comes with uvicorn[standard] and not on every platform: only a run loads it
    import uvloop

    uvloop.run(clients(conn, assignments, path, concurrency, compression))


async def clients(conn, assignments, path, concurrency, compression):
    loop = asyncio.get_running_loop()
    commands = asyncio.Queue()
    loop.add_reader(conn.fileno(), lambda: commands.put_nowait(conn.recv()))
    total = len(assignments)
    counts = defaultdict(int)
    first = {}
    activity = {"messages": 0, "last": time.monotonic()}

    def received(text):
        now = time.monotonic()
        activity["messages"] += 1
        activity["last"] = now
        match = HEAD.match(text)
        if match is None:
            return  # presence, pong
        key = (match[1], int(match[2]))
        counts[key] += 1
        if counts[key] == 1:
            first[key] = now
        if counts[key] == total:
            conn.send(("got", key, first.pop(key), now))
            del counts[key]

    async def follow(ws):
        try:
            async for text in ws:
                received(text)
        finally:
            if not stopping:
                conn.send(("closed", ws.close_code, ws.close_reason))

    stopping = False
    sockets = []
    tasks = []
    gate = asyncio.Semaphore(concurrency)

    async def join(server, session):
        async with gate:
            ws = await harness.connect(
                server, path, session, max_queue=None, compression=compression
            )
            sockets.append(ws)
            tasks.append(asyncio.create_task(follow(ws)))

    await asyncio.gather(*(join(port, session) for port, session in assignments))
    conn.send(("connected", total))
    while True:
        command = await commands.get()
        if command == "settle":
            # Joining sets off a presence broadcast per socket: wait for them to pass.
            while time.monotonic() - activity["last"] < 1.0:
                await asyncio.sleep(0.2)
            conn.send(("settled", activity["messages"]))
        elif command == "stop":
            stopping = True
            await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
            loop.remove_reader(conn.fileno())
            conn.send(("stopped", None))
            return


class Clients:
    """The coordinator's side of the client processes."""

    def __init__(self, count, assignments, path, concurrency, compression):
        context = multiprocessing.get_context("spawn")
        self.processes = []
        self.connections = []
        self.queues = []
        for n in range(count):
            mine, theirs = context.Pipe()
            process = context.Process(
                target=client_process,
                args=(theirs, assignments[n::count], path, concurrency, compression),
                daemon=True,
            )
            process.start()
            theirs.close()
            self.processes.append(process)
            self.connections.append(mine)

    def listen(self):
        loop = asyncio.get_running_loop()
        for conn in self.connections:
            queue = asyncio.Queue()
            loop.add_reader(conn.fileno(), lambda c=conn, q=queue: q.put_nowait(c.recv()))
            self.queues.append(queue)

    async def expect(self, kind, key=None, timeout=30.0):
        async def one(queue):
            while True:
                message = await asyncio.wait_for(queue.get(), timeout)
                if message[0] == kind and (key is None or message[1] == key):
                    return message
                if message[0] != "got":  # the state each socket gets as it joins
                    raise RuntimeError(f"A client process reported {message}, not {kind}.")

        return await asyncio.gather(*(one(queue) for queue in self.queues))

    def tell(self, command):
        for conn in self.connections:
            conn.send(command)

    def stop(self):
        loop = asyncio.get_running_loop()
        for conn in self.connections:
            loop.remove_reader(conn.fileno())
        for process in self.processes:
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join()


# CPU accounting, from /proc: which process does the work?

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def backends(database: str) -> list[int]:
    """The PostgreSQL backends serving `database` (they come and go with CONN_MAX_AGE)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    words = cmdline.read().split(b"\0")[0].split()
            except OSError:
                continue
            if words[:1] == [b"postgres:"] and database.encode() in words:
                pids.append(int(entry))
    return pids


def machine_busy() -> tuple[float, float]:
    """CPU seconds the whole machine has been busy, and elapsed CPU seconds (all CPUs)."""
    with open("/proc/stat") as stat:
        fields = [int(n) for n in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / TICK, sum(fields[:8]) / TICK


def others_share(before, after, ours: float) -> float:
    """The share of the machine that processes other than ours used between two readings."""
    busy, total = after[0] - before[0], after[1] - before[1]
    return max(0.0, busy - ours) / total if total else 0.0


class Meter:
    """CPU time per step, by process group; a group is a list of pids or a function that
    lists them (so that processes started during a step count from zero)."""

    def __init__(self, groups: dict):
        self.groups = groups
        self.totals = defaultdict(lambda: defaultdict(float))
        self.counts = defaultdict(int)
        self.seen = defaultdict(set)  # the groups that had a process to read, by kind

    def snapshot(self):
        return {
            name: {pid: cpu_seconds(pid) for pid in (pids() if callable(pids) else pids)}
            for name, pids in self.groups.items()
        }

    def add(self, kind, before, after):
        self.counts[kind] += 1
        for name in self.groups:
            if after[name]:
                self.seen[kind].add(name)
            self.totals[kind][name] += sum(
                seconds - before[name].get(pid, 0.0) for pid, seconds in after[name].items()
            )

    def per_step_ms(self, kind):
        """Milliseconds per step, or None for a group with no process to read: PostgreSQL
        backends that live for one command only (CONN_MAX_AGE=0) are gone before."""
        return {
            name: 1000 * total / self.counts[kind] if name in self.seen[kind] else None
            for name, total in self.totals[kind].items()
        }


def stage_renders(url: str, meeting: int, after_seq: int) -> dict[str, int]:
    """How many stages the servers rendered for the changes after `after_seq`, by language:
    each render is kept once in the cache under (meeting, seq, phase, language)."""
    # only a run against live servers needs Redis's client
    import redis

    client = redis.Redis.from_url(url)
    counts = defaultdict(int)
    try:
        for key in client.scan_iter(match=f"*meeting-stage:{meeting}:*", count=1000):
            _meeting, seq, _phase, language = key.decode().rsplit(":", 4)[1:]
            if int(seq) > after_seq:
                counts[language] += 1
    finally:
        client.close()
    return dict(counts)


def redis_pid(url: str) -> int | None:
    # only a run against live servers needs Redis's client
    import redis

    client = redis.Redis.from_url(url)
    try:
        pid = int(client.info("server")["process_id"])
    finally:
        client.close()
    return pid if os.path.exists(f"/proc/{pid}") else None


# The run


async def measure(site, servers, args):
    # only a run against live servers needs the channel layer's client
    from channels_redis.core import RedisChannelLayer

    data = site.data
    path = site.ws_path
    assignments = [
        (servers[n % len(servers)].port, session) for n, session in enumerate(data["participants"])
    ]
    started = time.monotonic()
    compression = None if args.no_compression else "deflate"
    clients = Clients(args.client_processes, assignments, path, args.concurrency, compression)
    clients.listen()
    await clients.expect("connected", timeout=300)
    print(f"  {len(assignments)} participants connected in {time.monotonic() - started:.1f} s")

    facilitator = await harness.connect(servers[0], path, data["facilitator"], max_queue=None)
    latest = {}
    arrived = asyncio.Event()

    async def follow():
        async for text in facilitator:
            message = json.loads(text)
            if message["type"] == "state" and "bench" not in message:
                latest.update(message)
                arrived.set()
            elif message["type"] == "error":
                raise RuntimeError(f"The facilitator's command was refused: {message}")

    following = asyncio.create_task(follow())
    while not latest:
        await asyncio.wait_for(arrived.wait(), 10)
    clients.tell("settle")
    settled = await clients.expect("settled", timeout=300)
    print(
        f"  joining done after {time.monotonic() - started:.1f} s "
        f"({sum(s[1] for s in settled)} messages, mostly presence)"
    )

    layer = RedisChannelLayer(hosts=[{"address": site.redis_url, "socket_timeout": None}])
    group = f"meeting.{data['meeting']}"
    groups = {f"uvicorn {n + 1}": [server.process.pid] for n, server in enumerate(servers)}
    groups["postgres"] = functools.partial(backends, site.name)
    pid = redis_pid(site.redis_url)
    if pid:
        groups["redis"] = [pid]
    groups["clients"] = [process.pid for process in clients.processes]
    groups["bench"] = [os.getpid()]
    meter = Meter(groups)
    results = {"accord": [], "bare": []}
    spreads = {"accord": [], "bare": []}
    sizes = []
    resets = 0

    async def bare(n):
        # The same size as the real state, and the same consumer handler delivers it.
        payload = {"bench": n, **latest}
        before = meter.snapshot()
        sent = time.monotonic()
        await layer.group_send(group, {"type": "meeting.state", "state": payload})
        got = await clients.expect("got", ("bench", n), timeout=args.timeout)
        meter.add("bare", before, meter.snapshot())
        return sent, got

    async def advance():
        nonlocal resets
        if latest["phase"] == data["phases"] - 1:
            # At the closing: go back to the opening behind Accord's back (not timed,
            # no broadcast), so that every timed step is a real advance.
            site.sql(
                "UPDATE meetings_meeting SET current_id = (SELECT id FROM meetings_phase "
                "WHERE meeting_id = %s AND position = 0) WHERE id = %s",
                [data["meeting"], data["meeting"]],
            )
            latest["phase"] = 0
            resets += 1
        seq = latest["seq"] + 1
        arrived.clear()
        before = meter.snapshot()
        sent = time.monotonic()
        await facilitator.send(json.dumps(ADVANCE))
        try:
            got = await clients.expect("got", ("seq", seq), timeout=args.timeout)
        except TimeoutError:
            if following.done() and following.exception():
                raise following.exception() from None
            raise
        meter.add("accord", before, meter.snapshot())
        while latest["seq"] != seq:
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), args.timeout)
        sizes.append(len(json.dumps(latest)))
        return sent, got

    def record(kind, sent, got):
        results[kind].append(1000 * (max(g[3] for g in got) - sent))
        spreads[kind].append(1000 * (max(g[3] for g in got) - min(g[2] for g in got)))

    for n in range(args.warmup):
        await bare(-1 - n)
        await advance()
    meter.totals.clear()
    meter.counts.clear()
    profilers = start_profilers(args.profile, servers) if args.profile else []
    machine_before, ours_before = machine_busy(), meter.snapshot()
    first_seq = latest["seq"]
    for n in range(args.advances):
        # A pause between steps, as in a meeting, so that no step pays for the last one's
        # leftovers (the servers keep working a little after the last delivery).
        await asyncio.sleep(args.gap)
        record("bare", *await bare(n))
        await asyncio.sleep(args.gap)
        record("accord", *await advance())
        if args.verbose:
            print(
                f"  {n + 1:3}: bare {results['bare'][-1]:6.1f} ms, advance to phase "
                f"{latest['phase']:2} ({latest['kind']:10}) {results['accord'][-1]:6.1f} ms"
            )

    machine_after, ours_after = machine_busy(), meter.snapshot()
    renders = (stage_renders(site.redis_url, data["meeting"], first_seq), latest["seq"] - first_seq)
    ours = sum(
        seconds - ours_before[name].get(pid, 0.0)
        for name in ours_after
        for pid, seconds in ours_after[name].items()
    )
    meter.others = others_share(machine_before, machine_after, ours)
    stop_profilers(profilers)
    following.cancel()
    await facilitator.close()
    clients.tell("stop")
    await clients.expect("stopped")
    clients.stop()
    await layer.close_pools()
    return results, spreads, sizes, resets, meter, renders


def start_profilers(directory, servers):
    """Sample the server processes with py-spy (collapsed stacks) while the steps run."""
    # only --profile needs these
    import shutil
    import subprocess

    spy = shutil.which("py-spy") or os.environ.get("PY_SPY")
    if not spy:
        raise SystemExit("--profile needs py-spy on PATH (or PY_SPY=/path/to/py-spy).")
    os.makedirs(directory, exist_ok=True)
    return [
        subprocess.Popen(  # noqa: S603 (our own command)
            [
                spy,
                "record",
                "--pid",
                str(server.process.pid),
                "--format",
                "raw",
                "--rate",
                "250",
                "--output",
                os.path.join(directory, f"uvicorn-{n + 1}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n, server in enumerate(servers)
    ]


def stop_profilers(profilers):
    # only --profile needs it
    import signal

    for profiler in profilers:
        profiler.send_signal(signal.SIGINT)
    for profiler in profilers:
        profiler.wait(30)


def quantile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(args, results, spreads, sizes, resets, meter, renders):
    print()
    print(
        f"{args.participants} participants, 2 server processes, Redis; "
        f"{args.advances} of each, after {args.warmup} warm-up; "
        f"{args.client_processes} client process(es)."
    )
    print(f"State messages: {min(sizes)} to {max(sizes)} bytes of JSON.")
    by_language, changes = renders
    languages = ", ".join(f"{code}: {n}" for code, n in sorted(by_language.items()))
    print(
        f"Stage renders: {sum(by_language.values())} for {changes} changes "
        f"({languages or 'none'}), one per language listened to per change."
    )
    if resets:
        print(f"The meeting went round its {args.phases} phases: {resets} reset(s) to the opening.")
    print()
    print("Time until the LAST participant has it (ms)   median     p99     max   fan-out*")
    rows = [("Accord: facilitator advances", "accord"), ("Bare Channels group_send", "bare")]
    for label, kind in rows:
        values = results[kind]
        print(
            f"  {label:43} {statistics.median(values):6.1f}  {quantile(values, 0.99):6.1f}"
            f"  {max(values):6.1f}  {statistics.median(spreads[kind]):6.1f}"
        )
    print("  * median time from the first participant's receipt to the last one's")
    accord = statistics.median(results["accord"])
    bare = statistics.median(results["bare"])
    p99 = quantile(results["accord"], 0.99)
    print()
    print(f"Median ratio Accord / bare: {accord / bare:.2f} (target at most 1.5)")
    print(f"Accord p99: {p99:.1f} ms (target under 150 ms)")
    print()
    print("CPU per broadcast (ms), by process:")
    names = list(meter.groups)
    print("  " + " " * 30 + "".join(f"{name:>11}" for name in names))
    for label, kind in rows:
        cpu = meter.per_step_ms(kind)
        print(
            f"  {label:30}"
            + "".join(
                "        n/a" if cpu[name] is None else f"{cpu[name]:11.1f}" for name in names
            )
        )
    if None in meter.per_step_ms("accord").values():
        print("  n/a: no process to read (PostgreSQL backends that live for one command only)")
    met = p99 < 150 and accord <= 1.5 * bare
    print()
    print(
        f"Other processes used {100 * meter.others:.0f} % of the machine while this measured "
        "(short-lived PostgreSQL backends count there too)."
    )
    print("Target met." if met else "Target MISSED.")
    return met


def machine() -> str:
    model = ""
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--advances", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--client-processes",
        type=int,
        default=1,
        help="processes holding the participants' sockets (default 1: see docs/performance.md)",
    )
    parser.add_argument("--concurrency", type=int, default=20, help="sockets opening at once")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds, per broadcast")
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between steps")
    parser.add_argument(
        "--no-compression",
        action="store_true",
        help="clients refuse permessage-deflate (browsers ask for it)",
    )
    parser.add_argument("--verbose", action="store_true", help="print every step")
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a target is missed"
    )
    parser.add_argument(
        "--profile", metavar="DIR", help="sample the servers with py-spy into DIR while timing"
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for the server processes (repeatable)",
    )
    parser.add_argument(
        "--app",
        default="accord.asgi:application",
        help="the ASGI application the servers run (for experiments)",
    )
    parser.add_argument(
        "--spanish",
        type=float,
        default=0.5,
        help="the share of participants who follow in Spanish (a bilingual room: one render "
        "per language per change)",
    )
    parser.add_argument("--database", default="accord_bench")
    parser.add_argument("--redis-db", type=int, default=14)
    args = parser.parse_args()

    reason = harness.unreachable()
    if reason:
        print(f"bench-live needs PostgreSQL and Redis. {reason}", file=sys.stderr)
        return 2
    print(f"Machine: {machine()}")
    before = machine_busy()
    time.sleep(1)
    busy = others_share(before, machine_busy(), 0.0)
    if busy > 0.1:
        print(f"  warning: the machine is {100 * busy:.0f} % busy already; figures will suffer")
    site = harness.Site(args.database, redis_db=args.redis_db)
    servers = []
    try:
        started = time.monotonic()
        site.create(participants=args.participants, agenda="all", spanish=args.spanish)
        args.phases = site.data["phases"]
        print(f"  database {args.database} seeded in {time.monotonic() - started:.1f} s")
        # The servers run as the README's production recipe runs the /ws/ processes: with
        # kept database connections. `--server-env CONN_MAX_AGE=0` measures without.
        site.env["CONN_MAX_AGE"] = "60"
        for setting in args.server_env:
            name, _, value = setting.partition("=")
            site.env[name] = value
        servers = [site.server(app=args.app).start(wait=False) for _ in range(2)]
        for server in servers:
            server.wait_ready()
        # as in `client_process`: optional, loaded only for a run
        import uvloop

        outcome = uvloop.run(measure(site, servers, args))
        met = report(args, *outcome)
        return 1 if args.check and not met else 0
    finally:
        for server in servers:
            server.close()
        site.drop()


if __name__ == "__main__":
    sys.exit(main())

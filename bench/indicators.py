"""Requests per second of the indicator pages, beside a minimal Django page in the same run.

Starts Accord as the README's production recipe serves pages (gunicorn, 4 workers, kept
database connections, PostgreSQL, in a database of its own), seeds an alliance with 50
indicators of 200 values each and one indicator with 10,000 values
(`bench/seed_indicators.py`), then, round after round, drives each page with concurrent
keep-alive clients for a fixed time:

- the baseline: `/bench/minimal/`, a view returning "ok" through the same middleware;
- a second baseline: `/bench/signed-in/`, the same for a signed-in person (the session
  and the user loaded, which every page of an alliance needs);
- the indicators overview of the alliance (50 indicators, grouped by goal, sparklines);
- the page of the indicator with 10,000 values (chart thinned, table paged).

Run with `make bench-indicators`; see docs/performance.md.
"""

import argparse
import json
import os
import platform
import statistics
import sys

from bench import harness

DATABASE = "accord_bench_indicators"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10, help="per page per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per client process")
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--values", type=int, default=200)
    parser.add_argument("--long", type=int, default=10_000)
    args = parser.parse_args()

    problem = harness.unreachable()
    if problem:
        sys.exit(problem)
    site = harness.Site(DATABASE, redis_db=13)
    # As the README's production recipe: kept connections; Redis for the cache.
    site.env.update(
        DJANGO_SETTINGS_MODULE="bench.page_settings", CONN_MAX_AGE="60", REDIS_URL=site.redis_url
    )
    site.drop()
    site._admin(f'CREATE DATABASE "{DATABASE}"')
    server = None
    try:
        harness.run([harness.BIN / "python", "manage.py", "migrate", "--verbosity", "0"], site.env)
        seeded = json.loads(
            harness.run(
                [
                    harness.BIN / "python",
                    "-m",
                    "bench.seed_indicators",
                    "--indicators",
                    str(args.indicators),
                    "--values",
                    str(args.values),
                    "--long",
                    str(args.long),
                ],
                site.env,
            ).splitlines()[-1]
        )
        port = harness.free_port()
        server = harness.Pages(site.env, port, args.workers, access_log=False).start()
        pages = {
            "minimal": "/bench/minimal/",
            "signed-in": "/bench/signed-in/",
            "overview": f"/a/{seeded['slug']}/indicators/",
            "indicator": f"/a/{seeded['slug']}/indicators/{seeded['long']}/",
        }
        # As a browser that has seen a page sends them: its session and its CSRF cookie.
        cookie = f"sessionid={seeded['session']}; csrftoken={seeded['csrf']}"
        for path in pages.values():  # warm up every worker
            harness.measure(port, path, cookie, 1, 1, args.workers)
        rounds = {name: [] for name in pages}
        for n in range(args.rounds):
            for name, path in pages.items():
                result = harness.measure(
                    port, path, cookie, args.seconds, args.clients, args.threads
                )
                rounds[name].append(result)
                print(
                    f"round {n + 1} {name:9} {result['rps']:8.1f} req/s  "
                    f"median {result['median_ms']:6.1f} ms  p95 {result['p95_ms']:6.1f} ms",
                    flush=True,
                )
        print()
        print(
            f"{platform.node()} · {os.cpu_count()} cores · gunicorn -w {args.workers} · "
            f"{args.clients}×{args.threads} clients · {args.seconds:g} s × {args.rounds} rounds · "
            f"{seeded['values']} values"
        )
        baseline = statistics.median(r["rps"] for r in rounds["minimal"])
        for name, results in rounds.items():
            rps = statistics.median(r["rps"] for r in results)
            median = statistics.median(r["median_ms"] for r in results)
            print(
                f"{name:9} median {rps:8.1f} req/s   ratio to minimal {rps / baseline:5.2f}   "
                f"median latency {median:6.1f} ms"
            )
    finally:
        if server is not None:
            server.close()
        site.drop()


if __name__ == "__main__":
    main()

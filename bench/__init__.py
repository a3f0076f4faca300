"""Benchmarks, and the harness that runs real Accord server processes (shared with
tests/test_live_servers.py)."""

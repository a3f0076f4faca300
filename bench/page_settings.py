"""Accord's settings with one more page: a minimal Django view, the benchmark's baseline,
served by the same process through the same middleware (`bench/indicators.py`)."""

from accord.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

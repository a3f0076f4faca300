"""Two people, or one double click, sending the same form at the same moment: each request
in a thread of its own with its own database connection, released together."""

import threading

from django.db import connection
from django.test import Client


def post_twice(url: str, data: dict) -> list[int]:
    """POST `data` to `url` from two signed-out clients at once; their status codes."""
    barrier = threading.Barrier(2)
    statuses = []

    def send():
        client = Client(raise_request_exception=False)
        try:
            barrier.wait()
            statuses.append(client.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses

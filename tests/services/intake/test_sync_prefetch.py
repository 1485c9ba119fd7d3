"""The sync's page prefetcher keeps order, hands over errors after the pages before them, and stops."""

from __future__ import annotations

import threading
import time

import pytest

from voiceconsole.services.intake.sync import prefetched


def test_pages_come_in_order_then_the_error():
    def pages():
        yield 1
        yield 2
        raise RuntimeError("page 3 failed")

    got = []
    with pytest.raises(RuntimeError, match="page 3 failed"):
        for page in prefetched(pages()):
            got.append(page)
    assert got == [1, 2]


def test_stopping_early_stops_the_fetching_thread():
    fetched = []

    def pages():
        for i in range(1000):
            fetched.append(i)
            yield i

    for page in prefetched(pages(), depth=1):
        if page == 2:
            break
    time.sleep(0.5)
    assert len(fetched) <= 5  # it stopped soon after: no thread left fetching every page
    assert not [t for t in threading.enumerate() if t.name == "sync-prefetch"]


def test_an_empty_walk():
    assert list(prefetched(iter(()))) == []

"""A fixed-window rate limit kept in the shared cache, so it holds across processes and machines.

`cache.add` creates the window's counter only if it is missing and `cache.incr` is atomic in Redis
(and in locmem), so two workers hitting the same window count both hits. A fixed window lets a
burst of up to twice the limit through across a window edge; that is fine for stopping spam.
"""

import time

from django.core.cache import cache

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """"10/h" -> (10, 3600): how many hits are allowed per how many seconds."""
    count, _, period = rate.partition("/")
    try:
        return int(count), PERIODS[period]
    except (ValueError, KeyError):
        raise ValueError(f"Rate {rate!r} is not of the form '<count>/<s|m|h|d>'.") from None


def hit(key: str, rate: str) -> bool:
    """Count one hit against `key`; True while the hits in the current window are within `rate`."""
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    cache_key = f"ratelimit:{key}:{window}"
    # Outlive the window by a little, so the counter cannot vanish between add and incr.
    cache.add(cache_key, 0, timeout=period + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr: start the window again
        cache.add(cache_key, 1, timeout=period + 5)
        count = 1
    return count <= limit

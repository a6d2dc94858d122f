"""directory.lib.ratelimit: a fixed window counted in the shared cache."""

import pytest

from directory.lib import ratelimit


def test_hits_within_the_rate_are_allowed_and_the_next_is_not():
    assert [ratelimit.hit("someone", "3/h") for _ in range(4)] == [True, True, True, False]


def test_keys_are_counted_separately():
    assert ratelimit.hit("alice", "1/h")
    assert ratelimit.hit("bob", "1/h")
    assert not ratelimit.hit("alice", "1/h")


def test_a_new_window_starts_a_new_count(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    assert ratelimit.hit("someone", "1/m")
    assert not ratelimit.hit("someone", "1/m")
    now[0] += 60
    assert ratelimit.hit("someone", "1/m")


@pytest.mark.parametrize("rate", ["10", "ten/h", "10/w", ""])
def test_malformed_rate_names_itself(rate):
    with pytest.raises(ValueError, match="is not of the form"):
        ratelimit.parse_rate(rate)

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def frozen_clock(monkeypatch):
    """frozen_clock(moment) stops django.utils.timezone.now at `moment` for every module (and the
    appointments clock, which reads it); returns a function to move it. Starts at noon, 1 June 2026 UTC."""
    state = {"now": datetime(2026, 6, 1, 12, 0, tzinfo=UTC)}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])

    def move(moment=None, **delta):
        state["now"] = moment if moment is not None else state["now"] + timedelta(**delta)
        return state["now"]

    move.now = lambda: state["now"]
    return move

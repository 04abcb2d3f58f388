"""`time_limit` cuts a case short and nests inside a test runner's own alarm."""

from __future__ import annotations

import signal
import time
from types import FrameType

import pytest

from renown.reliability.fuzzing import CaseTimeoutError, time_limit


class OuterAlarmError(Exception):
    """What an outer handler (a test runner's timeout) raises."""


def _outer(signum: int, frame: FrameType | None) -> None:
    raise OuterAlarmError


@pytest.fixture
def outer_alarm() -> object:
    previous = signal.signal(signal.SIGALRM, _outer)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def test_a_slow_block_is_cut_short() -> None:
    before = signal.getitimer(signal.ITIMER_REAL)[0]  # the test runner's own limit, if any
    clock = time.monotonic()
    with pytest.raises(CaseTimeoutError), time_limit(0.1):
        time.sleep(5)
    spent = time.monotonic() - clock
    assert spent < 2
    after = signal.getitimer(signal.ITIMER_REAL)[0]
    assert after == 0 if before == 0 else abs(after - (before - spent)) < 0.5


def test_an_outer_alarm_keeps_the_time_it_had_left(outer_alarm: object) -> None:
    signal.setitimer(signal.ITIMER_REAL, 30)
    with time_limit(5):
        time.sleep(0.05)
    left = signal.getitimer(signal.ITIMER_REAL)[0]
    assert 29 < left < 30 and signal.getsignal(signal.SIGALRM) is _outer


def test_an_outer_alarm_due_first_fires_through_its_own_handler(outer_alarm: object) -> None:
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    with pytest.raises(OuterAlarmError), time_limit(30):
        time.sleep(5)

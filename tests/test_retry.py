"""The one backoff of the reconnect and retry loops: doubling, cap, reset and jitter."""

import random

import pytest

from hftlab.retry import Backoff


def test_delays_double_up_to_the_cap_and_count_failures():
    backoff = Backoff(0.5, 3.0)
    assert [backoff.next_delay() for _ in range(6)] == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]
    assert backoff.failures == 6


def test_without_a_cap_the_doubling_is_exact():
    backoff = Backoff(0.1)
    assert [backoff.next_delay() for _ in range(5)] == [0.1 * 2**k for k in range(5)]


def test_reset_starts_again_from_the_base():
    backoff = Backoff(0.25, 10.0)
    for _ in range(3):
        backoff.next_delay()
    backoff.reset()
    assert backoff.failures == 0
    assert [backoff.next_delay() for _ in range(2)] == [0.25, 0.5]


def test_jitter_scales_each_pause_by_a_seeded_uniform_factor_but_not_the_doubling():
    backoff = Backoff(0.1, 0.25, jitter=0.2, rng=random.Random(3))
    pauses = [backoff.next_delay() for _ in range(5)]
    reference = random.Random(3)
    expected = [d * reference.uniform(0.8, 1.2) for d in (0.1, 0.2, 0.25, 0.25, 0.25)]
    assert pauses == expected
    for pause, delay in zip(pauses, (0.1, 0.2, 0.25, 0.25, 0.25), strict=True):
        assert 0.8 * delay <= pause <= 1.2 * delay
    assert pauses[0] == pytest.approx(0.1 * 0.8951858508367566)  # random.Random(3).uniform(0.8, 1.2)


class Extremes:
    """An injected rng returning the low then the high end of the jitter range."""

    def __init__(self):
        self.calls = []

    def uniform(self, low, high):
        self.calls.append((low, high))
        return (low, high)[len(self.calls) % 2 == 0]


def test_jitter_bounds_are_one_plus_minus_jitter_and_no_draw_without_jitter():
    rng = Extremes()
    backoff = Backoff(1.0, 8.0, jitter=0.2, rng=rng)
    assert [backoff.next_delay() for _ in range(4)] == [0.8, 2.4, 3.2, 9.6]
    assert rng.calls == [(0.8, 1.2)] * 4
    plain = Extremes()
    Backoff(1.0, jitter=0.0, rng=plain).next_delay()
    assert plain.calls == []

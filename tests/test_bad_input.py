"""Every operation's example input, spoiled in the ways real data is (a time series or events
out of order, a repeated timestamp, a missing or infinite value, an impossible event): each gets
InvalidInput on both backends, naming a field, never another error and never an answer."""

import numpy as np
import pandas as pd
import pytest

import hftlab
from hftlab.bench.inputs import INPUTS
from hftlab.errors import InvalidInput
from hftlab.types import REQUEST_TYPES


def _at_middle(value, x):
    spoiled = value.copy()
    spoiled.iloc[len(spoiled) // 2] = x
    return spoiled


def _swapped(value):
    order = np.arange(len(value))
    order[[1, 2]] = order[[2, 1]]
    return value.iloc[order]


def _repeated(value):
    spoiled = value.copy()
    spoiled.index = [*value.index[:-1], value.index[0]]
    return spoiled


SPOILERS = {
    "reversed": lambda value: value.iloc[::-1],
    "two rows swapped": _swapped,
    "a repeated label": _repeated,
    "a NaN": lambda value: _at_middle(value, np.nan),
    "an infinity": lambda value: _at_middle(value, np.inf),
}


def _event_spoiler(field: str, value):
    def spoil(events):
        spoiled = events.copy()
        spoiled[field][len(spoiled) // 2] = value
        return spoiled

    return spoil


def _events_swapped(events):
    """The middle row and the last swapped (their times go back)."""
    order = np.arange(len(events))
    order[[len(events) // 2, -1]] = order[[-1, len(events) // 2]]
    return events[order]


EVENT_SPOILERS = {
    "two events swapped": _events_swapped,
    "a NaN price": _event_spoiler("price", np.nan),
    "a negative quantity": _event_spoiler("qty", -1.0),
    "an unknown kind": _event_spoiler("kind", 200),
    "a side of 7": _event_spoiler("side", 7),
}
"""Spoilers of a structured array of events (:data:`hftlab.market.EVENT_DTYPE`)."""

UNORDERED = {("ReplayLobster", "orderbook")}
"""Tables whose rows carry no time: a LOBSTER orderbook file's rows follow its messages, and the
replay rebuilds the book from the messages (it takes from the file only the levels that enter
from beyond its depth), so rows in another order may still be the book."""


def _cases():
    for rpc in sorted(INPUTS):
        for field, value in INPUTS[rpc]().items():
            if isinstance(value, pd.Series | pd.DataFrame) and len(value) > 4:
                for spoiler in SPOILERS:
                    if (rpc, field) in UNORDERED and spoiler in ("reversed", "two rows swapped"):
                        continue
                    yield pytest.param(rpc, field, spoiler, id=f"{rpc}-{field}-{spoiler}")
            elif isinstance(value, np.ndarray) and value.dtype.names and len(value) > 4:
                for spoiler in EVENT_SPOILERS:
                    yield pytest.param(rpc, field, spoiler, id=f"{rpc}-{field}-{spoiler}")


@pytest.mark.parametrize(("rpc", "field", "spoiler"), list(_cases()))
def test_spoiled_input_is_refused_by_name(backend, rpc, field, spoiler):
    example = INPUTS[rpc]()
    try:
        spoiled = {**SPOILERS, **EVENT_SPOILERS}[spoiler](example[field])
    except (TypeError, ValueError):
        pytest.skip(f"{field} cannot hold {spoiler} (e.g. integer columns cannot hold NaN)")
    with pytest.raises(InvalidInput, match=r"'\w[\w.]*'"):  # a field named (a LOBSTER pair: the messages)
        request = REQUEST_TYPES[rpc](**{**example, field: spoiled})
        if request.streaming:
            list(hftlab.backend().stream(request))
        else:
            hftlab.backend().execute(request)

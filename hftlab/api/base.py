"""What every operation shares: input types, the operation declaration and the server-info call."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from hftlab.backends import backend
from hftlab.types import Request, ServerInfo, ServerInfoRequest

__all__ = ["server_info"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Operation:
    """A public function and the request it sends: the request's fields are the declaration.

    The function's parameters are the request's fields, with the same names and defaults,
    except ``client_only`` ones (used in this process, never sent) and those the function
    ``split``s into several request fields (e.g. ``bounds`` into ``lower_bounds`` and
    ``upper_bounds``). ``tests/test_contract.py`` checks every operation against this, against
    the proto and against the algorithm that computes it.
    """

    function: Callable[..., Any]
    request_type: type[Request]
    client_only: tuple[str, ...] = ()
    split: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


OPERATIONS: dict[str, Operation] = {}
"""RPC name -> its public function's declaration, filled by :func:`operation`."""


def operation(
    request_type: type[Request],
    *,
    client_only: tuple[str, ...] = (),
    split: Mapping[str, tuple[str, ...]] | None = None,
) -> Callable[[F], F]:
    """Declare the decorated function the public entry of ``request_type`` (see :class:`Operation`)."""

    def declare(function: F) -> F:
        if request_type.rpc in OPERATIONS:
            raise TypeError(f"two public functions for {request_type.rpc}")
        OPERATIONS[request_type.rpc] = Operation(function, request_type, client_only, dict(split or {}))
        return function

    return declare


ArrayLike = Sequence[float] | np.ndarray | pd.Series
"""A one-dimensional numeric input: list, numpy array or pandas Series."""

FrameLike = pd.DataFrame | np.ndarray
"""A table of numbers: DataFrame (columns = instruments) or 2-D array."""


@operation(ServerInfoRequest)
def server_info() -> ServerInfo:
    """Version, process, uptime and served operations of the active backend."""
    return backend().execute(ServerInfoRequest())

"""How hftlab compiles the loops that walk order-book events: :data:`kernel`.

``kernel`` is ``numba.njit(cache=True)`` without numba's runtime (NRT). A kernel only reads
and writes arrays handed to it; it cannot allocate (numba refuses to compile an allocation
without NRT), and in exchange it does no reference counting. With NRT, every array a
function takes out of a tuple or passes on costs an atomic increment and decrement of its
count; in the tick engine that was most of the time (a call that did nothing cost 406 ns with
NRT and 22 ns without, and the book replay ran five times slower). ``_nrt`` is numba's own
flag for this (numba's test suite compiles with it); a numba that dropped it would fail here
at import, not give other numbers.
"""

from __future__ import annotations

from functools import partial

import numba

kernel = partial(numba.njit, cache=True, _nrt=False)

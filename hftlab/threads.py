"""The native thread pools (BLAS, OpenMP) of this process, through one threadpoolctl controller,
and its threads' malloc arenas (:func:`one_arena`).

``threadpoolctl.threadpool_limits`` scans the loaded shared libraries on every use
(4-18 ms here); one controller, built on first use (after hftlab's imports loaded
numpy's, scipy's and scikit-learn's libraries), pays that once.
"""

from __future__ import annotations

import ctypes
import functools
import platform

import threadpoolctl


@functools.cache
def thread_pools() -> threadpoolctl.ThreadpoolController:
    return threadpoolctl.ThreadpoolController()


def limit_threads(limits: int, user_api: str | None = None):
    """Cap BLAS/OpenMP calls at ``limits`` threads (``user_api``: ``"blas"``, ``"openmp"`` or
    both): until the end of the ``with`` block, or for good when not used as a context."""
    return thread_pools().limit(limits=limits, user_api=user_api)


def blas_threads() -> int:
    """The most threads one BLAS/OpenMP call may use in this process now."""
    return max((pool.num_threads for pool in thread_pools().lib_controllers), default=1)


M_ARENA_MAX = -8
"""glibc's ``mallopt`` parameter: the most malloc arenas (``malloc.h``)."""


def one_arena() -> bool:
    """Make every thread of this process allocate from glibc's main malloc arena (as
    ``MALLOC_ARENA_MAX=1`` does); whether it was set (``False`` off glibc, which has no arenas).

    Call it before the process starts threads. A server computes in its handler threads,
    each of which glibc would give an arena of its own: there ``numpy.zeros`` (``calloc``) of a
    block freed earlier must clear it, where the main arena hands large blocks out as fresh,
    already-zero pages (``mmap``). The tick engine's buffers (~32 MB a book, mostly untouched)
    took 2.5-4 ms longer to clear per arbitrage backtest in a handler thread than in the main
    thread. glibc manual, "Memory Allocation Tunables" (``glibc.malloc.arena_max``).
    """
    if platform.libc_ver()[0] != "glibc":
        return False
    return bool(ctypes.CDLL(None).mallopt(M_ARENA_MAX, 1))

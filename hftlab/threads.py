"""The native thread pools (BLAS, OpenMP) of this process, through one threadpoolctl controller.

``threadpoolctl.threadpool_limits`` scans the loaded shared libraries on every use
(4-18 ms here); one controller, built on first use (after hftlab's imports loaded
numpy's, scipy's and scikit-learn's libraries), pays that once.
"""

from __future__ import annotations

import functools

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

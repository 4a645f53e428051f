"""Exceptions raised by hftlab, the same on every backend.

Every error the workbench raises derives from :class:`HftlabError`. The grpc
backend maps each gRPC status code to one class here (``STATUS_TO_ERROR``), so
calling code never sees a raw ``grpc.RpcError``::

    HftlabError
    ├── InvalidInput          INVALID_ARGUMENT, OUT_OF_RANGE (also a ValueError)
    ├── NotFound              NOT_FOUND (unknown symbol, missing file)
    │   └── SampleUnavailable     a sample dataset neither local nor downloadable (hftlab.data)
    ├── ResourceExhausted     RESOURCE_EXHAUSTED (too large, too many calls)
    ├── DeadlineExceeded      DEADLINE_EXCEEDED (also a TimeoutError)
    ├── Cancelled             CANCELLED
    ├── Unauthenticated       UNAUTHENTICATED, PERMISSION_DENIED
    ├── Unimplemented         UNIMPLEMENTED (also a NotImplementedError)
    ├── FailedPrecondition    FAILED_PRECONDITION, ABORTED, ALREADY_EXISTS
    ├── BackendUnavailable    UNAVAILABLE (also a ConnectionError)
    └── ServerError           INTERNAL, UNKNOWN, DATA_LOSS

The layout follows httpx's ``_exceptions.py``: a shallow tree named for what
went wrong, each exception carrying the context needed to act on it.
"""

from __future__ import annotations


class HftlabError(Exception):
    """Base class of every hftlab error.

    Parameters
    ----------
    message : str
        What went wrong, in words a user can act on.
    request_id : str, optional
        The id of the remote call that failed (grpc backend only).
    """

    status = "UNKNOWN"

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id

    def __reduce__(self):
        return _rebuild, (type(self), self.message, self.request_id)


def _rebuild(cls, message, request_id):
    return cls(message, request_id=request_id)


class InvalidInput(HftlabError, ValueError):
    """An argument is missing, malformed or out of range; the message names it."""

    status = "INVALID_ARGUMENT"


class NotFound(HftlabError, LookupError):
    """A symbol, file or resource that was asked for does not exist."""

    status = "NOT_FOUND"


class SampleUnavailable(NotFound):
    """A sample dataset of :mod:`hftlab.data` is not in ``HFTLAB_DATA_DIR`` or the cache and could
    not be downloaded (offline, refused, or not the file the registry names)."""


class ResourceExhausted(HftlabError):
    """A size or rate limit was exceeded."""

    status = "RESOURCE_EXHAUSTED"


class DeadlineExceeded(HftlabError, TimeoutError):
    """The call did not finish within its deadline."""

    status = "DEADLINE_EXCEEDED"


class Cancelled(HftlabError):
    """The call was cancelled before it finished."""

    status = "CANCELLED"


class Unauthenticated(HftlabError, PermissionError):
    """The server refused the call's credentials (missing or wrong token)."""

    status = "UNAUTHENTICATED"


class PermissionDenied(HftlabError, PermissionError):
    """The server does not allow what the call asks of it (e.g. a feed URL or file it was not
    configured to open)."""

    status = "PERMISSION_DENIED"


class Unimplemented(HftlabError, NotImplementedError):
    """The operation is declared in the contract but not served by this server."""

    status = "UNIMPLEMENTED"


class FailedPrecondition(HftlabError):
    """The call is valid but the system is not in a state to run it."""

    status = "FAILED_PRECONDITION"


class BackendUnavailable(HftlabError, ConnectionError):
    """No server answers at the configured address."""

    status = "UNAVAILABLE"


class ServerError(HftlabError):
    """The server failed while handling a valid request (a bug: please report)."""

    status = "INTERNAL"


STATUS_TO_ERROR: dict[str, type[HftlabError]] = {
    "INVALID_ARGUMENT": InvalidInput,
    "OUT_OF_RANGE": InvalidInput,
    "NOT_FOUND": NotFound,
    "RESOURCE_EXHAUSTED": ResourceExhausted,
    "DEADLINE_EXCEEDED": DeadlineExceeded,
    "CANCELLED": Cancelled,
    "UNAUTHENTICATED": Unauthenticated,
    "PERMISSION_DENIED": PermissionDenied,
    "UNIMPLEMENTED": Unimplemented,
    "FAILED_PRECONDITION": FailedPrecondition,
    "ABORTED": FailedPrecondition,
    "ALREADY_EXISTS": FailedPrecondition,
    "UNAVAILABLE": BackendUnavailable,
    "INTERNAL": ServerError,
    "UNKNOWN": ServerError,
    "DATA_LOSS": ServerError,
}
"""gRPC status code name -> the hftlab exception raised for it."""

__all__ = [
    "STATUS_TO_ERROR",
    "BackendUnavailable",
    "Cancelled",
    "DeadlineExceeded",
    "FailedPrecondition",
    "HftlabError",
    "InvalidInput",
    "NotFound",
    "PermissionDenied",
    "ResourceExhausted",
    "SampleUnavailable",
    "ServerError",
    "Unauthenticated",
    "Unimplemented",
]

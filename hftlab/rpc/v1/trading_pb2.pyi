from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NDArray(_message.Message):
    __slots__ = ("dtype", "shape", "data")
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    dtype: str
    shape: _containers.RepeatedScalarFieldContainer[int]
    data: bytes
    def __init__(self, dtype: _Optional[str] = ..., shape: _Optional[_Iterable[int]] = ..., data: _Optional[bytes] = ...) -> None: ...

class Index(_message.Message):
    __slots__ = ("name", "range", "values", "tz", "freq")
    class Range(_message.Message):
        __slots__ = ("start", "stop", "step")
        START_FIELD_NUMBER: _ClassVar[int]
        STOP_FIELD_NUMBER: _ClassVar[int]
        STEP_FIELD_NUMBER: _ClassVar[int]
        start: int
        stop: int
        step: int
        def __init__(self, start: _Optional[int] = ..., stop: _Optional[int] = ..., step: _Optional[int] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    RANGE_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    TZ_FIELD_NUMBER: _ClassVar[int]
    FREQ_FIELD_NUMBER: _ClassVar[int]
    name: str
    range: Index.Range
    values: NDArray
    tz: str
    freq: str
    def __init__(self, name: _Optional[str] = ..., range: _Optional[_Union[Index.Range, _Mapping]] = ..., values: _Optional[_Union[NDArray, _Mapping]] = ..., tz: _Optional[str] = ..., freq: _Optional[str] = ...) -> None: ...

class Series(_message.Message):
    __slots__ = ("name", "values", "index")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    name: str
    values: NDArray
    index: Index
    def __init__(self, name: _Optional[str] = ..., values: _Optional[_Union[NDArray, _Mapping]] = ..., index: _Optional[_Union[Index, _Mapping]] = ...) -> None: ...

class Frame(_message.Message):
    __slots__ = ("columns", "data", "index")
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    columns: _containers.RepeatedScalarFieldContainer[str]
    data: _containers.RepeatedCompositeFieldContainer[NDArray]
    index: Index
    def __init__(self, columns: _Optional[_Iterable[str]] = ..., data: _Optional[_Iterable[_Union[NDArray, _Mapping]]] = ..., index: _Optional[_Union[Index, _Mapping]] = ...) -> None: ...

class CalculateMeanReversionRequest(_message.Message):
    __slots__ = ("prices", "lookback", "entry_z", "exit_z")
    PRICES_FIELD_NUMBER: _ClassVar[int]
    LOOKBACK_FIELD_NUMBER: _ClassVar[int]
    ENTRY_Z_FIELD_NUMBER: _ClassVar[int]
    EXIT_Z_FIELD_NUMBER: _ClassVar[int]
    prices: Series
    lookback: int
    entry_z: float
    exit_z: float
    def __init__(self, prices: _Optional[_Union[Series, _Mapping]] = ..., lookback: _Optional[int] = ..., entry_z: _Optional[float] = ..., exit_z: _Optional[float] = ...) -> None: ...

class CalculateMeanReversionResponse(_message.Message):
    __slots__ = ("zscore", "signal", "entries", "exits", "last_zscore", "current_signal", "metrics")
    class MetricsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    ZSCORE_FIELD_NUMBER: _ClassVar[int]
    SIGNAL_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    EXITS_FIELD_NUMBER: _ClassVar[int]
    LAST_ZSCORE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_SIGNAL_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    zscore: Series
    signal: Series
    entries: Series
    exits: Series
    last_zscore: float
    current_signal: int
    metrics: _containers.ScalarMap[str, float]
    def __init__(self, zscore: _Optional[_Union[Series, _Mapping]] = ..., signal: _Optional[_Union[Series, _Mapping]] = ..., entries: _Optional[_Union[Series, _Mapping]] = ..., exits: _Optional[_Union[Series, _Mapping]] = ..., last_zscore: _Optional[float] = ..., current_signal: _Optional[int] = ..., metrics: _Optional[_Mapping[str, float]] = ...) -> None: ...

class GetServerInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetServerInfoResponse(_message.Message):
    __slots__ = ("version", "backend", "pid", "uptime_seconds", "operations", "calls", "errors", "latency_p50_ms", "latency_p99_ms")
    class CallsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class ErrorsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class LatencyP50MsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class LatencyP99MsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    VERSION_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    UPTIME_SECONDS_FIELD_NUMBER: _ClassVar[int]
    OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    CALLS_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P50_MS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P99_MS_FIELD_NUMBER: _ClassVar[int]
    version: str
    backend: str
    pid: int
    uptime_seconds: float
    operations: _containers.RepeatedScalarFieldContainer[str]
    calls: _containers.ScalarMap[str, float]
    errors: _containers.ScalarMap[str, float]
    latency_p50_ms: _containers.ScalarMap[str, float]
    latency_p99_ms: _containers.ScalarMap[str, float]
    def __init__(self, version: _Optional[str] = ..., backend: _Optional[str] = ..., pid: _Optional[int] = ..., uptime_seconds: _Optional[float] = ..., operations: _Optional[_Iterable[str]] = ..., calls: _Optional[_Mapping[str, float]] = ..., errors: _Optional[_Mapping[str, float]] = ..., latency_p50_ms: _Optional[_Mapping[str, float]] = ..., latency_p99_ms: _Optional[_Mapping[str, float]] = ...) -> None: ...

class OptimizePortfolioRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class OptimizePortfolioResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DetectRegimeRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DetectRegimeResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StreamMarketDataRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StreamMarketDataResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetOrderBookRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetOrderBookResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RunHMMRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RunHMMResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RunMCMCRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RunMCMCResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CalculateSparsePortfolioRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CalculateSparsePortfolioResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class BoxTaoDecompositionRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class BoxTaoDecompositionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ScanPairsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ScanPairsResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RunBacktestRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RunBacktestResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

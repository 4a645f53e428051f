from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NDArray(_message.Message):
    __slots__ = ("dtype", "shape", "data", "padding")
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    PADDING_FIELD_NUMBER: _ClassVar[int]
    dtype: str
    shape: _containers.RepeatedScalarFieldContainer[int]
    data: bytes
    padding: bytes
    def __init__(self, dtype: _Optional[str] = ..., shape: _Optional[_Iterable[int]] = ..., data: _Optional[bytes] = ..., padding: _Optional[bytes] = ...) -> None: ...

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
    __slots__ = ("prices", "lookback", "entry_z", "exit_z", "metrics")
    PRICES_FIELD_NUMBER: _ClassVar[int]
    LOOKBACK_FIELD_NUMBER: _ClassVar[int]
    ENTRY_Z_FIELD_NUMBER: _ClassVar[int]
    EXIT_Z_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    prices: Series
    lookback: int
    entry_z: float
    exit_z: float
    metrics: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, prices: _Optional[_Union[Series, _Mapping]] = ..., lookback: _Optional[int] = ..., entry_z: _Optional[float] = ..., exit_z: _Optional[float] = ..., metrics: _Optional[_Iterable[str]] = ...) -> None: ...

class CalculateMeanReversionResponse(_message.Message):
    __slots__ = ("zscore", "signal", "entries", "exits", "last_zscore", "current_signal", "metrics", "notes")
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
    NOTES_FIELD_NUMBER: _ClassVar[int]
    zscore: Series
    signal: Series
    entries: Series
    exits: Series
    last_zscore: float
    current_signal: int
    metrics: _containers.ScalarMap[str, float]
    notes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, zscore: _Optional[_Union[Series, _Mapping]] = ..., signal: _Optional[_Union[Series, _Mapping]] = ..., entries: _Optional[_Union[Series, _Mapping]] = ..., exits: _Optional[_Union[Series, _Mapping]] = ..., last_zscore: _Optional[float] = ..., current_signal: _Optional[int] = ..., metrics: _Optional[_Mapping[str, float]] = ..., notes: _Optional[_Iterable[str]] = ...) -> None: ...

class GetServerInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetServerInfoResponse(_message.Message):
    __slots__ = ("version", "backend", "pid", "uptime_seconds", "operations", "calls", "errors", "latency_p50_ms", "latency_p99_ms", "blas_threads", "auth_failures")
    class CallsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class ErrorsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
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
    class AuthFailuresEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    VERSION_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    UPTIME_SECONDS_FIELD_NUMBER: _ClassVar[int]
    OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    CALLS_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P50_MS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P99_MS_FIELD_NUMBER: _ClassVar[int]
    BLAS_THREADS_FIELD_NUMBER: _ClassVar[int]
    AUTH_FAILURES_FIELD_NUMBER: _ClassVar[int]
    version: str
    backend: str
    pid: int
    uptime_seconds: float
    operations: _containers.RepeatedScalarFieldContainer[str]
    calls: _containers.ScalarMap[str, int]
    errors: _containers.ScalarMap[str, int]
    latency_p50_ms: _containers.ScalarMap[str, float]
    latency_p99_ms: _containers.ScalarMap[str, float]
    blas_threads: int
    auth_failures: _containers.ScalarMap[str, int]
    def __init__(self, version: _Optional[str] = ..., backend: _Optional[str] = ..., pid: _Optional[int] = ..., uptime_seconds: _Optional[float] = ..., operations: _Optional[_Iterable[str]] = ..., calls: _Optional[_Mapping[str, int]] = ..., errors: _Optional[_Mapping[str, int]] = ..., latency_p50_ms: _Optional[_Mapping[str, float]] = ..., latency_p99_ms: _Optional[_Mapping[str, float]] = ..., blas_threads: _Optional[int] = ..., auth_failures: _Optional[_Mapping[str, int]] = ...) -> None: ...

class Annualisation(_message.Message):
    __slots__ = ("periods_per_year",)
    PERIODS_PER_YEAR_FIELD_NUMBER: _ClassVar[int]
    periods_per_year: float
    def __init__(self, periods_per_year: _Optional[float] = ...) -> None: ...

class Constraints(_message.Message):
    __slots__ = ("long_only", "lower_bounds", "upper_bounds", "leverage", "turnover_limit")
    LONG_ONLY_FIELD_NUMBER: _ClassVar[int]
    LOWER_BOUNDS_FIELD_NUMBER: _ClassVar[int]
    UPPER_BOUNDS_FIELD_NUMBER: _ClassVar[int]
    LEVERAGE_FIELD_NUMBER: _ClassVar[int]
    TURNOVER_LIMIT_FIELD_NUMBER: _ClassVar[int]
    long_only: bool
    lower_bounds: Series
    upper_bounds: Series
    leverage: float
    turnover_limit: float
    def __init__(self, long_only: _Optional[bool] = ..., lower_bounds: _Optional[_Union[Series, _Mapping]] = ..., upper_bounds: _Optional[_Union[Series, _Mapping]] = ..., leverage: _Optional[float] = ..., turnover_limit: _Optional[float] = ...) -> None: ...

class Frictions(_message.Message):
    __slots__ = ("current_weights", "turnover_penalty", "transaction_costs")
    CURRENT_WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    TURNOVER_PENALTY_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_COSTS_FIELD_NUMBER: _ClassVar[int]
    current_weights: Series
    turnover_penalty: float
    transaction_costs: Series
    def __init__(self, current_weights: _Optional[_Union[Series, _Mapping]] = ..., turnover_penalty: _Optional[float] = ..., transaction_costs: _Optional[_Union[Series, _Mapping]] = ...) -> None: ...

class Estimation(_message.Message):
    __slots__ = ("covariance", "half_life", "risk_free_rate")
    COVARIANCE_FIELD_NUMBER: _ClassVar[int]
    HALF_LIFE_FIELD_NUMBER: _ClassVar[int]
    RISK_FREE_RATE_FIELD_NUMBER: _ClassVar[int]
    covariance: str
    half_life: float
    risk_free_rate: float
    def __init__(self, covariance: _Optional[str] = ..., half_life: _Optional[float] = ..., risk_free_rate: _Optional[float] = ...) -> None: ...

class OptimizePortfolioRequest(_message.Message):
    __slots__ = ("prices_or_returns", "input_type", "time_limit", "method", "target_return", "risk_aversion", "risk_budgets", "covariance_matrix", "expected_returns", "constraints", "frictions", "estimation", "annualisation")
    PRICES_OR_RETURNS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TYPE_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    TARGET_RETURN_FIELD_NUMBER: _ClassVar[int]
    RISK_AVERSION_FIELD_NUMBER: _ClassVar[int]
    RISK_BUDGETS_FIELD_NUMBER: _ClassVar[int]
    COVARIANCE_MATRIX_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_RETURNS_FIELD_NUMBER: _ClassVar[int]
    CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    FRICTIONS_FIELD_NUMBER: _ClassVar[int]
    ESTIMATION_FIELD_NUMBER: _ClassVar[int]
    ANNUALISATION_FIELD_NUMBER: _ClassVar[int]
    prices_or_returns: Frame
    input_type: str
    time_limit: float
    method: str
    target_return: float
    risk_aversion: float
    risk_budgets: Series
    covariance_matrix: Frame
    expected_returns: Series
    constraints: Constraints
    frictions: Frictions
    estimation: Estimation
    annualisation: Annualisation
    def __init__(self, prices_or_returns: _Optional[_Union[Frame, _Mapping]] = ..., input_type: _Optional[str] = ..., time_limit: _Optional[float] = ..., method: _Optional[str] = ..., target_return: _Optional[float] = ..., risk_aversion: _Optional[float] = ..., risk_budgets: _Optional[_Union[Series, _Mapping]] = ..., covariance_matrix: _Optional[_Union[Frame, _Mapping]] = ..., expected_returns: _Optional[_Union[Series, _Mapping]] = ..., constraints: _Optional[_Union[Constraints, _Mapping]] = ..., frictions: _Optional[_Union[Frictions, _Mapping]] = ..., estimation: _Optional[_Union[Estimation, _Mapping]] = ..., annualisation: _Optional[_Union[Annualisation, _Mapping]] = ...) -> None: ...

class OptimizePortfolioResponse(_message.Message):
    __slots__ = ("weights", "expected_return", "volatility", "sharpe", "risk_contributions", "turnover", "transaction_cost", "method", "status", "reason", "solver", "iterations")
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_RETURN_FIELD_NUMBER: _ClassVar[int]
    VOLATILITY_FIELD_NUMBER: _ClassVar[int]
    SHARPE_FIELD_NUMBER: _ClassVar[int]
    RISK_CONTRIBUTIONS_FIELD_NUMBER: _ClassVar[int]
    TURNOVER_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_COST_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SOLVER_FIELD_NUMBER: _ClassVar[int]
    ITERATIONS_FIELD_NUMBER: _ClassVar[int]
    weights: Series
    expected_return: float
    volatility: float
    sharpe: float
    risk_contributions: Series
    turnover: float
    transaction_cost: float
    method: str
    status: str
    reason: str
    solver: str
    iterations: int
    def __init__(self, weights: _Optional[_Union[Series, _Mapping]] = ..., expected_return: _Optional[float] = ..., volatility: _Optional[float] = ..., sharpe: _Optional[float] = ..., risk_contributions: _Optional[_Union[Series, _Mapping]] = ..., turnover: _Optional[float] = ..., transaction_cost: _Optional[float] = ..., method: _Optional[str] = ..., status: _Optional[str] = ..., reason: _Optional[str] = ..., solver: _Optional[str] = ..., iterations: _Optional[int] = ...) -> None: ...

class PortfolioResult(_message.Message):
    __slots__ = ("weights", "expected_return", "volatility", "sharpe", "risk_contributions", "turnover", "transaction_cost", "method", "status", "reason", "solver", "iterations")
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_RETURN_FIELD_NUMBER: _ClassVar[int]
    VOLATILITY_FIELD_NUMBER: _ClassVar[int]
    SHARPE_FIELD_NUMBER: _ClassVar[int]
    RISK_CONTRIBUTIONS_FIELD_NUMBER: _ClassVar[int]
    TURNOVER_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_COST_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SOLVER_FIELD_NUMBER: _ClassVar[int]
    ITERATIONS_FIELD_NUMBER: _ClassVar[int]
    weights: Series
    expected_return: float
    volatility: float
    sharpe: float
    risk_contributions: Series
    turnover: float
    transaction_cost: float
    method: str
    status: str
    reason: str
    solver: str
    iterations: int
    def __init__(self, weights: _Optional[_Union[Series, _Mapping]] = ..., expected_return: _Optional[float] = ..., volatility: _Optional[float] = ..., sharpe: _Optional[float] = ..., risk_contributions: _Optional[_Union[Series, _Mapping]] = ..., turnover: _Optional[float] = ..., transaction_cost: _Optional[float] = ..., method: _Optional[str] = ..., status: _Optional[str] = ..., reason: _Optional[str] = ..., solver: _Optional[str] = ..., iterations: _Optional[int] = ...) -> None: ...

class EfficientFrontierRequest(_message.Message):
    __slots__ = ("prices_or_returns", "input_type", "time_limit", "n_points", "covariance_matrix", "expected_returns", "constraints", "frictions", "estimation", "annualisation")
    PRICES_OR_RETURNS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TYPE_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_FIELD_NUMBER: _ClassVar[int]
    N_POINTS_FIELD_NUMBER: _ClassVar[int]
    COVARIANCE_MATRIX_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_RETURNS_FIELD_NUMBER: _ClassVar[int]
    CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    FRICTIONS_FIELD_NUMBER: _ClassVar[int]
    ESTIMATION_FIELD_NUMBER: _ClassVar[int]
    ANNUALISATION_FIELD_NUMBER: _ClassVar[int]
    prices_or_returns: Frame
    input_type: str
    time_limit: float
    n_points: int
    covariance_matrix: Frame
    expected_returns: Series
    constraints: Constraints
    frictions: Frictions
    estimation: Estimation
    annualisation: Annualisation
    def __init__(self, prices_or_returns: _Optional[_Union[Frame, _Mapping]] = ..., input_type: _Optional[str] = ..., time_limit: _Optional[float] = ..., n_points: _Optional[int] = ..., covariance_matrix: _Optional[_Union[Frame, _Mapping]] = ..., expected_returns: _Optional[_Union[Series, _Mapping]] = ..., constraints: _Optional[_Union[Constraints, _Mapping]] = ..., frictions: _Optional[_Union[Frictions, _Mapping]] = ..., estimation: _Optional[_Union[Estimation, _Mapping]] = ..., annualisation: _Optional[_Union[Annualisation, _Mapping]] = ...) -> None: ...

class EfficientFrontierResponse(_message.Message):
    __slots__ = ("points", "weights", "assets", "min_variance", "max_sharpe", "n_failed")
    POINTS_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    ASSETS_FIELD_NUMBER: _ClassVar[int]
    MIN_VARIANCE_FIELD_NUMBER: _ClassVar[int]
    MAX_SHARPE_FIELD_NUMBER: _ClassVar[int]
    N_FAILED_FIELD_NUMBER: _ClassVar[int]
    points: Frame
    weights: Frame
    assets: Frame
    min_variance: PortfolioResult
    max_sharpe: PortfolioResult
    n_failed: int
    def __init__(self, points: _Optional[_Union[Frame, _Mapping]] = ..., weights: _Optional[_Union[Frame, _Mapping]] = ..., assets: _Optional[_Union[Frame, _Mapping]] = ..., min_variance: _Optional[_Union[PortfolioResult, _Mapping]] = ..., max_sharpe: _Optional[_Union[PortfolioResult, _Mapping]] = ..., n_failed: _Optional[int] = ...) -> None: ...

class RebalancePortfolioRequest(_message.Message):
    __slots__ = ("prices_or_returns", "input_type", "time_limit", "method", "window", "rebalance_every", "target_return", "risk_aversion", "risk_budgets", "constraints", "frictions", "estimation", "annualisation")
    PRICES_OR_RETURNS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TYPE_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    REBALANCE_EVERY_FIELD_NUMBER: _ClassVar[int]
    TARGET_RETURN_FIELD_NUMBER: _ClassVar[int]
    RISK_AVERSION_FIELD_NUMBER: _ClassVar[int]
    RISK_BUDGETS_FIELD_NUMBER: _ClassVar[int]
    CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    FRICTIONS_FIELD_NUMBER: _ClassVar[int]
    ESTIMATION_FIELD_NUMBER: _ClassVar[int]
    ANNUALISATION_FIELD_NUMBER: _ClassVar[int]
    prices_or_returns: Frame
    input_type: str
    time_limit: float
    method: str
    window: int
    rebalance_every: int
    target_return: float
    risk_aversion: float
    risk_budgets: Series
    constraints: Constraints
    frictions: Frictions
    estimation: Estimation
    annualisation: Annualisation
    def __init__(self, prices_or_returns: _Optional[_Union[Frame, _Mapping]] = ..., input_type: _Optional[str] = ..., time_limit: _Optional[float] = ..., method: _Optional[str] = ..., window: _Optional[int] = ..., rebalance_every: _Optional[int] = ..., target_return: _Optional[float] = ..., risk_aversion: _Optional[float] = ..., risk_budgets: _Optional[_Union[Series, _Mapping]] = ..., constraints: _Optional[_Union[Constraints, _Mapping]] = ..., frictions: _Optional[_Union[Frictions, _Mapping]] = ..., estimation: _Optional[_Union[Estimation, _Mapping]] = ..., annualisation: _Optional[_Union[Annualisation, _Mapping]] = ...) -> None: ...

class RebalancePortfolioResponse(_message.Message):
    __slots__ = ("weights", "returns", "turnover", "costs", "annual_return", "annual_volatility", "sharpe", "max_drawdown", "total_turnover", "total_cost", "n_rebalances", "n_failed", "method")
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    RETURNS_FIELD_NUMBER: _ClassVar[int]
    TURNOVER_FIELD_NUMBER: _ClassVar[int]
    COSTS_FIELD_NUMBER: _ClassVar[int]
    ANNUAL_RETURN_FIELD_NUMBER: _ClassVar[int]
    ANNUAL_VOLATILITY_FIELD_NUMBER: _ClassVar[int]
    SHARPE_FIELD_NUMBER: _ClassVar[int]
    MAX_DRAWDOWN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TURNOVER_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COST_FIELD_NUMBER: _ClassVar[int]
    N_REBALANCES_FIELD_NUMBER: _ClassVar[int]
    N_FAILED_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    weights: Frame
    returns: Series
    turnover: Series
    costs: Series
    annual_return: float
    annual_volatility: float
    sharpe: float
    max_drawdown: float
    total_turnover: float
    total_cost: float
    n_rebalances: int
    n_failed: int
    method: str
    def __init__(self, weights: _Optional[_Union[Frame, _Mapping]] = ..., returns: _Optional[_Union[Series, _Mapping]] = ..., turnover: _Optional[_Union[Series, _Mapping]] = ..., costs: _Optional[_Union[Series, _Mapping]] = ..., annual_return: _Optional[float] = ..., annual_volatility: _Optional[float] = ..., sharpe: _Optional[float] = ..., max_drawdown: _Optional[float] = ..., total_turnover: _Optional[float] = ..., total_cost: _Optional[float] = ..., n_rebalances: _Optional[int] = ..., n_failed: _Optional[int] = ..., method: _Optional[str] = ...) -> None: ...

class CalculateSparsePortfolioRequest(_message.Message):
    __slots__ = ("prices", "method", "k", "alpha", "l1_ratio", "target", "target_column", "regress_on", "long_only", "n_components", "time_limit")
    PRICES_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    K_FIELD_NUMBER: _ClassVar[int]
    ALPHA_FIELD_NUMBER: _ClassVar[int]
    L1_RATIO_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    TARGET_COLUMN_FIELD_NUMBER: _ClassVar[int]
    REGRESS_ON_FIELD_NUMBER: _ClassVar[int]
    LONG_ONLY_FIELD_NUMBER: _ClassVar[int]
    N_COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_FIELD_NUMBER: _ClassVar[int]
    prices: Frame
    method: str
    k: int
    alpha: float
    l1_ratio: float
    target: Series
    target_column: str
    regress_on: str
    long_only: bool
    n_components: int
    time_limit: float
    def __init__(self, prices: _Optional[_Union[Frame, _Mapping]] = ..., method: _Optional[str] = ..., k: _Optional[int] = ..., alpha: _Optional[float] = ..., l1_ratio: _Optional[float] = ..., target: _Optional[_Union[Series, _Mapping]] = ..., target_column: _Optional[str] = ..., regress_on: _Optional[str] = ..., long_only: _Optional[bool] = ..., n_components: _Optional[int] = ..., time_limit: _Optional[float] = ...) -> None: ...

class CalculateSparsePortfolioResponse(_message.Message):
    __slots__ = ("weights", "n_selected", "selected", "objective", "objective_name", "half_life", "hurst", "portfolio", "path", "path_objective", "method")
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    N_SELECTED_FIELD_NUMBER: _ClassVar[int]
    SELECTED_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_NAME_FIELD_NUMBER: _ClassVar[int]
    HALF_LIFE_FIELD_NUMBER: _ClassVar[int]
    HURST_FIELD_NUMBER: _ClassVar[int]
    PORTFOLIO_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    PATH_OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    weights: Series
    n_selected: int
    selected: _containers.RepeatedScalarFieldContainer[str]
    objective: float
    objective_name: str
    half_life: float
    hurst: float
    portfolio: Series
    path: Frame
    path_objective: _containers.RepeatedScalarFieldContainer[float]
    method: str
    def __init__(self, weights: _Optional[_Union[Series, _Mapping]] = ..., n_selected: _Optional[int] = ..., selected: _Optional[_Iterable[str]] = ..., objective: _Optional[float] = ..., objective_name: _Optional[str] = ..., half_life: _Optional[float] = ..., hurst: _Optional[float] = ..., portfolio: _Optional[_Union[Series, _Mapping]] = ..., path: _Optional[_Union[Frame, _Mapping]] = ..., path_objective: _Optional[_Iterable[float]] = ..., method: _Optional[str] = ...) -> None: ...

class BoxTaoDecompositionRequest(_message.Message):
    __slots__ = ("matrix_or_prices", "lam", "mu", "input_type", "noise_std", "rho", "tol", "max_iter", "svd", "seed")
    MATRIX_OR_PRICES_FIELD_NUMBER: _ClassVar[int]
    LAM_FIELD_NUMBER: _ClassVar[int]
    MU_FIELD_NUMBER: _ClassVar[int]
    INPUT_TYPE_FIELD_NUMBER: _ClassVar[int]
    NOISE_STD_FIELD_NUMBER: _ClassVar[int]
    RHO_FIELD_NUMBER: _ClassVar[int]
    TOL_FIELD_NUMBER: _ClassVar[int]
    MAX_ITER_FIELD_NUMBER: _ClassVar[int]
    SVD_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    matrix_or_prices: Frame
    lam: float
    mu: float
    input_type: str
    noise_std: float
    rho: float
    tol: float
    max_iter: int
    svd: str
    seed: int
    def __init__(self, matrix_or_prices: _Optional[_Union[Frame, _Mapping]] = ..., lam: _Optional[float] = ..., mu: _Optional[float] = ..., input_type: _Optional[str] = ..., noise_std: _Optional[float] = ..., rho: _Optional[float] = ..., tol: _Optional[float] = ..., max_iter: _Optional[int] = ..., svd: _Optional[str] = ..., seed: _Optional[int] = ...) -> None: ...

class BoxTaoDecompositionResponse(_message.Message):
    __slots__ = ("low_rank", "sparse", "noise", "rank", "sparsity", "iterations", "converged", "residual_history", "lam", "mu")
    LOW_RANK_FIELD_NUMBER: _ClassVar[int]
    SPARSE_FIELD_NUMBER: _ClassVar[int]
    NOISE_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    SPARSITY_FIELD_NUMBER: _ClassVar[int]
    ITERATIONS_FIELD_NUMBER: _ClassVar[int]
    CONVERGED_FIELD_NUMBER: _ClassVar[int]
    RESIDUAL_HISTORY_FIELD_NUMBER: _ClassVar[int]
    LAM_FIELD_NUMBER: _ClassVar[int]
    MU_FIELD_NUMBER: _ClassVar[int]
    low_rank: Frame
    sparse: Frame
    noise: Frame
    rank: int
    sparsity: float
    iterations: int
    converged: bool
    residual_history: NDArray
    lam: float
    mu: float
    def __init__(self, low_rank: _Optional[_Union[Frame, _Mapping]] = ..., sparse: _Optional[_Union[Frame, _Mapping]] = ..., noise: _Optional[_Union[Frame, _Mapping]] = ..., rank: _Optional[int] = ..., sparsity: _Optional[float] = ..., iterations: _Optional[int] = ..., converged: _Optional[bool] = ..., residual_history: _Optional[_Union[NDArray, _Mapping]] = ..., lam: _Optional[float] = ..., mu: _Optional[float] = ...) -> None: ...

class Hedging(_message.Message):
    __slots__ = ("hedge", "hedge_lookback", "kalman_delta", "kalman_observation_var")
    HEDGE_FIELD_NUMBER: _ClassVar[int]
    HEDGE_LOOKBACK_FIELD_NUMBER: _ClassVar[int]
    KALMAN_DELTA_FIELD_NUMBER: _ClassVar[int]
    KALMAN_OBSERVATION_VAR_FIELD_NUMBER: _ClassVar[int]
    hedge: str
    hedge_lookback: int
    kalman_delta: float
    kalman_observation_var: float
    def __init__(self, hedge: _Optional[str] = ..., hedge_lookback: _Optional[int] = ..., kalman_delta: _Optional[float] = ..., kalman_observation_var: _Optional[float] = ...) -> None: ...

class Costs(_message.Message):
    __slots__ = ("cost", "fixed_cost", "slippage")
    COST_FIELD_NUMBER: _ClassVar[int]
    FIXED_COST_FIELD_NUMBER: _ClassVar[int]
    SLIPPAGE_FIELD_NUMBER: _ClassVar[int]
    cost: float
    fixed_cost: float
    slippage: float
    def __init__(self, cost: _Optional[float] = ..., fixed_cost: _Optional[float] = ..., slippage: _Optional[float] = ...) -> None: ...

class Sizing(_message.Message):
    __slots__ = ("capital", "size", "max_units", "direction")
    CAPITAL_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    MAX_UNITS_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    capital: float
    size: float
    max_units: float
    direction: str
    def __init__(self, capital: _Optional[float] = ..., size: _Optional[float] = ..., max_units: _Optional[float] = ..., direction: _Optional[str] = ...) -> None: ...

class RunBacktestRequest(_message.Message):
    __slots__ = ("prices", "lookback", "entry_z", "exit_z", "hedge_ratio", "hedging", "costs", "sizing", "annualisation")
    PRICES_FIELD_NUMBER: _ClassVar[int]
    LOOKBACK_FIELD_NUMBER: _ClassVar[int]
    ENTRY_Z_FIELD_NUMBER: _ClassVar[int]
    EXIT_Z_FIELD_NUMBER: _ClassVar[int]
    HEDGE_RATIO_FIELD_NUMBER: _ClassVar[int]
    HEDGING_FIELD_NUMBER: _ClassVar[int]
    COSTS_FIELD_NUMBER: _ClassVar[int]
    SIZING_FIELD_NUMBER: _ClassVar[int]
    ANNUALISATION_FIELD_NUMBER: _ClassVar[int]
    prices: Frame
    lookback: int
    entry_z: float
    exit_z: float
    hedge_ratio: float
    hedging: Hedging
    costs: Costs
    sizing: Sizing
    annualisation: Annualisation
    def __init__(self, prices: _Optional[_Union[Frame, _Mapping]] = ..., lookback: _Optional[int] = ..., entry_z: _Optional[float] = ..., exit_z: _Optional[float] = ..., hedge_ratio: _Optional[float] = ..., hedging: _Optional[_Union[Hedging, _Mapping]] = ..., costs: _Optional[_Union[Costs, _Mapping]] = ..., sizing: _Optional[_Union[Sizing, _Mapping]] = ..., annualisation: _Optional[_Union[Annualisation, _Mapping]] = ...) -> None: ...

class RunBacktestResponse(_message.Message):
    __slots__ = ("positions", "signal", "zscore", "spread", "hedge_ratio", "equity", "returns", "trades", "metrics")
    class MetricsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    POSITIONS_FIELD_NUMBER: _ClassVar[int]
    SIGNAL_FIELD_NUMBER: _ClassVar[int]
    ZSCORE_FIELD_NUMBER: _ClassVar[int]
    SPREAD_FIELD_NUMBER: _ClassVar[int]
    HEDGE_RATIO_FIELD_NUMBER: _ClassVar[int]
    EQUITY_FIELD_NUMBER: _ClassVar[int]
    RETURNS_FIELD_NUMBER: _ClassVar[int]
    TRADES_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    positions: Frame
    signal: Series
    zscore: Series
    spread: Series
    hedge_ratio: Series
    equity: Series
    returns: Series
    trades: Frame
    metrics: _containers.ScalarMap[str, float]
    def __init__(self, positions: _Optional[_Union[Frame, _Mapping]] = ..., signal: _Optional[_Union[Series, _Mapping]] = ..., zscore: _Optional[_Union[Series, _Mapping]] = ..., spread: _Optional[_Union[Series, _Mapping]] = ..., hedge_ratio: _Optional[_Union[Series, _Mapping]] = ..., equity: _Optional[_Union[Series, _Mapping]] = ..., returns: _Optional[_Union[Series, _Mapping]] = ..., trades: _Optional[_Union[Frame, _Mapping]] = ..., metrics: _Optional[_Mapping[str, float]] = ...) -> None: ...

class WalkForwardRequest(_message.Message):
    __slots__ = ("prices", "train", "test", "lookback", "entry_z", "exit_z", "anchored", "objective", "hedging", "costs", "sizing", "annualisation")
    PRICES_FIELD_NUMBER: _ClassVar[int]
    TRAIN_FIELD_NUMBER: _ClassVar[int]
    TEST_FIELD_NUMBER: _ClassVar[int]
    LOOKBACK_FIELD_NUMBER: _ClassVar[int]
    ENTRY_Z_FIELD_NUMBER: _ClassVar[int]
    EXIT_Z_FIELD_NUMBER: _ClassVar[int]
    ANCHORED_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    HEDGING_FIELD_NUMBER: _ClassVar[int]
    COSTS_FIELD_NUMBER: _ClassVar[int]
    SIZING_FIELD_NUMBER: _ClassVar[int]
    ANNUALISATION_FIELD_NUMBER: _ClassVar[int]
    prices: Frame
    train: int
    test: int
    lookback: _containers.RepeatedScalarFieldContainer[int]
    entry_z: _containers.RepeatedScalarFieldContainer[float]
    exit_z: _containers.RepeatedScalarFieldContainer[float]
    anchored: bool
    objective: str
    hedging: Hedging
    costs: Costs
    sizing: Sizing
    annualisation: Annualisation
    def __init__(self, prices: _Optional[_Union[Frame, _Mapping]] = ..., train: _Optional[int] = ..., test: _Optional[int] = ..., lookback: _Optional[_Iterable[int]] = ..., entry_z: _Optional[_Iterable[float]] = ..., exit_z: _Optional[_Iterable[float]] = ..., anchored: _Optional[bool] = ..., objective: _Optional[str] = ..., hedging: _Optional[_Union[Hedging, _Mapping]] = ..., costs: _Optional[_Union[Costs, _Mapping]] = ..., sizing: _Optional[_Union[Sizing, _Mapping]] = ..., annualisation: _Optional[_Union[Annualisation, _Mapping]] = ...) -> None: ...

class WalkForwardResponse(_message.Message):
    __slots__ = ("folds", "equity", "returns", "positions", "trades", "metrics")
    class MetricsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    FOLDS_FIELD_NUMBER: _ClassVar[int]
    EQUITY_FIELD_NUMBER: _ClassVar[int]
    RETURNS_FIELD_NUMBER: _ClassVar[int]
    POSITIONS_FIELD_NUMBER: _ClassVar[int]
    TRADES_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    folds: Frame
    equity: Series
    returns: Series
    positions: Frame
    trades: Frame
    metrics: _containers.ScalarMap[str, float]
    def __init__(self, folds: _Optional[_Union[Frame, _Mapping]] = ..., equity: _Optional[_Union[Series, _Mapping]] = ..., returns: _Optional[_Union[Series, _Mapping]] = ..., positions: _Optional[_Union[Frame, _Mapping]] = ..., trades: _Optional[_Union[Frame, _Mapping]] = ..., metrics: _Optional[_Mapping[str, float]] = ...) -> None: ...

class ReplayLobsterRequest(_message.Message):
    __slots__ = ("messages", "orderbook", "levels", "imbalance_levels")
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    ORDERBOOK_FIELD_NUMBER: _ClassVar[int]
    LEVELS_FIELD_NUMBER: _ClassVar[int]
    IMBALANCE_LEVELS_FIELD_NUMBER: _ClassVar[int]
    messages: Frame
    orderbook: Frame
    levels: int
    imbalance_levels: int
    def __init__(self, messages: _Optional[_Union[Frame, _Mapping]] = ..., orderbook: _Optional[_Union[Frame, _Mapping]] = ..., levels: _Optional[int] = ..., imbalance_levels: _Optional[int] = ...) -> None: ...

class ReplayLobsterResponse(_message.Message):
    __slots__ = ("book", "analytics", "messages", "levels", "imbalance_levels", "levels_from_file", "mismatched_rows", "mean_spread_bps", "mean_imbalance")
    BOOK_FIELD_NUMBER: _ClassVar[int]
    ANALYTICS_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    LEVELS_FIELD_NUMBER: _ClassVar[int]
    IMBALANCE_LEVELS_FIELD_NUMBER: _ClassVar[int]
    LEVELS_FROM_FILE_FIELD_NUMBER: _ClassVar[int]
    MISMATCHED_ROWS_FIELD_NUMBER: _ClassVar[int]
    MEAN_SPREAD_BPS_FIELD_NUMBER: _ClassVar[int]
    MEAN_IMBALANCE_FIELD_NUMBER: _ClassVar[int]
    book: Frame
    analytics: Frame
    messages: int
    levels: int
    imbalance_levels: int
    levels_from_file: int
    mismatched_rows: int
    mean_spread_bps: float
    mean_imbalance: float
    def __init__(self, book: _Optional[_Union[Frame, _Mapping]] = ..., analytics: _Optional[_Union[Frame, _Mapping]] = ..., messages: _Optional[int] = ..., levels: _Optional[int] = ..., imbalance_levels: _Optional[int] = ..., levels_from_file: _Optional[int] = ..., mismatched_rows: _Optional[int] = ..., mean_spread_bps: _Optional[float] = ..., mean_imbalance: _Optional[float] = ...) -> None: ...

class RunMarketMakingRequest(_message.Message):
    __slots__ = ("gamma", "k", "A", "sigma", "s0", "horizon", "dt", "order_size", "max_inventory", "tick_size", "strategy", "seed")
    GAMMA_FIELD_NUMBER: _ClassVar[int]
    K_FIELD_NUMBER: _ClassVar[int]
    A_FIELD_NUMBER: _ClassVar[int]
    SIGMA_FIELD_NUMBER: _ClassVar[int]
    S0_FIELD_NUMBER: _ClassVar[int]
    HORIZON_FIELD_NUMBER: _ClassVar[int]
    DT_FIELD_NUMBER: _ClassVar[int]
    ORDER_SIZE_FIELD_NUMBER: _ClassVar[int]
    MAX_INVENTORY_FIELD_NUMBER: _ClassVar[int]
    TICK_SIZE_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    gamma: float
    k: float
    A: float
    sigma: float
    s0: float
    horizon: float
    dt: float
    order_size: float
    max_inventory: float
    tick_size: float
    strategy: str
    seed: int
    def __init__(self, gamma: _Optional[float] = ..., k: _Optional[float] = ..., A: _Optional[float] = ..., sigma: _Optional[float] = ..., s0: _Optional[float] = ..., horizon: _Optional[float] = ..., dt: _Optional[float] = ..., order_size: _Optional[float] = ..., max_inventory: _Optional[float] = ..., tick_size: _Optional[float] = ..., strategy: _Optional[str] = ..., seed: _Optional[int] = ...) -> None: ...

class RunMarketMakingResponse(_message.Message):
    __slots__ = ("quotes", "inventory", "cash", "pnl", "fills", "final_pnl", "final_inventory", "n_fills", "n_bid_fills", "n_ask_fills", "fill_rate", "average_spread_captured", "average_quoted_spread", "max_abs_inventory")
    QUOTES_FIELD_NUMBER: _ClassVar[int]
    INVENTORY_FIELD_NUMBER: _ClassVar[int]
    CASH_FIELD_NUMBER: _ClassVar[int]
    PNL_FIELD_NUMBER: _ClassVar[int]
    FILLS_FIELD_NUMBER: _ClassVar[int]
    FINAL_PNL_FIELD_NUMBER: _ClassVar[int]
    FINAL_INVENTORY_FIELD_NUMBER: _ClassVar[int]
    N_FILLS_FIELD_NUMBER: _ClassVar[int]
    N_BID_FILLS_FIELD_NUMBER: _ClassVar[int]
    N_ASK_FILLS_FIELD_NUMBER: _ClassVar[int]
    FILL_RATE_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_SPREAD_CAPTURED_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_QUOTED_SPREAD_FIELD_NUMBER: _ClassVar[int]
    MAX_ABS_INVENTORY_FIELD_NUMBER: _ClassVar[int]
    quotes: Frame
    inventory: Series
    cash: Series
    pnl: Series
    fills: Frame
    final_pnl: float
    final_inventory: float
    n_fills: int
    n_bid_fills: int
    n_ask_fills: int
    fill_rate: float
    average_spread_captured: float
    average_quoted_spread: float
    max_abs_inventory: float
    def __init__(self, quotes: _Optional[_Union[Frame, _Mapping]] = ..., inventory: _Optional[_Union[Series, _Mapping]] = ..., cash: _Optional[_Union[Series, _Mapping]] = ..., pnl: _Optional[_Union[Series, _Mapping]] = ..., fills: _Optional[_Union[Frame, _Mapping]] = ..., final_pnl: _Optional[float] = ..., final_inventory: _Optional[float] = ..., n_fills: _Optional[int] = ..., n_bid_fills: _Optional[int] = ..., n_ask_fills: _Optional[int] = ..., fill_rate: _Optional[float] = ..., average_spread_captured: _Optional[float] = ..., average_quoted_spread: _Optional[float] = ..., max_abs_inventory: _Optional[float] = ...) -> None: ...

class FindTriangularArbitrageRequest(_message.Message):
    __slots__ = ("rates", "fee", "max_cycles")
    RATES_FIELD_NUMBER: _ClassVar[int]
    FEE_FIELD_NUMBER: _ClassVar[int]
    MAX_CYCLES_FIELD_NUMBER: _ClassVar[int]
    rates: Frame
    fee: float
    max_cycles: int
    def __init__(self, rates: _Optional[_Union[Frame, _Mapping]] = ..., fee: _Optional[float] = ..., max_cycles: _Optional[int] = ...) -> None: ...

class ArbitrageCycle(_message.Message):
    __slots__ = ("currencies", "gross_return", "net_return")
    CURRENCIES_FIELD_NUMBER: _ClassVar[int]
    GROSS_RETURN_FIELD_NUMBER: _ClassVar[int]
    NET_RETURN_FIELD_NUMBER: _ClassVar[int]
    currencies: _containers.RepeatedScalarFieldContainer[str]
    gross_return: float
    net_return: float
    def __init__(self, currencies: _Optional[_Iterable[str]] = ..., gross_return: _Optional[float] = ..., net_return: _Optional[float] = ...) -> None: ...

class FindTriangularArbitrageResponse(_message.Message):
    __slots__ = ("cycles", "triangles", "fee", "has_arbitrage", "best_net_return")
    CYCLES_FIELD_NUMBER: _ClassVar[int]
    TRIANGLES_FIELD_NUMBER: _ClassVar[int]
    FEE_FIELD_NUMBER: _ClassVar[int]
    HAS_ARBITRAGE_FIELD_NUMBER: _ClassVar[int]
    BEST_NET_RETURN_FIELD_NUMBER: _ClassVar[int]
    cycles: _containers.RepeatedCompositeFieldContainer[ArbitrageCycle]
    triangles: Frame
    fee: float
    has_arbitrage: bool
    best_net_return: float
    def __init__(self, cycles: _Optional[_Iterable[_Union[ArbitrageCycle, _Mapping]]] = ..., triangles: _Optional[_Union[Frame, _Mapping]] = ..., fee: _Optional[float] = ..., has_arbitrage: _Optional[bool] = ..., best_net_return: _Optional[float] = ...) -> None: ...

class StreamMarketDataRequest(_message.Message):
    __slots__ = ("symbols", "source", "seed", "batch_size", "max_batches", "resume_from", "path", "speed", "ws_url", "rest_url")
    SYMBOLS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    MAX_BATCHES_FIELD_NUMBER: _ClassVar[int]
    RESUME_FROM_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    SPEED_FIELD_NUMBER: _ClassVar[int]
    WS_URL_FIELD_NUMBER: _ClassVar[int]
    REST_URL_FIELD_NUMBER: _ClassVar[int]
    symbols: _containers.RepeatedScalarFieldContainer[str]
    source: str
    seed: int
    batch_size: int
    max_batches: int
    resume_from: int
    path: str
    speed: float
    ws_url: str
    rest_url: str
    def __init__(self, symbols: _Optional[_Iterable[str]] = ..., source: _Optional[str] = ..., seed: _Optional[int] = ..., batch_size: _Optional[int] = ..., max_batches: _Optional[int] = ..., resume_from: _Optional[int] = ..., path: _Optional[str] = ..., speed: _Optional[float] = ..., ws_url: _Optional[str] = ..., rest_url: _Optional[str] = ...) -> None: ...

class StreamMarketDataResponse(_message.Message):
    __slots__ = ("sequence", "symbols", "symbol_id", "timestamp", "bid", "ask", "bid_size", "ask_size", "last", "volume")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    SYMBOLS_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    BID_FIELD_NUMBER: _ClassVar[int]
    ASK_FIELD_NUMBER: _ClassVar[int]
    BID_SIZE_FIELD_NUMBER: _ClassVar[int]
    ASK_SIZE_FIELD_NUMBER: _ClassVar[int]
    LAST_FIELD_NUMBER: _ClassVar[int]
    VOLUME_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    symbols: _containers.RepeatedScalarFieldContainer[str]
    symbol_id: NDArray
    timestamp: NDArray
    bid: NDArray
    ask: NDArray
    bid_size: NDArray
    ask_size: NDArray
    last: NDArray
    volume: NDArray
    def __init__(self, sequence: _Optional[int] = ..., symbols: _Optional[_Iterable[str]] = ..., symbol_id: _Optional[_Union[NDArray, _Mapping]] = ..., timestamp: _Optional[_Union[NDArray, _Mapping]] = ..., bid: _Optional[_Union[NDArray, _Mapping]] = ..., ask: _Optional[_Union[NDArray, _Mapping]] = ..., bid_size: _Optional[_Union[NDArray, _Mapping]] = ..., ask_size: _Optional[_Union[NDArray, _Mapping]] = ..., last: _Optional[_Union[NDArray, _Mapping]] = ..., volume: _Optional[_Union[NDArray, _Mapping]] = ...) -> None: ...

class GetOrderBookRequest(_message.Message):
    __slots__ = ("symbol", "depth", "source", "seed", "ticks", "path", "ws_url", "rest_url", "imbalance_levels", "depth_bps", "order_size")
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    DEPTH_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    TICKS_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    WS_URL_FIELD_NUMBER: _ClassVar[int]
    REST_URL_FIELD_NUMBER: _ClassVar[int]
    IMBALANCE_LEVELS_FIELD_NUMBER: _ClassVar[int]
    DEPTH_BPS_FIELD_NUMBER: _ClassVar[int]
    ORDER_SIZE_FIELD_NUMBER: _ClassVar[int]
    symbol: str
    depth: int
    source: str
    seed: int
    ticks: int
    path: str
    ws_url: str
    rest_url: str
    imbalance_levels: int
    depth_bps: float
    order_size: float
    def __init__(self, symbol: _Optional[str] = ..., depth: _Optional[int] = ..., source: _Optional[str] = ..., seed: _Optional[int] = ..., ticks: _Optional[int] = ..., path: _Optional[str] = ..., ws_url: _Optional[str] = ..., rest_url: _Optional[str] = ..., imbalance_levels: _Optional[int] = ..., depth_bps: _Optional[float] = ..., order_size: _Optional[float] = ...) -> None: ...

class GetOrderBookResponse(_message.Message):
    __slots__ = ("symbol", "sequence", "timestamp", "stale", "bids", "asks", "best_bid", "best_ask", "mid", "spread", "spread_bps", "microprice", "imbalance", "imbalance_levels", "bid_depth", "ask_depth", "depth_bps", "order_size", "vwap_buy", "vwap_sell", "slippage_buy_bps", "slippage_sell_bps")
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    STALE_FIELD_NUMBER: _ClassVar[int]
    BIDS_FIELD_NUMBER: _ClassVar[int]
    ASKS_FIELD_NUMBER: _ClassVar[int]
    BEST_BID_FIELD_NUMBER: _ClassVar[int]
    BEST_ASK_FIELD_NUMBER: _ClassVar[int]
    MID_FIELD_NUMBER: _ClassVar[int]
    SPREAD_FIELD_NUMBER: _ClassVar[int]
    SPREAD_BPS_FIELD_NUMBER: _ClassVar[int]
    MICROPRICE_FIELD_NUMBER: _ClassVar[int]
    IMBALANCE_FIELD_NUMBER: _ClassVar[int]
    IMBALANCE_LEVELS_FIELD_NUMBER: _ClassVar[int]
    BID_DEPTH_FIELD_NUMBER: _ClassVar[int]
    ASK_DEPTH_FIELD_NUMBER: _ClassVar[int]
    DEPTH_BPS_FIELD_NUMBER: _ClassVar[int]
    ORDER_SIZE_FIELD_NUMBER: _ClassVar[int]
    VWAP_BUY_FIELD_NUMBER: _ClassVar[int]
    VWAP_SELL_FIELD_NUMBER: _ClassVar[int]
    SLIPPAGE_BUY_BPS_FIELD_NUMBER: _ClassVar[int]
    SLIPPAGE_SELL_BPS_FIELD_NUMBER: _ClassVar[int]
    symbol: str
    sequence: int
    timestamp: float
    stale: bool
    bids: Frame
    asks: Frame
    best_bid: float
    best_ask: float
    mid: float
    spread: float
    spread_bps: float
    microprice: float
    imbalance: float
    imbalance_levels: int
    bid_depth: float
    ask_depth: float
    depth_bps: float
    order_size: float
    vwap_buy: float
    vwap_sell: float
    slippage_buy_bps: float
    slippage_sell_bps: float
    def __init__(self, symbol: _Optional[str] = ..., sequence: _Optional[int] = ..., timestamp: _Optional[float] = ..., stale: _Optional[bool] = ..., bids: _Optional[_Union[Frame, _Mapping]] = ..., asks: _Optional[_Union[Frame, _Mapping]] = ..., best_bid: _Optional[float] = ..., best_ask: _Optional[float] = ..., mid: _Optional[float] = ..., spread: _Optional[float] = ..., spread_bps: _Optional[float] = ..., microprice: _Optional[float] = ..., imbalance: _Optional[float] = ..., imbalance_levels: _Optional[int] = ..., bid_depth: _Optional[float] = ..., ask_depth: _Optional[float] = ..., depth_bps: _Optional[float] = ..., order_size: _Optional[float] = ..., vwap_buy: _Optional[float] = ..., vwap_sell: _Optional[float] = ..., slippage_buy_bps: _Optional[float] = ..., slippage_sell_bps: _Optional[float] = ...) -> None: ...

class RunHMMRequest(_message.Message):
    __slots__ = ("observations", "n_states", "seed", "n_restarts", "order_by", "covariance_type", "n_iter", "tol")
    OBSERVATIONS_FIELD_NUMBER: _ClassVar[int]
    N_STATES_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    N_RESTARTS_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    COVARIANCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    N_ITER_FIELD_NUMBER: _ClassVar[int]
    TOL_FIELD_NUMBER: _ClassVar[int]
    observations: Frame
    n_states: int
    seed: int
    n_restarts: int
    order_by: str
    covariance_type: str
    n_iter: int
    tol: float
    def __init__(self, observations: _Optional[_Union[Frame, _Mapping]] = ..., n_states: _Optional[int] = ..., seed: _Optional[int] = ..., n_restarts: _Optional[int] = ..., order_by: _Optional[str] = ..., covariance_type: _Optional[str] = ..., n_iter: _Optional[int] = ..., tol: _Optional[float] = ...) -> None: ...

class RunHMMResponse(_message.Message):
    __slots__ = ("n_states", "features", "order_by", "transition_matrix", "start_probabilities", "means", "stds", "covariances", "state_probabilities", "filtered_probabilities", "viterbi", "log_likelihood", "n_parameters", "aic", "bic", "n_iterations", "converged", "message", "restart_log_likelihoods")
    N_STATES_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_MATRIX_FIELD_NUMBER: _ClassVar[int]
    START_PROBABILITIES_FIELD_NUMBER: _ClassVar[int]
    MEANS_FIELD_NUMBER: _ClassVar[int]
    STDS_FIELD_NUMBER: _ClassVar[int]
    COVARIANCES_FIELD_NUMBER: _ClassVar[int]
    STATE_PROBABILITIES_FIELD_NUMBER: _ClassVar[int]
    FILTERED_PROBABILITIES_FIELD_NUMBER: _ClassVar[int]
    VITERBI_FIELD_NUMBER: _ClassVar[int]
    LOG_LIKELIHOOD_FIELD_NUMBER: _ClassVar[int]
    N_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    AIC_FIELD_NUMBER: _ClassVar[int]
    BIC_FIELD_NUMBER: _ClassVar[int]
    N_ITERATIONS_FIELD_NUMBER: _ClassVar[int]
    CONVERGED_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RESTART_LOG_LIKELIHOODS_FIELD_NUMBER: _ClassVar[int]
    n_states: int
    features: _containers.RepeatedScalarFieldContainer[str]
    order_by: str
    transition_matrix: Frame
    start_probabilities: Series
    means: Frame
    stds: Frame
    covariances: NDArray
    state_probabilities: Frame
    filtered_probabilities: Frame
    viterbi: Series
    log_likelihood: float
    n_parameters: int
    aic: float
    bic: float
    n_iterations: int
    converged: bool
    message: str
    restart_log_likelihoods: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, n_states: _Optional[int] = ..., features: _Optional[_Iterable[str]] = ..., order_by: _Optional[str] = ..., transition_matrix: _Optional[_Union[Frame, _Mapping]] = ..., start_probabilities: _Optional[_Union[Series, _Mapping]] = ..., means: _Optional[_Union[Frame, _Mapping]] = ..., stds: _Optional[_Union[Frame, _Mapping]] = ..., covariances: _Optional[_Union[NDArray, _Mapping]] = ..., state_probabilities: _Optional[_Union[Frame, _Mapping]] = ..., filtered_probabilities: _Optional[_Union[Frame, _Mapping]] = ..., viterbi: _Optional[_Union[Series, _Mapping]] = ..., log_likelihood: _Optional[float] = ..., n_parameters: _Optional[int] = ..., aic: _Optional[float] = ..., bic: _Optional[float] = ..., n_iterations: _Optional[int] = ..., converged: _Optional[bool] = ..., message: _Optional[str] = ..., restart_log_likelihoods: _Optional[_Iterable[float]] = ...) -> None: ...

class SelectHMMStatesRequest(_message.Message):
    __slots__ = ("observations", "candidates", "seed", "n_restarts", "covariance_type", "n_iter", "tol")
    OBSERVATIONS_FIELD_NUMBER: _ClassVar[int]
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    N_RESTARTS_FIELD_NUMBER: _ClassVar[int]
    COVARIANCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    N_ITER_FIELD_NUMBER: _ClassVar[int]
    TOL_FIELD_NUMBER: _ClassVar[int]
    observations: Frame
    candidates: _containers.RepeatedScalarFieldContainer[int]
    seed: int
    n_restarts: int
    covariance_type: str
    n_iter: int
    tol: float
    def __init__(self, observations: _Optional[_Union[Frame, _Mapping]] = ..., candidates: _Optional[_Iterable[int]] = ..., seed: _Optional[int] = ..., n_restarts: _Optional[int] = ..., covariance_type: _Optional[str] = ..., n_iter: _Optional[int] = ..., tol: _Optional[float] = ...) -> None: ...

class SelectHMMStatesResponse(_message.Message):
    __slots__ = ("table", "best_n_states")
    TABLE_FIELD_NUMBER: _ClassVar[int]
    BEST_N_STATES_FIELD_NUMBER: _ClassVar[int]
    table: Frame
    best_n_states: int
    def __init__(self, table: _Optional[_Union[Frame, _Mapping]] = ..., best_n_states: _Optional[int] = ...) -> None: ...

class DetectRegimeRequest(_message.Message):
    __slots__ = ("returns", "n_regimes", "method", "order_by", "seed", "n_restarts", "n_iter", "tol")
    RETURNS_FIELD_NUMBER: _ClassVar[int]
    N_REGIMES_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    N_RESTARTS_FIELD_NUMBER: _ClassVar[int]
    N_ITER_FIELD_NUMBER: _ClassVar[int]
    TOL_FIELD_NUMBER: _ClassVar[int]
    returns: Series
    n_regimes: int
    method: str
    order_by: str
    seed: int
    n_restarts: int
    n_iter: int
    tol: float
    def __init__(self, returns: _Optional[_Union[Series, _Mapping]] = ..., n_regimes: _Optional[int] = ..., method: _Optional[str] = ..., order_by: _Optional[str] = ..., seed: _Optional[int] = ..., n_restarts: _Optional[int] = ..., n_iter: _Optional[int] = ..., tol: _Optional[float] = ...) -> None: ...

class DetectRegimeResponse(_message.Message):
    __slots__ = ("method", "n_regimes", "current_regime", "current_probability", "regimes", "transition_matrix", "start_probabilities", "filtered_probabilities", "smoothed_probabilities", "regime", "log_likelihood", "converged", "message")
    METHOD_FIELD_NUMBER: _ClassVar[int]
    N_REGIMES_FIELD_NUMBER: _ClassVar[int]
    CURRENT_REGIME_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    REGIMES_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_MATRIX_FIELD_NUMBER: _ClassVar[int]
    START_PROBABILITIES_FIELD_NUMBER: _ClassVar[int]
    FILTERED_PROBABILITIES_FIELD_NUMBER: _ClassVar[int]
    SMOOTHED_PROBABILITIES_FIELD_NUMBER: _ClassVar[int]
    REGIME_FIELD_NUMBER: _ClassVar[int]
    LOG_LIKELIHOOD_FIELD_NUMBER: _ClassVar[int]
    CONVERGED_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    method: str
    n_regimes: int
    current_regime: int
    current_probability: float
    regimes: Frame
    transition_matrix: Frame
    start_probabilities: Series
    filtered_probabilities: Frame
    smoothed_probabilities: Frame
    regime: Series
    log_likelihood: float
    converged: bool
    message: str
    def __init__(self, method: _Optional[str] = ..., n_regimes: _Optional[int] = ..., current_regime: _Optional[int] = ..., current_probability: _Optional[float] = ..., regimes: _Optional[_Union[Frame, _Mapping]] = ..., transition_matrix: _Optional[_Union[Frame, _Mapping]] = ..., start_probabilities: _Optional[_Union[Series, _Mapping]] = ..., filtered_probabilities: _Optional[_Union[Frame, _Mapping]] = ..., smoothed_probabilities: _Optional[_Union[Frame, _Mapping]] = ..., regime: _Optional[_Union[Series, _Mapping]] = ..., log_likelihood: _Optional[float] = ..., converged: _Optional[bool] = ..., message: _Optional[str] = ...) -> None: ...

class FilterRegimesRequest(_message.Message):
    __slots__ = ("observations", "transition_matrix", "means", "covariances", "start_probabilities", "prior")
    OBSERVATIONS_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_MATRIX_FIELD_NUMBER: _ClassVar[int]
    MEANS_FIELD_NUMBER: _ClassVar[int]
    COVARIANCES_FIELD_NUMBER: _ClassVar[int]
    START_PROBABILITIES_FIELD_NUMBER: _ClassVar[int]
    PRIOR_FIELD_NUMBER: _ClassVar[int]
    observations: Frame
    transition_matrix: NDArray
    means: NDArray
    covariances: NDArray
    start_probabilities: NDArray
    prior: NDArray
    def __init__(self, observations: _Optional[_Union[Frame, _Mapping]] = ..., transition_matrix: _Optional[_Union[NDArray, _Mapping]] = ..., means: _Optional[_Union[NDArray, _Mapping]] = ..., covariances: _Optional[_Union[NDArray, _Mapping]] = ..., start_probabilities: _Optional[_Union[NDArray, _Mapping]] = ..., prior: _Optional[_Union[NDArray, _Mapping]] = ...) -> None: ...

class FilterRegimesResponse(_message.Message):
    __slots__ = ("filtered_probabilities", "next_probabilities", "current_regime", "current_probability", "log_likelihood")
    FILTERED_PROBABILITIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PROBABILITIES_FIELD_NUMBER: _ClassVar[int]
    CURRENT_REGIME_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    LOG_LIKELIHOOD_FIELD_NUMBER: _ClassVar[int]
    filtered_probabilities: Frame
    next_probabilities: Series
    current_regime: int
    current_probability: float
    log_likelihood: float
    def __init__(self, filtered_probabilities: _Optional[_Union[Frame, _Mapping]] = ..., next_probabilities: _Optional[_Union[Series, _Mapping]] = ..., current_regime: _Optional[int] = ..., current_probability: _Optional[float] = ..., log_likelihood: _Optional[float] = ...) -> None: ...

class RunMCMCRequest(_message.Message):
    __slots__ = ("objective", "spread", "dt", "prices", "train", "test", "score", "temperature", "lookback_range", "entry_z_range", "exit_z_range", "hedging", "costs", "n_samples", "n_chains", "burn_in", "thin", "seed", "credible_level")
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    SPREAD_FIELD_NUMBER: _ClassVar[int]
    DT_FIELD_NUMBER: _ClassVar[int]
    PRICES_FIELD_NUMBER: _ClassVar[int]
    TRAIN_FIELD_NUMBER: _ClassVar[int]
    TEST_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    LOOKBACK_RANGE_FIELD_NUMBER: _ClassVar[int]
    ENTRY_Z_RANGE_FIELD_NUMBER: _ClassVar[int]
    EXIT_Z_RANGE_FIELD_NUMBER: _ClassVar[int]
    HEDGING_FIELD_NUMBER: _ClassVar[int]
    COSTS_FIELD_NUMBER: _ClassVar[int]
    N_SAMPLES_FIELD_NUMBER: _ClassVar[int]
    N_CHAINS_FIELD_NUMBER: _ClassVar[int]
    BURN_IN_FIELD_NUMBER: _ClassVar[int]
    THIN_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    CREDIBLE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    objective: str
    spread: Series
    dt: float
    prices: Frame
    train: int
    test: int
    score: str
    temperature: float
    lookback_range: _containers.RepeatedScalarFieldContainer[int]
    entry_z_range: _containers.RepeatedScalarFieldContainer[float]
    exit_z_range: _containers.RepeatedScalarFieldContainer[float]
    hedging: Hedging
    costs: Costs
    n_samples: int
    n_chains: int
    burn_in: int
    thin: int
    seed: int
    credible_level: float
    def __init__(self, objective: _Optional[str] = ..., spread: _Optional[_Union[Series, _Mapping]] = ..., dt: _Optional[float] = ..., prices: _Optional[_Union[Frame, _Mapping]] = ..., train: _Optional[int] = ..., test: _Optional[int] = ..., score: _Optional[str] = ..., temperature: _Optional[float] = ..., lookback_range: _Optional[_Iterable[int]] = ..., entry_z_range: _Optional[_Iterable[float]] = ..., exit_z_range: _Optional[_Iterable[float]] = ..., hedging: _Optional[_Union[Hedging, _Mapping]] = ..., costs: _Optional[_Union[Costs, _Mapping]] = ..., n_samples: _Optional[int] = ..., n_chains: _Optional[int] = ..., burn_in: _Optional[int] = ..., thin: _Optional[int] = ..., seed: _Optional[int] = ..., credible_level: _Optional[float] = ...) -> None: ...

class RunMCMCResponse(_message.Message):
    __slots__ = ("objective", "parameters", "samples", "chain", "log_density", "n_chains", "n_draws", "acceptance_rate", "chain_acceptance_rates", "rhat", "ess", "ess_tail", "mean", "std", "credible_intervals", "credible_level", "best_parameters", "best_log_density", "mle", "converged", "message")
    class RhatEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class EssEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class EssTailEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class MeanEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class StdEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class BestParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class MleEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    SAMPLES_FIELD_NUMBER: _ClassVar[int]
    CHAIN_FIELD_NUMBER: _ClassVar[int]
    LOG_DENSITY_FIELD_NUMBER: _ClassVar[int]
    N_CHAINS_FIELD_NUMBER: _ClassVar[int]
    N_DRAWS_FIELD_NUMBER: _ClassVar[int]
    ACCEPTANCE_RATE_FIELD_NUMBER: _ClassVar[int]
    CHAIN_ACCEPTANCE_RATES_FIELD_NUMBER: _ClassVar[int]
    RHAT_FIELD_NUMBER: _ClassVar[int]
    ESS_FIELD_NUMBER: _ClassVar[int]
    ESS_TAIL_FIELD_NUMBER: _ClassVar[int]
    MEAN_FIELD_NUMBER: _ClassVar[int]
    STD_FIELD_NUMBER: _ClassVar[int]
    CREDIBLE_INTERVALS_FIELD_NUMBER: _ClassVar[int]
    CREDIBLE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    BEST_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    BEST_LOG_DENSITY_FIELD_NUMBER: _ClassVar[int]
    MLE_FIELD_NUMBER: _ClassVar[int]
    CONVERGED_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    objective: str
    parameters: _containers.RepeatedScalarFieldContainer[str]
    samples: Frame
    chain: NDArray
    log_density: NDArray
    n_chains: int
    n_draws: int
    acceptance_rate: float
    chain_acceptance_rates: _containers.RepeatedScalarFieldContainer[float]
    rhat: _containers.ScalarMap[str, float]
    ess: _containers.ScalarMap[str, float]
    ess_tail: _containers.ScalarMap[str, float]
    mean: _containers.ScalarMap[str, float]
    std: _containers.ScalarMap[str, float]
    credible_intervals: Frame
    credible_level: float
    best_parameters: _containers.ScalarMap[str, float]
    best_log_density: float
    mle: _containers.ScalarMap[str, float]
    converged: bool
    message: str
    def __init__(self, objective: _Optional[str] = ..., parameters: _Optional[_Iterable[str]] = ..., samples: _Optional[_Union[Frame, _Mapping]] = ..., chain: _Optional[_Union[NDArray, _Mapping]] = ..., log_density: _Optional[_Union[NDArray, _Mapping]] = ..., n_chains: _Optional[int] = ..., n_draws: _Optional[int] = ..., acceptance_rate: _Optional[float] = ..., chain_acceptance_rates: _Optional[_Iterable[float]] = ..., rhat: _Optional[_Mapping[str, float]] = ..., ess: _Optional[_Mapping[str, float]] = ..., ess_tail: _Optional[_Mapping[str, float]] = ..., mean: _Optional[_Mapping[str, float]] = ..., std: _Optional[_Mapping[str, float]] = ..., credible_intervals: _Optional[_Union[Frame, _Mapping]] = ..., credible_level: _Optional[float] = ..., best_parameters: _Optional[_Mapping[str, float]] = ..., best_log_density: _Optional[float] = ..., mle: _Optional[_Mapping[str, float]] = ..., converged: _Optional[bool] = ..., message: _Optional[str] = ...) -> None: ...

class FitOrnsteinUhlenbeckRequest(_message.Message):
    __slots__ = ("prices", "dt", "method", "cost")
    PRICES_FIELD_NUMBER: _ClassVar[int]
    DT_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    prices: Series
    dt: float
    method: str
    cost: float
    def __init__(self, prices: _Optional[_Union[Series, _Mapping]] = ..., dt: _Optional[float] = ..., method: _Optional[str] = ..., cost: _Optional[float] = ...) -> None: ...

class BertramLevels(_message.Message):
    __slots__ = ("cost", "band", "band_z", "lower", "upper", "expected_cycle_time", "return_per_cycle", "return_per_time")
    COST_FIELD_NUMBER: _ClassVar[int]
    BAND_FIELD_NUMBER: _ClassVar[int]
    BAND_Z_FIELD_NUMBER: _ClassVar[int]
    LOWER_FIELD_NUMBER: _ClassVar[int]
    UPPER_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_CYCLE_TIME_FIELD_NUMBER: _ClassVar[int]
    RETURN_PER_CYCLE_FIELD_NUMBER: _ClassVar[int]
    RETURN_PER_TIME_FIELD_NUMBER: _ClassVar[int]
    cost: float
    band: float
    band_z: float
    lower: float
    upper: float
    expected_cycle_time: float
    return_per_cycle: float
    return_per_time: float
    def __init__(self, cost: _Optional[float] = ..., band: _Optional[float] = ..., band_z: _Optional[float] = ..., lower: _Optional[float] = ..., upper: _Optional[float] = ..., expected_cycle_time: _Optional[float] = ..., return_per_cycle: _Optional[float] = ..., return_per_time: _Optional[float] = ...) -> None: ...

class FitOrnsteinUhlenbeckResponse(_message.Message):
    __slots__ = ("method", "dt", "n_obs", "mean_reverting", "kappa", "theta", "sigma", "half_life", "phi", "stationary_std", "kappa_se", "theta_se", "sigma_se", "half_life_se", "log_likelihood", "levels")
    METHOD_FIELD_NUMBER: _ClassVar[int]
    DT_FIELD_NUMBER: _ClassVar[int]
    N_OBS_FIELD_NUMBER: _ClassVar[int]
    MEAN_REVERTING_FIELD_NUMBER: _ClassVar[int]
    KAPPA_FIELD_NUMBER: _ClassVar[int]
    THETA_FIELD_NUMBER: _ClassVar[int]
    SIGMA_FIELD_NUMBER: _ClassVar[int]
    HALF_LIFE_FIELD_NUMBER: _ClassVar[int]
    PHI_FIELD_NUMBER: _ClassVar[int]
    STATIONARY_STD_FIELD_NUMBER: _ClassVar[int]
    KAPPA_SE_FIELD_NUMBER: _ClassVar[int]
    THETA_SE_FIELD_NUMBER: _ClassVar[int]
    SIGMA_SE_FIELD_NUMBER: _ClassVar[int]
    HALF_LIFE_SE_FIELD_NUMBER: _ClassVar[int]
    LOG_LIKELIHOOD_FIELD_NUMBER: _ClassVar[int]
    LEVELS_FIELD_NUMBER: _ClassVar[int]
    method: str
    dt: float
    n_obs: int
    mean_reverting: bool
    kappa: float
    theta: float
    sigma: float
    half_life: float
    phi: float
    stationary_std: float
    kappa_se: float
    theta_se: float
    sigma_se: float
    half_life_se: float
    log_likelihood: float
    levels: BertramLevels
    def __init__(self, method: _Optional[str] = ..., dt: _Optional[float] = ..., n_obs: _Optional[int] = ..., mean_reverting: _Optional[bool] = ..., kappa: _Optional[float] = ..., theta: _Optional[float] = ..., sigma: _Optional[float] = ..., half_life: _Optional[float] = ..., phi: _Optional[float] = ..., stationary_std: _Optional[float] = ..., kappa_se: _Optional[float] = ..., theta_se: _Optional[float] = ..., sigma_se: _Optional[float] = ..., half_life_se: _Optional[float] = ..., log_likelihood: _Optional[float] = ..., levels: _Optional[_Union[BertramLevels, _Mapping]] = ...) -> None: ...

class TestCointegrationRequest(_message.Message):
    __slots__ = ("prices", "method", "maxlag", "det_order", "k_ar_diff", "significance")
    PRICES_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    MAXLAG_FIELD_NUMBER: _ClassVar[int]
    DET_ORDER_FIELD_NUMBER: _ClassVar[int]
    K_AR_DIFF_FIELD_NUMBER: _ClassVar[int]
    SIGNIFICANCE_FIELD_NUMBER: _ClassVar[int]
    prices: Frame
    method: str
    maxlag: int
    det_order: int
    k_ar_diff: int
    significance: float
    def __init__(self, prices: _Optional[_Union[Frame, _Mapping]] = ..., method: _Optional[str] = ..., maxlag: _Optional[int] = ..., det_order: _Optional[int] = ..., k_ar_diff: _Optional[int] = ..., significance: _Optional[float] = ...) -> None: ...

class EngleGrangerResult(_message.Message):
    __slots__ = ("asset_x", "asset_y", "stat", "pvalue", "critical_values", "lags", "nobs", "hedge_ratio", "constant", "half_life", "beta", "intercept", "spread")
    class CriticalValuesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    ASSET_X_FIELD_NUMBER: _ClassVar[int]
    ASSET_Y_FIELD_NUMBER: _ClassVar[int]
    STAT_FIELD_NUMBER: _ClassVar[int]
    PVALUE_FIELD_NUMBER: _ClassVar[int]
    CRITICAL_VALUES_FIELD_NUMBER: _ClassVar[int]
    LAGS_FIELD_NUMBER: _ClassVar[int]
    NOBS_FIELD_NUMBER: _ClassVar[int]
    HEDGE_RATIO_FIELD_NUMBER: _ClassVar[int]
    CONSTANT_FIELD_NUMBER: _ClassVar[int]
    HALF_LIFE_FIELD_NUMBER: _ClassVar[int]
    BETA_FIELD_NUMBER: _ClassVar[int]
    INTERCEPT_FIELD_NUMBER: _ClassVar[int]
    SPREAD_FIELD_NUMBER: _ClassVar[int]
    asset_x: str
    asset_y: str
    stat: float
    pvalue: float
    critical_values: _containers.ScalarMap[str, float]
    lags: int
    nobs: int
    hedge_ratio: float
    constant: float
    half_life: float
    beta: Series
    intercept: Series
    spread: Series
    def __init__(self, asset_x: _Optional[str] = ..., asset_y: _Optional[str] = ..., stat: _Optional[float] = ..., pvalue: _Optional[float] = ..., critical_values: _Optional[_Mapping[str, float]] = ..., lags: _Optional[int] = ..., nobs: _Optional[int] = ..., hedge_ratio: _Optional[float] = ..., constant: _Optional[float] = ..., half_life: _Optional[float] = ..., beta: _Optional[_Union[Series, _Mapping]] = ..., intercept: _Optional[_Union[Series, _Mapping]] = ..., spread: _Optional[_Union[Series, _Mapping]] = ...) -> None: ...

class JohansenResult(_message.Message):
    __slots__ = ("trace", "max_eig", "eigenvalues", "vectors", "rank_trace", "rank_max_eig", "significance", "det_order", "k_ar_diff", "spread")
    TRACE_FIELD_NUMBER: _ClassVar[int]
    MAX_EIG_FIELD_NUMBER: _ClassVar[int]
    EIGENVALUES_FIELD_NUMBER: _ClassVar[int]
    VECTORS_FIELD_NUMBER: _ClassVar[int]
    RANK_TRACE_FIELD_NUMBER: _ClassVar[int]
    RANK_MAX_EIG_FIELD_NUMBER: _ClassVar[int]
    SIGNIFICANCE_FIELD_NUMBER: _ClassVar[int]
    DET_ORDER_FIELD_NUMBER: _ClassVar[int]
    K_AR_DIFF_FIELD_NUMBER: _ClassVar[int]
    SPREAD_FIELD_NUMBER: _ClassVar[int]
    trace: Frame
    max_eig: Frame
    eigenvalues: NDArray
    vectors: Frame
    rank_trace: int
    rank_max_eig: int
    significance: float
    det_order: int
    k_ar_diff: int
    spread: Series
    def __init__(self, trace: _Optional[_Union[Frame, _Mapping]] = ..., max_eig: _Optional[_Union[Frame, _Mapping]] = ..., eigenvalues: _Optional[_Union[NDArray, _Mapping]] = ..., vectors: _Optional[_Union[Frame, _Mapping]] = ..., rank_trace: _Optional[int] = ..., rank_max_eig: _Optional[int] = ..., significance: _Optional[float] = ..., det_order: _Optional[int] = ..., k_ar_diff: _Optional[int] = ..., spread: _Optional[_Union[Series, _Mapping]] = ...) -> None: ...

class TestCointegrationResponse(_message.Message):
    __slots__ = ("method", "engle_granger", "johansen")
    METHOD_FIELD_NUMBER: _ClassVar[int]
    ENGLE_GRANGER_FIELD_NUMBER: _ClassVar[int]
    JOHANSEN_FIELD_NUMBER: _ClassVar[int]
    method: str
    engle_granger: EngleGrangerResult
    johansen: JohansenResult
    def __init__(self, method: _Optional[str] = ..., engle_granger: _Optional[_Union[EngleGrangerResult, _Mapping]] = ..., johansen: _Optional[_Union[JohansenResult, _Mapping]] = ...) -> None: ...

class KalmanHedgeRatioRequest(_message.Message):
    __slots__ = ("prices", "delta", "observation_var")
    PRICES_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    OBSERVATION_VAR_FIELD_NUMBER: _ClassVar[int]
    prices: Frame
    delta: float
    observation_var: float
    def __init__(self, prices: _Optional[_Union[Frame, _Mapping]] = ..., delta: _Optional[float] = ..., observation_var: _Optional[float] = ...) -> None: ...

class KalmanHedgeRatioResponse(_message.Message):
    __slots__ = ("beta", "intercept", "spread", "spread_std", "zscore", "hedge_ratio", "delta", "observation_var")
    BETA_FIELD_NUMBER: _ClassVar[int]
    INTERCEPT_FIELD_NUMBER: _ClassVar[int]
    SPREAD_FIELD_NUMBER: _ClassVar[int]
    SPREAD_STD_FIELD_NUMBER: _ClassVar[int]
    ZSCORE_FIELD_NUMBER: _ClassVar[int]
    HEDGE_RATIO_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    OBSERVATION_VAR_FIELD_NUMBER: _ClassVar[int]
    beta: Series
    intercept: Series
    spread: Series
    spread_std: Series
    zscore: Series
    hedge_ratio: float
    delta: float
    observation_var: float
    def __init__(self, beta: _Optional[_Union[Series, _Mapping]] = ..., intercept: _Optional[_Union[Series, _Mapping]] = ..., spread: _Optional[_Union[Series, _Mapping]] = ..., spread_std: _Optional[_Union[Series, _Mapping]] = ..., zscore: _Optional[_Union[Series, _Mapping]] = ..., hedge_ratio: _Optional[float] = ..., delta: _Optional[float] = ..., observation_var: _Optional[float] = ...) -> None: ...

class ScanPairsRequest(_message.Message):
    __slots__ = ("prices", "fdr", "max_half_life", "max_hurst", "min_correlation", "hurst_method", "maxlag")
    PRICES_FIELD_NUMBER: _ClassVar[int]
    FDR_FIELD_NUMBER: _ClassVar[int]
    MAX_HALF_LIFE_FIELD_NUMBER: _ClassVar[int]
    MAX_HURST_FIELD_NUMBER: _ClassVar[int]
    MIN_CORRELATION_FIELD_NUMBER: _ClassVar[int]
    HURST_METHOD_FIELD_NUMBER: _ClassVar[int]
    MAXLAG_FIELD_NUMBER: _ClassVar[int]
    prices: Frame
    fdr: float
    max_half_life: float
    max_hurst: float
    min_correlation: float
    hurst_method: str
    maxlag: int
    def __init__(self, prices: _Optional[_Union[Frame, _Mapping]] = ..., fdr: _Optional[float] = ..., max_half_life: _Optional[float] = ..., max_hurst: _Optional[float] = ..., min_correlation: _Optional[float] = ..., hurst_method: _Optional[str] = ..., maxlag: _Optional[int] = ...) -> None: ...

class PairScanResult(_message.Message):
    __slots__ = ("table", "n_assets", "n_pairs", "n_significant", "fdr")
    TABLE_FIELD_NUMBER: _ClassVar[int]
    N_ASSETS_FIELD_NUMBER: _ClassVar[int]
    N_PAIRS_FIELD_NUMBER: _ClassVar[int]
    N_SIGNIFICANT_FIELD_NUMBER: _ClassVar[int]
    FDR_FIELD_NUMBER: _ClassVar[int]
    table: Frame
    n_assets: int
    n_pairs: int
    n_significant: int
    fdr: float
    def __init__(self, table: _Optional[_Union[Frame, _Mapping]] = ..., n_assets: _Optional[int] = ..., n_pairs: _Optional[int] = ..., n_significant: _Optional[int] = ..., fdr: _Optional[float] = ...) -> None: ...

class ScanPairsResponse(_message.Message):
    __slots__ = ("done", "total", "result")
    DONE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    done: int
    total: int
    result: PairScanResult
    def __init__(self, done: _Optional[int] = ..., total: _Optional[int] = ..., result: _Optional[_Union[PairScanResult, _Mapping]] = ...) -> None: ...

class RunTickBacktestRequest(_message.Message):
    __slots__ = ("events", "path", "strategy", "params", "orders", "feed_latency", "order_latency", "queue_model", "queue_power", "maker_fee", "taker_fee", "tick_size", "lot_size", "initial_cash", "sample_every", "order_latencies")
    class ParamsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    FEED_LATENCY_FIELD_NUMBER: _ClassVar[int]
    ORDER_LATENCY_FIELD_NUMBER: _ClassVar[int]
    QUEUE_MODEL_FIELD_NUMBER: _ClassVar[int]
    QUEUE_POWER_FIELD_NUMBER: _ClassVar[int]
    MAKER_FEE_FIELD_NUMBER: _ClassVar[int]
    TAKER_FEE_FIELD_NUMBER: _ClassVar[int]
    TICK_SIZE_FIELD_NUMBER: _ClassVar[int]
    LOT_SIZE_FIELD_NUMBER: _ClassVar[int]
    INITIAL_CASH_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_EVERY_FIELD_NUMBER: _ClassVar[int]
    ORDER_LATENCIES_FIELD_NUMBER: _ClassVar[int]
    events: Frame
    path: str
    strategy: str
    params: _containers.ScalarMap[str, float]
    orders: Frame
    feed_latency: float
    order_latency: float
    queue_model: str
    queue_power: float
    maker_fee: float
    taker_fee: float
    tick_size: float
    lot_size: float
    initial_cash: float
    sample_every: float
    order_latencies: Frame
    def __init__(self, events: _Optional[_Union[Frame, _Mapping]] = ..., path: _Optional[str] = ..., strategy: _Optional[str] = ..., params: _Optional[_Mapping[str, float]] = ..., orders: _Optional[_Union[Frame, _Mapping]] = ..., feed_latency: _Optional[float] = ..., order_latency: _Optional[float] = ..., queue_model: _Optional[str] = ..., queue_power: _Optional[float] = ..., maker_fee: _Optional[float] = ..., taker_fee: _Optional[float] = ..., tick_size: _Optional[float] = ..., lot_size: _Optional[float] = ..., initial_cash: _Optional[float] = ..., sample_every: _Optional[float] = ..., order_latencies: _Optional[_Union[Frame, _Mapping]] = ...) -> None: ...

class TickBacktestResult(_message.Message):
    __slots__ = ("fills", "orders", "equity", "stats", "history")
    class StatsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    FILLS_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    EQUITY_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    fills: Frame
    orders: Frame
    equity: Frame
    stats: _containers.ScalarMap[str, float]
    history: Frame
    def __init__(self, fills: _Optional[_Union[Frame, _Mapping]] = ..., orders: _Optional[_Union[Frame, _Mapping]] = ..., equity: _Optional[_Union[Frame, _Mapping]] = ..., stats: _Optional[_Mapping[str, float]] = ..., history: _Optional[_Union[Frame, _Mapping]] = ...) -> None: ...

class RunTickBacktestResponse(_message.Message):
    __slots__ = ("done", "total", "result")
    DONE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    done: int
    total: int
    result: TickBacktestResult
    def __init__(self, done: _Optional[int] = ..., total: _Optional[int] = ..., result: _Optional[_Union[TickBacktestResult, _Mapping]] = ...) -> None: ...

class FitIntensityRequest(_message.Message):
    __slots__ = ("events", "path", "tick_size", "window", "step", "max_depth", "min_count")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    TICK_SIZE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    MAX_DEPTH_FIELD_NUMBER: _ClassVar[int]
    MIN_COUNT_FIELD_NUMBER: _ClassVar[int]
    events: Frame
    path: str
    tick_size: float
    window: float
    step: float
    max_depth: float
    min_count: int
    def __init__(self, events: _Optional[_Union[Frame, _Mapping]] = ..., path: _Optional[str] = ..., tick_size: _Optional[float] = ..., window: _Optional[float] = ..., step: _Optional[float] = ..., max_depth: _Optional[float] = ..., min_count: _Optional[int] = ...) -> None: ...

class FitIntensityResponse(_message.Message):
    __slots__ = ("A", "k", "A_stderr", "k_stderr", "r_squared", "arrivals", "depths_used", "duration", "tick_size", "intensity", "windows")
    A_FIELD_NUMBER: _ClassVar[int]
    K_FIELD_NUMBER: _ClassVar[int]
    A_STDERR_FIELD_NUMBER: _ClassVar[int]
    K_STDERR_FIELD_NUMBER: _ClassVar[int]
    R_SQUARED_FIELD_NUMBER: _ClassVar[int]
    ARRIVALS_FIELD_NUMBER: _ClassVar[int]
    DEPTHS_USED_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    TICK_SIZE_FIELD_NUMBER: _ClassVar[int]
    INTENSITY_FIELD_NUMBER: _ClassVar[int]
    WINDOWS_FIELD_NUMBER: _ClassVar[int]
    A: float
    k: float
    A_stderr: float
    k_stderr: float
    r_squared: float
    arrivals: int
    depths_used: int
    duration: float
    tick_size: float
    intensity: Frame
    windows: Frame
    def __init__(self, A: _Optional[float] = ..., k: _Optional[float] = ..., A_stderr: _Optional[float] = ..., k_stderr: _Optional[float] = ..., r_squared: _Optional[float] = ..., arrivals: _Optional[int] = ..., depths_used: _Optional[int] = ..., duration: _Optional[float] = ..., tick_size: _Optional[float] = ..., intensity: _Optional[_Union[Frame, _Mapping]] = ..., windows: _Optional[_Union[Frame, _Mapping]] = ...) -> None: ...

class RunArbitrageBacktestRequest(_message.Message):
    __slots__ = ("events", "books", "taker_fee", "order_latency", "strategy", "min_return", "max_notional", "max_position", "lot_size", "feed_latency", "sample_every", "on_miss")
    class TakerFeeEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class OrderLatencyEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    BOOKS_FIELD_NUMBER: _ClassVar[int]
    TAKER_FEE_FIELD_NUMBER: _ClassVar[int]
    ORDER_LATENCY_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    MIN_RETURN_FIELD_NUMBER: _ClassVar[int]
    MAX_NOTIONAL_FIELD_NUMBER: _ClassVar[int]
    MAX_POSITION_FIELD_NUMBER: _ClassVar[int]
    LOT_SIZE_FIELD_NUMBER: _ClassVar[int]
    FEED_LATENCY_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_EVERY_FIELD_NUMBER: _ClassVar[int]
    ON_MISS_FIELD_NUMBER: _ClassVar[int]
    events: Frame
    books: _containers.RepeatedScalarFieldContainer[str]
    taker_fee: _containers.ScalarMap[str, float]
    order_latency: _containers.ScalarMap[str, float]
    strategy: str
    min_return: float
    max_notional: float
    max_position: float
    lot_size: float
    feed_latency: float
    sample_every: float
    on_miss: str
    def __init__(self, events: _Optional[_Union[Frame, _Mapping]] = ..., books: _Optional[_Iterable[str]] = ..., taker_fee: _Optional[_Mapping[str, float]] = ..., order_latency: _Optional[_Mapping[str, float]] = ..., strategy: _Optional[str] = ..., min_return: _Optional[float] = ..., max_notional: _Optional[float] = ..., max_position: _Optional[float] = ..., lot_size: _Optional[float] = ..., feed_latency: _Optional[float] = ..., sample_every: _Optional[float] = ..., on_miss: _Optional[str] = ...) -> None: ...

class RunArbitrageBacktestResponse(_message.Message):
    __slots__ = ("strategy", "currency", "opportunities", "attempts", "venues", "fills", "equity", "stats")
    class StatsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITIES_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    VENUES_FIELD_NUMBER: _ClassVar[int]
    FILLS_FIELD_NUMBER: _ClassVar[int]
    EQUITY_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    strategy: str
    currency: str
    opportunities: Frame
    attempts: Frame
    venues: Frame
    fills: Frame
    equity: Frame
    stats: _containers.ScalarMap[str, float]
    def __init__(self, strategy: _Optional[str] = ..., currency: _Optional[str] = ..., opportunities: _Optional[_Union[Frame, _Mapping]] = ..., attempts: _Optional[_Union[Frame, _Mapping]] = ..., venues: _Optional[_Union[Frame, _Mapping]] = ..., fills: _Optional[_Union[Frame, _Mapping]] = ..., equity: _Optional[_Union[Frame, _Mapping]] = ..., stats: _Optional[_Mapping[str, float]] = ...) -> None: ...

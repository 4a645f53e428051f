"""Requests of the portfolio construction operations: optimisation, frontier, rolling
rebalance, sparse portfolios and the Box-Tao decomposition.

Per-asset inputs (bounds, costs, current weights, budgets, expected returns) accept
one number for every asset, a mapping or Series by column name, or a sequence in
column order; they are stored as float Series aligned with the columns.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from hftlab import validation as v
from hftlab.algo import covariance as cov
from hftlab.algo.boxtao import BoxTaoResult, box_tao
from hftlab.algo.portfolio import FrontierResult, PortfolioResult, efficient_frontier, optimize_portfolio
from hftlab.algo.rebalance import METHODS, RebalanceResult, rebalance_portfolio
from hftlab.algo.sparse import METHODS as SPARSE_METHODS
from hftlab.algo.sparse import SDP_MAX_ASSETS, SparsePortfolioResult, sparse_portfolio
from hftlab.errors import InvalidInput
from hftlab.types.base import Annualisation, Block, Request, check_blocks

_CONSTRAINT_FIELDS = ("lower_bounds", "upper_bounds", "leverage", "turnover_limit")


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is a bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise v.fail(name, "True or False", value)
    return bool(value)


def asset_values(
    value: Any,
    name: str,
    symbols: list[str],
    *,
    fill: float | None = None,
    low: float | None = None,
    low_open: bool = False,
    allow_inf: bool = False,
) -> pd.Series | None:
    """``value`` as a float Series indexed by ``symbols`` (None stays None).

    Assets left out get ``fill``; without a ``fill`` every asset must be given.
    """
    if value is None:
        return None
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
        series = pd.Series(float(value), index=symbols)
    elif isinstance(value, (Mapping, pd.Series)):
        series = pd.Series(dict(value) if isinstance(value, Mapping) else value, dtype=object)
        series.index = [str(label) for label in series.index]
        unknown = [label for label in series.index if label not in symbols]
        if unknown:
            raise InvalidInput(f"'{name}' names unknown assets: {v.names(unknown)}.")
        missing = [s for s in symbols if s not in series.index]
        if missing and fill is None:
            raise InvalidInput(f"'{name}' must give a value for every asset; missing: {v.names(missing)}.")
        series = series.reindex(symbols, fill_value=fill)
    else:
        array = np.asarray(value, dtype=object)
        if array.ndim != 1 or len(array) != len(symbols):
            raise v.fail(name, f"a number, a mapping by asset or {len(symbols)} values in column order", value)
        series = pd.Series(array, index=symbols)
    try:
        series = series.astype(np.float64)
    except (TypeError, ValueError):
        raise v.fail(name, "numbers", value) from None
    values = series.to_numpy()
    if np.isnan(values).any() or (not allow_inf and np.isinf(values).any()):
        raise InvalidInput(
            f"'{name}' must contain only {'numbers' if allow_inf else 'finite numbers'}; "
            f"got {series[~np.isfinite(values)].index[0]!r}: {values[~np.isfinite(values)][0]}."
        )
    if low is not None:
        bad = (values <= low) if low_open else (values < low)
        if bad.any():
            raise InvalidInput(
                f"'{name}' must be {'>' if low_open else '>='} {low} for every asset; "
                f"got {series.index[bad][0]!r}: {values[bad][0]:g}."
            )
    return series.rename(name)


def _positional(labels: pd.Index) -> bool:
    """Whether ``labels`` are positions (0, 1, ... as numbers or strings: a matrix without names)."""
    return [str(label) for label in labels] == [str(i) for i in range(len(labels))]


def _aligned_covariance(matrix: pd.DataFrame, symbols: list[str]) -> pd.DataFrame:
    """``matrix`` with rows and columns in the order of ``symbols``, matched by label.

    Unlabelled rows or columns (positions 0, 1, ...) are taken in asset order; labels must
    be exactly the assets, each once, on both axes.
    """
    axes = {}
    for axis, labels in (("rows", matrix.index), ("columns", matrix.columns)):
        if _positional(labels) and not _positional(pd.Index(symbols)):
            axes[axis] = symbols
            continue
        labels = [str(label) for label in labels]
        given, wanted = set(labels), set(symbols)
        unknown = [label for label in labels if label not in wanted]
        missing = [symbol for symbol in symbols if symbol not in given]
        if unknown or missing or len(set(labels)) != len(labels):
            raise InvalidInput(
                f"'covariance_matrix' {axis} must be labelled with the assets of 'prices_or_returns', each "
                f"once; unknown: {v.names(unknown) or 'none'}; missing: {v.names(missing) or 'none'}."
            )
        axes[axis] = labels
    aligned = pd.DataFrame(matrix.to_numpy(), index=axes["rows"], columns=axes["columns"])
    return aligned.loc[symbols, symbols]


def _optional_float(name: str, value: Any, **bounds) -> float | None:
    return None if value is None else v.check_float(name, value, **bounds)


@dataclass(frozen=True)
class Constraints(Block):
    """Weight constraints: long-only, per-asset bounds, a gross leverage cap, a turnover cap."""

    long_only: bool = True
    lower_bounds: pd.Series | None = None
    upper_bounds: pd.Series | None = None
    leverage: float | None = None
    turnover_limit: float | None = None


@dataclass(frozen=True)
class Frictions(Block):
    """What moving away from the current weights costs: a turnover penalty, per-asset costs."""

    current_weights: pd.Series | None = None
    turnover_penalty: float = 0.0
    transaction_costs: pd.Series | None = None


@dataclass(frozen=True)
class Estimation(Block):
    """How the returns' covariance is estimated, and the annual rate Sharpe ratios are measured against."""

    covariance: str = "sample"
    half_life: float = 60.0
    risk_free_rate: float = 0.0


@dataclass(frozen=True)
class PortfolioInputs(Request):
    """Data, constraints, frictions and estimators shared by the portfolio requests (the
    blocks' fields are validated here: they are checked against the assets)."""

    prices_or_returns: pd.DataFrame
    input_type: str = "prices"
    constraints: Constraints = Constraints()
    frictions: Frictions = Frictions()
    estimation: Estimation = Estimation()
    annualisation: Annualisation = Annualisation()
    time_limit: float = 10.0

    def _check_inputs(self, estimates_covariance: bool = True) -> list[str]:
        """Validate and coerce the shared fields; return the asset names."""
        check_blocks(self)
        c, f, e = self.constraints, self.frictions, self.estimation
        frame = v.as_frame(self.prices_or_returns, "prices_or_returns", min_rows=3, min_columns=2)
        input_type = v.check_choice("input_type", self.input_type, ["prices", "returns"])
        if input_type == "prices" and (frame.to_numpy() <= 0).any():
            column = frame.columns[(frame.to_numpy() <= 0).any(axis=0)][0]
            raise InvalidInput(
                f"'prices_or_returns' must hold positive prices (input_type='prices'); "
                f"column {column!r} has a value <= 0."
            )
        self._set("prices_or_returns", frame)
        self._set("input_type", input_type)
        symbols = frame.columns.tolist()
        long_only = check_bool("long_only", c.long_only)
        lower = asset_values(c.lower_bounds, "lower_bounds", symbols, fill=-np.inf, allow_inf=True)
        upper = asset_values(c.upper_bounds, "upper_bounds", symbols, fill=np.inf, allow_inf=True)
        low = np.full(len(symbols), -np.inf) if lower is None else lower.to_numpy()
        low = np.maximum(low, 0.0) if long_only else low
        high = np.full(len(symbols), np.inf) if upper is None else upper.to_numpy()
        if (high < low).any():
            asset = symbols[int(np.argmax(high < low))]
            raise InvalidInput(
                f"'upper_bounds' must be >= the lower bound (0 when long_only) of every "
                f"asset; {asset!r} has {high[symbols.index(asset)]:g}."
            )
        if low.sum() > 1 or high.sum() < 1:
            raise InvalidInput(
                f"'lower_bounds'/'upper_bounds' leave no fully invested portfolio: the lower "
                f"bounds sum to {low.sum():g} and the upper bounds to {high.sum():g}."
            )
        leverage = _optional_float("leverage", c.leverage, low=1.0)
        current = asset_values(f.current_weights, "current_weights", symbols, fill=0.0)
        turnover_limit = _optional_float("turnover_limit", c.turnover_limit, low=0, low_open=True)
        self._set("constraints", Constraints(long_only, lower, upper, leverage, turnover_limit))
        self._set(
            "frictions",
            Frictions(
                current,
                v.check_float("turnover_penalty", f.turnover_penalty, low=0),
                asset_values(f.transaction_costs, "transaction_costs", symbols, fill=0.0, low=0.0),
            ),
        )
        risk_free_rate = v.check_float("risk_free_rate", e.risk_free_rate, low=-1, high=1)
        covariance = v.check_choice("covariance", e.covariance, cov.COVARIANCE_METHODS)
        half_life = v.check_float("half_life", e.half_life, low=0, low_open=True)
        self._set("estimation", Estimation(covariance, half_life, risk_free_rate))
        self._set("time_limit", v.check_float("time_limit", self.time_limit, low=0, high=3600, low_open=True))
        n_obs = len(frame) - (1 if input_type == "prices" else 0)
        if estimates_covariance and covariance != "ledoit_wolf" and n_obs <= len(symbols):
            raise InvalidInput(
                f"'prices_or_returns' must have more observations than assets for covariance="
                f"{covariance!r}; got {n_obs} return(s) for {len(symbols)} assets "
                "(use covariance='ledoit_wolf')."
            )
        return symbols

    def _check_estimates(self, symbols: list[str]) -> None:
        """A given covariance matrix (aligned, symmetric positive definite) and expected returns."""
        matrix = self.covariance_matrix
        if matrix is not None:
            matrix = v.as_frame(matrix, "covariance_matrix")
            if matrix.shape != (len(symbols), len(symbols)):
                raise InvalidInput(
                    f"'covariance_matrix' must be {len(symbols)} x {len(symbols)} (one row and "
                    f"column per asset); got {matrix.shape[0]} x {matrix.shape[1]}."
                )
            matrix = _aligned_covariance(matrix, symbols)
            cov.check_covariance(matrix.to_numpy(), symbols, "covariance_matrix")
            self._set("covariance_matrix", matrix)
        self._set("expected_returns", asset_values(self.expected_returns, "expected_returns", symbols))

    def _check_method_fields(self, method: str) -> None:
        """Fields that only some methods use: reject them elsewhere rather than ignore them."""
        if self.target_return is not None and method != "markowitz":
            raise v.fail("target_return", "None unless method='markowitz'", self.target_return)
        self._set("target_return", _optional_float("target_return", self.target_return))
        self._set("risk_aversion", v.check_float("risk_aversion", self.risk_aversion, low=0, low_open=True))
        if self.risk_budgets is not None and method != "risk_parity":
            raise InvalidInput("'risk_budgets' is only used by method='risk_parity'.")
        symbols = self.prices_or_returns.columns.tolist()
        budgets = asset_values(self.risk_budgets, "risk_budgets", symbols, low=0, low_open=True)
        self._set("risk_budgets", budgets)
        if method in ("risk_parity", "equal_weight"):
            for name in _CONSTRAINT_FIELDS:
                if getattr(self.constraints, name) is not None:
                    raise InvalidInput(
                        f"'{name}' is not supported by method={method!r} (only the budget and long_only "
                        "apply); use min_variance or markowitz for constrained weights."
                    )
            if self.frictions.turnover_penalty != 0:
                raise InvalidInput(f"'turnover_penalty' is not supported by method={method!r}.")
            if method == "risk_parity" and not self.constraints.long_only:
                raise v.fail("long_only", "True for method='risk_parity'", self.constraints.long_only)


@dataclass(frozen=True)
class OptimizePortfolioRequest(PortfolioInputs):
    """Optimal weights (see :func:`hftlab.optimize_portfolio`)."""

    rpc: ClassVar[str] = "OptimizePortfolio"
    result_type: ClassVar[type] = PortfolioResult
    compute: ClassVar[Callable[..., Any]] = staticmethod(optimize_portfolio)

    method: str = "min_variance"
    target_return: float | None = None
    risk_aversion: float = 1.0
    risk_budgets: pd.Series | None = None
    covariance_matrix: pd.DataFrame | None = None
    expected_returns: pd.Series | None = None

    def __post_init__(self) -> None:
        method = v.check_choice("method", self.method, METHODS)
        self._set("method", method)
        symbols = self._check_inputs(estimates_covariance=self.covariance_matrix is None)
        self._check_method_fields(method)
        self._check_estimates(symbols)


@dataclass(frozen=True)
class EfficientFrontierRequest(PortfolioInputs):
    """Efficient frontier points (see :func:`hftlab.efficient_frontier`)."""

    rpc: ClassVar[str] = "EfficientFrontier"
    result_type: ClassVar[type] = FrontierResult
    compute: ClassVar[Callable[..., Any]] = staticmethod(efficient_frontier)

    n_points: int = 20
    covariance_matrix: pd.DataFrame | None = None
    expected_returns: pd.Series | None = None

    def __post_init__(self) -> None:
        self._set("n_points", v.check_int("n_points", self.n_points, low=2, high=500))
        symbols = self._check_inputs(estimates_covariance=self.covariance_matrix is None)
        self._check_estimates(symbols)
        c = self.constraints
        bounds = (c.lower_bounds, c.upper_bounds)
        bounded = all(b is not None and np.isfinite(b.to_numpy()).all() for b in bounds)
        if not c.long_only and c.leverage is None and not bounded:
            raise InvalidInput(
                "'leverage' (or finite lower and upper bounds) is needed for a long-short "
                "frontier: without it the expected return has no upper end."
            )


@dataclass(frozen=True)
class RebalancePortfolioRequest(PortfolioInputs):
    """Rolling out-of-sample rebalance (see :func:`hftlab.rebalance_portfolio`)."""

    rpc: ClassVar[str] = "RebalancePortfolio"
    result_type: ClassVar[type] = RebalanceResult
    compute: ClassVar[Callable[..., Any]] = staticmethod(rebalance_portfolio)

    method: str = "min_variance"
    window: int = 252
    rebalance_every: int = 21
    target_return: float | None = None
    risk_aversion: float = 1.0
    risk_budgets: pd.Series | None = None

    def __post_init__(self) -> None:
        method = v.check_choice("method", self.method, METHODS)
        self._set("method", method)
        symbols = self._check_inputs(estimates_covariance=False)
        self._check_method_fields(method)
        n_obs = len(self.prices_or_returns) - (1 if self.input_type == "prices" else 0)
        low = len(symbols) + 1 if self.estimation.covariance != "ledoit_wolf" else 2
        window = v.check_int("window", self.window, low=low)
        if window >= n_obs:
            raise InvalidInput(
                f"'window' must be smaller than the {n_obs} return(s) available (at least one "
                f"bar must follow the first window); got {window}."
            )
        self._set("window", window)
        self._set("rebalance_every", v.check_int("rebalance_every", self.rebalance_every, low=1))


@dataclass(frozen=True)
class SparsePortfolioRequest(Request):
    """A sparse portfolio (see :func:`hftlab.sparse_portfolio`)."""

    rpc: ClassVar[str] = "CalculateSparsePortfolio"
    result_type: ClassVar[type] = SparsePortfolioResult
    compute: ClassVar[Callable[..., Any]] = staticmethod(sparse_portfolio)

    prices: pd.DataFrame
    method: str = "box_tiao_greedy"
    k: int | None = None
    alpha: float | None = None
    l1_ratio: float = 0.5
    target: pd.Series | None = None
    target_column: str | None = None
    regress_on: str = "prices"
    long_only: bool = False
    n_components: int = 1
    time_limit: float = 60.0

    def __post_init__(self) -> None:
        method = v.check_choice("method", self.method, SPARSE_METHODS)
        self._set("method", method)
        prices = v.as_frame(self.prices, "prices", min_rows=50, min_columns=2)
        v.check_columns_not_constant("prices", prices)
        self._set("prices", prices)
        symbols = prices.columns.tolist()
        regress_on = v.check_choice("regress_on", self.regress_on, ["prices", "returns"])
        self._set("regress_on", regress_on)
        if (method == "sparse_pca" or regress_on == "returns") and (prices.to_numpy() <= 0).any():
            raise InvalidInput(f"'prices' must be positive for method={method!r} with returns.")
        self._set("long_only", check_bool("long_only", self.long_only))
        self._set("l1_ratio", v.check_float("l1_ratio", self.l1_ratio, low=0, high=1, low_open=True))
        self._set("time_limit", v.check_float("time_limit", self.time_limit, low=0, high=3600, low_open=True))
        self._set("n_components", v.check_int("n_components", self.n_components, low=1, high=len(symbols)))
        if self.n_components != 1 and method != "sparse_pca":
            raise v.fail("n_components", "1 unless method='sparse_pca'", self.n_components)
        self._check_target(method, prices, symbols)
        self._check_sparsity(method, symbols)

    def _check_target(self, method: str, prices: pd.DataFrame, symbols: list[str]) -> None:
        regression = method in ("lasso", "elastic_net")
        if not regression:
            if self.target is not None or self.target_column is not None:
                raise InvalidInput(
                    f"'target'/'target_column' are only used by lasso and elastic_net; method is {method!r}."
                )
            return
        if (self.target is None) == (self.target_column is None):
            raise InvalidInput(
                "'target' or 'target_column' (exactly one) must name what lasso/elastic_net "
                "track: a Series aligned with 'prices', or one of its columns."
            )
        if self.target_column is not None:
            if self.target_column not in symbols:
                raise v.fail(
                    "target_column",
                    f"one of the columns of 'prices' ({', '.join(symbols[:5])}...)",
                    self.target_column,
                )
            return
        target = v.as_series(self.target, "target", min_length=1)
        if not target.index.equals(prices.index):
            raise InvalidInput(
                f"'target' must have the same index as 'prices' ({len(prices)} rows); got "
                f"{len(target)} values on another index (align them first)."
            )
        if self.regress_on == "returns" and (target.to_numpy() <= 0).any():
            raise InvalidInput("'target' must be positive with regress_on='returns'.")
        v.check_not_constant("target", target.to_numpy())
        self._set("target", target)

    def _check_sparsity(self, method: str, symbols: list[str]) -> None:
        candidates = len(symbols) - (1 if self.target_column is not None else 0)
        if self.alpha is not None:
            high = 1.0 if method == "sparse_pca" else None
            alpha = v.check_float(
                "alpha", self.alpha, low=0, high=high, low_open=True, high_open=high is not None
            )
            if method == "box_tiao_greedy":
                raise v.fail("alpha", "None for method='box_tiao_greedy' (it searches by cardinality k)", alpha)
            self._set("alpha", alpha)
            if self.k is not None and method not in ("box_tiao_sdp",):
                raise InvalidInput(f"give 'k' or 'alpha' for method={method!r}, not both.")
        if self.k is not None or self.alpha is None or method == "box_tiao_sdp":
            k = min(5, candidates) if self.k is None else v.check_int("k", self.k, low=1, high=candidates)
            self._set("k", k)
        if method == "box_tiao_sdp" and len(symbols) > SDP_MAX_ASSETS:
            raise InvalidInput(
                f"'prices' has {len(symbols)} assets; box_tiao_sdp solves an n x n semidefinite "
                f"program and takes at most {SDP_MAX_ASSETS} (use box_tiao_greedy)."
            )


@dataclass(frozen=True)
class BoxTaoRequest(Request):
    """Low-rank + sparse decomposition (see :func:`hftlab.box_tao`)."""

    rpc: ClassVar[str] = "BoxTaoDecomposition"
    result_type: ClassVar[type] = BoxTaoResult
    compute: ClassVar[Callable[..., Any]] = staticmethod(box_tao)

    matrix_or_prices: pd.DataFrame
    lam: float | None = None
    mu: float | None = None
    input_type: str = "matrix"
    noise_std: float = 0.0
    rho: float = 1.5
    tol: float = 1e-7
    max_iter: int = 1000
    svd: str = "exact"
    seed: int = 0

    def __post_init__(self) -> None:
        input_type = v.check_choice("input_type", self.input_type, ["matrix", "prices"])
        self._set("input_type", input_type)
        frame = v.as_frame(
            self.matrix_or_prices,
            "matrix_or_prices",
            min_rows=3 if input_type == "prices" else 2,
            min_columns=2,
        )
        if input_type == "prices" and (frame.to_numpy() <= 0).any():
            raise InvalidInput("'matrix_or_prices' must hold positive prices (input_type='prices').")
        if not frame.to_numpy().any():
            raise InvalidInput("'matrix_or_prices' must not be all zeros.")
        self._set("matrix_or_prices", frame)
        self._set("lam", _optional_float("lam", self.lam, low=1e-12, high=1e12))
        self._set("mu", _optional_float("mu", self.mu, low=1e-12, high=1e12))  # (ADMM steps by 1 / mu)
        self._set("noise_std", v.check_float("noise_std", self.noise_std, low=0))
        self._set("rho", v.check_float("rho", self.rho, low=1, high=10, low_open=True))
        self._set("tol", v.check_float("tol", self.tol, low=0, high=1, low_open=True, high_open=True))
        self._set("max_iter", v.check_int("max_iter", self.max_iter, low=1, high=100_000))
        self._set("svd", v.check_choice("svd", self.svd, ["exact", "randomized"]))
        self._set("seed", v.check_int("seed", self.seed, low=0))

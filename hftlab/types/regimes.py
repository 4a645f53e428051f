"""Requests of the regime detection, hidden Markov models and MCMC operations."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from hftlab import validation as v
from hftlab.algo.hmm import HMMResult, StateSelection, n_free_parameters, run_hmm, select_n_states
from hftlab.algo.mcmc import MCMCResult
from hftlab.algo.posteriors import run_mcmc
from hftlab.algo.regime import RegimeFilterResult, RegimeResult, detect_regime, filter_regimes
from hftlab.algo.walkforward import OBJECTIVES
from hftlab.errors import InvalidInput
from hftlab.types.backtest import Costs, Hedging, WalkForwardRequest
from hftlab.types.base import Request

MIN_OBSERVATIONS_PER_STATE = 10
"""An HMM with K states needs at least ``10 K`` observations (and more data points than parameters)."""

_PROBABILITY_TOLERANCE = 1e-6


def as_observations(value: Any, name: str = "observations") -> pd.DataFrame:
    """A 1-D input as a one-column frame (a Series keeps its name, else ``"x"``); a 2-D input as is."""
    if isinstance(value, pd.DataFrame) or (not isinstance(value, pd.Series) and np.ndim(value) == 2):
        return v.as_frame(value, name)
    series = v.as_series(value, name)
    return series.to_frame("x" if series.name is None else str(series.name))


def check_observations(frame: pd.DataFrame, n_states: int, covariance_type: str, name: str) -> None:
    """Enough rows for ``n_states``, no constant column, no linearly dependent columns."""
    n_obs, n_features = frame.shape
    n_parameters = n_free_parameters(n_states, n_features, covariance_type)
    needed = max(MIN_OBSERVATIONS_PER_STATE * n_states, n_parameters // n_features + 1)
    if n_obs < needed:
        raise InvalidInput(
            f"'{name}' must have at least {needed} observation(s) for {n_states} state(s) "
            f"({n_parameters} free parameters); got {n_obs}."
        )
    if n_features == 1:
        v.check_not_constant(name, frame.iloc[:, 0])
        return
    values = frame.to_numpy()
    constant = np.flatnonzero((values == values[0]).all(axis=0))
    if len(constant):
        column = frame.columns[constant[0]]
        raise InvalidInput(
            f"'{name}' column {column!r} must not be constant; every value is {values[0, constant[0]]!r}."
        )
    rank = np.linalg.matrix_rank(values - values.mean(axis=0))
    if rank < n_features:
        raise InvalidInput(
            f"'{name}' columns must be linearly independent; their rank is {rank} < {n_features}: "
            "drop a redundant column."
        )


def _check_fit_settings(request: Request) -> None:
    request._set("seed", v.check_int("seed", request.seed, low=0))
    request._set("n_restarts", v.check_int("n_restarts", request.n_restarts, low=1, high=100))
    request._set("n_iter", v.check_int("n_iter", request.n_iter, low=1, high=100_000))
    request._set("tol", v.check_float("tol", request.tol, low=0, low_open=True))


@dataclass(frozen=True)
class RunHMMRequest(Request):
    """Gaussian HMM fit (see :func:`hftlab.run_hmm`)."""

    rpc: ClassVar[str] = "RunHMM"
    result_type: ClassVar[type] = HMMResult
    compute: ClassVar[Callable[..., Any]] = staticmethod(run_hmm)

    observations: pd.DataFrame
    n_states: int = 2
    seed: int = 0
    n_restarts: int = 5
    order_by: str = "mean"
    covariance_type: str = "full"
    n_iter: int = 1000
    tol: float = 1e-4

    def __post_init__(self) -> None:
        n_states = v.check_int("n_states", self.n_states, low=1, high=20)
        self._set("n_states", n_states)
        self._set("order_by", v.check_choice("order_by", self.order_by, ["mean", "volatility"]))
        self._set("covariance_type", v.check_choice("covariance_type", self.covariance_type, ["full", "diag"]))
        _check_fit_settings(self)
        self._set("observations", as_observations(self.observations))
        check_observations(self.observations, n_states, self.covariance_type, "observations")


@dataclass(frozen=True)
class SelectHMMStatesRequest(Request):
    """Number of HMM states by BIC (see :func:`hftlab.select_n_states`)."""

    rpc: ClassVar[str] = "SelectHMMStates"
    result_type: ClassVar[type] = StateSelection
    compute: ClassVar[Callable[..., Any]] = staticmethod(select_n_states)

    observations: pd.DataFrame
    candidates: list[int] = (1, 2, 3, 4)
    seed: int = 0
    n_restarts: int = 5
    covariance_type: str = "full"
    n_iter: int = 1000
    tol: float = 1e-4

    def __post_init__(self) -> None:
        candidates = self.candidates
        if isinstance(candidates, str) or not isinstance(candidates, Iterable):
            raise v.fail("candidates", "a list of numbers of states", candidates)
        candidates = sorted({v.check_int("candidates", k, low=1, high=20) for k in candidates})
        if not candidates:
            raise InvalidInput("'candidates' must hold at least one number of states; got none.")
        self._set("candidates", candidates)
        self._set("covariance_type", v.check_choice("covariance_type", self.covariance_type, ["full", "diag"]))
        _check_fit_settings(self)
        self._set("observations", as_observations(self.observations))
        check_observations(self.observations, max(candidates), self.covariance_type, "observations")


@dataclass(frozen=True)
class DetectRegimeRequest(Request):
    """Current market regime and per-regime statistics (see :func:`hftlab.detect_regime`)."""

    rpc: ClassVar[str] = "DetectRegime"
    result_type: ClassVar[type] = RegimeResult
    compute: ClassVar[Callable[..., Any]] = staticmethod(detect_regime)

    returns: pd.Series
    n_regimes: int = 2
    method: str = "hmm"
    order_by: str = "volatility"
    seed: int = 0
    n_restarts: int = 5
    n_iter: int = 1000
    tol: float = 1e-4

    def __post_init__(self) -> None:
        method = v.check_choice("method", self.method, ["hmm", "markov_switching"])
        self._set("method", method)
        low = 2 if method == "markov_switching" else 1
        n_regimes = v.check_int("n_regimes", self.n_regimes, low=low, high=20)
        self._set("n_regimes", n_regimes)
        self._set("order_by", v.check_choice("order_by", self.order_by, ["mean", "volatility"]))
        _check_fit_settings(self)
        returns = v.as_series(self.returns, "returns")
        check_observations(returns.to_frame("returns"), n_regimes, "full", "returns")
        self._set("returns", returns)


def _probabilities(name: str, value: Any, shape: tuple[int, ...]) -> np.ndarray:
    array = _array(name, value, shape)
    sums = array.sum(axis=-1)
    if (array < 0).any() or np.abs(sums - 1).max() > _PROBABILITY_TOLERANCE:
        what = "rows of probabilities" if array.ndim == 2 else "probabilities"
        raise InvalidInput(
            f"'{name}' must be {what}: non-negative, summing to 1; got sums {np.round(sums, 6).tolist()}."
        )
    return array


def _float_array(name: str, value: Any) -> np.ndarray:
    try:
        return np.array(value, dtype=np.float64, order="C")  # one layout: same rounding after the wire
    except (TypeError, ValueError):
        raise v.fail(name, "an array of numbers", value) from None


def _array(name: str, value: Any, shape: tuple[int, ...]) -> np.ndarray:
    array = _float_array(name, value)
    if array.shape != shape:
        raise InvalidInput(f"'{name}' must have shape {shape}; got {array.shape}.")
    if not np.isfinite(array).all():
        raise InvalidInput(f"'{name}' must contain only finite numbers.")
    return array


@dataclass(frozen=True)
class FilterRegimesRequest(Request):
    """Regime probabilities of new observations under a fitted model (see :func:`hftlab.filter_regimes`)."""

    rpc: ClassVar[str] = "FilterRegimes"
    result_type: ClassVar[type] = RegimeFilterResult
    compute: ClassVar[Callable[..., Any]] = staticmethod(filter_regimes)

    observations: pd.DataFrame
    transition_matrix: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    start_probabilities: np.ndarray
    prior: np.ndarray | None = None

    def __post_init__(self) -> None:
        means = _float_array("means", self.means)
        means = means[:, None] if means.ndim == 1 else means
        if means.ndim != 2 or means.shape[0] < 1 or means.shape[1] < 1:
            raise v.fail("means", "a (states,) or (states, features) array", self.means)
        n_states, n_features = means.shape
        self._set("means", _array("means", means, (n_states, n_features)))
        covariances = _float_array("covariances", self.covariances)
        if n_features == 1 and covariances.shape == (n_states,):
            covariances = covariances[:, None, None]
        covariances = _array("covariances", covariances, (n_states, n_features, n_features))
        for k, matrix in enumerate(covariances):
            if not np.allclose(matrix, matrix.T) or np.linalg.eigvalsh(matrix).min() <= 0:
                raise InvalidInput(f"'covariances' [{k}] must be symmetric positive definite.")
        self._set("covariances", covariances)
        self._set(
            "transition_matrix",
            _probabilities("transition_matrix", self.transition_matrix, (n_states, n_states)),
        )
        self._set(
            "start_probabilities", _probabilities("start_probabilities", self.start_probabilities, (n_states,))
        )
        if self.prior is not None:
            self._set("prior", _probabilities("prior", self.prior, (n_states,)))
        observations = as_observations(self.observations)
        if observations.shape[1] != n_features:
            raise InvalidInput(
                f"'observations' must have {n_features} column(s), like the model's means; "
                f"got {observations.shape[1]}."
            )
        self._set("observations", observations)


MAX_DRAWS = 10**9
"""Most iterations of one chain (beyond, the draws' array would not fit in any memory)."""


def check_sampler_settings(settings: Any) -> None:
    """Validate (and coerce) the sampler fields every MCMC run shares, on a frozen dataclass."""
    checks = {
        "n_samples": lambda x: v.check_int("n_samples", x, low=20),
        "n_chains": lambda x: v.check_int("n_chains", x, low=1, high=64),
        "burn_in": lambda x: v.check_int("burn_in", x, low=0),
        "thin": lambda x: v.check_int("thin", x, low=1),
        "seed": lambda x: v.check_int("seed", x, low=0),
        "credible_level": lambda x: v.check_float(
            "credible_level", x, low=0, high=1, low_open=True, high_open=True
        ),
    }
    for name, check in checks.items():
        object.__setattr__(settings, name, check(getattr(settings, name)))
    if settings.burn_in + settings.n_samples * settings.thin > MAX_DRAWS:
        raise InvalidInput(
            f"'burn_in' + 'n_samples' * 'thin' must be at most {MAX_DRAWS:g} iterations per chain; got "
            f"{settings.burn_in} + {settings.n_samples} * {settings.thin}."
        )


@dataclass(frozen=True)
class LogDensitySampling:
    """Settings of an MCMC run on a user's Python log-density (local backend only, no RPC).

    Validated like :class:`RunMCMCRequest`'s sampler fields; see :func:`hftlab.run_mcmc`.
    """

    log_density: Callable[[np.ndarray], float]
    x0: np.ndarray
    parameter_names: list[str] | None = None
    proposal_scale: np.ndarray | float | None = None
    n_samples: int = 1000
    n_chains: int = 4
    burn_in: int = 1000
    thin: int = 1
    seed: int = 0
    credible_level: float = 0.95

    def __post_init__(self) -> None:
        if not callable(self.log_density):
            raise v.fail("log_density", "a callable f(x: ndarray) -> float", self.log_density)
        try:
            x0 = np.array(self.x0, dtype=np.float64).reshape(-1) if np.ndim(self.x0) <= 1 else None
        except (TypeError, ValueError):
            x0 = None
        if x0 is None or x0.size == 0 or not np.isfinite(x0).all():
            raise v.fail("x0", "a non-empty 1-D array of finite numbers (the starting point)", self.x0)
        object.__setattr__(self, "x0", x0)
        names = self.parameter_names
        if names is None:
            names = [f"param_{i}" for i in range(x0.size)]
        elif isinstance(names, str) or not isinstance(names, Iterable):
            raise v.fail("parameter_names", f"a list of {x0.size} distinct names", names)
        names = [str(name) for name in names]
        if len(names) != x0.size or len(set(names)) != len(names):
            raise v.fail("parameter_names", f"a list of {x0.size} distinct names (one per entry of x0)", names)
        object.__setattr__(self, "parameter_names", names)
        scale = self.proposal_scale
        if scale is None:
            scale = 0.1 * np.maximum(np.abs(x0), 1.0)
        try:
            scale = np.broadcast_to(np.array(scale, dtype=np.float64), x0.shape).copy()
        except (TypeError, ValueError):
            raise v.fail("proposal_scale", f"a positive number or {x0.size} positive numbers", scale) from None
        if not (np.isfinite(scale).all() and (scale > 0).all()):
            raise v.fail("proposal_scale", f"a positive number or {x0.size} positive numbers", scale)
        object.__setattr__(self, "proposal_scale", scale)
        check_sampler_settings(self)


def _range(name: str, value: Any, check, strict: bool) -> list:
    items = list(value) if isinstance(value, Iterable) and not isinstance(value, str) else None
    if items is None or len(items) != 2:
        raise v.fail(name, "a pair [low, high]", value)
    low, high = check(name, items[0]), check(name, items[1])
    if high < low or (strict and high == low):
        raise v.fail(name, f"a pair [low, high] with low {'<' if strict else '<='} high", items)
    return [low, high]


@dataclass(frozen=True)
class RunMCMCRequest(Request):
    """Adaptive Metropolis sampling of a built-in posterior (see :func:`hftlab.run_mcmc`)."""

    rpc: ClassVar[str] = "RunMCMC"
    result_type: ClassVar[type] = MCMCResult
    compute: ClassVar[Callable[..., Any]] = staticmethod(run_mcmc)

    objective: str | None = None
    spread: pd.Series | None = None
    dt: float = 1.0
    prices: pd.DataFrame | None = None
    train: int = 252
    test: int = 63
    score: str = "sharpe"
    temperature: float = 0.1
    lookback_range: list[int] = (5, 60)
    entry_z_range: list[float] = (1.0, 3.0)
    exit_z_range: list[float] = (0.0, 1.0)
    hedging: Hedging = Hedging()
    costs: Costs = Costs()
    n_samples: int = 1000
    n_chains: int = 4
    burn_in: int = 1000
    thin: int = 1
    seed: int = 0
    credible_level: float = 0.95

    def __post_init__(self) -> None:
        if self.objective is None:
            raise InvalidInput("'objective' is required ('ou' or 'strategy') unless a 'log_density' is given.")
        objective = v.check_choice("objective", self.objective, ["ou", "strategy"])
        check_sampler_settings(self)
        if objective == "ou":
            if self.prices is not None:
                raise v.fail(
                    "prices", "None for objective 'ou' (it samples the OU parameters of 'spread')", self.prices
                )
            if self.spread is None:
                raise InvalidInput("'spread' is required for objective 'ou'.")
            spread = v.as_series(self.spread, "spread", min_length=20)
            v.check_not_constant("spread", spread)
            self._set("spread", spread)
            self._set("dt", v.check_float("dt", self.dt, low=0, low_open=True))
        else:
            self._check_strategy()

    def _check_strategy(self) -> None:
        if self.spread is not None:
            raise v.fail("spread", "None for objective 'strategy' (it backtests 'prices')", self.spread)
        if self.prices is None:
            raise InvalidInput("'prices' is required for objective 'strategy'.")
        self._set("score", v.check_choice("score", self.score, OBJECTIVES))
        self._set("temperature", v.check_float("temperature", self.temperature, low=0, low_open=True))
        lookbacks = _range("lookback_range", self.lookback_range, lambda n, x: v.check_int(n, x, low=2), False)
        entries = _range(
            "entry_z_range", self.entry_z_range, lambda n, x: v.check_float(n, x, low=0, low_open=True), True
        )
        exits = _range("exit_z_range", self.exit_z_range, lambda n, x: v.check_float(n, x, low=0), True)
        if exits[0] >= entries[1]:
            raise v.fail("exit_z_range", f"a range starting below entry_z_range's top ({entries[1]})", exits)
        self._set("lookback_range", lookbacks)
        self._set("entry_z_range", entries)
        self._set("exit_z_range", exits)
        walk = WalkForwardRequest(
            self.prices,
            self.train,
            self.test,
            [lookbacks[1]],
            [entries[1]],
            [exits[0]],
            objective=self.score,
            hedging=self.hedging,
            costs=self.costs,
        )
        for name in ("prices", "train", "test"):
            self._set(name, getattr(walk, name))

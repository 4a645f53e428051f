"""Adaptive Metropolis MCMC with several chains and convergence diagnostics.

The sampler is Haario, Saksman & Tamminen (2001), "An adaptive Metropolis
algorithm", Bernoulli 7(2): a random-walk Metropolis-Hastings whose Gaussian
proposal covariance is, after ``t0 = 100`` iterations, the running covariance of the
chain's own history scaled by ``s_d = 2.4^2 / d`` (Gelman, Roberts & Gilks
1996), plus ``s_d * eps`` on the diagonal so it never degenerates. The
history is restarted halfway through the burn-in, so the path from the start
point to the bulk of the posterior does not inflate the proposal. Several
independent chains start from over-dispersed points around ``x0``; each chain
has its own random stream spawned from one seed
(``numpy.random.SeedSequence(seed).spawn``), so a seed fixes every draw.

Draws after ``burn_in`` iterations, every ``thin``-th, are kept; convergence
is judged with the rank-normalised split R-hat and the bulk/tail effective
sample sizes of :mod:`hftlab.algo.mcmc_diagnostics` (R-hat < 1.01 and bulk
ESS >= 400, Vehtari et al. 2021).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hftlab import cancel
from hftlab.algo import mcmc_diagnostics as diag
from hftlab.errors import InvalidInput
from hftlab.results import Result

RHAT_LIMIT = 1.01
ESS_MINIMUM = 400
_ADAPTATION_START = 100
_EPSILON = 1e-8
_START_TRIES = 100


@dataclass(frozen=True)
class MCMCResult(Result):
    """Posterior draws and their summary.

    Attributes
    ----------
    objective : str
        ``"ou"``, ``"strategy"`` or ``"custom"`` (a user log-density).
    parameters : list of str
        Parameter names, the columns of ``samples``.
    samples : DataFrame
        Kept draws, one column per parameter; the rows are chain 0's draws,
        then chain 1's, ... (see ``chain``).
    chain : ndarray
        Chain number (int64) of each row of ``samples``.
    log_density : ndarray
        Log target density of each row of ``samples``.
    n_chains, n_draws : int
        Chains, and kept draws per chain.
    acceptance_rate : float
        Fraction of accepted proposals after burn-in, all chains.
    chain_acceptance_rates : list of float
        The same per chain.
    rhat, ess, ess_tail : dict
        Per parameter: rank-normalised split R-hat, bulk and tail ESS.
    mean, std : dict
        Posterior mean and standard deviation per parameter.
    credible_intervals : DataFrame
        Per parameter (rows): equal-tailed ``lower``, ``median``, ``upper``.
    credible_level : float
        Probability mass inside each interval.
    best_parameters : dict
        The draw with the highest log density (posterior mode estimate).
    best_log_density : float
        Its log density.
    mle : dict
        The maximum-likelihood estimate when the objective has a closed form
        (the OU posterior); empty otherwise.
    converged : bool
        Every R-hat < 1.01 and every bulk ESS >= 400.
    message : str
        The convergence verdict in words.
    """

    objective: str
    parameters: list[str]
    samples: pd.DataFrame
    chain: np.ndarray
    log_density: np.ndarray
    n_chains: int
    n_draws: int
    acceptance_rate: float
    chain_acceptance_rates: list[float]
    rhat: dict[str, float]
    ess: dict[str, float]
    ess_tail: dict[str, float]
    mean: dict[str, float]
    std: dict[str, float]
    credible_intervals: pd.DataFrame
    credible_level: float
    best_parameters: dict[str, float]
    best_log_density: float
    mle: dict[str, float]
    converged: bool
    message: str

    def draws(self, parameter: str) -> np.ndarray:
        """``(n_chains, n_draws)`` array of one parameter's kept draws."""
        return self.samples[parameter].to_numpy().reshape(self.n_chains, self.n_draws)

    def plot_trace(self):
        """One panel per parameter: each chain's draws against the iteration."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        fig = make_subplots(
            rows=len(self.parameters),
            cols=1,
            shared_xaxes=True,
            subplot_titles=[f"{p} (R-hat {self.rhat[p]:.3f})" for p in self.parameters],
        )
        for row, parameter in enumerate(self.parameters, start=1):
            for c, values in enumerate(self.draws(parameter)):
                fig.add_trace(
                    go.Scattergl(
                        y=values,
                        mode="lines",
                        name=f"chain {c}",
                        line={"width": 1},
                        legendgroup=str(c),
                        showlegend=row == 1,
                    ),
                    row=row,
                    col=1,
                )
        fig.update_layout(height=180 * len(self.parameters) + 80, title="Trace plots")
        return fig

    def plot_corner(self, truths: dict[str, float] | None = None):
        """Corner plot: histograms on the diagonal, pairwise scatter below (``truths`` marked)."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        names, d = self.parameters, len(self.parameters)
        fig = make_subplots(rows=d, cols=d, horizontal_spacing=0.03, vertical_spacing=0.03)
        for i, y_name in enumerate(names):
            for j, x_name in enumerate(names[: i + 1]):
                x = self.samples[x_name]
                if i == j:
                    fig.add_trace(go.Histogram(x=x, nbinsx=40, showlegend=False), row=i + 1, col=j + 1)
                else:
                    fig.add_trace(
                        go.Scattergl(
                            x=x,
                            y=self.samples[y_name],
                            mode="markers",
                            showlegend=False,
                            marker={"size": 2, "opacity": 0.3},
                        ),
                        row=i + 1,
                        col=j + 1,
                    )
                if truths and x_name in truths:
                    fig.add_vline(x=truths[x_name], line_color="red", row=i + 1, col=j + 1)
                if i == d - 1:
                    fig.update_xaxes(title_text=x_name, row=i + 1, col=j + 1)
            fig.update_yaxes(title_text=y_name, row=i + 1, col=1)
        fig.update_layout(height=220 * d + 60, width=220 * d + 80, title="Posterior (corner plot)")
        return fig


def _log_density_at(log_density: Callable[[np.ndarray], float], x: np.ndarray) -> float:
    value = log_density(x.copy())
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"'log_density' must return a number; got {value!r} at {x.tolist()}.") from None
    return value if value == value else -np.inf  # NaN counts as outside the support


def _starting_point(log_density, x0: np.ndarray, scale: np.ndarray, rng: np.random.Generator):
    """``x0`` plus a 2-sigma-of-the-proposal jitter (over-dispersed), shrunk until the density is finite."""
    jitter = 2.0
    for _ in range(_START_TRIES):
        x = x0 + jitter * scale * rng.standard_normal(len(x0))
        value = _log_density_at(log_density, x)
        if np.isfinite(value):
            return x, value
        jitter /= 2
    return x0.copy(), _log_density_at(log_density, x0)


def adaptive_metropolis(
    log_density: Callable[[np.ndarray], float],
    x0: np.ndarray,
    scale: np.ndarray,
    n_draws: int,
    n_chains: int,
    burn_in: int,
    thin: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """Run ``n_chains`` adaptive Metropolis chains (Haario et al. 2001, eqs. 2-3).

    ``scale`` is the initial proposal standard deviation of each coordinate.
    The chains advance in lockstep (one batched covariance update per
    iteration), each with its own random stream. Returns the kept draws
    ``(m, n, d)``, their log densities ``(m, n)`` and each chain's acceptance
    rate after burn-in. Raises :class:`InvalidInput` when ``x0`` has no finite
    log density.
    """
    start_value = _log_density_at(log_density, x0)
    if not np.isfinite(start_value):
        raise InvalidInput(f"'x0' must have a finite log density; got {start_value} at {x0.tolist()}.")
    m, d = n_chains, len(x0)
    s_d = 2.4**2 / d
    total = burn_in + n_draws * thin
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(m)]
    starts = [_starting_point(log_density, x0, scale, rng) for rng in rngs]
    steps = np.stack([rng.standard_normal((total, d)) for rng in rngs], axis=1)
    log_uniforms = np.stack([np.log(rng.uniform(size=total)) for rng in rngs], axis=1)
    x = np.array([point for point, _ in starts])
    log_p = np.array([value for _, value in starts])
    mean, scatter, count = x.copy(), np.zeros((m, d, d)), 1  # history mean, squared deviations, size
    chol = np.tile(np.diag(scale), (m, 1, 1))
    floor = s_d * _EPSILON * np.diag(scale**2)
    kept, kept_log_p = np.empty((m, n_draws, d)), np.empty((m, n_draws))
    accepted = np.zeros(m)
    for t in range(total):
        cancel.check()
        proposals = x + np.einsum("cij,cj->ci", chol, steps[t])
        log_q = np.array([_log_density_at(log_density, proposal) for proposal in proposals])
        accept = log_uniforms[t] < log_q - log_p
        x = np.where(accept[:, None], proposals, x)
        log_p = np.where(accept, log_q, log_p)
        if t >= burn_in:
            accepted += accept
        if t == burn_in // 2:  # forget the way in from the start point
            mean, scatter, count = x.copy(), np.zeros((m, d, d)), 0
        count += 1
        delta = x - mean  # Welford update of each chain's history mean and covariance
        mean = mean + delta / count
        scatter += delta[:, :, None] * (x - mean)[:, None, :]
        if count >= _ADAPTATION_START:
            chol = np.linalg.cholesky(s_d * scatter / (count - 1) + floor)
        if t >= burn_in and (t - burn_in) % thin == thin - 1:
            kept[:, (t - burn_in) // thin], kept_log_p[:, (t - burn_in) // thin] = x, log_p
    return kept, kept_log_p, [float(a) for a in accepted / (total - burn_in)]


def summarize(
    objective: str,
    parameters: list[str],
    draws: np.ndarray,
    log_densities: np.ndarray,
    acceptance: list[float],
    credible_level: float,
    mle: dict[str, float] | None = None,
) -> MCMCResult:
    """Diagnostics and posterior summary of ``(m, n, p)`` draws of the named parameters."""
    m, n, _ = draws.shape
    samples = pd.DataFrame(draws.reshape(m * n, -1), columns=parameters)
    per = {name: draws[:, :, i] for i, name in enumerate(parameters)}
    rhat = {name: diag.rhat(values) for name, values in per.items()}
    ess = {name: diag.ess_bulk(values) for name, values in per.items()}
    tail = (1 - credible_level) / 2
    intervals = samples.quantile([tail, 0.5, 1 - tail]).T
    intervals.columns = ["lower", "median", "upper"]
    best = int(np.argmax(log_densities.reshape(-1)))
    bad_rhat = [p for p in parameters if not rhat[p] < RHAT_LIMIT]
    low_ess = [p for p in parameters if ess[p] < ESS_MINIMUM]
    converged = not bad_rhat and not low_ess
    if converged:
        message = f"Converged: R-hat < {RHAT_LIMIT} and bulk ESS >= {ESS_MINIMUM} for every parameter."
    else:
        problems = [f"R-hat >= {RHAT_LIMIT} for {bad_rhat}"] if bad_rhat else []
        problems += [f"bulk ESS < {ESS_MINIMUM} for {low_ess}"] if low_ess else []
        message = f"NOT converged: {'; '.join(problems)}. Raise n_samples or burn_in."
    return MCMCResult(
        objective=objective,
        parameters=list(parameters),
        samples=samples,
        chain=np.repeat(np.arange(m, dtype=np.int64), n),
        log_density=log_densities.reshape(-1).copy(),
        n_chains=m,
        n_draws=n,
        acceptance_rate=float(np.mean(acceptance)),
        chain_acceptance_rates=list(acceptance),
        rhat=rhat,
        ess=ess,
        ess_tail={name: diag.ess_tail(values) for name, values in per.items()},
        mean={name: float(samples[name].mean()) for name in parameters},
        std={name: float(samples[name].std()) for name in parameters},
        credible_intervals=intervals,
        credible_level=credible_level,
        best_parameters={name: float(samples[name].iloc[best]) for name in parameters},
        best_log_density=float(log_densities.reshape(-1)[best]),
        mle=dict(mle or {}),
        converged=converged,
        message=message,
    )


def sample_log_density(
    log_density: Callable[[np.ndarray], float],
    x0: np.ndarray,
    parameter_names: list[str],
    proposal_scale: np.ndarray,
    n_samples: int,
    n_chains: int,
    burn_in: int,
    thin: int,
    seed: int,
    credible_level: float,
) -> MCMCResult:
    """Sample a user log-density (local backend only: a Python callable cannot travel over gRPC)."""
    draws, log_densities, acceptance = adaptive_metropolis(
        log_density, x0, proposal_scale, n_samples, n_chains, burn_in, thin, seed
    )
    return summarize("custom", parameter_names, draws, log_densities, acceptance, credible_level)

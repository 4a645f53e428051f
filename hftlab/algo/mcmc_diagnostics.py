"""Convergence diagnostics of Markov chains: rank-normalised split R-hat and effective sample size.

After Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021), "Rank-normalization,
folding, and localization: an improved R-hat for assessing convergence of
MCMC", Bayesian Analysis 16(2):

- the chains are split in halves (so a trend inside a chain shows as
  between-chain disagreement), the draws pooled and rank-normalised
  (``z = Phi^-1((rank - 3/8) / (S + 1/4))``);
- R-hat is Gelman & Rubin's (1992) potential scale reduction
  ``sqrt(((n-1)/n W + B/n) / W)`` of the rank-normalised split chains (bulk)
  and of the folded draws ``|x - median|`` (tails); the larger is reported;
- the effective sample size sums the autocorrelations estimated across
  chains (FFT autocovariances) up to Geyer's (1992) initial monotone sequence.

Input arrays are ``(n_chains, n_draws)`` for one parameter.
"""

from __future__ import annotations

import numpy as np
from scipy.fft import next_fast_len
from scipy.stats import norm, rankdata


def split_chains(draws: np.ndarray) -> np.ndarray:
    """Each chain cut into its first and last halves: ``(2m, n // 2)`` (a middle odd draw dropped)."""
    half = draws.shape[1] // 2
    return np.vstack([draws[:, :half], draws[:, draws.shape[1] - half :]])


def rank_normalize(draws: np.ndarray) -> np.ndarray:
    """Pooled ranks (ties averaged) mapped to normal scores with Blom's offsets."""
    ranks = rankdata(draws, method="average").reshape(draws.shape)
    return norm.ppf((ranks - 0.375) / (draws.size + 0.25))


def _potential_scale_reduction(chains: np.ndarray) -> float:
    n = chains.shape[1]
    between = n * np.var(chains.mean(axis=1), ddof=1)
    within = np.mean(np.var(chains, axis=1, ddof=1))
    return float(np.sqrt((between / within + n - 1) / n))


def _constant(draws: np.ndarray) -> bool:
    return bool(np.ptp(draws) < np.finfo(float).resolution * max(1.0, np.abs(draws).max()))


def rhat(draws: np.ndarray) -> float:
    """Rank-normalised split R-hat, max of bulk and folded (Vehtari et al. 2021, eq. 4 and sec. 4.2).

    NaN when every draw is the same (nothing to compare).
    """
    if _constant(draws):
        return float("nan")
    bulk = _potential_scale_reduction(rank_normalize(split_chains(draws)))
    folded = np.abs(draws - np.median(draws))
    tail = _potential_scale_reduction(rank_normalize(split_chains(folded)))
    return max(bulk, tail)


def _autocovariances(chains: np.ndarray) -> np.ndarray:
    """Biased (divided by n) autocovariance of each chain at every lag, by FFT."""
    n = chains.shape[1]
    size = next_fast_len(2 * n)
    centered = chains - chains.mean(axis=1, keepdims=True)
    spectrum = np.fft.rfft(centered, n=size, axis=1)
    return np.fft.irfft(spectrum * np.conjugate(spectrum), n=size, axis=1)[:, :n] / n


def effective_sample_size(chains: np.ndarray) -> float:
    """ESS of ``(m, n)`` chains: ``m n / tau`` with tau from Geyer's initial monotone sequence.

    Follows Vehtari et al. (2021), eqs. 10-11 (the combined-chain
    autocorrelation ``rho_t = 1 - (W - mean_m acov_t) / var_plus``) and Stan's
    implementation of the truncation.
    """
    m, n = chains.shape
    if _constant(chains):
        return float(m * n)
    acov = _autocovariances(chains)
    mean_var = acov[:, 0].mean() * n / (n - 1)
    var_plus = mean_var * (n - 1) / n + (np.var(chains.mean(axis=1), ddof=1) if m > 1 else 0.0)
    rho = np.zeros(n)
    rho[0] = 1.0
    rho_even, rho_odd = 1.0, 1.0 - (mean_var - acov[:, 1].mean()) / var_plus
    rho[1] = rho_odd
    t = 1
    while t < n - 3 and rho_even + rho_odd > 0:  # Geyer's initial positive sequence
        rho_even = 1.0 - (mean_var - acov[:, t + 1].mean()) / var_plus
        rho_odd = 1.0 - (mean_var - acov[:, t + 2].mean()) / var_plus
        if rho_even + rho_odd >= 0:
            rho[t + 1], rho[t + 2] = rho_even, rho_odd
        t += 2
    last = t - 2
    if rho_even > 0:
        rho[last + 1] = rho_even
    t = 1
    while t <= last - 2:  # ... made monotone
        if rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]:
            rho[t + 1] = rho[t + 2] = (rho[t - 1] + rho[t]) / 2
        t += 2
    tau = -1.0 + 2.0 * rho[: last + 1].sum() + rho[last + 1 : last + 2].sum()
    tau = max(tau, 1.0 / np.log10(m * n))
    return float(m * n / tau)


def ess_bulk(draws: np.ndarray) -> float:
    """Bulk ESS: the ESS of the rank-normalised split chains (Vehtari et al. 2021, sec. 4.3)."""
    if _constant(draws):
        return float(draws.size)
    return effective_sample_size(rank_normalize(split_chains(draws)))


def ess_tail(draws: np.ndarray) -> float:
    """Tail ESS: the smaller ESS of the 5% and 95% quantile indicators (Vehtari et al. 2021, sec. 4.3)."""
    if _constant(draws):
        return float(draws.size)
    split = split_chains(draws)
    low, high = np.quantile(draws, [0.05, 0.95])
    return min(
        effective_sample_size((split <= low).astype(float)),
        effective_sample_size((split <= high).astype(float)),
    )

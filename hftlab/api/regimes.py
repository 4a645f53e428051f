"""Regimes, hidden Markov models and MCMC."""

from __future__ import annotations

__all__: list[str] = []

"""Requests of the regime detection, hidden Markov models and MCMC operations."""

from __future__ import annotations

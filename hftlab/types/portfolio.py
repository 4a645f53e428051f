"""Requests of the portfolio construction (optimization, sparse portfolios, Box-Tao) operations."""

from __future__ import annotations

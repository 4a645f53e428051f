"""Live public market data from Binance, Kraken and Coinbase over their websocket protocols."""

from hftlab.market.exchanges.base import ExchangeFeed, FeedStats
from hftlab.market.exchanges.binance import BinanceFeed
from hftlab.market.exchanges.coinbase import CoinbaseFeed
from hftlab.market.exchanges.kraken import KrakenFeed

FEEDS: dict[str, type[ExchangeFeed]] = {"binance": BinanceFeed, "kraken": KrakenFeed, "coinbase": CoinbaseFeed}
"""Exchange name -> connector class."""

__all__ = ["FEEDS", "BinanceFeed", "CoinbaseFeed", "ExchangeFeed", "FeedStats", "KrakenFeed"]

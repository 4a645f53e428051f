"""Order books, the matching engine, LOBSTER replay and market-data feeds (pure computation)."""

from hftlab.market.book import BookSnapshot, L2Book
from hftlab.market.events import EVENT_DTYPE, EventKind, load_events
from hftlab.market.exchanges import BinanceFeed, CoinbaseFeed, KrakenFeed
from hftlab.market.feeds import Feed, TickBatch
from hftlab.market.lobster import read_messages, read_orderbook, replay_lobster
from hftlab.market.matching import MatchingEngine, OrderEvent, Trade
from hftlab.market.replay import LobsterReplay
from hftlab.market.replay_feed import ReplayFeed
from hftlab.market.simulated_feed import SimulatedFeed
from hftlab.market.synthetic import synthetic_lobster

__all__ = [
    "EVENT_DTYPE",
    "BinanceFeed",
    "BookSnapshot",
    "CoinbaseFeed",
    "EventKind",
    "Feed",
    "KrakenFeed",
    "L2Book",
    "LobsterReplay",
    "MatchingEngine",
    "OrderEvent",
    "ReplayFeed",
    "SimulatedFeed",
    "TickBatch",
    "Trade",
    "load_events",
    "read_messages",
    "read_orderbook",
    "replay_lobster",
    "synthetic_lobster",
]

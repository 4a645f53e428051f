"""hftlab in Jupyter: the ``%hftlab`` magics and the widgets (views over the backends).

- :mod:`hftlab.jupyter.magics`: ``%hftlab use|status|serve|stop|bench|help`` and ``%%hftlab compare``
  (registered by ``%load_ext hftlab``);
- :mod:`hftlab.jupyter.widgets`: ``BackendSwitcher``, ``BackendCompare``;
- :mod:`hftlab.jupyter.strategy`: ``StrategyExplorer``;
- :mod:`hftlab.jupyter.market`: ``OrderBookView``, ``RegimeView``;
- :mod:`hftlab.jupyter.live`: how a widget streams (bounded redraws, prompt stops);
- :mod:`hftlab.jupyter.session`: what the kernel remembers (its server, the last gRPC backend).

Modules are imported on use, so ``%load_ext hftlab`` stays quick.
"""

"""Start-up: ``import hftlab`` and ``hftlab --help`` load no heavy dependency; names load on first use.

Structural (which modules a fresh process has loaded), not timed: the times are
measured side by side with ``import pandas`` in ``benchmarks/bench_import.py``.
"""

import importlib
import json
import pickle
import subprocess
import sys

import numpy as np
import pandas as pd

import hftlab

HEAVY = ("statsmodels", "scipy.stats", "numba", "hmmlearn", "cvxpy", "sklearn", "grpc")


def _loaded_after(code: str) -> list[str]:
    """The heavy modules a fresh interpreter has loaded after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_import_hftlab_loads_no_heavy_dependency():
    assert _loaded_after("import hftlab") == []
    assert _loaded_after("import hftlab\nhftlab.errors.InvalidInput, hftlab.__version__") == []


def test_help_loads_no_heavy_dependency():
    code = "\n".join(
        (
            "import contextlib, sys",
            "from hftlab.cli import main",
            "sys.argv = ['hftlab', '--help']",
            "with contextlib.suppress(SystemExit):",
            "    main()",
        )
    )
    assert _loaded_after(code) == []


def test_an_operation_loaded_on_first_use_gives_the_same_result():
    code = "\n".join(
        (
            "import pickle, sys",
            "import numpy as np, pandas as pd",
            "import hftlab",
            "prices = pd.Series(100 + np.cumsum(np.random.default_rng(3).standard_normal(300)))",
            "sys.stdout.buffer.write(pickle.dumps(hftlab.mean_reversion(prices, lookback=20)))",
        )
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    prices = pd.Series(100 + np.cumsum(np.random.default_rng(3).standard_normal(300)))
    assert hftlab.differences(pickle.loads(done.stdout), hftlab.mean_reversion(prices, lookback=20)) == []


def test_lazy_names_are_the_modules_own():
    assert set(hftlab.OPERATIONS) == set(hftlab.api.__all__)
    for name, module in hftlab._LAZY.items():
        assert getattr(hftlab, name) is getattr(importlib.import_module(module), name)
    assert hftlab.data.lobster_sample is importlib.import_module("hftlab.data").lobster_sample
    assert set(dir(hftlab)) >= set(hftlab.__all__)

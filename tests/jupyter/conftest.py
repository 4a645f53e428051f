"""The IPython shell the magic and widget tests drive (IPython's test shell, no kernel)."""

import pytest
from IPython.testing import globalipapp

import hftlab


@pytest.fixture(scope="session")
def ip():
    """The test shell with ``%load_ext hftlab`` (started once: later ``start_ipython`` calls do nothing)."""
    globalipapp.start_ipython()
    shell = globalipapp.get_ipython()
    shell.run_line_magic("load_ext", "hftlab")
    shell.user_ns["hftlab"] = hftlab
    return shell

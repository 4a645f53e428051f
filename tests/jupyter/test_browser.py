"""The widgets in a real JupyterLab, driven through Chromium by Playwright.

Chromium and its driver come from the system package manager (installed if
missing by the ``chromium`` fixture of tests/conftest.py); Playwright is pointed
at that binary, so nothing is downloaded by Playwright itself. JupyterLab runs
headless on a free loopback port with a token, in a temporary directory holding
the test notebook; it is always stopped at the end, with the kernel and the
``%hftlab serve`` server the notebook started.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(1200)]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "reports" / "browser_widgets.png"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--no-first-run",
    "--disable-sync",
    "--disable-component-update",
    "--disable-default-apps",
    "--mute-audio",
]
CELLS = [
    "%load_ext hftlab\nimport os\nimport hftlab\n%hftlab serve\n%hftlab use local\n"
    "from hftlab.jupyter import session\n"
    "print(f'pids: kernel {os.getpid()} server {session.server().process.pid}')",
    "from hftlab.jupyter.widgets import BackendSwitcher\nBackendSwitcher()",
    "from hftlab.jupyter.strategy import StrategyExplorer\nStrategyExplorer(lookback=20)",
    "print('backend:', hftlab.backend().name)",
    "%hftlab stop",
    "%hftlab use grpc://127.0.0.1:1\nprint('went on')",
    "from hftlab.jupyter.market import OrderBookView\nbook_view = OrderBookView(batch_size=200)\nbook_view",
    "print(f'running {book_view.running}, batch {book_view.batches}')",
]


def _wait_for_lab(url: str, lab: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lab.poll() is not None:
            raise AssertionError(f"JupyterLab exited with {lab.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"JupyterLab did not answer {url} within {timeout} s:\n{log.read_text()[-3000:]}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@contextlib.contextmanager
def running_lab(directory: Path, port: int):
    """JupyterLab on loopback ``port`` serving ``directory``; yields the notebook URL, then stops it."""
    token = secrets.token_hex(16)
    home = directory / "home"
    settings = home / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    settings.parent.mkdir(parents=True)
    settings.write_text('{"fetchNews": "false", "checkForUpdates": false}')  # no news prompt, no web request
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "run"),
        "IPYTHONDIR": str(home / "ipython"),
        "JUPYTER_DATA_DIR": str(home / "data"),
    }
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={directory}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        f"--LabApp.user_settings_dir={home / 'settings'}",
        "--ServerApp.port_retries=0",
        "--ServerApp.terminals_enabled=False",
        *(["--allow-root"] if os.geteuid() == 0 else []),
    ]
    with open(directory / "lab.log", "w") as log:
        process = subprocess.Popen(command, cwd=directory, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_lab(f"http://127.0.0.1:{port}/api/status?token={token}", process, directory / "lab.log")
        yield f"http://127.0.0.1:{port}/lab/tree/widgets.ipynb?token={token}"
    finally:
        process.send_signal(signal.SIGTERM)  # shuts kernels down cleanly: they stop their %hftlab server
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_widgets_render_the_switcher_follows_the_backend_and_a_failing_magic_fails(
    tmp_path, chromium, free_port
):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, tmp_path / "widgets.ipynb")
    pids: list[int] = []
    try:
        with running_lab(tmp_path, free_port) as url:
            _drive(url, chromium, pids)
    finally:
        left = _stop_stragglers(pids)
    assert SCREENSHOT.stat().st_size > 10_000
    assert not left, f"processes left running after JupyterLab stopped: {left}"


def _drive(url: str, chromium: str, pids: list[int]) -> None:
    """Run the first cells, check the widgets rendered, click the switcher, re-run the backend cell;
    then ``%hftlab stop`` (the switcher shows local), a failing magic (its cell fails) and a
    streaming OrderBookView."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, timeout=60_000)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            page.set_default_timeout(120_000)
            expect.set_options(timeout=120_000)
            page.goto(url)
            expect(page.locator(".jp-Notebook")).to_be_visible()
            expect(page.get_by_role("button", name=re.compile(r"Python 3 .*\| Idle"))).to_be_visible()
            _cell(page, 4).locator(".jp-InputArea-editor").click()  # the magics below run later
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_text("Run All Above Selected Cell", exact=True).click()

            pids_output = page.locator(".jp-OutputArea-output", has_text="pids: kernel")
            expect(pids_output).to_be_visible()
            words = pids_output.inner_text().split()
            pids += [int(words[words.index("kernel") + 1]), int(words[words.index("server") + 1])]
            switcher = page.locator(".hftlab-backend-switcher")
            expect(switcher).to_be_visible()
            plot = page.locator(".hftlab-strategy-explorer .js-plotly-plot")
            expect(plot).to_be_visible()
            expect(plot.locator(".scatterlayer .trace").first).to_be_attached()
            _fills_its_widget(page, ".hftlab-strategy-explorer")
            printed = _cell(page, 3).locator(".jp-OutputArea-output")
            expect(printed).to_have_text("backend: local")

            switcher.get_by_role("button", name="grpc", exact=True).click()
            expect(switcher).to_contain_text("SERVING")
            _run(page, 3)
            expect(printed).to_have_text("backend: grpc")
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)

            _run(page, 4)  # %hftlab stop: the switcher follows (it showed grpc, SERVING before issue 22)
            expect(_cell(page, 4).locator(".jp-OutputArea-output")).to_contain_text("stopped; backend: local")
            expect(switcher).to_contain_text("local (in this kernel)")
            expect(switcher).not_to_contain_text("SERVING")
            expect(switcher.get_by_role("button", name="local", exact=True)).to_have_class(
                re.compile("mod-active")
            )

            _run(page, 5)  # a failing magic fails its cell: the line after it does not run
            failed = _cell(page, 5).locator(".jp-OutputArea-output")
            expect(failed).to_contain_text("BackendUnavailable: no hftlab server serving at grpc://127.0.0.1:1")
            expect(failed).not_to_contain_text("went on")
            expect(failed).not_to_contain_text("Traceback")
            _stream(page)
        finally:
            browser.close()


def _fills_its_widget(page, widget: str) -> None:
    """The widget's plot is as wide as the widget (plotly's default was 700 px of it)."""
    box = page.locator(widget).bounding_box()
    svg = page.locator(f"{widget} .js-plotly-plot .main-svg").first
    deadline = time.monotonic() + 30
    while svg.bounding_box()["width"] < box["width"] - 4 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert box["width"] - 4 <= svg.bounding_box()["width"] <= box["width"], (box, svg.bounding_box())


def _stream(page) -> None:
    """OrderBookView streams in the background: the header moves on; after Stop, and after an
    interrupt of the idle kernel, the thread has ended and the header shows the view's last batch;
    closing the widget's view (clearing its output) ends a stream too."""
    from playwright.sync_api import expect

    _run(page, 6)
    view = page.locator(".hftlab-order-book")
    title, start = view.locator(".gtitle"), view.get_by_role("button", name="Start")
    state = _cell(page, 7).locator(".jp-OutputArea-output")
    expect(view.locator(".js-plotly-plot")).to_be_visible()
    _fills_its_widget(page, ".hftlab-order-book")
    for stop in ("button", "interrupt"):
        start.click()
        expect(title).to_contain_text(re.compile(r"batch \d+, [\d,]+ ticks .*on local"))
        shown = _batch(title.text_content())
        expect(title).not_to_contain_text(f"batch {shown},")  # it moves on
        if stop == "button":
            view.get_by_role("button", name="Stop").click()
        else:
            page.get_by_role("menuitem", name="Kernel", exact=True).click()
            page.get_by_text("Interrupt Kernel", exact=True).click()
        expect(start).to_be_enabled()
        _run(page, 7)
        expect(state).to_contain_text("running False")
        assert _batch(state.inner_text()) == _batch(title.text_content())
    printed = state.inner_text()
    start.click()  # then the widget's only view is closed (its output cleared): the stream stops by itself
    expect(title).not_to_contain_text(f"batch {_batch(title.text_content())},")
    _cell(page, 6).locator(".jp-InputArea-editor").click(button="right")
    page.get_by_text("Clear Cell Output", exact=True).click()
    expect(view).to_have_count(0)
    for _ in range(20):  # the stream ends within a batch read of the view closing: ask until it has
        _run(page, 7)
        expect(state).not_to_have_text(printed)
        printed = state.inner_text()
        if "running False" in printed:
            break
        time.sleep(0.5)
    assert "running False" in printed, printed


def _batch(title: str) -> int:
    return int(re.search(r"batch (\d+)", title).group(1))


def _cell(page, index: int):
    return page.locator(".jp-CodeCell").nth(index)


def _run(page, index: int) -> None:
    """Run one code cell (click into it, Ctrl+Enter)."""
    _cell(page, index).locator(".jp-InputArea-editor").click()
    page.keyboard.press("Control+Enter")


def _stop_stragglers(pids: list[int]) -> list[int]:
    """Wait for the kernel and its server to end with JupyterLab; kill (and return) any left."""
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.5)
    left = [pid for pid in pids if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left

"""Executed notebooks made small and readable offline: the pages of ``hftlab report``.

Plotly's ``notebook`` renderer puts the whole plotly.js (about 5 MB) into the first
figure's output and every figure twice (its JSON for JupyterLab, an HTML copy that
loads require.js and MathJax from a CDN). :func:`slim` keeps the JSON only;
:func:`notebook_html` draws each figure from it with the one ``plotly.min.js`` of the
report folder (:func:`write_plotly_js`), writes TeX in Markdown as MathML (which
browsers render without scripts, via ``latex2mathml``) and uses nbconvert's ``lab``
template without its CDN scripts (require.js, MathJax, Mermaid, the widget manager).
Widgets need a kernel: the page names them instead.
"""

from __future__ import annotations

import copy
import html
import os
import re
from pathlib import Path
from typing import Any

PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
PLOTLY_JS = "plotly.min.js"
"""The file every page with a figure loads from its own folder."""

_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}
{%- if resources.plotly_js -%}<script src="{{ resources.plotly_js }}" charset="utf-8"></script>{%- endif -%}
{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""
_MATH = re.compile(r"(`+)(?:.|\n)*?\1|\$\$((?:.|\n)+?)\$\$|(?<![\\$])\$([^$\n]+?)\$")


def _is_plotly_bundle(output: dict[str, Any]) -> bool:
    """The output by which plotly's ``notebook`` renderer loads plotly.js into the page."""
    data = output.get("data", {})
    return set(data) == {"text/html"} and "window.PlotlyConfig" in data["text/html"][:400]


def slim(nb: Any) -> Any:
    """Drop the plotly.js bundle and the HTML copies of figures from ``nb`` (in place)."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = [output for output in cell.outputs if not _is_plotly_bundle(output)]
        for output in cell.outputs:
            if PLOTLY_MIME in output.get("data", {}):
                output["data"].pop("text/html", None)
    return nb


def figures(nb: Any) -> list[dict[str, Any]]:
    """The plotly figures (JSON) shown by ``nb``, in order."""
    return [
        output["data"][PLOTLY_MIME]
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if PLOTLY_MIME in output.get("data", {})
    ]


def _figure_html(figure: dict[str, Any]) -> str:
    import plotly.io as pio

    return pio.to_html(figure, include_plotlyjs=False, include_mathjax=False, full_html=False, validate=False)


def _widget_note(output: dict[str, Any]) -> str:
    name = output["data"].get("text/plain", "widget").split("(", 1)[0].strip() or "widget"
    return (
        f"<div style='color:#555;font-style:italic;border:1px dashed #bbb;padding:4px 8px'>"
        f"interactive {html.escape(name)}: run the notebook in JupyterLab to use it</div>"
    )


def math_to_mathml(markdown: str) -> str:
    """``$…$`` and ``$$…$$`` of ``markdown`` as MathML (code spans are left alone)."""
    from latex2mathml.converter import convert

    def replace(match: re.Match) -> str:
        if match.group(1):
            return match.group(0)
        block = match.group(2)
        return convert(block.strip(), display="block") if block else convert(match.group(3))

    return _MATH.sub(replace, markdown)


def notebook_html(nb: Any) -> str:
    """The offline HTML page of executed notebook ``nb`` (not modified)."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    page = copy.deepcopy(nb)
    has_figures = False
    for cell in page.cells:
        if cell.cell_type == "markdown":
            cell.source = math_to_mathml(cell.source)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if PLOTLY_MIME in data:
                data["text/html"] = _figure_html(data.pop(PLOTLY_MIME))
                has_figures = True
            elif WIDGET_MIME in data:
                output["data"] = {"text/html": _widget_note(output)}
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"hftlab_report.html.j2": _TEMPLATE})],
        template_file="hftlab_report.html.j2",
    )
    body, _ = exporter.from_notebook_node(page, resources={"plotly_js": PLOTLY_JS if has_figures else ""})
    return body


def write_plotly_js(folder: Path) -> Path:
    """``folder/plotly.min.js`` (plotly's own bundle), written once (atomically) per folder."""
    path = folder / PLOTLY_JS
    if not path.exists():
        from plotly.offline import get_plotlyjs

        partial = folder / f".{PLOTLY_JS}.{os.getpid()}.{id(path)}"
        partial.write_text(get_plotlyjs(), encoding="utf-8")
        partial.replace(path)
    return path

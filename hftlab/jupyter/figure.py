"""Plotly figure widgets as wide as their widget.

plotly's ``FigureWidget`` (an anywidget) draws its figure as soon as the view is
rendered, before JupyterLab attaches it to the page: the figure then has no width
to measure and takes plotly's default of 700 px (about 620 px of a 968 px widget),
and it never resizes (its resize handling listens to Lumino messages, which an
anywidget does not get). :func:`figure_widget` makes the same widget with plotly's
own front-end module wrapped: the figure is drawn once its element has a width,
with plotly's ``responsive`` option, and redrawn (plotly's own responsive handler)
whenever a ``ResizeObserver`` sees the element change size.
"""

from __future__ import annotations

import functools
import re
from typing import Any

_EXPORT = re.compile(r"export\{(\w+) as FigureModel,(\w+) as FigureView,(\w+) as default\};")
_WRAPPER = """
export default () => {
  const widget = plotlyWidget();
  return {
    initialize(context) { return widget.initialize(context); },
    render(context) {
      const el = context.el;
      let remove = null;
      const observer = new ResizeObserver(() => {
        if (!el.clientWidth) return;
        if (remove === null) remove = widget.render(context) || (() => {});
        else if (el._responsiveChartHandler) el._responsiveChartHandler();
      });
      observer.observe(el);
      return () => { observer.disconnect(); if (remove) remove(); };
    },
  };
};
"""


@functools.cache
def _widget_class() -> type:
    import plotly.graph_objects as go

    source = str(go.FigureWidget._esm)  # anywidget's FileContents of plotly's widgetbundle.js
    found = list(_EXPORT.finditer(source))
    if len(found) != 1:
        raise RuntimeError("plotly's widget module no longer ends with the export hftlab wraps")
    model, view, default = found[0].groups()
    module = (
        source[: found[0].start()]
        + f"const plotlyWidget = {default};\nexport {{{model} as FigureModel, {view} as FigureView}};"
        + _WRAPPER
        + source[found[0].end() :]
    )
    return type(
        "FigureWidget",
        (go.FigureWidget,),
        {"_esm": module, "__module__": __name__, "__doc__": "plotly's FigureWidget, as wide as its widget."},
    )


def figure_widget(figure: Any = None, **kwargs: Any):
    """A ``plotly.graph_objects.FigureWidget`` of ``figure`` that fills its widget's width."""
    widget = _widget_class()(figure, **kwargs)
    widget._config = {**widget._config, "responsive": True}
    return widget

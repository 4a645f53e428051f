"""Golden values: what each notebook must record for its test parameters.

``tests/golden/<notebook stem>.json`` = ``{"parameters": {...small test parameters...},
"values": {name: {"value": v, "rtol": r, "atol": a}}}``. Numbers compare within
rtol/atol (default rtol 1e-7, atol 0), lists element-wise, everything else
exactly. ``hftlab report --update-golden`` rewrites the values on purpose.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

DEFAULT_RTOL = 1e-7


def load_golden(path: str | Path) -> dict[str, Any]:
    """Read a golden file (see above); a missing ``values`` table means "not yet recorded"."""
    golden = json.loads(Path(path).read_text())
    golden.setdefault("parameters", {})
    golden.setdefault("values", {})
    return golden


def _close(actual: Any, expected: Any, rtol: float, atol: float) -> bool:
    if isinstance(expected, bool) or not isinstance(expected, (int, float, list)):
        return actual == expected
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(_close(a, e, rtol, atol) for a, e in zip(actual, expected, strict=True))
        )
    if isinstance(actual, bool) or not isinstance(actual, (int, float)):
        return False
    return math.isclose(actual, expected, rel_tol=rtol, abs_tol=atol)


def golden_differences(values: dict[str, Any], golden: dict[str, Any]) -> list[str]:
    """Readable lines, one per recorded value that is missing or off its golden value."""
    lines = []
    for name, spec in golden["values"].items():
        if name not in values:
            lines.append(f"{name}: not recorded (golden {spec['value']!r})")
            continue
        rtol, atol = spec.get("rtol", DEFAULT_RTOL), spec.get("atol", 0.0)
        if not _close(values[name], spec["value"], rtol, atol):
            lines.append(f"{name}: got {values[name]!r}, golden {spec['value']!r} (rtol {rtol}, atol {atol})")
    for name in sorted(set(values) - set(golden["values"])):
        lines.append(f"{name}: recorded but not in the golden file (run --update-golden)")
    return lines


def update_golden(path: str | Path, values: dict[str, Any]) -> None:
    """Rewrite the golden ``values`` of ``path`` from ``values``, keeping each tolerance."""
    path = Path(path)
    golden = load_golden(path)
    golden["values"] = {
        name: {**golden["values"].get(name, {}), "value": value} for name, value in values.items()
    }
    path.write_text(json.dumps(golden, indent=2, sort_keys=True) + "\n")

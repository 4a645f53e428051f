"""The package's layers (DESIGN.md): import-linter's contract in pyproject.toml, and private
modules and names used only inside their own package."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "hftlab"


def test_each_package_imports_only_the_layers_below_it():
    linter = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "Contracts: 1 kept, 0 broken." in done.stdout


def _owner(parts: list[str]) -> str:
    """The package holding the private module or name ``parts[-1]``."""
    parent = parts[:-1]
    return ".".join(parent if ROOT.joinpath(*parent).is_dir() else parent[:-1])


def private_imports_across_packages() -> list[str]:
    found = []
    for path in PACKAGE.rglob("*.py"):
        if "v1" in path.parts:  # generated code
            continue
        package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("hftlab"):
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names if alias.name.startswith("hftlab")]
            else:
                continue
            for name in names:
                parts = name.split(".")
                private = [i for i, part in enumerate(parts) if part[:1] == "_" and part[:2] != "__"]
                if private:
                    owner = _owner(parts[: private[0] + 1])
                    if package != owner and not package.startswith(owner + "."):
                        found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_private_modules_and_names_stay_in_their_package():
    assert private_imports_across_packages() == []

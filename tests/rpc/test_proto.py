"""The committed generated code is exactly what `make proto` produces from the .proto."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_generated_code_is_up_to_date(tmp_path):
    spec = importlib.util.spec_from_file_location("generate", ROOT / "proto" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    fresh = generate.generate(tmp_path)
    committed = ROOT / "hftlab" / "rpc" / "v1"
    assert sorted(p.name for p in fresh) == sorted(p.name for p in committed.glob("*.py*"))
    for path in fresh:
        assert path.read_text() == (committed / path.name).read_text(), (
            f"{path.name} is stale: run `make proto` and commit the result"
        )

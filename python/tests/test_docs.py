"""docs/python.md's Python blocks run, in order, in one namespace, from
the repository's root: the page stays true."""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_python_block_of_the_guide_runs():
    text = (ROOT / "docs" / "python.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 10
    namespace = {}
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        for i, block in enumerate(blocks):
            try:
                exec(compile(block, f"docs/python.md block {i + 1}", "exec"), namespace)
            except Exception as err:  # noqa: BLE001 - say which block failed
                raise AssertionError(f"docs/python.md block {i + 1} failed: {err!r}\n{block}") from err
    finally:
        os.chdir(cwd)

"""The README's Python example prints what the README says it prints (docs true to the code). The readme_examples
test (tests/docs) runs it too, but only checks that it exits 0."""
import os
import re
import subprocess
import sys

import pytest


def test_readme_python_example_prints_what_the_readme_states():
    source = os.environ.get("PHYSEC_SOURCE_DIR")
    if not source:
        pytest.skip("PHYSEC_SOURCE_DIR not set (run through CTest)")
    text = open(os.path.join(source, "README.md"), encoding="utf-8").read()
    blocks = re.findall(r"```python\n(.*?)```\nprints[^\n]*\n```\n(.*?)```", text, flags=re.S)
    assert blocks, "no ```python example followed by its `prints` block in README.md"
    for code, printed in blocks:
        r = subprocess.run([sys.executable, "-"], input=code, text=True, capture_output=True)
        assert r.returncode == 0, r.stderr
        assert r.stdout == printed

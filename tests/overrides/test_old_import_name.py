"""The package's name until 0.3.0 still imports, for one release, and says what to change."""

from __future__ import annotations

import subprocess
import sys


def test_the_old_name_gives_the_same_public_names_with_a_deprecation_warning() -> None:
    """A fresh interpreter, so that the warning is the first import's (a module warns once, when it loads)."""
    program = (
        "import warnings\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    import openai_api_overrides as old\n"
        "import openai_api\n"
        "assert old.OpenAI is openai_api.OpenAI and old.APIStatusError is openai_api.APIStatusError\n"
        "assert old.__all__ == openai_api.__all__\n"
        "(warning,) = [w for w in caught if issubclass(w.category, DeprecationWarning)]\n"
        "print(warning.filename, warning.message, sep='\\n')\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    filename, message = done.stdout.splitlines()
    assert message == (
        "the package 'openai_api_overrides' is now 'openai_api': change the import (the old name goes in 0.4.0)"
    )
    assert filename == "<string>", "the warning points at the user's import line, not at the alias"

"""Drop the outputs that nbval does not check from the example notebooks.

nbval compares each cell's stored output with a fresh run, except in cells whose first line is
``# NBVAL_IGNORE_OUTPUT`` (pictures, timings, widgets). Their outputs change on every run and
would only bloat the repository, so they are not kept. After editing a notebook::

    (cd notebooks && ../.venv/bin/jupyter nbconvert --to notebook --execute --inplace X.ipynb)
    .venv/bin/python scripts/strip_notebooks.py notebooks/X.ipynb
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

MARKER = "# NBVAL_IGNORE_OUTPUT"


def strip(path: Path) -> int:
    """Clear the ignored cells' outputs in place; returns how many cells were cleared."""
    notebook = nbformat.read(path, as_version=4)
    cleared = 0
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.startswith(MARKER) and cell.outputs:
            cell.outputs = []
            cell.execution_count = None
            cleared += 1
    nbformat.write(notebook, path)
    return cleared


if __name__ == "__main__":
    for name in sys.argv[1:] or [str(p) for p in sorted(Path("notebooks").rglob("*.ipynb"))]:
        print(f"{name}: cleared {strip(Path(name))} cells")

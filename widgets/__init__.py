"""ipywidgets editors for vidkit, built only on vidkit's public API.

Everything here runs in JupyterLab and in Voila apps. The library (:mod:`vidkit`) never imports
this package.
"""

from __future__ import annotations

from widgets.errors import ErrorBox, describe_error

__all__ = ["ErrorBox", "describe_error"]

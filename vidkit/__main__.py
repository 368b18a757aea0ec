"""``python -m vidkit``: the same as the ``vidkit`` command (for MCP clients and others that
start a module rather than a script)."""

from vidkit.cli import main

raise SystemExit(main())

"""``python -m vidkit.cli``: the same as the ``vidkit`` command."""

from vidkit.cli import main

raise SystemExit(main())

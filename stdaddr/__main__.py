"""``python -m stdaddr`` is the ``stdaddr`` command."""

from stdaddr.cli import main

raise SystemExit(main())

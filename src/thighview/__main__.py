"""``python -m thighview`` runs the same CLI as the ``thighview`` command."""

from thighview.cli import main

raise SystemExit(main())

"""One module per ``thighview`` subcommand (see :mod:`thighview.cli`)."""

"""`python -m cpo_xl.cli`."""

from cpo_xl.cli.main import main

raise SystemExit(main())

from dim_revision.cli import main

raise SystemExit(main())

import multiprocessing

# The frozen build: a spawned child (the order reader's process) starts here and never reaches
# the CLI below.
multiprocessing.freeze_support()

from dim_revision.cli import main  # noqa: E402

raise SystemExit(main())

"""python -m bench.serving → bench.serving.run.main."""

from bench.serving.run import main

raise SystemExit(main())

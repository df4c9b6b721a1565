from visdesk.cli import main

raise SystemExit(main())

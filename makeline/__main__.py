from makeline.cli import main

raise SystemExit(main())

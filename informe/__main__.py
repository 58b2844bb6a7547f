import sys

from informe.cli import main

sys.exit(main())

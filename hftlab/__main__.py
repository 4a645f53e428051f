import sys

from hftlab.cli import main

sys.exit(main())

import sys

from docintake.cli import main

sys.exit(main())

"""`python -m clusterkg.cli` runs the command line."""

from . import main

main()

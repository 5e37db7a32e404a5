"""`python -m camscan` is the `camscan` command."""

from camscan.cli import main

main()

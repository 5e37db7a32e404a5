"""Test-wide settings: every camscan run started by the tests records its history in a
throw-away database, never in the user's own."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("CAMSCAN_DB", os.path.join(tempfile.mkdtemp(prefix="camscan-test-db-"), "history.sqlite3"))

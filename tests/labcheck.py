"""Whether this machine can build the namespace lab, for the lab test modules' skip line: root,
iproute2 with network namespaces, and the tools a module names (one place for the reasons)."""

from __future__ import annotations

import os
import shutil
import subprocess


def lab_unavailable(*tools: str) -> str:
    """Why the lab cannot be built here ("" when it can)."""
    if os.geteuid() != 0:
        return "needs root to build network namespaces"
    if not shutil.which("ip") or subprocess.run(["ip", "netns", "list"], capture_output=True).returncode:
        return "iproute2 with network namespace support is missing"
    for tool in tools:
        if not shutil.which(tool):
            return f"{tool} is missing (./scripts/setup installs it)"
    return ""

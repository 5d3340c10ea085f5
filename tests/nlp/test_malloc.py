"""bot/nlp/malloc.py: with the mmap threshold pinned, freed large buffers leave the process."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import textwrap

import pytest

from bot.nlp import malloc
from tests.support.servers import PROJECT_ROOT

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")

# In a fresh interpreter: free one 8 MiB buffer (glibc then raises its mmap threshold to 8 MiB),
# allocate and free 64 buffers of 1 MiB under some small objects, print how many MB stay resident.
PROBE = textwrap.dedent("""
    import sys
    from bot.nlp.malloc import pin_mmap_threshold
    def rss_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    if sys.argv[1] == "pin":
        assert pin_mmap_threshold()
    big = b"x" * (8 << 20); del big
    before = rss_mb()
    blocks = [b"y" * (1 << 20) for _ in range(64)]
    keep = [b"z" * 100 for _ in range(1000)]
    del blocks
    print(rss_mb() - before)
""")


def _resident_after_free(mode: str) -> int:
    # glibc's defaults, whatever the environment sets (MALLOC_*_ variables, GLIBC_TUNABLES)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"}
    out = subprocess.run([sys.executable, "-c", PROBE, mode], cwd=PROJECT_ROOT, capture_output=True,
                         text=True, timeout=60, check=True, env=env)
    return int(out.stdout.strip())


def test_freed_buffers_stay_resident_with_glibcs_moving_threshold():
    assert _resident_after_free("default") >= 48  # the problem the module exists for


def test_pinned_threshold_returns_freed_buffers():
    assert _resident_after_free("pin") <= 8


def test_pin_is_idempotent():
    assert malloc.pin_mmap_threshold() is True
    assert malloc.pin_mmap_threshold() is True

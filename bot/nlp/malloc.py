"""Keep the Rasa server from holding on to the memory it frees while it loads the model.

glibc's malloc serves blocks of 128 KiB and more with ``mmap`` and gives them back to the system
when they are freed, but each time such a block is freed it raises that threshold to the block's
size (up to 32 MiB). Loading TensorFlow and our model frees many large buffers, so the threshold
climbs and the buffers that follow come from the heap instead, where freed memory mostly stays
resident. Measured on our model (bench/README.md): 952 MB resident after loading and one parse
with glibc's moving threshold, 828 MB with the threshold held at its default, and the same after
300 messages.

:func:`pin_mmap_threshold` holds it at 128 KiB (glibc's own default; setting it explicitly turns
the adjustment off). It is called where the speed-ups are installed, when the model's first
component loads, i.e. before the model's buffers are allocated. On a C library other than glibc
it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import platform

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # <malloc.h>
DEFAULT_MMAP_THRESHOLD = 128 * 1024
_pinned = False


def pin_mmap_threshold(threshold: int = DEFAULT_MMAP_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold at ``threshold`` bytes; True if it was set (idempotent)."""
    global _pinned
    if _pinned:
        return True
    if platform.libc_ver()[0] != "glibc":
        log.debug("not glibc: malloc thresholds left alone")
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        _pinned = libc.mallopt(M_MMAP_THRESHOLD, threshold) == 1
    except (OSError, AttributeError) as error:
        log.warning("could not pin malloc's mmap threshold: %s", error)
        return False
    if not _pinned:
        log.warning("mallopt(M_MMAP_THRESHOLD, %d) refused", threshold)
    return _pinned

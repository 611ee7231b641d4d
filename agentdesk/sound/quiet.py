"""Keeping ALSA, JACK and PortAudio's messages off the terminal: they go to the log instead.

The C libraries write straight to file descriptor 2, below Python's `sys.stderr`, so the descriptor itself is
pointed at a temporary file while PyAudio starts (and, outside the desk, while a device opens), then put back and
what was caught is logged. The desk's screen is drawn on descriptor 2 too (Textual writes to stderr), so while it
runs device opening relies on ALSA's own error hook instead (`route_alsa_messages`), never on moving fd 2.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger("agentdesk.sound")
_moving = threading.Lock()


@contextmanager
def stderr_to_log(what: str) -> Iterator[None]:
    """Inside, whatever is written to file descriptor 2 goes to the log (as `what` said it), not the terminal."""
    with _moving, tempfile.TemporaryFile() as caught:
        try:
            sys.stderr.flush()
        except (AttributeError, ValueError, OSError):
            pass
        saved = os.dup(2)
        try:
            os.dup2(caught.fileno(), 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            text = caught.read().decode("utf-8", "replace").strip()
            if text:
                log.info("%s said:\n%s", what, text)


_ALSA_HOOK = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p)
_hook_kept: list[object] = []  # the C library keeps calling it: it must outlive this module's import


def _alsa_message(file: bytes | None, line: int, function: bytes | None, err: int, fmt: bytes | None) -> None:
    # The message's arguments (C varargs) cannot be read from here; its format and place say what happened.
    log.info("ALSA: %s (%s:%s %s, error %s)", (fmt or b"").decode("utf-8", "replace"),
             (file or b"").decode(), line, (function or b"").decode(), err)


def route_alsa_messages() -> bool:
    """Send ALSA's error messages to the log for the rest of the process; False where there is no ALSA."""
    if _hook_kept:
        return True
    name = ctypes.util.find_library("asound")
    if name is None:
        return False
    try:
        alsa = ctypes.CDLL(name)
        hook = _ALSA_HOOK(_alsa_message)
        alsa.snd_lib_error_set_handler(hook)
    except (OSError, AttributeError):
        return False
    _hook_kept.append(hook)
    return True

"""The one user-facing error: every message says what went wrong and how to fix it."""


class TracuuError(Exception):
    """An error the user can act on. The CLI prints it without a traceback and exits non-zero;
    the web UI shows the same text."""

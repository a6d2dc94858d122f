"""Logging filters configured in settings.LOGGING."""

import logging


class ClientErrorsInOneLine(logging.Filter):
    """Drop the traceback from the log line of a 4xx response.

    Django logs a refused request (PermissionDenied, Http404, a bad request) as a warning with the
    exception attached, which prints a full traceback for what is an ordinary answer to a client.
    The one line (status, path) is kept; 5xx errors keep their traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True

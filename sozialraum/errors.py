"""All sozialraum errors in one place.

Every error carries the HTTP status the web layer answers with (as in pygeoapi)
and a message that is safe to show: it never contains client data.
"""

from __future__ import annotations


class SozialraumError(Exception):
    """Base class. ``status`` is the HTTP status code the API answers with."""

    status = 400

    def __init__(self, message: str, german: str | None = None):
        super().__init__(message)
        self.message = message
        #: The same message in German for the web pages (``None``: the page says it its own way).
        self.german = german


class ConfigError(SozialraumError):
    """A configuration or category file is invalid."""

    status = 500


class InvalidInput(SozialraumError):
    """Input (a file, a feature, an option) is malformed or out of range."""

    status = 400


class TooLarge(InvalidInput):
    """More input than one request or file may hold (HTTP 413)."""

    status = 413


class Unauthorized(SozialraumError):
    """Not logged in, or the session ended (logout, inactivity, account disabled)."""

    status = 401


class Forbidden(SozialraumError):
    """Logged in, but the role does not allow this."""

    status = 403


class NotFound(SozialraumError):
    """An area, layer or feature does not exist."""

    status = 404


class VersionConflict(SozialraumError):
    """An update was based on a stale version of a feature; nothing was written."""

    status = 409

    def __init__(self, message: str, current_version: int | None = None):
        super().__init__(message)
        self.current_version = current_version


class PreconditionRequired(SozialraumError):
    """A change was sent without the version it is based on (no ``If-Match``)."""

    status = 428


class StorageError(SozialraumError):
    """A data file is unreadable or corrupt, or a write failed. The file is left as it was."""

    status = 503


class StoreBusy(StorageError):
    """Another process holds the area's lock for too long (HTTP 503 with ``Retry-After``)."""

    status = 503
    retry_after_s = 5


class ReadOnly(StorageError):
    """The data folder cannot be written (read-only mount, permissions); reading works."""

    status = 503


class DamagedData(StorageError):
    """A data file is corrupt; found by the check at start. The file is left as it was."""

    status = 503


class OsmImportError(SozialraumError):
    """An OSM import cannot run: missing or unsupported file, empty result, bad clip polygon."""

    status = 400


class OverpassUnavailable(OsmImportError):
    """The Overpass (or Nominatim) server cannot be reached or answered with an error."""

    status = 502

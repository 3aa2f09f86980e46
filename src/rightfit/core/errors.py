"""One small hierarchy. Messages name the stage, the bad value and the fix.

Only the CLI and HTTP layers translate these into exit codes and status codes.
"""

from __future__ import annotations


class RightfitError(Exception):
    """Base for every error rightfit raises on purpose."""


class InvalidInputError(RightfitError):
    """A request or query that cannot be served as given (empty, too long, malformed)."""


class ConfigError(RightfitError):
    """Settings that do not validate, or a missing setting."""


class IngestError(RightfitError):
    """A document that cannot be loaded; the indexer skips it and reports it by name."""


class IndexMissingError(RightfitError):
    """No usable index in the data directory."""


class IndexDamagedError(IndexMissingError):
    """An index whose files are missing or unreadable (deleted or corrupted by hand, a full disk)."""


class ModelError(RightfitError):
    """A model that is missing, unverified or fails to load."""


class ModelIntegrityError(ModelError):
    """A model file whose hash does not match the expected one."""


class DependencyMissingError(RightfitError):
    """An optional dependency that is not installed."""


class AuthenticationError(RightfitError):
    """A request without a valid bearer token."""


class NotFoundError(RightfitError):
    """A named thing (session, ticket) that does not exist for this caller."""


class ConflictError(RightfitError):
    """A request that collides with one still in progress (a second message to a busy conversation)."""

"""Errors of the use cases themselves (the domain's are in domain.errors)."""

from __future__ import annotations

from uuid import UUID

from domain.integrity import Tampering


class VersionMismatchError(Exception):
    """`If-Match` named a version the case has moved on from (412)."""

    def __init__(self, case_id: UUID, expected: int, actual: int) -> None:
        super().__init__(f"case {case_id} is at version {actual}, not {expected}")
        self.case_id = case_id
        self.expected = expected
        self.actual = actual


class RulesMovedOnError(VersionMismatchError):
    """`If-Match` named a version of the routing rules they have moved on from (412)."""

    def __init__(self, rules_id: UUID, expected: int, actual: int) -> None:
        super().__init__(rules_id, expected, actual)
        self.args = (f"the routing rules are at version {actual}, not {expected}",)


class BusyError(Exception):
    """A write lost its race more times than it is worth retrying (503, try again)."""


class UnreadableEventError(ValueError):
    """A stored event's payload cannot be decoded: the store was damaged or changed by hand.

    Not a client's mistake and nothing a retry mends: the audit (`verify`) names the damage.
    A ValueError, as the library's MapperDeserialisationError it replaces.
    """

    def __init__(self, aggregate_id: UUID, version: int, reason: str) -> None:
        super().__init__(f"event {version} of {aggregate_id} cannot be decoded: {reason}")
        self.aggregate_id = aggregate_id
        self.version = version
        self.reason = reason


class DocumentTamperedError(Exception):
    """A document's stored bytes are gone, or no longer hash to the SHA-256 its event
    recorded: never served. Not a client's mistake: the audit names it too."""

    def __init__(
        self, case_id: UUID, version: int, document_id: UUID, reason: Tampering, detail: str
    ) -> None:
        super().__init__(f"document {document_id} of case {case_id} (version {version}): {detail}")
        self.case_id = case_id
        self.version = version
        self.document_id = document_id
        self.reason = reason
        self.detail = detail


class DocumentsUnavailableError(RuntimeError):
    """The application was built without a store for documents' bytes (api/bootstrap.py)."""

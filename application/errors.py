"""Errors of the use cases themselves (the domain's are in domain.errors)."""

from __future__ import annotations

from uuid import UUID


class VersionMismatchError(Exception):
    """`If-Match` named a version the case has moved on from (412)."""

    def __init__(self, case_id: UUID, expected: int, actual: int) -> None:
        super().__init__(f"case {case_id} is at version {actual}, not {expected}")
        self.case_id = case_id
        self.expected = expected
        self.actual = actual


class BusyError(Exception):
    """A write lost its race more times than it is worth retrying (503, try again)."""

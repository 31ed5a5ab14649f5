"""A command stored on condition that some other aggregates are as it saw them.

A command may be judged against state it did not read from the store just now (an API
process's remembered user, say). Naming that state's originators and versions makes the
writer check them under its write lock, in the command's own transaction: if one of them
moved on, nothing of the command is stored, and the caller judges it again on fresh state.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

Unchanged = Mapping[UUID, int]
"""Originator id -> the version it must still have when the command is stored."""


class ChangedMeanwhileError(Exception):
    """An originator the command was judged against moved on; nothing of it was stored."""

    def __init__(self, originator_id: UUID | str, expected: int, stored: int | None) -> None:
        super().__init__(f"{originator_id} is at version {stored}, the command expected {expected}")
        self.originator_id = originator_id
        self.expected = expected
        self.stored = stored

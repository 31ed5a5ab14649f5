"""What the audit reads: the recorder's chain rows, and the numbers issued to cases."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol
from uuid import UUID

from infrastructure.eventstore.chain import ChainRow

Progress = Callable[[int, int], None]
"""Called after each page with (position reached, last position to check)."""

Issued = Callable[[int], Iterable[tuple[UUID, str, int]]]
"""The case numbers issued up to a position: (case id, number, position of the issue)."""


class ChainSource(Protocol):
    """What our recorders offer the audit (infrastructure/eventstore)."""

    def select_chain(self, start: int | None, limit: int) -> list[ChainRow]: ...

    def select_case_chain(self, originator_id: UUID) -> list[ChainRow]: ...

    def last_chain_position(self) -> tuple[int, str | None]: ...

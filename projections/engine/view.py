"""What a view is to the engine: a name, a version, the topics it reads, and two methods.

A view is a read model kept in tables of its own beside the event store. The engine owns the
transaction: it calls `apply_batch` with many events at once, inside the transaction that also
moves the view's tracking position, so each event is applied exactly once. A view never commits,
never reads the event store, and never writes events.

Tables are per generation: `tables.name("cases")` gives this generation's table for the view's
logical table "cases" (e.g. `view_board_g2_cases`). A rebuild fills generation g+1 beside g and
switches readers over when it has caught up; queries ask the catalog for the active generation.

To add a view (the statistics view, say):

    class StatsView(View):
        name = "stats"
        version = 1                      # bump when the tables or the folding change
        topics = frozenset({RECEIVED, RESOLVED, ...})

        def create_tables(self, conn, tables): conn.execute(f"CREATE TABLE {tables.name('x')} ...")
        def create_indexes(self, conn, tables): ...  # optional: made once caught up
        def apply_batch(self, conn, tables, events): ...   # no commit, no rollback

and hand an instance to `Engine(..., views=[BoardView(), StatsView()])`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple
from uuid import UUID

if TYPE_CHECKING:
    from projections.engine.ports import Connection


class ViewEvent(NamedTuple):
    """One stored event as views see it: its place in the store and its decoded state.

    `data` is the event's stored JSON object, decoded but not transcoded: values of the domain's
    own types stay wrapped as `{"_type_": ..., "_data_": ...}` (read them with the helpers in
    `projections.engine.values`). That keeps decoding several times faster than building domain
    objects, and views need only a few fields.
    """

    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    data: dict[str, Any]

    @property
    def recorded_at(self) -> datetime:
        from projections.engine.values import timestamp

        return timestamp(self.data["timestamp"])


@dataclass(frozen=True, slots=True)
class Tables:
    """The table names of one generation of one view, and in `apply_batch` its memo.

    `memo` is the view's own memory between batches: a dict that holds what `apply_batch` put
    there in the batches before, exactly as they committed. The engine hands the same dict to
    the next batch only when that batch starts from the position the previous one committed
    on this generation, in this process; after a failed batch, a restart or a move by another
    worker it hands an empty one. So a view may keep there the rows it has just written, to
    save reading them back (bounded: it is memory), and must never assume anything is there.
    """

    view: str
    generation: int
    memo: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def prefix(self) -> str:
        return f"view_{self.view}_g{self.generation}"

    def name(self, table: str) -> str:
        """The real name of the view's logical table `table` in this generation."""
        return f"{self.prefix}_{table}"


class View(ABC):
    """A read model fed by the engine. Subclasses set the three class attributes."""

    name: ClassVar[str]
    """Unique, lower case, letters and underscores: it names tables and the tracking row."""

    version: ClassVar[int]
    """Bump when tables or folding change: the engine then rebuilds the view beside the old."""

    topics: ClassVar[frozenset[str]]
    """Event topics this view reads; others are skipped without being decoded."""

    table_names: ClassVar[tuple[str, ...]]
    """The logical tables `create_tables` makes, so the engine can drop a retired generation."""

    @abstractmethod
    def create_tables(self, conn: Connection, tables: Tables) -> None:
        """Create this generation's tables (within the engine's transaction)."""

    def create_indexes(self, conn: Connection, tables: Tables) -> None:
        """Create the indexes queries need, once the generation first catches up.

        Within the engine's transaction. Until then the tables are loaded without them, which
        is much faster for a rebuild. Use `IF NOT EXISTS`. A view without indexes does nothing.
        """
        return

    @abstractmethod
    def apply_batch(self, conn: Connection, tables: Tables, events: Sequence[ViewEvent]) -> None:
        """Apply events, in store order, within the engine's transaction: never commit here.

        `events` holds only the topics this view reads. Raising rolls the whole batch back,
        position included, and the engine retries it. `tables.memo` may carry rows between
        batches (see `Tables`).
        """

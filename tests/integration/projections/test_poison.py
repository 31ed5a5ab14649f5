"""Poisoned events (projections/engine/poison.py): an event a view cannot apply is set aside,
every other event of its batch applied once; a fault of the database or of the whole view is
not an event's, and stops the batch as before."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from application.tongjie import Tongjie
from infrastructure.settings import Settings
from projections.board.fold import TOPICS
from projections.engine import poison
from projections.engine.catalog import active
from projections.engine.decoding import Decoder
from projections.engine.engine import Engine
from projections.engine.ports import Connection
from projections.engine.view import Tables, View, ViewEvent
from projections.engine.waking import Waker
from projections.views import Views
from tests.integration.audit.tamper import RawEvents
from tests.integration.projections.support import assert_board_matches
from tests.integration.projections.test_exactly_once import write_cases
from tests.world import World

Fails = Callable[[Connection, ViewEvent], Exception | None]


class Probe(View):
    """Keeps the position of every event it applies; raises what `fails` gives for an event."""

    name = "probe"
    version = 1
    topics = TOPICS
    table_names = ("seen",)

    def __init__(self, fails: Fails) -> None:
        self.fails = fails

    def create_tables(self, conn: Connection, tables: Tables) -> None:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {tables.name('seen')} (position bigint)")

    def apply_batch(self, conn: Connection, tables: Tables, events: Sequence[ViewEvent]) -> None:
        conn.executemany(
            f"INSERT INTO {tables.name('seen')} (position) VALUES (%s)",
            [(event.position,) for event in events],
        )
        for event in events:  # after the rows: a failure must undo them too
            error = self.fails(conn, event)
            if error is not None:
                raise error


def engine_for(views: Views, tongjie: Tongjie, view: View) -> Engine:
    recorder = tongjie.store.recorder
    return Engine(
        views.db,
        recorder,
        Decoder(tongjie.store.mapper),
        [view],
        Waker(recorder, 0.05),
        page_size=50,
    )


def seen(views: Views) -> list[int]:
    with views.db.connection() as conn:
        generation = active(conn, "probe")
        assert generation is not None
        rows = conn.execute(
            f"SELECT position FROM {Tables('probe', generation.generation).name('seen')}"
        )
    return sorted(int(row[0]) for row in rows)


def view_positions(views: Views, tongjie: Tongjie) -> list[int]:
    recorder = tongjie.store.recorder
    return [n.id for n in recorder.select_notifications(start=1, limit=10**6) if n.topic in TOPICS]


def test_only_the_failing_events_of_a_batch_are_set_aside(
    tongjie: Tongjie, world: World, views: Views
) -> None:
    write_cases(tongjie, world, 30, seed=21)
    everything = view_positions(views, tongjie)
    bad = {everything[3], everything[4], everything[17], everything[-1]}  # two side by side

    def fails(conn: Connection, event: ViewEvent) -> Exception | None:
        return ValueError(f"bad {event.position}") if event.position in bad else None

    engine = engine_for(views, tongjie, Probe(fails))
    reached = engine.catch_up()
    assert reached["probe"] == int(tongjie.store.recorder.max_notification_id() or 0)
    assert seen(views) == [p for p in everything if p not in bad]  # each once, in order
    found = engine.poisoned()["probe"]
    assert sorted(p.position for p in found) == sorted(bad)
    assert {(p.error, p.message) for p in found} == {("ValueError", f"bad {p}") for p in bad}
    status = {view.name: view for view in engine.status().views}["probe"]
    assert status.poisoned == 4
    assert [p.position for p in status.latest_poisoned] == sorted(bad, reverse=True)


def test_a_batch_of_which_nothing_applies_stops_and_sets_nothing_aside(
    tongjie: Tongjie, world: World, views: Views
) -> None:
    """A fault of the view itself (or a wrong cipher key), not of its events."""
    write_cases(tongjie, world, 10, seed=22)
    engine = engine_for(views, tongjie, Probe(lambda conn, event: TypeError("a bug")))
    with pytest.raises(poison.NothingAppliesError, match="none of the"):
        engine.catch_up()
    assert engine.positions()["probe"] == 0
    assert engine.poisoned() == {}


def test_a_failure_of_the_database_is_retried_not_set_aside(
    tongjie: Tongjie, world: World, views: Views
) -> None:
    write_cases(tongjie, world, 6, seed=23)
    target = view_positions(views, tongjie)[5]
    raised: list[int] = []

    def fails(conn: Connection, event: ViewEvent) -> Exception | None:
        if event.position == target and not raised:
            raised.append(event.position)
            return conn.failures[0]("the connection was lost")
        return None

    engine = engine_for(views, tongjie, Probe(fails))
    with pytest.raises(Exception, match="the connection was lost"):
        engine.catch_up()
    assert engine.positions()["probe"] == 0
    engine.catch_up()  # as the worker does after its pause
    assert seen(views) == view_positions(views, tongjie)
    assert engine.poisoned() == {}


def test_an_undecodable_event_is_set_aside_and_the_board_keeps_the_others(
    settings: Settings, tongjie: Tongjie, world: World, views: Views
) -> None:
    ids = write_cases(tongjie, world, 12, seed=24)
    damaged = next(case_id for case_id in ids if tongjie.reads.current(case_id).version >= 3)
    versions = tongjie.reads.current(damaged).version
    RawEvents(settings, tongjie).garble(damaged, 1)  # its receipt: no row, nothing to fold into
    views.engine.catch_up()
    assert_board_matches(tongjie, views.board, [i for i in ids if i != damaged])
    found = views.engine.poisoned()["board"]
    assert sorted(p.originator_version for p in found) == list(range(1, versions + 1))
    assert {p.originator_id for p in found} == {damaged}
    errors = {p.originator_version: p.error for p in found}
    assert errors[1] != "KeyError"  # the bytes did not decode
    assert {errors[v] for v in range(2, versions + 1)} == {"KeyError"}  # no row to fold into
    assert views.engine.positions()["board"] == int(
        tongjie.store.recorder.max_notification_id() or 0
    )

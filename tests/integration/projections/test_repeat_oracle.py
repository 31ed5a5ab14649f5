"""Repeat parties against an oracle, on random histories: cases drawing their parties' phones,
ID numbers and names from small pools, received over three years, corrected at random (a
correction changes a case's parties, and so the flags of the other cases too). The board's
flags, kept batch by batch and made afresh by a rebuild, equal the oracle's after every round.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from api.bootstrap import build_views
from application.tongjie import Tongjie
from domain.identity import parties_keys
from domain.values import Party, PartyRole
from infrastructure.settings import Settings
from projections.board import BoardFilter
from projections.views import Views
from tests.world import World, make_world, registration

YEAR = timedelta(days=365)
PHONES = [f"1380000{n:04d}" for n in range(10)]
IDS = [f"11010119800101{n:03d}X" for n in range(6)]
NAMES = ["王伟", "李娜", "张敏", "刘洋", "陈静"]


def _party(rng: random.Random, role: PartyRole) -> Party:
    """A party with a phone, an ID number, both or neither, written in one of several ways."""
    phone = rng.choice(PHONES) if rng.random() < 0.5 else None
    if phone is not None and rng.random() < 0.3:
        phone = f"+86 {phone[:3]} {phone[3:]}"
    id_number = rng.choice(IDS) if rng.random() < 0.3 else None
    if id_number is not None and rng.random() < 0.5:
        id_number = id_number.lower()
    return Party(role, rng.choice(NAMES), phone, id_number)


def _parties(rng: random.Random) -> tuple[Party, ...]:
    return (_party(rng, PartyRole.APPLICANT), _party(rng, PartyRole.RESPONDENT))


def oracle(cases: dict[UUID, tuple[datetime, tuple[Party, ...]]]) -> set[UUID]:
    """The cases sharing a phone or ID number with another received within 365 days."""
    keys = {
        case: {key for key in parties_keys(parties) if key[0].identifies}
        for case, (_, parties) in cases.items()
    }
    return {
        case
        for case, (at, _) in cases.items()
        for other, (other_at, _) in cases.items()
        if other != case and abs(at - other_at) <= YEAR and keys[case] & keys[other]
    }


def flagged(views: Views) -> set[UUID]:
    rows = views.board.page(BoardFilter(repeat_party=True, limit=500)).items
    assert all(row.repeat_party for row in rows)
    return {row.id for row in rows}


@pytest.mark.parametrize("seed", [1, 2])
def test_repeat_flags_equal_the_oracle(tongjie: Tongjie, settings: Settings, seed: int) -> None:
    world: World = make_world(tongjie)
    rng = random.Random(seed)
    views = build_views(settings, tongjie)
    try:
        views.engine.catch_up("board")  # caught up and indexed: batches keep the flags
        cases: dict[UUID, tuple[datetime, tuple[Party, ...]]] = {}
        start = datetime.now(UTC) - 3 * YEAR
        for _ in range(4):
            for _ in range(12):
                at = start + timedelta(days=rng.uniform(0, 3 * 365 - 1))
                parties = _parties(rng)
                summary = registration(parties=parties)
                case = tongjie.cases.receive(
                    actor=world.supervisor, registration=summary, received_at=at
                )
                cases[case.id] = (at, parties)
            for case_id in rng.sample(sorted(cases), 4):
                parties = _parties(rng)
                tongjie.cases.correct_registration(
                    case_id,
                    actor=world.supervisor,
                    reason="更正当事人",
                    changes={"parties": parties},
                )
                cases[case_id] = (cases[case_id][0], parties)
            views.engine.catch_up("board")
            assert flagged(views) == oracle(cases)
        assert 0 < len(oracle(cases)) < len(cases)  # a test that can tell
        views.engine.rebuild("board")  # the flags of all at once, from the parties
        assert flagged(views) == oracle(cases)
    finally:
        views.close()

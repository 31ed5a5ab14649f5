"""Reference data and users against SQLite and PostgreSQL: audited changes, refusals that record
nothing, and bearer tokens that are shown once and stored only as a hash."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from api.bootstrap import build_application
from application.tongjie import Tongjie
from application.users import token_hash
from domain.errors import (
    DuplicateCodeError,
    InvalidValueError,
    MediatorNotFoundError,
    OrganisationNotFoundError,
    TokenInvalidError,
    UnknownMediatorError,
    UnknownOrganisationError,
    UserNotFoundError,
)
from domain.values import Actor, OrganisationKind, Role
from infrastructure.settings import Settings
from tests.integration.app_support import last_position, records_nothing, stored_states
from tests.world import OTHER_STREET, STREET, World, make_world

ROOT = Actor(id="setup", login="setup", role=Role.ADMIN)


@pytest.fixture
def world(tongjie: Tongjie) -> World:
    return make_world(tongjie)


@pytest.fixture
def second(settings: Settings, tongjie: Tongjie) -> Iterator[Tongjie]:
    """Another application on the same database, as another server process would be."""
    other = build_application(settings)
    try:
        yield other
    finally:
        other.close()


# -- organisations and mediators ----------------------------------------------------------


def test_organisations_and_their_streets(tongjie: Tongjie, world: World) -> None:
    added = tongjie.reference.add_organisation(
        code="ent-3",
        name="某物业公司调解委员会",
        kind=OrganisationKind.ENTERPRISE,
        street=f"  {STREET} ",
        actor=world.admin,
    )
    assert (added.code, added.kind, added.street) == ("ent-3", "enterprise", STREET)
    assert [o.code for o in tongjie.reference.organisations()] == ["room-1", "centre-2", "ent-3"]
    assert tongjie.reference.organisation("centre-2").street == OTHER_STREET
    assert tongjie.reference.streets() == sorted({STREET, OTHER_STREET})


REFUSED_ORGANISATIONS: list[tuple[str, str, str, type[Exception], str | None]] = [
    ("room-1", "重复", "南湖街道", DuplicateCodeError, None),
    ("bad code", "名", "南湖街道", InvalidValueError, "code"),
    ("", "名", "南湖街道", InvalidValueError, "code"),
    ("x" * 65, "名", "南湖街道", InvalidValueError, "code"),
    ("ok-1", " ", "南湖街道", InvalidValueError, "name"),
    ("ok-1", "名", " ", InvalidValueError, "street"),
]


def test_a_refused_organisation_records_nothing(tongjie: Tongjie, world: World) -> None:
    for code, name, street, error, field in REFUSED_ORGANISATIONS:
        with records_nothing(tongjie, error, field):
            tongjie.reference.add_organisation(
                code=code,
                name=name,
                kind=OrganisationKind.STREET_ROOM,
                street=street,
                actor=world.admin,
            )
    assert "南湖街道" not in tongjie.reference.streets()


def test_mediators_belong_to_an_organisation(tongjie: Tongjie, world: World) -> None:
    added = tongjie.reference.add_mediator(
        code="m3", name="王调解", organisation="centre-2", actor=world.admin
    )
    assert (added.organisation, added.active) == ("centre-2", True)
    assert [m.code for m in tongjie.reference.mediators()] == ["m1", "m2", "m3"]
    with records_nothing(tongjie, UnknownOrganisationError, "organisation"):
        tongjie.reference.add_mediator(
            code="m4", name="赵", organisation="room-9", actor=world.admin
        )
    with records_nothing(tongjie, DuplicateCodeError):
        tongjie.reference.add_mediator(
            code="m1", name="重复", organisation="room-1", actor=world.admin
        )
    with records_nothing(tongjie, InvalidValueError, "name"):
        tongjie.reference.add_mediator(code="m5", name="", organisation="room-1", actor=world.admin)


def test_deactivation_is_recorded_once(tongjie: Tongjie, world: World) -> None:
    before = last_position(tongjie) or 0
    assert tongjie.reference.deactivate_mediator("m2", actor=world.admin).active is False
    assert last_position(tongjie) == before + 1
    tongjie.reference.deactivate_mediator("m2", actor=world.admin)
    assert last_position(tongjie) == before + 1
    assert tongjie.reference.mediator("m2").active is False


def test_unknown_reference_data_is_not_found(tongjie: Tongjie, world: World) -> None:
    with pytest.raises(OrganisationNotFoundError):
        tongjie.reference.organisation("room-9")
    with pytest.raises(MediatorNotFoundError):
        tongjie.reference.mediator("m9")
    with records_nothing(tongjie, MediatorNotFoundError):
        tongjie.reference.deactivate_mediator("m9", actor=world.admin)


# -- users and tokens ---------------------------------------------------------------------


def test_a_token_is_32_random_bytes_or_more_and_names_its_user(
    tongjie: Tongjie, world: World
) -> None:
    issued = tongjie.users.add(
        login="wang.w", role=Role.MEDIATOR, name="王五", mediator="m2", actor=world.admin
    )
    assert issued.token not in repr(issued)
    secret = issued.token.removeprefix("tj_")
    assert len(base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))) >= 32
    assert len(set(world.tokens.values()) | {issued.token}) == len(world.tokens) + 1
    actor = tongjie.users.authenticate(issued.token)
    assert actor == Actor(id=actor.id, login="wang.w", role=Role.MEDIATOR, mediator="m2")
    assert tongjie.users.authenticate(world.tokens["boss"]) == world.supervisor
    info = tongjie.users.get("wang.w")
    assert (info.name, info.role, info.mediator, info.revoked) == ("王五", "mediator", "m2", False)
    assert [u.login for u in tongjie.users.list()] == [
        "zhang",
        "li",
        "boss",
        "audit",
        "admin",
        "wang.w",
    ]


def test_no_stored_event_holds_a_token_only_its_hash(tongjie: Tongjie, world: World) -> None:
    rotated = tongjie.users.rotate("li", actor=world.admin).token
    tokens = [*world.tokens.values(), rotated]
    stored = b"\n".join(stored_states(tongjie))
    for token in tokens:
        assert token.encode() not in stored
        assert token.removeprefix("tj_").encode() not in stored
        assert token_hash(token).encode() in stored
    assert all(not hasattr(info, "token_hash") for info in tongjie.users.list())


def test_rotation_invalidates_the_old_token_at_once_everywhere(
    tongjie: Tongjie, second: Tongjie, world: World
) -> None:
    old = world.tokens["zhang"]
    assert second.users.authenticate(old) == world.mediator  # the other process knows it
    new = tongjie.users.rotate("zhang", actor=world.admin).token
    assert new != old
    for app in (tongjie, second):
        with pytest.raises(TokenInvalidError):
            app.users.authenticate(old)
        assert app.users.authenticate(new) == world.mediator


def test_revocation_rejects_the_token_at_once_everywhere(
    tongjie: Tongjie, second: Tongjie, world: World
) -> None:
    token = world.tokens["li"]
    assert second.users.authenticate(token) == world.other_mediator
    before = last_position(tongjie) or 0
    assert tongjie.users.revoke("li", actor=world.admin).revoked is True
    assert last_position(tongjie) == before + 1
    for app in (tongjie, second):
        with pytest.raises(TokenInvalidError):
            app.users.authenticate(token)
    tongjie.users.revoke("li", actor=world.admin)
    assert last_position(tongjie) == before + 1  # revoked once
    assert tongjie.users.get("li").revoked


def test_an_unknown_token_is_refused(tongjie: Tongjie, world: World) -> None:
    for token in ["", "tj_", "not-a-token", "tj_" + "A" * 43]:
        with pytest.raises(TokenInvalidError):
            tongjie.users.authenticate(token)


def test_a_token_differing_by_one_character_is_refused(tongjie: Tongjie, world: World) -> None:
    token = world.tokens["audit"]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    with pytest.raises(TokenInvalidError):
        tongjie.users.authenticate(tampered)


REFUSED_USERS: list[tuple[str, Role, str | None, type[Exception], str | None]] = [
    ("zhang", Role.SUPERVISOR, None, DuplicateCodeError, None),
    ("张三", Role.SUPERVISOR, None, InvalidValueError, "login"),
    ("bad login", Role.SUPERVISOR, None, InvalidValueError, "login"),
    ("", Role.AUDITOR, None, InvalidValueError, "login"),
    ("new.m", Role.MEDIATOR, None, InvalidValueError, "mediator"),
    ("new.s", Role.SUPERVISOR, "m1", InvalidValueError, "mediator"),
    ("new.m", Role.MEDIATOR, "m9", UnknownMediatorError, "mediator"),
]


def test_a_refused_user_records_nothing(tongjie: Tongjie, world: World) -> None:
    for login, role, mediator, error, field in REFUSED_USERS:
        with records_nothing(tongjie, error, field):
            tongjie.users.add(login=login, role=role, mediator=mediator, actor=world.admin)
    assert len(tongjie.users.list()) == len(world.tokens)


def test_an_unknown_user_is_not_found(tongjie: Tongjie, world: World) -> None:
    with pytest.raises(UserNotFoundError):
        tongjie.users.get("nobody")
    with records_nothing(tongjie, UserNotFoundError):
        tongjie.users.rotate("nobody")
    with records_nothing(tongjie, UserNotFoundError):
        tongjie.users.revoke("nobody")

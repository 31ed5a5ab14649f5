"""The district's reference data and users as aggregates, listed in one Directory.

Users get their tokens here, the same way `Users.add` issues them: a random token shown once,
only its hash stored. Every mediator has a user, so each step of a case names a real person.
"""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.domain import Aggregate

from application.users import new_token, token_hash
from demo.district import District
from demo.rules import rules_record
from domain.reference import Directory, Mediator, Organisation
from domain.user import TokenIndex, User
from domain.values import Actor


@dataclass(frozen=True)
class DemoUser:
    login: str
    name: str
    role: str
    mediator: str | None
    token: str


def name_actors(district: District) -> None:
    """Each person's actor, as `Users.authenticate` would give it once their user exists."""
    for person in district.people:
        district.actors[person.login] = Actor(
            id=str(User.id_for(person.login)),
            login=person.login,
            role=person.role,
            mediator=person.mediator,
        )


def reference_records(district: District) -> tuple[list[Aggregate], list[DemoUser]]:
    """Organisations, mediators, users, token indexes and the Directory listing them all; the
    routing rules, as the supervisor set them."""
    admin = district.actor("admin")
    directory = Directory.open()
    records: list[Aggregate] = [directory]
    for org in district.organisations.values():
        records.append(
            Organisation.register(
                code=org.code, name=org.name, kind=org.kind, street=org.street, actor=admin
            )
        )
        directory.list_organisation(org.code, org.street)
    names = {person.login: person.name for person in district.people}
    for organisation, codes in district.members.items():
        for code in codes:
            records.append(
                Mediator.register(
                    code=code, name=names[code], organisation=organisation, actor=admin
                )
            )
            directory.list_mediator(code)
    users = []
    for person in district.people:
        token = new_token()
        hashed = token_hash(token)
        records.append(
            User.add(
                login=person.login,
                name=person.name,
                role=person.role,
                mediator=person.mediator,
                token_hash=hashed,
                actor=None,
            )
        )
        records.append(TokenIndex.issue(token_hash=hashed, login=person.login))
        directory.list_user(person.login)
        users.append(DemoUser(person.login, person.name, person.role.value, person.mediator, token))
    records.append(rules_record(district, district.actor("supervisor")))
    return records, users

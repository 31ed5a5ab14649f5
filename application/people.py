"""A person's data (个人信息保护法: an access request): every case in which a phone or ID number
is a party's, what is stored about that party, and who read those cases.

Read from the event store itself, every registration (receipt and corrections) in store order,
so a party corrected out of a case later is still found: the events keep what was stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.utils import get_topic

from application.audit_events import decode_stored
from application.case_reads import CaseReads
from application.read_log import ReadLog
from application.store import TongjieStore
from domain.case import Case
from domain.errors import InvalidValueError
from domain.identity import PartyKey, normal_id_number, normal_phone, party_keys
from domain.reads import LoggedRead
from domain.times import utcnow
from domain.values import Party

REGISTRATIONS = [get_topic(Case.Received), get_topic(Case.RegistrationCorrected)]
_PAGE = 1000


@dataclass(frozen=True)
class StoredParty:
    """The party as one registration of the case stored it (the receipt, or a correction)."""

    version: int
    event: str
    recorded_at: datetime
    party: Party


@dataclass(frozen=True)
class PersonCase:
    case_id: UUID
    number: str
    status: str
    category: str
    street: str
    received_at: datetime
    current: bool
    """The person is a party of the case's current registration (not only of an earlier one)."""
    stored: tuple[StoredParty, ...]
    reads: tuple[LoggedRead, ...]


@dataclass(frozen=True)
class PersonReport:
    phone: str | None
    id_number: str | None
    generated_at: datetime
    events_read: int
    cases: tuple[PersonCase, ...]


class PersonalData:
    def __init__(self, store: TongjieStore, reads: CaseReads, read_log: ReadLog) -> None:
        self.store = store
        self.reads = reads
        self.read_log = read_log

    def report(self, *, phone: str | None = None, id_number: str | None = None) -> PersonReport:
        wanted = _wanted(phone, id_number)
        found: dict[UUID, list[StoredParty]] = {}
        current: dict[UUID, bool] = {}
        count = 0
        start = 1
        while True:
            page = self.store.recorder.select_notifications(start, _PAGE, topics=REGISTRATIONS)
            for notification in page:
                event = decode_stored(self.store, notification)
                if event is None:
                    continue
                count += 1
                case_id = UUID(str(notification.originator_id))
                matching = [p for p in event.registration.parties if party_keys(p) & wanted]
                current[case_id] = bool(matching)
                for party in matching:
                    stored = StoredParty(
                        notification.originator_version,
                        type(event).__name__,
                        event.timestamp,
                        party,
                    )
                    found.setdefault(case_id, []).append(stored)
            if len(page) < _PAGE:
                break
            start = page[-1].id + 1
        lines = self.read_log.of_cases(list(found))
        cases = []
        for case_id, entries in found.items():
            case = self.reads.current(case_id)
            cases.append(
                PersonCase(
                    case_id=case_id,
                    number=case.number,
                    status=case.status.value,
                    category=case.registration.category.value,
                    street=case.registration.street,
                    received_at=case.received_at,
                    current=current.get(case_id, False),
                    stored=tuple(entries),
                    reads=tuple(line for line in lines if line.read.case_id == case_id),
                )
            )
        cases.sort(key=lambda c: (c.received_at, c.number))
        return PersonReport(phone, id_number, utcnow(), count, tuple(cases))


def _wanted(phone: str | None, id_number: str | None) -> set[tuple[PartyKey, str]]:
    wanted: set[tuple[PartyKey, str]] = set()
    if phone is not None:
        normal = normal_phone(phone)
        if normal is None:
            raise InvalidValueError("phone", "not a phone number")
        wanted.add((PartyKey.PHONE, normal))
    if id_number is not None:
        normal = normal_id_number(id_number)
        if normal is None:
            raise InvalidValueError("id_number", "not an ID number (18 characters, or 15 digits)")
        wanted.add((PartyKey.ID_NUMBER, normal))
    if not wanted:
        raise InvalidValueError("phone", "give a phone or an ID number")
    return wanted

"""Value types of the mediation domain: the users' words, as enums and frozen records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

T = TypeVar("T")


def shared(cls: type[T]) -> type[T]:
    """Frozen values are shared, not copied: the aggregate cache deep-copies cases on every
    load, and copying a thousand immutable session records would only cost time."""

    def same(self: T, *_: Any) -> T:
        return self

    cls.__copy__ = same  # type: ignore[attr-defined]
    cls.__deepcopy__ = same  # type: ignore[attr-defined]
    return cls


class Category(Enum):
    """The "three matters" (三事: 家事, 商事, 物业事), the bureau's focus, and every other
    dispute it receives (其他纠纷), counted apart so that the three matters' figures stay theirs."""

    FAMILY = "family"
    COMMERCIAL = "commercial"
    PROPERTY_MANAGEMENT = "property_management"
    OTHER = "other"


THREE_MATTERS = (Category.FAMILY, Category.COMMERCIAL, Category.PROPERTY_MANAGEMENT)

SUBCATEGORIES: dict[Category, frozenset[str]] = {
    Category.FAMILY: frozenset({"marriage", "inheritance", "support", "neighbour"}),
    Category.COMMERCIAL: frozenset({"contract", "debt", "labour", "consumer"}),
    Category.PROPERTY_MANAGEMENT: frozenset({"fees", "repairs", "parking", "nuisance"}),
    Category.OTHER: frozenset({"labour", "traffic", "medical", "land_and_housing", "other"}),
}
"""A commercial `labour` dispute is over a service contract (劳务); an other `labour` dispute
is an employment dispute (劳动争议): the category tells them apart."""


class Channel(Enum):
    """Where a dispute came from (来源)."""

    WALK_IN = "walk_in"
    HOTLINE = "hotline"
    ONLINE = "online"
    COURT_REFERRAL = "court_referral"
    POLICE_REFERRAL = "police_referral"
    PETITION_REFERRAL = "petition_referral"
    GRID_WORKER = "grid_worker"
    ENTERPRISE = "enterprise"


class CaseStatus(Enum):
    RECEIVED = "received"  # 已受理
    ROUTED = "routed"  # 已分流交办
    IN_MEDIATION = "in_mediation"  # 调解中
    RESOLVED = "resolved"  # 已结案


class Method(Enum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"


class Outcome(Enum):
    AGREEMENT = "agreement"  # 调解成功
    NO_AGREEMENT = "no_agreement"  # 调解不成/终止
    WITHDRAWN = "withdrawn"  # 撤回


class AgreementForm(Enum):
    WRITTEN = "written"
    ORAL = "oral"


class Referral(Enum):
    LITIGATION = "litigation"
    ARBITRATION = "arbitration"
    ADMINISTRATIVE = "administrative"
    OTHER = "other"


class RiskLevel(Enum):
    """Risk of escalation (风险研判)."""

    NONE = "none"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"


class Fulfilment(Enum):
    FULFILLED = "fulfilled"
    PARTIAL = "partial"
    UNFULFILLED = "unfulfilled"


class Ruling(Enum):
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class PartyRole(Enum):
    APPLICANT = "applicant"
    RESPONDENT = "respondent"


class Role(Enum):
    MEDIATOR = "mediator"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMIN = "admin"
    SYSTEM = "system"
    """Tongjie itself, acting by a rule (automatic routing): never a user's role."""

    @property
    def a(self) -> str:
        """The role with its article, as a message says it: "a mediator", "an auditor"."""
        return f"{'an' if self.value[0] in 'aeiou' else 'a'} {self.value}"


class DocumentKind(Enum):
    """What a document in the case file is (附卷材料)."""

    AGREEMENT_SIGNED = "agreement_signed"  # 签署的调解协议书
    EVIDENCE = "evidence"  # 证据材料
    REFERRAL = "referral"  # 委派、移送函
    RULING = "ruling"  # 司法确认裁定书
    OTHER = "other"


class MediaType(Enum):
    """The kinds of file a document may be, judged by their bytes (domain/documents.py)."""

    PDF = "application/pdf"
    JPEG = "image/jpeg"
    PNG = "image/png"


class OrganisationKind(Enum):
    STREET_ROOM = "street_room"  # 街道通解室
    ENTERPRISE = "enterprise"  # 企业调解组织
    PROFESSIONAL = "professional"  # 行业性专业性调解组织
    SERVICE_CENTRE = "service_centre"  # 非诉讼服务中心


class Ineligibility(Enum):
    """Why a mediator cannot take a case (domain/eligibility.py): stable codes."""

    DEACTIVATED = "deactivated"
    NOT_IN_ORGANISATION = "not_in_organisation"
    CATEGORY_NOT_TAKEN = "category_not_taken"
    AWAY = "away"


@shared
@dataclass(frozen=True)
class Absence:
    """A period a mediator is away (leave, training, illness): from `start` to `end`
    (exclusive), with the reason. Routing a case to them then needs an override."""

    start: datetime
    end: datetime
    reason: str

    def covers(self, at: datetime) -> bool:
        return self.start <= at < self.end


@shared
@dataclass(frozen=True)
class Actor:
    """Who did it: every event records the acting user."""

    id: str
    login: str
    role: Role
    mediator: str | None = None


@shared
@dataclass(frozen=True)
class Party:
    """A party to the dispute (当事人)."""

    role: PartyRole
    name: str
    phone: str | None = None
    id_number: str | None = None


@shared
@dataclass(frozen=True)
class Agreement:
    """The mediation agreement (调解协议): written or oral (Law Art. 28); a written one states
    how and by when it is to be performed (履行方式、期限, Art. 29)."""

    form: AgreementForm
    terms: str
    amount: Decimal | None = None
    performance: str | None = None  # how: "一次性银行转账", "分三期支付"
    perform_by: datetime | None = None  # by when


@shared
@dataclass(frozen=True)
class Session:
    """One mediation session held and recorded (调解记录)."""

    held_at: datetime
    method: Method
    attendees: tuple[str, ...]
    notes: str
    duration_minutes: int | None
    mediator: str


@shared
@dataclass(frozen=True)
class FollowUp:
    """A follow-up visit on the agreement's performance (回访)."""

    visited_at: datetime
    fulfilment: Fulfilment
    satisfaction: int
    note: str | None


@shared
@dataclass(frozen=True)
class Registration:
    """The registration fields (受理登记) that a correction may change."""

    category: Category
    subcategory: str | None
    street: str
    channel: Channel
    summary: str
    parties: tuple[Party, ...]
    claim_amount: Decimal | None


@shared
@dataclass(frozen=True)
class Document:
    """A document in the case file (附卷材料): its bytes are kept elsewhere, by their SHA-256.

    Never deleted or replaced: a wrong one is withdrawn, with the reason, and stays listed.
    `version` is the case's version that attached it.
    """

    id: UUID
    version: int
    sha256: str
    size: int
    media_type: MediaType
    kind: DocumentKind
    title: str
    attached_at: datetime
    attached_by: Actor
    withdrawn_at: datetime | None = None
    withdrawn_by: Actor | None = None
    withdrawal_reason: str | None = None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

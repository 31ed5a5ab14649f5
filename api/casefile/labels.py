"""The case file's words, in Chinese and English: headings, fields and every enum value."""

from __future__ import annotations

from enum import Enum

from domain.integrity import Tampering
from domain.values import (
    AgreementForm,
    CaseStatus,
    Category,
    Channel,
    DocumentKind,
    Fulfilment,
    Ineligibility,
    Method,
    Outcome,
    PartyRole,
    Referral,
    RiskLevel,
    Role,
    Ruling,
)
from projections.board.attention import Attention

VALUES: dict[Enum, tuple[str, str]] = {
    Category.FAMILY: ("家事", "family"),
    Category.COMMERCIAL: ("商事", "commercial"),
    Category.PROPERTY_MANAGEMENT: ("物业事", "property management"),
    Category.OTHER: ("其他纠纷", "other disputes"),
    Channel.WALK_IN: ("来访", "walk-in"),
    Channel.HOTLINE: ("热线", "hotline"),
    Channel.ONLINE: ("网上", "online"),
    Channel.COURT_REFERRAL: ("法院委派", "court referral"),
    Channel.POLICE_REFERRAL: ("公安移送", "police referral"),
    Channel.PETITION_REFERRAL: ("信访转办", "petition referral"),
    Channel.GRID_WORKER: ("网格员排查", "grid worker"),
    Channel.ENTERPRISE: ("企业", "enterprise"),
    CaseStatus.RECEIVED: ("已受理", "received"),
    CaseStatus.ROUTED: ("已分流交办", "routed"),
    CaseStatus.IN_MEDIATION: ("调解中", "in mediation"),
    CaseStatus.RESOLVED: ("已结案", "resolved"),
    Method.IN_PERSON: ("当面", "in person"),
    Method.PHONE: ("电话", "phone"),
    Method.VIDEO: ("视频", "video"),
    Outcome.AGREEMENT: ("调解成功", "agreement"),
    Outcome.NO_AGREEMENT: ("调解不成", "no agreement"),
    Outcome.WITHDRAWN: ("撤回", "withdrawn"),
    AgreementForm.WRITTEN: ("书面", "written"),
    AgreementForm.ORAL: ("口头", "oral"),
    Referral.LITIGATION: ("诉讼", "litigation"),
    Referral.ARBITRATION: ("仲裁", "arbitration"),
    Referral.ADMINISTRATIVE: ("行政处理", "administrative"),
    Referral.OTHER: ("其他", "other"),
    RiskLevel.NONE: ("无", "none"),
    RiskLevel.YELLOW: ("黄色", "yellow"),
    RiskLevel.ORANGE: ("橙色", "orange"),
    RiskLevel.RED: ("红色", "red"),
    Fulfilment.FULFILLED: ("已履行", "fulfilled"),
    Fulfilment.PARTIAL: ("部分履行", "partly fulfilled"),
    Fulfilment.UNFULFILLED: ("未履行", "not fulfilled"),
    Ruling.CONFIRMED: ("确认有效", "confirmed"),
    Ruling.REJECTED: ("驳回", "rejected"),
    PartyRole.APPLICANT: ("申请人", "applicant"),
    PartyRole.RESPONDENT: ("被申请人", "respondent"),
    Role.MEDIATOR: ("调解员", "mediator"),
    Role.SUPERVISOR: ("主管", "supervisor"),
    Role.AUDITOR: ("审计", "auditor"),
    Role.ADMIN: ("管理员", "admin"),
    Role.SYSTEM: ("系统（自动分流）", "the system (automatic routing)"),
    Tampering.CONTENT_CHANGED: ("内容被改动", "content changed"),
    Tampering.EVENT_MISSING: ("事件缺失", "event missing"),
    Tampering.EVENT_INSERTED: ("事件被插入", "event inserted"),
    Tampering.ORDER_CHANGED: ("顺序被改动", "order changed"),
    Tampering.CHAIN_BROKEN: ("哈希链断裂", "chain broken"),
    Tampering.DOCUMENT_CHANGED: ("材料被改动", "document changed"),
    Tampering.DOCUMENT_MISSING: ("材料缺失", "document missing"),
    DocumentKind.AGREEMENT_SIGNED: ("签署的调解协议书", "signed agreement"),
    DocumentKind.EVIDENCE: ("证据材料", "evidence"),
    DocumentKind.REFERRAL: ("委派移送函", "referral letter"),
    DocumentKind.RULING: ("司法确认裁定书", "ruling"),
    DocumentKind.OTHER: ("其他", "other"),
    Attention.OVERDUE: ("已超期", "overdue"),
    Attention.RISK_RED: ("红色风险", "red risk"),
    Attention.DUE_SOON: ("72小时内到期", "due within 72 hours"),
    Attention.RISK_ORANGE: ("橙色风险", "orange risk"),
    Attention.NO_SESSION: ("交办7天未调解", "no session 7 days after routing"),
    Attention.UNROUTED: ("超1个工作日未分流", "unrouted over a working day"),
    Ineligibility.DEACTIVATED: ("已停用", "deactivated"),
    Ineligibility.NOT_IN_ORGANISATION: ("不属于该组织", "not in the organisation"),
    Ineligibility.CATEGORY_NOT_TAKEN: ("不承接此类纠纷", "does not take this category"),
    Ineligibility.AWAY: ("不在岗", "away"),
}

EVENTS: dict[str, tuple[str, str]] = {
    "Received": ("受理登记", "received"),
    "Routed": ("分流交办", "routed"),
    "Mediated": ("调解记录", "session held"),
    "DeadlineExtended": ("延期", "deadline extended"),
    "RiskAssessed": ("风险研判", "risk assessed"),
    "RegistrationCorrected": ("登记更正", "registration corrected"),
    "Resolved": ("结案", "resolved"),
    "FollowUpRecorded": ("回访", "follow-up"),
    "JudicialConfirmationRecorded": ("司法确认", "judicial confirmation"),
    "DocumentAttached": ("附卷材料", "document attached"),
    "DocumentWithdrawn": ("撤回材料", "document withdrawn"),
}


def value(item: Enum | None) -> tuple[str, str]:
    """An enum value as (中文, English); an unknown one as its raw value twice."""
    if item is None:
        return ("—", "—")
    return VALUES.get(item, (str(item.value), str(item.value)))


def event(name: str) -> tuple[str, str]:
    return EVENTS.get(name, (name, name))


SUBCATEGORIES: dict[str, tuple[str, str]] = {
    "marriage": ("婚姻纠纷", "marriage"),
    "inheritance": ("继承纠纷", "inheritance"),
    "support": ("赡养抚养纠纷", "support"),
    "neighbour": ("邻里纠纷", "neighbours"),
    "contract": ("合同纠纷", "contract"),
    "debt": ("债务纠纷", "debt"),
    "labour": ("劳务纠纷", "labour"),
    "consumer": ("消费纠纷", "consumer"),
    "fees": ("物业费纠纷", "fees"),
    "repairs": ("维修纠纷", "repairs"),
    "parking": ("停车纠纷", "parking"),
    "nuisance": ("噪音扰民纠纷", "nuisance"),
    "traffic": ("交通事故纠纷", "traffic accidents"),
    "medical": ("医疗纠纷", "medical"),
    "land_and_housing": ("土地房屋纠纷", "land and housing"),
    "other": ("其他", "other"),
}
"""Subcategories (domain.values.SUBCATEGORIES) as (中文, English)."""

OF_A_CATEGORY: dict[tuple[Category, str], tuple[str, str]] = {
    (Category.OTHER, "labour"): ("劳动争议", "employment"),
}
"""Where one code means another thing in another category (劳务 is commercial, 劳动 other)."""


def subcategory(code: str | None, category: Category | None = None) -> tuple[str, str]:
    """A subcategory as (中文, English); its category's own words where it has them."""
    if code is None:
        return ("—", "—")
    if category is not None and (category, code) in OF_A_CATEGORY:
        return OF_A_CATEGORY[category, code]
    return SUBCATEGORIES.get(code, (code, code))


def kind(category: Category, code: str | None) -> tuple[str, str]:
    """A case's category and subcategory as the case file says them: 家事 · 邻里纠纷."""
    zh, en = value(category)
    if code is None:
        return (zh, en)
    sub_zh, sub_en = subcategory(code, category)
    return (f"{zh} · {sub_zh}", f"{en} · {sub_en}")

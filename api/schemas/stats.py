"""The statistics' answers (api.md, "Views"): the figures as one flat object, and rows of them."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, Field


class Dimension(Enum):
    """What `/stats/{dimension}` groups by."""

    CATEGORY = "category"
    STREET = "street"
    ORGANISATION = "organisation"
    MEDIATOR = "mediator"
    CHANNEL = "channel"
    SUBCATEGORY = "subcategory"
    MONTH = "month"
    WEEK = "week"


class FiguresOut(BaseModel):
    """The figures of docs/statistics.md, over [from, to) in the bureau's time zone."""

    received: int = Field(
        description="cases whose received_at falls in the period", examples=[7514]
    )
    resolved: int = Field(
        description="cases whose resolved_at falls in the period", examples=[7514]
    )
    agreements: int = Field(description="resolved with an agreement (调解成功)", examples=[7498])
    no_agreement: int = Field(description="resolved without agreement (调解不成)", examples=[9])
    withdrawn: int = Field(description="withdrawn (撤回)", examples=[7])
    success_rate: float | None = Field(
        description="调处成功率, the bureau's published rate: agreements resolved in the period ÷ "
        "cases received in it (not always the same cases: above 1 when more settle than arrive; "
        "see cohort_success_rate); null if none received",
        examples=[0.9978706414692574],
    )
    settlement_rate: float | None = Field(
        description="agreements ÷ resolved; null if none resolved", examples=[0.9978706414692574]
    )
    open: int = Field(description="open now, whatever the period (the other filters apply)")
    overdue: int = Field(description="open and past due_at, now")
    due_soon: int = Field(description="open and due within the next 72 hours")
    days_to_resolve_median: float | None = Field(
        description="median of resolved_at − received_at in days, of the cases resolved in the "
        "period (an even count: the mean of the two middle values)",
        examples=[12.5],
    )
    days_to_resolve_p90: float | None = Field(
        description="90th percentile of the same, by nearest rank", examples=[27.04]
    )
    agreement_amount: str = Field(
        description="sum of the agreed amounts of the agreements resolved in the period",
        examples=["1200.00"],
        pattern=r"^\d+\.\d{2}$",
    )
    follow_up_rate: float | None = Field(
        description="of those agreements, the share with a follow-up (回访率)"
    )
    fulfilment_rate: float | None = Field(
        description="of those followed up, the share whose latest follow-up says fulfilled"
    )
    judicial_confirmations_applied: int = Field(
        description="of those agreements, how many applied for judicial confirmation (司法确认)"
    )
    judicial_confirmations_confirmed: int = Field(description="and how many the court confirmed")
    escalated_yellow: int = Field(description="open cases whose latest risk level is yellow")
    escalated_orange: int = Field(description="open cases whose latest risk level is orange")
    escalated_red: int = Field(description="open cases whose latest risk level is red")
    cohort_received: int = Field(
        description="the cohort: the cases received in the period (the same as received)",
        examples=[7514],
    )
    cohort_resolved: int = Field(
        description="of the cohort, those resolved by now (in the period or later)",
        examples=[7514],
    )
    cohort_agreements: int = Field(
        description="of the cohort, those resolved with an agreement by now", examples=[7498]
    )
    cohort_open: int = Field(description="of the cohort, those not resolved yet", examples=[0])
    cohort_success_rate: float | None = Field(
        description="cohort_agreements ÷ cohort_received: what became of the cases received in "
        "the period, whatever happened later; never above 1; null if none received",
        examples=[0.9978706414692574],
    )
    cohort_days_to_resolve_median: float | None = Field(
        description="median of resolved_at − received_at in days, of the cohort's resolved cases",
        examples=[5.2],
    )
    satisfaction_mean: float | None = Field(
        description="of the agreements resolved in the period that were followed up, the mean "
        "satisfaction (1-5) of their latest follow-up (回访满意度); null if none followed up",
        examples=[4.6],
    )
    satisfied_rate: float | None = Field(
        description="of the same, the share whose latest follow-up scored 4 or 5 of 5 (满意率)",
        examples=[0.93],
    )


class StatsRowOut(FiguresOut):
    key: str | None = Field(
        description="the dimension's value (a month as YYYY-MM, an ISO week in the bureau's "
        "time zone as YYYY-Www); null for cases not routed yet (organisation, mediator) or "
        "without a subcategory",
        examples=["东湖街道"],
    )


class StatsRowsOut(BaseModel):
    rows: list[StatsRowOut] = Field(
        description="one row per value that has a case in the period or in the backlog"
    )

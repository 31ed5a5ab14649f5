"""Request bodies an integrator can copy from `/docs`: each case command's usual shapes.

Every example here is a valid body of its request model (tests/e2e/api/test_openapi_docs.py
checks each one), so what the docs show is what the API accepts.
"""

from __future__ import annotations

from fastapi.openapi.models import Example

PARTIES = [
    {"role": "applicant", "name": "王小明", "phone": "13800000000"},
    {"role": "respondent", "name": "赵大海"},
]

RECEIVE: dict[str, Example] = {
    "family": {
        "summary": "a neighbours' dispute (家事 · 邻里纠纷), walked in",
        "value": {
            "category": "family",
            "subcategory": "neighbour",
            "street": "东湖街道",
            "channel": "walk_in",
            "summary": "楼上漏水引发邻里纠纷",
            "parties": PARTIES,
            "claim_amount": "1200.00",
        },
    },
    "late": {
        "summary": "a paper record entered later: received_at says when it happened",
        "value": {
            "category": "property_management",
            "subcategory": "fees",
            "street": "东湖街道",
            "channel": "hotline",
            "summary": "业主拒缴物业费",
            "parties": [
                {"role": "applicant", "name": "某物业公司"},
                {"role": "respondent", "name": "李四"},
            ],
            "received_at": "2026-03-02T09:30:00+08:00",
        },
    },
}

ROUTE: dict[str, Example] = {
    "route": {
        "summary": "to a mediator of a street's room; due 30 days after receipt",
        "value": {"organisation": "room-1", "mediator": "m1"},
    },
    "with a deadline": {
        "summary": "with an earlier deadline and a note for the mediator",
        "value": {
            "organisation": "room-1",
            "mediator": "m1",
            "due_at": "2026-03-20T18:00:00+08:00",
            "note": "请尽快联系双方",
        },
    },
}

SESSION: dict[str, Example] = {
    "in person": {
        "summary": "a session held in person, now",
        "value": {
            "method": "in_person",
            "attendees": ["王小明", "赵大海"],
            "notes": "双方同意分担维修费用",
            "duration_minutes": 45,
        },
    },
    "logged later": {
        "summary": "a phone session logged after the fact (held_at)",
        "value": {
            "method": "phone",
            "attendees": ["王小明"],
            "notes": "电话联系申请人，了解诉求",
            "held_at": "2026-03-03T15:00:00+08:00",
        },
    },
}

EXTENSION: dict[str, Example] = {
    "extension": {
        "summary": "once, at most 30 days past the original deadline, the parties consenting",
        "value": {
            "new_due_at": "2026-04-15T18:00:00+08:00",
            "reason": "需要等待鉴定结果",
            "parties_consent": True,
        },
    },
}

RISK: dict[str, Example] = {
    "orange": {
        "summary": "a dispute that may escalate",
        "value": {"level": "orange", "reason": "当事人情绪激动，扬言上访"},
    },
}

CORRECTION: dict[str, Example] = {
    "street": {
        "summary": "the street was registered wrong",
        "value": {"reason": "街道登记错误", "street": "西山街道"},
    },
    "category": {
        "summary": "another category and subcategory (also of a resolved case, by a supervisor)",
        "value": {"reason": "实为合同纠纷", "category": "commercial", "subcategory": "contract"},
    },
    "parties": {
        "summary": "the parties' particulars: the whole list as it should be",
        "value": {
            "reason": "申请人电话登记有误",
            "parties": [
                {"role": "applicant", "name": "王小明", "phone": "13900000000"},
                {"role": "respondent", "name": "赵大海"},
            ],
        },
    },
    "clear": {
        "summary": "clear the subcategory and the claimed amount (null); omit a field to keep it",
        "value": {"reason": "登记时误填", "subcategory": None, "claim_amount": None},
    },
}

RESOLUTION: dict[str, Example] = {
    "agreement": {
        "summary": "调解成功: a written agreement with an amount",
        "value": {
            "outcome": "agreement",
            "agreement": {
                "form": "written",
                "amount": "800.00",
                "terms": "赵大海于三十日内赔偿王小明维修费800元",
            },
        },
    },
    "oral agreement": {
        "summary": "调解成功: an oral agreement (no judicial confirmation possible)",
        "value": {"outcome": "agreement", "agreement": {"form": "oral", "terms": "双方互谅互让"}},
    },
    "no agreement": {
        "summary": "调解不成: the parties are referred elsewhere",
        "value": {
            "outcome": "no_agreement",
            "referral": "litigation",
            "note": "双方分歧较大，告知诉讼途径",
        },
    },
    "withdrawn": {
        "summary": "撤回: a party withdrew (also before routing)",
        "value": {"outcome": "withdrawn", "note": "申请人撤回调解申请"},
    },
}

FOLLOW_UP: dict[str, Example] = {
    "fulfilled": {
        "summary": "the agreement is performed",
        "value": {"fulfilment": "fulfilled", "satisfaction": 5, "note": "协议已全部履行"},
    },
}

JUDICIAL_CONFIRMATION: dict[str, Example] = {
    "application": {
        "summary": "the parties applied to the court (within 30 days of the resolution)",
        "value": {"applied_at": "2026-03-10T09:00:00+08:00"},
    },
    "ruling": {
        "summary": "later: the court's ruling",
        "value": {"ruling": "confirmed", "ruled_at": "2026-03-20T15:00:00+08:00"},
    },
}

DOCUMENT_WITHDRAWAL: dict[str, Example] = {
    "withdrawal": {
        "summary": "a document attached to the wrong case: withdrawn, kept in the file",
        "value": {
            "document_id": "6f1c2d4e-8a9b-4c3d-9e8f-7a6b5c4d3e2f",
            "reason": "上传错误：不是本案的协议",
        },
    },
}

ROUTING_RULES: dict[str, Example] = {
    "the three matters": {
        "summary": "family to the street's room, large commercial claims to a committee",
        "value": {
            "rules": [
                {
                    "name": "大额商事到商事委员会",
                    "match": {"category": "commercial", "claim_amount_min": "100000.00"},
                    "target": {"organisation": "pro-commercial"},
                },
                {
                    "name": "家事到街道通解室",
                    "match": {"category": "family"},
                    "target": {"organisation_kind": "street_room"},
                },
            ]
        },
    },
}

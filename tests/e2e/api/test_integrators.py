"""The API as an integrator meets it: `/docs` says who may call each operation, in which states,
and what each answer means; its example bodies are accepted; a query parameter no path takes
is refused, not silently ignored."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from pydantic import BaseModel

from api.schemas import examples
from api.schemas.cases import (
    CaseReceivedRequest,
    CorrectionRequest,
    ExtensionRequest,
    FollowUpRequest,
    JudicialConfirmationRequest,
    ResolutionRequest,
    RiskRequest,
    RouteRequest,
    SessionRequest,
)
from tests.e2e.api.conftest import Api, resolved

PROBLEMS = ("401", "403", "404", "409", "422")


def _operations(api: Api) -> list[tuple[str, str, dict[str, Any]]]:
    document = api.client.get("/openapi.json").json()
    return [
        (method.upper(), path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def test_every_operation_says_who_may_call_it_and_what_its_answers_mean(api: Api) -> None:
    operations = _operations(api)
    assert len(operations) >= 30
    for method, path, operation in operations:
        described = operation.get("description", "")
        assert "**Who may call it:**" in described, (method, path)
        assert described.split("**Who may call it:**")[0].strip(), (method, path, "purpose")
        for status, answer in operation["responses"].items():
            assert answer.get("description"), (method, path, status)
        if path.startswith("/api/v1/cases/{case_id}"):
            assert "**In which states:**" in described, (method, path)
            assert operation["responses"]["404"]["description"] == "no case with this id"


def test_a_case_commands_answers_say_what_they_mean_there(api: Api) -> None:
    documented = {(m, p): o for m, p, o in _operations(api)}
    resolution = documented["POST", "/api/v1/cases/{case_id}/resolution"]
    assert "in_mediation for agreement and no_agreement" in resolution["description"]
    assert resolution["responses"]["409"]["description"].startswith("the case is resolved already")
    assert "a mediator or a supervisor" in resolution["responses"]["403"]["description"]
    sessions = documented["POST", "/api/v1/cases/{case_id}/sessions"]
    assert "the mediator the case is routed to" in sessions["description"]
    stats = documented["GET", "/api/v1/stats/summary"]
    assert "a supervisor or an auditor" in stats["description"]
    assert documented["GET", "/healthz"]["description"].endswith("anyone, without a token.")


BODIES: list[tuple[str, type[BaseModel], dict[str, Any]]] = [
    ("/api/v1/cases", CaseReceivedRequest, examples.RECEIVE),
    ("/api/v1/cases/{case_id}/route", RouteRequest, examples.ROUTE),
    ("/api/v1/cases/{case_id}/sessions", SessionRequest, examples.SESSION),
    ("/api/v1/cases/{case_id}/extension", ExtensionRequest, examples.EXTENSION),
    ("/api/v1/cases/{case_id}/risk", RiskRequest, examples.RISK),
    ("/api/v1/cases/{case_id}/corrections", CorrectionRequest, examples.CORRECTION),
    ("/api/v1/cases/{case_id}/resolution", ResolutionRequest, examples.RESOLUTION),
    ("/api/v1/cases/{case_id}/follow-ups", FollowUpRequest, examples.FOLLOW_UP),
    (
        "/api/v1/cases/{case_id}/judicial-confirmation",
        JudicialConfirmationRequest,
        examples.JUDICIAL_CONFIRMATION,
    ),
]


@pytest.mark.parametrize(("path", "model", "shown"), BODIES, ids=[b[0] for b in BODIES])
def test_every_example_body_in_the_docs_is_one_the_api_accepts(
    api: Api, path: str, model: type[BaseModel], shown: dict[str, Any]
) -> None:
    documented = next(o for m, p, o in _operations(api) if (m, p) == ("POST", path))
    offered = documented["requestBody"]["content"]["application/json"]["examples"]
    assert offered.keys() == shown.keys()
    for name, example in offered.items():
        assert example["summary"], name
        model.model_validate(example["value"])  # raises if the docs show a body it refuses
    if path.endswith(("/resolution", "/judicial-confirmation", "/corrections")):
        assert len(offered) >= 2


def test_the_example_ruling_and_application_record_a_judicial_confirmation(api: Api) -> None:
    case_id = resolved(api)
    path = f"/api/v1/cases/{case_id}/judicial-confirmation"
    assert api.post(path, "zhang", {}).status_code == 200  # applied now (applied_at: default)
    ruling = {"ruling": "confirmed"}
    assert api.post(path, "zhang", ruling).json()["version"] == 6


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/cases", {"applicant": "王小明"}),
        ("/api/v1/cases", {"status": "received", "categroy": "family"}),
        ("/api/v1/stats/summary", {"form": "2026-01-01"}),
        ("/api/v1/stats/street", {"from": "2026-01-01", "subcat": "fees"}),
        ("/api/v1/organisations", {"limit": "5"}),
    ],
)
def test_an_unknown_query_parameter_is_refused_by_name(
    api: Api, path: str, query: dict[str, str]
) -> None:
    unknown = next(name for name in query if name not in ("status", "from"))
    answer = api.get(path, "boss", **query)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    [error] = answer.json()["errors"]
    assert error["field"] == unknown
    assert error["message"].startswith("unknown query parameter; this path takes ")


def test_known_query_parameters_still_work(api: Api) -> None:
    assert api.get("/api/v1/cases", "boss", status="received", limit="5").status_code == 200
    assert api.get("/api/v1/stats/street", "boss", **{"from": "2026-01-01"}).status_code == 200


def test_categories_offer_other_disputes_with_their_subcategories(api: Api) -> None:
    items = api.get("/api/v1/categories", "zhang").json()["items"]
    assert [item["code"] for item in items][-1] == "other"
    other = items[-1]
    assert (other["zh"], other["en"]) == ("其他纠纷", "other disputes")
    labels = {sub["code"]: sub["zh"] for sub in other["subcategories"]}
    assert labels == {
        "labour": "劳动争议",
        "traffic": "交通事故纠纷",
        "medical": "医疗纠纷",
        "land_and_housing": "土地房屋纠纷",
        "other": "其他",
    }
    commercial = next(item for item in items if item["code"] == "commercial")
    assert {"code": "labour", "zh": "劳务纠纷", "en": "labour"} in commercial["subcategories"]


def test_a_supervisor_corrects_a_resolved_case_and_its_file_says_it_in_words(api: Api) -> None:
    case_id = resolved(api)
    path = f"/api/v1/cases/{case_id}/corrections"
    late = {"reason": "实为劳动争议", "category": "other", "subcategory": "labour"}
    refused = api.post(path, "zhang", late)
    assert refused.status_code == 409
    assert "only a supervisor corrects the registration of a resolved case" in refused.text
    summary = api.post(path, "boss", {**late, "summary": "劳动报酬纠纷"})
    assert summary.status_code == 409
    assert "keeps its summary" in summary.text
    corrected = api.post(path, "boss", late)
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["status"] == "resolved"
    case = api.get(f"/api/v1/cases/{case_id}", "boss").json()
    assert (case["category"], case["subcategory"], case["corrections"]) == ("other", "labour", 1)
    page = api.client.get(
        f"/api/v1/cases/{case_id}/file", headers={**api.auth("boss"), "Accept": "text/html"}
    )
    assert "其他纠纷 · 劳动争议" in page.text
    assert "other disputes · employment" in page.text


def test_the_case_file_says_a_subcategory_in_words(api: Api) -> None:
    case_id = resolved(api)
    page = api.client.get(
        f"/api/v1/cases/{case_id}/file", headers={**api.auth("boss"), "Accept": "text/html"}
    )
    assert "家事 · 邻里纠纷" in page.text
    assert "family · neighbours" in page.text


def test_a_csv_for_people_has_chinese_headers_words_and_rates_as_displayed(api: Api) -> None:
    api.app.state.views.start(workers=True)  # on PostgreSQL, `tongjie project`'s work
    resolved(api)
    head_now = api.app.state.tongjie.store.recorder.max_notification_id()
    csv_for = {**api.auth("boss"), "Accept": "text/csv"}
    by_category = api.client.get(
        f"/api/v1/stats/category?labels=zh&min_position={head_now}", headers=csv_for
    )
    assert by_category.status_code == 200, by_category.text
    table = list(csv.reader(io.StringIO(by_category.content.decode("utf-8-sig"))))
    head, family = table[0], next(row for row in table if row[0] == "家事")
    assert head[:4] == ["类别", "受理", "结案", "调解成功"]
    figures = dict(zip(head, family, strict=True))
    assert figures["结案协议率"] == "100.00%"
    assert re.fullmatch(r"\d+\.\d\d%", figures["调处成功率"])
    by_channel = api.client.get("/api/v1/stats/channel?labels=zh", headers=csv_for)
    assert by_channel.content.decode("utf-8-sig").splitlines()[1].startswith("来访,")
    for_programs = api.client.get("/api/v1/stats/category", headers=csv_for)
    assert for_programs.content.decode("utf-8-sig").startswith("category,received,")
    assert api.client.get("/api/v1/stats/category?labels=fr", headers=csv_for).status_code == 422

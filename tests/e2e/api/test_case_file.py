"""The case file (卷宗): JSON, and a printable page in Chinese and English that escapes input."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from html.parser import HTMLParser

from tests.e2e.api.conftest import AGREEMENT, SESSION, Api, in_mediation, receive
from tests.integration.audit.tamper import RawEvents

HOSTILE = '<script>alert("x")</script> & <b>粗体</b>'


def full_case(api: Api, **changes: object) -> str:
    case_id = in_mediation(api) if not changes else _routed_with(api, **changes)
    steps = [
        ("sessions", {**SESSION, "notes": "第二次调解：" + HOSTILE}),
        ("resolution", AGREEMENT),
        ("follow-ups", {"fulfilment": "partial", "satisfaction": 4, "note": "已付一半"}),
        ("judicial-confirmation", {}),
    ]
    for path, body in steps:
        answer = api.post(f"/api/v1/cases/{case_id}/{path}", "zhang", body)
        assert answer.status_code == 200, (path, answer.text)
    return case_id


def _routed_with(api: Api, **changes: object) -> str:
    case_id = receive(api, **changes)
    route = {"organisation": "room-1", "mediator": "m1", "note": "请尽快联系双方"}
    assert api.post(f"/api/v1/cases/{case_id}/route", "boss", route).status_code == 200
    answer = api.post(f"/api/v1/cases/{case_id}/sessions", "zhang", SESSION)
    assert answer.status_code == 200
    return case_id


def page(api: Api, case_id: str, login: str = "audit") -> tuple[str, dict[str, str]]:
    answer = api.client.get(
        f"/api/v1/cases/{case_id}/file",
        headers={**api.auth(login), "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert answer.status_code == 200, answer.text
    return answer.text, dict(answer.headers)


class Parsed(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.append(tag)
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data
        else:
            self.text.append(data)


def test_the_case_file_as_json(api: Api) -> None:
    case_id = full_case(api)
    body = api.get(f"/api/v1/cases/{case_id}/file", "audit").json()
    assert set(body) == {
        "case",
        "events",
        "unreadable_versions",
        "verification",
        "digest",
        "generated_at",
    }
    case = body["case"]
    assert case["status"] == "resolved"
    assert case["parties"][0]["name"] == "王小明"
    assert len(case["sessions"]) == 2
    assert case["agreement"]["amount"] == "800.00"
    assert case["follow_ups"][0]["fulfilment"] == "partial"
    assert case["judicial_applied_at"] is not None
    assert [e["type"] for e in body["events"]][:2] == ["Received", "Routed"]
    verification = body["verification"]
    assert (verification["valid"], verification["events"], verification["reason"]) == (
        True,
        7,
        None,
    )
    assert verification["head_hash"] == body["events"][-1]["hash"]
    assert body["digest"]["position"] >= body["events"][-1]["version"]
    check = api.get("/api/v1/audit/verify", "audit", **body["digest"]).json()
    assert check["valid"] is True


def test_the_printable_page(api: Api) -> None:
    case_id = full_case(api, summary="邻里纠纷 " + HOSTILE)
    html, headers = page(api, case_id)
    assert headers["content-type"].startswith("text/html")
    parsed = Parsed()
    parsed.feed(html)
    text = " ".join(parsed.text)
    for words in [
        "人民调解卷宗", "Mediation case file", "受理登记", "Registration", "当事人", "Parties",
        "分流交办", "Routing", "调解记录", "Session records", "调解协议", "Follow-ups", "回访",
        "司法确认", "Judicial confirmation", "完整性核验", "Verification", "核验通过",
        "王小明", "赵大海", "调解成功", "书面", "800.00 元", "部分履行", "请尽快联系双方",
        "东湖街道通解室 (room-1)", "张调解 (m1)",
    ]:  # fmt: skip
        assert words in text, words
    # What a user typed is shown as text, never run or parsed as markup.
    assert "script" not in parsed.tags
    assert "b" not in parsed.tags
    assert HOSTILE in text
    assert "&lt;script&gt;" in html
    # The page loads nothing; only its own inline style may apply, by its hash.
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy
    digest = base64.b64encode(hashlib.sha256(parsed.style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy
    assert "@media print" in parsed.style
    assert not re.search(r"(src|href)=", html)


def test_the_page_shows_a_failed_verification(fresh_api: Api) -> None:
    api = fresh_api
    case_id = full_case(api)
    digest = api.get("/api/v1/audit/digest", "audit").json()
    RawEvents(api.app.state.settings, api.app.state.tongjie).flip_byte(uuid.UUID(case_id), 3)
    html, _ = page(api, case_id)
    assert "核验未通过" in html
    assert "content changed" in html
    body = api.get(f"/api/v1/cases/{case_id}/file", "audit").json()
    assert (body["verification"]["first_invalid_version"], body["verification"]["reason"]) == (
        3,
        "content_changed",
    )
    assert body["digest"]["position"] == digest["position"]


def test_curl_gets_json_and_a_mediator_reads_only_their_cases(api: Api) -> None:
    case_id = receive(api)
    answer = api.client.get(
        f"/api/v1/cases/{case_id}/file", headers={**api.auth("zhang"), "Accept": "*/*"}
    )
    assert answer.headers["content-type"] == "application/json"
    assert api.get(f"/api/v1/cases/{case_id}/file", "li").status_code == 403

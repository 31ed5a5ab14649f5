"""The agreement (调解协议书) and the archive (归档) over HTTP, on SQLite and PostgreSQL: who
may have them, which cases have them, and an archive that verifies offline until one byte of
any of its parts changes."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from api.archive.verify import verify_archive
from domain.values import MediaType
from tests.documents import sample
from tests.e2e.api.conftest import AGREEMENT, Api, in_mediation, receive, resolved
from tests.e2e.api.test_documents import upload

WRITTEN = {
    "outcome": "agreement",
    "agreement": {
        "form": "written",
        "amount": "800",
        "terms": "赵大海于十日内赔偿王小明维修费800元",
        "performance": "银行转账一次性支付",
        "perform_by": "2031-01-15T18:00:00+08:00",
    },
}


def resolved_with_documents(api: Api) -> str:
    case_id = in_mediation(api)
    answer = api.post(f"/api/v1/cases/{case_id}/resolution", "zhang", WRITTEN)
    assert answer.status_code == 200, answer.text
    for media_type in (MediaType.PDF, MediaType.JPEG):
        assert upload(api, case_id, "zhang", sample(media_type)).status_code == 201
    signed = upload(api, case_id, "zhang", sample(MediaType.PNG), kind="agreement_signed")
    assert signed.status_code == 201
    return case_id


def test_the_agreement_is_a_page_of_a_written_agreement_only(api: Api) -> None:
    case_id = resolved_with_documents(api)
    for login in ("zhang", "boss", "audit"):
        page = api.client.get(
            f"/api/v1/cases/{case_id}/agreement",
            headers={**api.auth(login), "Accept": "text/html"},
        )
        assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    for text in ("人民调解协议书", "王小明", "赵大海", "银行转账一次性支付", "2031年1月15日"):
        assert text in page.text
    assert api.get(f"/api/v1/cases/{case_id}/agreement", "li").status_code == 403
    assert api.get(f"/api/v1/cases/{case_id}/agreement", "admin").status_code == 403
    oral = in_mediation(api)
    body = {**AGREEMENT, "agreement": {**AGREEMENT["agreement"], "form": "oral"}}
    assert api.post(f"/api/v1/cases/{oral}/resolution", "zhang", body).status_code == 200
    for not_written in (oral, receive(api)):
        refused = api.get(f"/api/v1/cases/{not_written}/agreement", "boss")
        assert refused.status_code == 409
        assert refused.json()["type"].endswith("/lifecycle")


def test_a_perform_by_before_the_resolution_is_a_422(api: Api) -> None:
    case_id = in_mediation(api)
    body = {**WRITTEN, "agreement": {**WRITTEN["agreement"], "perform_by": "2020-01-01T00:00:00Z"}}
    answer = api.post(f"/api/v1/cases/{case_id}/resolution", "zhang", body)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "agreement.perform_by"


def archive_of(api: Api, case_id: str, login: str = "audit") -> Any:
    return api.get(f"/api/v1/cases/{case_id}/archive", login)


def test_an_archive_for_auditors_and_supervisors_of_resolved_cases(api: Api) -> None:
    case_id = resolved(api)
    assert archive_of(api, case_id, "boss").status_code == 200
    for login in ("zhang", "admin"):
        assert archive_of(api, case_id, login).status_code == 403
    refused = archive_of(api, in_mediation(api))
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/lifecycle")


def rezipped(archive: bytes, name: str) -> bytes:
    """The archive with one byte of `name` changed, rewritten as a well-formed ZIP (its CRC
    recomputed, its comment kept): tampering done with care, not a damaged file."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == name:
                at = len(data) // 2
                data = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
            target.writestr(info, data)
        target.comment = source.comment
    return out.getvalue()


def test_an_archive_verifies_offline_and_names_a_byte_changed_in_any_part(api: Api) -> None:
    case_id = resolved_with_documents(api)
    answer = archive_of(api, case_id)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    archive = answer.content
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    documents = [n for n in names if n.startswith("documents/")]
    assert len(documents) == 3
    assert {"manifest.json", "case-file.json", "case-file.html", "agreement.html"} <= set(names)
    intact = verify_archive(io.BytesIO(archive))
    assert (intact.valid, intact.findings, intact.case_id) == (True, (), case_id)
    assert intact.parts_checked == len(names)
    history = api.get(f"/api/v1/cases/{case_id}/history", "audit").json()["events"]
    assert intact.head is not None
    assert (intact.head["version"], intact.head["hash"]) == (len(history), history[-1]["hash"])
    versions = {}
    for item in api.get(f"/api/v1/cases/{case_id}/documents", "audit").json()["items"]:
        versions[f"documents/{item['id']}"] = (item["version"], item["id"])
    for name in names:
        result = verify_archive(io.BytesIO(rezipped(archive, name)))
        assert not result.valid, name
        assert (result.findings[0].part, result.findings[0].problem) == (name, "changed")
        if name != "manifest.json":  # a changed manifest may disagree with a part, too
            assert {f.part for f in result.findings} == {name}, (name, result.findings)
        if name.startswith("documents/"):
            finding = result.findings[0]
            assert (finding.version, finding.document_id) == versions[name.rsplit(".", 1)[0]]


@pytest.mark.parametrize("change", ["unlisted", "missing", "not a zip"])
def test_a_part_added_or_removed_is_named(api: Api, change: str) -> None:
    archive = archive_of(api, resolved(api)).content
    source = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if not (change == "missing" and info.filename == "case-file.html"):
                target.writestr(info, source.read(info.filename))
        if change == "unlisted":
            target.writestr("documents/extra.pdf", b"%PDF-1.7 slipped in")
        target.comment = source.comment
    data = out.getvalue() if change != "not a zip" else archive[: len(archive) // 2]
    result = verify_archive(io.BytesIO(data))
    assert not result.valid
    part = {"unlisted": "documents/extra.pdf", "missing": "case-file.html", "not a zip": "archive"}
    assert [(f.part, f.problem) for f in result.findings] == [
        (part[change], {"not a zip": "unreadable"}.get(change, change))
    ]


def test_the_agreement_a_document_and_the_archive_are_logged_as_reads(api: Api) -> None:
    case_id = resolved_with_documents(api)
    document = api.get(f"/api/v1/cases/{case_id}/documents", "boss").json()["items"][0]
    before = len(api.get(f"/api/v1/cases/{case_id}/reads", "audit").json()["reads"])
    assert api.get(f"/api/v1/cases/{case_id}/agreement", "zhang").status_code == 200
    assert api.get(f"/api/v1/cases/{case_id}/documents/{document['id']}", "boss").status_code == 200
    assert archive_of(api, case_id, "audit").status_code == 200
    reads = api.get(f"/api/v1/cases/{case_id}/reads", "audit").json()["reads"][before:]
    assert [(r["login"], r["path"]) for r in reads] == [
        ("zhang", "GET /api/v1/cases/{id}/agreement"),
        ("boss", "GET /api/v1/cases/{id}/documents/{document_id}"),
        ("audit", "GET /api/v1/cases/{id}/archive"),
    ]

"""Documents over HTTP on SQLite and PostgreSQL: attach (multipart), list, download checked
against the event's SHA-256, withdraw; the 20 MiB limit streamed; who may attach."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from eventsourcing.cipher import AESCipher
from fastapi.testclient import TestClient

from api.app import create_app
from domain.values import MediaType
from tests.documents import RawBlobs, sample
from tests.e2e.api.conftest import Api, our_store_settings, receive, routed
from tests.world import make_world

MiB = 2**20


def upload(
    api: Api,
    case_id: str,
    login: str,
    content: bytes,
    *,
    name: str = "file.pdf",
    content_type: str = "application/pdf",
    headers: dict[str, str] | None = None,
    **fields: str,
) -> Any:
    data = {"kind": "evidence", "title": "现场照片", **fields}
    return api.client.post(
        f"/api/v1/cases/{case_id}/documents",
        headers={**api.auth(login), **(headers or {})},
        files={"file": (name, content, content_type)},
        data=data,
    )


def stored_events(api: Api, case_id: str) -> int:
    return int(api.get(f"/api/v1/cases/{case_id}", "boss").json()["version"])


@pytest.fixture(params=["plain", "encrypted"])
def keyed_api(
    request: pytest.FixtureRequest, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Api]:
    """A store of the test's own, with and without a cipher key."""
    settings = our_store_settings(database_url, monkeypatch)
    if request.param == "encrypted":
        settings = settings.model_copy(update={"cipher_key": AESCipher.create_key(16)})
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, app, make_world(app.state.tongjie))


def test_each_type_is_attached_listed_and_downloaded_as_it_was(keyed_api: Api) -> None:
    api = keyed_api
    case_id = receive(api)
    sent: dict[str, bytes] = {}
    for media_type in MediaType:
        content = sample(media_type, 200_000)
        answer = upload(api, case_id, "zhang", content, title=media_type.name)
        assert answer.status_code == 201, answer.text
        document = answer.json()["document"]
        assert answer.headers["location"] == f"/api/v1/cases/{case_id}/documents/{document['id']}"
        assert answer.headers["etag"] == f'"{answer.json()["version"]}"'
        assert (document["media_type"], document["size"]) == (media_type.value, len(content))
        assert document["sha256"] == hashlib.sha256(content).hexdigest()
        sent[document["id"]] = content
    listed = api.get(f"/api/v1/cases/{case_id}/documents", "zhang").json()["items"]
    assert [d["id"] for d in listed] == list(sent)
    assert [d["version"] for d in listed] == [2, 3, 4]
    for document_id, content in sent.items():
        for login in ("zhang", "boss", "audit"):
            got = api.get(f"/api/v1/cases/{case_id}/documents/{document_id}", login)
            assert got.status_code == 200
            assert got.content == content
        assert got.headers["x-content-sha256"] == hashlib.sha256(content).hexdigest()
        assert got.headers["x-content-type-options"] == "nosniff"
    assert api.get("/api/v1/audit/verify", "audit").json()["documents_checked"] == 3


def test_a_png_named_pdf_is_judged_by_its_bytes(api: Api) -> None:
    case_id = receive(api)
    png = sample(MediaType.PNG)
    answer = upload(api, case_id, "zhang", png, name="协议.pdf", content_type="application/pdf")
    assert answer.status_code == 201, answer.text
    document_id = answer.json()["document"]["id"]
    assert answer.json()["document"]["media_type"] == "image/png"
    got = api.get(f"/api/v1/cases/{case_id}/documents/{document_id}", "boss")
    assert got.headers["content-type"] == "image/png"
    assert ".png" in got.headers["content-disposition"]


def test_a_file_over_20_mib_is_refused_413_and_nothing_is_stored(api: Api) -> None:
    case_id = receive(api)
    raw = RawBlobs(api.app.state.settings)
    before = raw.addresses()
    big = sample(MediaType.PDF, 21 * MiB)
    declared = upload(api, case_id, "zhang", big)  # its Content-Length says so: refused at once
    assert declared.status_code == 413
    assert declared.headers["content-type"] == "application/problem+json"
    assert declared.json()["type"].endswith("/body-too-large")

    boundary = "tongjie-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nevidence\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nbig\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        yield head
        for start in range(0, len(big), MiB):
            yield big[start : start + MiB]
        yield f"\r\n--{boundary}--\r\n".encode()

    streamed = api.client.post(
        f"/api/v1/cases/{case_id}/documents",
        headers={**api.auth("zhang"), "Content-Type": f"multipart/form-data; boundary={boundary}"},
        content=chunks(),
    )
    assert streamed.status_code == 413, streamed.text
    assert streamed.json()["type"].endswith("/body-too-large")
    assert stored_events(api, case_id) == 1
    assert raw.addresses() == before
    exactly = sample(MediaType.PDF, 20 * MiB)  # the limit itself is allowed
    assert upload(api, case_id, "zhang", exactly).status_code == 201


A_PDF = {"file": ("a.pdf", b"%PDF-1.7 x", "application/pdf")}
FIELDS = {"kind": "evidence", "title": "x"}


@pytest.mark.parametrize(
    ("files", "data", "field"),
    [
        (None, FIELDS, "file"),
        ({"file": ("a.txt", b"plain text", "text/plain")}, FIELDS, "file"),
        ({"file": ("a.pdf", b"", "application/pdf")}, FIELDS, "file"),
        (A_PDF, {**FIELDS, "kind": "will"}, "kind"),
        (A_PDF, {"kind": "evidence"}, "title"),
        (A_PDF, {**FIELDS, "colour": "red"}, "colour"),
    ],
)
def test_a_bad_upload_is_a_422_naming_the_field_and_stores_nothing(
    api: Api, files: Any, data: dict[str, str], field: str
) -> None:
    case_id = receive(api)
    before = RawBlobs(api.app.state.settings).addresses()
    if files is None:
        files = {"other": ("a.pdf", b"%PDF-1.7 x", "application/pdf")}
    answer = api.client.post(
        f"/api/v1/cases/{case_id}/documents", headers=api.auth("zhang"), files=files, data=data
    )
    assert answer.status_code == 422, answer.text
    assert field in {e["field"] for e in answer.json()["errors"]}
    assert stored_events(api, case_id) == 1
    assert RawBlobs(api.app.state.settings).addresses() == before


def test_who_may_write_the_case_may_attach_and_withdraw(api: Api) -> None:
    case_id = routed(api)  # routed to zhang (m1)
    content = sample(MediaType.JPEG)
    assert upload(api, case_id, "li", content).status_code == 403  # not their case
    assert upload(api, case_id, "audit", content).status_code == 403
    assert upload(api, case_id, "admin", content).status_code == 403
    missing = "00000000-0000-4000-8000-000000000000"
    assert upload(api, missing, "zhang", content).status_code == 404
    assert stored_events(api, case_id) == 2
    assert upload(api, case_id, "boss", content).status_code == 201
    answer = upload(api, case_id, "zhang", sample(MediaType.PDF), kind="referral")
    document_id = answer.json()["document"]["id"]

    path = f"/api/v1/cases/{case_id}/documents/withdrawals"
    body = {"document_id": document_id, "reason": "上传错误：不是本案的函件"}
    assert api.post(path, "li", body).status_code == 403
    assert api.post(path, "audit", body).status_code == 403
    withdrawn = api.post(path, "zhang", body)
    assert withdrawn.status_code == 200, withdrawn.text
    assert api.post(path, "zhang", body).status_code == 409  # once
    unknown = api.post(path, "zhang", {**body, "document_id": missing})
    assert unknown.status_code == 404
    listed = {
        d["id"]: d for d in api.get(f"/api/v1/cases/{case_id}/documents", "boss").json()["items"]
    }
    assert listed[document_id]["withdrawal_reason"] == body["reason"]
    assert listed[document_id]["withdrawn_by"]["login"] == "zhang"
    kept = api.get(f"/api/v1/cases/{case_id}/documents/{document_id}", "audit")
    assert kept.status_code == 200  # withdrawn, never deleted
    assert api.get(f"/api/v1/cases/{case_id}/documents/{document_id}", "li").status_code == 403


def test_a_retry_with_the_same_key_attaches_once(api: Api) -> None:
    case_id = receive(api)
    content = sample(MediaType.PNG)
    key = {"Idempotency-Key": f"photo-{case_id}"}
    first = upload(api, case_id, "zhang", content, headers=key)
    again = upload(api, case_id, "zhang", content, headers=key)  # a new boundary, same file
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert stored_events(api, case_id) == 2
    other = upload(api, case_id, "zhang", sample(MediaType.PNG), headers=key)
    assert other.status_code == 409


def test_bytes_changed_in_the_database_are_refused_as_tampering(api: Api) -> None:
    case_id = receive(api)
    answer = upload(api, case_id, "zhang", sample(MediaType.PDF))
    document = answer.json()["document"]
    RawBlobs(api.app.state.settings).flip_byte(document["sha256"])
    got = api.get(f"/api/v1/cases/{case_id}/documents/{document['id']}", "boss")
    assert got.status_code == 500
    assert got.headers["content-type"] == "application/problem+json"
    problem = got.json()
    assert problem["type"].endswith("/document-tampered")
    assert (problem["case_id"], problem["version"], problem["document_id"]) == (
        case_id,
        2,
        document["id"],
    )
    assert problem["reason"] == "document_changed"
    audit = api.get("/api/v1/audit/verify", "audit").json()
    assert {"case_id": case_id, "version": 2, "document_id": document["id"]}.items() <= next(
        i for i in audit["invalid"] if i["document_id"] == document["id"]
    ).items()
    assert api.get(f"/api/v1/cases/{case_id}/verify", "audit").json()["reason"] == (
        "document_changed"
    )

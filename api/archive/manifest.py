"""The archive's format (归档, `tongjie-archive/1`): what its ZIP holds and how it is sealed.

```
manifest.json            every part's SHA-256, every event's hash, every document's SHA-256
case-file.json           the case file as GET /api/v1/cases/{id}/file answers it
case-file.html           the same, printable
agreement.html           the 调解协议书 (only for a written agreement)
documents/<id>.<ext>     every document's bytes, withdrawn ones too
```

`manifest.json` is canonical JSON (sorted keys, no spaces, UTF-8), so it has one byte form,
and the ZIP's comment carries its seal: `tongjie-archive/1 manifest-sha256:<hex>`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

FORMAT = "tongjie-archive/1"
MANIFEST = "manifest.json"
CASE_FILE_JSON = "case-file.json"
CASE_FILE_HTML = "case-file.html"
AGREEMENT_HTML = "agreement.html"
DOCUMENTS = "documents/"
SEAL_PREFIX = f"{FORMAT} manifest-sha256:"


def canonical(value: Any) -> bytes:
    """The one byte form of a JSON value: what the manifest is written as, and checked for."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seal(manifest: bytes) -> bytes:
    """The ZIP comment that seals the manifest's bytes."""
    return (SEAL_PREFIX + sha256(manifest)).encode("ascii")

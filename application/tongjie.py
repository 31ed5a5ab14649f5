"""The application as the outer layers see it: one object holding every use case."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import tzinfo

from eventsourcing.persistence import Transcoding

from application.audit import Audit, Verifier
from application.case_reads import CaseReads
from application.cases import CaseCommands
from application.documents import Documents
from application.people import PersonalData
from application.ports import AnswerStore, BlobStore, EventSource, RecorderPorts
from application.read_log import ReadLog, ReadLogPort
from application.reference import ReferenceData
from application.routing_rules import RoutingRulesBook
from application.store import TongjieStore
from application.triage import Triage
from application.users import TokenUses, Users


class Tongjie:
    def __init__(
        self,
        env: Mapping[str, str],
        transcodings: Sequence[Transcoding],
        timezone: tzinfo,
        *,
        ports_for: Callable[[object], RecorderPorts] | None = None,
        verifier_for: Callable[[object], Verifier | None] | None = None,
        uses_for: Callable[[object], TokenUses | None] | None = None,
        blobs_for: Callable[[object], BlobStore | None] | None = None,
        reads_for: Callable[[object], ReadLogPort | None] | None = None,
        events_for: Callable[[TongjieStore], EventSource | None] | None = None,
        auto_routing: bool = False,
    ) -> None:
        """`ports_for(recorder)`: what the store's recorder offers beyond the library's,
        `verifier_for(recorder)` the audit's chain checks, `uses_for(recorder)` where tokens'
        last uses are kept, `blobs_for(recorder)` where documents' bytes are kept beside the
        events, `reads_for(recorder)` the access log of reads, `events_for(store)` a faster
        read of one aggregate's events for replays (api/bootstrap.py). `auto_routing`: new cases
        that a routing rule matches are routed as they are received (application/triage.py)."""
        self.store = TongjieStore(env, transcodings)
        self.timezone = timezone
        ports = ports_for(self.store.recorder) if ports_for else RecorderPorts()
        self.answers: AnswerStore | None = ports.answers
        """Where Idempotency-Key answers are found; None: this store keeps no WriteConditions."""
        self.reference = ReferenceData(self.store, timezone)
        self.routing_rules = RoutingRulesBook(self.store, self.reference)
        self.triage = Triage(self.store, self.reference, self.routing_rules, timezone)
        self.cases = CaseCommands(
            self.store,
            self.reference,
            timezone,
            ports.witness,
            auto_routing=self.triage if auto_routing else None,
        )
        events = events_for(self.store) if events_for else None
        self.reads = CaseReads(self.store, ports.chain, events)
        uses = uses_for(self.store.recorder) if uses_for else None
        self.users = Users(self.store, self.reference, uses)
        self.read_log = ReadLog(reads_for(self.store.recorder) if reads_for else None)
        self.people = PersonalData(self.store, self.reads, self.read_log)
        blobs = blobs_for(self.store.recorder) if blobs_for else None
        self.documents = Documents(self.store, self.cases, blobs)
        verifier = verifier_for(self.store.recorder) if verifier_for else None
        self.audit = Audit(
            self.store, verifier, self.read_log, self.documents if blobs else None, events
        )

    def close(self) -> None:
        self.store.close()

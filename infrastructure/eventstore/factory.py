"""What both of our persistence modules' factories add to the library's: our recorder, closed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.persistence import InfrastructureFactory, TTrackingRecorder

from infrastructure.eventstore.recorder import GroupCommitRecorder

if TYPE_CHECKING:
    from eventsourcing.persistence import ApplicationRecorder
    from eventsourcing.utils import Environment, EnvType


class ClosesOurRecorders(InfrastructureFactory[TTrackingRecorder]):
    """Mixin, before the library's factory: events go through our recorder (its
    `application_recorder_class`); snapshots and tracking stay on the library's recorders.
    Closing the factory stops the writer thread of each recorder it made."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        self._recorders: list[GroupCommitRecorder] = []

    def application_recorder(self) -> ApplicationRecorder:
        # Abstract here, concrete in the library's factory that follows this mixin.
        recorder = super().application_recorder()  # type: ignore[safe-super]
        if isinstance(recorder, GroupCommitRecorder):
            self._recorders.append(recorder)
        return recorder

    def close(self) -> None:
        for recorder in self._recorders:
            recorder.close()
        super().close()

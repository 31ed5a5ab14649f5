"""Which cases a user reaches: the one rule for the write path, the reads and the API."""

from __future__ import annotations

from domain.values import Actor, Role


def reaches(actor: Actor, mediator: str | None, received_by: Actor) -> bool:
    """A mediator reaches the cases routed to them, and a case not routed yet that they
    received; the other roles reach every case (what they may do to it is the case's rule).

    `mediator` and `received_by` are the case's: its mediator (None before routing) and the
    user who received it.
    """
    if actor.role is not Role.MEDIATOR:
        return True
    if mediator is not None:
        return mediator == actor.mediator
    return received_by.id == actor.id

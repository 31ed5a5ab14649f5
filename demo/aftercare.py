"""After an agreement: follow-up visits (回访) and judicial confirmation (司法确认)."""

from __future__ import annotations

import random
from datetime import datetime

from demo.calendar import Clock
from demo.draw import Weighted
from demo.steps import ApplyForConfirmation, CourtRuling, FollowUp, Step
from demo.texts import FOLLOW_UP_NOTES
from domain.times import JUDICIAL_CONFIRMATION_PERIOD
from domain.values import Actor, Agreement, AgreementForm, Fulfilment, Ruling

W = Weighted
FIRST_VISIT = W({Fulfilment.FULFILLED: 88, Fulfilment.PARTIAL: 9, Fulfilment.UNFULFILLED: 3})
SECOND_VISIT = W({Fulfilment.FULFILLED: 65, Fulfilment.PARTIAL: 25, Fulfilment.UNFULFILLED: 10})
SATISFACTION = W({0: 70, 1: 25, 2: 5})  # the best, middle or worst score of a visit's range
SCORES = {
    Fulfilment.FULFILLED: (5, 4, 3),
    Fulfilment.PARTIAL: (4, 3, 2),
    Fulfilment.UNFULFILLED: (3, 2, 1),
}


class Aftercare:
    def __init__(self, rng: random.Random, clock: Clock) -> None:
        self.rng = rng
        self.clock = clock

    def steps(
        self, resolved_at: datetime, mediator: Actor, agreement: Agreement | None
    ) -> list[Step]:
        """Follow-up visits on a third of the agreements; a few go to court."""
        rng, clock = self.rng, self.clock
        steps: list[Step] = []
        if rng.random() < 0.3:
            at = clock.after(resolved_at, rng.randint(5, 25))
            fulfilment = FIRST_VISIT.pick(rng)
            steps.append(self._visit(at, mediator, fulfilment))
            if fulfilment is not Fulfilment.FULFILLED and rng.random() < 0.6:
                at = clock.after(at, rng.randint(10, 20))
                fulfilment = SECOND_VISIT.pick(rng)
                steps.append(self._visit(at, mediator, fulfilment))
        if (
            agreement is not None
            and agreement.form is AgreementForm.WRITTEN
            and rng.random() < 0.07
        ):
            applied = clock.after(resolved_at, rng.randint(1, 12))
            latest = resolved_at + JUDICIAL_CONFIRMATION_PERIOD
            if applied > latest:
                applied = clock.within(resolved_at, latest)
            steps.append(ApplyForConfirmation(applied, mediator))
            if rng.random() < 0.92:
                ruling = Ruling.CONFIRMED if rng.random() < 0.95 else Ruling.REJECTED
                steps.append(
                    CourtRuling(clock.after(applied, rng.randint(3, 12)), mediator, ruling)
                )
        return steps

    def _visit(self, at: datetime, mediator: Actor, fulfilment: Fulfilment) -> FollowUp:
        satisfaction = SCORES[fulfilment][SATISFACTION.pick(self.rng)]
        return FollowUp(at, mediator, fulfilment, satisfaction, FOLLOW_UP_NOTES[fulfilment])

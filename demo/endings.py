"""How a demo case ends (结案): the agreement and its terms, or the referral, or the withdrawal."""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal

from demo.draw import Weighted
from demo.steps import Resolve
from demo.texts import (
    DEFAULT_TERMS,
    MONEY_TERMS,
    REFERRAL_NOTES,
    TERMS,
    WITHDRAWN_NOTES,
)
from domain.values import Actor, Agreement, AgreementForm, Outcome, Referral, Registration

W = Weighted
REFERRALS = {  # where a mediation without agreement sends the parties
    "labour": W({Referral.ARBITRATION: 7, Referral.LITIGATION: 3}),
    "nuisance": W({Referral.ADMINISTRATIVE: 5, Referral.OTHER: 2, Referral.LITIGATION: 3}),
    "parking": W({Referral.ADMINISTRATIVE: 5, Referral.OTHER: 2, Referral.LITIGATION: 3}),
    "": W({Referral.LITIGATION: 3, Referral.OTHER: 1}),
}


class Endings:
    def __init__(self, rng: random.Random, supervisor: Actor) -> None:
        self.rng = rng
        self.supervisor = supervisor

    def resolution(
        self, at: datetime, mediator: Actor, registration: Registration, outcome: Outcome
    ) -> Resolve:
        rng = self.rng
        if outcome is Outcome.AGREEMENT:
            return Resolve(at, mediator, outcome, agreement=self._agreement(registration))
        if outcome is Outcome.WITHDRAWN:
            actor = self.supervisor if rng.random() < 0.2 else mediator
            return Resolve(at, actor, outcome, note=rng.choice(WITHDRAWN_NOTES))
        referral = self._referral(registration.subcategory)
        return Resolve(at, mediator, outcome, referral=referral, note=REFERRAL_NOTES[referral])

    def _agreement(self, registration: Registration) -> Agreement:
        rng = self.rng
        amount: Decimal | None = None
        if registration.claim_amount is not None:
            share = Decimal(str(round(rng.uniform(0.45, 1.0), 2)))
            amount = max(Decimal(10), (registration.claim_amount * share) // 10 * 10)
            amount = amount.quantize(Decimal("0.01"))
        written = (amount is not None and amount > 10_000) or rng.random() < 0.85
        if amount is not None:
            terms = rng.choice(MONEY_TERMS).format(days=rng.choice((7, 10, 15, 30)), amount=amount)
        else:
            terms = rng.choice(TERMS.get(registration.subcategory or "", DEFAULT_TERMS))
        form = AgreementForm.WRITTEN if written else AgreementForm.ORAL
        return Agreement(form=form, terms=terms, amount=amount)

    def _referral(self, subcategory: str | None) -> Referral:
        return REFERRALS.get(subcategory or "", REFERRALS[""]).pick(self.rng)

"""Rules of a registration (受理登记) that hold whatever the case's state."""

from __future__ import annotations

from decimal import Decimal

from domain.errors import InvalidValueError
from domain.text import blank
from domain.values import SUBCATEGORIES, PartyRole, Registration


def check_registration(registration: Registration) -> None:
    """Raise the first broken rule: the street's existence is the application's to check."""
    if registration.subcategory is not None and (
        registration.subcategory not in SUBCATEGORIES[registration.category]
    ):
        allowed = ", ".join(sorted(SUBCATEGORIES[registration.category]))
        raise InvalidValueError(
            "subcategory",
            f"{registration.subcategory!r} is not a subcategory of "
            f"{registration.category.value} ({allowed})",
        )
    if blank(registration.summary):
        raise InvalidValueError("summary", "must not be empty")
    if blank(registration.street):
        raise InvalidValueError("street", "must not be empty")
    for index, party in enumerate(registration.parties):
        if blank(party.name):
            raise InvalidValueError(f"parties.{index}.name", "must not be empty")
    roles = {party.role for party in registration.parties}
    for role in (PartyRole.APPLICANT, PartyRole.RESPONDENT):
        if role not in roles:
            raise InvalidValueError("parties", f"at least one {role.value} is needed")
    if registration.claim_amount is not None and registration.claim_amount < Decimal(0):
        raise InvalidValueError("claim_amount", "must not be negative")

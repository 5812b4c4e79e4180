"""The database refuses what must never hold, whatever path the data takes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from scoretrack.reference.models import Agreement, CountryProgramme, Organisation, Phase, Target


@pytest.fixture
def bolivia(db: object) -> CountryProgramme:
    return CountryProgramme.objects.create(code="BO", name="Bolivia", currency="BOB")


def test_a_phase_cannot_end_before_it_starts(db: object) -> None:
    phase = Phase(name="X", start_date=dt.date(2020, 1, 1), end_date=dt.date(2019, 1, 1))
    with pytest.raises(ValidationError, match="The end date is before the start date"):
        phase.save()  # the model's rule
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database's
        Phase.objects.bulk_create([phase])


def test_organisation_keys_are_unique_per_country_and_globally(bolivia: CountryProgramme) -> None:
    peru = CountryProgramme.objects.create(code="PE", name="Peru")
    Organisation.objects.create(
        key="CAINCO", name="Cainco", country=bolivia, type="employer_organisation"
    )
    Organisation.objects.create(
        key="CAINCO", name="Cainco Peru", country=peru, type="employer_organisation"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(key="CAINCO", name="Dup", country=bolivia, type="donor")
    Organisation.objects.create(key="SECO", name="SECO", type="donor")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(key="SECO", name="Dup", type="donor")


def test_an_unknown_organisation_type_is_refused(bolivia: CountryProgramme) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(key="X", name="X", country=bolivia, type="pirate")


def test_an_agreement_cannot_end_before_it_is_signed(bolivia: CountryProgramme) -> None:
    org = Organisation.objects.create(key="X", name="X", country=bolivia, type="trade_union")
    agreement = Agreement(
        organisation=org,
        country=bolivia,
        kind="mou",
        signed_on=dt.date(2015, 5, 1),
        ended_on=dt.date(2015, 4, 30),
    )
    with pytest.raises(ValidationError, match="The end date is before the signature"):
        agreement.save()  # the model's rule
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database's
        Agreement.objects.bulk_create([agreement])


def test_one_target_per_indicator_and_scope_even_with_blanks(bolivia: CountryProgramme) -> None:
    Target.objects.create(indicator="cost_recovery_pct", value=50)
    Target.objects.create(indicator="cost_recovery_pct", country=bolivia, value=40)
    Target.objects.create(indicator="cost_recovery_pct", country=bolivia, year=2016, value=45)
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(indicator="cost_recovery_pct", value=60)
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(indicator="cost_recovery_pct", country=bolivia, value=41)
    assert Target.objects.count() == 3


def test_validating_a_target_compares_its_own_scope(bolivia: CountryProgramme) -> None:
    """Model validation (pages) reads the record's country and phase, not the stored
    column against itself: a global target beside a Bolivian one is another target."""
    Target.objects.create(indicator="smes_trained", country=bolivia, value=100)
    Target(indicator="smes_trained", value=5).full_clean()
    Target(indicator="smes_trained", country=bolivia, year=2016, value=5).full_clean()
    with pytest.raises(ValidationError, match="target_unique_scope"):
        Target(indicator="smes_trained", country=bolivia, value=5).full_clean()

"""The enterprise page: its journey and KPI charts, practices before and after, the
plan; the trainer page's visits."""

from __future__ import annotations

import datetime as dt

import pytest

from scoretrack.training.models import ConsultingVisit, Enrolment


@pytest.fixture
def firm_a(programme):
    """Firm A of conftest.py, with a visit, two assessments, a KPI and a plan."""
    make, a = programme.make, programme.A
    d1 = a.participants.filter(delivery__key="D1").first().delivery
    Enrolment.objects.filter(delivery=d1, enterprise=a).update(status="completed")
    ConsultingVisit.objects.create(
        enterprise=a, trainer=programme.T1, date=dt.date(2014, 4, 2), hours=3
    )
    base = make.assessment(a, "baseline", "2014-03-05", kaizen=True, meetings=False)
    base.assessor = programme.T1
    base.save()
    make.assessment(a, "progress", "2014-09-01", kaizen=True, meetings=True)
    make.observations(a, make.kpi("defect_rate", "lower"), "2014-03", "12", "10", "7")
    make.initiative(a, "Separate changing rooms", gender_related=True, saving_usd=0)
    return a


@pytest.mark.django_db
def test_the_enterprise_page_shows_its_journey_in_order(
    admin_client, firm_a, django_assert_max_num_queries
):
    # 25, and 4 of the outcome sections (assessments, their answers, the plan,
    # the surveys by wave and sex), whatever the number of records.
    with django_assert_max_num_queries(29):
        response = admin_client.get(f"/enterprises/{firm_a.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    journey = html[html.index('id="journey"') : html.index('id="kpis"')]
    order = [
        journey.index(text) for text in ("2014-03-01", "2014-03-05", "2014-04-02", "2014-09-01")
    ]
    assert order == sorted(order)
    assert "Consulting visit" in journey and "Assessment" in journey


@pytest.mark.django_db
def test_the_enterprise_page_compares_practices_before_and_after(admin_client, firm_a):
    html = admin_client.get(f"/enterprises/{firm_a.pk}/").content.decode()
    practices = html[html.index('id="practices"') : html.index('id="improvement-plan"')]
    assert (
        '<th scope="row">kaizen</th><td>yes</td><td>yes</td><td>in place before</td>' in practices
    )
    assert (
        '<th scope="row">meetings</th><td>no</td><td>yes</td><td>newly implemented</td>'
        in practices
    )


@pytest.mark.django_db
def test_the_enterprise_page_draws_each_kpi_against_its_baseline(admin_client, firm_a):
    html = admin_client.get(f"/enterprises/{firm_a.pk}/").content.decode()
    kpis = html[html.index('id="kpis"') :]
    assert kpis.count("<svg") == 1
    assert "Baseline: 12</title>" in kpis
    assert "2014-05 · defect_rate: 7</title>" in kpis
    plan = html[html.index('id="improvement-plan"') : html.index('id="journey"')]
    assert "Separate changing rooms" in plan


@pytest.mark.django_db
def test_the_trainer_page_lists_its_visits_and_assessments(
    admin_client, firm_a, programme, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        response = admin_client.get(f"/trainers/{programme.T1.pk}/")
    html = response.content.decode()
    visits = html[html.index('id="visits"') : html.index('id="assessments"')]
    assert "2014-04-02" in visits and ">A</a>" in visits
    assert "2014-03-05" in html[html.index('id="assessments"') :]

"""The one scoping method, role by role and model by model (records and aggregates)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps

from scoretrack.accounts.scoping import RULES
from scoretrack.lib.models import Record

ROLES = ["global", "country", "partner", "trainer", "enterprise", "lead_buyer", "viewer", "nobody"]

# What each role may READ, by the fixture names of conftest.world. Roles not listed see nothing.
RECORDS: dict[str, tuple[str, dict[str, set[str]]]] = {
    "enterprises.Enterprise": (
        "E_BO1 E_BO2 E_PE1",
        {
            "country": {"E_BO1", "E_BO2"},
            "partner": {"E_BO1"},
            "trainer": {"E_BO1", "E_BO2"},
            "enterprise": {"E_BO1"},
        },
    ),
    "enterprises.LeadBuyerLink": (
        "LINK_BO LINK_PE",
        {
            "country": {"LINK_BO"},
            "partner": {"LINK_BO"},
            "trainer": {"LINK_BO"},
            "enterprise": {"LINK_BO"},
        },
    ),
    "training.Delivery": (
        "D_BO D_BO2 D_PE",
        {
            "country": {"D_BO", "D_BO2"},
            "partner": {"D_BO"},
            "trainer": {"D_BO"},
            "enterprise": {"D_BO"},
        },
    ),
    "training.ConsultingVisit": (
        "VISIT",
        {"country": {"VISIT"}, "trainer": {"VISIT"}},
    ),
    "trainers.Trainer": (
        "T_BO T_PE",
        {"country": {"T_BO"}, "partner": {"T_BO"}, "trainer": {"T_BO"}, "enterprise": {"T_BO"}},
    ),
    "trainers.Milestone": (
        "MS_BO MS_PE",
        {"country": {"MS_BO"}, "partner": {"MS_BO"}, "trainer": {"MS_BO"}, "enterprise": {"MS_BO"}},
    ),
    "reference.Organisation": (
        "P_BO P_PE LB",
        {
            # LB: the lead buyer of E-BO1, named on the firm's record they read.
            "country": {"P_BO", "LB"},
            "partner": {"P_BO", "LB"},
            "trainer": {"P_BO", "LB"},
            "enterprise": {"P_BO", "LB"},
        },
    ),
    "reference.Agreement": ("AG_BO AG_PE", {"country": {"AG_BO"}, "partner": {"AG_BO"}}),
    "finance.DirectCost": ("COST_BO COST_PE", {"country": {"COST_BO"}, "partner": {"COST_BO"}}),
    "finance.Contribution": ("CONTRIB_LB CONTRIB_PE", {"country": {"CONTRIB_LB"}}),
    "events.Event": ("EV_BO EV_PE", {"country": {"EV_BO"}}),
    "events.EventParticipation": ("EVP_BO EVP_PE", {"country": {"EVP_BO"}}),
    "outcomes.Initiative": (
        "INIT_BO1 INIT_PE1",
        {
            "country": {"INIT_BO1"},
            "partner": {"INIT_BO1"},
            "trainer": {"INIT_BO1"},
            "enterprise": {"INIT_BO1"},
        },
    ),
}


def _names(world: SimpleNamespace, names: set[str] | str) -> set[Any]:
    if isinstance(names, str):
        names = set(names.split())
    return {getattr(world, name).pk for name in names}


CASES = [(label, role) for label in RECORDS for role in ROLES]


@pytest.mark.parametrize(("label", "role"), CASES, ids=[f"{m}-{r}" for m, r in CASES])
def test_each_role_reads_exactly_its_records(world: SimpleNamespace, label: str, role: str) -> None:
    everything, expected = RECORDS[label]
    model = apps.get_model(label)
    seen = set(model.objects.visible_to(world.users[role]).values_list("pk", flat=True))
    if role == "global":
        assert seen == _names(world, everything)
    else:
        assert seen == _names(world, expected.get(role, set()))


def test_participants_of_a_shared_delivery_stay_with_their_enterprise(
    world: SimpleNamespace,
) -> None:
    from scoretrack.training.models import Participant

    seen = {
        p.enterprise.key
        for p in Participant.objects.visible_to(world.users["enterprise"]).select_related(
            "enterprise"
        )
    }
    assert seen == {"E-BO1"}
    assert Participant.objects.visible_to(world.users["country"]).count() == 2
    assert Participant.objects.visible_to(world.users["lead_buyer"]).count() == 0


def test_lead_buyers_count_their_suppliers_and_donors_everything(world: SimpleNamespace) -> None:
    from scoretrack.enterprises.models import Enterprise
    from scoretrack.training.models import Participant

    buyer, donor = world.users["lead_buyer"], world.users["viewer"]
    suppliers = Enterprise.objects.visible_to(buyer, purpose="aggregates")
    assert set(suppliers.values_list("key", flat=True)) == {"E-BO1", "E-PE1"}
    assert Participant.objects.visible_to(buyer, purpose="aggregates").count() == 2
    assert Enterprise.objects.visible_to(donor, purpose="aggregates").count() == 3
    assert Enterprise.objects.visible_to(donor).count() == 0


def test_a_user_with_two_roles_sees_the_union(world: SimpleNamespace) -> None:
    from scoretrack.accounts.models import RoleAssignment
    from scoretrack.enterprises.models import Enterprise

    user = world.users["partner"]
    RoleAssignment.objects.create(user=user, role="enterprise", enterprise=world.E_PE1)
    user = type(user).objects.get(pk=user.pk)  # a fresh object: the access is cached per object
    assert set(Enterprise.objects.visible_to(user).values_list("key", flat=True)) == {
        "E-BO1",
        "E-PE1",
    }


def test_an_inactive_user_sees_nothing(world: SimpleNamespace) -> None:
    from scoretrack.enterprises.models import Enterprise

    user = world.users["country"]
    user.is_active = False
    assert Enterprise.objects.visible_to(user).count() == 0


def test_every_domain_model_has_a_scoping_rule() -> None:
    models = {
        m._meta.label
        for m in apps.get_models()
        if issubclass(m, Record) and not m.__name__.startswith("Historical")
    }
    assert models - set(RULES) == set()

"""Who changed what is shown on the record; deleted records are listed and restorable."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.test import Client

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.enterprises.models import Enterprise
from scoretrack.lib.current_user import acting_as
from scoretrack.reference.models import CountryProgramme, Module
from scoretrack.training.models import Delivery


def _firm(admin: User) -> Enterprise:
    with acting_as(admin):
        ghana = CountryProgramme.objects.create(code="GH", name="Ghana")
        return Enterprise.objects.create(key="E1", name="Cocoa Ltd", country=ghana)


def test_the_history_partial_shows_who_changed_which_field(admin: User) -> None:
    firm = _firm(admin)
    editor = User.objects.create_user(email="editor@x.org", password="pw")
    with acting_as(editor):
        firm.name = "Cocoa Processing Ltd"
        firm.save()
    html = Template("{% load audit %}{% record_history firm %}").render(Context({"firm": firm}))
    assert "editor@x.org" in html
    assert "hq@example.org" in html
    assert "Cocoa Ltd → Cocoa Processing Ltd" in html
    assert html.index("changed") < html.index("created")  # newest first


def test_a_deleted_record_is_listed_and_restored_with_its_id(
    admin: User, admin_client: Client
) -> None:
    firm = _firm(admin)
    firm_id = firm.id
    with acting_as(admin):
        firm.delete()
    page = admin_client.get("/deleted/")
    assert page.status_code == 200
    assert "Cocoa Ltd" in page.content.decode()
    response = admin_client.post(
        "/deleted/restore", {"model": "enterprises.Enterprise", "id": str(firm_id)}, follow=True
    )
    assert "Restored: enterprise Cocoa Ltd" in response.content.decode()
    restored = Enterprise.objects.get(id=firm_id)
    assert (restored.key, restored.name, restored.country.code) == ("E1", "Cocoa Ltd", "GH")
    assert "Cocoa Ltd" not in admin_client.get("/deleted/").content.decode().split("<tbody>")[1]


def test_a_record_whose_parent_is_gone_is_not_restored_and_says_why(
    admin: User, admin_client: Client
) -> None:
    with acting_as(admin):
        ghana = CountryProgramme.objects.create(code="GH", name="Ghana")
        m9 = Module.objects.create(code="M9", name="Lean")
        delivery = Delivery.objects.create(
            key="D1", country=ghana, module=m9, start_date=dt.date(2016, 1, 1)
        )
        delivery_id = delivery.id
        delivery.delete()
        m9.delete()
    response = admin_client.post(
        "/deleted/restore", {"model": "training.Delivery", "id": str(delivery_id)}, follow=True
    )
    assert (
        "Not restored: it cannot come back: the module it refers to (module) is gone"
        in response.content.decode()
    )
    assert not Delivery.objects.filter(id=delivery_id).exists()


def test_bad_restore_requests_get_a_message_not_an_error(admin_client: Client) -> None:
    for data, message in [
        ({"model": "nope.Nope", "id": "x"}, "unknown kind of record"),
        ({"model": "enterprises.Enterprise", "id": "not-a-uuid"}, "is not a record id"),
        (
            {"model": "enterprises.Enterprise", "id": "00000000-0000-0000-0000-000000000000"},
            "no deletion of this record is recorded",
        ),
    ]:
        response = admin_client.post("/deleted/restore", data, follow=True)
        assert response.status_code == 200
        assert message in response.content.decode()


def test_only_global_admins_see_deleted_records(db: object) -> None:
    ghana = CountryProgramme.objects.create(code="GH", name="Ghana")
    team = User.objects.create_user(email="gh@x.org", password="pw")
    RoleAssignment.objects.create(user=team, role="country_team", country=ghana)
    client = Client()
    client.force_login(team)
    assert client.get("/deleted/").status_code == 403
    assert client.post("/deleted/restore", {}).status_code == 403
    assert client.get("/deleted/restore").status_code == 405

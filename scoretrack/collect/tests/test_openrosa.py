"""The OpenRosa server through raw HTTP, as ODK Collect sends it."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from django.test import Client

from scoretrack.collect import auth, pipeline
from scoretrack.collect.models import CollectKey, Submission
from scoretrack.collect.tests.standin_forms import XFORM, instance, standin  # noqa: F401
from scoretrack.training.models import ConsultingVisit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standin")]

BOUNDARY = "----odkcollect7d8e9f"
UUID1 = "uuid:6a3c0f0e-2b8b-4a58-9d0e-000000000001"


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def multipart(xml: bytes, files: dict[str, tuple[str, bytes]] | None = None) -> bytes:
    """A body as ODK Collect builds it: the instance, then each attachment."""
    parts = [("xml_submission_file", "submission.xml", "text/xml", xml)]
    parts += [(name, name, ctype, data) for name, (ctype, data) in (files or {}).items()]
    body = b""
    for field, filename, ctype, data in parts:
        body += (
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
                f'filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'
            ).encode()
            + data
            + b"\r\n"
        )
    return body + f"--{BOUNDARY}--\r\n".encode()


class Phone:
    """A Digest client as ODK Collect's: takes the challenge, then answers it."""

    def __init__(self, username: str, password: str) -> None:
        self.client = Client()
        self.username, self.password = username, password
        self.nonce = ""
        self.nc = 0

    def authorization(self, method: str, uri: str) -> str:
        self.nc += 1
        nc, cnonce = f"{self.nc:08x}", "0a4f113b"
        ha1 = md5(f"{self.username}:scoretrack:{self.password}")
        response = md5(f"{ha1}:{self.nonce}:{nc}:{cnonce}:auth:{md5(f'{method}:{uri}')}")
        return (
            f'Digest username="{self.username}", realm="scoretrack", nonce="{self.nonce}", '
            f'uri="{uri}", qop=auth, nc={nc}, cnonce="{cnonce}", response="{response}", '
            'algorithm=MD5, opaque="x"'
        )

    def send(self, method: str, uri: str, body: bytes = b"", **headers: str) -> Any:
        headers = {"X-OpenRosa-Version": "1.0", **headers}
        if self.nonce:
            headers["Authorization"] = self.authorization(method, uri)
        content_type = f"multipart/form-data; boundary={BOUNDARY}" if body else None
        kwargs = {"content_type": content_type} if content_type else {}
        return self.client.generic(method, uri, body, headers=headers, **kwargs)

    def challenge(self, uri: str = "/collect/formList") -> Any:
        answer = self.send("GET", uri)
        self.nonce = re.search(r'nonce="([^"]+)"', answer["WWW-Authenticate"]).group(1)
        return answer


@pytest.fixture
def phone(world: Any) -> Phone:
    user = world.users["trainer"]
    password, _token = CollectKey.issue(user)
    p = Phone("ana@x.org", password)
    p.challenge()
    return p


def test_md5_digest_of_rfc_7616_example() -> None:
    # RFC 7616 section 3.9.1, the MD5 example.
    params = {
        "uri": "/dir/index.html",
        "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
        "nc": "00000001",
        "cnonce": "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        "qop": "auth",
    }
    ha1 = md5("Mufasa:http-auth@example.org:Circle of Life")
    assert auth.digest_response(ha1, params, "GET") == "8ca523f5e9506fed4657c9700eebdbec"


def test_an_unauthenticated_request_gets_the_digest_challenge(world: Any) -> None:
    answer = Client().head("/collect/submission", headers={"X-OpenRosa-Version": "1.0"})
    assert answer.status_code == 401
    assert answer["X-OpenRosa-Version"] == "1.0"
    challenge = answer["WWW-Authenticate"]
    assert challenge.startswith('Digest realm="scoretrack", qop="auth", algorithm=MD5, nonce="')
    assert "stale" not in challenge


def test_head_then_post_as_odk_collect_sends_it(phone: Phone, world: Any) -> None:
    head = phone.send("HEAD", "/collect/submission")
    assert head.status_code == 204
    assert head["X-OpenRosa-Version"] == "1.0"
    assert head["X-OpenRosa-Accept-Content-Length"] == "10000000"

    body = multipart(instance(UUID1), {"photo.jpg": ("image/jpeg", b"\xff\xd8jpeg")})
    answer = phone.send("POST", "/collect/submission", body)

    assert answer.status_code == 201
    assert answer["X-OpenRosa-Version"] == "1.0"
    assert answer["Content-Type"] == "text/xml; charset=utf-8"
    assert answer.content.decode().endswith(
        '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
        '<message nature="">Accepted. Thank you.</message></OpenRosaResponse>'
    )
    visit = ConsultingVisit.objects.get(enterprise=world.E_BO2, date="2016-01-05")
    assert (visit.trainer, visit.hours, visit.created_by) == (world.T_BO, 3, world.users["trainer"])
    kept = Submission.objects.get()
    assert (kept.instance_id, kept.form_id, kept.form_version) == (UUID1, "visit", "v2")
    assert (kept.state, kept.channel, kept.user, kept.country) == (
        "approved",
        "openrosa",
        world.users["trainer"],
        world.BO,
    )
    assert kept.records == [{"model": "training.ConsultingVisit", "id": str(visit.pk)}]
    assert kept.xml == instance(UUID1).decode()
    photo = kept.attachments.get()
    assert (photo.name, photo.content_type, bytes(photo.data), photo.size) == (
        "photo.jpg",
        "image/jpeg",
        b"\xff\xd8jpeg",
        6,
    )


def test_a_duplicate_instance_id_writes_nothing(phone: Phone, world: Any) -> None:
    first = phone.send("POST", "/collect/submission", multipart(instance(UUID1)))
    again = phone.send("POST", "/collect/submission", multipart(instance(UUID1, hours="5")))
    assert (first.status_code, again.status_code) == (201, 201)
    assert b"Already received and accepted." in again.content
    assert Submission.objects.count() == 1
    visits = ConsultingVisit.objects.filter(enterprise=world.E_BO2, date="2016-01-05")
    assert list(visits.values_list("hours", flat=True)) == [3]


def test_a_concurrent_duplicate_loses_at_the_unique_constraint(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = world.users["trainer"]
    first = pipeline.receive(user, instance(UUID1))
    # The second send looked before the first committed: it finds nothing.
    monkeypatch.setattr(pipeline, "_existing", lambda instance_id: None)
    second = pipeline.receive(user, instance(UUID1, hours="5"))
    assert (second.pk, second.duplicate, first.duplicate) == (first.pk, True, False)
    assert Submission.objects.count() == 1
    assert ConsultingVisit.objects.filter(date="2016-01-05").count() == 1


def test_a_bad_submission_is_kept_for_review_with_202(phone: Phone, world: Any) -> None:
    # E-PE1 is in Peru: not one of this trainer's firms.
    answer = phone.send("POST", "/collect/submission", multipart(instance(UUID1, "E-PE1")))
    assert answer.status_code == 202
    assert (
        "<message nature=\"\">Received and kept for review: enterprise: No enterprise 'E-PE1' "
        "you may see.</message>"
    ) in answer.content.decode()
    kept = Submission.objects.get()
    assert (kept.state, kept.reason) == (
        "has_issues",
        "enterprise: No enterprise 'E-PE1' you may see.",
    )
    assert kept.records == []
    assert not ConsultingVisit.objects.filter(date="2016-01-05").exists()

    again = phone.send("POST", "/collect/submission", multipart(instance(UUID1, "E-PE1")))
    assert again.status_code == 202
    assert b"Already received; waiting for review" in again.content
    assert Submission.objects.count() == 1


def test_a_rule_of_the_record_queues_the_submission(phone: Phone, world: Any) -> None:
    answer = phone.send(
        "POST", "/collect/submission", multipart(instance(UUID1, date="2999-01-01"))
    )
    assert answer.status_code == 202
    kept = Submission.objects.get()
    assert kept.state == "has_issues"
    assert kept.reason.startswith("date: ")
    assert not ConsultingVisit.objects.filter(date="2999-01-01").exists()


def test_unreadable_xml_is_kept_too(phone: Phone) -> None:
    answer = phone.send("POST", "/collect/submission", multipart(b"<visit><oops></visit>"))
    assert answer.status_code == 202
    kept = Submission.objects.get()
    assert kept.state == "has_issues"
    assert kept.reason.startswith("The XML cannot be read: mismatched tag")
    assert kept.instance_id == "sha256:" + hashlib.sha256(b"<visit><oops></visit>").hexdigest()
    assert kept.xml == "<visit><oops></visit>"


def test_an_entity_bomb_is_refused_and_kept(phone: Phone) -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE v [<!ENTITY a "aaaa">]><visit>&a;</visit>'
    answer = phone.send("POST", "/collect/submission", multipart(bomb))
    assert answer.status_code == 202
    assert Submission.objects.get().reason.startswith("The XML was refused")


def test_a_post_without_the_instance_is_a_400(phone: Phone) -> None:
    body = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="other"\r\n\r\nx\r\n'
        f"--{BOUNDARY}--\r\n"
    ).encode()
    answer = phone.send("POST", "/collect/submission", body)
    assert answer.status_code == 400
    assert b"The request has no xml_submission_file." in answer.content
    assert not Submission.objects.exists()


def test_a_get_of_the_submission_url_is_a_405(phone: Phone) -> None:
    answer = phone.send("GET", "/collect/submission")
    assert (answer.status_code, answer["X-OpenRosa-Version"]) == (405, "1.0")


def test_a_submission_split_in_two_posts_keeps_every_attachment(phone: Phone) -> None:
    # ODK Collect sends a large submission as several posts of the same instance.
    xml = instance(UUID1)
    first = phone.send(
        "POST", "/collect/submission", multipart(xml, {"a.jpg": ("image/jpeg", b"A")})
    )
    second = phone.send(
        "POST",
        "/collect/submission",
        multipart(xml, {"a.jpg": ("image/jpeg", b"other"), "b.jpg": ("image/jpeg", b"B")}),
    )
    assert (first.status_code, second.status_code) == (201, 201)
    kept = Submission.objects.get()
    assert [(a.name, bytes(a.data)) for a in kept.attachments.all()] == [
        ("a.jpg", b"A"),
        ("b.jpg", b"B"),
    ]
    assert ConsultingVisit.objects.filter(date="2016-01-05").count() == 1


def test_a_wrong_password_is_refused(world: Any) -> None:
    CollectKey.issue(world.users["trainer"])
    p = Phone("ana@x.org", "not-the-password")
    p.challenge()
    answer = p.send("GET", "/collect/formList")
    assert answer.status_code == 401
    assert answer["X-OpenRosa-Version"] == "1.0"


def test_a_stale_nonce_is_answered_stale(phone: Phone, monkeypatch: pytest.MonkeyPatch) -> None:
    phone.nonce = auth.make_nonce(now=1_000_000)
    answer = phone.send("GET", "/collect/formList")
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"].endswith(", stale=true")


def test_the_form_list_has_the_trainers_forms(phone: Phone) -> None:
    answer = phone.send("GET", "/collect/formList")
    assert answer.status_code == 200
    assert answer["X-OpenRosa-Version"] == "1.0"
    assert answer.content.decode() == (
        "<?xml version='1.0' encoding='UTF-8' ?>\n"
        '<xforms xmlns="http://openrosa.org/xforms/xformsList"><xform>'
        "<formID>visit</formID><name>Consulting visit</name><version>v2</version>"
        f"<hash>md5:{md5(XFORM)}</hash>"
        "<downloadUrl>http://testserver/collect/forms/visit/form.xml</downloadUrl>"
        "<manifestUrl>http://testserver/collect/forms/visit/manifest</manifestUrl>"
        "</xform></xforms>"
    )
    form = phone.send("GET", "/collect/forms/visit/form.xml")
    assert form.content.decode() == XFORM


def test_the_manifest_and_media_are_the_trainers(phone: Phone) -> None:
    csv = b"name,label\nE-BO1,Textil Andina\nE-BO2,Muebles Sur\n"
    answer = phone.send("GET", "/collect/forms/visit/manifest")
    assert answer.content.decode() == (
        "<?xml version='1.0' encoding='UTF-8' ?>\n"
        '<manifest xmlns="http://openrosa.org/xforms/xformsManifest"><mediaFile>'
        f"<filename>enterprises.csv</filename><hash>md5:{hashlib.md5(csv).hexdigest()}</hash>"
        "<downloadUrl>http://testserver/collect/forms/visit/media/enterprises.csv</downloadUrl>"
        "</mediaFile></manifest>"
    )
    media = phone.send("GET", "/collect/forms/visit/media/enterprises.csv")
    assert (media.status_code, media.content) == (200, csv)
    assert phone.send("GET", "/collect/forms/visit/media/other.csv").status_code == 404


def test_a_user_without_forms_gets_an_empty_list(world: Any) -> None:
    password, _token = CollectKey.issue(world.users["enterprise"])
    p = Phone("andina@x.org", password)
    p.challenge()
    answer = p.send("GET", "/collect/formList")
    assert answer.status_code == 200
    assert b"<xform>" not in answer.content
    assert p.send("GET", "/collect/forms/visit/form.xml").status_code == 404


def test_basic_over_https_with_the_account_password(world: Any) -> None:
    import base64

    header = "Basic " + base64.b64encode(b"ana@x.org:pw").decode()
    client = Client()
    assert client.get("/collect/formList", headers={"Authorization": header}).status_code == 401
    answer = client.get("/collect/formList", headers={"Authorization": header}, secure=True)
    assert answer.status_code == 200
    assert b"<formID>visit</formID>" in answer.content


def test_the_per_user_url_of_a_collect_key(world: Any) -> None:
    _password, token = CollectKey.issue(world.users["trainer"])
    answer = Client().get(f"/collect/key/{token}/formList")
    assert answer.status_code == 200
    assert (
        f"<downloadUrl>http://testserver/collect/key/{token}/forms/visit/form.xml</downloadUrl>"
    ) in answer.content.decode()
    head = Client().head(f"/collect/key/{token}/submission")
    assert head.status_code == 204
    assert Client().get("/collect/key/not-a-key/formList").status_code == 404

"""facegate from Python, through the generated client (clients/python): the README's example, run by CI.

    python quickstart.py URL KEY ALICE_1.jpg ALICE_2.jpg NOT_A_FACE.jpg

Enrolls Alice from one photo, verifies her second photo against her, identifies it, lists the gallery, shows the
typed error a photo without a face gets, and deletes her. Every step checks what it got back.
"""

import sys
from pathlib import Path

from facegate_client import AuthenticatedClient
from facegate_client.api.recognition import enroll, identify, verify
from facegate_client.api.subjects import delete_subject, list_subjects
from facegate_client.models import EnrollBody, IdentifyBody, Problem, ProblemCode, VerifyBody
from facegate_client.types import File


def photo(path: str) -> File:
    return File(payload=Path(path).open("rb"), file_name=Path(path).name, mime_type="image/jpeg")


def main(url: str, key: str, alice_1: str, alice_2: str, not_a_face: str) -> None:
    gallery = "quickstart-py"
    with AuthenticatedClient(base_url=url, token=key) as client:
        body = EnrollBody(subject="alice", gallery=gallery, images=[photo(alice_1)])
        enrolled = enroll.sync(client=client, body=body)
        assert not isinstance(enrolled, Problem), enrolled
        assert enrolled.subject.face_count == 1
        assert not enrolled.rejected

        checked = verify.sync(client=client, body=VerifyBody(image=photo(alice_2), subject="alice", gallery=gallery))
        assert not isinstance(checked, Problem), checked
        print(f"verify: score {checked.score:.3f}, match {checked.match} (threshold {checked.threshold:.3f})")
        assert checked.match

        found = identify.sync(client=client, body=IdentifyBody(image=photo(alice_2), gallery=gallery))
        assert not isinstance(found, Problem), found
        assert found.faces[0].match is not None
        assert found.faces[0].match.subject == "alice"
        print(f"identify: {found.faces[0].match.subject} (score {found.faces[0].match.score:.3f})")

        listed = list_subjects.sync(client=client, gallery=gallery)
        assert not isinstance(listed, Problem), listed
        assert [subject.subject for subject in listed.items] == ["alice"]

        refused = verify.sync(client=client, body=VerifyBody(image=photo(not_a_face), subject="alice", gallery=gallery))
        assert isinstance(refused, Problem), refused
        assert refused.code is ProblemCode.NO_FACE
        print(f"a photo without a face: {refused.status} {refused.code.value}: {refused.detail}")

        receipt = delete_subject.sync("alice", client=client, gallery=gallery)
        assert not isinstance(receipt, Problem), receipt
        assert receipt.subjects == ["alice"]
        assert len(receipt.face_ids) == 1
        print("deleted:", ", ".join(receipt.subjects))


if __name__ == "__main__":
    main(*sys.argv[1:6])

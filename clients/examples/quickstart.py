"""facegate from Python, through the generated client (clients/python): run by CI against a live server.

    python quickstart.py URL KEY ALICE_1.jpg ALICE_2.jpg BOB.jpg NOT_A_FACE.jpg

Enrolls Alice and Bob from a photo each, verifies Alice's second photo against both, identifies it, lists the
gallery, shows the typed error a photo without a face gets, and deletes both. Every step checks its answer.
"""

import sys
from pathlib import Path

from facegate_client import AuthenticatedClient
from facegate_client.api.recognition import enroll, identify, verify
from facegate_client.api.subjects import delete_subject, list_subjects
from facegate_client.models import EnrollBody, IdentifyBody, Problem, ProblemCode, VerifyBody
from facegate_client.types import File

GALLERY = "quickstart-py"


def photo(path: str) -> File:
    return File(payload=Path(path).open("rb"), file_name=Path(path).name, mime_type="image/jpeg")


def main(url: str, key: str, alice_1: str, alice_2: str, bob: str, not_a_face: str) -> None:
    with AuthenticatedClient(base_url=url, token=key) as client:
        for subject, path in (("alice", alice_1), ("bob", bob)):
            body = EnrollBody(subject=subject, gallery=GALLERY, images=[photo(path)])
            enrolled = enroll.sync(client=client, body=body)
            assert not isinstance(enrolled, Problem), enrolled
            assert enrolled.subject.face_count == 1
            assert not enrolled.rejected

        for subject, expected in (("alice", True), ("bob", False)):
            question = VerifyBody(image=photo(alice_2), subject=subject, gallery=GALLERY)
            checked = verify.sync(client=client, body=question)
            assert not isinstance(checked, Problem), checked
            print(f"verify against {subject}: score {checked.score:.3f}, match {checked.match} "
                  f"(threshold {checked.threshold:.3f}, false-match rate {checked.estimated_fmr:.1e})")
            assert checked.match is expected

        found = identify.sync(client=client, body=IdentifyBody(image=photo(alice_2), gallery=GALLERY))
        assert not isinstance(found, Problem), found
        match = found.faces[0].match
        assert match is not None
        assert match.subject == "alice"
        print(f"identify: {match.subject} (score {match.score:.3f})")

        listed = list_subjects.sync(client=client, gallery=GALLERY)
        assert not isinstance(listed, Problem), listed
        assert [subject.subject for subject in listed.items] == ["alice", "bob"]

        refused = verify.sync(client=client, body=VerifyBody(image=photo(not_a_face), subject="alice", gallery=GALLERY))
        assert isinstance(refused, Problem), refused
        assert refused.code is ProblemCode.NO_FACE
        print(f"a photo without a face: {refused.status} {refused.code.value}: {refused.detail}")

        for subject in ("alice", "bob"):
            receipt = delete_subject.sync(subject, client=client, gallery=GALLERY)
            assert not isinstance(receipt, Problem), receipt
            assert receipt.subjects == [subject]
            assert len(receipt.face_ids) == 1
        gone = list_subjects.sync(client=client, gallery=GALLERY)  # a gallery lives as long as its subjects
        assert isinstance(gone, Problem), gone
        assert gone.code is ProblemCode.GALLERY_NOT_FOUND
        print("deleted: alice, bob")


if __name__ == "__main__":
    main(*sys.argv[1:7])

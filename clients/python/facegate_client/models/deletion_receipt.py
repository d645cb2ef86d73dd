from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DeletionReceipt")


@_attrs_define
class DeletionReceipt:
    """Proof of erasure: what went, when, and the audit entry that records it.

    Attributes:
        gallery (str):
        subjects (list[str]): Subjects removed (a face's subject goes with its last face).
        face_ids (list[str]): Faces removed, with their embeddings and templates.
        deleted_at (datetime.datetime):
        audit_id (int):
    """

    gallery: str
    subjects: list[str]
    face_ids: list[str]
    deleted_at: datetime.datetime
    audit_id: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        gallery = self.gallery

        subjects = self.subjects

        face_ids = self.face_ids

        deleted_at = self.deleted_at.isoformat()

        audit_id = self.audit_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "gallery": gallery,
                "subjects": subjects,
                "face_ids": face_ids,
                "deleted_at": deleted_at,
                "audit_id": audit_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        gallery = d.pop("gallery")

        subjects = cast(list[str], d.pop("subjects"))

        face_ids = cast(list[str], d.pop("face_ids"))

        deleted_at = datetime.datetime.fromisoformat(d.pop("deleted_at"))

        audit_id = d.pop("audit_id")

        deletion_receipt = cls(
            gallery=gallery,
            subjects=subjects,
            face_ids=face_ids,
            deleted_at=deleted_at,
            audit_id=audit_id,
        )

        deletion_receipt.additional_properties = d
        return deletion_receipt

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties

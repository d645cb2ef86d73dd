from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GalleryDeletion")


@_attrs_define
class GalleryDeletion:
    """
    Attributes:
        gallery (str):
        subject_count (int):
        face_count (int):
        deleted_at (datetime.datetime):
        audit_id (int):
    """

    gallery: str
    subject_count: int
    face_count: int
    deleted_at: datetime.datetime
    audit_id: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        gallery = self.gallery

        subject_count = self.subject_count

        face_count = self.face_count

        deleted_at = self.deleted_at.isoformat()

        audit_id = self.audit_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "gallery": gallery,
                "subject_count": subject_count,
                "face_count": face_count,
                "deleted_at": deleted_at,
                "audit_id": audit_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        gallery = d.pop("gallery")

        subject_count = d.pop("subject_count")

        face_count = d.pop("face_count")

        deleted_at = datetime.datetime.fromisoformat(d.pop("deleted_at"))

        audit_id = d.pop("audit_id")

        gallery_deletion = cls(
            gallery=gallery,
            subject_count=subject_count,
            face_count=face_count,
            deleted_at=deleted_at,
            audit_id=audit_id,
        )

        gallery_deletion.additional_properties = d
        return gallery_deletion

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

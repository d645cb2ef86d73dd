from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GalleryOut")


@_attrs_define
class GalleryOut:
    """
    Attributes:
        gallery (str):
        subject_count (int):
        face_count (int):
    """

    gallery: str
    subject_count: int
    face_count: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        gallery = self.gallery

        subject_count = self.subject_count

        face_count = self.face_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "gallery": gallery,
                "subject_count": subject_count,
                "face_count": face_count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        gallery = d.pop("gallery")

        subject_count = d.pop("subject_count")

        face_count = d.pop("face_count")

        gallery_out = cls(
            gallery=gallery,
            subject_count=subject_count,
            face_count=face_count,
        )

        gallery_out.additional_properties = d
        return gallery_out

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

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.subject_out_metadata import SubjectOutMetadata


T = TypeVar("T", bound="SubjectOut")


@_attrs_define
class SubjectOut:
    """
    Attributes:
        subject (str):
        gallery (str):
        name (None | str):
        metadata (SubjectOutMetadata):
        face_count (int):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    subject: str
    gallery: str
    name: None | str
    metadata: SubjectOutMetadata
    face_count: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        subject = self.subject

        gallery = self.gallery

        name: None | str
        name = self.name

        metadata = self.metadata.to_dict()

        face_count = self.face_count

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "subject": subject,
                "gallery": gallery,
                "name": name,
                "metadata": metadata,
                "face_count": face_count,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.subject_out_metadata import SubjectOutMetadata  # noqa: PLC0415

        d = dict(src_dict)
        subject = d.pop("subject")

        gallery = d.pop("gallery")

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        metadata = SubjectOutMetadata.from_dict(d.pop("metadata"))

        face_count = d.pop("face_count")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        subject_out = cls(
            subject=subject,
            gallery=gallery,
            name=name,
            metadata=metadata,
            face_count=face_count,
            created_at=created_at,
            updated_at=updated_at,
        )

        subject_out.additional_properties = d
        return subject_out

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

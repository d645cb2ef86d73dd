from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ImportResult")


@_attrs_define
class ImportResult:
    """
    Attributes:
        gallery (str):
        model (str):
        model_version (str):
        subjects_imported (int):
        subjects_skipped (int): Already in the gallery: left as they are.
        faces_imported (int):
    """

    gallery: str
    model: str
    model_version: str
    subjects_imported: int
    subjects_skipped: int
    faces_imported: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        gallery = self.gallery

        model = self.model

        model_version = self.model_version

        subjects_imported = self.subjects_imported

        subjects_skipped = self.subjects_skipped

        faces_imported = self.faces_imported

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "gallery": gallery,
                "model": model,
                "model_version": model_version,
                "subjects_imported": subjects_imported,
                "subjects_skipped": subjects_skipped,
                "faces_imported": faces_imported,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        gallery = d.pop("gallery")

        model = d.pop("model")

        model_version = d.pop("model_version")

        subjects_imported = d.pop("subjects_imported")

        subjects_skipped = d.pop("subjects_skipped")

        faces_imported = d.pop("faces_imported")

        import_result = cls(
            gallery=gallery,
            model=model,
            model_version=model_version,
            subjects_imported=subjects_imported,
            subjects_skipped=subjects_skipped,
            faces_imported=faces_imported,
        )

        import_result.additional_properties = d
        return import_result

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

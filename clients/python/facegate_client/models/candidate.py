from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Candidate")


@_attrs_define
class Candidate:
    """
    Attributes:
        subject (str):
        score (float): Similarity to the centroid of the subject's faces.
        face_id (str): The subject's enrolled face that scored highest.
        estimated_fmr (float): How often a stranger scores this high against one subject.
    """

    subject: str
    score: float
    face_id: str
    estimated_fmr: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        subject = self.subject

        score = self.score

        face_id = self.face_id

        estimated_fmr = self.estimated_fmr

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "subject": subject,
                "score": score,
                "face_id": face_id,
                "estimated_fmr": estimated_fmr,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        subject = d.pop("subject")

        score = d.pop("score")

        face_id = d.pop("face_id")

        estimated_fmr = d.pop("estimated_fmr")

        candidate = cls(
            subject=subject,
            score=score,
            face_id=face_id,
            estimated_fmr=estimated_fmr,
        )

        candidate.additional_properties = d
        return candidate

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

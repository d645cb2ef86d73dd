from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.enrolled_face import EnrolledFace
    from ..models.rejected_image import RejectedImage
    from ..models.subject_out import SubjectOut


T = TypeVar("T", bound="EnrollResult")


@_attrs_define
class EnrollResult:
    """
    Attributes:
        subject (SubjectOut):
        faces (list[EnrolledFace]):
        rejected (list[RejectedImage]):
    """

    subject: SubjectOut
    faces: list[EnrolledFace]
    rejected: list[RejectedImage]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        subject = self.subject.to_dict()

        faces = []
        for faces_item_data in self.faces:
            faces_item = faces_item_data.to_dict()
            faces.append(faces_item)

        rejected = []
        for rejected_item_data in self.rejected:
            rejected_item = rejected_item_data.to_dict()
            rejected.append(rejected_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "subject": subject,
                "faces": faces,
                "rejected": rejected,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.enrolled_face import EnrolledFace  # noqa: PLC0415
        from ..models.rejected_image import RejectedImage  # noqa: PLC0415
        from ..models.subject_out import SubjectOut  # noqa: PLC0415

        d = dict(src_dict)
        subject = SubjectOut.from_dict(d.pop("subject"))

        faces = []
        _faces = d.pop("faces")
        for faces_item_data in _faces:
            faces_item = EnrolledFace.from_dict(faces_item_data)

            faces.append(faces_item)

        rejected = []
        _rejected = d.pop("rejected")
        for rejected_item_data in _rejected:
            rejected_item = RejectedImage.from_dict(rejected_item_data)

            rejected.append(rejected_item)

        enroll_result = cls(
            subject=subject,
            faces=faces,
            rejected=rejected,
        )

        enroll_result.additional_properties = d
        return enroll_result

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

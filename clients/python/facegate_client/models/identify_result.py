from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.identified_face import IdentifiedFace


T = TypeVar("T", bound="IdentifyResult")


@_attrs_define
class IdentifyResult:
    """
    Attributes:
        faces (list[IdentifiedFace]):
        threshold (float):
        operating_point (None | str): The calibrated operating point used; null for a given threshold.
        fmr_per_comparison (float): False-match rate of the threshold for one comparison.
        expected_fpir (float): Chance that a stranger matches someone in this gallery: 1 - (1 -
            fmr_per_comparison)^subjects.
        model (str):
        gallery (str):
        gallery_size (int): Faces enrolled in the gallery for this model (`expected_fpir` counts subjects, each compared
            once).
    """

    faces: list[IdentifiedFace]
    threshold: float
    operating_point: None | str
    fmr_per_comparison: float
    expected_fpir: float
    model: str
    gallery: str
    gallery_size: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        faces = []
        for faces_item_data in self.faces:
            faces_item = faces_item_data.to_dict()
            faces.append(faces_item)

        threshold = self.threshold

        operating_point: None | str
        operating_point = self.operating_point

        fmr_per_comparison = self.fmr_per_comparison

        expected_fpir = self.expected_fpir

        model = self.model

        gallery = self.gallery

        gallery_size = self.gallery_size

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "faces": faces,
                "threshold": threshold,
                "operating_point": operating_point,
                "fmr_per_comparison": fmr_per_comparison,
                "expected_fpir": expected_fpir,
                "model": model,
                "gallery": gallery,
                "gallery_size": gallery_size,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.identified_face import IdentifiedFace  # noqa: PLC0415

        d = dict(src_dict)
        faces = []
        _faces = d.pop("faces")
        for faces_item_data in _faces:
            faces_item = IdentifiedFace.from_dict(faces_item_data)

            faces.append(faces_item)

        threshold = d.pop("threshold")

        def _parse_operating_point(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        operating_point = _parse_operating_point(d.pop("operating_point"))

        fmr_per_comparison = d.pop("fmr_per_comparison")

        expected_fpir = d.pop("expected_fpir")

        model = d.pop("model")

        gallery = d.pop("gallery")

        gallery_size = d.pop("gallery_size")

        identify_result = cls(
            faces=faces,
            threshold=threshold,
            operating_point=operating_point,
            fmr_per_comparison=fmr_per_comparison,
            expected_fpir=expected_fpir,
            model=model,
            gallery=gallery,
            gallery_size=gallery_size,
        )

        identify_result.additional_properties = d
        return identify_result

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

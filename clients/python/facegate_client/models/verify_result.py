from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.verify_result_faces import VerifyResultFaces


T = TypeVar("T", bound="VerifyResult")


@_attrs_define
class VerifyResult:
    """
    Attributes:
        score (float): Cosine similarity. Against a subject: similarity to the centroid (normalised mean) of the
            subject's enrolled faces for this model, more accurate than the best single face on lfw-dev.
        match (bool):
        threshold (float):
        operating_point (None | str): The calibrated operating point used; null for a given threshold.
        estimated_fmr (float): False-match rate of a threshold at this score: how often two different people score this
            high (from impostor comparisons on lfw-dev, balanced by identity). Clamped to the calibrated range, 1 to 1e-6.
        model (str):
        faces (VerifyResultFaces): The faces compared: `image_a`/`image_b`, or `image`.
    """

    score: float
    match: bool
    threshold: float
    operating_point: None | str
    estimated_fmr: float
    model: str
    faces: VerifyResultFaces
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        score = self.score

        match = self.match

        threshold = self.threshold

        operating_point: None | str
        operating_point = self.operating_point

        estimated_fmr = self.estimated_fmr

        model = self.model

        faces = self.faces.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "score": score,
                "match": match,
                "threshold": threshold,
                "operating_point": operating_point,
                "estimated_fmr": estimated_fmr,
                "model": model,
                "faces": faces,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.verify_result_faces import VerifyResultFaces  # noqa: PLC0415

        d = dict(src_dict)
        score = d.pop("score")

        match = d.pop("match")

        threshold = d.pop("threshold")

        def _parse_operating_point(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        operating_point = _parse_operating_point(d.pop("operating_point"))

        estimated_fmr = d.pop("estimated_fmr")

        model = d.pop("model")

        faces = VerifyResultFaces.from_dict(d.pop("faces"))

        verify_result = cls(
            score=score,
            match=match,
            threshold=threshold,
            operating_point=operating_point,
            estimated_fmr=estimated_fmr,
            model=model,
            faces=faces,
        )

        verify_result.additional_properties = d
        return verify_result

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

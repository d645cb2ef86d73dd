from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.search_face_selection import SearchFaceSelection
from ..models.search_operating_point import SearchOperatingPoint
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.image_data import ImageData


T = TypeVar("T", bound="IdentifyJsonBody")


@_attrs_define
class IdentifyJsonBody:
    """
    Attributes:
        image (ImageData): An image in a JSON body. In multipart/form-data the same field is a file instead.
        threshold (float | None | Unset):
        operating_point (None | SearchOperatingPoint | Unset): Threshold from the pipeline's calibration: `fpir_1e-2`
            (the default) matches a stranger to someone in this gallery once in 100 searches, whatever its size; `fmr_1e-6`
            is a false-match rate per comparison.
        gallery (str | Unset): Namespace of subjects; searches never cross galleries. Default: 'default'.
        top_k (int | Unset):  Default: 5.
        face_selection (SearchFaceSelection | Unset): Which faces of a photo identify searches for.
        model (None | str | Unset): Model (see /v1/models); the default if omitted.
    """

    image: ImageData
    threshold: float | None | Unset = UNSET
    operating_point: None | SearchOperatingPoint | Unset = UNSET
    gallery: str | Unset = "default"
    top_k: int | Unset = 5
    face_selection: SearchFaceSelection | Unset = UNSET
    model: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        image = self.image.to_dict()

        threshold: float | None | Unset
        if isinstance(self.threshold, Unset):
            threshold = UNSET
        else:
            threshold = self.threshold

        operating_point: None | str | Unset
        if isinstance(self.operating_point, Unset):
            operating_point = UNSET
        elif isinstance(self.operating_point, SearchOperatingPoint):
            operating_point = self.operating_point.value
        else:
            operating_point = self.operating_point

        gallery = self.gallery

        top_k = self.top_k

        face_selection: str | Unset = UNSET
        if not isinstance(self.face_selection, Unset):
            face_selection = self.face_selection.value

        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "image": image,
            }
        )
        if threshold is not UNSET:
            field_dict["threshold"] = threshold
        if operating_point is not UNSET:
            field_dict["operating_point"] = operating_point
        if gallery is not UNSET:
            field_dict["gallery"] = gallery
        if top_k is not UNSET:
            field_dict["top_k"] = top_k
        if face_selection is not UNSET:
            field_dict["face_selection"] = face_selection
        if model is not UNSET:
            field_dict["model"] = model

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.image_data import ImageData  # noqa: PLC0415

        d = dict(src_dict)
        image = ImageData.from_dict(d.pop("image"))

        def _parse_threshold(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        threshold = _parse_threshold(d.pop("threshold", UNSET))

        def _parse_operating_point(data: object) -> None | SearchOperatingPoint | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                operating_point_type_0 = SearchOperatingPoint(data)

                return operating_point_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SearchOperatingPoint | Unset, data)

        operating_point = _parse_operating_point(d.pop("operating_point", UNSET))

        gallery = d.pop("gallery", UNSET)

        top_k = d.pop("top_k", UNSET)

        _face_selection = d.pop("face_selection", UNSET)
        face_selection: SearchFaceSelection | Unset
        if isinstance(_face_selection, Unset):
            face_selection = UNSET
        else:
            face_selection = SearchFaceSelection(_face_selection)

        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))

        identify_json_body = cls(
            image=image,
            threshold=threshold,
            operating_point=operating_point,
            gallery=gallery,
            top_k=top_k,
            face_selection=face_selection,
            model=model,
        )

        return identify_json_body

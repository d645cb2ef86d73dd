from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.one_face_selection import OneFaceSelection
from ..models.operating_point import OperatingPoint
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.image_data import ImageData


T = TypeVar("T", bound="VerifyJsonBody")


@_attrs_define
class VerifyJsonBody:
    """
    Attributes:
        threshold (float | None | Unset):
        operating_point (None | OperatingPoint | Unset): Threshold by false-match rate, from the pipeline's calibration
            (e.g. fmr_1e-4).
        image_a (ImageData | None | Unset):
        image_b (ImageData | None | Unset):
        image (ImageData | None | Unset):
        subject (None | str | Unset):
        gallery (str | Unset): Namespace of subjects; searches never cross galleries. Default: 'default'.
        face_selection (OneFaceSelection | Unset): Which face of a photo enroll and verify use.
        model (None | str | Unset): Model (see /v1/models); the default if omitted.
    """

    threshold: float | None | Unset = UNSET
    operating_point: None | OperatingPoint | Unset = UNSET
    image_a: ImageData | None | Unset = UNSET
    image_b: ImageData | None | Unset = UNSET
    image: ImageData | None | Unset = UNSET
    subject: None | str | Unset = UNSET
    gallery: str | Unset = "default"
    face_selection: OneFaceSelection | Unset = UNSET
    model: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.image_data import ImageData  # noqa: PLC0415

        threshold: float | None | Unset
        if isinstance(self.threshold, Unset):
            threshold = UNSET
        else:
            threshold = self.threshold

        operating_point: None | str | Unset
        if isinstance(self.operating_point, Unset):
            operating_point = UNSET
        elif isinstance(self.operating_point, OperatingPoint):
            operating_point = self.operating_point.value
        else:
            operating_point = self.operating_point

        image_a: dict[str, Any] | None | Unset
        if isinstance(self.image_a, Unset):
            image_a = UNSET
        elif isinstance(self.image_a, ImageData):
            image_a = self.image_a.to_dict()
        else:
            image_a = self.image_a

        image_b: dict[str, Any] | None | Unset
        if isinstance(self.image_b, Unset):
            image_b = UNSET
        elif isinstance(self.image_b, ImageData):
            image_b = self.image_b.to_dict()
        else:
            image_b = self.image_b

        image: dict[str, Any] | None | Unset
        if isinstance(self.image, Unset):
            image = UNSET
        elif isinstance(self.image, ImageData):
            image = self.image.to_dict()
        else:
            image = self.image

        subject: None | str | Unset
        if isinstance(self.subject, Unset):
            subject = UNSET
        else:
            subject = self.subject

        gallery = self.gallery

        face_selection: str | Unset = UNSET
        if not isinstance(self.face_selection, Unset):
            face_selection = self.face_selection.value

        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if threshold is not UNSET:
            field_dict["threshold"] = threshold
        if operating_point is not UNSET:
            field_dict["operating_point"] = operating_point
        if image_a is not UNSET:
            field_dict["image_a"] = image_a
        if image_b is not UNSET:
            field_dict["image_b"] = image_b
        if image is not UNSET:
            field_dict["image"] = image
        if subject is not UNSET:
            field_dict["subject"] = subject
        if gallery is not UNSET:
            field_dict["gallery"] = gallery
        if face_selection is not UNSET:
            field_dict["face_selection"] = face_selection
        if model is not UNSET:
            field_dict["model"] = model

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.image_data import ImageData  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_threshold(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        threshold = _parse_threshold(d.pop("threshold", UNSET))

        def _parse_operating_point(data: object) -> None | OperatingPoint | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                operating_point_type_0 = OperatingPoint(data)

                return operating_point_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OperatingPoint | Unset, data)

        operating_point = _parse_operating_point(d.pop("operating_point", UNSET))

        def _parse_image_a(data: object) -> ImageData | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                image_a_type_0 = ImageData.from_dict(data)

                return image_a_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ImageData | None | Unset, data)

        image_a = _parse_image_a(d.pop("image_a", UNSET))

        def _parse_image_b(data: object) -> ImageData | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                image_b_type_0 = ImageData.from_dict(data)

                return image_b_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ImageData | None | Unset, data)

        image_b = _parse_image_b(d.pop("image_b", UNSET))

        def _parse_image(data: object) -> ImageData | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                image_type_0 = ImageData.from_dict(data)

                return image_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ImageData | None | Unset, data)

        image = _parse_image(d.pop("image", UNSET))

        def _parse_subject(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subject = _parse_subject(d.pop("subject", UNSET))

        gallery = d.pop("gallery", UNSET)

        _face_selection = d.pop("face_selection", UNSET)
        face_selection: OneFaceSelection | Unset
        if isinstance(_face_selection, Unset):
            face_selection = UNSET
        else:
            face_selection = OneFaceSelection(_face_selection)

        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))

        verify_json_body = cls(
            threshold=threshold,
            operating_point=operating_point,
            image_a=image_a,
            image_b=image_b,
            image=image,
            subject=subject,
            gallery=gallery,
            face_selection=face_selection,
            model=model,
        )

        return verify_json_body

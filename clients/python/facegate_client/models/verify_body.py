from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any, TypeVar

from attrs import define as _attrs_define

from .. import types
from ..models.one_face_selection import OneFaceSelection
from ..models.operating_point import OperatingPoint
from ..types import UNSET, File, FileTypes, Unset

T = TypeVar("T", bound="VerifyBody")


@_attrs_define
class VerifyBody:
    """
    Attributes:
        threshold (float | Unset): Cosine similarity at or above which faces match.
        operating_point (OperatingPoint | Unset): A threshold named by its false-match rate per comparison, from the
            pipeline's calibration.
        image_a (File | Unset):
        image_b (File | Unset):
        image (File | Unset):
        subject (str | Unset): Your id for the person.
        gallery (str | Unset): Namespace of subjects; searches never cross galleries. Default: 'default'.
        face_selection (OneFaceSelection | Unset): Which face of a photo enroll and verify use.
        model (str | Unset): Model (see /v1/models); the default if omitted.
    """

    threshold: float | Unset = UNSET
    operating_point: OperatingPoint | Unset = UNSET
    image_a: File | Unset = UNSET
    image_b: File | Unset = UNSET
    image: File | Unset = UNSET
    subject: str | Unset = UNSET
    gallery: str | Unset = "default"
    face_selection: OneFaceSelection | Unset = UNSET
    model: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        threshold = self.threshold

        operating_point: str | Unset = UNSET
        if not isinstance(self.operating_point, Unset):
            operating_point = self.operating_point.value

        image_a: FileTypes | Unset = UNSET
        if not isinstance(self.image_a, Unset):
            image_a = self.image_a.to_tuple()

        image_b: FileTypes | Unset = UNSET
        if not isinstance(self.image_b, Unset):
            image_b = self.image_b.to_tuple()

        image: FileTypes | Unset = UNSET
        if not isinstance(self.image, Unset):
            image = self.image.to_tuple()

        subject = self.subject

        gallery = self.gallery

        face_selection: str | Unset = UNSET
        if not isinstance(self.face_selection, Unset):
            face_selection = self.face_selection.value

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

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        if not isinstance(self.threshold, Unset):
            files.append(("threshold", (None, str(self.threshold).encode(), "text/plain")))

        if not isinstance(self.operating_point, Unset):
            files.append(("operating_point", (None, str(self.operating_point.value).encode(), "text/plain")))

        if not isinstance(self.image_a, Unset):
            files.append(("image_a", self.image_a.to_tuple()))

        if not isinstance(self.image_b, Unset):
            files.append(("image_b", self.image_b.to_tuple()))

        if not isinstance(self.image, Unset):
            files.append(("image", self.image.to_tuple()))

        if not isinstance(self.subject, Unset):
            files.append(("subject", (None, str(self.subject).encode(), "text/plain")))

        if not isinstance(self.gallery, Unset):
            files.append(("gallery", (None, str(self.gallery).encode(), "text/plain")))

        if not isinstance(self.face_selection, Unset):
            files.append(("face_selection", (None, str(self.face_selection.value).encode(), "text/plain")))

        if not isinstance(self.model, Unset):
            files.append(("model", (None, str(self.model).encode(), "text/plain")))

        return files

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        threshold = d.pop("threshold", UNSET)

        _operating_point = d.pop("operating_point", UNSET)
        operating_point: OperatingPoint | Unset
        if isinstance(_operating_point, Unset):
            operating_point = UNSET
        else:
            operating_point = OperatingPoint(_operating_point)

        _image_a = d.pop("image_a", UNSET)
        image_a: File | Unset
        if isinstance(_image_a, Unset):
            image_a = UNSET
        else:
            image_a = File(payload=BytesIO(_image_a))

        _image_b = d.pop("image_b", UNSET)
        image_b: File | Unset
        if isinstance(_image_b, Unset):
            image_b = UNSET
        else:
            image_b = File(payload=BytesIO(_image_b))

        _image = d.pop("image", UNSET)
        image: File | Unset
        if isinstance(_image, Unset):
            image = UNSET
        else:
            image = File(payload=BytesIO(_image))

        subject = d.pop("subject", UNSET)

        gallery = d.pop("gallery", UNSET)

        _face_selection = d.pop("face_selection", UNSET)
        face_selection: OneFaceSelection | Unset
        if isinstance(_face_selection, Unset):
            face_selection = UNSET
        else:
            face_selection = OneFaceSelection(_face_selection)

        model = d.pop("model", UNSET)

        verify_body = cls(
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

        return verify_body

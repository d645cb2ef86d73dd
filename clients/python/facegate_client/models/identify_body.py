from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any, TypeVar

from attrs import define as _attrs_define

from .. import types
from ..models.search_face_selection import SearchFaceSelection
from ..models.search_operating_point import SearchOperatingPoint
from ..types import UNSET, File, Unset

T = TypeVar("T", bound="IdentifyBody")


@_attrs_define
class IdentifyBody:
    """
    Attributes:
        image (File):
        threshold (float | Unset): Cosine similarity at or above which faces match.
        operating_point (SearchOperatingPoint | Unset): Identify's operating points: a false-match rate per comparison,
            or a false-positive identification rate
            for the gallery as it is (`fpir_`).
        gallery (str | Unset): Namespace of subjects; searches never cross galleries. Default: 'default'.
        top_k (int | Unset):  Default: 5.
        face_selection (SearchFaceSelection | Unset): Which faces of a photo identify searches for.
        model (str | Unset): Model (see /v1/models); the default if omitted.
    """

    image: File
    threshold: float | Unset = UNSET
    operating_point: SearchOperatingPoint | Unset = UNSET
    gallery: str | Unset = "default"
    top_k: int | Unset = 5
    face_selection: SearchFaceSelection | Unset = UNSET
    model: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        image = self.image.to_tuple()

        threshold = self.threshold

        operating_point: str | Unset = UNSET
        if not isinstance(self.operating_point, Unset):
            operating_point = self.operating_point.value

        gallery = self.gallery

        top_k = self.top_k

        face_selection: str | Unset = UNSET
        if not isinstance(self.face_selection, Unset):
            face_selection = self.face_selection.value

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

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        files.append(("image", self.image.to_tuple()))

        if not isinstance(self.threshold, Unset):
            files.append(("threshold", (None, str(self.threshold).encode(), "text/plain")))

        if not isinstance(self.operating_point, Unset):
            files.append(("operating_point", (None, str(self.operating_point.value).encode(), "text/plain")))

        if not isinstance(self.gallery, Unset):
            files.append(("gallery", (None, str(self.gallery).encode(), "text/plain")))

        if not isinstance(self.top_k, Unset):
            files.append(("top_k", (None, str(self.top_k).encode(), "text/plain")))

        if not isinstance(self.face_selection, Unset):
            files.append(("face_selection", (None, str(self.face_selection.value).encode(), "text/plain")))

        if not isinstance(self.model, Unset):
            files.append(("model", (None, str(self.model).encode(), "text/plain")))

        return files

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        image = File(payload=BytesIO(d.pop("image")))

        threshold = d.pop("threshold", UNSET)

        _operating_point = d.pop("operating_point", UNSET)
        operating_point: SearchOperatingPoint | Unset
        if isinstance(_operating_point, Unset):
            operating_point = UNSET
        else:
            operating_point = SearchOperatingPoint(_operating_point)

        gallery = d.pop("gallery", UNSET)

        top_k = d.pop("top_k", UNSET)

        _face_selection = d.pop("face_selection", UNSET)
        face_selection: SearchFaceSelection | Unset
        if isinstance(_face_selection, Unset):
            face_selection = UNSET
        else:
            face_selection = SearchFaceSelection(_face_selection)

        model = d.pop("model", UNSET)

        identify_body = cls(
            image=image,
            threshold=threshold,
            operating_point=operating_point,
            gallery=gallery,
            top_k=top_k,
            face_selection=face_selection,
            model=model,
        )

        return identify_body

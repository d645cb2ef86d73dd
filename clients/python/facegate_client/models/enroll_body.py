from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any, TypeVar

from attrs import define as _attrs_define

from .. import types
from ..models.one_face_selection import OneFaceSelection
from ..types import UNSET, File, Unset

T = TypeVar("T", bound="EnrollBody")


@_attrs_define
class EnrollBody:
    """
    Attributes:
        subject (str): Your id for the person: 1 to 128 characters: letters, digits and _ . : @ + -, starting with a
            letter or digit (it goes into URLs).
        images (list[File]): One face each.
        gallery (str | Unset): Namespace of subjects; searches never cross galleries. Default: 'default'.
        name (str | Unset):
        metadata (str | Unset): A JSON object, as text.
        face_selection (OneFaceSelection | Unset): Which face of a photo enroll and verify use.
        model (str | Unset): Model (see /v1/models); the default if omitted.
    """

    subject: str
    images: list[File]
    gallery: str | Unset = "default"
    name: str | Unset = UNSET
    metadata: str | Unset = UNSET
    face_selection: OneFaceSelection | Unset = UNSET
    model: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        subject = self.subject

        images = []
        for images_item_data in self.images:
            images_item = images_item_data.to_tuple()

            images.append(images_item)

        gallery = self.gallery

        name = self.name

        metadata = self.metadata

        face_selection: str | Unset = UNSET
        if not isinstance(self.face_selection, Unset):
            face_selection = self.face_selection.value

        model = self.model

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "subject": subject,
                "images": images,
            }
        )
        if gallery is not UNSET:
            field_dict["gallery"] = gallery
        if name is not UNSET:
            field_dict["name"] = name
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if face_selection is not UNSET:
            field_dict["face_selection"] = face_selection
        if model is not UNSET:
            field_dict["model"] = model

        return field_dict

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        files.append(("subject", (None, str(self.subject).encode(), "text/plain")))

        for images_item_element in self.images:
            files.append(("images", images_item_element.to_tuple()))

        if not isinstance(self.gallery, Unset):
            files.append(("gallery", (None, str(self.gallery).encode(), "text/plain")))

        if not isinstance(self.name, Unset):
            files.append(("name", (None, str(self.name).encode(), "text/plain")))

        if not isinstance(self.metadata, Unset):
            files.append(("metadata", (None, str(self.metadata).encode(), "text/plain")))

        if not isinstance(self.face_selection, Unset):
            files.append(("face_selection", (None, str(self.face_selection.value).encode(), "text/plain")))

        if not isinstance(self.model, Unset):
            files.append(("model", (None, str(self.model).encode(), "text/plain")))

        return files

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        subject = d.pop("subject")

        images = []
        _images = d.pop("images")
        for images_item_data in _images:
            images_item = File(payload=BytesIO(images_item_data))

            images.append(images_item)

        gallery = d.pop("gallery", UNSET)

        name = d.pop("name", UNSET)

        metadata = d.pop("metadata", UNSET)

        _face_selection = d.pop("face_selection", UNSET)
        face_selection: OneFaceSelection | Unset
        if isinstance(_face_selection, Unset):
            face_selection = UNSET
        else:
            face_selection = OneFaceSelection(_face_selection)

        model = d.pop("model", UNSET)

        enroll_body = cls(
            subject=subject,
            images=images,
            gallery=gallery,
            name=name,
            metadata=metadata,
            face_selection=face_selection,
            model=model,
        )

        return enroll_body

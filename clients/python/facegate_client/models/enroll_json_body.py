from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.one_face_selection import OneFaceSelection
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.enroll_json_body_metadata_type_0 import EnrollJsonBodyMetadataType0
    from ..models.image_data import ImageData


T = TypeVar("T", bound="EnrollJsonBody")


@_attrs_define
class EnrollJsonBody:
    """
    Attributes:
        subject (str): Your id for the person: 1 to 128 characters: letters, digits and _ . : @ + -, starting with a
            letter or digit (it goes into URLs).
        images (list[ImageData]): One face each.
        gallery (str | Unset): Namespace of subjects; searches never cross galleries. Default: 'default'.
        name (None | str | Unset):
        metadata (EnrollJsonBodyMetadataType0 | None | Unset):
        face_selection (OneFaceSelection | Unset): Which face of a photo enroll and verify use.
        model (None | str | Unset): Model (see /v1/models); the default if omitted.
    """

    subject: str
    images: list[ImageData]
    gallery: str | Unset = "default"
    name: None | str | Unset = UNSET
    metadata: EnrollJsonBodyMetadataType0 | None | Unset = UNSET
    face_selection: OneFaceSelection | Unset = UNSET
    model: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.enroll_json_body_metadata_type_0 import EnrollJsonBodyMetadataType0  # noqa: PLC0415

        subject = self.subject

        images = []
        for images_item_data in self.images:
            images_item = images_item_data.to_dict()
            images.append(images_item)

        gallery = self.gallery

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, EnrollJsonBodyMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

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

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.enroll_json_body_metadata_type_0 import EnrollJsonBodyMetadataType0  # noqa: PLC0415
        from ..models.image_data import ImageData  # noqa: PLC0415

        d = dict(src_dict)
        subject = d.pop("subject")

        images = []
        _images = d.pop("images")
        for images_item_data in _images:
            images_item = ImageData.from_dict(images_item_data)

            images.append(images_item)

        gallery = d.pop("gallery", UNSET)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_metadata(data: object) -> EnrollJsonBodyMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = EnrollJsonBodyMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EnrollJsonBodyMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

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

        enroll_json_body = cls(
            subject=subject,
            images=images,
            gallery=gallery,
            name=name,
            metadata=metadata,
            face_selection=face_selection,
            model=model,
        )

        return enroll_json_body

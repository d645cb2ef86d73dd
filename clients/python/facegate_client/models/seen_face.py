from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.face_selection_name import FaceSelectionName
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.box import Box
    from ..models.seen_face_quality_type_0 import SeenFaceQualityType0


T = TypeVar("T", bound="SeenFace")


@_attrs_define
class SeenFace:
    """A face of a photo sent with this request.

    Attributes:
        box (Box):
        landmarks (list[list[float]]): Right eye, left eye, nose tip, right and left mouth corners.
        detection_score (float):
        faces_found (int): How many faces the detector found in the photo.
        face_selection (FaceSelectionName): The rule that chose a face among those found.
        quality (None | SeenFaceQualityType0 | Unset): interocular_px, sharpness (variance of the Laplacian of the
            aligned crop), yaw (nose offset in eye distances), roll_deg, brightness (0..255), detection_score.
    """

    box: Box
    landmarks: list[list[float]]
    detection_score: float
    faces_found: int
    face_selection: FaceSelectionName
    quality: None | SeenFaceQualityType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.seen_face_quality_type_0 import SeenFaceQualityType0  # noqa: PLC0415

        box = self.box.to_dict()

        landmarks = []
        for landmarks_item_data in self.landmarks:
            landmarks_item = []
            for landmarks_item_item_data in landmarks_item_data:
                landmarks_item_item: float
                landmarks_item_item = landmarks_item_item_data
                landmarks_item.append(landmarks_item_item)

            landmarks.append(landmarks_item)

        detection_score = self.detection_score

        faces_found = self.faces_found

        face_selection = self.face_selection.value

        quality: dict[str, Any] | None | Unset
        if isinstance(self.quality, Unset):
            quality = UNSET
        elif isinstance(self.quality, SeenFaceQualityType0):
            quality = self.quality.to_dict()
        else:
            quality = self.quality

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "box": box,
                "landmarks": landmarks,
                "detection_score": detection_score,
                "faces_found": faces_found,
                "face_selection": face_selection,
            }
        )
        if quality is not UNSET:
            field_dict["quality"] = quality

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.box import Box  # noqa: PLC0415
        from ..models.seen_face_quality_type_0 import SeenFaceQualityType0  # noqa: PLC0415

        d = dict(src_dict)
        box = Box.from_dict(d.pop("box"))

        landmarks = []
        _landmarks = d.pop("landmarks")
        for landmarks_item_data in _landmarks:
            landmarks_item = []
            _landmarks_item = landmarks_item_data
            for landmarks_item_item_data in _landmarks_item:

                def _parse_landmarks_item_item(data: object) -> float:
                    return cast(float, data)

                landmarks_item_item = _parse_landmarks_item_item(landmarks_item_item_data)

                landmarks_item.append(landmarks_item_item)

            landmarks.append(landmarks_item)

        detection_score = d.pop("detection_score")

        faces_found = d.pop("faces_found")

        face_selection = FaceSelectionName(d.pop("face_selection"))

        def _parse_quality(data: object) -> None | SeenFaceQualityType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                quality_type_0 = SeenFaceQualityType0.from_dict(data)

                return quality_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SeenFaceQualityType0 | Unset, data)

        quality = _parse_quality(d.pop("quality", UNSET))

        seen_face = cls(
            box=box,
            landmarks=landmarks,
            detection_score=detection_score,
            faces_found=faces_found,
            face_selection=face_selection,
            quality=quality,
        )

        seen_face.additional_properties = d
        return seen_face

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

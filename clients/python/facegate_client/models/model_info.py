from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.model_info_accuracy_type_0 import ModelInfoAccuracyType0
    from ..models.model_info_calibration_type_0 import ModelInfoCalibrationType0
    from ..models.model_info_networks import ModelInfoNetworks


T = TypeVar("T", bound="ModelInfo")


@_attrs_define
class ModelInfo:
    """What a request's `model` chooses, and what every stored face and template is kept under: one embedder, or
    several fused with weights, optionally with flip-test.

        Attributes:
            name (str):
            version (str): Digest of what makes its vectors (network files, alignment, weights, flip): faces of another
                version are never compared with this one's (409 MODEL_MISMATCH).
            networks (ModelInfoNetworks): Embedding network name -> fusion weight (weights sum to 1).
            flip (bool):
            default (bool):
            accuracy (ModelInfoAccuracyType0 | None):
            calibration (ModelInfoCalibrationType0 | None):
    """

    name: str
    version: str
    networks: ModelInfoNetworks
    flip: bool
    default: bool
    accuracy: ModelInfoAccuracyType0 | None
    calibration: ModelInfoCalibrationType0 | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.model_info_accuracy_type_0 import ModelInfoAccuracyType0  # noqa: PLC0415
        from ..models.model_info_calibration_type_0 import ModelInfoCalibrationType0  # noqa: PLC0415

        name = self.name

        version = self.version

        networks = self.networks.to_dict()

        flip = self.flip

        default = self.default

        accuracy: dict[str, Any] | None
        if isinstance(self.accuracy, ModelInfoAccuracyType0):
            accuracy = self.accuracy.to_dict()
        else:
            accuracy = self.accuracy

        calibration: dict[str, Any] | None
        if isinstance(self.calibration, ModelInfoCalibrationType0):
            calibration = self.calibration.to_dict()
        else:
            calibration = self.calibration

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "version": version,
                "networks": networks,
                "flip": flip,
                "default": default,
                "accuracy": accuracy,
                "calibration": calibration,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.model_info_accuracy_type_0 import ModelInfoAccuracyType0  # noqa: PLC0415
        from ..models.model_info_calibration_type_0 import ModelInfoCalibrationType0  # noqa: PLC0415
        from ..models.model_info_networks import ModelInfoNetworks  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        version = d.pop("version")

        networks = ModelInfoNetworks.from_dict(d.pop("networks"))

        flip = d.pop("flip")

        default = d.pop("default")

        def _parse_accuracy(data: object) -> ModelInfoAccuracyType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                accuracy_type_0 = ModelInfoAccuracyType0.from_dict(data)

                return accuracy_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelInfoAccuracyType0 | None, data)

        accuracy = _parse_accuracy(d.pop("accuracy"))

        def _parse_calibration(data: object) -> ModelInfoCalibrationType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                calibration_type_0 = ModelInfoCalibrationType0.from_dict(data)

                return calibration_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelInfoCalibrationType0 | None, data)

        calibration = _parse_calibration(d.pop("calibration"))

        model_info = cls(
            name=name,
            version=version,
            networks=networks,
            flip=flip,
            default=default,
            accuracy=accuracy,
            calibration=calibration,
        )

        model_info.additional_properties = d
        return model_info

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

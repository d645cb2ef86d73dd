from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.quality_code import QualityCode

T = TypeVar("T", bound="QualityFailure")


@_attrs_define
class QualityFailure:
    """A quality limit the face missed.

    Attributes:
        code (QualityCode): The quality limit a face missed.
        figure (str): The quality figure (see `quality` on a face), e.g. sharpness.
        value (float): The face's value of that figure.
        limit (float): The gate's limit it missed (a minimum, or a maximum of the absolute value for yaw and roll_deg).
    """

    code: QualityCode
    figure: str
    value: float
    limit: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code.value

        figure = self.figure

        value = self.value

        limit = self.limit

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "figure": figure,
                "value": value,
                "limit": limit,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = QualityCode(d.pop("code"))

        figure = d.pop("figure")

        value = d.pop("value")

        limit = d.pop("limit")

        quality_failure = cls(
            code=code,
            figure=figure,
            value=value,
            limit=limit,
        )

        quality_failure.additional_properties = d
        return quality_failure

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

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.quality_failure import QualityFailure


T = TypeVar("T", bound="RejectedImage")


@_attrs_define
class RejectedImage:
    """
    Attributes:
        image_index (int):
        code (str):
        detail (str):
        failures (list[QualityFailure] | Unset): With LOW_QUALITY: every quality limit the face missed.
    """

    image_index: int
    code: str
    detail: str
    failures: list[QualityFailure] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        image_index = self.image_index

        code = self.code

        detail = self.detail

        failures: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.failures, Unset):
            failures = []
            for failures_item_data in self.failures:
                failures_item = failures_item_data.to_dict()
                failures.append(failures_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "image_index": image_index,
                "code": code,
                "detail": detail,
            }
        )
        if failures is not UNSET:
            field_dict["failures"] = failures

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.quality_failure import QualityFailure  # noqa: PLC0415

        d = dict(src_dict)
        image_index = d.pop("image_index")

        code = d.pop("code")

        detail = d.pop("detail")

        _failures = d.pop("failures", UNSET)
        failures: list[QualityFailure] | Unset = UNSET
        if _failures is not UNSET:
            failures = []
            for failures_item_data in _failures:
                failures_item = QualityFailure.from_dict(failures_item_data)

                failures.append(failures_item)

        rejected_image = cls(
            image_index=image_index,
            code=code,
            detail=detail,
            failures=failures,
        )

        rejected_image.additional_properties = d
        return rejected_image

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

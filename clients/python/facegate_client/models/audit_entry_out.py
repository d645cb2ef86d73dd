from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.audit_entry_out_details import AuditEntryOutDetails


T = TypeVar("T", bound="AuditEntryOut")


@_attrs_define
class AuditEntryOut:
    """
    Attributes:
        id (int):
        at (datetime.datetime):
        key_id (None | str): The API key used; null from the command line or with auth off.
        operation (str): enroll, verify, identify, subject.update, subject.delete, face.delete, gallery.delete,
            key.create, key.revoke
        gallery (None | str):
        subject (None | str):
        face_ids (list[str]):
        outcome (str): `ok`, or the problem code the request ended with.
        request_id (None | str):
        details (AuditEntryOutDetails):
    """

    id: int
    at: datetime.datetime
    key_id: None | str
    operation: str
    gallery: None | str
    subject: None | str
    face_ids: list[str]
    outcome: str
    request_id: None | str
    details: AuditEntryOutDetails
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        at = self.at.isoformat()

        key_id: None | str
        key_id = self.key_id

        operation = self.operation

        gallery: None | str
        gallery = self.gallery

        subject: None | str
        subject = self.subject

        face_ids = self.face_ids

        outcome = self.outcome

        request_id: None | str
        request_id = self.request_id

        details = self.details.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "at": at,
                "key_id": key_id,
                "operation": operation,
                "gallery": gallery,
                "subject": subject,
                "face_ids": face_ids,
                "outcome": outcome,
                "request_id": request_id,
                "details": details,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_entry_out_details import AuditEntryOutDetails  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        def _parse_key_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        key_id = _parse_key_id(d.pop("key_id"))

        operation = d.pop("operation")

        def _parse_gallery(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        gallery = _parse_gallery(d.pop("gallery"))

        def _parse_subject(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        subject = _parse_subject(d.pop("subject"))

        face_ids = cast(list[str], d.pop("face_ids"))

        outcome = d.pop("outcome")

        def _parse_request_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        request_id = _parse_request_id(d.pop("request_id"))

        details = AuditEntryOutDetails.from_dict(d.pop("details"))

        audit_entry_out = cls(
            id=id,
            at=at,
            key_id=key_id,
            operation=operation,
            gallery=gallery,
            subject=subject,
            face_ids=face_ids,
            outcome=outcome,
            request_id=request_id,
            details=details,
        )

        audit_entry_out.additional_properties = d
        return audit_entry_out

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

import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.audit_list import AuditList
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    operation: None | str | Unset = UNSET,
    gallery: None | str | Unset = UNSET,
    subject: None | str | Unset = UNSET,
    key_id: None | str | Unset = UNSET,
    outcome: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_operation: None | str | Unset
    if isinstance(operation, Unset):
        json_operation = UNSET
    else:
        json_operation = operation
    params["operation"] = json_operation

    json_gallery: None | str | Unset
    if isinstance(gallery, Unset):
        json_gallery = UNSET
    else:
        json_gallery = gallery
    params["gallery"] = json_gallery

    json_subject: None | str | Unset
    if isinstance(subject, Unset):
        json_subject = UNSET
    else:
        json_subject = subject
    params["subject"] = json_subject

    json_key_id: None | str | Unset
    if isinstance(key_id, Unset):
        json_key_id = UNSET
    else:
        json_key_id = key_id
    params["key_id"] = json_key_id

    json_outcome: None | str | Unset
    if isinstance(outcome, Unset):
        json_outcome = UNSET
    else:
        json_outcome = outcome
    params["outcome"] = json_outcome

    json_since: None | str | Unset
    if isinstance(since, Unset):
        json_since = UNSET
    elif isinstance(since, datetime.datetime):
        json_since = since.isoformat()
    else:
        json_since = since
    params["since"] = json_since

    json_until: None | str | Unset
    if isinstance(until, Unset):
        json_until = UNSET
    elif isinstance(until, datetime.datetime):
        json_until = until.isoformat()
    else:
        json_until = until
    params["until"] = json_until

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/audit",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> AuditList | Problem | None:
    if response.status_code == 200:
        response_200 = AuditList.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[AuditList | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    operation: None | str | Unset = UNSET,
    gallery: None | str | Unset = UNSET,
    subject: None | str | Unset = UNSET,
    key_id: None | str | Unset = UNSET,
    outcome: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
) -> Response[AuditList | Problem]:
    """List Audit

     Who did what, to which gallery, subject and faces, and how it ended; `since` inclusive, `until` not.

    Args:
        operation (None | str | Unset):
        gallery (None | str | Unset):
        subject (None | str | Unset):
        key_id (None | str | Unset):
        outcome (None | str | Unset):
        since (datetime.datetime | None | Unset):
        until (datetime.datetime | None | Unset):
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditList | Problem]
    """

    kwargs = _get_kwargs(
        operation=operation,
        gallery=gallery,
        subject=subject,
        key_id=key_id,
        outcome=outcome,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    operation: None | str | Unset = UNSET,
    gallery: None | str | Unset = UNSET,
    subject: None | str | Unset = UNSET,
    key_id: None | str | Unset = UNSET,
    outcome: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
) -> AuditList | Problem | None:
    """List Audit

     Who did what, to which gallery, subject and faces, and how it ended; `since` inclusive, `until` not.

    Args:
        operation (None | str | Unset):
        gallery (None | str | Unset):
        subject (None | str | Unset):
        key_id (None | str | Unset):
        outcome (None | str | Unset):
        since (datetime.datetime | None | Unset):
        until (datetime.datetime | None | Unset):
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditList | Problem
    """

    return sync_detailed(
        client=client,
        operation=operation,
        gallery=gallery,
        subject=subject,
        key_id=key_id,
        outcome=outcome,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    operation: None | str | Unset = UNSET,
    gallery: None | str | Unset = UNSET,
    subject: None | str | Unset = UNSET,
    key_id: None | str | Unset = UNSET,
    outcome: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
) -> Response[AuditList | Problem]:
    """List Audit

     Who did what, to which gallery, subject and faces, and how it ended; `since` inclusive, `until` not.

    Args:
        operation (None | str | Unset):
        gallery (None | str | Unset):
        subject (None | str | Unset):
        key_id (None | str | Unset):
        outcome (None | str | Unset):
        since (datetime.datetime | None | Unset):
        until (datetime.datetime | None | Unset):
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditList | Problem]
    """

    kwargs = _get_kwargs(
        operation=operation,
        gallery=gallery,
        subject=subject,
        key_id=key_id,
        outcome=outcome,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    operation: None | str | Unset = UNSET,
    gallery: None | str | Unset = UNSET,
    subject: None | str | Unset = UNSET,
    key_id: None | str | Unset = UNSET,
    outcome: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
) -> AuditList | Problem | None:
    """List Audit

     Who did what, to which gallery, subject and faces, and how it ended; `since` inclusive, `until` not.

    Args:
        operation (None | str | Unset):
        gallery (None | str | Unset):
        subject (None | str | Unset):
        key_id (None | str | Unset):
        outcome (None | str | Unset):
        since (datetime.datetime | None | Unset):
        until (datetime.datetime | None | Unset):
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditList | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            operation=operation,
            gallery=gallery,
            subject=subject,
            key_id=key_id,
            outcome=outcome,
            since=since,
            until=until,
            limit=limit,
            cursor=cursor,
        )
    ).parsed

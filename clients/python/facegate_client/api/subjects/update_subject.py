from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.subject_out import SubjectOut
from ...models.subject_update import SubjectUpdate
from ...types import UNSET, Response, Unset


def _get_kwargs(
    subject: str,
    *,
    body: SubjectUpdate,
    gallery: str | Unset = "default",
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["gallery"] = gallery

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/subjects/{subject}".format(
            subject=quote(str(subject), safe=""),
        ),
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | SubjectOut | None:
    if response.status_code == 200:
        response_200 = SubjectOut.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | SubjectOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    subject: str,
    *,
    client: AuthenticatedClient,
    body: SubjectUpdate,
    gallery: str | Unset = "default",
) -> Response[Problem | SubjectOut]:
    """Update Subject

     Change the display name or replace the metadata; fields left out stay as they are.

    Args:
        subject (str):
        gallery (str | Unset): Namespace of subjects; searches never cross galleries. Default:
            'default'.
        body (SubjectUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SubjectOut]
    """

    kwargs = _get_kwargs(
        subject=subject,
        body=body,
        gallery=gallery,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    subject: str,
    *,
    client: AuthenticatedClient,
    body: SubjectUpdate,
    gallery: str | Unset = "default",
) -> Problem | SubjectOut | None:
    """Update Subject

     Change the display name or replace the metadata; fields left out stay as they are.

    Args:
        subject (str):
        gallery (str | Unset): Namespace of subjects; searches never cross galleries. Default:
            'default'.
        body (SubjectUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SubjectOut
    """

    return sync_detailed(
        subject=subject,
        client=client,
        body=body,
        gallery=gallery,
    ).parsed


async def asyncio_detailed(
    subject: str,
    *,
    client: AuthenticatedClient,
    body: SubjectUpdate,
    gallery: str | Unset = "default",
) -> Response[Problem | SubjectOut]:
    """Update Subject

     Change the display name or replace the metadata; fields left out stay as they are.

    Args:
        subject (str):
        gallery (str | Unset): Namespace of subjects; searches never cross galleries. Default:
            'default'.
        body (SubjectUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SubjectOut]
    """

    kwargs = _get_kwargs(
        subject=subject,
        body=body,
        gallery=gallery,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    subject: str,
    *,
    client: AuthenticatedClient,
    body: SubjectUpdate,
    gallery: str | Unset = "default",
) -> Problem | SubjectOut | None:
    """Update Subject

     Change the display name or replace the metadata; fields left out stay as they are.

    Args:
        subject (str):
        gallery (str | Unset): Namespace of subjects; searches never cross galleries. Default:
            'default'.
        body (SubjectUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SubjectOut
    """

    return (
        await asyncio_detailed(
            subject=subject,
            client=client,
            body=body,
            gallery=gallery,
        )
    ).parsed

from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.subject_list import SubjectList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    gallery: str | Unset = "default",
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["gallery"] = gallery

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
        "url": "/v1/subjects",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | SubjectList | None:
    if response.status_code == 200:
        response_200 = SubjectList.from_dict(response.json())

        return response_200

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
) -> Response[Problem | SubjectList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    gallery: str | Unset = "default",
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
) -> Response[Problem | SubjectList]:
    """List Subjects

     Subjects of a gallery in creation order, a page at a time.

    Args:
        gallery (str | Unset): Namespace of subjects; searches never cross galleries. Default:
            'default'.
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SubjectList]
    """

    kwargs = _get_kwargs(
        gallery=gallery,
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
    gallery: str | Unset = "default",
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
) -> Problem | SubjectList | None:
    """List Subjects

     Subjects of a gallery in creation order, a page at a time.

    Args:
        gallery (str | Unset): Namespace of subjects; searches never cross galleries. Default:
            'default'.
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SubjectList
    """

    return sync_detailed(
        client=client,
        gallery=gallery,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    gallery: str | Unset = "default",
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
) -> Response[Problem | SubjectList]:
    """List Subjects

     Subjects of a gallery in creation order, a page at a time.

    Args:
        gallery (str | Unset): Namespace of subjects; searches never cross galleries. Default:
            'default'.
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SubjectList]
    """

    kwargs = _get_kwargs(
        gallery=gallery,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    gallery: str | Unset = "default",
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
) -> Problem | SubjectList | None:
    """List Subjects

     Subjects of a gallery in creation order, a page at a time.

    Args:
        gallery (str | Unset): Namespace of subjects; searches never cross galleries. Default:
            'default'.
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SubjectList
    """

    return (
        await asyncio_detailed(
            client=client,
            gallery=gallery,
            limit=limit,
            cursor=cursor,
        )
    ).parsed

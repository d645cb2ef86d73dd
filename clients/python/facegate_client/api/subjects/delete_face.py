from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.deletion_receipt import DeletionReceipt
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    face_id: str,
    *,
    gallery: str | Unset = "default",
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["gallery"] = gallery

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v1/faces/{face_id}".format(
            face_id=quote(str(face_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DeletionReceipt | Problem | None:
    if response.status_code == 200:
        response_200 = DeletionReceipt.from_dict(response.json())

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
) -> Response[DeletionReceipt | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    face_id: str,
    *,
    client: AuthenticatedClient,
    gallery: str | Unset = "default",
) -> Response[DeletionReceipt | Problem]:
    """Delete Face

     Delete one face of a gallery; the subject goes with its last face.

    Args:
        face_id (str):
        gallery (str | Unset): Namespace of subjects; searches never cross galleries. Default:
            'default'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeletionReceipt | Problem]
    """

    kwargs = _get_kwargs(
        face_id=face_id,
        gallery=gallery,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    face_id: str,
    *,
    client: AuthenticatedClient,
    gallery: str | Unset = "default",
) -> DeletionReceipt | Problem | None:
    """Delete Face

     Delete one face of a gallery; the subject goes with its last face.

    Args:
        face_id (str):
        gallery (str | Unset): Namespace of subjects; searches never cross galleries. Default:
            'default'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeletionReceipt | Problem
    """

    return sync_detailed(
        face_id=face_id,
        client=client,
        gallery=gallery,
    ).parsed


async def asyncio_detailed(
    face_id: str,
    *,
    client: AuthenticatedClient,
    gallery: str | Unset = "default",
) -> Response[DeletionReceipt | Problem]:
    """Delete Face

     Delete one face of a gallery; the subject goes with its last face.

    Args:
        face_id (str):
        gallery (str | Unset): Namespace of subjects; searches never cross galleries. Default:
            'default'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeletionReceipt | Problem]
    """

    kwargs = _get_kwargs(
        face_id=face_id,
        gallery=gallery,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    face_id: str,
    *,
    client: AuthenticatedClient,
    gallery: str | Unset = "default",
) -> DeletionReceipt | Problem | None:
    """Delete Face

     Delete one face of a gallery; the subject goes with its last face.

    Args:
        face_id (str):
        gallery (str | Unset): Namespace of subjects; searches never cross galleries. Default:
            'default'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeletionReceipt | Problem
    """

    return (
        await asyncio_detailed(
            face_id=face_id,
            client=client,
            gallery=gallery,
        )
    ).parsed

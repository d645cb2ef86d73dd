from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.import_result import ImportResult
from ...models.problem import Problem
from ...types import File, Response


def _get_kwargs(
    gallery: str,
    *,
    body: File,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/galleries/{gallery}/import".format(
            gallery=quote(str(gallery), safe=""),
        ),
    }

    _kwargs["content"] = body.payload
    headers["Content-Type"] = "application/x-ndjson"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ImportResult | Problem | None:
    if response.status_code == 200:
        response_200 = ImportResult.from_dict(response.json())

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

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

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
) -> Response[ImportResult | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    gallery: str,
    *,
    client: AuthenticatedClient,
    body: File,
) -> Response[ImportResult | Problem]:
    """Import Gallery

     Add the subjects of an export (same pipeline version, else 409) to a gallery; subjects already there
    are skipped, so running an interrupted import again completes it.

    Args:
        gallery (str):
        body (File): An export, as is.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ImportResult | Problem]
    """

    kwargs = _get_kwargs(
        gallery=gallery,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    gallery: str,
    *,
    client: AuthenticatedClient,
    body: File,
) -> ImportResult | Problem | None:
    """Import Gallery

     Add the subjects of an export (same pipeline version, else 409) to a gallery; subjects already there
    are skipped, so running an interrupted import again completes it.

    Args:
        gallery (str):
        body (File): An export, as is.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ImportResult | Problem
    """

    return sync_detailed(
        gallery=gallery,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    gallery: str,
    *,
    client: AuthenticatedClient,
    body: File,
) -> Response[ImportResult | Problem]:
    """Import Gallery

     Add the subjects of an export (same pipeline version, else 409) to a gallery; subjects already there
    are skipped, so running an interrupted import again completes it.

    Args:
        gallery (str):
        body (File): An export, as is.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ImportResult | Problem]
    """

    kwargs = _get_kwargs(
        gallery=gallery,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    gallery: str,
    *,
    client: AuthenticatedClient,
    body: File,
) -> ImportResult | Problem | None:
    """Import Gallery

     Add the subjects of an export (same pipeline version, else 409) to a gallery; subjects already there
    are skipped, so running an interrupted import again completes it.

    Args:
        gallery (str):
        body (File): An export, as is.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ImportResult | Problem
    """

    return (
        await asyncio_detailed(
            gallery=gallery,
            client=client,
            body=body,
        )
    ).parsed

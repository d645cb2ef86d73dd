from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    gallery: str,
    *,
    model: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_model: None | str | Unset
    if isinstance(model, Unset):
        json_model = UNSET
    else:
        json_model = model
    params["model"] = json_model

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/galleries/{gallery}/export".format(
            gallery=quote(str(gallery), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | str | None:
    if response.status_code == 200:
        response_200 = cast(str, response.content)
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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | str]:
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
    model: None | str | Unset = UNSET,
) -> Response[Problem | str]:
    """Export Gallery

     A gallery's subjects and faces of one pipeline version (the default unless `model` says), for a move
    to another server or a backup; `import_gallery` reads it back.

    Args:
        gallery (str):
        model (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | str]
    """

    kwargs = _get_kwargs(
        gallery=gallery,
        model=model,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    gallery: str,
    *,
    client: AuthenticatedClient,
    model: None | str | Unset = UNSET,
) -> Problem | str | None:
    """Export Gallery

     A gallery's subjects and faces of one pipeline version (the default unless `model` says), for a move
    to another server or a backup; `import_gallery` reads it back.

    Args:
        gallery (str):
        model (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | str
    """

    return sync_detailed(
        gallery=gallery,
        client=client,
        model=model,
    ).parsed


async def asyncio_detailed(
    gallery: str,
    *,
    client: AuthenticatedClient,
    model: None | str | Unset = UNSET,
) -> Response[Problem | str]:
    """Export Gallery

     A gallery's subjects and faces of one pipeline version (the default unless `model` says), for a move
    to another server or a backup; `import_gallery` reads it back.

    Args:
        gallery (str):
        model (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | str]
    """

    kwargs = _get_kwargs(
        gallery=gallery,
        model=model,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    gallery: str,
    *,
    client: AuthenticatedClient,
    model: None | str | Unset = UNSET,
) -> Problem | str | None:
    """Export Gallery

     A gallery's subjects and faces of one pipeline version (the default unless `model` says), for a move
    to another server or a backup; `import_gallery` reads it back.

    Args:
        gallery (str):
        model (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | str
    """

    return (
        await asyncio_detailed(
            gallery=gallery,
            client=client,
            model=model,
        )
    ).parsed

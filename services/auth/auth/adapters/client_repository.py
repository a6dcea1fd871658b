"""API clients of organisations, over the unit of work's session."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.adapters.orm import api_clients, organisations
from auth.domain.clients import ApiClient


def _client(row: Any) -> ApiClient:
    return ApiClient(
        id=row.id,
        organisation_id=row.organisation_id,
        name=row.name,
        scopes=frozenset(row.scopes),
        allowed_networks=tuple(row.allowed_networks),
        secret_hash=row.secret_hash,
        previous_secret_hash=row.previous_secret_hash,
        previous_secret_valid_until=row.previous_secret_valid_until,
        created_at=row.created_at,
        created_by=row.created_by,
        rotated_at=row.rotated_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
        last_used_ip=row.last_used_ip,
    )


class ApiClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, client: ApiClient) -> None:
        await self.session.execute(
            insert(api_clients).values(
                id=client.id,
                organisation_id=client.organisation_id,
                name=client.name,
                scopes=sorted(client.scopes),
                allowed_networks=list(client.allowed_networks),
                secret_hash=client.secret_hash,
                created_at=client.created_at,
                created_by=client.created_by,
            )
        )

    async def get(
        self, client_id: uuid.UUID, *, organisation_id: uuid.UUID | None = None
    ) -> ApiClient | None:
        """The client; with ``organisation_id``, only if it belongs to that organisation."""
        query = select(api_clients).where(api_clients.c.id == client_id)
        if organisation_id is not None:
            query = query.where(api_clients.c.organisation_id == organisation_id)
        row = (await self.session.execute(query)).first()
        return _client(row) if row is not None else None

    async def of_organisation(self, organisation_id: uuid.UUID) -> Sequence[ApiClient]:
        rows = await self.session.execute(
            select(api_clients)
            .where(api_clients.c.organisation_id == organisation_id)
            .order_by(api_clients.c.revoked_at.is_not(None), api_clients.c.created_at.desc())
            .limit(200)
        )
        return [_client(r) for r in rows]

    async def rotate(
        self,
        client_id: uuid.UUID,
        *,
        secret_hash: str,
        previous_valid_until: datetime,
        now: datetime,
    ) -> None:
        await self.session.execute(
            update(api_clients)
            .where(api_clients.c.id == client_id)
            .values(
                previous_secret_hash=api_clients.c.secret_hash,
                previous_secret_valid_until=previous_valid_until,
                secret_hash=secret_hash,
                rotated_at=now,
            )
        )

    async def revoke(self, client_id: uuid.UUID, now: datetime) -> None:
        await self.session.execute(
            update(api_clients)
            .where(api_clients.c.id == client_id, api_clients.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def used(self, client_id: uuid.UUID, *, now: datetime, ip: str | None) -> None:
        await self.session.execute(
            update(api_clients)
            .where(api_clients.c.id == client_id)
            .values(last_used_at=now, last_used_ip=ip)
        )

    async def seen(self, client_id: uuid.UUID, *, now: datetime, seen_before: datetime) -> None:
        """Mark the client used at ``now`` unless it was marked after ``seen_before``."""
        await self.session.execute(
            update(api_clients)
            .where(
                api_clients.c.id == client_id,
                (api_clients.c.last_used_at.is_(None)) | (api_clients.c.last_used_at < seen_before),
            )
            .values(last_used_at=now)
        )

    async def active(self, client_id: uuid.UUID) -> bool:
        """Not revoked, and its organisation is active: its tokens are good."""
        found = await self.session.scalar(
            select(api_clients.c.id)
            .join(organisations, organisations.c.id == api_clients.c.organisation_id)
            .where(
                api_clients.c.id == client_id,
                api_clients.c.revoked_at.is_(None),
                organisations.c.active.is_(True),
            )
        )
        return found is not None

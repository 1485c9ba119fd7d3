"""`Factory`: builds tenants and their data through the services (the `factory` fixture is one)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal


class Factory:
    """Builds tenants and their data through the services, committing as it goes."""

    def __init__(self, session):
        self.s = session

    def org(self, *, plan: str = "agency", name: str | None = None):
        from voiceconsole.services import accounts

        org = accounts.create_organization(self.s, name=name or f"Org {secrets.token_hex(3)}", plan=plan)
        self.s.commit()
        return org

    def api_key(self, org, *, role: str = "owner") -> str:
        from voiceconsole.services import api_keys
        from voiceconsole.services.access.actor import SYSTEM

        created = api_keys.create_api_key(self.s, org=org, name="test", role=role, actor=SYSTEM)
        self.s.commit()
        return created.key

    def client(self, org, name: str | None = None):
        from voiceconsole.models import Client

        client = Client(organization_id=org.id, name=name or f"Client {secrets.token_hex(3)}")
        self.s.add(client)
        self.s.commit()
        return client

    def integration(self, org, *, platform: str = "vapi", label: str | None = None):
        """An integration row as stored once the platform accepted its key (no platform is asked here: for
        tests about what VoiceConsole does with integrations it has, not about connecting one)."""
        from voiceconsole.models import Integration
        from voiceconsole.services.security import encrypt

        key = f"key-{secrets.token_hex(8)}"
        integration = Integration(
            organization_id=org.id,
            platform=platform,
            label=label or f"{platform} account",
            api_key_encrypted=encrypt(key),
            api_key_last4=key[-4:],
        )
        self.s.add(integration)
        self.s.commit()
        return integration

    def agent(self, org, *, platform: str = "retell", name: str | None = None, client=None):
        from voiceconsole.platforms.base import AgentRecord
        from voiceconsole.services.intake.store import upsert_agent

        agent = upsert_agent(
            self.s,
            org=org,
            client_id=client.id if client else None,
            record=AgentRecord(
                platform=platform, platform_agent_id=f"ag_{secrets.token_hex(8)}", name=name or "Front desk"
            ),
        )
        self.s.commit()
        return agent

    def call(self, org, agent, **overrides):
        from voiceconsole.models import Call

        started = overrides.pop("started_at", datetime.now(UTC) - timedelta(hours=1))
        duration_ms = overrides.pop("duration_ms", 60_000)
        values = dict(
            organization_id=org.id,
            agent_id=agent.id,
            client_id=agent.client_id,
            platform=agent.platform,
            platform_call_id=f"call_{secrets.token_hex(8)}",
            status="ended",
            direction="inbound",
            from_number="+15555550100",
            to_number="+15555550199",
            started_at=started,
            ended_at=started + timedelta(milliseconds=duration_ms) if duration_ms is not None else None,
            duration_ms=duration_ms,
            cost_usd=Decimal("0.120000"),
            transcript="Agent: Hello, how can I help?\nUser: I want to book.\n",
            transcript_turns=[
                {"role": "agent", "text": "Hello, how can I help?", "start": 0.5, "end": 2.0},
                {"role": "user", "text": "I want to book.", "start": 2.8, "end": 4.0},
            ],
            summary="Caller booked an appointment.",
            sentiment="Positive",
            successful=True,
            score=82,
        )
        values.update(overrides)
        call = Call(**values)
        self.s.add(call)
        self.s.commit()
        return call

    def user_session(self, org, *, role: str = "owner", email: str | None = None, client=None) -> tuple:
        """A logged-in browser user: returns (user, raw cp_session token)."""
        from voiceconsole.models import Membership, UserSession
        from voiceconsole.models.types import utcnow
        from voiceconsole.services import accounts
        from voiceconsole.services.security import new_token, sha256_hex

        user = accounts.get_or_create_user(self.s, email=email or f"u{secrets.token_hex(4)}@example.com")
        self.s.add(
            Membership(user_id=user.id, organization_id=org.id, role=role, client_id=client.id if client else None)
        )
        token = new_token()
        self.s.add(
            UserSession(
                token_hash=sha256_hex(token),
                user_id=user.id,
                organization_id=org.id,
                expires_at=utcnow() + timedelta(days=7),
            )
        )
        self.s.commit()
        return user, token

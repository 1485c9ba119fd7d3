"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from voiceconsole.models.accounts import (  # noqa: F401
    BILLING_STATUSES,
    PLANS,
    ROLES,
    ApiKey,
    AuditLog,
    Client,
    Invitation,
    MagicLink,
    Membership,
    Organization,
    User,
    UserSession,
)
from voiceconsole.models.analytics import CallDailyRollup  # noqa: F401
from voiceconsole.models.billing import StripeEvent  # noqa: F401
from voiceconsole.models.branding import Branding  # noqa: F401
from voiceconsole.models.builder import VERSION_SOURCES, AgentDeployment, AgentVersion  # noqa: F401
from voiceconsole.models.calls import (  # noqa: F401
    CALL_STATUSES,
    DIRECTIONS,
    SENTIMENTS,
    START_SOURCES,
    Agent,
    Call,
    CallNote,
    CallPayload,
    CallTag,
    Tag,
)
from voiceconsole.models.campaign_runs import (  # noqa: F401
    ATTEMPT_STATUSES,
    CAMPAIGN_LEAD_STATES,
    CAMPAIGN_STATUSES,
    CallAttempt,
    Campaign,
    CampaignLead,
)
from voiceconsole.models.campaigns import (  # noqa: F401
    DNC_SOURCES,
    IMPORT_STATUSES,
    LEAD_STATUSES,
    DoNotCall,
    Lead,
    LeadImport,
    LeadImportChunk,
    LeadImportError,
    LeadTag,
)
from voiceconsole.models.deployment import Deployment  # noqa: F401
from voiceconsole.models.events import EVENT_TYPES, Event  # noqa: F401
from voiceconsole.models.integrations import Integration  # noqa: F401
from voiceconsole.models.notifications import (  # noqa: F401
    CHANNEL_KINDS,
    Delivery,
    DeliveryAttempt,
    NotificationChannel,
)
from voiceconsole.models.scoring import (  # noqa: F401
    CREDIT_POOLS,
    AgentScoring,
    ClientScoring,
    Coaching,
    CreditLedger,
)

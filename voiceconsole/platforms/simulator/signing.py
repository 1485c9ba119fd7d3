"""Webhook signatures as each platform computes them: `sign_webhook`, and `VapiHmac`, the settings of a
Vapi HMAC credential (the SDK's `HmacAuthenticationPlan`).

- Retell: `x-retell-signature: v=<ms>,d=<hex HMAC-SHA256(key=API key, body + str(ms))>`.
- ElevenLabs: `ElevenLabs-Signature: t=<s>,v0=<hex HMAC-SHA256(secret, f"{s}.{body}")>`.
- Vapi, by the credential the user configured (`vapi_auth`): "hmac" signs as `VapiHmac` says
  (default: `x-vapi-signature: <hex HMAC-SHA256(secret, f"{ms}.{body}")>` and `x-timestamp: <ms>`);
  "secret" sends the legacy `X-Vapi-Secret: <secret>`; "bearer" sends `Authorization: Bearer <secret>`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

VapiAuth = Literal["hmac", "secret", "bearer"]
VAPI_AUTHS = ("hmac", "secret", "bearer")
_ALGORITHMS = ("sha256", "sha512", "sha1")
_ENCODINGS = ("hex", "base64")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class VapiHmac:
    """How a Vapi HMAC credential signs a server message. Field for field Vapi's HMAC authentication plan
    (`from_plan` takes its camelCase JSON); the defaults are Vapi's, except `signature_header`: Vapi's
    default is "x-signature", the simulator's (and the recommended set-up's) "x-vapi-signature".

    The signed message is `payload_format` with `{timestamp}` (epoch ms, also sent in
    `timestamp_header`), `{body}` (the raw body) and `{method}` ("POST") filled in; with
    `include_timestamp=False` it is the body alone and no timestamp header is sent. The signature is
    the HMAC digest in `signature_encoding`, after `signature_prefix` (e.g. "sha256="). With
    `secret_is_base64` the key is the secret's base64-decoded bytes.
    """

    algorithm: str = "sha256"
    signature_encoding: str = "hex"
    signature_prefix: str = ""
    secret_is_base64: bool = False
    signature_header: str = "x-vapi-signature"
    timestamp_header: str = "x-timestamp"
    include_timestamp: bool = True
    payload_format: str = "{timestamp}.{body}"

    def __post_init__(self) -> None:
        if self.algorithm not in _ALGORITHMS:
            raise ValueError(f"algorithm must be one of {', '.join(_ALGORITHMS)}")
        if self.signature_encoding not in _ENCODINGS:
            raise ValueError(f"signatureEncoding must be one of {', '.join(_ENCODINGS)}")
        if not self.signature_header or not self.timestamp_header:
            raise ValueError("signatureHeader and timestampHeader must not be empty")
        unknown = set(_PLACEHOLDER.findall(self.payload_format)) - {"{timestamp}", "{body}", "{method}"}
        if unknown:  # {url} and {svix-id} need what the simulator does not know when it signs
            raise ValueError(f"payloadFormat placeholders not simulated: {', '.join(sorted(unknown))}")

    @classmethod
    def from_plan(cls, plan: Mapping[str, Any] | VapiHmac | None) -> VapiHmac:
        """From Vapi's plan JSON (camelCase, as the control API takes it) or snake_case keys. `type` and
        `secretKey` are accepted and left out: the secret is passed when signing."""
        if plan is None:
            return cls()
        if isinstance(plan, VapiHmac):
            return plan
        if not isinstance(plan, Mapping):
            raise TypeError("an HMAC plan must be an object")
        names = {f.name: f.name for f in fields(cls)}
        names |= {_camel(f.name): f.name for f in fields(cls)}
        settings: dict[str, Any] = {}
        for key, value in plan.items():
            if key in ("type", "secretKey", "secret_key"):
                continue
            if key not in names:
                raise ValueError(f"unknown HMAC plan setting {key!r}")
            settings[names[key]] = value
        return cls(**settings)

    def as_plan(self) -> dict[str, Any]:
        """The settings as Vapi's plan JSON (camelCase), without the secret."""
        plan: dict[str, Any] = {"type": "hmac"}
        plan.update({_camel(f.name): getattr(self, f.name) for f in fields(self)})
        return plan

    def headers(self, secret: str, body: bytes, ms: int) -> dict[str, str]:
        if self.secret_is_base64:
            try:
                key = base64.b64decode(secret, validate=True)
            except binascii.Error:
                raise ValueError("secretIsBase64 is set but the secret is not base64") from None
        else:
            key = secret.encode()
        message = body
        if self.include_timestamp:
            template = self.payload_format.replace("{timestamp}", str(ms)).replace("{method}", "POST")
            message = body.join(part.encode() for part in template.split("{body}"))
        digest = hmac.new(key, message, self.algorithm).digest()
        encoded = digest.hex() if self.signature_encoding == "hex" else base64.b64encode(digest).decode()
        headers = {self.signature_header: self.signature_prefix + encoded}
        if self.include_timestamp:
            headers[self.timestamp_header] = str(ms)
        return headers


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


def sign_webhook(
    platform: str,
    body: bytes,
    *,
    secret: str,
    timestamp: float | None = None,
    vapi_auth: VapiAuth = "hmac",
    vapi_hmac: Mapping[str, Any] | VapiHmac | None = None,
) -> dict[str, str]:
    """The headers with which the platform would send `body` (any bytes: tests sign hostile bodies too).

    `timestamp` is epoch seconds (default: now); each platform signs it in its own unit.
    """
    at = time.time() if timestamp is None else float(timestamp)
    headers = {"content-type": "application/json"}
    if platform == "retell":
        ms = int(at * 1000)
        headers["x-retell-signature"] = f"v={ms},d={_hex_hmac(secret, body + str(ms).encode())}"
    elif platform == "elevenlabs":
        seconds = int(at)
        headers["ElevenLabs-Signature"] = f"t={seconds},v0={_hex_hmac(secret, f'{seconds}.'.encode() + body)}"
    elif platform != "vapi":
        raise ValueError(f"unknown platform {platform!r}")
    elif vapi_auth == "hmac":
        headers.update(VapiHmac.from_plan(vapi_hmac).headers(secret, body, int(at * 1000)))
    elif vapi_auth == "secret":
        headers["X-Vapi-Secret"] = secret
    elif vapi_auth == "bearer":
        headers["Authorization"] = f"Bearer {secret}"
    else:
        raise ValueError("vapi_auth must be 'hmac', 'secret' or 'bearer'")
    return headers


def _hex_hmac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()

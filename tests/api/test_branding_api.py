"""Agency branding for client portals: /api/v1/branding (name, accent colour) and its logo."""

from __future__ import annotations

import struct
import zlib

from tests.support.http import bearer

ORIGIN = {"Origin": "http://testserver"}


def png(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
WEBP = b"RIFF" + struct.pack("<I", 30) + b"WEBPVP8 " + b"\x00" * 22
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _upload(api_client, headers, data: bytes, name: str = "logo.png", kind: str = "image/png"):
    return api_client.post("/api/v1/branding/logo", files={"file": (name, data, kind)}, headers=headers)


def test_name_and_accent_colour(api_client, factory):
    org = factory.org(name="Acme Voice")
    h = bearer(factory.api_key(org))
    start = api_client.get("/api/v1/branding", headers=h).json()["data"]
    assert start == {
        "name": "Acme Voice",
        "accentColor": None,
        "logoUrl": None,
        "logoContentType": None,
        "logoBytes": None,
        "updatedAt": None,
    }
    r = api_client.put("/api/v1/branding", json={"accentColor": "#4F46E5", "name": " Acme  Agency "}, headers=h)
    assert r.status_code == 200
    assert r.json()["data"]["accentColor"] == "#4f46e5" and r.json()["data"]["name"] == "Acme Agency"
    assert api_client.put("/api/v1/branding", json={"accentColor": "0af"}, headers=h).json()["data"]["accentColor"] == (
        "#00aaff"
    )
    cleared = api_client.put("/api/v1/branding", json={"accentColor": ""}, headers=h).json()["data"]
    assert cleared["accentColor"] is None and cleared["name"] == "Acme Agency"


def test_bad_input_names_every_field(api_client, factory):
    h = bearer(factory.api_key(factory.org()))
    for body, fields in (
        ({"accentColor": "red"}, {"accentColor"}),
        ({"accentColor": "#12345g"}, {"accentColor"}),
        ({"accentColor": "#1234567"}, {"accentColor"}),
        ({"name": ""}, {"name"}),
        ({"name": "   ", "accentColor": "blue"}, {"name", "accentColor"}),
        ({"logo": "x"}, {"logo"}),
    ):
        r = api_client.put("/api/v1/branding", json=body, headers=h)
        assert r.status_code == 422, body
        assert {d["field"] for d in r.json()["details"]} >= fields, (body, r.json())


def test_logo_upload_checks_the_real_type_and_size(api_client, factory):
    org = factory.org()
    h = bearer(factory.api_key(org))
    for data, name, kind in (
        (SVG, "logo.svg", "image/svg+xml"),
        (SVG, "logo.png", "image/png"),  # the name and the claimed type do not make it a PNG
        (b"GIF89a" + b"\x00" * 20, "logo.gif", "image/gif"),
        (b"", "logo.png", "image/png"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "logo.png", "image/png"),  # damaged
        (png() + b"\x00" * (512 * 1024), "big.png", "image/png"),  # over 512 KB
    ):
        r = _upload(api_client, h, data, name, kind)
        assert r.status_code == 422, name
        assert r.json()["details"][0]["field"] == "logo"
    assert api_client.get("/api/v1/branding/logo", headers=h).status_code == 404

    for data, kind in ((JPEG, "image/jpeg"), (WEBP, "image/webp"), (png(), "image/png")):
        r = _upload(api_client, h, data, "upload.bin", "application/octet-stream")
        assert r.status_code == 200, r.text
        out = r.json()["data"]
        assert out["logoContentType"] == kind and out["logoBytes"] == len(data)
        assert out["logoUrl"].startswith("/api/v1/branding/logo?v=")
        served = api_client.get(out["logoUrl"], headers=h)
        assert served.status_code == 200 and served.content == data
        assert served.headers["content-type"] == kind and served.headers["x-content-type-options"] == "nosniff"
        etag = served.headers["etag"]
        again = api_client.get("/api/v1/branding/logo", headers=h | {"If-None-Match": etag})
        assert again.status_code == 304

    removed = api_client.delete("/api/v1/branding/logo", headers=h).json()["data"]
    assert removed["logoUrl"] is None
    assert api_client.get("/api/v1/branding/logo", headers=h).status_code == 404


def test_managers_change_it_everyone_reads_it_and_organizations_stay_apart(api_client, factory):
    org, other = factory.org(name="Ours"), factory.org(name="Theirs")
    owner = bearer(factory.api_key(org))
    assert _upload(api_client, owner, png()).status_code == 200
    api_client.put("/api/v1/branding", json={"accentColor": "#112233"}, headers=owner)

    member = bearer(factory.api_key(org, role="member"))
    assert api_client.put("/api/v1/branding", json={"accentColor": "#000000"}, headers=member).status_code == 403
    assert _upload(api_client, member, png()).status_code == 403
    assert api_client.delete("/api/v1/branding/logo", headers=member).status_code == 403
    assert api_client.get("/api/v1/branding", headers=member).json()["data"]["accentColor"] == "#112233"

    client = factory.client(org)
    _, token = factory.user_session(org, role="client_viewer", client=client)
    viewer = {"Cookie": f"cp_session={token}"}
    seen = api_client.get("/api/v1/branding", headers=viewer).json()["data"]
    assert seen["name"] == "Ours" and seen["accentColor"] == "#112233" and seen["logoUrl"]
    assert api_client.get("/api/v1/branding/logo", headers=viewer).status_code == 200
    assert api_client.put("/api/v1/branding", json={"name": "x"}, headers=viewer | ORIGIN).status_code == 403

    theirs = bearer(factory.api_key(other))
    assert api_client.get("/api/v1/branding", headers=theirs).json()["data"]["accentColor"] is None
    assert api_client.get("/api/v1/branding/logo", headers=theirs).status_code == 404
    assert api_client.get("/api/v1/branding/logo").status_code == 401

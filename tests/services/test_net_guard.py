"""net_guard: outbound targets resolve to public addresses unless private targets are allowed."""

from __future__ import annotations

import pytest

from voiceconsole.services.net_guard import UnsafeTarget, check_base_url, check_url

PRIVATE = [
    "http://127.0.0.1:8080/retell",
    "http://localhost:9000",
    "http://[::1]:9000",
    "http://10.1.2.3",
    "http://192.168.0.10",
    "http://172.16.5.4",
    "http://169.254.169.254/latest/meta-data",  # cloud metadata (link-local)
    "http://[fe80::1]",
    "http://0.0.0.0",
    "http://[::ffff:127.0.0.1]",  # IPv4-mapped loopback
]


@pytest.mark.parametrize("url", PRIVATE)
def test_private_loopback_and_link_local_are_refused(url):
    with pytest.raises(UnsafeTarget, match="VOICECONSOLE_ALLOW_PRIVATE_TARGETS"):
        check_url(url, allow_private=False)


@pytest.mark.parametrize("url", PRIVATE[:3])
def test_private_targets_pass_when_allowed(url):
    assert check_url(url, allow_private=True) == url.rstrip("/")


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://example.com", "http"),
        ("http://", "host"),
        ("not a url", "http"),
        ("http://user:pw@127.0.0.1", "user name"),
        ("http://127.0.0.1/?x=1", "query"),
        ("http://127.0.0.1:99999", "port"),
        ("http://no-such-host.invalid", "resolve"),
    ],
)
def test_malformed_urls_are_refused(url, message):
    with pytest.raises(UnsafeTarget, match=message):
        check_url(url, allow_private=True)


def test_public_address_passes_and_base_urls_need_https_when_public():
    assert check_url("https://93.184.216.34/v1/", allow_private=False) == "https://93.184.216.34/v1"
    assert check_base_url("https://93.184.216.34") == "https://93.184.216.34"
    with pytest.raises(UnsafeTarget, match="https"):
        check_base_url("http://93.184.216.34")

"""Public ids (`lead_…`, `cl_…`): the length asked, base62 only, every character of the alphabet in use, and no
two alike across many."""

from voiceconsole.models.types import _BASE62, public_id, random_base62


def test_public_ids_are_base62_of_the_length_asked_and_distinct():
    ids = [public_id("lead") for _ in range(20_000)]
    assert all(i.startswith("lead_") and len(i) == len("lead_") + 20 for i in ids)
    assert len(set(ids)) == len(ids)
    seen = set("".join(i[5:] for i in ids))
    assert seen == set(_BASE62)  # 400,000 draws: every one of the 62 characters comes up
    assert [len(random_base62(n)) for n in (1, 7, 64, 200)] == [1, 7, 64, 200]

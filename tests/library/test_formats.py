"""Reading fact-check files: each format, positions of bad records, malformed and huge input."""

from __future__ import annotations

import io
from datetime import date

import pytest

from common.errors import DocumentError, DocumentTooLarge
from library import formats
from tests.library.conftest import (
    as_json,
    as_jsonl,
    claim_review,
    data_feed,
    feed_item,
    items_of,
)


def _refusals(items):
    return [(item.where, item.reason) for item in items if item.refused]


def _wheres(items):
    return [item.where for item in items if not item.refused]


# ---------------------------------------------------------------- ClaimReview JSON-LD


def test_one_claim_review_object_is_read_into_every_field():
    (item,) = items_of(as_json(claim_review()))
    assert item.where == "document"
    assert item.record == formats.FactCheckRecord(
        url="https://checks.example.org/1",
        claim_reviewed="Unemployment fell by 1 per cent last year.",
        claimant="Ben Sample",
        claim_date=date(2024, 3, 1),
        rating_name="Mostly False",
        rating_value=2.0,
        rating_best=5.0,
        rating_worst=1.0,
        verdict="mostly-false",
        publisher_name="Example Checks",
        publisher_url="https://checks.example.org/",
        date_published=date(2024, 3, 5),
        headline="Did unemployment fall by 1 per cent?",
        language="en",
    )


def test_a_list_an_at_graph_and_a_data_feed_are_read_with_positions():
    listed = items_of(as_json([claim_review(1), claim_review(2)]))
    assert _wheres(listed) == ["[0]", "[1]"]
    graph = {
        "@context": "https://schema.org",
        "@graph": [{"@type": "WebPage", "name": "page"}, claim_review(3)],
    }
    assert _wheres(items_of(as_json(graph))) == ["@graph[1]"]  # the page is context, skipped
    feed = data_feed(claim_review(4), feed_item(claim_review(5), claim_review(6)))
    assert _wheres(items_of(as_json(feed))) == [
        "dataFeedElement[0]",
        "dataFeedElement[1].item[0]",
        "dataFeedElement[1].item[1]",
    ]


def test_schema_types_are_read_by_their_local_name():
    review = claim_review(1, **{"@type": "https://schema.org/ClaimReview"})
    other = claim_review(2, **{"@type": ["schema:ClaimReview"]})
    assert len(_wheres(items_of(as_json([review, other])))) == 2


def test_a_bad_record_in_the_middle_is_refused_by_position_and_the_others_read():
    feed = data_feed(
        feed_item(claim_review(1)),
        feed_item(claim_review(2), claim_review(3, url=None)),
        feed_item(claim_review(4, url="javascript:alert(1)")),
        {"@type": "Article", "name": "not a review"},
        feed_item(claim_review(5)),
    )
    items = items_of(as_json(feed))
    assert _wheres(items) == [
        "dataFeedElement[0].item[0]",
        "dataFeedElement[1].item[0]",
        "dataFeedElement[4].item[0]",
    ]
    assert _refusals(items) == [
        ("dataFeedElement[1].item[1]", "url is required (the fact-check's address)"),
        (
            "dataFeedElement[2].item[0]",
            "url must be an address starting with http: or https:, got 'javascript:alert(1)'",
        ),
        ("dataFeedElement[3]", "not a ClaimReview (@type Article)"),
    ]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"claimReviewed": None}, "claimReviewed is required (the claim the fact-check reviewed)"),
        ({"claimReviewed": "   "}, "claimReviewed is required (the claim the fact-check reviewed)"),
        (
            {"claimReviewed": "x" * 10_001},
            "claimReviewed has 10,001 characters, over the limit of 10,000",
        ),
        ({"headline": "h" * 1001}, "headline has 1,001 characters, over the limit of 1,000"),
        (
            {"url": "ftp://checks.example.org/1"},
            "url must be an address starting with http: or https:",
        ),
        (
            {"url": "https://checks.example.org/a b"},
            "url must be an address starting with http: or https:",
        ),
        (
            {"url": "https://x.org/" + "a" * 2000},
            "url has 2,014 characters, over the limit of 2,000",
        ),
        ({"url": 17}, "url is required (the fact-check's address)"),
        ({"claimReviewed": "nul\x00here"}, "claimReviewed contains a NUL character"),
    ],
)
def test_each_record_is_checked(changes, reason):
    (item,) = items_of(as_json([claim_review(**changes)]))
    assert item.refused
    assert item.reason.startswith(reason)


def test_the_claim_falls_back_to_the_claim_reviewed_text():
    review = claim_review(claimReviewed=None)
    review["itemReviewed"]["text"] = "The claim as the Claim node says it."
    (item,) = items_of(as_json(review))
    assert item.record.claim_reviewed == "The claim as the Claim node says it."


def test_optional_values_that_do_not_read_are_left_empty_not_refused():
    review = claim_review(
        datePublished="last Tuesday",
        reviewRating={"alternateName": "Unrated", "ratingValue": "n/a", "bestRating": True},
        author={"name": "Example", "url": "javascript:void(0)"},
    )
    (item,) = items_of(as_json(review))
    record = item.record
    assert (record.date_published, record.rating_value, record.rating_best) == (None, None, None)
    assert record.publisher_name == "Example" and record.publisher_url == ""
    assert record.verdict == ""


def test_several_claimants_are_joined_and_a_language_object_read():
    review = claim_review(
        inLanguage={"@type": "Language", "name": "English", "alternateName": "en"}
    )
    review["itemReviewed"]["author"] = [{"name": "Ada Example"}, {"name": "Ben Sample"}]
    (item,) = items_of(as_json(review))
    assert item.record.claimant == "Ada Example, Ben Sample"
    assert item.record.language == "en"


# ---------------------------------------------------------------- JSONL


def test_jsonl_is_read_line_by_line_with_a_bad_line_in_the_middle():
    data = (
        as_jsonl(claim_review(1), claim_review(2))
        + b'{"url": "https://x.org/3",\n\n'
        + as_jsonl(claim_review(4))
    )
    document = formats.read_bytes(data)
    assert document.format == "jsonl"
    items = list(document.items)
    assert _wheres(items) == ["line 1", "line 2", "line 5"]  # blank line 4 is skipped
    ((where, reason),) = _refusals(items)
    assert where == "line 3"
    assert reason.startswith("not valid JSON: ") and "at column" in reason


def test_jsonl_streams_from_the_file_instead_of_reading_it_whole():
    class Counting(io.BytesIO):
        reads = 0

        def readline(self, *args):
            Counting.reads += 1
            return super().readline(*args)

    stream = Counting(as_jsonl(*(claim_review(n) for n in range(1, 6))))
    document = formats.read(stream)
    before = Counting.reads
    first = next(document.items)
    assert first.where == "line 1"
    assert Counting.reads == before + 1  # one line read for one record


def test_a_jsonl_line_too_long_is_refused_as_a_record(monkeypatch):
    monkeypatch.setattr(formats, "MAX_LINE_BYTES", 2000)
    long = claim_review(2, reviewBody="x" * 3000)
    items = items_of(as_jsonl(claim_review(1), long, claim_review(3)), filename="f.jsonl")
    assert _wheres(items) == ["line 1", "line 3"]
    assert _refusals(items) == [("line 2", "longer than 2,000 bytes; not read")]


def test_a_jsonl_line_that_is_not_utf8_is_refused_as_a_record():
    data = (
        as_jsonl(claim_review(1)) + b'{"url": "https://x.org/\xff"}\n' + as_jsonl(claim_review(3))
    )
    items = items_of(data)
    assert _refusals(items) == [("line 2", "not UTF-8 text")]


def test_jsonl_lines_may_hold_a_feed_item_or_a_fact_check_tools_claim():
    tools = {
        "text": "A claim",
        "claimReview": [{"url": "https://t.example/1", "textualRating": "False"}],
    }
    items = items_of(as_jsonl(feed_item(claim_review(1)), tools))
    assert _wheres(items) == ["line 1.item[0]", "line 2.claimReview[0]"]


# ---------------------------------------------------------------- Fact Check Tools


def test_a_fact_check_tools_answer_is_one_record_per_claim_review():
    answer = {
        "claims": [
            {
                "text": "The town spent 4.2 million on roads.",
                "claimant": "Ada Example",
                "claimDate": "2024-02-01T00:00:00Z",
                "claimReview": [
                    {
                        "publisher": {"name": "Example Checks", "site": "checks.example.org"},
                        "url": "https://checks.example.org/roads",
                        "title": "Roads spending, checked",
                        "reviewDate": "2024-02-03T10:00:00Z",
                        "textualRating": "Half True",
                        "languageCode": "en",
                    },
                    {"url": "https://other.example/roads", "textualRating": "Exaggerated"},
                ],
            },
            {"text": "No review here"},
            {"text": "", "claimReview": [{"url": "https://t.example/empty"}]},
        ],
        "nextPageToken": "abc",
    }
    document = formats.read_bytes(as_json(answer))
    assert document.format == "fact-check-tools"
    items = list(document.items)
    first = items[0].record
    assert items[0].where == "claims[0].claimReview[0]"
    assert (first.claim_reviewed, first.claimant, first.claim_date) == (
        "The town spent 4.2 million on roads.",
        "Ada Example",
        date(2024, 2, 1),
    )
    assert (first.publisher_name, first.publisher_url) == (
        "Example Checks",
        "https://checks.example.org",
    )
    assert (first.headline, first.date_published, first.language) == (
        "Roads spending, checked",
        date(2024, 2, 3),
        "en",
    )
    assert (first.rating_name, first.verdict) == ("Half True", "mixed")
    assert items[1].record.verdict == "mostly-false"
    assert _refusals(items) == [
        ("claims[1]", "has no claimReview"),
        ("claims[2].claimReview[0]", "text is required (the claim the fact-check reviewed)"),
    ]


def test_naming_the_fact_check_tools_format_refuses_another_document():
    with pytest.raises(DocumentError, match='no "claims" list'):
        formats.read_bytes(as_json(claim_review()), format="fact-check-tools")


# ---------------------------------------------------------------- whole documents


def test_malformed_json_is_refused_with_its_line_and_column():
    data = b'{\n  "@type": "DataFeed",\n  "dataFeedElement": [,]\n}\n'
    with pytest.raises(DocumentError) as refused:
        formats.read_bytes(data)
    assert str(refused.value).startswith("not valid JSON: ")
    assert str(refused.value).endswith("at line 3, column 23")


def test_bytes_that_are_not_utf8_are_refused_with_their_place():
    data = b'[\n {"url": "https://x.org/caf\xe9"}\n]'
    with pytest.raises(
        DocumentError, match=r"not UTF-8 text at line 2, column 28 \(byte offset 29\)"
    ):
        formats.read_bytes(data)


def test_a_document_nested_too_deeply_is_refused_not_crashed():
    with pytest.raises(DocumentError, match="nested too deeply"):
        formats.read_bytes(b"[" * 5000 + b"]" * 5000)


def test_a_document_over_the_bound_is_refused_before_it_is_read():
    data = as_json([claim_review(n) for n in range(20)])

    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("the size is known: nothing should be read")

        def readline(self, *args):
            return io.BytesIO.readline(self, *args)

    with pytest.raises(DocumentTooLarge, match="write it as JSONL"):
        formats.read(Unreadable(data), max_document_bytes=1000)


def test_jsonl_has_no_document_bound():
    data = as_jsonl(*(claim_review(n) for n in range(20)))
    assert len(data) > 1000
    assert len(_wheres(items_of(data, max_document_bytes=1000))) == 20


def test_a_byte_order_mark_is_skipped_in_json_and_jsonl():
    bom = b"\xef\xbb\xbf"
    assert _wheres(items_of(bom + as_json([claim_review()]))) == ["[0]"]
    assert _wheres(items_of(bom + as_jsonl(claim_review(1), claim_review(2)))) == [
        "line 1",
        "line 2",
    ]


def test_utf16_is_refused_with_what_to_do():
    with pytest.raises(DocumentError, match="UTF-16; .* save it as UTF-8"):
        formats.read_bytes(as_json(claim_review()).decode().encode("utf-16"))


@pytest.mark.parametrize("data", [b"", b"  \n\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_refused(data):
    with pytest.raises(DocumentError, match="file is empty"):
        formats.read_bytes(data)


def test_text_that_is_not_json_is_refused():
    with pytest.raises(DocumentError, match="not JSON: a ClaimReview file starts with"):
        formats.read_bytes(b"url,claim\nhttps://x.org,claim\n")


def test_a_json_scalar_is_refused():
    with pytest.raises(DocumentError, match="not a ClaimReview document: it holds a JSON string"):
        formats.read_bytes(b'"just a string"', format="jsonld")


# ---------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (as_json(claim_review()), "", "jsonld"),  # pretty-printed object
        (as_json(claim_review(), indent=None), "", "jsonld"),  # one line, one object
        (as_jsonl(claim_review(1), claim_review(2)), "", "jsonl"),
        (b"{broken\n" + as_jsonl(claim_review(2)), "", "jsonl"),  # a bad first record
        (as_jsonl(claim_review(1)), "feed.jsonl", "jsonl"),
        (as_json([claim_review()], indent=None) + b"\n", "", "jsonld"),
    ],
)
def test_the_format_is_detected(data, filename, expected):
    assert formats.read_bytes(data, filename=filename).format == expected


def test_a_document_with_a_count_says_how_many_records():
    document = formats.read_bytes(as_json(data_feed(claim_review(1), claim_review(2))))
    assert document.count == 2


def test_the_article_is_read_from_review_body_and_cut_to_its_bound():
    from library.formats import claim_review_record
    from library.records import REVIEW_BODY_MAX_LENGTH

    node = {
        "@type": "ClaimReview",
        "url": "https://checks.example.org/long",
        "claimReviewed": "A claim.",
        "reviewBody": "word " * REVIEW_BODY_MAX_LENGTH,
    }
    record = claim_review_record(node)
    assert len(record.review_body) == REVIEW_BODY_MAX_LENGTH
    assert claim_review_record({**node, "reviewBody": "", "description": "Short."}).review_body == (
        "Short."
    )

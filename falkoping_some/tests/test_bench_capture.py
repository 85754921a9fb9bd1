"""The capture benchmarks (bench/capture_bench.py) at a tiny size: they capture what they say through
the real engine, count what they say, and the archive and search benchmark fills PostgreSQL as it
says. The figures themselves are never asserted here (bench/README.md, "Capture")."""

import importlib.util
import sys
from pathlib import Path

import pytest

from capture.connectors import registry
from capture.models import CapturedItem

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def capture_bench(monkeypatch, settings):
    settings.CAPTURE_ALLOW_SIMULATORS = True
    settings.CAPTURE_MEDIA_ENABLED = False
    monkeypatch.syspath_prepend(str(BENCH_DIR))
    monkeypatch.setitem(registry.CONNECTORS, "toy", "")  # put back after the test
    spec = importlib.util.spec_from_file_location("capture_bench", BENCH_DIR / "capture_bench.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "capture_bench", module)
    spec.loader.exec_module(module)
    return module


def test_the_toy_texts_are_swedish_words_and_the_same_every_time(capture_bench):
    assert capture_bench.text_for(7) == capture_bench.text_for(7)
    assert {word.lower() for word in capture_bench.text_for(12345).split()} <= {
        word.lower() for word in capture_bench.WORDS
    }


@pytest.mark.django_db
def test_ingest_captures_every_item_through_the_engine_and_the_same_rows_in_bulk(capture_bench):
    result = capture_bench.ingest(120, comments_per_post=3, page_size=10, in_process=True)

    assert result["items"] == result["expected_items"] == 120
    assert result["bulk_items"] == 120
    assert result["pages"] >= 3 and result["http_calls"] == 3 + 30  # 3 pages of posts, 30 of comments
    queries = result["queries_per_page"]
    assert queries["min"] == queries["max"] > 0  # every page alike: the same queries
    assert result["rss_samples"] and result["goal_met"]["all_captured"]
    # The bulk rows are the synced ones, threads and parents included.
    synced = CapturedItem.objects.exclude(platform="toybulk").get(platform_id="a0-p2-c2")
    bulk = CapturedItem.objects.get(platform="toybulk", platform_id="a0-p2-c2")
    assert synced.parent.platform_id == bulk.parent.platform_id == "a0-p2-c1"
    assert synced.thread.platform_id == bulk.thread.platform_id == "a0-p2"
    assert bulk.text == synced.text and bulk.raw_sha256 == synced.raw_sha256


@pytest.mark.django_db
def test_the_workers_sync_every_connection_and_then_the_hourly_reread(capture_bench):
    result = capture_bench.workers(3, posts=4, comments_per_post=2, processes=0, in_process=True)

    assert result["first"]["statuses"] == result["hourly"]["statuses"] == {"synced": 3}
    assert result["captured"] == 3 * 4 * 3
    assert result["first"]["new_items"] == 36 and result["hourly"]["new_items"] == 0
    assert result["projected_hourly_seconds_10000"] > 0
    assert result["goal_met"]["all_captured"] and result["goal_met"]["all_synced"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_archive_and_search_benchmark_fills_and_explains(capture_bench, tmp_path, monkeypatch):
    monkeypatch.setattr(capture_bench, "EXPLAIN", tmp_path)

    result = capture_bench.queries(400, 2000, repeat=2, other_accounts=4)

    assert result["on_account"] == 400
    assert result["total"] == 400 + 4 * 400  # (2000 - 400) / 4 posts / 4 accounts, with 3 comments each
    assert result["archive"]["archive_page"]["runs"] == 2
    assert all(figures["matches"] > 0 for name, figures in result["search"].items() if name != "absent")
    assert result["search"]["absent"]["matches"] == 0
    # The Swedish configuration: "biblioteket" finds "bibliotek" and "bibliotekets" too.
    assert result["search"]["stemmed"]["matches"] > CapturedItem.objects.filter(text__icontains="biblioteket ").count()
    assert {Path(name).name for name in result["explain_files"]} == {
        "capture-archive.txt", "capture-threads.txt", "capture-search-common.txt",
        "capture-search-stemmed.txt", "capture-search-rare.txt", "capture-search-absent.txt",
    }  # fmt: skip
    assert {figures["plan"] for figures in result["search"].values()} <= {"gin", "walk"}
    assert "Index" in (tmp_path / "capture-search-rare.txt").read_text()

"""podcast:soundbite: one per story of the show notes, through the runner's real publish path
(catalog rows -> published_episodes -> publish -> public/feed.xml), and checked by lint."""

from __future__ import annotations

import dataclasses

import feedparser
import pytest
from lxml import etree

from podkit.catalog import Catalog
from podkit.config import load_show
from podkit.publish.feed import Soundbite, soundbites_for
from podkit.publish.lint import lint
from podkit.records import FeedItem, NormaliseResult, NotesResult, StoryEntry, TagResult
from podkit.runner.local import run_show

from .conftest import make_show, podkit

NS = {"podcast": "https://podcastindex.org/namespace/1.0"}
SLUG = "2026-11-20-harbour-desk"
ESCAPED = 'Tom & Jerry <live> at the "Wharf"'


def test_one_soundbite_per_story_of_15_s_or_more_capped_at_60():
    stories = (
        StoryEntry(0.0, 45.0, "Welcome", "", kind="intro"),
        StoryEntry(45.0, 118.25, "Ferry subsidy splits the council", "s"),  # 73.25 s: capped
        StoryEntry(118.25, 160.0, "A word from the bakery", "", kind="sponsor"),
        StoryEntry(160.0, 175.0, "Exactly fifteen seconds", "s"),
        StoryEntry(175.0, 189.9, "Just under fifteen", "s"),
        StoryEntry(189.9, 230.0, "Bridge closed", "s", kind="short"),  # long enough, but short
        StoryEntry(230.0, 272.5, ESCAPED, "s"),
        StoryEntry(272.5, 330.0, "Thanks for listening", "", kind="outro"),
    )
    bites = soundbites_for(stories)
    assert bites == (
        Soundbite(45.0, 60.0, "Ferry subsidy splits the council"),
        Soundbite(160.0, 15.0, "Exactly fifteen seconds"),
        Soundbite(230.0, 42.5, ESCAPED),
    )
    for bite in bites:  # each lies inside its story
        story = next(s for s in stories if s.title == bite.title)
        assert story.start <= bite.start and bite.start + bite.duration <= story.end
        assert 15.0 <= bite.duration <= 60.0
    assert soundbites_for(()) == ()
    assert soundbites_for([dataclasses.replace(stories[0], kind="story")]) == (Soundbite(0.0, 45.0, "Welcome"),)


def _seed(catalog: Catalog, show, slug: str, stories: list[dict], day: int) -> None:
    """An episode as the stages leave it in the catalog: normalised, noted, tagged."""
    row = catalog.add_episode(
        sha256=f"{day:064x}",
        guid=f"guid-{slug}",
        slug=slug,
        source=f"{slug}.wav",
        pub_date=f"2026-11-{day}T07:00:00+00:00",
    )
    normalised = NormaliseResult(1, -20.0, -3.0, -16.0, 4.0, 0.0, 330.0, 330.0, False, 0.0, -16.0, -1.5, True)
    notes = {
        "stories": stories,
        "unassigned_links": [],
        "chapter_list": "",
        "files": [],
    }
    item = FeedItem(title=f"Episode {day}", description="The week.", pub_date=f"2026-11-{day}T07:00:00+00:00")
    tagged = TagResult(frames=("TIT2",), file=f"public/media/{slug}.mp3", item=item)
    for stage, result in (("normalise", normalised.to_dict()), ("notes", notes), ("tag", tagged.to_dict())):
        catalog.stage_started(row.id, stage, "fp")
        catalog.stage_finished(row.id, stage, seconds=0.1, result=result)
    media = show.media_dir / f"{slug}.mp3"
    media.parent.mkdir(parents=True, exist_ok=True)
    media.write_bytes(b"ID3" + bytes(997))
    if day == 20:
        chapters = show.transcripts_dir / f"{slug}.chapters.json"
        chapters.parent.mkdir(parents=True, exist_ok=True)
        chapters.write_text('{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Welcome"}]}')


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A show whose catalog holds two published episodes, run (nothing to transcribe)."""
    root = make_show(tmp_path_factory.mktemp("bites") / "show")
    show = load_show(root)
    story = NotesResult(
        stories=(
            StoryEntry(0.0, 40.0, "Welcome", "", kind="intro"),
            StoryEntry(40.0, 113.0, "Ferry subsidy splits the council", "s", ("https://x.example/a",)),
            StoryEntry(113.0, 150.0, "A word from the bakery", "", kind="sponsor"),
            StoryEntry(150.0, 160.0, "Too short for a soundbite", "s"),
            StoryEntry(160.0, 205.5, ESCAPED, "s"),
        ),
        unassigned_links=(),
        chapter_list="",
        files=(),
    ).to_dict()["stories"]
    old_row = [  # written before notes v3: no kind, read back as a story
        {"start": 12.5, "end": 50.0, "title": "Wool store fire", "summary": "s", "links": []},
    ]
    with Catalog(show.state_dir) as catalog:
        _seed(catalog, show, SLUG, story, 20)
        _seed(catalog, show, "2026-11-13-older", old_row, 13)
    report = run_show(root)
    assert report.exit_code == 0 and report.feed_items == 2, report.outcomes
    return root


def _bites(item: etree._Element) -> list[tuple[str | None, str | None, str | None]]:
    return [(b.get("startTime"), b.get("duration"), b.text) for b in item.findall("podcast:soundbite", NS)]


def test_feed_has_a_soundbite_per_story_escaped_and_stable(published):
    feed = published / "public" / "feed.xml"
    raw = feed.read_bytes()
    tree = etree.fromstring(raw)
    newest, older = tree.findall("channel/item")
    assert newest.findtext("guid") == f"guid-{SLUG}"
    assert _bites(newest) == [
        ("40.0", "60.0", "Ferry subsidy splits the council"),
        ("160.0", "45.5", ESCAPED),
    ]
    assert _bites(older) == [("12.5", "37.5", "Wool store fire")]
    # Escaped as XML text, once: & and < and > become entities, nothing is left raw.
    assert b'Tom &amp; Jerry &lt;live&gt; at the "Wharf"</podcast:soundbite>' in raw
    assert b"<live>" not in raw
    # After podcast:chapters, in the order of the stories.
    tags = [etree.QName(el).localname for el in newest if etree.QName(el).namespace == NS["podcast"]]
    assert tags == ["chapters", "soundbite", "soundbite"]
    assert [etree.QName(el).localname for el in older if etree.QName(el).namespace == NS["podcast"]] == ["soundbite"]
    # Still a feed the apps read (feedparser 6 does not map podcast:soundbite itself).
    parsed = feedparser.parse(raw)
    assert not parsed.bozo, parsed.bozo_exception
    assert [e.id for e in parsed.entries] == [f"guid-{SLUG}", "guid-2026-11-13-older"]
    # lint finds nothing to say about them.
    assert [str(f) for f in lint(feed) if "soundbite" in f.where] == []
    # The same catalog gives the same bytes.
    assert run_show(published).exit_code == 0
    assert feed.read_bytes() == raw


def test_soundbites_follow_the_notes_in_the_catalog(published, tmp_path):
    """Notes made again with other stories: the next publish carries the new soundbites."""
    import shutil

    root = tmp_path / "show"
    shutil.copytree(published, root)
    show = load_show(root)
    with Catalog(show.state_dir) as catalog:
        (row,) = [r for r in catalog.episodes() if r.slug == SLUG]
        stories = [{"start": 5.0, "end": 25.0, "title": "Only one now", "summary": "", "links": [], "kind": "story"}]
        catalog.stage_finished(row.id, "notes", seconds=0.1, result={**row.stages["notes"].result, "stories": stories})
    assert run_show(root).exit_code == 0
    newest = etree.parse(str(root / "public" / "feed.xml")).find("channel/item")
    assert _bites(newest) == [("5.0", "20.0", "Only one now")]


@pytest.mark.parametrize(
    "start,duration,errors",
    [
        ("-1.0", "0.0", ["startTime must be seconds >= 0, not '-1.0'", "duration must be seconds > 0, not '0.0'"]),
        ("abc", "-5", ["startTime must be seconds >= 0, not 'abc'", "duration must be seconds > 0, not '-5'"]),
        ("NaN", "inf", ["startTime must be seconds >= 0, not 'NaN'", "duration must be seconds > 0, not 'inf'"]),
    ],
)
def test_lint_rejects_a_bad_soundbite(published, tmp_path, start, duration, errors):
    text = (published / "public" / "feed.xml").read_text()
    good = 'startTime="40.0" duration="60.0"'
    assert good in text
    bad = tmp_path / "feed.xml"
    bad.write_text(text.replace(good, f'startTime="{start}" duration="{duration}"', 1))
    findings = [f for f in lint(bad) if "podcast:soundbite" in f.where]
    assert [(f.level, f.message) for f in findings] == [("error", m) for m in errors]
    assert findings[0].where.startswith("item 1 (Episode 20)/")


def test_lint_warns_outside_15_to_120_s(published, tmp_path):
    text = (published / "public" / "feed.xml").read_text()
    bad = tmp_path / "feed.xml"
    bad.write_text(
        text.replace('duration="60.0"', 'duration="200"', 1)
        .replace('duration="45.5"', 'duration="120"', 1)
        .replace('duration="37.5"', 'duration="5.5"', 1)
    )
    findings = [f for f in lint(bad) if "podcast:soundbite" in f.where]
    assert [(f.level, f.message) for f in findings] == [
        ("warning", "duration 200 s: the spec recommends 15 to 120 s"),
        ("warning", "duration 5.5 s: the spec recommends 15 to 120 s"),
    ]  # 120 s is inside the range
    proc = podkit("lint", str(bad))
    assert proc.returncode == 0, proc.stdout + proc.stderr  # warnings only
    assert "0 error(s)" in proc.stdout
    assert sum("podcast:soundbite" in line for line in proc.stdout.splitlines()) == 2

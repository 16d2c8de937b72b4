"""Settings read from podkit.toml taking effect in what `podkit run` makes, the feed read back by
XPath and by the parsers apps use, and recordings in AAC, Vorbis and Opus becoming episodes."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html
from mutagen.id3 import ID3
from PIL import Image

from .conftest import ROOT, SAMPLE, SAMPLE_SIDECAR, ebur128, ffmpeg, ffprobe, make_show, podkit, speech

NS = {
    "podcast": "https://podcastindex.org/namespace/1.0",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
BASE = "https://pod.example.com"
SCRIPT = ROOT / "samples" / "weekly-roundup" / "script.toml"
ALL_FORMATS = ("json", "vtt", "srt", "txt", "html")
LINK_TITLE = 'Tom & Jerry <live> "quoted" — Ünïcode'
LINK_URL = "https://example.org/read?a=1&b=2"
BONUS_TITLE = 'Bonus: <b>bold</b> & "more"'


# -- helpers ----------------------------------------------------------------------------------


def set_keys(root: Path, table: str, **values: str) -> None:
    """Set keys of one ``[table]`` of podkit.toml (values as TOML), replacing the template's lines."""
    path = root / "podkit.toml"
    lines = path.read_text().splitlines()
    start = lines.index(f"[{table}]")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    body = [ln for ln in lines[start + 1 : end] if ln.split("=")[0].strip() not in values]
    lines[start + 1 : end] = body + [f"{k} = {v}" for k, v in values.items()]
    path.write_text("\n".join(lines) + "\n")
    written = tomllib.loads(path.read_text())[table]
    for key, value in values.items():  # the file says what the test means
        assert written[key] == tomllib.loads(f"x = {value}")["x"], (key, written)


def status(root: Path) -> dict:
    proc = podkit("status", str(root), "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def episodes_by_slug(root: Path) -> dict[str, dict]:
    return {e["slug"]: e for e in status(root)["episodes"]}


def finished(ep: dict) -> dict[str, str]:
    return {name: stage.get("finished_at") for name, stage in ep["stages"].items()}


def feed(root: Path) -> etree._ElementTree:
    return etree.parse(str(root / "public" / "feed.xml"))


def item_for(tree: etree._ElementTree, slug: str) -> etree._Element:
    (item,) = tree.xpath("channel/item[link=$link]", link=f"{BASE}/episodes/{slug}/")
    return item


def local(root: Path, url: str) -> Path:
    return root / "public" / url.split(f"{BASE}/", 1)[1]


def headings(fragment: str) -> list[str]:
    return [h.text_content() for h in lxml_html.fragment_fromstring(fragment, create_parent="div").iter("h3")]


def story_headings(fragment: str) -> list[str]:
    """The headline of each story (not the closing "Links" section's heading)."""
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    return [h.text_content() for h in root.xpath("//article/h3")]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def spoken(transcript: Path) -> list[str]:
    """The words of a Podcasting 2.0 JSON transcript."""
    return words(" ".join(w["body"] for w in json.loads(transcript.read_text())["segments"]))


def script_story(index: int) -> set[str]:
    """The words the sample script says in one story (the truth, not a model's output)."""
    story = tomllib.loads(SCRIPT.read_text())["stories"][index]
    return set(words(" ".join(line["text"] for line in story["lines"])))


def cover(path: Path, size: tuple[int, int]) -> Path:
    img = Image.radial_gradient("L").resize(size).convert("RGB")
    img.save(path, quality=90)
    return path


# -- one show with many settings, read by several tests ---------------------------------------


@dataclass(frozen=True)
class Clip:
    suffix: str
    codec_args: tuple[str, ...]  # how ffmpeg encodes it
    codec: str  # what ffprobe must find in the file
    start: float  # where in SAMPLE it is cut from
    channels: int
    story: int  # the sample script's story those seconds are from
    sidecar: str


CLIPS = {
    "aac-episode": Clip(
        ".m4a",
        ("-c:a", "aac", "-b:a", "128k"),
        "aac",
        2.0,
        2,
        0,
        f'title = {json.dumps(BONUS_TITLE)}\nseason = 2\nepisode = 7\nepisode_type = "bonus"\n'
        "pub_date = 2026-01-10T08:00:00Z\n"
        f"[[links]]\ntitle = {json.dumps(LINK_TITLE, ensure_ascii=False)}\nurl = {json.dumps(LINK_URL)}\n",
    ),
    "ogg-episode": Clip(
        ".ogg",
        ("-c:a", "libvorbis", "-q:a", "4"),
        "vorbis",
        44.0,
        1,
        1,
        'title = "Vorbis episode"\npub_date = 2026-03-05T08:00:00Z\n',
    ),
    "opus-episode": Clip(
        ".opus",
        ("-c:a", "libopus", "-b:a", "48k"),
        "opus",
        84.0,
        1,
        2,
        'title = "Opus episode"\npub_date = 2026-02-01T08:00:00Z\n',
    ),
}
CLIP_S = 8.0
NEWEST_FIRST = ["ogg-episode", "opus-episode", "aac-episode"]  # by the sidecars' pub_date


@pytest.fixture(scope="module")
def model_dir() -> Path:
    from podkit.transcribe.models import resolve

    path = resolve("tiny.en").ct2_dir
    assert path is not None and (path / "model.bin").is_file()
    return path


@pytest.fixture(scope="module")
def configured(tmp_path_factory, model_dir):
    """Three recordings (AAC, Vorbis, Opus) in a show with its [transcribe] and [tag] settings
    and a JPEG cover, run once."""
    root = make_show(tmp_path_factory.mktemp("settings") / "show", cover='"art.jpg"')
    cover(root / "art.jpg", (1400, 1400))
    set_keys(root, "transcribe", formats='["json", "srt"]', beam_size="2", language='"en"')
    set_keys(root, "transcribe", model=json.dumps(str(model_dir)))
    set_keys(root, "tag", id3_version="3")
    work = tmp_path_factory.mktemp("clips")
    for name, clip in CLIPS.items():
        wav = speech(work / f"{name}.wav", seconds=CLIP_S, channels=clip.channels, start=clip.start)
        ffmpeg("-i", str(wav), *clip.codec_args, str(root / "audio" / f"{name}{clip.suffix}"))
        (root / "audio" / f"{name}.toml").write_text(clip.sidecar, encoding="utf-8")
    proc = podkit("run", str(root))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "warning" not in proc.stderr  # a square 1400 px cover is fine
    return root


@pytest.mark.slow
def test_transcribe_settings_formats_model_and_language(configured, model_dir):
    """formats = ["json", "srt"] writes only those two; the feed lists only those; the status
    says the model path and language the settings gave."""
    transcripts = configured / "transcripts"
    for slug in CLIPS:
        for fmt in ALL_FORMATS:
            assert (transcripts / f"{slug}.{fmt}").exists() == (fmt in ("json", "srt")), (slug, fmt)
        assert json.loads((transcripts / f"{slug}.json").read_text())["segments"]
        assert "-->" in (transcripts / f"{slug}.srt").read_text()
    published = sorted(p.name for p in (configured / "public" / "transcripts").iterdir())
    assert published == sorted(f"{s}.{x}" for s in CLIPS for x in ("json", "srt", "chapters.json"))
    tree = feed(configured)
    for slug in CLIPS:
        listed = {t.get("type"): t.get("url") for t in item_for(tree, slug).findall("podcast:transcript", NS)}
        assert listed == {
            "application/x-subrip": f"{BASE}/transcripts/{slug}.srt",
            "application/json": f"{BASE}/transcripts/{slug}.json",
        }
        for url in listed.values():
            assert local(configured, url).read_bytes() == (transcripts / url.rsplit("/", 1)[1]).read_bytes()
    for slug, ep in episodes_by_slug(configured).items():
        result = ep["stages"]["transcribe"]["result"]
        assert result["engine"] == "faster-whisper"
        assert result["model"] == str(model_dir)
        assert result["language"] == "en"
        assert result["files"] == [f".podkit/heard/{slug}.json"]  # what was heard, whole
        files = ep["stages"]["transcript"]["result"]["files"]
        assert sorted(files) == [f"transcripts/{slug}.json", f"transcripts/{slug}.srt"]
        assert result["words"] > 5


@pytest.mark.slow
def test_id3v23_and_a_jpeg_cover(configured):
    """[tag] id3_version = 3 gives ID3v2.3; the cover is the MP3's APIC, public/cover.jpg and
    the feed's itunes:image."""
    art = (configured / "art.jpg").read_bytes()
    for slug in CLIPS:
        tags = ID3(configured / "public" / "media" / f"{slug}.mp3")
        assert tags.version == (2, 3, 0)
        (apic,) = tags.getall("APIC")
        assert apic.mime == "image/jpeg" and apic.data == art
    assert (configured / "public" / "cover.jpg").read_bytes() == art
    assert not (configured / "public" / "cover.png").exists()
    tree = feed(configured)
    assert tree.find("channel/itunes:image", NS).get("href") == f"{BASE}/cover.jpg"
    assert tree.findtext("channel/image/url") == f"{BASE}/cover.jpg"
    assert all(not stage.get("warnings") for ep in status(configured)["episodes"] for stage in ep["stages"].values())


@pytest.mark.slow
def test_feed_is_locked_to_the_owner_by_default(configured):
    (locked,) = feed(configured).findall("channel/podcast:locked", NS)
    assert locked.text == "yes" and locked.get("owner") == "ana@example.com"


@pytest.mark.slow
def test_season_episode_and_type_from_the_sidecar(configured):
    import feedparser
    import podcastparser

    tree = feed(configured)
    bonus = item_for(tree, "aac-episode")
    assert bonus.findtext("title") == BONUS_TITLE
    assert bonus.findtext("itunes:season", namespaces=NS) == "2"
    assert bonus.findtext("itunes:episode", namespaces=NS) == "7"
    assert bonus.findtext("itunes:episodeType", namespaces=NS) == "bonus"
    plain = item_for(tree, "ogg-episode")
    assert plain.find("itunes:season", NS) is None and plain.find("itunes:episode", NS) is None
    assert plain.findtext("itunes:episodeType", namespaces=NS) == "full"
    with open(configured / "public" / "feed.xml", "rb") as fh:
        parsed = podcastparser.parse(f"{BASE}/feed.xml", fh)
    (ep,) = [e for e in parsed["episodes"] if e["title"] == BONUS_TITLE]
    assert (ep["season"], ep["number"], ep["type"]) == (2, 7, "bonus")
    d = feedparser.parse(str(configured / "public" / "feed.xml"))
    assert not d.bozo, d.bozo_exception
    (entry,) = [e for e in d.entries if e.title == BONUS_TITLE]
    assert (entry.itunes_season, entry.itunes_episode, entry.itunes_episodetype) == ("2", "7", "bonus")


@pytest.mark.slow
def test_items_and_the_show_page_are_newest_first(configured):
    import feedparser

    tree = feed(configured)
    links = tree.xpath("channel/item/link/text()")
    assert links == [f"{BASE}/episodes/{slug}/" for slug in NEWEST_FIRST]
    d = feedparser.parse(str(configured / "public" / "feed.xml"))
    dates = [dt.datetime(*e.published_parsed[:6], tzinfo=dt.UTC) for e in d.entries]
    assert dates == [
        dt.datetime(2026, 3, 5, 8, tzinfo=dt.UTC),
        dt.datetime(2026, 2, 1, 8, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 10, 8, tzinfo=dt.UTC),
    ]
    page = lxml_html.parse(str(configured / "public" / "index.html"))
    assert page.xpath("//ol[@class='episodes']/li/a/@href") == [f"episodes/{slug}/" for slug in NEWEST_FIRST]
    titles = {"ogg-episode": "Vorbis episode", "opus-episode": "Opus episode", "aac-episode": BONUS_TITLE}
    assert [e.title for e in d.entries] == [titles[slug] for slug in NEWEST_FIRST]
    assert page.xpath("//ol[@class='episodes']/li/a/strong/text()") == [titles[slug] for slug in NEWEST_FIRST]


@pytest.mark.slow
def test_content_encoded_is_the_show_notes_with_special_characters_intact(configured):
    import feedparser

    notes = (configured / "transcripts" / "aac-episode.notes.html").read_text(encoding="utf-8")
    assert html.escape(LINK_TITLE) in notes and LINK_TITLE not in notes  # escaped by the notes stage
    encoded = item_for(feed(configured), "aac-episode").findtext("content:encoded", namespaces=NS)
    assert encoded == notes
    d = feedparser.parse(str(configured / "public" / "feed.xml"))
    (entry,) = [e for e in d.entries if e.title == BONUS_TITLE]
    value = entry.content[0].value
    assert headings(value) == headings(notes) and headings(notes)
    for h in headings(notes):
        assert html.escape(h, quote=False) in value
    fragment = lxml_html.fragment_fromstring(value, create_parent="div")
    assert LINK_TITLE in fragment.text_content()  # the text an app shows, character for character
    assert not fragment.xpath("//live")  # never markup
    assert LINK_URL in fragment.xpath("//a/@href")
    for slug in CLIPS:
        item = item_for(feed(configured), slug)
        assert item.findtext("content:encoded", namespaces=NS) == (
            configured / "transcripts" / f"{slug}.notes.html"
        ).read_text(encoding="utf-8")


@pytest.mark.slow
def test_aac_vorbis_and_opus_recordings_become_episodes(configured):
    for slug, clip in CLIPS.items():
        channels = clip.channels
        source = ffprobe(configured / "audio" / f"{slug}{clip.suffix}")
        (stream,) = [s for s in source["streams"] if s["codec_type"] == "audio"]
        assert stream["codec_name"] == clip.codec and stream["channels"] == channels
        media = configured / "public" / "media" / f"{slug}.mp3"
        info = ffprobe(media)
        (out,) = [s for s in info["streams"] if s["codec_type"] == "audio"]
        assert out["codec_name"] == "mp3" and out["channels"] == channels and out["sample_rate"] == "44100"
        assert float(info["format"]["duration"]) == pytest.approx(CLIP_S, abs=0.75), slug
        loud, peak = ebur128(media)
        assert loud == pytest.approx(-16.0 if channels == 2 else -19.0, abs=0.5), (slug, loud)
        assert peak <= -0.9, (slug, peak)
        said = spoken(configured / "transcripts" / f"{slug}.json")
        truth = script_story(clip.story)
        long_words = [w for w in said if len(w) >= 4]
        assert len(long_words) >= 5, (slug, said)
        found = [w for w in long_words if w in truth]
        assert len(found) >= 0.6 * len(long_words), (slug, said)  # the words of that passage


# -- shows changed between runs -----------------------------------------------------------------


@pytest.mark.slow
def test_openai_engine_srt_only_unlocked_wide_cover_and_beam_size(tmp_path):
    """engine = "openai-whisper", formats = ["srt"] (the JSON is still written), locked = false,
    id3_version = 4, a non-square cover (a warning, not a failure); then a new beam_size makes
    the transcript again, and not the audio."""
    root = make_show(tmp_path / "show", cover='"wide.png"', locked="false")
    cover(root / "wide.png", (1600, 1400))
    set_keys(root, "transcribe", engine='"openai-whisper"', formats='["srt"]', beam_size="5")
    set_keys(root, "tag", id3_version="4")
    speech(root / "audio" / "talk.wav", seconds=6, start=44.0)
    proc = podkit("run", str(root))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    warned = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning:")]
    assert len(warned) == 1 and "wide.png" in warned[0] and "1600x1400, not square" in warned[0], proc.stderr
    shown = podkit("status", str(root))
    assert shown.returncode == 0
    assert "talk tag" in shown.stdout and "1600x1400, not square" in shown.stdout, shown.stdout
    ep = episodes_by_slug(root)["talk"]
    assert any("not square" in w for w in ep["stages"]["tag"]["warnings"])
    result = ep["stages"]["transcribe"]["result"]
    assert result["engine"] == "openai-whisper" and result["model"] == "tiny.en"
    assert sorted(ep["stages"]["transcript"]["result"]["files"]) == ["transcripts/talk.json", "transcripts/talk.srt"]
    for fmt in ALL_FORMATS:
        assert (root / "transcripts" / f"talk.{fmt}").exists() == (fmt in ("json", "srt")), fmt
    said = spoken(root / "transcripts" / "talk.json")
    assert len([w for w in said if w in script_story(1)]) >= 4, said
    tree = feed(root)
    types = sorted(t.get("type") for t in tree.findall("channel/item/podcast:transcript", NS))
    assert types == ["application/json", "application/x-subrip"]
    (locked,) = tree.findall("channel/podcast:locked", NS)
    assert locked.text == "no" and locked.get("owner") == "ana@example.com"
    assert tree.find("channel/itunes:image", NS).get("href") == f"{BASE}/cover.png"
    assert (root / "public" / "cover.png").read_bytes() == (root / "wide.png").read_bytes()
    tags = ID3(root / "public" / "media" / "talk.mp3")
    assert tags.version == (2, 4, 0)
    (apic,) = tags.getall("APIC")
    assert apic.mime == "image/png" and apic.data == (root / "wide.png").read_bytes()

    before = finished(ep)
    set_keys(root, "transcribe", beam_size="1")
    again = podkit("run", str(root))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "talk: transcribe, transcript, notes, tag -> public/media/talk.mp3" in again.stdout
    after = finished(episodes_by_slug(root)["talk"])
    assert after["normalise"] == before["normalise"]
    assert after["transcribe"] != before["transcribe"]


@pytest.mark.slow
def test_missing_model_stops_the_run_and_min_story_s_remakes_only_the_notes(tmp_path):
    """model = "no-such-model": exit 2, one line naming it, the recording left unpublished;
    fixed, the next run publishes it. Then min_story_s longer than the episode gives one
    chapter, and only the notes and tag stages run again. A small cover is a warning."""
    root = make_show(tmp_path / "show", cover='"small.png"')
    cover(root / "small.png", (600, 600))
    shutil.copy(SAMPLE, root / "audio")
    shutil.copy(SAMPLE_SIDECAR, root / "audio")
    slug = SAMPLE.stem
    set_keys(root, "transcribe", model='"no-such-model"')
    proc = podkit("run", str(root))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    (line,) = [ln for ln in proc.stderr.splitlines() if ln.startswith("failed: ")]
    assert "'no-such-model'" in line and "--model PATH" in line, proc.stderr
    ep = episodes_by_slug(root)[slug]
    assert ep["stages"]["normalise"]["status"] == "done"
    assert ep["stages"]["transcribe"]["status"] == "failed"
    assert "'no-such-model'" in ep["stages"]["transcribe"]["error"]
    assert ep["stages"]["notes"] == {"status": "pending"} and ep["stages"]["tag"] == {"status": "pending"}
    assert not (root / "public" / "media" / f"{slug}.mp3").exists()
    assert not (root / "transcripts" / f"{slug}.json").exists()
    assert feed(root).findall("channel/item") == []

    set_keys(root, "transcribe", model='"tiny.en"')
    fixed = podkit("run", str(root))
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert f"{slug}: transcribe, transcript, notes, tag -> public/media/{slug}.mp3" in fixed.stdout
    warned = [ln for ln in fixed.stderr.splitlines() if ln.startswith("warning:")]
    assert len(warned) == 1 and "small.png" in warned[0] and "at least 1400x1400" in warned[0], fixed.stderr
    assert "at least 1400x1400" in podkit("status", str(root)).stdout
    chapters = json.loads((root / "transcripts" / f"{slug}.chapters.json").read_text())["chapters"]
    assert len(chapters) >= 2
    # content:encoded is the show notes: every story's heading, as feedparser gives it to an app.
    import feedparser

    notes = (root / "transcripts" / f"{slug}.notes.html").read_text(encoding="utf-8")
    (entry,) = feedparser.parse(str(root / "public" / "feed.xml")).entries
    assert headings(entry.content[0].value) == headings(notes)
    assert story_headings(entry.content[0].value) == story_headings(notes) == [c["title"] for c in chapters]
    before = finished(episodes_by_slug(root)[slug])

    set_keys(root, "notes", min_story_s="1000")
    proc = podkit("run", str(root))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{slug}: notes, tag -> public/media/{slug}.mp3" in proc.stdout
    ep = episodes_by_slug(root)[slug]
    after = finished(ep)
    assert after["normalise"] == before["normalise"] and after["transcribe"] == before["transcribe"]
    assert after["notes"] != before["notes"] and after["tag"] != before["tag"]
    (chapter,) = json.loads((root / "transcripts" / f"{slug}.chapters.json").read_text())["chapters"]
    assert chapter["startTime"] == 0
    assert chapter["endTime"] == pytest.approx(ep["stages"]["normalise"]["result"]["duration"], abs=0.01)
    assert len(ID3(root / "public" / "media" / f"{slug}.mp3").getall("CHAP")) == 1
    item = feed(root).find("channel/item")
    published = json.loads(local(root, item.find("podcast:chapters", NS).get("url")).read_text())
    assert len(published["chapters"]) == 1
    assert story_headings(item.findtext("content:encoded", namespaces=NS)) == [chapter["title"]]


# -- settings podkit refuses ----------------------------------------------------------------------

BAD = [
    ("transcribe", 'beam_size = "five"', "'transcribe.beam_size' must be an integer, not 'five'"),
    ("transcribe", "beam_size = 0", "'transcribe.beam_size' must be 1 or more"),
    ("transcribe", 'engine = "whisper-cpp"', "'transcribe.engine' must be one of faster-whisper, openai-whisper"),
    ("transcribe", 'formats = ["json", "docx"]', "'transcribe.formats' has unknown formats ['docx']"),
    ("transcribe", 'language = "english!"', "'transcribe.language' must be a language code"),
    ("transcribe", "beams = 5", "unknown key 'transcribe.beams'"),
    ("notes", "min_story_s = 0", "'notes.min_story_s' must be more than 0"),
    ("notes", 'min_story_s = "long"', "'notes.min_story_s' must be a number"),
    ("notes", "stories = 3", "unknown key 'notes.stories'"),
    ("tag", "id3_version = 5", "'tag.id3_version' must be one of 3, 4, not 5"),
    ("tag", "id3_version = 2.4", "'tag.id3_version' must be an integer"),
    ("tag", "version = 4", "unknown key 'tag.version'"),
    ("normalise", 'trim_silence = "yes"', "'normalise.trim_silence' must be true or false"),
    ("normalise", "target = -16.0", "unknown key 'normalise.target'"),
]


@pytest.mark.parametrize(
    "table,line,message", BAD, ids=[f"{t}:{ln.split(' =')[0]}:{i}" for i, (t, ln, _) in enumerate(BAD)]
)
def test_bad_table_settings_stop_the_run_with_one_line(tmp_path, table, line, message):
    root = make_show(tmp_path / "show")
    key, _, value = line.partition(" = ")
    set_keys(root, table, **{key: value})
    speech(root / "audio" / "a.wav", seconds=2)
    proc = podkit("run", str(root))
    assert proc.returncode == 2
    assert proc.stdout == ""
    (only,) = proc.stderr.strip().splitlines()
    assert only.startswith("podkit: error: ") and "podkit.toml" in only and message in only, proc.stderr
    assert not (root / "public" / "feed.xml").exists() and not (root / ".podkit").exists()  # nothing was done


def test_a_wrong_top_level_type_stops_the_run_with_one_line(tmp_path):
    root = make_show(tmp_path / "show", locked='"no"')
    proc = podkit("run", str(root))
    assert proc.returncode == 2
    (only,) = proc.stderr.strip().splitlines()
    assert "podkit.toml" in only and "'locked' must be true or false" in only, proc.stderr

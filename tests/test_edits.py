"""What follows transcription: the show's [corrections], and the host's own edits of the
WebVTT transcript and the Markdown notes, read back and followed, never overwritten."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from mutagen.id3 import ID3

from podkit.errors import MediaError
from podkit.notes.stories import Notes, Story
from podkit.notes.writers import read_markdown, to_markdown
from podkit.records import Link, Segment, Transcript, Word
from podkit.transcribe.edits import apply_corrections, correct, read_heard, read_vtt, to_heard
from podkit.transcribe.formats import cues, to_srt, to_vtt

from .cli_helpers import one_line_error
from .conftest import SAMPLE, SAMPLE_SIDECAR, podkit


def _seg(start: float, words: list[str], speaker: str | None = None, step: float = 0.5) -> Segment:
    ws = [Word(start + i * step, start + (i + 1) * step - 0.05, w, 0.9) for i, w in enumerate(words)]
    return Segment(ws[0].start, ws[-1].end, " ".join(words), ws, speaker)


def _transcript() -> Transcript:
    return Transcript(
        "en",
        30.0,
        [
            _seg(0.0, ["Welcome", "back.", "I'm", "Marriman,"], "Mara Quill"),
            _seg(3.0, ["and", "this", "is", "the", "harbor", "have", "marathon", "report."], "Theo"),
            _seg(9.0, ["MARRIMAN'S", "pick:", "Marrimans", "are", "not", "her."]),
        ],
    )


# -- corrections ---------------------------------------------------------------------------------


def test_corrections_replace_whole_words_in_any_case_and_keep_punctuation_and_time():
    t = _transcript()
    n = apply_corrections(t, [("Marriman", "Mara Quill"), ("harbor have marathon", "harbour half marathon")])
    assert n == 3
    first, second, third = t.segments
    assert first.text == "Welcome back. I'm Mara Quill,"
    # The right form's words share the heard word's time: nothing outside it moves.
    mara, quill = first.words[-2:]
    assert (mara.text, quill.text) == ("Mara", "Quill,")
    assert mara.start == pytest.approx(1.5) and quill.end == pytest.approx(1.95) and mara.end == quill.start
    assert second.text == "and this is the harbour half marathon report."
    assert [w.text for w in second.words][4:7] == ["harbour", "half", "marathon"]
    assert second.words[4].start == pytest.approx(5.0) and second.words[6].end == pytest.approx(6.45)
    # Any case; the possessive kept; a longer word ("Marrimans") is not that word.
    assert third.text == "Mara Quill's pick: Marrimans are not her."
    assert apply_corrections(t, [("Marriman", "Mara Quill")]) == 0  # nothing left to correct


def test_names_are_respelt_before_the_corrections_which_keep_their_own_words():
    t = Transcript("en", 6.0, [_seg(0.0, ["Imogen", "Vail", "walked", "past", "Kelly", "way", "to", "Skylarc."])])
    respelt, corrected = correct(
        t, ["Imogen Vale", "Kelloway", "Skylark"], [("kelly way", "Kelly Way"), ("skylark", "Skylark Station")]
    )
    assert respelt == [("imogen vail", "Imogen Vale"), ("skylarc", "Skylark")]  # not "kelly way": the host's
    assert corrected == 2
    assert t.segments[0].text == "Imogen Vale walked past Kelly Way to Skylark Station."
    assert [w.text for w in t.segments[0].words][:2] == ["Imogen", "Vale"]
    assert t.segments[0].words[1].end == t.segments[0].words[2].start - 0.05  # within the heard words


def test_corrections_that_match_nothing_or_hold_no_word_change_nothing():
    t = _transcript()
    before = to_vtt(t)
    # Not said; no word in it; a part of a word is not the word.
    assert apply_corrections(t, [("Skylark", "Sky Lark"), ("...", "x"), ("marri", "M"), ("have marathon x", "y")]) == 0
    assert to_vtt(t) == before


# -- the transcript as heard -------------------------------------------------------------------------


def test_heard_record_keeps_segments_words_and_speakers(tmp_path):
    t = _transcript()
    path = tmp_path / "heard.json"
    path.write_text(to_heard(t))
    back = read_heard(path)
    assert back == t
    path.write_text("{not json")
    with pytest.raises(MediaError, match="--redo transcribe"):
        read_heard(path)


# -- the host's WebVTT ---------------------------------------------------------------------------------


def test_an_unchanged_vtt_reads_back_with_its_own_word_timings(tmp_path):
    t = _transcript()
    path = tmp_path / "ep.vtt"
    path.write_text(to_vtt(t))
    back = read_vtt(path, t)
    assert [c.text for c in cues(back)] == [c.text for c in cues(t)]
    assert to_vtt(back) == to_vtt(t)  # the same file again: nothing is lost going round
    assert to_srt(back) == to_srt(t)
    words = [w for s in back.segments for w in s.words]
    assert [(w.start, w.end, w.text) for w in words] == [(w.start, w.end, w.text) for s in t.segments for w in s.words]
    assert back.segments[0].speaker == "Mara Quill" and back.segments[2].speaker is None


def test_an_edited_cue_gets_even_word_times_and_the_rest_keep_theirs(tmp_path):
    t = _transcript()
    path = tmp_path / "ep.vtt"
    text = to_vtt(t).replace("I'm Marriman,", "I&apos;m Mara Quill &amp; friends,")
    text = text.replace("<v Theo>", "<v.loud Theo Host>")  # a class on the voice, another name
    path.write_text(text.replace("\n", "\r\n"))  # as an editor on another system saves it
    back = read_vtt(path, t)
    first = back.segments[0]
    assert first.text == "Welcome back. I'm Mara Quill & friends,"
    assert first.speaker == "Mara Quill"
    spans = [(w.start, w.end) for w in first.words]
    assert len(first.words) == 7
    width = (first.end - first.start) / 7
    assert all(b - a == pytest.approx(width) for a, b in spans)
    assert spans[0][0] == first.start and spans[-1][1] == pytest.approx(first.end)
    assert back.segments[1].speaker == "Theo Host"
    # The third cue was not touched: its words keep the times the engine gave them.
    assert [w.start for w in back.segments[2].words] == [w.start for w in t.segments[2].words]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("WEBVT\n\n00:00:00.000 --> 00:00:01.000\nhi\n", "line 1"),
        ("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nhi\n\n00:00:02.000 -> 00:00:03.000\nthere\n", "line 6"),
        ("WEBVTT\n\n1\n00:00:0.000 --> 00:00:01.000\nhi\n", "line 4"),
        ("WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nhi\n", "line 3"),
        ("WEBVTT\n\nNOTE only a note\n", "no cues"),
    ],
)
def test_a_broken_vtt_names_its_line(tmp_path, text, line):
    path = tmp_path / "ep.vtt"
    path.write_text(text)
    with pytest.raises(MediaError) as caught:
        read_vtt(path)
    assert line in str(caught.value) and str(path) in str(caught.value)


def test_a_vtt_with_notes_ids_and_tags_reads_as_its_words(tmp_path):
    path = tmp_path / "ep.vtt"
    path.write_text(
        "\ufeffWEBVTT - made by hand\n\nNOTE a comment\nover two lines\n\nintro\n"
        "00:01.000 --> 00:03.000 align:start\n<v Ana>Hello <i>there</i>,\n<c.x>general</c>.\n\n"
        "01:00:00.000 --> 01:00:02.000\n&lt;tag&gt; not markup\n"
    )
    back = read_vtt(path)
    assert [(s.start, s.end, s.text, s.speaker) for s in back.segments] == [
        (1.0, 3.0, "Hello there, general.", "Ana"),
        (3600.0, 3602.0, "<tag> not markup", None),
    ]
    assert back.duration == 3602.0


# -- the host's notes.md ---------------------------------------------------------------------------


def _notes() -> Notes:
    return Notes(
        [
            Story(0.0, 12.4, "Intro", "", "", kind="intro"),
            Story(
                12.4,
                80.6,
                "Solar panels on every school",
                "The council voted *yes*.",
                "",
                [Link("Minutes", "https://a.example/m")],
            ),
            Story(80.6, 95.0, "Sponsor", "", "", kind="sponsor"),
            Story(95.0, 140.2, "Skylark 2.0 works offline", "Forecasts need no cloud: 4,000 stations.", ""),
            Story(140.2, 150.0, "Outro", "", "", kind="outro"),
        ],
        [Link("Loose link", "https://b.example/l")],
        "This week: solar schools and Skylark.",
    )


def test_notes_markdown_reads_back_as_the_same_notes(tmp_path):
    made = _notes()
    path = tmp_path / "ep.notes.md"
    path.write_text(to_markdown(made))
    back = read_markdown(path, _notes())
    assert [(s.start, s.end, s.title, s.kind) for s in back.stories] == [
        (s.start, s.end, s.title, s.kind) for s in made.stories
    ]
    assert [s.summary for s in back.told] == [s.summary for s in made.told]
    assert back.told[0].links == made.told[0].links and back.links == made.links
    assert back.synopsis == made.synopsis


def test_edited_notes_markdown_gives_the_hosts_titles_times_and_links(tmp_path):
    path = tmp_path / "ep.notes.md"
    text = to_markdown(_notes()).replace("## Solar panels on every school", "## Every school goes solar")
    text = text.replace("`[01:35]`", "`[01:40]`")  # the host moved the second story
    text = text.replace("- Read more: [Minutes]", "- Read more: [Council minutes]")
    path.write_text(text + "\n## A story the host added\n\n`[02:10]` Said near the end.\n")
    back = read_markdown(path, _notes())
    told = back.told
    assert [(s.title, s.start) for s in told] == [
        ("Every school goes solar", 12.4),
        ("Skylark 2.0 works offline", 100.0),
        ("A story the host added", 130.0),
    ]
    assert told[0].links[0].title == "Council minutes"
    # The parts the notes leave out stay, the chapters still cover the episode, in order.
    assert [s.kind for s in back.stories] == ["intro", "story", "sponsor", "story", "story", "outro"]
    assert back.stories[0].start == 0.0 and back.stories[-1].end == 150.0
    assert all(a.end == b.start for a, b in zip(back.stories, back.stories[1:], strict=False))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Just a paragraph, no sections.\n", "line 1: has no sections"),
        ("Synopsis.\n\n## A story\n\nNo time.\n", "line 5: the section 'A story' (line 3) must open with its"),
        ("## B\n\n`[02:00]` b\n\n## A\n\n`[01:00]` a\n", "put the sections in time order"),
        ("## A\n\n`[01:00]` a\n\n## Links\n\nnot a link\n", "line 7: the Links section"),
    ],
)
def test_broken_notes_markdown_says_where(tmp_path, text, message):
    path = tmp_path / "ep.notes.md"
    path.write_text(text)
    with pytest.raises(MediaError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_markdown(path, _notes())


# -- podkit run: corrections and edits end to end -----------------------------------------------


def _status(show: Path) -> dict:
    proc = podkit("status", str(show), "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["episodes"][0]


@pytest.mark.slow
def test_corrections_and_host_edits_flow_to_every_file_without_transcribing_again(show):
    shutil.copy(SAMPLE, show / "audio")
    shutil.copy(SAMPLE_SIDECAR, show / "audio")
    slug = SAMPLE.stem
    t = show / "transcripts"
    assert podkit("run", str(show)).returncode == 0
    assert "skylark" in (t / f"{slug}.txt").read_text().lower()
    # The show's corrections change a word everywhere it was heard (any case, whole words).
    toml = (show / "podkit.toml").read_text()
    (show / "podkit.toml").write_text(toml.replace("[corrections]", '[corrections]\n"skylark" = "SkyLark Station"'))
    proc = podkit("run", str(show))
    assert proc.returncode == 0, proc.stderr
    assert "transcript, notes, tag" in proc.stdout and "transcribe" not in proc.stdout.replace("transcript,", "")
    for suffix in ("vtt", "srt", "txt", "html", "json"):
        text = (t / f"{slug}.{suffix}").read_text()
        if suffix == "json":
            text = " ".join(w["body"] for w in json.loads(text)["segments"])
        # The words alone (no voice tags or speakers' names): a cue may end between the two.
        text = re.sub(r"<[^>]*>|^(?:Mara Quill|Theo Brandt):", " ", text, flags=re.M)
        said = " ".join(re.findall(r"[A-Za-z']+", "\n".join(ln for ln in text.splitlines() if "-->" not in ln)))
        assert "SkyLark Station" in said and said.lower().count("skylark") == said.count("SkyLark Station"), suffix
    result = _status(show)["stages"]["transcript"]["result"]
    assert result["corrected"] >= 1 and isinstance(result["respelt"], list)

    # The host fixes a cue in the VTT: the other formats, the notes and the feed follow.
    vtt = t / f"{slug}.vtt"
    lines = vtt.read_text().split("\n")
    at = next(i for i, line in enumerate(lines) if "-->" in line and i > 10)
    lines[at + 1] = "Zephyrine Quattlebaum edited this cue."
    vtt.write_text("\n".join(lines))
    edited = vtt.read_bytes()
    proc = podkit("run", str(show))
    assert proc.returncode == 0, proc.stderr
    assert vtt.read_bytes() == edited  # never overwritten
    for suffix in ("srt", "txt", "html", "json"):
        assert "Quattlebaum" in (t / f"{slug}.{suffix}").read_text(), suffix
    assert "Quattlebaum" in (show / "public" / "transcripts" / f"{slug}.vtt").read_text()
    ep = _status(show)
    assert ep["edited"] == [f"transcripts/{slug}.vtt"]
    shown = podkit("status", str(show)).stdout
    assert "(edited)" in shown
    assert ep["title"].startswith("Solar schools") and "Solar schools" in shown  # the published title
    # New corrections later leave the host's file, and what is made from it, as the host wrote it.
    toml = (show / "podkit.toml").read_text()
    (show / "podkit.toml").write_text(toml.replace("[corrections]", '[corrections]\n"Quattlebaum" = "Q"'))
    assert podkit("run", str(show)).returncode == 0
    assert vtt.read_bytes() == edited and "Zephyrine Quattlebaum edited" in (t / f"{slug}.txt").read_text()
    assert (t / f"{slug}.txt").read_text().count("SkyLark Station Station") == 0  # corrected once, not again

    # A broken edit: one line naming the file and line; what was published stays.
    public_vtt = (show / "public" / "transcripts" / f"{slug}.vtt").read_bytes()
    feed = (show / "public" / "feed.xml").read_bytes()
    vtt.write_text(vtt.read_text().replace(lines[at], lines[at].replace("-->", "->")))
    proc = podkit("run", str(show))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"{slug}.vtt: line {at + 1}: a cue needs a timing line" in proc.stderr
    assert (show / "public" / "transcripts" / f"{slug}.vtt").read_bytes() == public_vtt
    assert (show / "public" / "feed.xml").read_bytes() == feed

    # --redo over an edited file needs --force, and keeps the edit as a backup.
    proc = podkit("run", str(show), "--redo", "transcript", slug)
    assert proc.returncode == 2 and "--force" in one_line_error(proc)
    proc = podkit("run", str(show), "--redo", "transcript", slug, "--force")
    assert proc.returncode == 0, proc.stderr
    (backup,) = t.glob(f"{slug}.vtt.*.bak")
    assert "Zephyrine" in backup.read_text() and "Zephyrine" not in vtt.read_text()
    assert _status(show)["edited"] == []
    assert podkit("run", str(show), "--redo", "notes", "no-such-episode").returncode == 2
    assert podkit("run", str(show), "--redo", "mixing", slug).returncode == 2

    # The host edits the notes: chapters, notes HTML, pages, feed and ID3 follow.
    notes_md = t / f"{slug}.notes.md"
    text = notes_md.read_text()
    first = next(line for line in text.split("\n") if line.startswith("## "))
    notes_md.write_text(text.replace(first, "## Solar roofs for all fourteen schools"))
    proc = podkit("run", str(show))
    assert proc.returncode == 0, proc.stderr
    assert "notes, tag" in proc.stdout
    assert "Solar roofs for all fourteen schools" in notes_md.read_text()
    chapters = json.loads((t / f"{slug}.chapters.json").read_text())["chapters"]
    assert "Solar roofs for all fourteen schools" in [c["title"] for c in chapters]
    for path in (show / "public" / "feed.xml", next((show / "public" / "episodes").glob("*/index.html"))):
        assert "Solar roofs for all fourteen schools" in path.read_text()
    media = show / "public" / "media" / f"{slug}.mp3"
    titles = [str(f.sub_frames["TIT2"]) for f in ID3(media).getall("CHAP")]
    assert "Solar roofs for all fourteen schools" in titles
    assert _status(show)["stages"]["notes"]["result"]["edited"] is True
    # A notes file with no sections: the error names it; the published notes stay.
    page = next((show / "public" / "episodes").glob("*/index.html")).read_bytes()
    notes_md.write_text("Only a line of text.\n")
    proc = podkit("run", str(show))
    assert proc.returncode == 1 and f"{slug}.notes.md: line 1: has no sections" in proc.stderr
    assert next((show / "public" / "episodes").glob("*/index.html")).read_bytes() == page

"""Who speaks when on one track (sidecar ``speakers`` with two or more names): a dialogue
of two espeak-ng voices rendered with its true turns, transcribed with the bundled tiny.en,
and real voices (a LibriVox reader and President Kennedy) as an extra check."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from podkit.transcribe import TranscribeOptions, transcribe_file
from podkit.transcribe.voices import label_speakers, stretches

from .conftest import ROOT, ffmpeg, shared, speech

sys.path.insert(0, str(ROOT / "samples"))

DIALOGUE = """
recording = "dialogue"
gap_between_lines = 0.4
gap_between_stories = 0.4

[voices]
mara = { espeak = "en-us+f3", speed = 150, pitch = 55 }
theo = { espeak = "en-gb+m3", speed = 145, pitch = 40 }

[[stories]]
title = "Solar schools"
[[stories.lines]]
voice = "mara"
text = "Good morning and welcome to the Weekly Roundup, the news from our corner of the world."
[[stories.lines]]
voice = "theo"
text = "And I'm Theo. Our first story comes from Riverside, where the council voted for solar panels on every school."
[[stories.lines]]
voice = "mara"
text = "The plan covers fourteen schools, and the first installations start in the spring."
[[stories.lines]]
voice = "theo"
text = "Right."
[[stories.lines]]
voice = "mara"
text = "Parents asked about the cost. The council expects the panels to pay for themselves in about nine years."
[[stories.lines]]
voice = "theo"
text = "Nine years is a long time, but a state energy grant covers the first two schools, so the city pays less."
[[stories.lines]]
voice = "mara"
text = "Moving on to the library, which has started lending telescopes, just like books, for two weeks at a time."
[[stories.lines]]
voice = "theo"
text = "Each telescope comes in a padded case with a star chart and a short guide, and the waiting list is long."
[[stories.lines]]
voice = "mara"
text = "That's all for this week. Thanks for listening, and see you next week."
"""


@pytest.fixture(scope="module")
def dialogue(tmp_path_factory):
    import json

    import render

    folder = tmp_path_factory.mktemp("dialogue")
    script = folder / "dialogue.toml"
    script.write_text(DIALOGUE)
    audio = render.render(script, folder / "out")
    turns = json.loads((folder / "out" / "dialogue.stories.json").read_text())["turns"]
    return audio, turns


def _truth(turns: list[dict], t: float) -> str | None:
    for turn in turns:
        if turn["start"] - 0.25 <= t <= turn["end"] + 0.25:
            return turn["voice"]
    return None


@pytest.mark.slow
def test_two_voices_on_one_track_are_told_apart_and_named(dialogue):
    """The sidecar lists Theo first, but Mara speaks first: Theo's "And I'm Theo" names his
    voice, and Mara takes the name left. Every segment has one speaker; the words are said
    by whom the transcript says."""
    audio, turns = dialogue
    # as the transcribe stage does, the speakers' names are in the vocabulary
    names_heard = TranscribeOptions(vocabulary=("Theo Brandt", "Mara Quill"))
    transcript = transcribe_file(audio, names_heard, speakers=("Theo Brandt", "Mara Quill"))
    names = {"mara": "Mara Quill", "theo": "Theo Brandt"}
    words = [(w, seg.speaker) for seg in transcript.segments for w in seg.words]
    assert all(seg.speaker in names.values() for seg in transcript.segments)
    judged = [(names[who], said) for w, said in words if (who := _truth(turns, (w.start + w.end) / 2))]
    assert len(judged) >= 0.9 * len(words)
    right = sum(1 for want, said in judged if want == said)
    assert right >= 0.95 * len(judged), [(w.text, said) for w, said in words]
    # a change of speaker inside what the recogniser heard as one segment cuts it there
    mixed = [s.text for s in transcript.segments if len({_truth(turns, (w.start + w.end) / 2) for w in s.words}) > 1]
    assert len(mixed) <= 1, mixed


@pytest.mark.slow
def test_who_speaks_first_takes_the_first_name_without_an_introduction(dialogue):
    """With no "I'm ..." heard, the voices take the sidecar's names by who speaks first."""
    audio, turns = dialogue
    transcript = transcribe_file(audio)
    for seg in transcript.segments:
        for w in seg.words:
            w.text = w.text.replace("I'm", "I am here,") if w.text == "I'm" else w.text
    named = label_speakers(audio, transcript, ("Ana First", "Ben Second"))
    first = named.segments[0]
    assert _truth(turns, (first.words[0].start + first.words[0].end) / 2) == "mara"
    assert first.speaker == "Ana First"
    assert {seg.speaker for seg in named.segments} == {"Ana First", "Ben Second"}


@pytest.mark.slow
def test_too_little_speech_gets_no_names_rather_than_wrong_ones(tmp_path):
    clip = speech(tmp_path / "short.wav", seconds=3.0)
    transcript = transcribe_file(clip, speakers=("Mara Quill", "Theo Brandt"))
    assert transcript.segments and all(seg.speaker is None for seg in transcript.segments)
    # one name: every segment is that speaker's, as before
    one = transcribe_file(clip, speakers=("Mara Quill",))
    assert {seg.speaker for seg in one.segments} == {"Mara Quill"}


def test_stretches_cut_at_pauses_and_sentence_ends():
    from podkit.records import Word

    words = [Word(0.0, 0.3, "Hello"), Word(0.3, 0.6, "there."), Word(0.65, 0.9, "Yes"), Word(1.4, 1.7, "indeed")]
    assert [(s.first, s.end, s.text) for s in stretches(words)] == [
        (0, 2, "Hello there."),
        (2, 3, "Yes"),
        (3, 4, "indeed"),
    ]


@pytest.mark.slow
def test_real_voices_a_reader_and_a_president(tmp_path):
    """Extra check on real speech: a LibriVox reader's clips and President Kennedy's, taking
    turns; both named, each segment given its reader's name."""
    from .speech import librivox

    jfk = shared("speech", "jfk.flac")
    clips = [c.path for c in librivox().values()][:3]
    order = [clips[0], jfk, clips[1], jfk, clips[2]]
    inputs, chains = [], []
    for i, path in enumerate(order):
        inputs += ["-i", str(path)]
        chains.append(f"[{i}:a]aresample=16000,aformat=channel_layouts=mono,apad=pad_dur=0.6[p{i}]")
    graph = ";".join([*chains, "".join(f"[p{i}]" for i in range(len(order))) + f"concat=n={len(order)}:v=0:a=1[out]"])
    mix = tmp_path / "turns.wav"
    ffmpeg(*inputs, "-filter_complex", graph, "-map", "[out]", str(mix))
    bounds, t = [], 0.0
    for path in order:
        from podkit.ffmpeg import probe

        length = probe(Path(path)).duration
        bounds.append((t, t + length, "reader" if path != jfk else "jfk"))
        t += length + 0.6
    transcript = transcribe_file(mix, speakers=("Ann Reader", "John Kennedy"))
    names = {"reader": "Ann Reader", "jfk": "John Kennedy"}
    right = total = 0
    for seg in transcript.segments:
        for w in seg.words:
            mid = (w.start + w.end) / 2
            who = next((b[2] for b in bounds if b[0] + 0.5 <= mid <= b[1] - 0.5), None)
            if who:
                total += 1
                right += names[who] == seg.speaker
    assert total > 60 and right >= 0.9 * total, (right, total)

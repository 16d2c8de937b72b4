"""transcribe: the converter, both engines on real speech (WER), formats, speakers, VAD.

Every test that loads a Whisper model (or torch, for the converter) is marked slow. The real
speech is the LibriVox clips of Debian's pocketsphinx-testdata (see ``speech``); JFK and the
shared two-speaker file are extras that run where ../shared is."""

from __future__ import annotations

import itertools
import json
import math
import re
from html import unescape as html_unescape
from pathlib import Path

import numpy as np
import pytest

from podkit.errors import PodkitError
from podkit.records import Segment, Transcript, Word
from podkit.transcribe import TranscribeOptions, transcribe_file, write
from podkit.transcribe.convert import dims_of, read_ct2, to_openai_state
from podkit.transcribe.formats import CUE_LINES, LINE_CHARS, to_json, to_vtt
from podkit.transcribe.models import openai_checkpoint, resolve

from .conftest import SAMPLE, ffmpeg, podkit, podkit_cache, shared
from .speech import Clip, clip, librivox, stereo, track, wer

JFK_TEXT = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Converted checkpoints go to a test cache, so the conversion itself is exercised."""
    with podkit_cache(tmp_path_factory.mktemp("cache")):
        yield


def text_of(t: Transcript) -> str:
    return " ".join(s.text for s in t.segments)


# -- the converter ---------------------------------------------------------------------------


@pytest.mark.slow
def test_converter_shapes_and_round_trip_of_every_tensor():
    import torch
    import whisper

    source = resolve("tiny.en")
    ct2 = read_ct2(source.ct2_dir / "model.bin")
    state = to_openai_state(ct2)
    dims = dims_of(ct2)
    model = whisper.model.Whisper(whisper.model.ModelDimensions(**vars(dims)))
    expected = model.state_dict()
    # Every openai-whisper tensor is produced, with its shape (key biases are absent: zeros).
    assert set(state) == {k for k in expected if not k.endswith("key.bias")}
    for name, value in state.items():
        assert tuple(value.shape) == tuple(expected[name].shape), name
    # Round trip: re-fusing the openai tensors gives back every CTranslate2 weight, bit for bit.
    used = 0
    for name, value in ct2.items():
        if value.ndim == 0 or name == "decoder/projection/weight":
            continue  # scalars (head counts, flags) and the alias of the embeddings
        layer = re.match(r"(encoder|decoder)/layer_(\d+)/(\w+)/(\w+)/(\w+)", name)
        if layer:
            side, i, block, lin, kind = layer.groups()
            base = f"{side}.blocks.{i}."
            att = {"self_attention": "attn", "attention": "cross_attn"}.get(block)
            if lin == "layer_norm":
                dst = base + (f"{att}_ln" if att else "mlp_ln") + (".weight" if kind == "gamma" else ".bias")
                back = state[dst]
            elif block == "ffn":
                back = state[base + ("mlp.0." if lin == "linear_0" else "mlp.2.") + kind]
            else:
                parts = {
                    ("attn", "linear_0"): ["query", "key", "value"],
                    ("attn", "linear_1"): ["out"],
                    ("cross_attn", "linear_0"): ["query"],
                    ("cross_attn", "linear_1"): ["key", "value"],
                    ("cross_attn", "linear_2"): ["out"],
                }[(att, lin)]
                pieces = []
                for p in parts:
                    key = f"{base}{att}.{p}.{kind}"
                    pieces.append(state[key] if key in state else np.zeros_like(state[f"{base}{att}.{p}.weight"][:, 0]))
                back = np.concatenate(pieces)
        else:
            back = {
                "encoder/position_encodings/encodings": state["encoder.positional_embedding"],
                "decoder/position_encodings/encodings": state["decoder.positional_embedding"],
                "decoder/embeddings/weight": state["decoder.token_embedding.weight"],
                "encoder/layer_norm/gamma": state["encoder.ln_post.weight"],
                "encoder/layer_norm/beta": state["encoder.ln_post.bias"],
                "decoder/layer_norm/gamma": state["decoder.ln.weight"],
                "decoder/layer_norm/beta": state["decoder.ln.bias"],
            }.get(name)
            if back is None and name.startswith("encoder/conv"):
                conv, kind = name.split("/")[1:]
                back = state[f"encoder.{conv}.{kind}"]
        assert back is not None, name
        assert np.array_equal(back, value), name
        used += 1
    assert used == sum(1 for n, v in ct2.items() if v.ndim and n != "decoder/projection/weight")
    # The key biases CTranslate2 stores are zero, as openai-whisper assumes.
    assert not ct2["encoder/layer_0/self_attention/linear_0/bias"][384:768].any()
    # The checkpoint loads into openai-whisper and is cached with a checksum.
    ckpt = openai_checkpoint(source)
    assert ckpt.with_suffix(".sha256").exists()
    loaded = torch.load(ckpt, map_location="cpu")
    assert loaded["dims"]["n_text_layer"] == 4 and loaded["dims"]["n_vocab"] == 51864
    assert openai_checkpoint(source) == ckpt  # second call: from the cache


@pytest.mark.slow
def test_corrupted_cached_checkpoint_is_converted_again():
    source = resolve("tiny.en")
    ckpt = openai_checkpoint(source)
    ckpt.write_bytes(b"garbage")
    again = openai_checkpoint(source)
    assert again.stat().st_size > 1_000_000


# -- engines on real speech --------------------------------------------------------------------


@pytest.fixture(scope="module")
def librivox_transcripts():
    """Each engine's transcripts of the five LibriVox clips, made once for the tests that read them."""
    done: dict[str, dict[str, Transcript]] = {}

    def get(engine: str) -> dict[str, Transcript]:
        if engine not in done:
            options = TranscribeOptions(engine=engine)
            done[engine] = {name: transcribe_file(c.path, options) for name, c in librivox().items()}
        return done[engine]

    return get


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["faster-whisper", "openai-whisper"])
def test_librivox_word_error_rate(engine, librivox_transcripts):
    clips = librivox()
    got = librivox_transcripts(engine)
    assert list(got) == list(clips)
    assert wer([c.reference for c in clips.values()], [text_of(t) for t in got.values()]) <= 0.08


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["faster-whisper", "openai-whisper"])
def test_librivox_words_are_timed_on_each_clip(engine, librivox_transcripts):
    from podkit.ffmpeg import probe

    for name, t in librivox_transcripts(engine).items():
        c = librivox()[name]
        length = probe(c.path).duration
        assert t.language == "en", name
        assert t.duration == pytest.approx(length, abs=0.05), name
        words = [w for s in t.segments for w in s.words]
        assert len(words) >= 0.8 * len(c.words), name
        assert all(0 <= w.start <= w.end <= length + 0.05 for w in words), name
        assert [w.start for w in words] == sorted(w.start for w in words), name


@pytest.mark.slow
def test_both_engines_are_accurate_and_close_to_each_other(librivox_transcripts):
    """Not "the same text": the engines decode differently (and each differs from one CPU to
    another), so each is held to the reference, and the two to each other, by WER."""
    refs = [c.reference for c in librivox().values()]
    a = [text_of(t) for t in librivox_transcripts("faster-whisper").values()]
    b = [text_of(t) for t in librivox_transcripts("openai-whisper").values()]
    assert wer(refs, a) <= 0.08 and wer(refs, b) <= 0.08
    assert wer(a, b) <= 0.1
    for x, y in zip(a, b, strict=True):  # no clip where they part ways
        assert wer(x, y) <= 0.25, (x, y)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["faster-whisper", "openai-whisper"])
def test_jfk_word_error_rate(engine):
    t = transcribe_file(shared("speech", "jfk.flac"), TranscribeOptions(engine=engine))
    assert t.language == "en"
    assert t.duration == pytest.approx(11.0, abs=0.1)
    assert wer(JFK_TEXT, text_of(t)) <= 0.05
    words = [w for s in t.segments for w in s.words]
    assert len(words) >= 20 and all(0 <= w.start <= w.end <= 11.1 for w in words)
    assert [w.start for w in words] == sorted(w.start for w in words)


@pytest.mark.slow
def test_both_engines_close_on_jfk():
    a = transcribe_file(shared("speech", "jfk.flac"), TranscribeOptions(engine="faster-whisper"))
    b = transcribe_file(shared("speech", "jfk.flac"), TranscribeOptions(engine="openai-whisper"))
    assert wer(JFK_TEXT, text_of(a)) <= 0.05 and wer(JFK_TEXT, text_of(b)) <= 0.05
    assert wer(text_of(a), text_of(b)) <= 0.1


@pytest.mark.slow
def test_silence_gives_an_empty_transcript(tmp_path):
    path = tmp_path / "silence.wav"
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "20", str(path))
    for engine in ("faster-whisper", "openai-whisper"):
        t = transcribe_file(path, TranscribeOptions(engine=engine))
        assert t.segments == [], engine


# Two speakers taking turns, one per channel: who says what, and when (seconds into the file).
TURNS = [("Ana", "0870", 0.5), ("Ben", "0890", 8.5), ("Ana", "0930", 14.5), ("Ben", "0880", 18.5)]
TURNS_S = 22.0
# Words only one of them says (from the references): what crosstalk between channels would show.
OWN_WORDS = {"Ana": {"dashwood", "leisure", "prudently", "amiable"}, "Ben": {"selfish", "rather", "disposed", "young"}}


def two_speaker_recording(tmp_path: Path) -> tuple[Path, dict[str, list[tuple[Clip, float]]]]:
    """Ana on the left channel, Ben on the right, each silent while the other speaks."""
    parts: dict[str, list[tuple[Clip, float]]] = {}
    for who, number, at in TURNS:
        parts.setdefault(who, []).append((clip(number), at))
    left = track(tmp_path / "ana.wav", parts["Ana"], TURNS_S)
    right = track(tmp_path / "ben.wav", parts["Ben"], TURNS_S)
    return stereo(tmp_path / "two speakers.wav", left, right), parts


def assert_podcasting20_json(data: dict) -> None:
    """The Podcasting 2.0 transcript JSON shape (podcastindex.org namespace, transcripts):
    version "1.0.0" and segments of startTime, endTime (float seconds), body, optional speaker,
    in time order."""
    assert data["version"] == "1.0.0"
    assert isinstance(data["segments"], list)
    last = 0.0
    for seg in data["segments"]:
        assert {"startTime", "endTime", "body"} <= set(seg) <= {"startTime", "endTime", "body", "speaker"}, seg
        assert isinstance(seg["startTime"], float) and isinstance(seg["endTime"], float), seg
        assert math.isfinite(seg["endTime"]) and 0.0 <= seg["startTime"] <= seg["endTime"], seg
        assert isinstance(seg["body"], str) and seg["body"].strip(), seg
        assert isinstance(seg.get("speaker", ""), str) and seg.get("speaker") != "", seg
        assert seg["startTime"] >= last, seg
        last = seg["startTime"]


@pytest.mark.slow
def test_speakers_on_separate_channels_of_librivox(tmp_path):
    import webvtt

    path, parts = two_speaker_recording(tmp_path)
    t = transcribe_file(path, speakers=("Ana", "Ben"), tracks="channels")
    assert t.duration == pytest.approx(TURNS_S, abs=0.05)
    said = {who: " ".join(s.text for s in t.segments if s.speaker == who) for who in ("Ana", "Ben")}
    assert {s.speaker for s in t.segments} == {"Ana", "Ben"}
    for who, own in OWN_WORDS.items():
        assert wer(" ".join(c.reference for c, _ in parts[who]), said[who]) <= 0.15, said[who]
        other = "Ben" if who == "Ana" else "Ana"
        heard = set(re.findall(r"[a-z]+", said[who].lower()))
        assert own <= heard, (who, said[who])
        assert not OWN_WORDS[other] & heard, (who, said[who])  # nothing from the other channel
    # Each word lies in its speaker's own turn, on the file's clock.
    for seg in t.segments:
        turns = [(at, at + c.duration) for c, at in parts[seg.speaker]]
        for w in seg.words:
            assert any(a - 0.3 <= w.start and w.end <= b + 0.3 for a, b in turns), (seg.speaker, w)
    # Merged by time: the turns come out in the order they were taken.
    starts = [s.start for s in t.segments]
    assert starts == sorted(starts)
    turn_order = [s.speaker for i, s in enumerate(t.segments) if i == 0 or t.segments[i - 1].speaker != s.speaker]
    assert turn_order == [who for who, _, _ in TURNS]
    # WebVTT voices, read back by an independent parser.
    vtt = to_vtt(t)
    assert "<v Ana>" in vtt and "<v Ben>" in vtt
    (tmp_path / "t.vtt").write_text(vtt)
    captions = webvtt.read(str(tmp_path / "t.vtt"))
    voices = [c.voice for c in captions]
    assert set(voices) == {"Ana", "Ben"}
    assert [v for i, v in enumerate(voices) if i == 0 or voices[i - 1] != v] == turn_order
    # Podcasting 2.0 JSON: one segment per word, each with its speaker.
    data = json.loads(to_json(t))
    assert_podcasting20_json(data)
    assert {s["speaker"] for s in data["segments"]} == {"Ana", "Ben"}
    for who in ("Ana", "Ben"):
        words = [w.text for s in t.segments if s.speaker == who for w in s.words]
        assert [s["body"] for s in data["segments"] if s["speaker"] == who] == words


@pytest.mark.slow
def test_speakers_on_separate_channels():
    t = transcribe_file(shared("speech", "stereo_two_speakers.wav"), speakers=("Ana", "Ben"), tracks="channels")
    by = {s.speaker: text_of(Transcript("en", 0, [s])) for s in t.segments}
    assert set(by) == {"Ana", "Ben"}
    assert (
        wer(
            "He began a confused complaint against the wizard, who had vanished behind the curtain on the left.",
            " ".join(s.text for s in t.segments if s.speaker == "Ana"),
        )
        <= 0.1
    )
    assert (
        wer("The horizon seems extremely distant.", " ".join(s.text for s in t.segments if s.speaker == "Ben")) <= 0.1
    )
    assert [s.start for s in t.segments] == sorted(s.start for s in t.segments)
    vtt = to_vtt(t)
    assert "<v Ana>" in vtt and "<v Ben>" in vtt
    assert {s["speaker"] for s in json.loads(to_json(t))["segments"]} == {"Ana", "Ben"}


# -- long recordings: streamed in windows cut at pauses ------------------------------------------


def test_audio_windows_cut_in_pauses_and_lose_no_sample(tmp_path):
    from podkit.ffmpeg import Decoder
    from podkit.transcribe import audio_windows

    # 2.6 s of tone, 0.4 s of silence, over and over: 100 s with a pause every 3 s
    path = tmp_path / "bursts.wav"
    ffmpeg("-f", "lavfi", "-i", "aevalsrc='if(lt(mod(t,3),2.6),0.5*sin(2*PI*440*t),0)':s=16000:d=100", str(path))
    whole = np.concatenate([c[:, 0] for c in Decoder(path, rate=16000, channels=1).chunks()])
    windows = list(audio_windows(path, window_s=20))
    assert len(windows) == 5
    np.testing.assert_array_equal(np.concatenate([w for _, w in windows]), whole)
    at = 0
    for offset, audio in windows:
        assert offset == at / 16000
        at += len(audio)
    for offset, audio in windows[:-1]:
        assert 15 <= len(audio) / 16000 <= 25
        end = offset + len(audio) / 16000
        assert 2.6 < end % 3 < 3.0, f"cut at {end:.2f} s is not in a pause"
        cut = int(end * 16000)
        assert np.abs(whole[cut - 800 : cut + 800]).max() < 1e-3  # 50 ms of silence either side


@pytest.mark.slow
def test_windowed_transcript_matches_one_pass(sample_transcript):
    """The sample show in 40-second windows: the same words at the same times as in one pass."""
    import tomllib
    from difflib import SequenceMatcher

    script = tomllib.loads((SAMPLE.parent.parent / "samples" / "weekly-roundup" / "script.toml").read_text())
    said = " ".join(line["text"] for story in script["stories"] for line in story["lines"])
    whole = sample_transcript
    windowed = transcribe_file(SAMPLE, window_s=40)
    assert wer(said, text_of(windowed)) <= wer(said, text_of(whole)) + 0.02
    assert abs(windowed.duration - whole.duration) < 0.05
    starts = [s.start for s in windowed.segments]
    assert starts == sorted(starts) and windowed.segments[-1].end > whole.duration - 15

    def words(t):
        return [(re.sub(r"\W", "", w.text.lower()), w.start) for s in t.segments for w in s.words]

    a, b = words(whole), words(windowed)
    matcher = SequenceMatcher(a=[w for w, _ in a], b=[w for w, _ in b], autojunk=False)
    pairs = [(a[m.a + k][1], b[m.b + k][1]) for m in matcher.get_matching_blocks() for k in range(m.size)]
    assert len(pairs) >= 0.93 * len(a)  # a window's edge may change a word or two (340 of 359 on one CPU)
    assert max(p[1] for p in pairs) > 100  # words from the last windows are there, on the file's clock
    close = sum(abs(x - y) <= 0.5 for x, y in pairs)
    assert close >= 0.95 * len(pairs)


@pytest.mark.slow
def test_cuda_path_picks_float16_and_fails_clearly_without_a_gpu(tmp_path):
    import torch

    from podkit.transcribe.engines import FasterWhisperEngine, make_engine

    source = resolve("tiny.en")
    assert FasterWhisperEngine(source, device="cuda").compute_type == "float16"
    assert FasterWhisperEngine(source, device="cpu").compute_type == "int8"
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU: the CUDA run is bench/transcribe.py --device cuda")
    audio = np.zeros(16000, np.float32)
    for name in ("faster-whisper", "openai-whisper"):
        with pytest.raises(PodkitError, match="use --device cpu"):
            make_engine(name, source, device="cuda").transcribe(audio)


def test_unknown_model_says_what_to_do(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(PodkitError) as info:
        resolve("large-v3")
    assert "large-v3" in str(info.value) and "--model PATH" in str(info.value)


# -- formats, read by independent parsers -----------------------------------------------------


def _sample_transcript() -> Transcript:
    words = [
        Word(i * 0.4, i * 0.4 + 0.35, w)
        for i, w in enumerate(
            [
                "Tom",
                "&",
                "Jerry",
                "<script>alert(1)</script>",
                "said:",
                "this",
                "is",
                "a",
                "rather",
                "long",
                "sentence",
                "that",
                "certainly",
                "needs",
                "more",
                "than",
                "one",
                "caption",
                "cue",
                "to",
                "fit",
                "the",
                "limit.",
            ]
        )
    ]
    return Transcript(
        "en",
        30.0,
        [
            Segment(0.0, words[-1].end, " ".join(w.text for w in words), words, "Ana <1>"),
            Segment(20.0, 21.0, "Short reply.", [Word(20.0, 20.5, "Short"), Word(20.5, 21.0, "reply.")], "Ben"),
        ],
    )


def test_vtt_and_srt_parse_with_independent_libraries(tmp_path):
    import srt
    import webvtt

    t = _sample_transcript()
    paths = write(t, tmp_path / "ep", ["vtt", "srt", "json", "txt", "html"])
    assert [p.name for p in paths] == ["ep.vtt", "ep.srt", "ep.json", "ep.txt", "ep.html"]
    captions = webvtt.read(str(tmp_path / "ep.vtt"))
    assert len(captions) >= 3
    shown = [html_unescape(cap.text) for cap in captions]  # webvtt-py keeps entities as written
    for text in shown:
        assert all(len(line) <= LINE_CHARS for line in text.splitlines()) and len(text.splitlines()) <= CUE_LINES
    assert " ".join(shown[0].split()).startswith("Tom & Jerry <script>")  # escaped in the file, text when shown
    assert html_unescape(captions[0].voice) == "Ana <1>"
    assert "<script>" not in (tmp_path / "ep.vtt").read_text()
    subs = list(srt.parse((tmp_path / "ep.srt").read_text()))
    assert len(subs) == len(captions)
    assert subs[-1].content == "Ben: Short reply." and subs[-1].start.total_seconds() == 20.0
    data = json.loads((tmp_path / "ep.json").read_text())
    assert data["version"] == "1.0.0"
    assert data["segments"][0] == {"startTime": 0.0, "endTime": 0.35, "body": "Tom", "speaker": "Ana <1>"}
    html = (tmp_path / "ep.html").read_text()
    assert "&lt;script&gt;" in html and "<script>" not in html and "Ana &lt;1&gt;" in html
    assert html.count("<time") == 2 and 'datetime="PT20.00S"' in html
    assert (tmp_path / "ep.txt").read_text().startswith("Ana <1>: Tom & Jerry")


def test_json_has_the_podcasting20_transcript_shape():
    t = _sample_transcript()
    data = json.loads(to_json(t))
    assert_podcasting20_json(data)
    words = [w for s in t.segments for w in s.words]
    assert [s["body"] for s in data["segments"]] == [w.text for w in words]  # one segment per word
    assert [s["startTime"] for s in data["segments"]] == pytest.approx([w.start for w in words], abs=5e-4)
    assert [s["endTime"] for s in data["segments"]] == pytest.approx([w.end for w in words], abs=5e-4)
    assert [s["speaker"] for s in data["segments"]] == ["Ana <1>"] * 23 + ["Ben"] * 2
    # A transcript without speakers has no speaker fields (not empty or null ones).
    plain = json.loads(to_json(Transcript("en", 2.0, [Segment(0.5, 1.5, "Hi.", [Word(0.5, 1.5, "Hi.")])])))
    assert_podcasting20_json(plain)
    assert plain["segments"] == [{"startTime": 0.5, "endTime": 1.5, "body": "Hi."}]


def test_a_json_file_that_is_no_transcript_is_an_error_naming_it(tmp_path):
    """A JSON file without the format's ``segments`` list is no transcript: read back, it is
    an error naming the file (the notes would otherwise be written empty), while a transcript
    of nothing said (``"segments": []``) reads as an empty one."""
    from podkit.transcribe.formats import read_json

    for name, text in (("obj.json", '{"bad": 1}'), ("list.json", "[1, 2]"), ("null.json", '{"segments": null}')):
        (tmp_path / name).write_text(text)
        with pytest.raises(PodkitError) as info:
            read_json(tmp_path / name)
        assert name in str(info.value) and "not a Podcasting 2.0 JSON transcript" in str(info.value)
    (tmp_path / "empty.json").write_text('{"version": "1.0.0", "segments": []}')
    assert read_json(tmp_path / "empty.json").segments == []
    back = tmp_path / "ep.json"
    sample = _sample_transcript()
    back.write_text(to_json(sample))
    assert [s.text for s in read_json(back).segments] == [w.text for s in sample.segments for w in s.words]


def test_reference_json_shape_matches_podcasting20_example():
    example = json.loads(shared("podcast20", "transcripts_example.json").read_text())
    ours = json.loads(to_json(_sample_transcript()))
    assert ours["version"] == example["version"]
    assert set(ours["segments"][0]) == set(example["segments"][0])


# -- the command line ---------------------------------------------------------------------------


@pytest.mark.slow
def test_transcribe_command(tmp_path):
    clip = tmp_path / "clip one.wav"
    ffmpeg("-ss", "0", "-t", "20", "-i", str(SAMPLE), str(clip))
    proc = podkit("transcribe", str(clip), "-o", str(tmp_path / "out"), "--format", "json,vtt")
    assert proc.returncode == 0, proc.stderr
    assert "real time" in proc.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["clip one.json", "clip one.vtt"]
    text = " ".join(s["body"] for s in json.loads((tmp_path / "out" / "clip one.json").read_text())["segments"])
    said = "Welcome to the Weekly Roundup, the show that catches you up on the news from our corner of the world."
    opening = " ".join(text.split()[: len(said.split())])  # as many words as the clip's first line
    assert wer(said, opening) < 0.3, text
    bad = podkit("transcribe", str(clip), "--format", "docx")
    assert bad.returncode == 2 and "unknown transcript format" in bad.stderr


def test_voiced_share_tells_speech_from_the_silence_after_it():
    from podkit.transcribe.stream import _voiced_frames, _voiced_share

    rate = 16000
    t = np.arange(rate * 4) / rate
    tone = 0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 3 * t)) / 2  # 4 s of "speech"
    hiss = np.random.default_rng(1).normal(0, 1e-4, rate * 3)  # then 3 s of a quiet room
    voiced = _voiced_frames(np.concatenate([tone, hiss]).astype(np.float32))
    assert _voiced_share(voiced, 0.5, 3.5) > 0.8
    assert _voiced_share(voiced, 4.3, 6.8) == 0.0
    assert _voiced_share(voiced, 3.0, 5.0) == pytest.approx(0.5, abs=0.1)
    assert _voiced_share(voiced, 9.0, 10.0) == 0.0  # past the end


@pytest.mark.slow
def test_no_words_invented_in_the_closing_silence():
    """tiny.en given a prompt writes "Thank you." into the sample's closing silence; a short
    segment with no speech under it is dropped."""
    t = transcribe_file(SAMPLE, TranscribeOptions(vocabulary=("Test Show", "Ana Host")))
    assert t.segments[-1].text.rstrip().endswith("weekly roundup."), t.segments[-1].text


@pytest.mark.slow
def test_batched_loses_no_sentence_the_one_at_a_time_path_hears(sample_transcript):
    """faster-whisper's batched pipeline (the default) decodes each 30 s chunk alone and now and
    then ends a chunk early; podkit hears such gaps again one at a time, so batching costs no
    words against the path that decodes one window at a time."""
    import tomllib

    script = tomllib.loads((SAMPLE.parent.parent / "samples" / "weekly-roundup" / "script.toml").read_text())
    reference = " ".join(line["text"] for story in script["stories"] for line in story["lines"])
    batched = sample_transcript
    assert TranscribeOptions().batch_size > 0
    one_at_a_time = " ".join(s.text for s in transcribe_file(SAMPLE, TranscribeOptions(batch_size=0)).segments)
    heard = " ".join(s.text for s in batched.segments)
    assert wer(reference, heard) <= wer(reference, one_at_a_time) + 0.02, heard
    words = [w for s in batched.segments for w in s.words]
    assert all(a.start <= b.start for a, b in itertools.pairwise(words))  # in time order
    assert "thanks for listening" in heard.lower()


def test_batched_chunks_are_cut_into_sentences_and_at_pauses():
    """faster-whisper's batched pipeline gives a 30 s chunk as one segment: podkit cuts it at
    sentence ends and at pauses between words, as Whisper's own timestamps would."""
    from podkit.transcribe.stream import SPLIT_GAP_S, _sentences

    said = [("Hello", 0.0), ("there.", 0.4), ("Next", 1.0), ("one", 1.3), ("after", 1.6 + SPLIT_GAP_S), ("a", 3.2)]
    words = [Word(at, at + 0.3, text) for text, at in said]
    chunk = Segment(0.0, 3.5, "Hello there. Next one after a", words, "Ana")
    short = Segment(4.0, 4.5, "Fine", [Word(4.0, 4.5, "Fine")])
    cut = _sentences([chunk, short])
    assert [s.text for s in cut] == ["Hello there.", "Next one", "after a", "Fine"]
    assert [(s.start, s.end) for s in cut[:3]] == [(0.0, 0.7), (1.0, 1.6), (words[4].start, 3.5)]
    assert {s.speaker for s in cut[:3]} == {"Ana"} and cut[3] is short
    assert _sentences([]) == []
    assert TranscribeOptions().batched and not TranscribeOptions(engine="openai-whisper").batched

"""What happens to a transcript after the engine: the show's corrections, the host's own
edits of the WebVTT file, and the transcript as heard, kept whole for both.

``heard`` JSON is podkit's own record of what the engine returned (segments with their
words, speakers and timings), kept in the show's state folder: every published format is
made from it, so corrections and edits apply again without transcribing again.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..errors import MediaError
from ..records import Segment, Transcript, Word
from ..text import join_words
from .formats import cues

# -- the transcript as heard -------------------------------------------------------------------


def to_heard(transcript: Transcript) -> str:
    """The whole transcript as JSON: segments, words, speakers, timings."""
    data = {
        "language": transcript.language,
        "duration": round(transcript.duration, 3),
        "segments": [
            {
                "start": round(s.start, 3),
                "end": round(s.end, 3),
                "text": s.text,
                "speaker": s.speaker,
                "words": [[round(w.start, 3), round(w.end, 3), w.text, round(w.probability, 3)] for w in s.words],
            }
            for s in transcript.segments
        ],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def read_heard(path: Path) -> Transcript:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        segments = [
            Segment(
                float(s["start"]),
                float(s["end"]),
                str(s["text"]),
                [Word(float(a), float(b), str(t), float(p)) for a, b, t, p in s["words"]],
                s.get("speaker"),
            )
            for s in data["segments"]
        ]
        return Transcript(str(data["language"]), float(data["duration"]), segments)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise MediaError(
            f"podkit's record of the transcript cannot be read ({exc.__class__.__name__}); "
            "run 'podkit run --redo transcribe SLUG' to transcribe it again",
            path=path,
        ) from None


# -- corrections ---------------------------------------------------------------------------------


def _key(word: str) -> str:
    """A word as corrections match it: lower case, without the punctuation around or in it."""
    return re.sub(r"[^\w']", "", word.lower()).strip("'")


_EDGE = re.compile(r"^(\W*)(.*?)(\W*)$", re.S)


def _apply(words: list[Word], rules: list[tuple[list[str], list[str]]]) -> tuple[list[Word], int]:
    keys = [_key(w.text) for w in words]
    out: list[Word] = []
    done = 0
    i = 0
    while i < len(words):
        for heard, right in rules:
            n = len(heard)
            found = keys[i : i + n]
            possessive = bool(found) and found[-1].endswith("'s") and found[-1][:-2] == heard[-1]
            if found[:-1] != heard[:-1] or not found or (found[-1] != heard[-1] and not possessive):
                continue
            first, last = words[i], words[i + n - 1]
            lead = _EDGE.match(first.text)
            trail = _EDGE.match(last.text)
            before = lead.group(1) if lead else ""
            after = trail.group(3) if trail else ""
            tokens = list(right)
            if possessive:
                tokens[-1] += "'s"
                after = after.removeprefix("'s")
            step = (last.end - first.start) / len(tokens)
            probability = min(w.probability for w in words[i : i + n])
            for k, token in enumerate(tokens):
                text = (before if k == 0 else "") + token + (after if k == len(tokens) - 1 else "")
                out.append(Word(first.start + k * step, first.start + (k + 1) * step, text, probability))
            i += n
            done += 1
            break
        else:
            out.append(words[i])
            i += 1
    return out, done


def apply_corrections(transcript: Transcript, corrections: Iterable[tuple[str, str]]) -> int:
    """Replace each heard form (whole words, any case, punctuation around it kept) by its
    right form, in place, words and text alike; the longest heard forms first. Returns how
    many places changed. The right form's words share the heard words' time evenly."""
    rules = sorted(
        ((heard_keys, right.split()) for heard, right in corrections if (heard_keys := _split(heard))),
        key=lambda r: -len(r[0]),
    )
    if not rules:
        return 0
    changed = 0
    for seg in transcript.segments:
        if seg.words:
            seg.words, done = _apply(seg.words, rules)
            if done:
                seg.text = join_words(w.text for w in seg.words)
        else:
            words = [Word(seg.start, seg.end, t) for t in seg.text.split()]
            new, done = _apply(words, rules)
            if done:
                seg.text = join_words(w.text for w in new)
        changed += done
    return changed


def correct(
    transcript: Transcript, vocabulary: Iterable[str], corrections: Sequence[tuple[str, str]]
) -> tuple[list[tuple[str, str]], int]:
    """What the transcript stage does to what was heard, in place: the vocabulary's names
    respelt where the engine wrote them otherwise (``vocabulary.respellings``), then the show's
    corrections. A heard form that the corrections name is the host's: never respelt, so a
    correction both keeps words from a respelling and says how they are written. Returns the
    (heard, name) respellings made and how many places the corrections changed."""
    from .vocabulary import respellings

    own = {" ".join(_split(heard)) for heard, _ in corrections}
    words = [w.text for seg in transcript.segments for w in seg.words]
    respelt = [(heard, name) for heard, name in respellings(words, vocabulary) if " ".join(_split(heard)) not in own]
    apply_corrections(transcript, respelt)
    return respelt, apply_corrections(transcript, corrections)


def _split(heard: str) -> list[str]:
    return [k for k in (_key(w) for w in heard.split()) if k]


# -- the host's WebVTT ---------------------------------------------------------------------------

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s+-->\s+{_TIME}(?:\s.*)?$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]*)>")
_TAG = re.compile(r"</?[^>]*>")


def _seconds(h: str | None, m: str, s: str, ms: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def _payload(lines: Sequence[str]) -> tuple[str | None, str]:
    text = " ".join(line.strip() for line in lines)
    voice = _VOICE.search(text)
    speaker = html.unescape(voice.group(1).strip()) if voice else None
    text = html.unescape(_TAG.sub("", text)).replace("\u00a0", " ")
    return speaker or None, " ".join(text.split())


def read_vtt(path: Path, heard: Transcript | None = None) -> Transcript:
    """A WebVTT file (as a subtitle editor saves it) back into a transcript, one segment per
    cue. A cue the host left as podkit wrote it keeps its words' own timings (from
    ``heard``); the words of a changed cue share its time evenly. A file that is not WebVTT
    is a MediaError naming the line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise MediaError("is not UTF-8 text; save it as UTF-8 WebVTT", path=path) from None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or not re.match(r"^WEBVTT(?:[ \t].*)?$", lines[0]):
        raise MediaError("line 1: a WebVTT file starts with WEBVTT; save it as WebVTT (.vtt)", path=path)
    known: dict[tuple[int, int, str, str | None], list[Word]] = {}
    if heard is not None:
        for cue in cues(heard):
            known[(round(cue.start * 1000), round(cue.end * 1000), cue.text, cue.speaker)] = cue.words
    segments: list[Segment] = []
    i = 1
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        block_start = i
        block = []
        while i < len(lines) and lines[i].strip():
            block.append(lines[i])
            i += 1
        if block[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        at = 0 if "-->" in block[0] else 1
        if at >= len(block) or "-->" not in block[at]:
            raise MediaError(
                f"line {block_start + 1}: a cue needs a timing line such as "
                "'00:00:01.000 --> 00:00:04.000'; fix it or undo the edit",
                path=path,
            )
        m = _TIMING.match(block[at])
        if not m:
            raise MediaError(
                f"line {block_start + at + 1}: {block[at].strip()!r} is not a cue timing "
                "('HH:MM:SS.mmm --> HH:MM:SS.mmm'); fix it or undo the edit",
                path=path,
            )
        start, end = _seconds(*m.groups()[:4]), _seconds(*m.groups()[4:])
        if end < start:
            raise MediaError(f"line {block_start + at + 1}: the cue ends before it starts; fix its times", path=path)
        speaker, body = _payload(block[at + 1 :])
        if not body:
            continue  # a cue emptied by the host: those words are gone
        words = known.get((round(start * 1000), round(end * 1000), body, speaker))
        if words is None:
            tokens = body.split()
            step = (end - start) / len(tokens)
            words = [Word(start + k * step, start + (k + 1) * step, t) for k, t in enumerate(tokens)]
        else:
            words = [Word(w.start, w.end, w.text, w.probability) for w in words]
        segments.append(Segment(start, end, body, words, speaker))
    if not segments:
        raise MediaError("has no cues left; undo the edit, or delete the file to have it made again", path=path)
    segments.sort(key=lambda s: (s.start, s.end))
    language = heard.language if heard else "und"
    duration = max(heard.duration if heard else 0.0, segments[-1].end)
    return Transcript(language, duration, segments)

"""Transcript files: Podcasting 2.0 JSON, WebVTT, SubRip, plain text, an HTML fragment.

All text is escaped for its format. Every file is written atomically.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..clock import clock, iso_duration, timestamp
from ..errors import MediaError
from ..fsutil import write_text
from ..records import Segment, Transcript, Word
from ..text import join_words

# Captions as the Podcasting 2.0 transcript guidance shows them: at most two lines a cue, of at
# most 32 characters each (a word longer than a line gets a line of its own).
LINE_CHARS = 32
CUE_LINES = 2
PARAGRAPH_PAUSE = 2.0  # seconds of silence that start a new paragraph
PARAGRAPH_SOFT = 45.0  # past this many seconds, a sentence end or a 0.6 s pause starts one too


def _words(seg: Segment) -> list[Word]:
    return seg.words or [Word(seg.start, seg.end, seg.text)]


@dataclass
class Cue:
    start: float
    end: float
    text: str
    speaker: str | None
    words: list[Word] = field(default_factory=list, repr=False)


def caption_lines(text: str, width: int = LINE_CHARS) -> list[str]:
    """``text`` wrapped at spaces into lines of at most ``width`` characters."""
    lines: list[str] = []
    line = ""
    for token in text.split():
        joined = f"{line} {token}" if line else token
        if line and len(joined) > width:
            lines.append(line)
            line = token
        else:
            line = joined
    return [*lines, line] if line else lines


def cues(transcript: Transcript) -> list[Cue]:
    """Caption cues that fit in two lines of 32 characters (with the "Name: " SubRip puts
    before them), split at word timings."""
    out: list[Cue] = []
    for seg in transcript.segments:
        current: list[Word] = []
        lead = f"{seg.speaker}: " if seg.speaker else ""
        for word in _words(seg):
            text = join_words(w.text for w in [*current, word])
            if current and len(caption_lines(lead + text)) > CUE_LINES:
                out.append(_cue(current, seg.speaker))
                current = []
            current.append(word)
        if current:
            out.append(_cue(current, seg.speaker))
    # In time order; cues of different speakers may overlap (people talk over each other).
    return sorted(out, key=lambda c: (c.start, c.end))


def _cue(words: list[Word], speaker: str | None) -> Cue:
    return Cue(words[0].start, words[-1].end, join_words(w.text for w in words), speaker, words)


def to_json(transcript: Transcript) -> str:
    """Podcasting 2.0 transcript JSON, one segment per word (as the spec's example)."""
    segments = []
    for seg in transcript.segments:
        for word in _words(seg):
            item = {"startTime": round(word.start, 3), "endTime": round(word.end, 3), "body": word.text}
            if seg.speaker:
                item["speaker"] = seg.speaker
            segments.append(item)
    return json.dumps({"version": "1.0.0", "segments": segments}, ensure_ascii=False, indent=1) + "\n"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(transcript: Transcript) -> str:
    lines = ["WEBVTT", ""]
    for cue in cues(transcript):
        lines.append(f"{timestamp(cue.start)} --> {timestamp(cue.end)}")
        voice = f"<v {_vtt_escape(cue.speaker)}>" if cue.speaker else ""
        lines.extend([voice + "\n".join(_vtt_escape(line) for line in caption_lines(cue.text)), ""])
    return "\n".join(lines)


def to_srt(transcript: Transcript) -> str:
    lines = []
    for i, cue in enumerate(cues(transcript), 1):
        speaker = f"{cue.speaker}: " if cue.speaker else ""
        text = "\n".join(caption_lines(speaker + cue.text))
        lines += [str(i), f"{timestamp(cue.start, ',')} --> {timestamp(cue.end, ',')}", text, ""]
    return "\n".join(lines)


def paragraphs(transcript: Transcript) -> list[tuple[float, str | None, str]]:
    """(start, speaker, text): a new paragraph at a change of speaker or a long pause."""
    out: list[list[Any]] = []
    last_end = None
    for seg in transcript.segments:
        pause = seg.start - last_end if last_end is not None else 0.0
        long_enough = (
            out
            and seg.start - out[-1][0] > PARAGRAPH_SOFT
            and (pause >= 0.6 or out[-1][2].rstrip().endswith((".", "?", "!")))
        )
        if out and out[-1][1] == seg.speaker and pause < PARAGRAPH_PAUSE and not long_enough:
            out[-1][2] = join_words([out[-1][2], seg.text])
        else:
            out.append([seg.start, seg.speaker, seg.text])
        last_end = seg.end
    return [tuple(p) for p in out]


def to_txt(transcript: Transcript) -> str:
    blocks = [(f"{speaker}: " if speaker else "") + text for _, speaker, text in paragraphs(transcript)]
    return "\n\n".join(blocks) + "\n"


def to_html(transcript: Transcript) -> str:
    parts = ['<section class="transcript">']
    for start, speaker, text in paragraphs(transcript):
        who = f'<cite class="speaker">{html.escape(speaker)}</cite> ' if speaker else ""
        parts.append(
            f'<p data-start="{start:.2f}">{who}<time datetime="{iso_duration(start)}">'
            f"{clock(start)}</time> {html.escape(text)}</p>"
        )
    parts.append("</section>")
    return "\n".join(parts) + "\n"


WRITERS = {"json": to_json, "vtt": to_vtt, "srt": to_srt, "txt": to_txt, "html": to_html}


def write(transcript: Transcript, base: Path, formats: Sequence[str]) -> list[Path]:
    """Write ``base.<fmt>`` for each format; return the paths."""
    paths = []
    for fmt in formats:
        path = base.with_name(f"{base.name}.{fmt}")
        write_text(path, WRITERS[fmt](transcript))
        paths.append(path)
    return paths


def read_json(path: Path, *, language: str | None = None) -> Transcript:
    """A Podcasting 2.0 JSON transcript back into segments (one per word).

    The format has no language field: it is the file's own ``language`` key where a tool
    wrote one, else ``language`` (the catalog knows what was transcribed), else "und".
    A file that is not such a transcript is a MediaError naming it.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("segments"), list):  # its one required list
            raise ValueError("no 'segments' list")
        segs = [
            Segment(
                float(s["startTime"]),
                float(s["endTime"]),
                str(s["body"]),
                [Word(float(s["startTime"]), float(s["endTime"]), str(s["body"]))],
                s.get("speaker"),
            )
            for s in data["segments"]
        ]
        found = data.get("language")
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise MediaError(
            f"is not a Podcasting 2.0 JSON transcript ({exc.__class__.__name__}: {exc}); "
            "delete it and run podkit again to transcribe anew",
            path=path,
        ) from None
    duration = segs[-1].end if segs else 0.0
    return Transcript(found if isinstance(found, str) and found else language or "und", duration, segs)

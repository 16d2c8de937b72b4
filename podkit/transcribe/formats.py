"""Transcript files: Podcasting 2.0 JSON, WebVTT, SubRip, plain text, an HTML fragment.

All text is escaped for its format. Every file is written atomically.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..fsutil import write_text
from ..model import Segment, Transcript, Word

FORMATS = ("json", "vtt", "srt", "txt", "html")
MIME = {"json": "application/json", "vtt": "text/vtt", "srt": "application/x-subrip",
        "txt": "text/plain", "html": "text/html"}
MAX_CUE_CHARS = 65
PARAGRAPH_PAUSE = 2.0  # seconds of silence that start a new paragraph
PARAGRAPH_SOFT = 45.0  # past this many seconds, a sentence end or a 0.6 s pause starts one too


def parse_formats(value: str) -> list[str]:
    wanted = [f.strip().lower() for f in value.split(",") if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise ConfigError(f"unknown transcript format {', '.join(bad) or value!r}; use some of {','.join(FORMATS)}")
    return list(dict.fromkeys(wanted))


def _words(seg: Segment) -> list[Word]:
    return seg.words or [Word(seg.start, seg.end, seg.text)]


@dataclass
class Cue:
    start: float
    end: float
    text: str
    speaker: str | None


def cues(transcript: Transcript, limit: int = MAX_CUE_CHARS) -> list[Cue]:
    """Caption cues of at most ``limit`` characters, split at word timings."""
    out: list[Cue] = []
    for seg in transcript.segments:
        current: list[Word] = []
        for word in _words(seg):
            text = " ".join(w.text for w in [*current, word])
            if current and len(text) > limit:
                out.append(Cue(current[0].start, current[-1].end, " ".join(w.text for w in current), seg.speaker))
                current = []
            current.append(word)
        if current:
            out.append(Cue(current[0].start, current[-1].end, " ".join(w.text for w in current), seg.speaker))
    # In time order; cues of different speakers may overlap (people talk over each other).
    return sorted(out, key=lambda c: (c.start, c.end))


def _clock(t: float, sep: str) -> str:
    ms = max(0, round(t * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def short_clock(t: float) -> str:
    t = int(t)
    h, m, s = t // 3600, t // 60 % 60, t % 60
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


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
        lines.append(f"{_clock(cue.start, '.')} --> {_clock(cue.end, '.')}")
        voice = f"<v {_vtt_escape(cue.speaker)}>" if cue.speaker else ""
        lines.extend([voice + _vtt_escape(cue.text), ""])
    return "\n".join(lines)


def to_srt(transcript: Transcript) -> str:
    lines = []
    for i, cue in enumerate(cues(transcript), 1):
        speaker = f"{cue.speaker}: " if cue.speaker else ""
        lines += [str(i), f"{_clock(cue.start, ',')} --> {_clock(cue.end, ',')}", speaker + cue.text, ""]
    return "\n".join(lines)


def paragraphs(transcript: Transcript) -> list[tuple[float, str | None, str]]:
    """(start, speaker, text): a new paragraph at a change of speaker or a long pause."""
    out: list[list] = []
    last_end = None
    for seg in transcript.segments:
        pause = seg.start - last_end if last_end is not None else 0.0
        long_enough = out and seg.start - out[-1][0] > PARAGRAPH_SOFT and (
            pause >= 0.6 or out[-1][2].rstrip().endswith((".", "?", "!")))
        if out and out[-1][1] == seg.speaker and pause < PARAGRAPH_PAUSE and not long_enough:
            out[-1][2] += " " + seg.text
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
        parts.append(f'<p data-start="{start:.2f}">{who}<time datetime="PT{start:.2f}S">'
                     f"{short_clock(start)}</time> {html.escape(text)}</p>")
    parts.append("</section>")
    return "\n".join(parts) + "\n"


WRITERS = {"json": to_json, "vtt": to_vtt, "srt": to_srt, "txt": to_txt, "html": to_html}


def write(transcript: Transcript, base: Path, formats: list[str]) -> list[Path]:
    """Write ``base.<fmt>`` for each format; return the paths."""
    paths = []
    for fmt in formats:
        path = base.with_name(f"{base.name}.{fmt}")
        write_text(path, WRITERS[fmt](transcript))
        paths.append(path)
    return paths


def read_json(path: Path) -> Transcript:
    """A Podcasting 2.0 JSON transcript back into segments (one per word)."""
    data = json.loads(Path(path).read_text())
    segs = [Segment(s["startTime"], s["endTime"], s["body"], [Word(s["startTime"], s["endTime"], s["body"])],
                    s.get("speaker")) for s in data.get("segments", [])]
    duration = segs[-1].end if segs else 0.0
    return Transcript("en", duration, segs)

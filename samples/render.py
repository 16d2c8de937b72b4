"""Render a scripted episode with espeak-ng, with the true start of every segment.

    .venv/bin/python samples/render.py                       # the sample show (run by hand)
    .venv/bin/python samples/render.py SCRIPT.toml --out DIR   # e.g. the evaluation corpus

The sample show's script renders to audio/<recording>.mp3 (mono, small) and
samples/weekly-roundup/stories.json; another script renders to DIR/<recording>.mp3,
DIR/<recording>.stories.json (the truth) and DIR/<recording>.toml (the episode's sidecar:
its links, and with ``--rundown`` the producer's rundown as ``[[stories]]``). Times are
seconds from the start of the recording. ``--cover`` also draws the sample cover (cover.png).
pydub assembles the clips: short clips are what it is good at.

A script is a list of ``[[stories]]`` (each one story), or of ``[[segments]]`` with a
``kind``: ``intro``, ``story``, ``short`` (an item under the minimum story length),
``sponsor`` or ``outro``. A story or short item has a ``title`` (the producer's heading),
``key_terms`` (2-4 words or phrases a good heading contains one of), optional ``links``
(``{ title, url }``) and ``summary``. Each ``[[*.lines]]`` has a ``voice``, its ``text`` and
optionally ``pause`` (seconds of silence before it, instead of the script's gap).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from pydub import AudioSegment

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "samples" / "weekly-roundup" / "script.toml"
LEAD_IN = 0.6  # seconds of silence before the first word, as a real recording has


def speak(text: str, voice: dict, out: Path) -> AudioSegment:
    subprocess.run(
        [
            "espeak-ng",
            "-v",
            voice["espeak"],
            "-s",
            str(voice["speed"]),
            "-p",
            str(voice["pitch"]),
            "-w",
            str(out),
            text,
        ],
        check=True,
    )
    return AudioSegment.from_wav(out)


KINDS = ("intro", "story", "short", "sponsor", "outro")


def segments_of(script: dict) -> list[dict]:
    """The script's segments, each with its kind (a [[stories]] script: all stories)."""
    if "segments" in script:
        segments = script["segments"]
        for seg in segments:
            if seg.get("kind") not in KINDS:
                raise SystemExit(f"segment {seg.get('title')!r}: kind must be one of {', '.join(KINDS)}")
        return segments
    return [{**story, "kind": "story"} for story in script["stories"]]


def render(script_path: Path = SCRIPT, out_dir: Path | None = None, *, rundown: bool = False) -> Path:
    script = tomllib.loads(script_path.read_text())
    silence = lambda s: AudioSegment.silent(duration=int(s * 1000), frame_rate=22050)
    audio = silence(LEAD_IN)
    truth = []
    turns = []  # who speaks when: each line's voice, start and end
    with tempfile.TemporaryDirectory() as tmp:
        for i, seg in enumerate(segments_of(script)):
            start = None
            for j, line in enumerate(seg["lines"]):
                if i or j:
                    gap = script["gap_between_lines"] if j else script["gap_between_stories"]
                    audio += silence(line.get("pause", gap))
                if start is None:
                    start = round(len(audio) / 1000, 3)
                said = round(len(audio) / 1000, 3)
                audio += speak(line["text"], script["voices"][line["voice"]], Path(tmp) / f"{i}-{j}.wav")
                turns.append({"voice": line["voice"], "start": said, "end": round(len(audio) / 1000, 3)})
            entry = {"kind": seg["kind"], "title": seg.get("title", seg["kind"].title()), "start": start}
            for key in ("key_terms", "summary", "links"):
                if key in seg:
                    entry[key] = seg[key]
            truth.append(entry)
        audio += silence(1.0)
    for seg, nxt in zip(truth, [*truth[1:], None], strict=True):
        seg["end"] = nxt["start"] if nxt else round(len(audio) / 1000 - 1.0, 3)
    if out_dir is None:
        out, truth_path = ROOT / "audio" / f"{script['recording']}.mp3", script_path.parent / "stories.json"
    else:
        out_dir.mkdir(parents=True, exist_ok=True)
        out = out_dir / f"{script['recording']}.mp3"
        truth_path = out_dir / f"{script['recording']}.stories.json"
        (out_dir / f"{script['recording']}.toml").write_text(sidecar(truth, rundown=rundown))
    audio.set_frame_rate(44100).set_channels(1).export(out, format="mp3", bitrate="48k")
    truth_path.write_text(
        json.dumps(
            {"recording": out.name, "duration": round(len(audio) / 1000, 3), "stories": truth, "turns": turns}, indent=2
        )
        + "\n"
    )
    print(f"{out}: {len(audio) / 1000:.1f} s, {out.stat().st_size // 1024} KiB, {len(truth)} segments")
    return out


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def sidecar(truth: list[dict], *, rundown: bool) -> str:
    """The episode's sidecar: every link of its stories (and, with ``rundown``, the producer's
    rundown: the stories and short items in order, with their headings, links, summaries)."""
    lines = ["# Rendered by samples/render.py from the episode's script."]
    for seg in truth:
        for link in seg.get("links", []):
            lines += ["", "[[links]]", f"title = {_q(link['title'])}", f"url = {_q(link['url'])}"]
    if rundown:
        for seg in truth:
            if seg["kind"] not in ("story", "short"):
                continue
            lines += ["", "[[stories]]", f"title = {_q(seg['title'])}"]
            if "summary" in seg:
                lines.append(f"summary = {_q(seg['summary'])}")
            if seg.get("links"):
                items = [f"{{ title = {_q(link['title'])}, url = {_q(link['url'])} }}" for link in seg["links"]]
                lines.append(f"links = [{', '.join(items)}]")
    return "\n".join(lines) + "\n"


def draw_cover() -> None:
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (1400, 1400), (24, 54, 92))
    draw = ImageDraw.Draw(img)
    draw.ellipse((250, 250, 1150, 1150), outline=(245, 196, 66), width=40)
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", 120)
    except OSError:
        font = ImageFont.load_default()
    draw.text((700, 640), "Weekly", fill=(255, 255, 255), font=font, anchor="mm")
    draw.text((700, 780), "Roundup", fill=(255, 255, 255), font=font, anchor="mm")
    img.save(ROOT / "cover.png", optimize=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    out_dir = Path(args[args.index("--out") + 1]) if "--out" in args else None
    scripts = [Path(a) for a in args if a.endswith(".toml")]
    for script in scripts or [SCRIPT]:
        render(script, out_dir, rundown="--rundown" in args)
    if "--cover" in args:
        draw_cover()

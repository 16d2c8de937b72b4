"""Render a scripted episode with espeak-ng, with the true start of every story.

    .venv/bin/python samples/render.py                       # the sample show (run by hand)
    .venv/bin/python samples/render.py SCRIPT.toml --out DIR   # e.g. the evaluation corpus

The sample show's script renders to audio/<recording>.mp3 (mono, small) and
samples/weekly-roundup/stories.json; another script renders to DIR/<recording>.mp3 and
DIR/<recording>.stories.json. Times are seconds from the start of the recording. ``--cover``
also draws the sample cover (cover.png). pydub assembles the clips: short clips are what it
is good at.
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


def render(script_path: Path = SCRIPT, out_dir: Path | None = None) -> Path:
    script = tomllib.loads(script_path.read_text())
    silence = lambda s: AudioSegment.silent(duration=int(s * 1000), frame_rate=22050)
    audio = silence(LEAD_IN)
    stories = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, story in enumerate(script["stories"]):
            if i:
                audio += silence(script["gap_between_stories"])
            stories.append({"title": story["title"], "start": round(len(audio) / 1000, 3)})
            for j, line in enumerate(story["lines"]):
                if j:
                    audio += silence(script["gap_between_lines"])
                audio += speak(line["text"], script["voices"][line["voice"]], Path(tmp) / f"{i}-{j}.wav")
        audio += silence(1.0)
    for story, nxt in zip(stories, [*stories[1:], None], strict=True):
        story["end"] = nxt["start"] if nxt else round(len(audio) / 1000 - 1.0, 3)
    if out_dir is None:
        out, truth = ROOT / "audio" / f"{script['recording']}.mp3", script_path.parent / "stories.json"
    else:
        out_dir.mkdir(parents=True, exist_ok=True)
        out = out_dir / f"{script['recording']}.mp3"
        truth = out_dir / f"{script['recording']}.stories.json"
    audio.set_frame_rate(44100).set_channels(1).export(out, format="mp3", bitrate="48k")
    truth.write_text(
        json.dumps({"recording": out.name, "duration": round(len(audio) / 1000, 3), "stories": stories}, indent=2)
        + "\n"
    )
    print(f"{out}: {len(audio) / 1000:.1f} s, {out.stat().st_size // 1024} KiB, {len(stories)} stories")
    return out


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
        render(script, out_dir)
    if "--cover" in args:
        draw_cover()

"""podkit's studio against ffmpeg's own filters on the same input, in one run, plus each step's
time and peak memory on a long recording.

    .venv/bin/python bench/studio.py [--no-wer] [--long] [--minutes M ...]

Four tables (also written to bench/results/studio.json):

1. leveler: two espeak-ng voices 10 LU apart over room noise; podkit's leveler against ffmpeg
   ``speechnorm`` and ``dynaudnorm`` (their defaults): the voices' loudness apart (target
   <= 1.5 LU), the noise in pauses against the input's once the overall gain is taken off
   (target <= 3 dB), the gain's spread inside one voice's turn (pumping), word error.
2. noise: three LibriVox readings with room noise (a fan's rumble and hiss) at 10 and 20 dB
   SNR, and with white hiss at 5 dB; podkit's noise reduction (spectral, and DeepFilterNet3:
   ``denoise_model = "deepfilternet"``) against ``afftdn`` (its defaults, and 18 dB reduction, as
   podkit's most, with the noise's level told and tracking on): outputs aligned on the clean
   speech first; SNR (speech power over the turns less the pauses' power, over the pauses' power;
   target: up >= 10 dB at 10 dB), SI-SDR against the clean speech, word error at 10 dB room
   noise and 5 dB hiss (clean speech too; target for DeepFilterNet3: no worse than the noisy
   input, and close to the clean speech: within 5 points).
3. hum: speech with 50 and 60 Hz hum (8 harmonics, 1/k); podkit's dehum (found automatically)
   against fixed 50 Hz and 60 Hz notch chains (``bandreject`` at each harmonic): the least
   reduction over the first four harmonics (target >= 20 dB), the speech's loudness change.
4. time and memory: the default chain (normalise alone), dehum, noise reduction (spectral and
   DeepFilterNet3), leveler and all of them (with each noise reduction), then normalise, each
   in its own process on M minutes of speech with hum and noise (default 1 and 2 minutes;
   ``--long``: 10 and 60), wall time and peak RSS (target: the whole chain under 2x
   normalise's time; memory the same at both lengths).

Word error uses the bundled tiny.en (``--no-wer`` skips it). The default run takes six to
ten minutes on two shared cores (``--no-wer``: about four); DeepFilterNet3 runs at about 10 s
a minute of audio a channel (a stereo file's two channels side by side on two cores), so
``--long`` takes most of an hour.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import media  # noqa: E402
import results  # noqa: E402

from podkit.studio.chain import analyse, process  # noqa: E402
from podkit.studio.options import StudioOptions  # noqa: E402
from tests.speech import librivox, wer  # noqa: E402
from tests.test_studio import (  # noqa: E402
    RATE,
    hum,
    line_db,
    lufs,
    power_db,
    read,
    room_noise,
    transcript_text,
    two_voices,
    write,
)


def ffmpeg_filter(src: Path, out: Path, af: str) -> float:
    start = time.perf_counter()
    args = ["-nostdin", "-v", "error", "-y", "-i", str(src), "-af", af, "-c:a", "pcm_f32le", str(out)]
    subprocess.run(["ffmpeg", *args], check=True)
    return time.perf_counter() - start


def podkit_step(src: Path, out: Path, options: StudioOptions) -> float:
    start = time.perf_counter()
    process(src, out, options, analyse(src, options))
    return time.perf_counter() - start


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))


# -- 1. leveler --------------------------------------------------------------------------------


def bench_leveler(tmp: Path, use_wer: bool) -> list[dict]:
    v = two_voices(tmp)
    src = write(tmp / "voices.wav", v.mixed)
    x = read(src)[:, 0]
    variants = {"input": (src, 0.0)}
    out = tmp / "lev-podkit.wav"
    variants["podkit leveler"] = (out, podkit_step(src, out, StudioOptions(leveler=True, dehum=False)))
    for name, af in (("ffmpeg speechnorm", "speechnorm"), ("ffmpeg dynaudnorm", "dynaudnorm")):
        out = tmp / f"lev-{name.split()[1]}.wav"
        variants[name] = (out, ffmpeg_filter(src, out, af))
    rows = []
    for name, (path, seconds) in variants.items():
        y = read(path)[:, 0][: len(x)]
        a = np.concatenate([y[s:e] for s, e, who in v.turns if who == "en-us"])
        b = np.concatenate([y[s:e] for s, e, who in v.turns if who != "en-us"])
        overall = lufs(y) - lufs(x)
        lift = power_db(y[v.pauses()]) - power_db(x[v.pauses()]) - overall
        spreads = []
        for s, e, _ in v.turns:
            mid = slice(s + int(0.3 * RATE), e - int(0.3 * RATE))
            loud = np.abs(x[mid]) > 0.05 * np.abs(x[mid]).max()
            ratio = 20 * np.log10(np.abs(y[mid][loud]) + 1e-9) - 20 * np.log10(np.abs(x[mid][loud]) + 1e-9)
            spreads.append(np.percentile(ratio, 95) - np.percentile(ratio, 5))
        rows.append(
            {
                "step": name,
                "apart_lu": abs(lufs(a) - lufs(b)),
                "pause_noise_db": lift,
                "gain_spread_in_turn_db": float(np.median(spreads)),
                "wer": wer(v.text, transcript_text(path)) if use_wer else None,
                "seconds": seconds,
            }
        )
    table(
        "1. leveler: two voices 10 LU apart over room noise (36 s)",
        ["step", "voices apart LU", "pause noise dB", "gain spread in a turn dB", "WER", "time s"],
        [
            [r["step"], fmt(r["apart_lu"]), fmt(r["pause_noise_db"]), fmt(r["gain_spread_in_turn_db"]),
             fmt(r["wer"] and r["wer"] * 100) + ("%" if r["wer"] is not None else ""), fmt(r["seconds"], 2)]
            for r in rows
        ],
    )  # fmt: skip
    return rows


# -- 2. noise ----------------------------------------------------------------------------------


def readings(tmp: Path) -> tuple[np.ndarray, np.ndarray, str]:
    clips = list(librivox().values())[:3]
    gap = np.zeros(int(0.8 * RATE), np.float32)
    parts = [gap]
    for c in clips:
        parts += [read(c.path)[:, 0], gap]
    clean = np.concatenate(parts)
    frames = clean[: len(clean) // 441 * 441].reshape(-1, 441)
    level = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-20)
    active = np.repeat(level > level.max() - 35, 441)
    active = np.concatenate([active, np.zeros(len(clean) - len(active), bool)])
    return clean, active, " ".join(c.reference for c in clips)


def aligned(y: np.ndarray, clean: np.ndarray, most: int = 4096) -> np.ndarray:
    """``y`` shifted onto ``clean`` (afftdn's output is not where its input was) and cut to its length."""
    from scipy import signal

    c = signal.correlate(y[: len(clean)], clean, mode="full", method="fft")
    centre = len(clean) - 1
    lag = int(np.argmax(np.abs(c[centre - most : centre + most + 1]))) - most
    y = (
        np.concatenate([y[lag:], np.zeros(max(lag, 0), y.dtype)])
        if lag >= 0
        else np.concatenate([np.zeros(-lag, y.dtype), y])
    )
    return np.pad(y, (0, max(0, len(clean) - len(y))))[: len(clean)]


def snr(y: np.ndarray, active: np.ndarray) -> float:
    quiet = ~active
    quiet[: int(0.2 * RATE)] = False
    on, off = np.mean(np.square(y[active], dtype=np.float64)), np.mean(np.square(y[quiet], dtype=np.float64))
    return float(10 * np.log10(max(on - off, 1e-30) / off))


def si_sdr(y: np.ndarray, clean: np.ndarray) -> float:
    a = np.dot(y, clean) / np.dot(clean, clean)
    target = a * clean
    return float(10 * np.log10(np.sum(target**2) / np.sum((y - target) ** 2)))


NOISES = (("room", 10), ("room", 20), ("hiss", 5))  # (kind, SNR in dB)
WER_AT = (("room", 10), ("hiss", 5))
NEURAL = "podkit denoise deepfilternet"


def bench_noise(tmp: Path, use_wer: bool) -> list[dict]:
    clean, active, text = readings(tmp)
    clean_wer = wer(text, transcript_text(write(tmp / "clean.wav", clean))) if use_wer else None
    rows = [
        {"noise": None, "snr_in": None, "step": "clean speech", "snr": None, "si_sdr": None, "wer": clean_wer,
         "seconds": 0.0}
    ]  # fmt: skip
    for kind, snr_in in NOISES:
        power = np.mean(np.square(clean[active]))
        unit = (
            room_noise(len(clean), seed=snr_in)
            if kind == "room"
            else np.random.default_rng(snr_in).standard_normal(len(clean)).astype(np.float32)
        )
        noisy = clean + unit * np.float32(np.sqrt(power / 10 ** (snr_in / 10)))
        src = write(tmp / f"noisy-{kind}-{snr_in}.wav", noisy)
        variants = {"noisy input": (src, 0.0)}
        out = tmp / f"dn-podkit-{kind}-{snr_in}.wav"
        variants["podkit denoise"] = (out, podkit_step(src, out, StudioOptions(denoise=True, dehum=False)))
        out = tmp / f"dn-neural-{kind}-{snr_in}.wav"
        neural = StudioOptions(denoise=True, denoise_model="deepfilternet", dehum=False)
        variants[NEURAL] = (out, podkit_step(src, out, neural))
        floor = f"{10 * np.log10(power) - snr_in:.0f}"  # the noise's level, told to afftdn
        for name, af in (
            ("ffmpeg afftdn", "afftdn"),
            (f"ffmpeg afftdn nr=18 nf={floor} tn=1", f"afftdn=nr=18:nf={floor}:tn=1"),
        ):
            out = tmp / f"dn-{len(variants)}-{kind}-{snr_in}.wav"
            variants[name] = (out, ffmpeg_filter(src, out, af))
        for name, (path, seconds) in variants.items():
            y = aligned(read(path)[:, 0], clean)
            scored = use_wer and (kind, snr_in) in WER_AT and "nr=" not in name
            rows.append(
                {
                    "noise": kind,
                    "snr_in": snr_in,
                    "step": name,
                    "snr": snr(y, active),
                    "si_sdr": si_sdr(y, clean),
                    "wer": wer(text, transcript_text(path)) if scored else None,
                    "seconds": seconds,
                }
            )
    table(
        "2. noise: three LibriVox readings (19 s) with room noise and hiss (WER at 10 dB room, 5 dB hiss)",
        ["noise", "SNR in", "step", "SNR dB", "SI-SDR dB", "WER", "time s"],
        [
            [r["noise"] or "-", fmt(r["snr_in"], 0), r["step"], fmt(r["snr"]), fmt(r["si_sdr"]),
             fmt(r["wer"] and r["wer"] * 100) + ("%" if r["wer"] is not None else ""), fmt(r["seconds"], 2)]
            for r in rows
        ],
    )  # fmt: skip
    return rows


# -- 3. hum ------------------------------------------------------------------------------------


def notches(f0: float) -> str:
    return ",".join(f"bandreject=f={k * f0:g}:width_type=h:w={max(1.0, 0.01 * k * f0):g}" for k in range(1, 9))


def bench_hum(tmp: Path) -> list[dict]:
    v = two_voices(tmp)
    rows = []
    for f0 in (50.0, 60.0):
        x = v.mixed + hum(len(v.clean), f0, -35.0)
        src = write(tmp / f"hum-{f0:.0f}.wav", x)
        found = analyse(src, StudioOptions(dehum=True))
        out = tmp / f"dehum-{f0:.0f}.wav"
        variants = {"podkit dehum": (out, podkit_step(src, out, StudioOptions(dehum=True)))}
        for mains in (50.0, 60.0):
            out = tmp / f"notch{mains:.0f}-{f0:.0f}.wav"
            variants[f"fixed {mains:.0f} Hz notches"] = (out, ffmpeg_filter(src, out, notches(mains)))
        for name, (path, seconds) in variants.items():
            y = read(path)[:, 0][: len(x)]
            reduction = min(line_db(x, k * f0) - line_db(y, k * f0) for k in range(1, 5))
            rows.append(
                {
                    "hum_hz": f0,
                    "step": name,
                    "found_hz": found.hum.fundamental if name.startswith("podkit") and found.hum else None,
                    "least_reduction_db": reduction,
                    "speech_change_lu": lufs(y[v.active]) - lufs(x[v.active]),
                    "seconds": seconds,
                }
            )
    table(
        "3. hum: speech with mains hum at -35 dB (36 s)",
        ["hum", "step", "found Hz", "least reduction, harmonics 1-4, dB", "speech change LU", "time s"],
        [
            [fmt(r["hum_hz"], 0), r["step"], fmt(r["found_hz"], 2), fmt(r["least_reduction_db"]),
             fmt(r["speech_change_lu"], 2), fmt(r["seconds"], 2)]
            for r in rows
        ],
    )  # fmt: skip
    return rows


# -- 4. time and memory ------------------------------------------------------------------------

CHILD = """
import json, sys, time
from pathlib import Path
from podkit.normalise import normalise
from podkit.studio.chain import analyse, process
from podkit.studio.options import StudioOptions
src, work, step = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
options = {
    "normalise": None,
    "dehum": StudioOptions(dehum=True),
    "denoise": StudioOptions(denoise=True, dehum=False),
    "denoise deepfilternet": StudioOptions(denoise=True, denoise_model="deepfilternet", dehum=False),
    "leveler": StudioOptions(leveler=True, dehum=False),
    "whole chain + normalise": StudioOptions(leveler=True, denoise=True, dehum=True),
    "whole chain deepfilternet + normalise": StudioOptions(
        leveler=True, denoise=True, denoise_model="deepfilternet", dehum=True
    ),
}[step]
start = time.perf_counter()
source = src
if options is not None:
    found = analyse(src, options)
    source = work / "studio.wav"
    process(src, source, options, found)
if step == "normalise" or step.endswith("+ normalise"):
    normalise(source, work / "out.mp3")
seconds = time.perf_counter() - start
# VmHWM: this process's own peak (ru_maxrss would carry the parent's from before exec)
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "rss_mb": hwm / 1024}))
"""


def long_material(minutes: int) -> Path:
    """M minutes of real speech with 50 Hz hum and room noise, as an MP3 (as a host uploads)."""
    out = media.CACHE / f"studio-{minutes}min.mp3"
    if out.exists():
        return out
    speech = media.long_speech_mp3(minutes)
    sines = [f"sine=f={50 * k}:r=44100:d={minutes * 60}" for k in range(1, 5)]
    inputs = ["-i", str(speech)]
    for s in sines:
        inputs += ["-f", "lavfi", "-i", s]
    inputs += ["-f", "lavfi", "-i", f"anoisesrc=c=pink:r=44100:a=0.003:d={minutes * 60}"]
    hums = "".join(f"[{i + 1}:a]volume={0.02 / (i + 1):g}[h{i}];" for i in range(4))
    graph = hums + "[0:a][h0][h1][h2][h3][5:a]amix=inputs=6:normalize=0:duration=first"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *inputs, "-filter_complex", graph,
                    "-c:a", "libmp3lame", "-b:a", "128k", str(out)], check=True)  # fmt: skip
    return out


TIME_STEPS = (
    "normalise",
    "dehum",
    "denoise",
    "denoise deepfilternet",
    "leveler",
    "whole chain + normalise",
    "whole chain deepfilternet + normalise",
)


def bench_time(minutes: list[int], steps: tuple[str, ...] = TIME_STEPS) -> list[dict]:
    rows = []
    for m in minutes:
        src = long_material(m)
        for step in steps:
            with tempfile.TemporaryDirectory(prefix="podkit-bench-") as work:
                env = {**os.environ, "PYTHONPATH": str(ROOT)}
                cmd = [sys.executable, "-c", CHILD, str(src), work, step]
                proc = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT, env=env)
                got = json.loads(proc.stdout.strip().splitlines()[-1])
            rows.append({"minutes": m, "step": step, **got})
    for r in rows:
        base = next(x for x in rows if x["minutes"] == r["minutes"] and x["step"] == "normalise")
        r["x_normalise"] = r["seconds"] / base["seconds"]
    table(
        "4. time and peak memory on speech with hum and noise (MP3), each step in its own process",
        ["minutes", "step", "wall s", "x normalise", "peak RSS MB"],
        [
            [str(r["minutes"]), r["step"], fmt(r["seconds"]), fmt(r["x_normalise"], 2), fmt(r["rss_mb"], 0)]
            for r in rows
        ],
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-wer", action="store_true", help="skip the word error (no transcription)")
    parser.add_argument("--long", action="store_true", help="time and memory on 10 and 60 minutes")
    parser.add_argument("--minutes", type=int, nargs="+", help="lengths for the time table (default 1 2)")
    args = parser.parse_args()
    minutes = args.minutes or ([10, 60] if args.long else [1, 2])
    use_wer = not args.no_wer
    with tempfile.TemporaryDirectory(prefix="podkit-studio-bench-") as tmp:
        work = Path(tmp)
        lev = bench_leveler(work, use_wer)
        noise = bench_noise(work, use_wer)
        hums = bench_hum(work)
    timing = bench_time(minutes)
    verdicts = {}
    p = next(r for r in lev if r["step"] == "podkit leveler")
    verdicts["leveler"] = results.verdict(
        f"leveler: voices {p['apart_lu']:.1f} LU apart (target <= 1.5), pause noise {p['pause_noise_db']:+.1f} dB "
        "(target <= 3)",
        p["apart_lu"] <= 1.5 and p["pause_noise_db"] <= 3.0,
        apart_lu=p["apart_lu"],
        pause_noise_db=p["pause_noise_db"],
    )
    at = lambda kind, snr_in, step: next(
        r for r in noise if r["noise"] == kind and r["snr_in"] == snr_in and r["step"] == step
    )
    noisy10, den10 = at("room", 10, "noisy input"), at("room", 10, "podkit denoise")
    verdicts["denoise"] = results.verdict(
        f"denoise at 10 dB SNR: {den10['snr']:.1f} dB out (target >= {noisy10['snr'] + 10:.1f})",
        den10["snr"] >= noisy10["snr"] + 10,
        snr_in=noisy10["snr"],
        snr_out=den10["snr"],
    )
    if use_wer:
        clean_wer = noise[0]["wer"]
        pairs = [(k, s, at(k, s, "noisy input")["wer"], at(k, s, NEURAL)["wer"]) for k, s in WER_AT]
        verdicts["denoise_wer"] = results.verdict(
            "deepfilternet word error: "
            + ", ".join(f"{k} {s} dB {n * 100:.1f}% noisy -> {d * 100:.1f}%" for k, s, n, d in pairs)
            + f", clean {clean_wer * 100:.1f}% (target: no worse than noisy, and close to clean: within 5 points)",
            all(d <= n and d <= clean_wer + 0.05 for _, _, n, d in pairs),
            clean=clean_wer,
            noisy=[n for *_, n, _ in pairs],
            deepfilternet=[d for *_, d in pairs],
        )
    least = min(r["least_reduction_db"] for r in hums if r["step"] == "podkit dehum")
    verdicts["dehum"] = results.verdict(
        f"dehum: harmonics 1-4 down at least {least:.1f} dB (target >= 20)", least >= 20, least_db=least
    )
    longest = max(minutes)
    for key, step in (
        ("time", "whole chain + normalise"),
        ("time_deepfilternet", "whole chain deepfilternet + normalise"),
    ):
        chain = next(r for r in timing if r["minutes"] == longest and r["step"] == step)
        verdicts[key] = results.verdict(
            f"{step} on {longest} min: {chain['x_normalise']:.2f}x normalise alone (target < 2)",
            chain["x_normalise"] < 2.0,
            x_normalise=chain["x_normalise"],
        )
    rss = [r["rss_mb"] for r in timing if r["step"] == "whole chain + normalise"]
    verdicts["memory"] = results.verdict(
        f"peak RSS of the whole chain: {', '.join(f'{x:.0f}' for x in rss)} MB at {minutes} min (flat in duration)",
        max(rss) <= min(rss) * 1.2 + 20,
        rss_mb=rss,
    )
    print()
    for v in verdicts.values():
        print(("PASS " if v["pass"] else "FAIL ") + v["line"])
    rows = [{"table": "leveler", **r} for r in lev] + [{"table": "noise", **r} for r in noise]
    rows += [{"table": "hum", **r} for r in hums] + [{"table": "time", **r} for r in timing]
    results.write("studio", args=args, rows=rows, verdicts=verdicts)


if __name__ == "__main__":
    main()

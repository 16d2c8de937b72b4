"""Recordings streamed to a Whisper engine in windows cut at pauses.

``transcribe_file`` streams the recording (16 kHz mono; or one track per channel when the
speakers sit on separate channels) to the engine in windows cut at pauses, and returns a
``Transcript`` on the whole file's clock. Each window gets the previous one's last words as
context, after the show's names (``vocabulary.lead``: "Mara Quill, Skylark. <last words>");
a window whose text loops or whose words leave a passage of speech uncovered (what such
context now and then sets off) is transcribed again without the last words, and the better
kept.
On three 15-minute roundups this took word error from 0.205/0.320 to 0.186/0.220 where the
context had made Whisper skip a sponsor read and a story's opening.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..errors import MediaError
from ..ffmpeg import Decoder, probe
from ..records import Progress, Segment, Transcript, Word
from ..text import ends_sentence, join_words
from .engines import SAMPLE_RATE, Engine, make_engine
from .models import resolve
from .options import TranscribeOptions
from .vocabulary import glossary, lead
from .voices import label_speakers

log = logging.getLogger(__name__)

WINDOW_S = 300.0  # audio handed to an engine at once: memory follows this, not the recording
SEARCH_S = 20.0  # how far either side of a window's end to look for a pause to cut at
_FRAME = SAMPLE_RATE // 10  # 100 ms energy frames for finding that pause


def quietest_cut(audio: np.ndarray, lo: int, hi: int) -> int:
    """A sample in ``[lo, hi)`` in the middle of its quietest 300 ms: a pause between words, so
    no word is split between two windows. Of several such pauses, the one nearest the middle
    of the range, so windows keep their length."""
    n = (hi - lo) // _FRAME
    if n < 3:
        return hi
    frames = audio[lo : lo + n * _FRAME].reshape(n, _FRAME).astype(np.float64)
    energy = np.einsum("ij,ij->i", frames, frames)
    smooth = np.convolve(energy, np.ones(3), mode="valid")  # 300 ms
    floor = 3 * _FRAME * 1e-6  # -60 dBFS: quiet enough that nothing is being said
    quiet = np.flatnonzero(smooth <= max(2 * smooth.min(), floor))
    best = int(quiet[np.argmin(np.abs(quiet - (len(smooth) - 1) / 2))]) + 1
    return lo + best * _FRAME + _FRAME // 2


def audio_windows(
    path: Path, *, channels: int = 1, channel: int = 0, window_s: float = WINDOW_S
) -> Iterator[tuple[float, np.ndarray]]:
    """Stream ``path`` as 16 kHz mono windows of about ``window_s`` seconds, each cut in a
    pause, with its start in seconds. ``channel`` picks one of ``channels`` decoded channels.
    About two windows are held at a time, whatever the recording's length."""
    window = int(window_s * SAMPLE_RATE)
    search = min(int(SEARCH_S * SAMPLE_RATE), window // 4)
    dec = Decoder(path, rate=SAMPLE_RATE, channels=channels, chunk_frames=SAMPLE_RATE * 10)
    pending: list[np.ndarray] = []
    held = 0
    offset = 0
    for chunk in dec.chunks():
        pending.append(np.ascontiguousarray(chunk[:, channel]))
        held += len(chunk)
        if held < window + search:
            continue
        buffer = np.concatenate(pending)
        cut = quietest_cut(buffer, window - search, window + search)
        yield offset / SAMPLE_RATE, buffer[:cut]
        offset += cut
        pending, held = [buffer[cut:]], len(buffer) - cut
    if held:
        yield offset / SAMPLE_RATE, np.concatenate(pending)


LOOP_WORDS = 12  # words caught repeating one phrase that make a window's transcript a loop


def _loop_runs(keys: list[str]) -> list[tuple[int, int, int]]:
    """(first index, phrase length, repeats) of every run of a phrase of 1-4 words said
    again and again back to back: 4 times or more for a phrase, 8 for a single word."""
    runs = []
    for n in range(1, 5):
        least = 8 if n == 1 else 4
        i = 0
        while i + 2 * n <= len(keys):
            repeats = 1
            while keys[i + repeats * n : i + (repeats + 1) * n] == keys[i : i + n]:
                repeats += 1
            if repeats >= least:
                runs.append((i, n, repeats))
                i += repeats * n
            else:
                i += 1
    return runs


def looped_words(segments: list[Segment]) -> int:
    """The most words in one run of a phrase of 1-4 words said again and again back to back
    ("Caro My Caro My Caro My ..."): 4 times or more for a phrase, 8 for a single word."""
    words = [w for seg in segments for w in re.findall(r"[\w']+", seg.text.lower())]
    return max((n * repeats for _, n, repeats in _loop_runs(words)), default=0)


def drop_loops(segments: list[Segment]) -> list[Segment]:
    """``segments`` with each loop (above) said once: Whisper, given the show's names as a
    prompt, now and then fills a short passage with "Mm-hmm. Mm-hmm. ..." where someone
    spoke; what it invented is not published. Segments left with no word go; the others'
    text and times follow their words."""
    words = [(k, w) for k, seg in enumerate(segments) for w in seg.words]
    keys = ["".join(re.findall(r"[\w']+", w.text.lower())) for _, w in words]
    drop: set[int] = set()
    for i, n, repeats in _loop_runs(keys):
        drop.update(range(i + n, i + n * repeats))
    if not drop:
        return segments
    kept: dict[int, list[Word]] = {}
    for j, (k, w) in enumerate(words):
        if j not in drop:
            kept.setdefault(k, []).append(w)
    out = []
    for k, seg in enumerate(segments):
        if not seg.words:
            out.append(seg)
        elif k in kept:
            seg.words = kept[k]
            seg.start, seg.end = seg.words[0].start, seg.words[-1].end
            seg.text = join_words(w.text for w in seg.words)
            out.append(seg)
    log.info("a loop of %d words said once", len(drop))
    return out


def _prompt(segments: list[Segment], limit: int = 600) -> str | None:
    """The last words said, as the next window's context (what Whisper's own
    ``condition_on_previous_text`` carries from one 30 s window to the next)."""
    text = " ".join(s.text for s in segments[-8:])[-limit:]
    return text.split(" ", 1)[-1] if len(text) == limit else (text or None)


UNHEARD_S = 10.0  # seconds of speech a window's words leave out before it is done again
_GAP_S = 4.0  # a gap between words at least this long is looked into


def unheard(segments: list[Segment], audio: np.ndarray, offset: float) -> float:
    """Seconds of speech in ``audio`` (starting at ``offset`` s) that no word covers: the
    100 ms frames within 30 dB of the window's loud frames, in the gaps of at least 4 s
    between words. Whisper given the previous window's words as a prompt now and then skips
    a whole passage (a sponsor read); this is how such a window is recognised."""
    voiced = _voiced_frames(audio)
    if len(voiced) == 0:
        return 0.0
    n = len(voiced)
    times = sorted((w.start - offset, w.end - offset) for seg in segments for w in (seg.words or []))
    edges = [(-1.0, 0.0), *times, (n / 10, n / 10 + 1.0)]
    missed = 0
    for (_, end), (start, _) in itertools.pairwise(edges):
        if start - end >= _GAP_S:
            missed += int(voiced[max(0, round(end * 10)) : max(0, round(start * 10))].sum())
    return missed / 10


def _badness(segments: list[Segment], audio: np.ndarray, offset: float) -> tuple[bool, float]:
    return looped_words(segments) >= LOOP_WORDS, unheard(segments, audio, offset)


@functools.lru_cache(maxsize=16)
def _glossary(vocabulary: tuple[str, ...]) -> str | None:
    return glossary(vocabulary)


def _window(
    engine: Engine,
    audio: np.ndarray,
    offset: float,
    options: TranscribeOptions,
    language: str | None,
    prompt: str | None,
    condition: bool,
    progress: Progress | None,
    label: str,
    total: float | None,
) -> tuple[str, list[Segment]]:
    """One window transcribed: (its language, its segments on the whole file's clock)."""
    result = engine.transcribe(
        audio,
        language=language,
        beam_size=options.beam_size,
        vad=options.vad,
        batch_size=options.batch_size if options.batched else 0,
        prompt=prompt,
        condition=condition,
    )
    found = []
    voiced = _voiced_frames(audio)
    for seg in result.segments:  # the work happens here: the iterator is lazy
        if seg.end - seg.start <= SHORT_S and _voiced_share(voiced, seg.start, seg.end) < VOICED_SHARE:
            log.info("dropped %r at %.1f s: no speech under it", seg.text, offset + seg.start)
            continue
        seg.shift(offset)
        found.append(seg)
        if progress:
            progress(label, seg.end, total)
    return result.language, found


SHORT_S = 3.0  # a segment this short with next to no speech under it was invented ...
VOICED_SHARE = 0.2  # ... when under this share of its 100 ms frames carry speech


def _voiced_frames(audio: np.ndarray) -> np.ndarray:
    """Per 100 ms frame: loud enough to be speech (within 30 dB of the window's loud frames)."""
    n = len(audio) // _FRAME
    if n == 0:
        return np.zeros(0, dtype=bool)
    frames = audio[: n * _FRAME].reshape(n, _FRAME).astype(np.float64)
    rms = np.sqrt(np.einsum("ij,ij->i", frames, frames) / _FRAME)
    return np.asarray(rms > max(float(np.percentile(rms, 95)) * 10 ** (-30 / 20), 1e-3))


def _voiced_share(voiced: np.ndarray, start: float, end: float) -> float:
    """The share of speech frames between ``start`` and ``end`` (seconds into the window).
    Whisper's "Thank you." written into the silence after the last words has none."""
    span = voiced[max(0, int(start * 10)) : max(0, int(np.ceil(end * 10)))]
    return float(span.mean()) if len(span) else 0.0


FILL_GAP_S = 1.0  # batched: a gap between words this long ...
FILL_VOICED_S = 0.8  # ... with this much speech in it is transcribed again, one at a time


def _fill_gaps(
    engine: Engine,
    audio: np.ndarray,
    offset: float,
    options: TranscribeOptions,
    language: str | None,
    prompt: str | None,
    found: list[Segment],
) -> list[Segment]:
    """The batched pipeline decodes each 30 s chunk of speech alone and now and then ends a
    chunk early, leaving its last sentence out. Each gap between words that still holds
    speech is transcribed again on its own (not batched), and what is heard inside it added."""
    voiced = _voiced_frames(audio)
    times = sorted((w.start - offset, w.end - offset) for seg in found for w in seg.words)
    edges = [(0.0, 0.0), *times, (len(voiced) / 10, len(voiced) / 10)]
    added: list[Segment] = []
    for (_, gap_start), (gap_end, _) in itertools.pairwise(edges):
        if gap_end - gap_start < FILL_GAP_S:
            continue
        if voiced[int(gap_start * 10) : int(np.ceil(gap_end * 10))].sum() / 10 < FILL_VOICED_S:
            continue
        lo, hi = max(0.0, gap_start - 0.1), min(len(audio) / SAMPLE_RATE, gap_end + 0.1)
        piece = audio[int(lo * SAMPLE_RATE) : int(hi * SAMPLE_RATE)]

        def heard(given: str | None, piece: np.ndarray = piece) -> list[Segment]:
            return list(
                engine.transcribe(
                    piece,
                    language=language,
                    beam_size=options.beam_size,
                    vad=options.vad,
                    batch_size=0,
                    prompt=given,
                    condition=False,
                ).segments
            )

        segs = heard(prompt)
        if prompt and looped_words(segs) >= LOOP_WORDS:  # the names set off a loop: heard without them
            again = heard(None)
            segs = again if looped_words(again) < looped_words(segs) else segs
        for seg in drop_loops(segs):
            seg.words = [w for w in seg.words if gap_start - 0.05 <= w.start + lo and w.end + lo <= gap_end + 0.05]
            if not seg.words:
                continue
            seg.shift(offset + lo)
            seg.start, seg.end = seg.words[0].start, seg.words[-1].end
            seg.text = join_words(w.text for w in seg.words)
            added.append(seg)
    if added:
        log.info("batched: %d passage(s) heard again one at a time near %.0f s", len(added), offset)
    return sorted([*found, *added], key=lambda s: (s.start, s.end))


SPLIT_GAP_S = 1.0  # batched: a segment is cut where its words pause this long, and at a sentence's end


def _sentences(segments: list[Segment]) -> list[Segment]:
    """Batched, faster-whisper returns a chunk of up to 30 s as one segment; one at a time,
    Whisper's own timestamps cut it about at sentences. Cut batched segments the same way, at
    sentence ends and at pauses between words: segments are what the transcript's paragraphs,
    speaker turns and the notes' sentences are made of."""
    out: list[Segment] = []
    for seg in segments:
        pieces: list[list[Word]] = []
        for word in seg.words:
            if not pieces or (word.start - pieces[-1][-1].end >= SPLIT_GAP_S or ends_sentence(pieces[-1][-1].text)):
                pieces.append([])
            pieces[-1].append(word)
        if len(pieces) < 2:
            out.append(seg)
            continue
        for words in pieces:
            out.append(Segment(words[0].start, words[-1].end, join_words(w.text for w in words), words, seg.speaker))
    return out


def _run(
    engine: Engine,
    path: Path,
    options: TranscribeOptions,
    speaker: str | None,
    progress: Progress | None,
    label: str,
    *,
    channels: int = 1,
    channel: int = 0,
    total: float | None = None,
    window_s: float = WINDOW_S,
) -> tuple[str, float, list[Segment]]:
    """Transcribe one track of ``path`` window by window; timings are on the whole file."""
    segments: list[Segment] = []
    language, detected, end = options.language, None, 0.0
    names = _glossary(options.vocabulary)  # None without a vocabulary: prompts as they were
    for offset, audio in audio_windows(path, channels=channels, channel=channel, window_s=window_s):
        context = (engine, audio, offset, options, language)
        prompt = lead(names, _prompt(segments))
        window_language, found = _window(*context, prompt, True, progress, label, total)
        # Batched, each 30 s chunk is decoded alone and a passage left out is heard again on
        # its own below (_fill_gaps): the whole window is done again only for a loop.
        skipped = not options.batched and unheard(found, audio, offset) >= UNHEARD_S
        if looped_words(found) >= LOOP_WORDS or skipped:
            # Whisper fell into a loop ("Caro My Caro My ...") or skipped a passage, which the
            # previous words it is given as context can set off: transcribe the window again
            # without them (the show's names still given), and keep the better of the two.
            log.info("%s: a loop or a skipped passage near %.0f s; transcribing that window again", path, offset)
            retry_language, retry = _window(*context, names, False, progress, label, total)
            if _badness(retry, audio, offset) < _badness(found, audio, offset):
                window_language, found = retry_language, retry
            found = drop_loops(found)
        if options.batched:
            # Cut into sentences first: a chunk's one segment spans the gaps heard again, and
            # the pieces and what fills the gaps are then put in time order together.
            found = _fill_gaps(engine, audio, offset, options, language or window_language, names, _sentences(found))
        before = len(segments)
        for seg in found:
            seg.speaker = speaker
            segments.append(seg)
        detected = detected or window_language
        if language is None and len(segments) > before:
            language = window_language  # detected once, on the first window with speech
        end = offset + len(audio) / SAMPLE_RATE
        if progress:
            progress(label, end, total)
    return language or detected or "en", end, segments


def transcribe_file(
    path: str | Path,
    options: TranscribeOptions | None = None,
    *,
    speakers: tuple[str, ...] = (),
    tracks: str | None = None,
    progress: Progress | None = None,
    window_s: float = WINDOW_S,
) -> Transcript:
    """Transcribe ``path``. With ``tracks="channels"`` each channel is one speaker
    (``speakers`` names them in channel order); their segments are merged by time. On one
    track, one name is every segment's speaker, and two or more are told apart by their
    voices (``voices.label_speakers``).

    The recording is streamed in windows of ``window_s`` seconds cut at pauses, so memory
    stays flat for a three-hour recording."""
    path = Path(path)
    options = options or TranscribeOptions()
    engine = make_engine(options.engine, resolve(options.model), device=options.device, threads=options.threads)
    info = probe(path)
    if tracks == "channels":
        if info.channels < 2:
            raise MediaError(
                f'tracks = "channels" needs one speaker per channel, and this recording has {info.channels} '
                "channel; remove tracks from its sidecar or export both channels",
                path=path,
            )
        merged: list[Segment] = []
        language, duration = "en", 0.0
        for ch in range(info.channels):
            name = speakers[ch] if ch < len(speakers) else f"Speaker {ch + 1}"
            language, duration, segs = _run(
                engine,
                path,
                options,
                name,
                progress,
                f"transcribing {name}",
                channels=info.channels,
                channel=ch,
                total=info.duration,
                window_s=window_s,
            )
            merged.extend(segs)
        merged.sort(key=lambda s: (s.start, s.end))
        return Transcript(language, duration, merged)
    speaker = speakers[0] if len(speakers) == 1 else None
    language, duration, segs = _run(
        engine, path, options, speaker, progress, "transcribing", total=info.duration, window_s=window_s
    )
    transcript = Transcript(language, duration, segs)
    if len(speakers) >= 2:  # several people on one track: who speaks when, from their voices
        transcript = label_speakers(path, transcript, speakers, progress)
    return transcript


def transcribe_tracks(
    paths: list[Path],
    options: TranscribeOptions | None = None,
    *,
    speakers: tuple[str, ...] = (),
    offset: float = 0.0,
    duration: float | None = None,
    progress: Progress | None = None,
) -> Transcript:
    """One file per speaker: each transcribed alone, then merged by time.

    ``offset`` seconds are taken off every timing (the silence normalise trimmed from the
    mix), and speech outside ``[0, duration]`` is dropped, so the timings match the mix.
    """
    options = options or TranscribeOptions()
    engine = make_engine(options.engine, resolve(options.model), device=options.device, threads=options.threads)
    merged: list[Segment] = []
    language, longest = "en", 0.0
    for i, path in enumerate(paths):
        name = speakers[i] if i < len(speakers) else Path(path).stem
        language, length, segs = _run(
            engine, Path(path), options, name, progress, f"transcribing {name}", total=probe(Path(path)).duration
        )
        longest = max(longest, length)
        for seg in segs:
            seg.shift(-offset)
            merged.append(seg)
    end = duration if duration is not None else longest - offset
    kept = [s for s in merged if s.end > 0 and s.start < end]
    for seg in kept:
        seg.words = [w for w in seg.words if w.end > 0 and w.start < end]
        for w in seg.words:
            w.start, w.end = max(0.0, w.start), min(end, w.end)
        seg.start, seg.end = max(0.0, seg.start), min(end, seg.end)
    kept.sort(key=lambda s: (s.start, s.end))
    return Transcript(language, end, kept)

"""``podkit init``: a new show folder with a commented ``podkit.toml``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..fsutil import write_text
from ..normalise.options import NormaliseOptions
from ..notes.options import NotesOptions
from ..tag.options import TagOptions
from ..transcribe.options import TranscribeOptions
from .schema import validate
from .show import CONFIG_NAME, SHOW_KEYS


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a TOML basic string


def render_show_toml(
    *,
    title: str,
    author: str,
    email: str,
    url: str,
    language: str = "en",
    category: str = "Technology",
    explicit: bool = False,
) -> str:
    d, t, n, g = NormaliseOptions(), TranscribeOptions(), NotesOptions(), TagOptions()
    return f"""\
# podkit show settings. Every key is checked when podkit loads this file.

title = {_q(title)}
author = {_q(author)}
# The feed's owner address (itunes:owner).
email = {_q(email)}
# Where public/ is published: media, pages and the feed are served from here.
url = {_q(url)}
language = {_q(language)}
# Apple Podcasts category: "Top" or "Top/Sub", e.g. "News/Tech News".
category = {_q(category)}
explicit = {str(explicit).lower()}
description = ""
# Cover image: JPEG or PNG, square, at least 1400 px (3000 px is best).
# cover = "cover.png"
# Owner name; defaults to author.
# owner = ""
# Feed URL; defaults to <url>/feed.xml.
# feed_url = ""
# "episodic" (newest first) or "serial".
# type = "episodic"
# Podcasting 2.0 extras: where listeners can support the show, the hosts' names, and
# whether other hosting services may import the feed (locked = true says no).
# funding_url = "https://example.com/support"
# funding_text = "Support the show"
# hosts = ["Ana Host"]
# locked = true
# Names and terms the transcription should spell right (podkit adds the show title, author,
# hosts, and each episode's speakers, title, links and rundown on its own).
# vocabulary = ["Ana Host", "Skylark"]

# What directories and hosts ask for (the feed):
# podroll = ["https://other-show.example.org/feed.xml"]  # shows you recommend: feed URLs or GUIDs
# op3 = true                  # count downloads with OP3 (https://op3.dev): enclosure URLs go through it
# websub_hub = "https://pubsubhubbub.appspot.com/"  # apps hear of each new episode at once
# podping = true              # you (or your host) send podpings for this feed
# Moving or ending the show (Apple acts on these):
# new_feed_url = "https://new-host.example.com/feed.xml"
# complete = true             # no more episodes will come
# block = true                # keep the show out of Apple Podcasts
# After each publish that changed public/: a shell command, run in the show folder with
# PODKIT_PUBLIC_DIR and PODKIT_FEED set (upload with rsync, rclone or aws-cli).
# after_publish = 'rsync -a --delete "$PODKIT_PUBLIC_DIR/" me@host:/srv/podcast/'
# after_publish_timeout = 600

[normalise]
# Integrated loudness in LUFS (ITU-R BS.1770-4), for stereo and mono recordings.
target_stereo = {d.target_stereo}
target_mono = {d.target_mono}
# True-peak ceiling in dBTP.
true_peak = {d.true_peak}
# MP3 CBR bitrates in kbit/s.
bitrate_stereo = {d.bitrate_stereo}
bitrate_mono = {d.bitrate_mono}
# Trim leading and trailing silence (speech is never cut).
trim_silence = {str(d.trim_silence).lower()}

[transcribe]
# faster-whisper (fast, the default) or openai-whisper (the reference implementation).
engine = {_q(t.engine)}
# A model name (tiny.en is bundled and works offline) or a path to a model folder.
model = {_q(t.model)}
beam_size = {t.beam_size}
# faster-whisper: 30 s chunks of speech decoded at once (0: one window at a time).
batch_size = {t.batch_size}
# cpu or cuda
device = {_q(t.device)}
formats = [{", ".join(_q(f) for f in t.formats)}]

[notes]
# The shortest story, in seconds, when the transcript is split into stories.
min_story_s = {n.min_story_s}
# "short": one paragraph a story; "long": two to four, following each story's arc.
summary = "{n.summary}"
# The show's own Markdown before and after the stories ({{guests}}, {{title}} and {{date}}
# filled in); a sidecar's before/after replaces it for one episode.
# before = "Feel free to contact us if you have insights to share. Dig in!"
# after = "Enjoyed {{title}}? [Write to us](mailto:mara@example.com)."

# Words the transcription keeps getting wrong, and what they should be: whole words or
# phrases, matched ignoring case. They apply to every transcript file, the notes, chapters,
# pages and feed on the next run, without transcribing again.
[corrections]
# "Marriman" = "Mara Quill"

# The studio. dehum: mains hum (50 or 60 Hz and harmonics) found and notched; a recording
# without hum is untouched.
[studio]
dehum = true
# Speakers and passages brought to one loudness (multitrack: each track levelled and gated).
# leveler = true
# Broadband noise (hiss, fan, room) reduced; denoise_model: "spectral" (fast), or
# "deepfilternet" (a neural network: fewer words lost to noise, far slower).
# denoise = true
# denoise_model = "spectral"
# Files in the show folder: played before and after each episode, and looped under it.
# intro = "music/intro.mp3"
# outro = "music/outro.mp3"
# music_bed = "music/bed.mp3"
# crossfade_s = 1.0

[tag]
# ID3v2 version of the episode MP3: 4, or 3 for old players.
id3_version = {g.id3_version}

# Verification strings directories ask for (podcast:txt): purpose = "text".
[txt]
# applepodcastsverify = "0123abcd-..."
"""


def init_show(root: str | Path, **settings: Any) -> Path:
    """Create a show folder: podkit.toml and the folders. Refuses to overwrite a show."""
    root = Path(root)
    # Validate exactly as a later load would, before anything is written.
    check = {k: v for k, v in settings.items() if v is not None}
    validate(check, SHOW_KEYS, root / CONFIG_NAME)
    if (root / CONFIG_NAME).exists():
        raise ConfigError(f"{CONFIG_NAME} already exists; edit it instead of running init", path=root)
    root.mkdir(parents=True, exist_ok=True)
    for sub in ("audio", "transcripts", "public"):
        (root / sub).mkdir(exist_ok=True)
    write_text(root / CONFIG_NAME, render_show_toml(**check))
    return root / CONFIG_NAME

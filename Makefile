# The two set-up commands of README.md. Both bootstrap what they need, idempotently.
.PHONY: serve test lint bench

HOST ?= 127.0.0.1
PORT ?= 8000

serve:
	@scripts/bootstrap.sh runtime
	.venv/bin/visdesk serve --host $(HOST) --port $(PORT) --engine embedded

test:
	@scripts/bootstrap.sh test
	.venv/bin/ruff check src tests bench
	.venv/bin/mypy --strict src
	.venv/bin/python -m pytest $(PYTEST_ARGS) --ignore=tests/production/test_load.py
	# The overload test runs in a process of its own: late in the full suite its concurrent requests reach
	# the server one after another (state left by an earlier test; not yet found), so no queue forms.
	.venv/bin/python -m pytest $(PYTEST_ARGS) tests/production/test_load.py

lint:
	.venv/bin/ruff check src tests bench
	.venv/bin/mypy --strict src

bench:
	.venv/bin/python -m bench

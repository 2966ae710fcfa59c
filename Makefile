PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
WORKDIR ?= radar-data

.PHONY: demo test bench install clean

$(BIN)/radar: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/radar

demo: install
	$(BIN)/radar demo --workdir $(WORKDIR)

test: install
	$(BIN)/pytest -q

bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf $(WORKDIR) .pytest_cache

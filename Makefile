# The two commands of the README:
#   make informe   set up (.venv, Debian packages if missing) and build outputs/2023/informe_2023.{html,pdf}
#   make test      set up with the test tools and run the whole test suite
YEAR ?= 2023

.PHONY: informe test setup lab bench clean

informe:
	@bash scripts/setup.sh
	.venv/bin/informe construir --year $(YEAR)

test:
	@bash scripts/setup.sh --test
	.venv/bin/python -m pytest

setup:
	@bash scripts/setup.sh

lab:
	@bash scripts/setup.sh
	.venv/bin/python -m pip install -q -e ".[lab]"
	.venv/bin/nbstripout --install
	.venv/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

bench:
	@bash scripts/setup.sh
	.venv/bin/python -m pip install -q -e ".[bench]"
	.venv/bin/python bench/bench_build.py

clean:
	rm -rf outputs

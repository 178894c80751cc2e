# xpusim — two entry points for a fresh Debian 12 machine (see README.md).
#   make demo : install missing Debian packages, build, run the main job on the built-in presets
#   make test : the same set-up, then every test through CTest (plus the sanitizer build with CI=1)
#   make python : the Python module xpusim into build/python/ (README "Python")
BUILD ?= build
JOBS  ?= $(shell nproc)
DEB_PACKAGES := cmake ninja-build g++ pkg-config libyaml-cpp-dev nlohmann-json3-dev libcli11-dev \
                libfmt-dev libexpected-dev libgtest-dev libgmock-dev libbenchmark-dev \
                libsqlite3-dev libsqlitecpp-dev libpagmo-dev libopenmpi-dev openmpi-bin \
                pybind11-dev python3-dev python3-pytest python3 chromium

# CI (CI=1, .ci/run): warnings are errors, and each target compiles its sources in unity batches
# (XPUSIM_UNITY_BUILD: less compile time for a whole-tree build, more for a one-file edit;
# docs/architecture.md "Build").
CI_FLAGS := $(if $(CI),-DXPUSIM_WERROR=ON -DXPUSIM_UNITY_BUILD=ON,)

.PHONY: demo test deps configure build python sanitize bench clean

deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

configure: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CI_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# Only the module (and the libraries it links): PYTHONPATH=$(BUILD)/python python3 -c "import xpusim"
python: configure
	cmake --build $(BUILD) -j $(JOBS) --target xpusim_python

demo: build
	./$(BUILD)/xpusim compare --model llama-3.1-70b --batch 32 --input-len 2048 --output-len 256 --precision bf16

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Address + undefined-behaviour sanitizer build running the whole suite (CI runs it too). Optimised
# with line tables (RelWithDebInfo: -O2, and -g1 instead of -g: XPUSIM_SANITIZE_DEBUG_INFO; the
# tests' own sources at -O1: XPUSIM_TEST_OPTIMIZE; docs/architecture.md "Build"): the serving
# simulations of the validation suite would take many minutes unoptimised; internal checks
# (XPUSIM_CHECK) do not depend on NDEBUG.
sanitize: deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXPUSIM_SANITIZE=ON -DXPUSIM_BENCH=OFF $(CI_FLAGS)
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS)

bench: build
	./$(BUILD)/bench/xpusim_bench

clean:
	rm -rf $(BUILD) build-asan

# Timbre — quick start: `make run` (install, build, start), `make test` (install, build, test).
SHELL := /bin/bash
SWIFT ?= swift
# Debian packages the build and the tests need (libraries, and the oracles the tests compare with).
DEB_PACKAGES := libsndfile1-dev libopus-dev libspeexdsp-dev libsamplerate0-dev libasound2-dev \
	libspandsp-dev libavcodec-dev libavformat-dev libavutil-dev ffmpeg sox libsox-fmt-all \
	opus-tools espeak-ng pkg-config gcc python3-pip
# CPU flags stay out of Package.swift (a consumer must never see unsafeFlags); AVX2 is opted in
# here when the CPU has it. `make TIMBRE_AVX2=0 ...` builds the x86-64 baseline.
TIMBRE_AVX2 ?= $(shell grep -qw avx2 /proc/cpuinfo 2>/dev/null && echo 1 || echo 0)
ifeq ($(TIMBRE_AVX2),1)
CPU_FLAGS := -Xcc -march=x86-64-v3 -Xswiftc -target-cpu -Xswiftc haswell -Xswiftc -DTIMBRE_AVX2
endif
IMPORT_CHECK := --explicit-target-dependency-import-check error

.PHONY: all deps build release test run demo bench peers fuzz api-contract clean

all: build

# Installs what is missing (no-op when everything is there). Uses sudo when not root.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing:" $$missing; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build $(IMPORT_CHECK)

release: deps
	$(SWIFT) build -c release $(CPU_FLAGS) $(IMPORT_CHECK)

test: deps
	$(SWIFT) build --build-tests $(IMPORT_CHECK)
	$(SWIFT) test --skip-build
	Tests/SIMD/run.sh

# The main job: the timbred media service on its embedded default configuration
# (API on 127.0.0.1:8089, RTP on 127.0.0.1:30000-30999, data in ./timbre-data). Ctrl-C stops it
# gracefully. Pass a config with `make run CONFIG=timbred.json`.
run: release
	.build/release/timbred $(if $(CONFIG),--config $(CONFIG),)

# The API contract check (needs `pip install schemathesis`): generated requests against the
# OpenAPI document that timbred serves; every response must match it and none may be a 5xx.
api-contract: build
	Tests/API/schemathesis.sh .build/debug/timbred $(or $(EXAMPLES),25)

# Encodes and decodes SampleAudio speech with every codec; prints SNR and speed.
demo: release
	.build/release/timbre demo

bench: release
	.build/release/timbre bench
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

# Peer comparisons, each in one run with its peers (see each script's header).
peers: release
	Benchmarks/peers/codecs/run.sh
	Benchmarks/peers/opus/run.sh
	sh Benchmarks/peers/mixer/run.sh 1
	Benchmarks/peers/recording/run.sh
	Benchmarks/peers/greetings/run.sh
	Benchmarks/peers/jitter/run.sh
	python3 Benchmarks/peers/aec/run.py
	Benchmarks/peers/hid/run.sh

# Bounded libFuzzer runs of the parsers (FUZZ_SECONDS each).
FUZZ_SECONDS ?= 60
fuzz:
	Tests/Fuzz/RTPParser/run.sh $(FUZZ_SECONDS)
	Tests/Fuzz/HIDDescriptor/run.sh $(FUZZ_SECONDS)
	Tests/Fuzz/OggOpus/run.sh $(FUZZ_SECONDS)
	Tests/Fuzz/greeting-validator/run.sh $(FUZZ_SECONDS)

clean:
	rm -rf .build

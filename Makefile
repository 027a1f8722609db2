# Thin wrapper over Meson/Ninja; the README's two commands are `make run`
# and `make test`.
BUILD ?= build

.PHONY: all deps run test clean

# Reconfigure every time: modules, commands and tests are found by listing
# their folders, which Meson cannot watch for new files.
all: $(BUILD)/build.ninja
	meson setup --reconfigure $(BUILD) >/dev/null
	ninja -C $(BUILD)
	ln -sf src/cli/bulwark $(BUILD)/bulwark

$(BUILD)/build.ninja:
	meson setup $(BUILD)

deps:
	./scripts/install-deps.sh

# The main job on the embedded defaults: builds the demo image from Debian
# packages on first use and prints what Bulwark finds in it.
run: deps all
	./scripts/demo.sh

test:
	./tests/run-all.sh

clean:
	rm -rf $(BUILD) build-asan build-fuzz

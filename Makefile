# SPDX-License-Identifier: GPL-2.0
# `make` builds the module for the running kernel, or for KDIR=...
KDIR ?= /lib/modules/$(shell uname -r)/build
RELEASES ?= bullseye bookworm trixie forky

all: module

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/module modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/module clean 2>/dev/null || true
	rm -rf build

# The main job: the same workload without the module and under each policy.
RELEASE ?= bookworm
demo:
	scripts/demo $(RELEASE)

# Build and boot every release of the matrix in QEMU, run the guest tests.
check:
	RELEASES="$(RELEASES)" tests/run-matrix

.PHONY: all module clean check demo

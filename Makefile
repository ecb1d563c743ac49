# SPDX-License-Identifier: GPL-2.0
# `make` builds the module for the running kernel, or for KDIR=...
KDIR ?= /lib/modules/$(shell uname -r)/build
VERSION := $(shell cat $(CURDIR)/VERSION)
RELEASES ?= bullseye bookworm trixie forky bookworm-rt trixie-rt trixie-cloud \
	bookworm-secureboot trixie-secureboot \
	bullseye-arm64 bookworm-arm64 trixie-arm64 forky-arm64 debug

all: module

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/module modules

# Install the module for KDIR's kernel (depmod), and the UAPI header.
KVER ?= $(shell uname -r)
install: module
	$(MAKE) -C $(KDIR) M=$(CURDIR)/module modules_install
	depmod -a $(KVER)
	install -D -m 0644 include/uapi/linux/seccomp_sigfwd.h \
		$(DESTDIR)/usr/include/linux/seccomp_sigfwd.h

uninstall:
	rm -f /lib/modules/$(KVER)/updates/seccomp_sigfwd.ko* \
		/lib/modules/$(KVER)/extra/seccomp_sigfwd.ko*
	depmod -a $(KVER)
	rm -f $(DESTDIR)/usr/include/linux/seccomp_sigfwd.h

# The DKMS source tree, as the package installs it, under
# $(DESTDIR)/usr/src/seccomp-sigfwd-VERSION; then `dkms install
# seccomp-sigfwd/VERSION`.
DKMS_SRC = $(DESTDIR)/usr/src/seccomp-sigfwd-$(VERSION)
dkms-source:
	rm -rf $(DKMS_SRC) && mkdir -p $(DKMS_SRC)/module/arch $(DKMS_SRC)/include/uapi/linux
	install -m 0644 VERSION Makefile $(DKMS_SRC)/
	install -m 0644 module/Kbuild module/compat.mk module/*.[ch] $(DKMS_SRC)/module/
	install -D -m 0644 -t $(DKMS_SRC)/module/arch module/arch/*.c
	install -m 0644 include/uapi/linux/seccomp_sigfwd.h $(DKMS_SRC)/include/uapi/linux/
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/module clean 2>/dev/null || true
	rm -rf build

# The main job: the same workload without the module and under each policy.
RELEASE ?= bookworm
demo:
	@scripts/setup-host
	scripts/demo $(RELEASE)

# Build and boot every release of the matrix in QEMU, run the guest tests.
check:
	@scripts/setup-host
	RELEASES="$(RELEASES)" tests/run-matrix

# Benchmarks: build/bench/results.tsv and build/bench/bench.{svg,png}.
BENCH_RELEASES ?= bookworm bullseye
bench:
	scripts/bench $(BENCH_RELEASES)

.PHONY: all module install uninstall dkms-source clean check demo bench

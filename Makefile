# SPDX-License-Identifier: GPL-2.0
#
# winsync: build everything, or test it in a VM.
#
#   make                 module (against KDIR), library, tools, examples, selftests
#   make KDIR=/path      module against another kernel build tree
#   make check           static checks (make lint), then the selftests in a
#                        VM on every pinned Debian kernel (6.1, 6.12,
#                        newest, 6.1-rt, newest-rt), then on the
#                        KASAN/lockdep debug kernel
#   make lint            the static checks: checkpatch, sparse, W=1, W=2,
#                        kernel-doc, coccicheck, cppcheck, shellcheck, the
#                        library's symbols and man pages, the uapi header;
#                        one alone: make lint-CHECK (tools/lint/lint --list)
#   make check-debug     selftests and the fuzzer on the debug kernel
#   make demo            boot a VM and show winsync at work
#   make bench           benchmark winsync against its peers in a VM
#   make install         libraries (libwinsync, libwinsync-win32), headers, man
#                        pages, tools, udev rule, modules-load.d file, and the
#                        module if KDIR exists (PREFIX, DESTDIR); or one part:
#                        install-{module,headers,lib,lib-native,lib-win32,
#                        tools,man,udev,modules-load}
#   make dkms-install    module source into /usr/src/winsync-VERSION, then
#                        dkms add, build, install (dkms-remove undoes it)
#
# Userspace output goes to build/; the module is built by kbuild in place.

KDIR_DEFAULT := /lib/modules/$(shell uname -r)/build
KDIR ?= $(KDIR_DEFAULT)
PREFIX ?= /usr/local
VM := tools/winsync-vm

export PREFIX DESTDIR

VERSION := $(shell cat VERSION)
# The release of the kernel KDIR is for (its UTS_RELEASE), for install-module.
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
		$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
MODDIR ?= /lib/modules/$(KVER)/updates
# udev and systemd read /usr/lib/... (packages) and /etc/... (local admin).
ifeq ($(PREFIX),/usr)
UDEVRULESDIR ?= /usr/lib/udev/rules.d
MODULESLOADDIR ?= /usr/lib/modules-load.d
else
UDEVRULESDIR ?= /etc/udev/rules.d
MODULESLOADDIR ?= /etc/modules-load.d
endif
DKMS_SRC := /usr/src/winsync-$(VERSION)
INSTALL ?= install

.PHONY: all module lib tools examples selftests check check-debug demo bench install clean help deps lint \
	install-module install-headers install-lib install-lib-native \
	install-lib-win32 install-tools install-man \
	install-udev install-modules-load install-dkms-source dkms-install dkms-remove

all: module lib tools examples selftests

# A missing default KDIR (no headers for the running kernel) only skips the
# module; a KDIR given on the command line must exist.
module:
ifeq ($(KDIR),$(KDIR_DEFAULT))
	@if [ -d "$(KDIR)" ]; then \
		$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules; \
	else \
		echo "winsync: no kernel build tree at $(KDIR): module skipped" >&2; \
		echo "winsync: set KDIR=, or run 'make check' to build and test it in a VM" >&2; \
	fi
else
	@test -d "$(KDIR)" || { echo "winsync: KDIR=$(KDIR) does not exist" >&2; exit 1; }
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules
endif

lib:
	$(MAKE) -C lib

tools: lib
	$(MAKE) -C tools

examples: lib
	$(MAKE) -C examples

selftests: lib
	$(MAKE) -C selftests

# Packages the host build needs (Debian); make check and make demo call it.
deps:
	tools/install-deps

check: deps lint
	$(MAKE) lib tools selftests
	$(VM) check

# Every finding fails (no baseline); see Documentation/testing.rst.
lint: deps
	tools/lint/lint

lint-%: deps
	tools/lint/lint $*

# The debug kernel is built once (by tools/debug-kernel/build, also from
# `make check` on a fresh machine) and cached; see
# Documentation/reliability.rst. check runs the selftests on it too; the
# long fuzzer run stays here.
check-debug: deps
	$(MAKE) lib tools selftests
	$(MAKE) -C tools/fuzz
	tools/debug-kernel/check

# The tour of the native API, the command line tool, then the Windows-style
# examples (examples/), in one boot.
DEMO_EXAMPLES := producer_consumer single_instance periodic_timer
demo: deps
	$(MAKE) lib tools examples
	$(VM) run --kernel newest --file build/tools/winsync-demo --file build/tools/winsync \
		--file tools/demo/cli-demo.sh $(addprefix --file build/examples/,$(DEMO_EXAMPLES)) \
		-- sh -c 'winsync-demo && cli-demo.sh && \
			for e in $(DEMO_EXAMPLES); do printf "\n== examples/%s.c\n" $$e && $$e || exit 1; done'

# The benchmark: winsync against ntsync, futex, eventfd and POSIX semaphores
# in one boot of the newest kernel; results in results/bench-DATE/.
bench: deps
	tools/bench/run-bench

# Userspace always; the module when there is a kernel build tree for it.
install: install-headers install-lib install-tools install-man install-udev \
		install-modules-load
	@if [ -d "$(KDIR)" ]; then \
		$(MAKE) install-module; \
	else \
		echo "winsync: no kernel build tree at $(KDIR): module not installed" >&2; \
		echo "winsync: use DKMS (make dkms-install) or set KDIR=" >&2; \
	fi

# Into /lib/modules/KVER/updates, which wins over the kernel's own modules;
# depmod only for the running system (not for a DESTDIR staging tree).
install-module: module
	@test -n "$(KVER)" || { echo "winsync: cannot tell KDIR's kernel release: set KVER=" >&2; exit 1; }
	@test -f winsync.ko || { echo "winsync: winsync.ko was not built" >&2; exit 1; }
	$(INSTALL) -d $(DESTDIR)$(MODDIR)
	$(INSTALL) -m 644 winsync.ko $(DESTDIR)$(MODDIR)/winsync.ko
	@if [ -z "$(DESTDIR)" ]; then echo "depmod -a $(KVER)"; depmod -a $(KVER); fi

# Both libraries: libwinsync (native API, libc only) and libwinsync-win32
# (the Win32 API on top of it); lib/Makefile has the parts of each.
install-headers:
	$(MAKE) -C lib install-headers

install-lib: lib
	$(MAKE) -C lib install-lib

install-lib-native: lib
	$(MAKE) -C lib install-native

install-lib-win32: lib
	$(MAKE) -C lib install-win32

install-tools: tools
	$(MAKE) -C tools install

install-man:
	$(MAKE) -C lib install-man
	$(MAKE) -C tools/cli install-man

# /dev/winsync for everyone (mode 0666); udev reads new rules at once.
install-udev:
	$(INSTALL) -d $(DESTDIR)$(UDEVRULESDIR)
	$(INSTALL) -m 644 udev/60-winsync.rules $(DESTDIR)$(UDEVRULESDIR)/60-winsync.rules

# Load the module at boot (systemd-modules-load).
install-modules-load:
	$(INSTALL) -d $(DESTDIR)$(MODULESLOADDIR)
	$(INSTALL) -m 644 modules-load.d/winsync.conf $(DESTDIR)$(MODULESLOADDIR)/winsync.conf

# The module's source as DKMS wants it: Kbuild, VERSION, kernel/, uapi/ and
# dkms.conf with the version of VERSION.
install-dkms-source:
	rm -rf $(DESTDIR)$(DKMS_SRC)
	$(INSTALL) -d $(DESTDIR)$(DKMS_SRC)/kernel $(DESTDIR)$(DKMS_SRC)/uapi/linux
	$(INSTALL) -m 644 Kbuild VERSION $(DESTDIR)$(DKMS_SRC)/
	$(INSTALL) -m 644 kernel/*.c kernel/*.h $(DESTDIR)$(DKMS_SRC)/kernel/
	$(INSTALL) -m 644 uapi/linux/winsync.h $(DESTDIR)$(DKMS_SRC)/uapi/linux/
	sed '/^PACKAGE_VERSION=/s/#MODULE_VERSION#/$(VERSION)/' dkms.conf \
		> $(DESTDIR)$(DKMS_SRC)/dkms.conf

# For KDIR's kernel (default: the running one).
dkms-install: install-dkms-source
	dkms add winsync/$(VERSION)
	dkms build winsync/$(VERSION) $(if $(KVER),-k $(KVER))
	dkms install winsync/$(VERSION) $(if $(KVER),-k $(KVER))

dkms-remove:
	-dkms remove winsync/$(VERSION) --all
	rm -rf $(DKMS_SRC)

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean; fi
	rm -rf build
	rm -f kernel/*.o kernel/.*.cmd

help:
	@sed -n '3,25p' Makefile

# SPDX-License-Identifier: GPL-2.0
#
# winsync: build everything, or test it in a VM.
#
#   make                 module (against KDIR), library, tools, examples, selftests
#   make KDIR=/path      module against another kernel build tree
#   make check           selftests in a VM on every supported Debian kernel
#   make demo            boot a VM and show winsync at work
#   make install         library, headers, man pages, tools (PREFIX, DESTDIR)
#
# Userspace output goes to build/; the module is built by kbuild in place.

KDIR_DEFAULT := /lib/modules/$(shell uname -r)/build
KDIR ?= $(KDIR_DEFAULT)
PREFIX ?= /usr/local
VM := tools/winsync-vm

export PREFIX DESTDIR

.PHONY: all module lib tools examples selftests check demo install clean help deps

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

check: deps
	$(MAKE) lib tools selftests
	$(VM) check

demo: deps
	$(MAKE) lib tools
	$(VM) run --kernel newest --file build/tools/winsync-demo -- winsync-demo

install: lib tools
	$(MAKE) -C lib install
	$(MAKE) -C tools install

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean; fi
	rm -rf build
	rm -f kernel/*.o kernel/.*.cmd

help:
	@sed -n '3,12p' Makefile

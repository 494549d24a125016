# staticroot: one non-recursive Makefile.  `make`, `make test`, `make run`,
# `make bench`, `make fuzz`, `make install PREFIX=... DESTDIR=...`.
# `make DEV=1` adds -Werror; `make SANITIZE=address,undefined` builds the
# sanitizer variant into build/san/ and tests that.

CC ?= cc
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
DESTDIR ?=
CFLAGS ?= -O2 -g

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -Wformat=2
ifeq ($(DEV)$(CI),)
else
WARN += -Werror
endif

ifdef SANITIZE
VARIANT := san
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
else
VARIANT := rel
SANFLAGS :=
endif

OBJDIR := build/$(VARIANT)/obj
ifdef SANITIZE
BINDIR := build/$(VARIANT)/bin
else
BINDIR := bin
endif

LIB_PKGS := libmagic libxxhash jansson
COLLECT_PKGS := $(LIB_PKGS) libarchive zlib libbrotlienc libbrotlidec libcurl libcrypto libdeflate libzstd
SERVE_PKGS := $(LIB_PKGS)
TEST_PKGS := $(COLLECT_PKGS) cmocka

pkg_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
# One package at a time, so that one without a .pc file (libxxhash on some
# systems) falls back to its -l name alone: zlib is -lz, libfoo and foo -lfoo.
pkg_lib_fallback = $(if $(filter zlib,$(1)),-lz,-l$(patsubst lib%,%,$(1)))
pkg_libs = $(foreach p,$(1),$(shell $(PKG_CONFIG) --libs $(p) 2>/dev/null || \
	echo $(call pkg_lib_fallback,$(p))))

# CPPFLAGS as dpkg-buildflags sets it (-D_FORTIFY_SOURCE=2) reaches every
# compile, like CFLAGS and LDFLAGS.
ALL_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Iinclude $(WARN) $(SANFLAGS) \
	$(call pkg_cflags,$(TEST_PKGS)) $(CPPFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS := $(SANFLAGS) $(LDFLAGS) -pthread

LIB_SRC := $(sort $(wildcard lib/*.c))
COLLECT_SRC := $(sort $(wildcard collect/*.c))
SERVE_SRC := $(sort $(wildcard serve/*.c))
# tests/unit/ mirrors the source tree: tests/unit/serve/conn.c tests serve/conn.c.
UNIT_SRC := $(sort $(wildcard tests/unit/*/*.c))
UNIT_HDR := $(wildcard tests/unit/*.h tests/unit/*/*.h)

LIB_OBJ := $(LIB_SRC:%.c=$(OBJDIR)/%.o)
COLLECT_OBJ := $(COLLECT_SRC:%.c=$(OBJDIR)/%.o)
SERVE_OBJ := $(SERVE_SRC:%.c=$(OBJDIR)/%.o)
LIBSR := $(OBJDIR)/libstaticroot.a

COLLECT_LIBS := $(call pkg_libs,$(COLLECT_PKGS)) -lm
SERVE_LIBS := $(call pkg_libs,$(SERVE_PKGS))
TEST_LIBS := $(call pkg_libs,$(TEST_PKGS)) -lm

UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BINDIR)/tests/%)
# LD_PRELOAD fault injectors (tests/fault/): fail the Nth I/O call or allocation.
FAULT_SRC := $(sort $(wildcard tests/fault/*.c))
FAULT_LIB := $(FAULT_SRC:tests/fault/%.c=$(BINDIR)/tests/fault/%.so)
PROGRAMS := $(BINDIR)/collect $(BINDIR)/serve

.PHONY: all deps deps-test deps-fuzz test test-reliability unit e2e run demo bench fuzz \
	fresh-check install clean man
.DEFAULT_GOAL := all

all: $(PROGRAMS)

$(OBJDIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# collect --django's helper, when no copy sits beside the binary.
DATADIR := $(PREFIX)/share/staticroot
$(OBJDIR)/collect/django.o: ALL_CFLAGS += -DSR_DATADIR='"$(DATADIR)"'

$(LIBSR): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(BINDIR)/collect: $(COLLECT_OBJ) $(LIBSR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(COLLECT_OBJ) $(LIBSR) $(COLLECT_LIBS)

$(BINDIR)/serve: $(SERVE_OBJ) $(LIBSR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(SERVE_OBJ) $(LIBSR) $(SERVE_LIBS)

# The programs' objects minus main.o, for unit tests.  A test may #include
# the .c it tests to reach its statics; the archive member it replaces is
# then simply not pulled in.
LIBCOLLECT := $(OBJDIR)/libcollect.a
LIBSERVE := $(OBJDIR)/libserve.a
$(LIBCOLLECT): $(filter-out %/main.o,$(COLLECT_OBJ))
	rm -f $@ && $(AR) rcs $@ $^
$(LIBSERVE): $(filter-out %/main.o,$(SERVE_OBJ))
	rm -f $@ && $(AR) rcs $@ $^

$(BINDIR)/tests/%: tests/unit/%.c $(UNIT_HDR) $(LIBSR) $(LIBCOLLECT) $(LIBSERVE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(ALL_LDFLAGS) -o $@ $< \
		$(LIBCOLLECT) $(LIBSERVE) $(LIBSR) $(TEST_LIBS)

# The Debian packages a target needs (clang only for the tests and fuzzing).
# No sanitizer flags: the shims sit in front of libc (and of libasan).
$(BINDIR)/tests/fault/%.so: tests/fault/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -shared -fPIC $(WARN) $(CFLAGS) -o $@ $< -ldl

deps:
	@sh tests/deps.sh build
deps-test:
	@sh tests/deps.sh test
deps-fuzz:
	@sh tests/deps.sh fuzz

# The man pages' OPTIONS lists are generated from the option tables
# (`collect --help-man`); t_options_docs fails when they are stale.
man: $(PROGRAMS)
	for p in collect serve; do \
		sh tests/man-options.sh $(BINDIR) $$p >$$p/$$p.1.tmp && mv $$p/$$p.1.tmp $$p/$$p.1; \
	done

unit: $(UNIT_BIN) $(FAULT_LIB)

test: deps-test
	@$(MAKE) --no-print-directory all unit
	@BINDIR=$(BINDIR) sh tests/run.sh

# The end-to-end tests alone (tests/e2e/t_*), against the built programs.
e2e: deps-test
	@$(MAKE) --no-print-directory all
	@BINDIR=$(BINDIR) TESTS=tests/e2e/ sh tests/run.sh

# The long soak of the reliability tests: every fault kind at every point,
# hundreds of kill -9s (make test runs one kind per point and 50 kills).
test-reliability: deps-test
	@$(MAKE) --no-print-directory all unit
	@SR_SOAK=1 TESTS=t_collect_reliability BINDIR=$(BINDIR) sh tests/run.sh

# Collect the sample site with its own staticroot.conf (a STATIC_ROOT in the
# caller's environment would win over it: unset), then serve it in the
# foreground on 127.0.0.1:8080, or PORT= (Ctrl-C stops it).
RUN_URL = http://127.0.0.1:$(or $(PORT),8080)
run: deps
	@$(MAKE) --no-print-directory all
	cd sample_site && env -u STATIC_ROOT -u STATIC_URL ../$(BINDIR)/collect --noinput
	@echo "serving build/static on $(RUN_URL)/static/ (Ctrl-C stops; PORT= for another port). Try:"
	@echo "  curl -i $(RUN_URL)/static/css/site.css"
	@echo "  curl -i $(RUN_URL)/static/$$(sed -n 's|.*"css/site.css": "\([^"]*\)".*|\1|p' build/static/staticfiles.json)"
	@echo "  curl -i -H 'Accept-Encoding: br' $(RUN_URL)/static/js/app.js"
	cd sample_site && exec env -u STATIC_ROOT -u STATIC_URL ../$(BINDIR)/serve --listen 127.0.0.1:$(or $(PORT),8080)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh deploy/demo.sh $(BINDIR)

bench: deps
	@$(MAKE) --no-print-directory all
	@sh bench/run.sh $(BINDIR)

# .ci/run on a clean clone in a freshly bootstrapped Debian 12 (root).
fresh-check:
	@sh tests/fresh-check.sh

FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
fuzz: deps-fuzz
	@sh tests/fuzz/run.sh $${FUZZ_SECONDS:-60}

# The Django app `staticroot` (its collectstatic runs collect --django),
# where Debian's python3 finds it: /usr/local/lib/python3/dist-packages.
PYDIR ?= $(PREFIX)/lib/python3/dist-packages
PY_APP := $(patsubst python/%,%,$(wildcard python/staticroot/*.py \
	python/staticroot/management/*.py python/staticroot/management/commands/*.py))

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(wildcard collect/*.1 serve/*.1) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 lib/staticroot.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -d $(DESTDIR)$(DATADIR) $(DESTDIR)$(PYDIR)/staticroot/management/commands
	install -m 644 python/staticroot/django_sources.py $(DESTDIR)$(DATADIR)/
	for f in $(PY_APP); do install -m 644 python/$$f $(DESTDIR)$(PYDIR)/$$f; done

clean:
	rm -rf build bin

-include $(shell find $(OBJDIR) -name '*.d' 2>/dev/null)

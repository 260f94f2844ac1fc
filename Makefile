# hitkit: small, fast C filters for web-analytics hit data.
#   make            build every tool into bin/ (hardened: see HARDEN_CFLAGS)
#   make test       the quick tier: build, then the data cases on bin/, the
#                   unit tests and the special tests that need no service,
#                   no rebuild of their own and no minutes (tests/run --fast);
#                   installs nothing
#   make check      install what the tests need, build, run every test (also
#                   under AddressSanitizer + UndefinedBehaviorSanitizer, built
#                   with cc and, when it is installed, with clang)
#   make demo       install the build packages only, build, run the main job
#                   on the bundled sample data
#   make deps       install the build packages (check-deps: the tests' too)
#   make fuzz       build the libFuzzer targets of tests/fuzz with clang and
#                   run each FUZZ_SECONDS (60) seconds; findings go to
#                   build/fuzz/findings/TARGET/
#   make bench      compare against peer tools (not part of check)
#   make inject     allocation and I/O failures injected into every tool
#                   (tests/special/inject.sh; HK_INJECT_ALL=1 for every call)
#   make static     every tool as a fully static executable, in build/static/bin
#   make coverage   line and branch coverage of lib/ and tools/ by the data
#                   cases and unit tests (gcc --coverage into build/cov, gcovr)
#   make lint       cppcheck, gcc -fanalyzer, clang-tidy and shellcheck
#   make deb        a Debian package of the static tools and the man pages
#   make install PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man

CC ?= cc
CFLAGS ?= -O2 -g
# Hardened by default, as Debian's dpkg-buildflags with hardening=+all:
# fortified libc calls (with optimization only: glibc warns without, and
# -Werror), format strings checked, stack protector and stack clash
# protection, control-flow protection, a position-independent executable,
# full RELRO (relocations read-only, every symbol bound at start).  make
# HARDEN_CPPFLAGS= HARDEN_CFLAGS= HARDEN_LDFLAGS= builds without;
# tests/special/hardening.sh checks the binaries.  The sanitizer and
# coverage builds go without.
HARDEN_CPPFLAGS = $(if $(filter-out -O0,$(filter -O%,$(CFLAGS))),-U_FORTIFY_SOURCE \
	-D_FORTIFY_SOURCE=2)
HARDEN_CFLAGS = -Wformat -Werror=format-security -fstack-protector-strong \
	-fstack-clash-protection -fcf-protection -fPIE
HARDEN_LDFLAGS = -pie -Wl,-z,relro -Wl,-z,now
# assert() states invariants (a slot's owner, a tag's width); it is on in
# the sanitizer, fuzz and ThreadSanitizer builds, where every test runs,
# and off in the release builds (bin/, make static, coverage), whose hot
# loops stay as make bench measures them.
RELEASE_CPPFLAGS = -DNDEBUG
HK_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Ilib -Ibuild/gen \
	$(shell pkg-config --cflags libzstd zlib 2>/dev/null)
HK_LIBS = -lcsv -lm -pthread $(shell pkg-config --libs libzstd 2>/dev/null || echo -lzstd) \
	$(shell pkg-config --libs zlib 2>/dev/null || echo -lz)
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

LIB_SRC := $(wildcard lib/*.c)
TOOL_SRC := $(wildcard tools/*.c)
SCRIPTS := $(filter-out %.c,$(wildcard tools/hit-*))
TOOLS := $(patsubst tools/%.c,bin/%,$(TOOL_SRC)) $(patsubst tools/%,bin/%,$(SCRIPTS))
SAN_TOOLS := $(patsubst tools/%.c,build/san/bin/%,$(TOOL_SRC)) \
	$(patsubst tools/%,build/san/bin/%,$(SCRIPTS))
STATIC_TOOLS := $(patsubst tools/%.c,build/static/bin/%,$(TOOL_SRC)) \
	$(patsubst tools/%,build/static/bin/%,$(SCRIPTS))
UNIT_SRC := $(wildcard tests/unit/*.c)
UNITS := $(patsubst tests/unit/%.c,build/san/unit/%,$(UNIT_SRC))

# The sanitizer build again with clang, whose UBSan reports what gcc's does
# not (pointer arithmetic on a null pointer, even + 0).  make san builds it
# when $(CLANG) can link a sanitized program, and removes it otherwise, so
# that tests/run never tests a stale one.
CLANG ?= clang
CLANG_SAN_TOOLS := $(patsubst build/san/%,build/san-clang/%,$(SAN_TOOLS))
CLANG_UNITS := $(patsubst build/san/%,build/san-clang/%,$(UNITS))
CLANG_SAN_OK = printf 'int main(void){return 0;}\n' | \
	$(CLANG) -x c -fsanitize=address,undefined -o build/.clang-probe - >/dev/null 2>&1

all: $(TOOLS)

# The built-in engine table: lib/engines.tsv (made from Matomo's list by
# lib/engines-from-matomo) as the bytes of a C string, which lib/engines.c
# includes.  od and sed, as a fresh system has them (no xxd).
build/gen/engines-tsv.inc: lib/engines.tsv
	@mkdir -p $(@D)
	od -An -v -tu1 $< | sed 's/  */ /g; s/^ //; s/ $$//; /^$$/d; s/ /,/g; s/$$/,/' > $@.tmp
	mv $@.tmp $@

build/obj/engines.o build/san/obj/engines.o build/san-clang/obj/engines.o \
	build/cov/obj/engines.o build/fuzz/obj/engines.o: build/gen/engines-tsv.inc

# lib/charset's decoding tables, read off the build machine's iconv by
# mk/charset-gen for every charset lib/engines.tsv declares (its third
# column), so that no tool loads an iconv module at run time.
build/gen/charset-gen: mk/charset-gen.c lib/charset-labels.h
	@mkdir -p $(@D)
	$(CC) $(HK_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

build/gen/charset-tables.inc: build/gen/charset-gen lib/engines.tsv
	build/gen/charset-gen $$(sed 1d lib/engines.tsv | cut -f3 | tr , '\n' | sort -u) > $@.tmp
	mv $@.tmp $@

build/obj/charset.o build/san/obj/charset.o build/san-clang/obj/charset.o \
	build/cov/obj/charset.o build/fuzz/obj/charset.o: build/gen/charset-tables.inc

# build/flags holds the compiler and flags of the last build: when they
# change (make CFLAGS=..., HARDEN_CFLAGS=, a new Makefile), bin/ and
# build/static are built again rather than left as they were.  Written as
# the Makefile is read: a rule would not do, as .SECONDARY (below) lets a
# missing prerequisite go unmade.
BUILD_FLAGS = $(CC) $(HK_CFLAGS) $(RELEASE_CPPFLAGS) $(HARDEN_CPPFLAGS) $(CPPFLAGS) \
	$(HARDEN_CFLAGS) $(CFLAGS) $(HARDEN_LDFLAGS) $(LDFLAGS) $(LDLIBS)
$(shell mkdir -p build && { echo '$(BUILD_FLAGS)' | cmp -s - build/flags || \
	echo '$(BUILD_FLAGS)' >build/flags; })

build/obj/%.o: lib/%.c build/flags
	@mkdir -p $(@D)
	$(CC) $(HK_CFLAGS) $(RELEASE_CPPFLAGS) $(HARDEN_CPPFLAGS) $(CPPFLAGS) $(HARDEN_CFLAGS) $(CFLAGS) \
	    -MMD -MP -c -o $@ $<

build/libhitkit.a: $(patsubst lib/%.c,build/obj/%.o,$(LIB_SRC))
	$(AR) rcs $@ $^

bin/%: tools/%.c build/libhitkit.a build/flags
	@mkdir -p $(@D)
	$(CC) $(HK_CFLAGS) $(RELEASE_CPPFLAGS) $(HARDEN_CPPFLAGS) $(CPPFLAGS) $(HARDEN_CFLAGS) $(CFLAGS) \
	    $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $< build/libhitkit.a $(HK_LIBS) $(LDLIBS)

bin/%: tools/%
	@mkdir -p $(@D)
	cp $< $@ && chmod +x $@

# make static: the same objects linked into fully static executables
# (libc, libzstd, libcsv inside; stripped), to copy onto a machine or into
# an image that has none of them.  glibc warns at link time about calls
# that would load a module in a static program (getpwnam, dlopen); such a
# warning fails the build.  hit-report, a script, is copied beside them.
# Hardened as the dynamic build, position-independent too (-static-pie:
# glibc's libc.a and Debian's static libraries are built for it), so that
# the address space is randomized as well.
STATIC_LIBS = -lcsv -lm -pthread $(shell pkg-config --static --libs libzstd 2>/dev/null || \
	echo -lzstd) $(shell pkg-config --static --libs zlib 2>/dev/null || echo -lz)

static: $(STATIC_TOOLS)

build/static/bin/%: tools/%.c build/libhitkit.a build/flags
	@mkdir -p $(@D)
	$(CC) $(HK_CFLAGS) $(RELEASE_CPPFLAGS) $(HARDEN_CPPFLAGS) $(CPPFLAGS) $(HARDEN_CFLAGS) $(CFLAGS) \
	    $(filter-out -pie,$(HARDEN_LDFLAGS)) $(LDFLAGS) -static-pie -s -Wl,--fatal-warnings \
	    -o $@ $< build/libhitkit.a $(STATIC_LIBS) $(LDLIBS)

build/static/bin/%: tools/%
	@mkdir -p $(@D)
	cp $< $@ && chmod +x $@

# The failure-injection shim (tests/inject/inject.c), preloaded by
# tests/special/inject.sh: the Nth malloc, read, write, rename... fails.
build/inject/libinject.so: tests/inject/inject.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $(CPPFLAGS) $(CFLAGS) -fPIC -shared \
	    -o $@ $< -ldl

inject: all build/inject/libinject.so
	@tests/run inject

# make deb: build/hitkit_VERSION_ARCH.deb, the static tools in /usr/bin and
# the man pages (gzipped) in /usr/share/man/man1 (mk/deb.sh says why).
deb: static
	@sh mk/deb.sh

# The same code built with sanitizers, for the second test pass.
build/san/obj/%.o: lib/%.c
	@mkdir -p $(@D)
	$(CC) $(HK_CFLAGS) $(CPPFLAGS) $(SAN_FLAGS) -MMD -MP -c -o $@ $<

build/san/libhitkit.a: $(patsubst lib/%.c,build/san/obj/%.o,$(LIB_SRC))
	$(AR) rcs $@ $^

build/san/bin/%: tools/%.c build/san/libhitkit.a
	@mkdir -p $(@D)
	$(CC) $(HK_CFLAGS) $(CPPFLAGS) $(SAN_FLAGS) -o $@ $< build/san/libhitkit.a $(HK_LIBS)

build/san/bin/%: tools/%
	@mkdir -p $(@D)
	cp $< $@ && chmod +x $@

build/san/unit/%: tests/unit/%.c tests/unit/check.h tests/unit/files.h build/san/libhitkit.a
	@mkdir -p $(@D)
	$(CC) $(HK_CFLAGS) $(CPPFLAGS) $(SAN_FLAGS) -o $@ $< build/san/libhitkit.a $(HK_LIBS)

# make test's unit tests: linked with bin/'s library, no sanitizers (make
# check runs them under ASan+UBSan, build/san/unit).
FAST_UNITS := $(patsubst tests/unit/%.c,build/unit/%,$(UNIT_SRC))

build/unit/%: tests/unit/%.c tests/unit/check.h tests/unit/files.h build/libhitkit.a build/flags
	@mkdir -p $(@D)
	$(CC) $(HK_CFLAGS) $(RELEASE_CPPFLAGS) $(HARDEN_CPPFLAGS) $(CPPFLAGS) $(HARDEN_CFLAGS) \
	    $(CFLAGS) $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $< build/libhitkit.a $(HK_LIBS) $(LDLIBS)

# The same sanitizer build with clang (see CLANG_SAN_OK).
build/san-clang/obj/%.o: lib/%.c
	@mkdir -p $(@D)
	$(CLANG) $(HK_CFLAGS) $(CPPFLAGS) $(SAN_FLAGS) -MMD -MP -c -o $@ $<

build/san-clang/libhitkit.a: $(patsubst lib/%.c,build/san-clang/obj/%.o,$(LIB_SRC))
	$(AR) rcs $@ $^

build/san-clang/bin/%: tools/%.c build/san-clang/libhitkit.a
	@mkdir -p $(@D)
	$(CLANG) $(HK_CFLAGS) $(CPPFLAGS) $(SAN_FLAGS) -o $@ $< build/san-clang/libhitkit.a $(HK_LIBS)

build/san-clang/bin/%: tools/%
	@mkdir -p $(@D)
	cp $< $@ && chmod +x $@

build/san-clang/unit/%: tests/unit/%.c tests/unit/check.h tests/unit/files.h \
		build/san-clang/libhitkit.a
	@mkdir -p $(@D)
	$(CLANG) $(HK_CFLAGS) $(CPPFLAGS) $(SAN_FLAGS) -o $@ $< build/san-clang/libhitkit.a $(HK_LIBS)

# make coverage: the code built with gcc --coverage into build/cov (its own
# objects, so that no other build carries the counters), the data cases and
# unit tests run against it, then gcovr's line and branch coverage per file
# of lib/ and tools/.  Counters are updated atomically: the tools run threads.
COV_CC ?= gcc
COV_FLAGS = $(RELEASE_CPPFLAGS) -O0 -g --coverage -fprofile-update=atomic
COV_TOOLS := $(patsubst tools/%.c,build/cov/bin/%,$(TOOL_SRC)) \
	$(patsubst tools/%,build/cov/bin/%,$(SCRIPTS))
COV_UNITS := $(patsubst tests/unit/%.c,build/cov/unit/%,$(UNIT_SRC))
GCOVR = gcovr -r . --object-directory build/cov --filter 'lib/' --filter 'tools/' \
	--exclude-unreachable-branches

build/cov/obj/%.o: lib/%.c
	@mkdir -p $(@D)
	$(COV_CC) $(HK_CFLAGS) $(CPPFLAGS) $(COV_FLAGS) -MMD -MP -c -o $@ $<

build/cov/libhitkit.a: $(patsubst lib/%.c,build/cov/obj/%.o,$(LIB_SRC))
	$(AR) rcs $@ $^

build/cov/tobj/%.o: tools/%.c
	@mkdir -p $(@D)
	$(COV_CC) $(HK_CFLAGS) $(CPPFLAGS) $(COV_FLAGS) -MMD -MP -c -o $@ $<

build/cov/bin/%: build/cov/tobj/%.o build/cov/libhitkit.a
	@mkdir -p $(@D)
	$(COV_CC) $(COV_FLAGS) -o $@ $< build/cov/libhitkit.a $(HK_LIBS)

build/cov/bin/%: tools/%
	@mkdir -p $(@D)
	cp $< $@ && chmod +x $@

build/cov/unit/%: tests/unit/%.c tests/unit/check.h tests/unit/files.h build/cov/libhitkit.a
	@mkdir -p $(@D)
	$(COV_CC) $(HK_CFLAGS) $(CPPFLAGS) $(COV_FLAGS) -o $@ $< build/cov/libhitkit.a $(HK_LIBS)

coverage:
	@command -v gcovr >/dev/null || { echo "make coverage: no gcovr" \
	    "(make check-deps installs it)" >&2; exit 2; }
	@$(MAKE) -s --no-print-directory $(COV_TOOLS) $(COV_UNITS)
	@find build/cov -name '*.gcda' -delete
	@HK_BINS=build/cov/bin HK_UNITS=build/cov/unit tests/run \
	    $(patsubst tools/%.c,%,$(TOOL_SRC)) $(patsubst tools/%,%,$(SCRIPTS)) unit
	@echo "== lines"; $(GCOVR) --sort-percentage
	@echo "== branches"; $(GCOVR) --branches --sort-percentage

# make lint: the static analysers, each with zero findings (a false positive
# is suppressed where it is, with its reason).  tests/special/lint.sh runs it
# in make check when the tools are installed.
lint: build/gen/engines-tsv.inc build/gen/charset-tables.inc
	@sh mk/lint.sh


# The fuzz targets: lib/ built with clang for libFuzzer (coverage
# instrumentation, ASan, UBSan), each tests/fuzz/NAME.c linked into
# build/fuzz/NAME.  --wrap: see tests/fuzz/fuzz.h.
FUZZ_SECONDS ?= 60
FUZZ_SRC := $(wildcard tests/fuzz/*.c)
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_WRAP = -Wl,--wrap=exit,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free \
	-Wl,--wrap=regcomp,--wrap=regfree,--wrap=csv_init,--wrap=csv_free
FUZZ_FLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

build/fuzz/obj/%.o: lib/%.c
	@mkdir -p $(@D)
	$(CLANG) $(HK_CFLAGS) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

build/fuzz/libhitkit.a: $(patsubst lib/%.c,build/fuzz/obj/%.o,$(LIB_SRC))
	$(AR) rcs $@ $^

build/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h build/fuzz/libhitkit.a
	@mkdir -p $(@D)
	$(CLANG) $(HK_CFLAGS) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer $(FUZZ_WRAP) -o $@ $< \
	    build/fuzz/libhitkit.a $(HK_LIBS)

fuzz-build: $(FUZZ_TARGETS)

fuzz: fuzz-build
	@tests/fuzz/run $(FUZZ_SECONDS)

-include $(wildcard build/obj/*.d build/san/obj/*.d build/san-clang/obj/*.d \
	build/cov/obj/*.d build/cov/tobj/*.d build/fuzz/obj/*.d)

# Debian packages: the build's for make and make demo, all for make check.
deps:
	@sh mk/deps.sh install build

build-deps:
	@sh mk/deps.sh check build || sh mk/deps.sh install build

check-deps:
	@sh mk/deps.sh check all || sh mk/deps.sh install all

test:
	@$(MAKE) -s --no-print-directory all $(FAST_UNITS)
	@tests/run --fast

check: check-deps
	@$(MAKE) -s --no-print-directory all san
	@tests/run

san: $(SAN_TOOLS) $(UNITS)
	@mkdir -p build
	@if $(CLANG_SAN_OK); then \
	    $(MAKE) --no-print-directory san-clang; \
	else \
	    rm -rf build/san-clang; \
	    echo "make san: $(CLANG) cannot build with -fsanitize=address,undefined;" \
	        "no clang sanitizer build (make check-deps installs it)" >&2; \
	fi
	@rm -f build/.clang-probe

san-clang: $(CLANG_SAN_TOOLS) $(CLANG_UNITS)

demo: build-deps
	@$(MAKE) -s --no-print-directory all
	@sh examples/demo.sh

bench: build-deps
	@$(MAKE) -s --no-print-directory all
	@bench/run

bench-smoke: build-deps
	@$(MAKE) -s --no-print-directory all
	@BENCH_SIZE=10M BENCH_RUNS=1 bench/run

bench-large: build-deps
	@$(MAKE) -s --no-print-directory all
	@bench/large

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	cp $(TOOLS) $(DESTDIR)$(BINDIR)/
	cp man/*.1 $(DESTDIR)$(MANDIR)/man1/

uninstall:
	rm -f $(patsubst bin/%,$(DESTDIR)$(BINDIR)/%,$(TOOLS))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man1/%,$(wildcard man/*.1))

clean:
	rm -rf bin build tests/out

format:
	clang-format -i lib/*.c lib/*.h tools/*.c tests/unit/*.c tests/inject/*.c

.PHONY: all deps build-deps check-deps test check san san-clang static deb demo inject fuzz \
	fuzz-build bench bench-smoke bench-large install uninstall clean format coverage lint
.SECONDARY:

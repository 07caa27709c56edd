# gotrace — the one entry point: make, make test, make demo, make bench, make install, make deps, make fuzz.
BUILD    ?= build
ARCH     ?= x86
PREFIX   ?= /usr/local
DESTDIR  ?=
VERSION  := 0.1.0

CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
PKGS     := libbpf libelf libdw capstone libdeflate

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -DGOTRACE_VERSION='"$(VERSION)"' \
            -Iuser -I$(BUILD) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lbpf -ldw -lelf -lcapstone -ldeflate) -lz -lpthread
ifeq ($(SANITIZE),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ivmlinux/$(ARCH) -Ibpf -I$(BUILD)

MAINS      := user/golist.c user/gotrace.c
LIB_SRCS   := $(sort $(wildcard user/*/*.c))
LIB_OBJS   := $(patsubst user/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
BPF_SRCS   := $(sort $(wildcard bpf/*.bpf.c))
SKELS      := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
GENERATED  := $(SKELS) $(BUILD)/syscall_table.h
UNIT_SRCS  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
HELPER_SRCS:= $(sort $(wildcard tests/helpers/*.c))
HELPER_BINS:= $(patsubst tests/helpers/%.c,$(BUILD)/tests/helpers/%,$(HELPER_SRCS))
FUZZ_SRCS  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FIXTURE_SRCS := $(shell find tests/fixtures -name '*.go' -o -name 'go.mod' 2>/dev/null)
FUZZ_SECONDS ?= 10

.PHONY: all deps build test unit bats demo bench install fuzz lint deb clean
.DEFAULT_GOAL := all
# Keep BPF objects: they are intermediates of the skeletons but worth inspecting.
.SECONDARY:

all: deps build
build: $(BUILD)/golist $(BUILD)/gotrace

deps:
	@sh tools/install-deps.sh

$(BUILD)/obj/%.o: user/%.c $(GENERATED) $(wildcard user/*/*.h user/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libgotrace.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/golist $(BUILD)/gotrace: $(BUILD)/%: $(BUILD)/obj/%.o $(BUILD)/libgotrace.a
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/syscall_table.h: tools/gen-syscall-table.sh
	@mkdir -p $(@D)
	sh $< > $@.tmp && mv $@.tmp $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(BUILD)/libgotrace.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) $< $(BUILD)/libgotrace.a $(LDLIBS) -o $@

# Helpers named lib-*.c are test drivers of library modules: they link build/libgotrace.a.
$(BUILD)/tests/helpers/lib-%: tests/helpers/lib-%.c $(BUILD)/libgotrace.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) $< $(BUILD)/libgotrace.a $(LDLIBS) -o $@

$(BUILD)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) $< -o $@

$(BUILD)/fixtures/.stamp: $(FIXTURE_SRCS) tools/build-fixtures.sh
	sh tools/build-fixtures.sh $(BUILD)/fixtures
	@touch $@

unit: deps $(UNIT_BINS)
bats: deps build $(HELPER_BINS) $(BUILD)/fixtures/.stamp

test: deps build $(UNIT_BINS) $(HELPER_BINS) $(FUZZ_BINS) $(BUILD)/fixtures/.stamp
	@BUILD=$(abspath $(BUILD)) sh tests/run.sh

demo: deps build $(BUILD)/fixtures/.stamp
	@BUILD=$(abspath $(BUILD)) sh tools/demo.sh

bench: deps build $(HELPER_BINS) $(BUILD)/fixtures/.stamp
	@BUILD=$(abspath $(BUILD)) sh tools/bench.sh $(BENCH)

# libFuzzer targets link one copy of the library built with clang's fuzzer instrumentation
# (compiled once for all targets, so make test can afford them).
FUZZ_CFLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE -DGOTRACE_VERSION='"$(VERSION)"' -Iuser -I$(BUILD) \
               -fsanitize=fuzzer-no-link,address,undefined
FUZZ_OBJS  := $(patsubst user/%.c,$(BUILD)/fuzz/obj/%.o,$(LIB_SRCS))
$(BUILD)/fuzz/obj/%.o: user/%.c $(GENERATED) $(wildcard user/*/*.h user/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -c $< -o $@

$(BUILD)/fuzz/libgotrace-fuzz.a: $(FUZZ_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/fuzz/%: tests/fuzz/%.c $(BUILD)/fuzz/libgotrace-fuzz.a
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(BUILD)/fuzz/libgotrace-fuzz.a $(LDLIBS) -o $@

fuzz: deps build $(FUZZ_BINS) $(BUILD)/fixtures/.stamp
	@BUILD=$(abspath $(BUILD)) sh tools/fuzz-seeds.sh
	@for f in $(FUZZ_BINS); do \
		n=$$(basename $$f); mkdir -p $(BUILD)/fuzz/corpus-$$n; \
		echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 $(BUILD)/fuzz/corpus-$$n tests/fuzz/corpus/$${n#fuzz_} \
			$(BUILD)/fuzz/seeds/$${n#fuzz_} \
			2>$(BUILD)/fuzz/$$n.log || { tail -30 $(BUILD)/fuzz/$$n.log; exit 1; }; \
	done

install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0755 $(BUILD)/golist $(BUILD)/gotrace $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 docs/golist.1 docs/gotrace.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 tools/completion/gotrace.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/gotrace
	ln -sf gotrace $(DESTDIR)$(PREFIX)/share/bash-completion/completions/golist

# An installable Debian package of the binaries, man pages and completion.
deb: build
	rm -rf $(BUILD)/deb && $(MAKE) --no-print-directory install DESTDIR=$(abspath $(BUILD))/deb PREFIX=/usr
	install -d $(BUILD)/deb/DEBIAN
	sed -e 's/@VERSION@/$(VERSION)/' -e "s/@ARCH@/$$(dpkg --print-architecture)/" tools/deb-control > $(BUILD)/deb/DEBIAN/control
	dpkg-deb --root-owner-group --build $(BUILD)/deb $(BUILD)/gotrace_$(VERSION).deb

# One stamp per file, so `make -j lint` checks in parallel and a re-run checks only what
# changed. Findings inside bpftool's generated skeletons (in $(BUILD)) are not ours to fix:
# the verdict is taken from the findings in the project's own files.
LINT_STAMPS := $(patsubst %.c,$(BUILD)/lint/%.ok,$(LIB_SRCS) $(MAINS))
$(BUILD)/lint/%.ok: %.c $(GENERATED) $(wildcard user/*/*.h user/*.h) .clang-tidy
	@mkdir -p $(@D)
	@clang-tidy --quiet $< -- $(filter-out -Werror,$(CFLAGS)) > $(@:.ok=.log) 2>&1 || true
	@if grep -E '(error|warning):' $(@:.ok=.log) | grep -v -e '^$(BUILD)/' -e '^$(abspath $(BUILD))/'; then exit 1; fi
	@touch $@

lint: $(LINT_STAMPS)
	@echo "lint: clean"

clean:
	rm -rf $(BUILD)

# entente: one C11 binary.  Plain make (like Redis): `make` builds, `make run`
# starts a node, `make test` runs every test, `make bench` and `make fuzz` are
# never part of `make test`.

CC	?= cc
PKGS	 = libmicrohttpd jansson sqlite3 gnutls nettle hogweed libcurl zlib \
	   libzstd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN	 = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wpointer-arith -Wsign-compare -Wformat=2 \
	   -Wvla -Wimplicit-fallthrough -Wundef
HARDEN	 = -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fPIE
CFLAGS	?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Isrc $(PKG_CFLAGS)
LDFLAGS_HARDEN = -pie -Wl,-z,relro,-z,now
LIBS	 = $(PKG_LIBS) -lpthread -lm

SAN	 = -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer

B	 = build
SRCS	:= $(shell find src -name '*.c' | sort)
LIBSRCS	:= $(filter-out src/main.c,$(SRCS))
OBJS	:= $(SRCS:%.c=$(B)/obj/%.o)
LIBOBJS	:= $(LIBSRCS:%.c=$(B)/obj/%.o)
ASANOBJS := $(LIBSRCS:%.c=$(B)/asan/%.o)
UNITSRCS := $(sort $(wildcard tests/unit/test_*.c))
UNITS	:= $(UNITSRCS:tests/unit/%.c=$(B)/tests/%)
ASANUNITS := $(UNITSRCS:tests/unit/%.c=$(B)/asan-tests/%)
TSANOBJS := $(SRCS:%.c=$(B)/tsan/%.o)
FUZZSRCS := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZERS	:= $(FUZZSRCS:fuzz/%.c=$(B)/fuzz/%)
BENCHSRCS := $(sort $(wildcard bench/bench_*.c))
BENCHES	:= $(BENCHSRCS:bench/%.c=$(B)/bench/%)

BIN	 = $(B)/entente

.PHONY: all deps run test check unit asan tsan fuzz-build fuzz bench lint \
	clean

all: $(BIN)

# Keep intermediate objects (fuzz, sanitizer builds) between runs.
.SECONDARY:

deps:
	@scripts/install-deps

$(BIN): $(OBJS)
	@echo "LD  $@"
	@$(CC) $(LDFLAGS_HARDEN) -o $@ $^ $(LIBS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "CC  $<"
	@$(CC) $(ALL_CFLAGS) $(HARDEN) -MMD -MP -c $< -o $@

$(B)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "CC  $< (asan)"
	@$(CC) $(ALL_CFLAGS) -O1 $(SAN) -MMD -MP -c $< -o $@

$(B)/tests/%: tests/unit/%.c $(LIBOBJS) tests/unit/testutil.h
	@mkdir -p $(dir $@)
	@echo "CC  $<"
	@$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIBOBJS) $(LIBS) -lcmocka

$(B)/asan-tests/%: tests/unit/%.c $(ASANOBJS) tests/unit/testutil.h
	@mkdir -p $(dir $@)
	@echo "CC  $< (asan)"
	@$(CC) $(ALL_CFLAGS) -O1 $(SAN) -Itests/unit -o $@ $< $(ASANOBJS) \
	    $(LIBS) -lcmocka

# The server under ThreadSanitizer, for the concurrent integration tests.
$(B)/tsan/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "CC  $< (tsan)"
	@$(CC) $(ALL_CFLAGS) -O1 -fsanitize=thread -MMD -MP -c $< -o $@

$(B)/tsan/entente: $(TSANOBJS)
	@echo "LD  $@"
	@$(CC) -fsanitize=thread -o $@ $^ $(LIBS)

# libFuzzer harnesses need clang; each links the sanitized library objects.
FUZZ_CC	?= clang
$(B)/fuzzobj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "CC  $< (fuzz)"
	@$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -g -O1 -Isrc $(PKG_CFLAGS) \
	    -fsanitize=fuzzer-no-link,address,undefined \
	    -fno-sanitize-recover=all -c $< -o $@

FUZZLIBOBJS := $(LIBSRCS:%.c=$(B)/fuzzobj/%.o)
$(B)/fuzz/%: fuzz/%.c $(FUZZLIBOBJS)
	@mkdir -p $(dir $@)
	@echo "LD  $@"
	@$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -g -O1 -Isrc $(PKG_CFLAGS) \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    -o $@ $< $(FUZZLIBOBJS) $(LIBS)

$(B)/bench/%: bench/%.c $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBOBJS) $(LIBS)

unit: $(UNITS)
tsan: $(B)/tsan/entente
asan: $(ASANUNITS)
fuzz-build: $(FUZZERS)

# make run: install what is missing, build, start a node in ./var.
run: deps
	@$(MAKE) --no-print-directory $(BIN)
	@scripts/run-node

# make test: install what is missing, build everything, run every test.
test: deps
	@$(MAKE) --no-print-directory $(BIN) unit asan tsan fuzz-build
	@scripts/run-tests

check: test

# make fuzz: run each harness for FUZZ_SECONDS (default 60) on its corpus.
FUZZ_SECONDS ?= 60
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@for f in $(FUZZERS); do n=$${f##*/fuzz_}; \
	    mkdir -p $(B)/fuzz-new/$$n; \
	    echo "fuzzing $$n for $(FUZZ_SECONDS)s"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	        $(B)/fuzz-new/$$n fuzz/corpus/$$n || exit 1; done

bench: deps
	@$(MAKE) --no-print-directory $(BIN) $(BENCHES)
	@scripts/run-bench

lint:
	@scripts/lint

clean:
	rm -rf $(B)

-include $(OBJS:.o=.d) $(ASANOBJS:.o=.d) $(TSANOBJS:.o=.d) \
    $(FUZZLIBOBJS:.o=.d)

# kanon — GNU make + pkg-config.
#   make            build build/kanon
#   make SAN=1      build build-san/kanon with AddressSanitizer + UBSan
#   make check      unit + end-to-end tests, normal and sanitizer builds
#   make fuzz       libFuzzer targets (clang)

CC       ?= cc
PKGS     := yaml-0.1 libcjson zlib libisal libcurl gnutls libmicrohttpd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libcurl, GnuTLS and libmicrohttpd are not linked: src/sources/curl_lazy.c, gnutls_lazy.c
# and src/serve/mhd_lazy.c open them at their first use (their ~35 libraries cost 7-9 ms of
# every start, and most commands never need them); each soname is the one of the library
# pkg-config names
LAZY_PKGS  := libcurl gnutls libmicrohttpd
PKG_LIBS   := $(shell pkg-config --libs $(filter-out $(LAZY_PKGS),$(PKGS)) 2>/dev/null)
soname = $(shell objdump -p "$$(pkg-config --variable=libdir $(1))/$(2)" 2>/dev/null | \
	 awk '$$1 == "SONAME" { print $$2 }')
CURL_SONAME   := $(call soname,libcurl,libcurl.so)
GNUTLS_SONAME := $(call soname,gnutls,libgnutls.so)
MHD_SONAME    := $(call soname,libmicrohttpd,libmicrohttpd.so)
ifeq ($(and $(CURL_SONAME),$(GNUTLS_SONAME),$(MHD_SONAME)),)
$(error cannot read the sonames of libcurl, GnuTLS and libmicrohttpd (objdump, pkg-config; scripts/install-deps.sh installs them))
endif

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wno-format-nonliteral
CFLAGS   ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Isrc $(PKG_CFLAGS) -MMD -MP
LDLIBS   := $(PKG_LIBS) -lpthread

ifeq ($(SAN),1)
BUILD    ?= build-san
ALL_CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=address,undefined
else
BUILD    ?= build
endif

# the rule pages, embedded for the SARIF help (src/report/rule_docs.c)
PREFIX   ?= /usr/local
DOC_URL  ?= file://$(PREFIX)/share/doc/kanon/rules/
ALL_CFLAGS += -DKANON_EMBED_DOCS -I$(BUILD)/gen -DKANON_DOC_URL='"$(DOC_URL)"'
ifneq ($(CURL_SONAME),)
ALL_CFLAGS += -DKANON_CURL_SONAME='"$(CURL_SONAME)"'
endif
ifneq ($(GNUTLS_SONAME),)
ALL_CFLAGS += -DKANON_GNUTLS_SONAME='"$(GNUTLS_SONAME)"'
endif
ifneq ($(MHD_SONAME),)
ALL_CFLAGS += -DKANON_MHD_SONAME='"$(MHD_SONAME)"'
endif

SRC      := $(sort $(wildcard src/*/*.c))
OBJ      := $(SRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libkanon.a
BIN      := $(BUILD)/kanon

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HELPERS  := $(BUILD)/tests/kubelet $(BUILD)/tests/fakeapi $(BUILD)/tests/serve-load

.PHONY: all check test unit clean fuzz format install uninstall bench-tools

all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/gen/rule_docs.inc: $(wildcard docs/rules/*.md) scripts/embed-docs.sh
	@mkdir -p $(dir $@)
	sh scripts/embed-docs.sh docs/rules >$@.tmp && mv $@.tmp $@

$(BUILD)/src/report/rule_docs.o: $(BUILD)/gen/rule_docs.inc

$(LIB): $(OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/src/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) $(shell pkg-config --libs cmocka)

# a stand-in process whose name is "kubelet", for the /proc tests
$(BUILD)/tests/kubelet: tests/helpers/fakeproc.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

# a test API server (kube-apiserver and kubelet answers, HTTPS) for the probe tests
$(BUILD)/tests/fakeapi: tests/helpers/fakeapi.c tests/helpers/fakeapi_cluster.c \
		tests/helpers/fakeapi_cluster.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags libmicrohttpd gnutls) $(LDFLAGS) -o $@ \
		$(filter %.c,$^) \
		$(shell pkg-config --libs libmicrohttpd gnutls)

# the load generator for kanon serve (bench/serve-bench.sh and the serve e2e tests)
$(BUILD)/tests/serve-load: bench/serve-load.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(shell pkg-config --libs gnutls libcjson) -lpthread

bench-tools: $(BUILD)/tests/serve-load

unit: $(UNIT_BIN) $(HELPERS)

# The whole suite: both builds, then one "N passed, N failed" line.
check:
	./tests/check.sh

test: check

fuzz:
	$(MAKE) -C fuzz

format:
	clang-format -i $(SRC) src/main.c $(wildcard src/*/*.h) $(UNIT_SRC)

# make install [PREFIX=/usr/local] [DESTDIR=staging]: the binary, the man
# page, the rule pages and the bash, zsh and fish completions.
# KANON_BIN installs another build (e.g. build-san/kanon) without making it.
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
DATADIR  ?= $(PREFIX)/share
KANON_BIN ?= $(BIN)
INSTALL  ?= install

install: $(KANON_BIN)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(DATADIR)/doc/kanon/rules \
		$(DESTDIR)$(DATADIR)/bash-completion/completions \
		$(DESTDIR)$(DATADIR)/zsh/site-functions \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	$(INSTALL) -m 755 $(KANON_BIN) $(DESTDIR)$(BINDIR)/kanon
	$(INSTALL) -m 644 docs/kanon.1 $(DESTDIR)$(MANDIR)/man1/kanon.1
	$(INSTALL) -m 644 docs/rules/*.md $(DESTDIR)$(DATADIR)/doc/kanon/rules/
	$(KANON_BIN) completion bash >$(DESTDIR)$(DATADIR)/bash-completion/completions/kanon
	$(KANON_BIN) completion zsh >$(DESTDIR)$(DATADIR)/zsh/site-functions/_kanon
	$(KANON_BIN) completion fish >$(DESTDIR)$(DATADIR)/fish/vendor_completions.d/kanon.fish
	chmod 644 $(DESTDIR)$(DATADIR)/bash-completion/completions/kanon \
		$(DESTDIR)$(DATADIR)/zsh/site-functions/_kanon \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d/kanon.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kanon $(DESTDIR)$(MANDIR)/man1/kanon.1 \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/kanon \
		$(DESTDIR)$(DATADIR)/zsh/site-functions/_kanon \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d/kanon.fish
	rm -rf $(DESTDIR)$(DATADIR)/doc/kanon

clean:
	rm -rf build build-san

-include $(OBJ:.o=.d) $(BUILD)/src/main.d

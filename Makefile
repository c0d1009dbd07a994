# Build and install tinytalk like any other terminal tool:
#
#   make install PREFIX=~/.local      (default PREFIX: /usr/local)
#   make uninstall PREFIX=~/.local    removes exactly what install put there
#
# Installs the release binary, its themes (where the binary looks for them), the manual page
# tinytalk(1) generated from the argument parser, and completions for bash, zsh and fish.

PREFIX ?= /usr/local
DESTDIR ?=
SWIFT ?= swift

BINDIR := $(DESTDIR)$(PREFIX)/bin
THEMEDIR := $(DESTDIR)$(PREFIX)/share/tinytalk/themes
MANDIR := $(DESTDIR)$(PREFIX)/share/man/man1
BASHDIR := $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHDIR := $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHDIR := $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d

BINARY := .build/release/tinytalk
MANPAGE := .build/man/tinytalk.1
COMPLETIONS := .build/completions
THEMES := $(notdir $(wildcard themes/*.toml))

.PHONY: all build man completions install uninstall test clean-install-files

all: build man completions

# The Swift runtime is linked in, so the installed binary needs no Swift toolchain to run.
build:
	$(SWIFT) build -c release --static-swift-stdlib --product tinytalk

# The page comes from the argument parser: swift-argument-parser's generate-manual (the tool its
# plugin runs) reads the binary's own description of its commands. Run directly, it reuses the
# build above instead of building every product again without the static runtime.
man: build
	$(SWIFT) build -c release --static-swift-stdlib --product generate-manual
	mkdir -p $(dir $(MANPAGE))
	.build/release/generate-manual $(BINARY) --output-directory $(dir $(MANPAGE))

completions: build
	mkdir -p $(COMPLETIONS)
	$(BINARY) --generate-completion-script bash > $(COMPLETIONS)/tinytalk.bash
	$(BINARY) --generate-completion-script zsh > $(COMPLETIONS)/_tinytalk
	$(BINARY) --generate-completion-script fish > $(COMPLETIONS)/tinytalk.fish

install: all
	install -d $(BINDIR) $(THEMEDIR) $(MANDIR) $(BASHDIR) $(ZSHDIR) $(FISHDIR)
	install -m 755 $(BINARY) $(BINDIR)/tinytalk
	install -m 644 $(addprefix themes/,$(THEMES)) $(THEMEDIR)/
	install -m 644 $(MANPAGE) $(MANDIR)/tinytalk.1
	install -m 644 $(COMPLETIONS)/tinytalk.bash $(BASHDIR)/tinytalk
	install -m 644 $(COMPLETIONS)/_tinytalk $(ZSHDIR)/_tinytalk
	install -m 644 $(COMPLETIONS)/tinytalk.fish $(FISHDIR)/tinytalk.fish

# Only the files install wrote; the themes folder and its parent go only when left empty.
uninstall:
	rm -f $(BINDIR)/tinytalk $(MANDIR)/tinytalk.1 $(BASHDIR)/tinytalk $(ZSHDIR)/_tinytalk $(FISHDIR)/tinytalk.fish
	rm -f $(addprefix $(THEMEDIR)/,$(THEMES))
	-rmdir $(THEMEDIR) $(DESTDIR)$(PREFIX)/share/tinytalk 2>/dev/null

test:
	$(SWIFT) test
	Tests/install-test.sh

# twvoice: build, test and install.
#   make                 release binary in .build/release/twvoice
#   make test            the test suite (what CI runs)
#   make install PREFIX=/usr/local   binary, man pages and shell completions
#   make docs            regenerate completions/ and man/ from the command tree
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man/man1
MAN5DIR ?= $(PREFIX)/share/man/man5
BASHDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHDIR ?= $(PREFIX)/share/zsh/site-functions
FISHDIR ?= $(PREFIX)/share/fish/vendor_completions.d

.PHONY: all test install uninstall docs

all:
	swift build -c release --static-swift-stdlib --product twvoice

test:
	swift test

docs:
	scripts/generate-docs.sh

install: all
	install -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(MANDIR)" "$(DESTDIR)$(MAN5DIR)" "$(DESTDIR)$(BASHDIR)" "$(DESTDIR)$(ZSHDIR)" "$(DESTDIR)$(FISHDIR)"
	install -m 755 .build/release/twvoice "$(DESTDIR)$(BINDIR)/twvoice"
	install -m 644 man/*.1 "$(DESTDIR)$(MANDIR)/"
	install -m 644 man/*.5 "$(DESTDIR)$(MAN5DIR)/"
	install -m 644 completions/twvoice.bash "$(DESTDIR)$(BASHDIR)/twvoice"
	install -m 644 completions/_twvoice "$(DESTDIR)$(ZSHDIR)/_twvoice"
	install -m 644 completions/twvoice.fish "$(DESTDIR)$(FISHDIR)/twvoice.fish"

uninstall:
	rm -f "$(DESTDIR)$(BINDIR)/twvoice" "$(DESTDIR)$(MANDIR)"/twvoice*.1 "$(DESTDIR)$(MAN5DIR)"/twvoice*.5 "$(DESTDIR)$(BASHDIR)/twvoice" \
	  "$(DESTDIR)$(ZSHDIR)/_twvoice" "$(DESTDIR)$(FISHDIR)/twvoice.fish"

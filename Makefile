# bond: build, package and test.
#
#   make                 npm ci (when package-lock.json is newer than node_modules), build the
#                        addon and dist/bondd.js
#   make ipk             dist/bond_<version>_<arch>.ipk and dist/luci-app-bond_<version>_all.ipk,
#                        without the OpenWrt SDK (openwrt/README.md has the SDK build)
#   make test            npm test (unit tests, type check, lab tests when root)
#   make lab             the network lab demo (needs root: runs through sudo otherwise)
#   make install-server  bondd for a Debian/Ubuntu VPS: PREFIX (/usr/local), DESTDIR, see
#                        docs/install.md
#   make clean           remove build/ and dist/

PREFIX ?= /usr/local
DESTDIR ?=
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: all build ipk test lab install-server clean

all: build

# npm ci also runs node-gyp (the addon) and scripts/build.mjs (the "install" and "prepare"
# scripts); its marker file is newer than the lock file after every successful run.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci

# `npm run install` is node-gyp rebuild: needed again after `make clean` removed its build/
build: node_modules/.package-lock.json
	[ -f build/Makefile ] || npm run install
	npm run build

ipk: build
	node scripts/ipk.mjs

test: node_modules/.package-lock.json
	npm test

lab: build
	$(SUDO) npm run demo

# The server runs the same bundle and addon as the router. The config is only created when
# there is none, so that reinstalling keeps the peers.
install-server: build
	install -d $(DESTDIR)$(PREFIX)/lib/bond $(DESTDIR)$(PREFIX)/bin $(DESTDIR)/etc/systemd/system $(DESTDIR)/etc/bond
	install -m 0644 dist/bondd.js dist/package.json $(DESTDIR)$(PREFIX)/lib/bond/
	install -m 0755 dist/bond.node $(DESTDIR)$(PREFIX)/lib/bond/
	sed 's|/usr/lib/bond/|$(PREFIX)/lib/bond/|' files/usr/bin/bondd > $(DESTDIR)$(PREFIX)/bin/bondd
	chmod 0755 $(DESTDIR)$(PREFIX)/bin/bondd
	sed 's|/usr/local/lib/bond/|$(PREFIX)/lib/bond/|' files/etc/systemd/system/bondd.service > $(DESTDIR)/etc/systemd/system/bondd.service
	chmod 0644 $(DESTDIR)/etc/systemd/system/bondd.service
	[ -e $(DESTDIR)/etc/bond/bonding ] || install -m 0600 files/etc/bond/bonding $(DESTDIR)/etc/bond/bonding

clean:
	rm -rf build dist

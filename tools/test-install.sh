#!/usr/bin/env bash
# `make install` into a scratch DESTDIR, then build a program against the
# installed libmmu with pkg-config alone and run it.  Usage: test-install.sh BUILD_DIR
set -euo pipefail
B=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make -s install PREFIX=/usr/local DESTDIR="$dest" >/dev/null
for f in bin/mmuctl bin/mmu-vboard lib/libmmu.a lib/pkgconfig/libmmu.pc include/mmu/mmu.h; do
	[ -e "$dest/usr/local/$f" ] || { echo "install: $f missing"; exit 1; }
done
for f in link.h pte.h memimg.h mkpt.h cli.h; do
	[ ! -e "$dest/usr/local/include/mmu/$f" ] || { echo "install: private $f installed"; exit 1; }
done
export PKG_CONFIG_PATH="$dest/usr/local/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags libmmu) -o "$dest/check" \
	tools/install-check.c $(pkg-config --libs libmmu)
"$dest/check"
"$dest/usr/local/bin/mmuctl" info --device model >/dev/null
echo "install: headers, library, pkg-config file and programs in place; a program built against them runs"

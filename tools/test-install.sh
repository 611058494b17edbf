#!/usr/bin/env bash
# `make install` into a scratch DESTDIR, then build a program against the
# installed libmmu with pkg-config alone and run it.  Usage: test-install.sh BUILD_DIR
set -euo pipefail
B=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make -s install PREFIX=/usr/local DESTDIR="$dest" >/dev/null
for f in bin/mmuctl bin/mmu-vboard lib/libmmu.a lib/libmmu.so lib/libmmu.so.0 lib/pkgconfig/libmmu.pc include/mmu/mmu.h; do
	[ -e "$dest/usr/local/$f" ] || { echo "install: $f missing"; exit 1; }
done
for f in link.h pte.h memimg.h mkpt.h cli.h; do
	[ ! -e "$dest/usr/local/include/mmu/$f" ] || { echo "install: private $f installed"; exit 1; }
done
export PKG_CONFIG_PATH="$dest/usr/local/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
lib="$dest/usr/local/lib"
# Shared: -lmmu picks libmmu.so; the program records the soname and runs from it.
cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags libmmu) -o "$dest/check" \
	tools/install-check.c $(pkg-config --libs libmmu)
readelf -d "$dest/check" | grep -q 'NEEDED.*\[libmmu\.so\.0\]' || { echo "install: check is not linked to libmmu.so.0"; exit 1; }
LD_LIBRARY_PATH="$lib" "$dest/check"
# The shared library exports the public names only (tools/libmmu.map).
if nm -D --defined-only "$lib/libmmu.so" | grep -Eq ' (link|pte|memimg|mkpt|cli)_'; then
	echo "install: libmmu.so exports private symbols"; exit 1
fi
# Static libmmu: the archive, with libusb-1.0 (shared; its own static link would need libudev.a).
cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags libmmu) -o "$dest/check-static" \
	tools/install-check.c "$lib/libmmu.a" $(pkg-config --libs libusb-1.0)
! readelf -d "$dest/check-static" | grep -q 'libmmu' || { echo "install: static check needs libmmu.so"; exit 1; }
"$dest/check-static" >/dev/null
"$dest/usr/local/bin/mmuctl" info --device model >/dev/null
echo "install: headers, shared and static library, pkg-config file and programs in place; programs built against each run"

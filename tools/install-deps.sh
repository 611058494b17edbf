#!/usr/bin/env bash
# Install the Debian packages this project needs, if any is missing.
# Runs `apt-get update` once, first, and only when something must be installed.
set -euo pipefail
pkgs=(build-essential clang libcmocka-dev valgrind pkg-config verilator iverilog yosys nextpnr-ice40 fpga-icestorm
      libusb-1.0-0-dev umockdev libumockdev-dev libglib2.0-dev lcov)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all installed (${pkgs[*]})"
	exit 0
fi
echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then SUDO=sudo; else
		echo "deps: missing ${missing[*]} and not root; install them and re-run" >&2
		exit 1
	fi
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# The main job: the seeds' textbook machine end to end on the model, then Sv39
# and x86-64 page tables built from mapping lists and driven by a request file
# with invalidations on the virtual board (--device sim: the RTL behind the
# link protocol), checked against the model.  Usage: demo.sh PATH/TO/mmuctl
# (mmu-vboard is found next to it).
set -euo pipefail
M=$(realpath "$1")
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d"
run() { echo "\$ mmuctl $*"; "$M" "$@"; echo; }

echo "== Seed 004: 14-bit VA, 12-bit PA, 64-byte pages, 4-set 4-way TLB =="
echo '0x03c0 0x340 64 rwu   # VPN 0x0f -> PPN 0x0d' > seed.map
echo "\$ cat seed.map"; cat seed.map
run mkpt --mode textbook --base 0x800 --out tb.img --input seed.map
run translate --device model --mode textbook --tlb 4x4 --mem tb.img@0x800 --root 0x800 \
	--explain 0x03d4 0x03d4 0x0040 --show-tlb

echo "== Sv39: 4 KiB pages, a 2 MiB page, a global kernel page, faults, invalidation =="
cat > sv39.map <<'MAP'
0x0000000000010000 0x80010000 4K rwu 4     # heap: four pages
0x0000000040000000 0x80200000 2M rxu       # text: one megapage
0xffffffffc0000000 0x80400000 4K rwg       # kernel: global, supervisor
MAP
cat > req.txt <<'REQ'
0x10008 r
0x10008 w
0x10008 w
0x40001234 x
0x40001234 w
0x14000 r
0xffffffffc0000010 r s
0xffffffffc0000010 r u
0x0000800000000000 r
inval va 0x10000
0x10008 r
REQ
echo "\$ cat sv39.map"; cat sv39.map
echo "\$ cat req.txt"; cat req.txt
run mkpt --mode sv39 --out sv39.img --input sv39.map
run translate --device sim --mode sv39 --mem sv39.img --input req.txt --stats --mem-out sv39.after
echo "\$ # the same requests on the model: answers, counters and A/D writes must agree"
"$M" translate --device sim --mode sv39 --mem sv39.img --input req.txt --stats --json \
	--mem-out sim.img > sim.out
"$M" translate --device model --mode sv39 --mem sv39.img --input req.txt --stats --json \
	--mem-out model.img > model.out
if cmp -s sim.out model.out && cmp -s sim.img model.img; then
	echo "sim and model agree: all $(wc -l < sim.out) output lines, and the page tables after the A/D updates"
else
	echo "sim and model DISAGREE:"; diff sim.out model.out || true; exit 1
fi
echo

echo "== x86-64: NX, SMEP and the #PF error code =="
printf '0x400000 0x1000000 2M rxu\n0x7ffffffff000 0x2000000 4K rwu\n' > x86.map
run mkpt --mode x86_64 --nxe --out x86.img --input x86.map
run translate --device sim --mode x86_64 --nxe --smep --mem x86.img --priv u --access x \
	0x401000 0x7ffffffff000
run translate --device sim --mode x86_64 --nxe --smep --mem x86.img --priv s --access x \
	0x401000 --json

echo "== The OS on the host: fork + copy-on-write under memory pressure, on the default device (sim) =="
echo "# 96 pages in 64 frames: demand paging, COW after fork, the clock algorithm, swap"
run run cow --pages 96 --accesses 30000 --no-progress

echo "== A real program's address stream: a valgrind lackey trace of /bin/true, in 32 frames =="
if command -v valgrind >/dev/null; then
	echo "\$ valgrind --tool=lackey --trace-mem=yes --log-file=true.trace /bin/true"
	valgrind --tool=lackey --trace-mem=yes --log-file=true.trace /bin/true
	run run trace true.trace --frames 32 --no-progress
else
	echo "(valgrind is not installed: make deps installs it)"
fi

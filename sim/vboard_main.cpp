// vboard_main.cpp - the virtual board: rtl/link/mmu_vboard.v under Verilator,
// speaking the link protocol on standard input and output (the bytes a real
// board exchanges with the host over USB).  host/board.c starts it with a
// socket as both.
//
// The loop clocks the board while it has work, reads whatever input is
// waiting, and writes output as it appears; when the board is idle and no
// input is pending it sleeps in poll().  At end of input it finishes the
// work in hand, flushes, and exits 0.  Thin by design: the protocol lives in
// the RTL, the host side in host/link.c.
//
// Options: --max-cycles N  stop with exit status 3 after N clocks (a guard
//                          for tests; default unlimited)
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <poll.h>
#include <unistd.h>
#include <vector>
#include "Vmmu_vboard.h"
#include "verilated.h"

static bool write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

int main(int argc, char **argv)
{
	unsigned long long max_cycles = 0, cycles = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--max-cycles") && i + 1 < argc) {
			max_cycles = strtoull(argv[++i], nullptr, 0);
		} else {
			fprintf(stderr, "usage: mmu-vboard [--max-cycles N]\n");
			return 2;
		}
	}
	VerilatedContext ctx;
	Vmmu_vboard top(&ctx);
	std::deque<uint8_t> in;
	std::vector<uint8_t> out;
	uint8_t buf[65536];
	bool eof = false;

	top.clk_i = 0;
	top.rst_ni = 0;
	top.in_valid_i = 0;
	top.in_data_i = 0;
	top.out_ready_i = 1;
	for (int i = 0; i < 4; i++) {
		top.clk_i = 1;
		top.eval();
		top.clk_i = 0;
		top.eval();
	}
	top.rst_ni = 1;
	top.eval();
	for (;;) {
		bool idle = top.idle_o && in.empty();

		if (idle && !out.empty()) {
			if (!write_all(1, out.data(), out.size()))
				return 0;      // the host went away
			out.clear();
		}
		if (idle && eof)
			return 0;
		// read input: block when idle, otherwise only look every 64 clocks
		if (!eof && (idle || (cycles & 63) == 0)) {
			struct pollfd pfd = { 0, POLLIN, 0 };
			int pr = poll(&pfd, 1, idle ? -1 : 0);

			if (pr > 0) {
				ssize_t r = read(0, buf, sizeof(buf));

				if (r > 0)
					in.insert(in.end(), buf, buf + r);
				else if (r == 0 || errno != EINTR)
					eof = true;
			}
		}
		// one clock: sample the handshakes before the rising edge
		top.in_valid_i = !in.empty();
		top.in_data_i = in.empty() ? 0 : in.front();
		top.eval();
		bool took = top.in_valid_i && top.in_ready_o;
		bool gave = top.out_valid_o;
		uint8_t byte = top.out_data_o;
		top.clk_i = 1;
		top.eval();
		top.clk_i = 0;
		top.eval();
		cycles++;
		if (took)
			in.pop_front();
		if (gave)
			out.push_back(byte);
		if (out.size() >= 4096) {
			if (!write_all(1, out.data(), out.size()))
				return 0;
			out.clear();
		}
		if (max_cycles && cycles >= max_cycles) {
			fprintf(stderr, "mmu-vboard: stopped after %llu clocks\n", cycles);
			return 3;
		}
	}
}

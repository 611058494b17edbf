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
// Built twice (Makefile): mmu-vboard drives rtl/link/mmu_vboard.v's byte
// streams directly; mmu-vboard-uart (VBOARD_UART) runs the real iCEBreaker
// top, rtl/board/icebreaker.v, and plays the FT2232H's side of its UART:
// 3 Mbaud 8N1 from the 12 MHz clock, 4 clocks a bit, with no flow control
// (the host keeps to the link's window, as on the real board).
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
#include "verilated.h"
#ifdef VBOARD_UART
#include "Vicebreaker.h"
#include "Vicebreaker___024root.h"
typedef Vicebreaker Top;
#else
#include "Vmmu_vboard.h"
typedef Vmmu_vboard Top;
#endif

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

#ifdef VBOARD_UART
// The FT2232H side of the UART, one clock at a time.
enum { DIV = 4 };          // rtl/board/icebreaker.v: mmu_uart #(.DIV(4)) at 12 MHz

struct Serial {
	// host -> board
	int tx_bit = -1, tx_cnt = 0;   // bit being sent (-1 idle, 0 start, 1..8 data, 9 stop)
	uint8_t tx_byte = 0;
	// board -> host
	int rx_bit = -1, rx_cnt = 0;
	uint8_t rx_byte = 0;

	// the level of the board's RX pin this clock; takes bytes from in
	int drive(std::deque<uint8_t> &in)
	{
		if (tx_bit < 0 && !in.empty()) {
			tx_byte = in.front();
			in.pop_front();
			tx_bit = 0;
			tx_cnt = 0;
		}
		if (tx_bit < 0)
			return 1;
		int level = tx_bit == 0 ? 0 : tx_bit == 9 ? 1 : (tx_byte >> (tx_bit - 1)) & 1;
		if (++tx_cnt == DIV) {
			tx_cnt = 0;
			if (++tx_bit == 10)
				tx_bit = -1;
		}
		return level;
	}
	// watch the board's TX pin; a finished byte goes to out
	void sample(int level, std::vector<uint8_t> &out)
	{
		if (rx_bit < 0) {
			if (!level) {
				rx_bit = 0;
				rx_cnt = DIV / 2;   // sample in the middle of each bit
			}
			return;
		}
		if (--rx_cnt)
			return;
		rx_cnt = DIV;
		if (rx_bit >= 1 && rx_bit <= 8)
			rx_byte = (uint8_t)(rx_byte >> 1 | level << 7);
		if (rx_bit == 9) {
			if (level)
				out.push_back(rx_byte);
			else
				fprintf(stderr, "mmu-vboard-uart: framing error from the board\n");
			rx_bit = -1;
			return;
		}
		rx_bit++;
	}
	bool idle() const { return tx_bit < 0 && rx_bit < 0; }
};
#endif

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
	Top top(&ctx);
	std::deque<uint8_t> in;
	std::vector<uint8_t> out;
	uint8_t buf[65536];
	bool eof = false;
#ifdef VBOARD_UART
	Serial ser;
	auto &clk = top.CLK;
	top.RX = 1;
	top.BTN_N = 1;            // the top resets itself after configuration
	auto board_idle = [&]() {
		return top.rootp->icebreaker__DOT__sim_idle && ser.idle() && top.TX;
	};
#else
	auto &clk = top.clk_i;
	top.rst_ni = 0;
	top.in_valid_i = 0;
	top.in_data_i = 0;
	top.out_ready_i = 1;
	auto board_idle = [&]() { return top.idle_o != 0; };
#endif
	clk = 0;
	for (int i = 0; i < 40; i++) {
		clk = 1;
		top.eval();
		clk = 0;
		top.eval();
	}
#ifndef VBOARD_UART
	top.rst_ni = 1;
#endif
	top.eval();
	for (;;) {
		bool idle = board_idle() && in.empty();

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
		// one clock: sample the handshakes (or the pins) before the rising edge
#ifdef VBOARD_UART
		top.RX = (uint8_t)ser.drive(in);
		top.eval();
		ser.sample(top.TX, out);
		clk = 1;
		top.eval();
		clk = 0;
		top.eval();
#else
		top.in_valid_i = !in.empty();
		top.in_data_i = in.empty() ? 0 : in.front();
		top.eval();
		bool took = top.in_valid_i && top.in_ready_o;
		bool gave = top.out_valid_o;
		uint8_t byte = top.out_data_o;
		clk = 1;
		top.eval();
		clk = 0;
		top.eval();
		if (took)
			in.pop_front();
		if (gave)
			out.push_back(byte);
#endif
		cycles++;
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

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
// Built three times (Makefile):
//  - mmu-vboard drives rtl/link/mmu_vboard.v's byte streams directly;
//  - mmu-vboard-uart (VBOARD_UART) runs the real iCEBreaker top,
//    rtl/board/icebreaker.v, and plays the FT2232H's side of its UART:
//    3 Mbaud 8N1 from the 12 MHz clock, 4 clocks a bit, with no flow
//    control (the host keeps to the link's window, as on the real board);
//  - mmu-vboard-fifo (VBOARD_FIFO) runs rtl/board/ft232h_board.v (the
//    FT232H top without its pads) and plays the FT232H's side of the FT245
//    synchronous FIFO: CLKOUT at 60 MHz against the 12 MHz core clock (five
//    to one), RXF#/TXE#/D changing after each rising edge, a byte moving at
//    an edge where RD# (WR#) and RXF# (TXE#) are low.  It checks the
//    FPGA's side of the protocol - RD# low only after a clock of OE# low,
//    never both driving D, WR# low only while the FPGA drives D - and stops
//    with exit status 4 on a violation.  The chip stalls at random (RXF# or
//    TXE# high for a few clocks) unless MMU_FT_STALLS=0.
//
// Options: --max-cycles N  stop with exit status 3 after N core clocks (a
//                          guard for tests; default unlimited)
// MMU_VBOARD_CLOCKS=FILE   at exit, write "BUSY TOTAL" core clocks to FILE:
//                          clocks with work in hand, and all (make bench)
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
#if defined(VBOARD_UART)
#include "Vicebreaker.h"
#include "Vicebreaker___024root.h"
typedef Vicebreaker Top;
#elif defined(VBOARD_FIFO)
#include "Vft232h_board.h"
#include "Vft232h_board___024root.h"
typedef Vft232h_board Top;
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

#ifdef VBOARD_FIFO
// The FT232H's side of the FT245 synchronous FIFO, one CLKOUT cycle at a time.
struct Chip {
	bool rxf_n = true, txe_n = true;   // outputs, changed after each rising edge
	bool oe_was_low = false;           // OE# was low during the last cycle
	int stall_rx = 0, stall_tx = 0;    // clocks left of a random stall
	unsigned stall_pct;
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	unsigned long long violations = 0;

	explicit Chip(unsigned pct) : stall_pct(pct) {}
	unsigned rnd(unsigned n)
	{
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		return (unsigned)(rng % n);
	}
	void violation(const char *what)
	{
		if (!violations++)
			fprintf(stderr, "mmu-vboard-fifo: FT245 protocol violation: %s\n", what);
	}
	// one CLKOUT cycle: drive the inputs, check the FPGA's outputs, clock,
	// move the bytes both ways
	void cycle(Top &top, std::deque<uint8_t> &in, std::vector<uint8_t> &out)
	{
		bool oe = !top.FT_OE_N, rd = !top.FT_RD_N, wr = !top.FT_WR_N;

		top.FT_RXF_N = rxf_n;
		top.FT_TXE_N = txe_n;
		top.ft_d_i = oe && !in.empty() ? in.front() : 0xff;
		if (oe && top.ft_d_oe)
			violation("the FPGA drives D while OE# is low");
		if (rd && !oe_was_low)
			violation("RD# low without a clock of OE# low before it");
		if (wr && !top.ft_d_oe)
			violation("WR# low while the FPGA does not drive D");
		bool took = rd && !rxf_n, gave = wr && !txe_n;
		uint8_t byte = top.ft_d_o;
		top.FT_CLK = 1;
		top.eval();
		top.FT_CLK = 0;
		top.eval();
		oe_was_low = oe;
		if (took)
			in.pop_front();
		if (gave)
			out.push_back(byte);
		if (stall_rx)
			stall_rx--;
		else if (stall_pct && rnd(100) < stall_pct)
			stall_rx = 1 + (int)rnd(8);
		if (stall_tx)
			stall_tx--;
		else if (stall_pct && rnd(100) < stall_pct)
			stall_tx = 1 + (int)rnd(8);
		rxf_n = in.empty() || stall_rx;
		txe_n = stall_tx != 0;
	}
	bool idle(const std::deque<uint8_t> &in) const { return in.empty(); }
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
	unsigned long long busy = 0;
	const char *clocks_file = getenv("MMU_VBOARD_CLOCKS");
	auto finish = [&](int rc) {
		if (clocks_file) {
			FILE *f = fopen(clocks_file, "w");

			if (f) {
				fprintf(f, "%llu %llu\n", busy, cycles);
				fclose(f);
			}
		}
		return rc;
	};
#if defined(VBOARD_UART)
	Serial ser;
	auto &clk = top.CLK;
	top.RX = 1;
	top.BTN_N = 1;            // the top resets itself after configuration
	auto board_idle = [&]() {
		return top.rootp->icebreaker__DOT__sim_idle && ser.idle() && top.TX;
	};
#elif defined(VBOARD_FIFO)
	const char *stalls = getenv("MMU_FT_STALLS");
	Chip chip(stalls ? (unsigned)atoi(stalls) : 5);
	auto &clk = top.CLK;
	unsigned idle_run = 0;    // core clocks in a row with nothing to do
	top.BTN_N = 1;
	top.FT_CLK = 0;
	top.FT_RXF_N = 1;
	top.FT_TXE_N = 1;
	top.ft_d_i = 0xff;
	// Bytes crossing between the clocks are invisible to the board's idle
	// signal for a few core clocks: idle must hold for eight in a row.
	auto board_idle = [&]() { return idle_run >= 8; };
#else
	auto &clk = top.clk_i;
	top.rst_ni = 0;
	top.in_valid_i = 0;
	top.in_data_i = 0;
	top.out_ready_i = 1;
	auto board_idle = [&]() { return top.idle_o != 0; };
#endif
	// one core clock: sample the handshakes (or the pins) before the rising edge
	auto step = [&]() {
#if defined(VBOARD_UART)
		top.RX = (uint8_t)ser.drive(in);
		top.eval();
		ser.sample(top.TX, out);
		clk = 1;
		top.eval();
		clk = 0;
		top.eval();
#elif defined(VBOARD_FIFO)
		// five CLKOUT cycles; the core's rising edge falls between the second and third
		for (int i = 0; i < 5; i++) {
			if (i == 2) {
				clk = 1;
				top.eval();
				clk = 0;
				top.eval();
			}
			chip.cycle(top, in, out);
		}
		bool quiet = top.rootp->ft232h_board__DOT__sim_idle && chip.idle(in);
		idle_run = quiet ? idle_run + 1 : 0;
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
	};
	clk = 0;
	top.eval();               // the outputs' initial values
	for (int i = 0; i < 40; i++) {
#if defined(VBOARD_UART) || defined(VBOARD_FIFO)
		step();
#else
		clk = 1;
		top.eval();
		clk = 0;
		top.eval();
#endif
	}
#if !defined(VBOARD_UART) && !defined(VBOARD_FIFO)
	top.rst_ni = 1;
#endif
	top.eval();
	for (;;) {
		bool idle = board_idle() && in.empty();

		if (idle && !out.empty()) {
			if (!write_all(1, out.data(), out.size()))
				return finish(0);      // the host went away
			out.clear();
		}
		if (idle && eof)
			return finish(0);
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
		if (!idle)
			busy++;
		step();
		cycles++;
#ifdef VBOARD_FIFO
		if (chip.violations)
			return finish(4);
#endif
		if (out.size() >= 4096) {
			if (!write_all(1, out.data(), out.size()))
				return finish(0);
			out.clear();
		}
		if (max_cycles && cycles >= max_cycles) {
			fprintf(stderr, "mmu-vboard: stopped after %llu clocks\n", cycles);
			return finish(3);
		}
	}
}

/*
 * bench_link.c - the board link, measured: translations per second through
 * a virtual board (simulation speed, not the board's), and the wire bytes
 * per translation each way, counted on the host's side of the link; from
 * those, the rate a 3 Mbaud UART allows.  Median of 5 runs; never asserts.
 *
 * Then the board's own speed: the virtual board counts the core clocks it
 * has work in hand (MMU_VBOARD_CLOCKS, sim/vboard_main.cpp), once for the
 * set-up alone and once for the set-up and a workload run; the difference
 * over N is core clocks per translation, and 10^6 over that is translations
 * per second per MHz of core clock.  Simulation is cycle-exact, so one run
 * each.  The PHY is inside the count: bit times on the UART top, the FIFO
 * handshakes and the clock crossing on the FT232H top.
 *
 * Usage: bench_link VBOARD [N]   (N translations a run, default 30000)
 * Workload: Sv39 tables for 64 pages built with mkpt; "hits" cycles over
 * them (they fit the TLB), "walks" invalidates all before each batch.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_board.h"
#include "bench_util.h"
#include "board.h"
#include "mmu_model.h"

#define RUNS 5

/* One run of workload w: 0 "hits" (one batch of n), 1 "walks" (INVALIDATE
 * all before each batch of the board's largest size).  0, or -1. */
static int workload(struct board *b, int w, const struct mmu_request *q, size_t n,
		    struct mmu_response *r)
{
	size_t batch = board_get_info(b)->max_batch;

	for (size_t i = 0; i < n; i += w ? batch : n) {
		size_t k = w ? (n - i < batch ? n - i : batch) : n;

		if (w && board_invalidate(b, MMU_INVAL_ALL, 0, 0))
			return -1;
		if (board_translate(b, q + i, k, r + i))
			return -1;
	}
	return 0;
}

/* One workload run (w: 0 hits, 1 walks, -1 none) on a fresh virtual board;
 * the core clocks it had work in hand, set-up included, or -1. */
static double busy_clocks(const char *vboard, int w, const struct mmu_request *q, size_t n,
			  struct mmu_response *r)
{
	char path[] = "/tmp/bench_link_clocks.XXXXXX", err[256];
	unsigned long long busy = 0, total = 0;
	struct board *b;
	int fd = mkstemp(path), ok = 0;
	FILE *f;

	if (fd < 0)
		return -1;
	close(fd);
	setenv("MMU_VBOARD_CLOCKS", path, 1);
	if (!board_open_sim(&b, vboard, err, sizeof(err))) {
		ok = !bench_board_setup(b) && (w < 0 || !workload(b, w, q, n, r));
		board_close(b);      /* waits for the virtual board to exit */
	}
	unsetenv("MMU_VBOARD_CLOCKS");
	f = fopen(path, "r");
	if (!f || fscanf(f, "%llu %llu", &busy, &total) != 2)
		ok = 0;
	if (f)
		fclose(f);
	unlink(path);
	return ok ? (double)busy : -1;
}
#define UART_BYTES_PER_S 300000.0   /* 3 Mbaud, 10 bits a byte */

int main(int argc, char **argv)
{
	const char *names[] = { "hits", "walks" };
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 0) : 30000;
	struct mmu_request *q;
	struct mmu_response *r;
	struct board *b;
	char err[256];

	if (argc < 2 || !n) {
		fprintf(stderr, "usage: bench_link VBOARD [N]\n");
		return 2;
	}
	if (board_open_sim(&b, argv[1], err, sizeof(err))) {
		fprintf(stderr, "bench_link: %s\n", err);
		return 1;
	}
	q = calloc(n, sizeof(*q));
	r = calloc(n, sizeof(*r));
	if (!q || !r || bench_board_setup(b)) {
		fprintf(stderr, "bench_link: setup failed\n");
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		q[i].va = 0x400000 + (i % 64) * 0x1000 + (i * 8 % 4096);
		q[i].asid = 1;
		q[i].access = MMU_ACCESS_R;
		q[i].priv = MMU_PRIV_U;
	}
	printf("%s (%u kHz core clock; 0 = simulation), %zu translations a run, median of %d:\n",
	       argv[1], board_get_info(b)->clk_khz, n, RUNS);
	for (int w = 0; w < 2; w++) {
		double rate[RUNS], out_b = 0, in_b = 0;
		unsigned long hits = 0;

		for (int run = 0; run < RUNS; run++) {
			const struct board_link_stats *ls = board_get_link_stats(b);
			unsigned long s0 = ls->bytes_sent, r0 = ls->bytes_received;
			double t0 = bench_now();

			if (workload(b, w, q, n, r))
				return 1;
			rate[run] = (double)n / (bench_now() - t0);
			out_b = (double)(ls->bytes_sent - s0) / (double)n;
			in_b = (double)(ls->bytes_received - r0) / (double)n;
			hits = 0;
			for (size_t i = 0; i < n; i++) {
				if (r[i].cause != MMU_CAUSE_OK)
					return 1;
				hits += r[i].hit;
			}
		}
		printf("  %-6s %9.0f translations/s in simulation; %5.2f wire bytes each to the board, "
		       "%5.2f back (invalidations included); TLB hits %lu/%zu; a 3 Mbaud UART "
		       "allows %.0f/s\n", names[w], bench_median(rate, RUNS), out_b, in_b, hits, n,
		       UART_BYTES_PER_S / (out_b > in_b ? out_b : in_b));
	}
	board_close(b);
	{
		double base = busy_clocks(argv[1], -1, q, n, r);

		printf("board clocks (core clocks with work in hand; set-up alone %.0f):\n", base);
		for (int w = 0; w < 2 && base >= 0; w++) {
			double c = busy_clocks(argv[1], w, q, n, r) - base;

			if (c > 0)
				printf("  %-6s %7.1f core clocks a translation: %8.0f translations/s per MHz"
				       " of core clock\n", names[w], c / (double)n, 1e6 * (double)n / c);
		}
	}
	free(q);
	free(r);
	return 0;
}

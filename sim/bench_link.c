/*
 * bench_link.c - the board link, measured: translations per second through
 * a virtual board (simulation speed, not the board's), and the wire bytes
 * per translation each way, counted on the host's side of the link; from
 * those, the rate a 3 Mbaud UART allows.  Median of 5 runs; never asserts.
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

#include "bench_board.h"
#include "bench_util.h"
#include "board.h"
#include "mmu_model.h"

#define RUNS 5
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
			size_t batch = board_get_info(b)->max_batch;
			double t0 = bench_now();

			for (size_t i = 0; i < n; i += w ? batch : n) {
				size_t k = w ? (n - i < batch ? n - i : batch) : n;

				if (w && board_invalidate(b, MMU_INVAL_ALL, 0, 0))
					return 1;
				if (board_translate(b, q + i, k, r + i))
					return 1;
			}
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
	free(q);
	free(r);
	board_close(b);
	return 0;
}

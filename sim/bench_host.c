/*
 * bench_host.c - the host library, measured (make bench; never asserts):
 *
 * 1. CPU time per translation inside the library: board_translate's framing,
 *    COBS, CRC, tags, window and response decoding.  A first run talks to
 *    the virtual board through a transport that records every byte it
 *    answers; the measured runs replay those bytes from memory, so that no
 *    board, socket or simulator time is counted - only the library.
 * 2. Per device (model, sim): translations per second, and fault round trips
 *    per second (a translation faults, the OS layer handles the fault,
 *    writes the PTE, invalidates, fences and retries) on a workload that
 *    faults on every page.  (Raw translation rates without the OS layer:
 *    bench_model and bench_link.)
 *
 * Usage: bench_host VBOARD [N]   (N translations a run, default 200000)
 * Median of 5 runs each.
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
#include "dev.h"
#include "os.h"
#include "workload.h"

#define RUNS 5

/* ---- a transport that records the board's bytes, and one that replays them ---- */

struct tape {
	int fd;               /* recording: the virtual board */
	pid_t pid;
	uint8_t *buf;
	size_t len, cap, pos;
	int replay;
};

static int tape_send(void *ctx, const uint8_t *p, size_t n)
{
	struct tape *t = ctx;

	/* replaying, the bytes go nowhere: their answers are on the tape */
	return t->replay ? 0 : board_fd_send(t->fd, p, n);
}

static long tape_recv(void *ctx, uint8_t *p, size_t cap, int timeout_ms)
{
	struct tape *t = ctx;
	long r;

	if (t->replay) {
		size_t k = t->len - t->pos < cap ? t->len - t->pos : cap;

		if (!k)
			return BOARD_E_TIMEOUT;
		memcpy(p, t->buf + t->pos, k);
		t->pos += k;
		return (long)k;
	}
	r = board_fd_recv(t->fd, p, cap, timeout_ms);
	if (r <= 0)
		return r;
	if (t->len + (size_t)r > t->cap) {
		size_t nc = (t->cap ? t->cap * 2 : 1 << 20) + (size_t)r;
		uint8_t *nb = realloc(t->buf, nc);

		if (!nb)
			return BOARD_E_GONE;
		t->buf = nb;
		t->cap = nc;
	}
	memcpy(t->buf + t->len, p, (size_t)r);
	t->len += (size_t)r;
	return r;
}

static void tape_close(void *ctx)
{
	struct tape *t = ctx;

	if (!t->replay)
		board_reap_vboard(t->fd, t->pid);
}

static const struct board_io tape_io = { "tape", tape_send, tape_recv, NULL, tape_close, NULL };

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* One pass: open over the tape, set up, translate q; CPU seconds of the
 * translate call alone in *sec. */
static int pass(struct tape *t, const struct mmu_request *q, struct mmu_response *r, size_t n,
		double *sec)
{
	struct board *b;
	char err[256];
	double c0;
	int rc;

	t->pos = 0;
	if (board_open_io(&b, &tape_io, t, err, sizeof(err))) {
		fprintf(stderr, "bench_host: %s\n", err);
		return -1;
	}
	rc = bench_board_setup(b);
	c0 = cpu_now();
	if (!rc)
		rc = board_translate(b, q, n, r);
	*sec = cpu_now() - c0;
	board_close(b);
	for (size_t i = 0; !rc && i < n; i++)
		if (r[i].cause != MMU_CAUSE_OK || r[i].tag != q[i].tag)
			rc = -1;
	return rc;
}

static int library_cpu(const char *vboard, size_t n)
{
	struct tape t = { 0 };
	struct mmu_request *q = calloc(n, sizeof(*q));
	struct mmu_response *r = calloc(n, sizeof(*r));
	double v[RUNS], sec;
	char err[256];

	if (!q || !r || board_spawn_vboard(vboard, &t.fd, &t.pid, err, sizeof(err))) {
		fprintf(stderr, "bench_host: %s\n", q && r ? err : "out of memory");
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		q[i].tag = (uint32_t)i;
		q[i].va = 0x400000 + (i % 64) * 0x1000 + (i * 8 % 4096);
		q[i].asid = 1;
		q[i].access = MMU_ACCESS_R;
		q[i].priv = MMU_PRIV_U;
	}
	if (pass(&t, q, r, n, &sec)) {        /* recording, against the board */
		fprintf(stderr, "bench_host: the recording run failed\n");
		return 1;
	}
	t.replay = 1;
	for (int run = 0; run < RUNS; run++)
		if (pass(&t, q, r, n, &v[run])) {
			fprintf(stderr, "bench_host: a replayed run failed\n");
			return 1;
		}
	printf("library CPU time per translation (board_translate: batching, tags, framing, COBS,\n"
	       "CRC, window, response decoding; the board's answers replayed from memory):\n"
	       "  %.1f ns  (median of %d runs of %zu translations; %.2f MB of answers)\n",
	       bench_median(v, RUNS) * 1e9 / (double)n, RUNS, n, (double)t.len / 1e6);
	free(t.buf);
	free(q);
	free(r);
	return 0;
}

/* ---- per device: a workload that faults on every page ---- */

static int device_rates(const char *spec)
{
	double tps[RUNS], fps[RUNS];

	for (int run = 0; run < RUNS; run++) {
		struct dev *d;
		struct mmu_os *os;
		struct mmu_os_config oc = { MMU_MODE_SV39, 64, 4096, NULL, 0 };
		struct wl_opts wo = { 0 };
		struct wl_result res;
		struct mmu_os_stats st;
		uint64_t faults = 0;
		char err[256];

		if (dev_open(&d, spec, NULL, 0, err, sizeof(err)) ||
		    mmu_os_new(&os, d, &oc, err, sizeof(err))) {
			fprintf(stderr, "bench_host: %s: %s\n", spec, err);
			return 1;
		}
		/* 256 pages through 64 frames: every touch of a page faults
		 * (zero-fill, then swap-in), and every fault evicts */
		wo.kind = WL_SEQ;
		wo.pages = 256;
		wo.accesses = 1024;
		wo.seed = 1;
		if (wl_run(os, &wo, &res, err, sizeof(err))) {
			fprintf(stderr, "bench_host: %s: %s\n", spec, err);
			return 1;
		}
		mmu_os_get_stats(os, &st);
		for (unsigned k = 0; k < MMU_FAULT_COUNT; k++)
			faults += st.faults[k];
		tps[run] = (double)st.translations / res.seconds;
		fps[run] = (double)faults / res.seconds;
		mmu_os_free(os);
		dev_close(d);
	}
	printf("  %-6s %10.0f translations/s, %9.0f fault round trips/s\n", spec,
	       bench_median(tps, RUNS), bench_median(fps, RUNS));
	return 0;
}

int main(int argc, char **argv)
{
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 0) : 200000;

	if (argc < 2 || !n) {
		fprintf(stderr, "usage: bench_host VBOARD [N]\n");
		return 2;
	}
	setenv("MMU_VBOARD", argv[1], 1);
	if (library_cpu(argv[1], n))
		return 1;
	printf("per device: seq over 256 pages in 64 frames (a fault on every page touched, "
	       "each one evicting), median of %d:\n", RUNS);
	if (device_rates("model") || device_rates("sim"))
		return 1;
	return 0;
}

/*
 * bench_model.c - throughput of the reference model on one core, per mode:
 * TLB hits, walks that start from the page-walk cache, and full walks (no
 * PWC).  Prints the median of 5 runs of each; never asserts a time.
 *
 * Address stream: hits cycle over 128 pages (they fit the 64x4 TLB); walks
 * step through 65536 consecutive 4 KiB pages, so every access misses the TLB
 * (an entry is reused only after 65536 other pages).  Page tables are built
 * with mkpt in a memory image; memory is read through the model's callbacks.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "memimg.h"
#include "mkpt.h"
#include "mmu_model.h"

#define RUNS 5
#define PAGES 65536u

struct setup {
	const char *name;
	unsigned mode;
	struct mmu_config cfg;
};

/* Translations per second over n requests cycling over npages (a power of 2). */
static double rate(struct mmu_model *m, uint64_t base_va, unsigned npages, unsigned long n,
		   unsigned *faults)
{
	struct mmu_request q = { .access = MMU_ACCESS_R, .priv = MMU_PRIV_U };
	struct mmu_response r;
	double t0 = bench_now();

	for (unsigned long i = 0; i < n; i++) {
		q.va = base_va + ((uint64_t)(i & (npages - 1)) << 12) + (i & 0xff8);
		mmu_translate(m, &q, &r);
		*faults += r.cause != MMU_CAUSE_OK;
	}
	return (double)n / (bench_now() - t0);
}

static double median_rate(struct mmu_model *m, uint64_t va, unsigned npages, unsigned long n,
			  unsigned *faults)
{
	double v[RUNS];

	for (unsigned i = 0; i < RUNS; i++) {
		mmu_invalidate(m, MMU_INVAL_ALL, 0, 0);
		v[i] = rate(m, va, npages, n, faults);
	}
	return bench_median(v, RUNS);
}

static int bench_mode(const struct setup *s)
{
	struct memimg img;
	struct mkpt pt;
	struct mmu_mem_ops ops;
	struct mmu_model *m = NULL, *nopwc = NULL;
	struct mmu_config c2;
	char err[256];
	uint64_t va = 0x10000000;
	unsigned faults = 0;
	double hit, walk, full;
	int rc = 1;

	if (memimg_create(&img, 0, 0, 1, err, sizeof(err)) ||
	    mkpt_init(&pt, &img, &s->cfg, s->mode, 0, 0, 0, err, sizeof(err)))
		goto out;
	for (unsigned i = 0; i < PAGES; i++)
		if (mkpt_map(&pt, va + ((uint64_t)i << 12), 0x80000000ULL + ((uint64_t)i << 12), 12,
			     PTE_R | PTE_W | PTE_U | PTE_A | PTE_D, err, sizeof(err)))
			goto out;
	memimg_ops(&img, &ops);
	c2 = s->cfg;
	c2.pwc_entries = 0;
	if (mmu_model_new(&s->cfg, &ops, &m) || mmu_model_new(&c2, &ops, &nopwc) ||
	    mmu_set_context(m, 0, s->mode, pt.root) || mmu_set_context(nopwc, 0, s->mode, pt.root)) {
		snprintf(err, sizeof(err), "model setup failed");
		goto out;
	}
	hit = median_rate(m, va, 128, 20000000, &faults);
	walk = median_rate(m, va, PAGES, 4000000, &faults);
	full = median_rate(nopwc, va, PAGES, 2000000, &faults);
	printf("%-10s %14.1f %14.1f %14.1f   (%u levels, %u table pages)\n", s->name, hit / 1e6,
	       walk / 1e6, full / 1e6, pt.g.levels, pt.tables);
	if (faults) {
		snprintf(err, sizeof(err), "%u unexpected faults", faults);
		goto out;
	}
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "bench %s: %s\n", s->name, err);
	mmu_model_free(m);
	mmu_model_free(nopwc);
	memimg_free(&img);
	return rc;
}

int main(void)
{
	struct setup s[5];
	int rc = 0;

	for (unsigned i = 0; i < 5; i++)
		mmu_config_default(&s[i].cfg);
	s[0].name = "sv32";
	s[0].mode = MMU_MODE_SV32;
	s[1].name = "sv39";
	s[1].mode = MMU_MODE_SV39;
	s[2].name = "sv48";
	s[2].mode = MMU_MODE_SV48;
	s[3].name = "x86_64";
	s[3].mode = MMU_MODE_X86_64;
	s[4].name = "textbook";
	s[4].mode = MMU_MODE_TEXTBOOK;
	s[4].cfg.tb.page_bits = 12;
	s[4].cfg.tb.pa_bits = 32;
	s[4].cfg.tb.levels = 2;
	s[4].cfg.tb.idx_bits[0] = 10;
	s[4].cfg.tb.idx_bits[1] = 10;
	printf("model throughput, one core, median of %d runs, million translations/s\n", RUNS);
	printf("TLB 64x4, 8 superpage and 8 walk-cache entries; walks step through %u pages\n\n",
	       PAGES);
	printf("%-10s %14s %14s %14s\n", "mode", "TLB hits", "walks (PWC)", "full walks");
	for (unsigned i = 0; i < 5; i++)
		rc |= bench_mode(&s[i]);
	return rc;
}

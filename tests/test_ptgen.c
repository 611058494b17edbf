/*
 * test_ptgen.c - the stimulus generator's knobs do what sim/ptgen.h says:
 * dense tables, and the localities (sequential, strided, uniform, Zipf)
 * with their page list and probe.  Each check counts what the requests
 * did against what the knob promises, so a knob that is ignored fails.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mmu_model.h"
#include "ptgen.h"

#define NREQ 200000

static void discard(void *ctx, uint64_t pa, uint64_t pte, unsigned bytes)
{
	(void)ctx;
	(void)pa;
	(void)pte;
	(void)bytes;
}

/* A generator for Sv39 (or mode), two address spaces, seeded; loc may be NULL. */
static struct ptgen *make_gen(unsigned mode, uint64_t seed, int dense, const char *loc)
{
	struct ptgen *p = calloc(1, sizeof(*p));
	struct mmu_config c;
	struct mmu_geometry g;
	struct ptgen_locality l;
	char err[128];
	uint64_t root;

	assert_non_null(p);
	mmu_config_default(&c);
	assert_int_equal(mmu_config_geometry(&c, mode, 40, &g), 0);
	ptgen_init(p, seed, mode, &g, 2, 16ULL << g.page_bits, 1u << 22, discard, NULL);
	p->dense = dense;
	assert_int_equal(ptgen_locality_parse(loc ? loc : "mix", &l, err, sizeof(err)), 0);
	p->loc = l;
	for (unsigned a = 1; a <= 2; a++)
		assert_int_equal(ptgen_new_tree(p, a, &root), 0);
	return p;
}

static void locality_parse(void **state)
{
	static const char *const good[] = { "mix", "seq", "stride:1", "stride:4160", "stride:0x1000",
					    "random", "zipf", "zipf:0.5", "zipf:8" };
	static const char *const bad[] = { "", "seqx", "mix:1", "stride", "stride:", "stride:0",
					   "stride:-8", "stride:12x", "stride:0x20000000000", "zipf:0",
					   "zipf:-1", "zipf:8.5", "zipf:nan", "zipf:", "zipfy", "uniform" };
	struct ptgen_locality l;
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (ptgen_locality_parse(good[i], &l, err, sizeof(err)))
			fail_msg("'%s' refused: %s", good[i], err);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		if (!ptgen_locality_parse(bad[i], &l, err, sizeof(err)))
			fail_msg("'%s' accepted", bad[i]);
		assert_true(strlen(err) > 10);   /* a reason */
	}
	assert_int_equal(ptgen_locality_parse("seq", &l, err, sizeof(err)), 0);
	assert_int_equal(l.kind, PTGEN_LOC_STRIDE);
	assert_int_equal(l.stride, 8);
	assert_int_equal(ptgen_locality_parse("stride:0x1040", &l, err, sizeof(err)), 0);
	assert_int_equal(l.stride, 0x1040);
	assert_int_equal(ptgen_locality_parse("zipf", &l, err, sizeof(err)), 0);
	assert_true(l.kind == PTGEN_LOC_ZIPF && l.s == 1.0);
}

/* Pages listed, and how many last-level leaves sit at the index after
 * another last-level leaf of the same table. */
static void page_stats(struct ptgen *p, unsigned *pages, unsigned *neighbours)
{
	*pages = ptgen_make_pages(p, NULL, NULL);
	*neighbours = 0;
	for (unsigned i = 0; i < p->nslots; i++)
		for (unsigned j = 0; p->slots[i].level == 0 && p->slots[i].leaf && j < p->nslots; j++)
			if (p->slots[j].level == 0 && p->slots[j].leaf &&
			    p->slots[j].pa == p->slots[i].pa + p->g.pte_bytes) {
				++*neighbours;
				break;
			}
}

static void dense_tables(void **state)
{
	unsigned sp = 0, sn = 0, dp = 0, dn = 0;

	(void)state;
	for (unsigned seed = 1; seed <= 8; seed++) {
		struct ptgen *s = make_gen(MMU_MODE_SV39, seed, 0, NULL);
		struct ptgen *d = make_gen(MMU_MODE_SV39, seed, 1, NULL);
		unsigned p, n;

		page_stats(s, &p, &n);
		sp += p;
		sn += n;
		page_stats(d, &p, &n);
		dp += p;
		dn += n;
		assert_true(p >= 16);
		free(s);
		free(d);
	}
	printf("  sparse: %u pages, %u base-page leaves next to another; dense: %u pages, %u\n",
	       sp, sn, dp, dn);
	/* dense last-level tables: 32-96 consecutive entries, 80% of them leaves */
	assert_true(dp >= 4 * sp);
	assert_true(dn >= dp / 4);
	assert_true(sn * 20 <= sp);
}

/* STRIDE: request i goes to offset i*stride of the pages laid end to end,
 * but for the 1% given a random VA. */
static void strides(void **state)
{
	static const char *const locs[] = { "seq", "stride:4160", "stride:1", "stride:0x200000" };

	(void)state;
	for (size_t li = 0; li < sizeof(locs) / sizeof(locs[0]); li++) {
		struct ptgen *p = make_gen(MMU_MODE_SV48, 7, 1, locs[li]);
		uint64_t stride = p->loc.stride, page = 1ULL << p->g.page_bits;
		unsigned match = 0, n = 20000;

		for (unsigned i = 0; i < n; i++) {
			struct mmu_request q;
			uint64_t at = (uint64_t)i * stride;

			ptgen_request(p, &q);
			assert_true(p->npages > 0);
			match += q.va == p->pages[(at / page) % p->npages].va + at % page;
		}
		printf("  %-16s %u pages: %u of %u requests where the stride puts them\n", locs[li],
		       p->npages, match, n);
		assert_true(match >= n * 97 / 100);
		assert_true(match < n);   /* and the junk is there too */
		free(p);
	}
}

/* Share of the requests that went to the most requested page, and the
 * page count; requests outside every listed page are not counted. */
static double top_share(struct ptgen *p, unsigned n, double *second)
{
	unsigned *count;
	unsigned first = 0, next = 0, inside = 0;
	uint64_t pmask = (1ULL << p->g.page_bits) - 1;

	ptgen_make_pages(p, NULL, NULL);
	count = calloc(p->npages, sizeof(*count));
	assert_non_null(count);
	for (unsigned i = 0; i < n; i++) {
		struct mmu_request q;
		unsigned lo = 0, hi = p->npages;

		ptgen_request(p, &q);
		while (lo < hi) {   /* the page, by VA within the address space's run */
			unsigned mid = (lo + hi) / 2;
			const struct ptgen_page *pg = &p->pages[mid];

			if (pg->asid < q.asid || (pg->asid == q.asid && pg->va < (q.va & ~pmask)))
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < p->npages && p->pages[lo].asid == q.asid && p->pages[lo].va == (q.va & ~pmask)) {
			count[lo]++;
			inside++;
		}
	}
	for (unsigned k = 0; k < p->npages; k++)
		if (count[k] > first) {
			next = first;
			first = count[k];
		} else if (count[k] > next) {
			next = count[k];
		}
	free(count);
	/* all but the 4% sent to the other address space and the junk */
	assert_true(inside >= n * 92 / 100);
	*second = (double)next / inside;
	return (double)first / inside;
}

static void zipf_and_uniform(void **state)
{
	static const double exps[] = { 1.0, 2.0, 0.5 };

	(void)state;
	for (size_t e = 0; e < sizeof(exps) / sizeof(exps[0]); e++) {
		char loc[32];
		struct ptgen *p;
		double h = 0, h2 = 0, top, second;

		snprintf(loc, sizeof(loc), "zipf:%g", exps[e]);
		p = make_gen(MMU_MODE_SV39, 3, 1, loc);
		top = top_share(p, NREQ, &second);
		for (unsigned k = 1; k <= p->npages; k++)
			h += pow(k, -exps[e]);
		h2 = pow(2, -exps[e]) / h;
		h = 1 / h;
		printf("  %-8s %u pages: top page %.4f (law %.4f), second %.4f (law %.4f)\n", loc,
		       p->npages, top, h, second, h2);
		assert_true(fabs(top - h) < 0.1 * h + 0.002);
		assert_true(fabs(second - h2) < 0.15 * h2 + 0.002);
		free(p);
	}
	{
		struct ptgen *p = make_gen(MMU_MODE_SV39, 3, 1, "random");
		double second, top = top_share(p, NREQ, &second);

		printf("  random   %u pages: top page %.4f (uniform %.4f)\n", p->npages, top,
		       1.0 / p->npages);
		assert_true(top < 1.6 / p->npages);
		free(p);
	}
}

/* The probe: only the pages it accepts are listed, and nine requests in
 * ten use an access and privilege it accepted. */
static int probe_even_read_user(void *ctx, unsigned asid, uint64_t va, unsigned access, unsigned priv)
{
	unsigned *calls = ctx;

	++*calls;
	/* bit 21: the same for a leaf's first page and the next 15 */
	return asid == 1 && !((va >> 21) & 1) && access == MMU_ACCESS_R && priv == MMU_PRIV_U;
}

static void probe_filters(void **state)
{
	struct ptgen *p = make_gen(MMU_MODE_X86_64, 5, 1, "random");
	unsigned calls = 0, all, kept, good = 0, n = 20000;

	(void)state;
	all = ptgen_make_pages(p, NULL, NULL);
	kept = ptgen_make_pages(p, probe_even_read_user, &calls);
	printf("  %u pages, %u kept by the probe, %u probes\n", all, kept, calls);
	assert_true(kept > 0 && kept < all);
	for (unsigned i = 0; i < kept; i++)
		assert_true(p->pages[i].asid == 1 && !((p->pages[i].va >> 21) & 1) &&
			    p->pages[i].ok == 1u << (MMU_ACCESS_R * 2 + MMU_PRIV_U));
	for (unsigned i = 0; i < n; i++) {
		struct mmu_request q;

		ptgen_request(p, &q);
		good += q.access == MMU_ACCESS_R && q.priv == MMU_PRIV_U;
	}
	printf("  %u of %u requests read as user\n", good, n);
	/* 90%, plus a sixth of the other 10% by chance */
	assert_true(good >= n * 88 / 100 && good <= n * 95 / 100);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(locality_parse),
		cmocka_unit_test(dense_tables),
		cmocka_unit_test(strides),
		cmocka_unit_test(zipf_and_uniform),
		cmocka_unit_test(probe_filters),
	};

	return cmocka_run_group_tests_name("ptgen", tests, NULL, NULL);
}

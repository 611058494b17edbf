/*
 * test_random.c - caching never changes an answer.
 *
 * Two models see the same random page tables (in two identical memories) and
 * the same random requests.  The first caches as specified (TLB, superpage
 * array, PWC, random geometry); the second is told to invalidate everything
 * before each request, so it always walks from the root.  When software
 * invalidates as the spec requires after each page-table change, every
 * response must be identical except `hit`, and so must every byte of memory
 * (A/D updates included).  The tables are random trees with junk: missing
 * entries, reserved bits, W-without-R, misaligned superpages, pointers with
 * A/D/U set, XD without NXE, addresses beyond the PA width.
 *
 * Volume: 5 modes x SEEDS seeds x REQS requests (600,000 translations).
 * A failure prints the mode, the seed and the request number.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mmu_model.h"
#include "ptgen.h"
#include "testmem.h"

#define SEEDS 60
#define REQS 2000
#define MEM (1u << 20)

struct pair {
	struct testmem t1, t2;
	struct mmu_model *m1, *m2;
};

/* Both memories get every PTE. */
static void put_both(void *ctx, uint64_t pa, uint64_t pte, unsigned bytes)
{
	struct pair *w = ctx;

	if (bytes == 8) {
		tm_put64(&w->t1, pa, pte);
		tm_put64(&w->t2, pa, pte);
	} else {
		tm_put32(&w->t1, pa, (uint32_t)pte);
		tm_put32(&w->t2, pa, (uint32_t)pte);
	}
}

static void compare(unsigned mode, const struct mmu_response *a, const struct mmu_response *b,
		    unsigned seed, unsigned n, uint64_t va)
{
	if (a->cause != b->cause || a->level != b->level || a->exc != b->exc || a->err != b->err ||
	    (a->cause == MMU_CAUSE_OK &&
	     (a->pa != b->pa || a->perm != b->perm || a->page_shift != b->page_shift)))
		fail_msg("mode %s seed %u request %u va 0x%llx: cached cause %u level %u pa 0x%llx "
			 "perm 0x%x exc %u err 0x%x; uncached cause %u level %u pa 0x%llx perm 0x%x "
			 "exc %u err 0x%x", mmu_mode_name(mode), seed, n, (unsigned long long)va,
			 a->cause, a->level, (unsigned long long)a->pa, a->perm, a->exc, a->err,
			 b->cause, b->level, (unsigned long long)b->pa, b->perm, b->exc, b->err);
}

static void one_world(unsigned mode, unsigned seed, const char *loc, int dense, uint64_t *hits)
{
	static struct ptgen gen; /* large; one at a time */
	static const unsigned sets[] = { 1, 2, 4, 16 }, ways[] = { 1, 2, 4, 8 };
	static const unsigned sp[] = { 0, 1, 2, 4, 8 }, pwc[] = { 0, 1, 4, 8 };
	struct pair w;
	struct mmu_config c;
	struct mmu_policy p = { 0 };
	struct mmu_mem_ops ops;
	struct mmu_geometry g;
	struct ptgen knobs; /* only its random stream: the geometry is drawn first */
	unsigned nasid;

	memset(&w, 0, sizeof(w));
	knobs.rng = seed * 0x100000001b3ULL + mode;
	mmu_config_default(&c);
	if (mode == MMU_MODE_TEXTBOOK) {
		c.tb.levels = 3;
		c.tb.page_bits = 8;
		c.tb.idx_bits[0] = 6;
		c.tb.idx_bits[1] = 5;
		c.tb.idx_bits[2] = 5;
		c.tb.pa_bits = 24;
	}
	c.tlb_sets = sets[ptgen_rand(&knobs) % 4];
	c.tlb_ways = ways[ptgen_rand(&knobs) % 4];
	c.sp_entries = sp[ptgen_rand(&knobs) % 5];
	c.pwc_entries = pwc[ptgen_rand(&knobs) % 4];
	c.pa_bits = ptgen_pct(&knobs, 50) ? 56 : 40;
	if (mode == MMU_MODE_TEXTBOOK)
		c.pa_bits = 24;
	p.sum = (uint8_t)ptgen_pct(&knobs, 50);
	p.mxr = (uint8_t)ptgen_pct(&knobs, 50);
	p.wp = (uint8_t)ptgen_pct(&knobs, 50);
	p.nxe = (uint8_t)ptgen_pct(&knobs, 70);
	p.smep = (uint8_t)ptgen_pct(&knobs, 50);
	p.smap = (uint8_t)ptgen_pct(&knobs, 50);
	p.ad_fault = (uint8_t)(mode != MMU_MODE_X86_64 && ptgen_pct(&knobs, 30));
	p.maxphy = (uint8_t)(mode == MMU_MODE_TEXTBOOK ? 0 : c.pa_bits < 46 ? c.pa_bits : 46);
	nasid = ptgen_pct(&knobs, 50) ? 2 : 1;
	assert_int_equal(mmu_config_geometry(&c, mode, p.maxphy, &g), 0);
	testmem_init(&w.t1, 0, MEM);
	testmem_init(&w.t2, 0, MEM);
	testmem_ops(&w.t1, &ops);
	assert_int_equal(mmu_model_new(&c, &ops, &w.m1), 0);
	testmem_ops(&w.t2, &ops);
	assert_int_equal(mmu_model_new(&c, &ops, &w.m2), 0);
	assert_int_equal(mmu_set_policy(w.m1, &p), 0);
	assert_int_equal(mmu_set_policy(w.m2, &p), 0);
	/* table 0 stays unused, so a pointer to PA 0 is junk */
	ptgen_init(&gen, knobs.rng, mode, &g, nasid, 1ULL << g.page_bits << 4, MEM / 2, put_both, &w);
	gen.dense = dense;
	{
		char err[128];

		assert_int_equal(ptgen_locality_parse(loc, &gen.loc, err, sizeof(err)), 0);
	}
	for (unsigned a = 1; a <= nasid; a++) {
		uint64_t root = 0;

		assert_int_equal(ptgen_new_tree(&gen, a, &root), 0);
		assert_int_equal(mmu_set_context(w.m1, a, mode, root), 0);
		assert_int_equal(mmu_set_context(w.m2, a, mode, root), 0);
	}
	for (unsigned n = 0; n < REQS; n++) {
		struct mmu_request q;
		struct mmu_response a, b;

		if (n % 50 == 49) {
			/* Change one PTE, then invalidate as software must. */
			unsigned kind, asid;
			uint64_t va;

			ptgen_mutate(&gen, &kind, &asid, &va);
			assert_int_equal(mmu_invalidate(w.m1, kind, asid, va), 0);
		}
		ptgen_request(&gen, &q);
		assert_int_equal(mmu_invalidate(w.m2, MMU_INVAL_ALL, 0, 0), 0);
		assert_int_equal(mmu_translate(w.m1, &q, &a), 0);
		assert_int_equal(mmu_translate(w.m2, &q, &b), 0);
		compare(mode, &a, &b, seed, n, q.va);
		*hits += a.hit;
		assert_int_equal(b.hit, 0);
		if (n % 100 == 99 && memcmp(w.t1.img.data, w.t2.img.data, MEM))
			fail_msg("mode %s seed %u: memories differ after request %u",
				 mmu_mode_name(mode), seed, n);
	}
	if (memcmp(w.t1.img.data, w.t2.img.data, MEM))
		fail_msg("mode %s seed %u: memories differ at the end", mmu_mode_name(mode), seed);
	mmu_model_free(w.m1);
	mmu_model_free(w.m2);
	testmem_free(&w.t1);
	testmem_free(&w.t2);
}

static void caching_never_changes_an_answer(void **state)
{
	static const unsigned modes[] = { MMU_MODE_SV32, MMU_MODE_SV39, MMU_MODE_SV48,
					  MMU_MODE_X86_64, MMU_MODE_TEXTBOOK };

	(void)state;
	for (unsigned i = 0; i < 5; i++) {
		uint64_t hits = 0;

		for (unsigned seed = 1; seed <= SEEDS; seed++)
			one_world(modes[i], seed, "mix", 0, &hits);
		/* the comparison means something only if the cache was used */
		if (hits < SEEDS * REQS / 40)
			fail_msg("mode %s: only %llu TLB hits", mmu_mode_name(modes[i]),
				 (unsigned long long)hits);
		printf("  %-8s %u translations compared, %llu answered from the TLB\n",
		       mmu_mode_name(modes[i]), SEEDS * REQS, (unsigned long long)hits);
	}
}

/* The same on dense tables, the requests in each locality of ptgen.h
 * (without a probe: many go to leaves that fault) */
static void caching_never_changes_an_answer_localities(void **state)
{
	static const unsigned modes[] = { MMU_MODE_SV32, MMU_MODE_SV39, MMU_MODE_SV48,
					  MMU_MODE_X86_64, MMU_MODE_TEXTBOOK };
	static const char *const locs[] = { "seq", "stride:4160", "random", "zipf", "zipf:2" };

	(void)state;
	for (unsigned i = 0; i < 5; i++) {
		uint64_t hits = 0;

		for (unsigned seed = 1; seed <= 20; seed++)
			one_world(modes[i], 1000 + seed, locs[seed % 5], 1, &hits);
		if (hits < 20 * REQS / 40)
			fail_msg("mode %s: only %llu TLB hits", mmu_mode_name(modes[i]),
				 (unsigned long long)hits);
		printf("  %-8s %u translations compared (dense tables, localities), %llu answered "
		       "from the TLB\n", mmu_mode_name(modes[i]), 20 * REQS, (unsigned long long)hits);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(caching_never_changes_an_answer),
		cmocka_unit_test(caching_never_changes_an_answer_localities),
	};

	return cmocka_run_group_tests_name("random", tests, NULL, NULL);
}

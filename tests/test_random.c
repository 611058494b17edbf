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
#include "testmem.h"

#define SEEDS 60
#define REQS 2000
#define MEM (1u << 20)
#define MAX_SLOTS 4096

struct rng {
	uint64_t s;
};

static uint64_t next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned pct(struct rng *r, unsigned p)
{
	return next(r) % 100 < p;
}

struct slot {
	uint64_t pa;       /* PTE address */
	uint64_t va;       /* a VA whose walk reads this PTE */
	unsigned level;
	unsigned asid;
	int leaf;          /* holds a present leaf (when last written) */
};

struct world {
	struct rng rng;
	struct mmu_geometry g;
	unsigned mode, nasid, global_ok, nxe;
	uint64_t next_table, table_bytes;
	struct slot slots[MAX_SLOTS];
	unsigned nslots;
	unsigned leaves[MAX_SLOTS]; /* indices of slots that hold leaves */
	unsigned nleaves;
	struct testmem t1, t2;
	struct mmu_model *m1, *m2;
};

static uint64_t mask(unsigned n)
{
	return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

static void put(struct world *w, uint64_t pa, uint64_t pte)
{
	if (w->g.pte_bytes == 8) {
		tm_put64(&w->t1, pa, pte);
		tm_put64(&w->t2, pa, pte);
	} else {
		tm_put32(&w->t1, pa, (uint32_t)pte);
		tm_put32(&w->t2, pa, (uint32_t)pte);
	}
}

static int alloc_table(struct world *w, uint64_t *pa)
{
	if (w->next_table + w->table_bytes > MEM / 2)
		return 0;
	*pa = w->next_table;
	w->next_table += w->table_bytes;
	return 1;
}

/* A random physical frame address for a leaf at level l (usually aligned). */
static uint64_t leaf_addr(struct world *w, unsigned l)
{
	unsigned shift = mmu_level_shift(&w->g, l);
	uint64_t a = next(&w->rng) & mask(w->g.pa_bits < 40 ? w->g.pa_bits : 40);

	a &= ~mask(w->g.page_bits);
	if (!pct(&w->rng, 10))
		a &= ~mask(shift);
	return a;
}

static void fill_table(struct world *w, uint64_t table, unsigned level, uint64_t va, unsigned asid);

static int is_leaf(const struct world *w, uint64_t pte, unsigned level)
{
	if (w->g.x86)
		return (pte & 1) && (level == 0 || (pte & 0x80));
	return (pte & 1) && (pte & 0xa);
}

/* Write a slot's PTE and keep the list of leaf slots current. */
static void set_slot(struct world *w, unsigned i, uint64_t pte)
{
	struct slot *s = &w->slots[i];

	put(w, s->pa, pte);
	s->leaf = is_leaf(w, pte, s->level);
	if (s->leaf && w->nleaves < MAX_SLOTS)
		w->leaves[w->nleaves++] = i;
}

/* A random PTE for `level`; a pointer gets a fresh subtree below it. */
static uint64_t random_pte(struct world *w, unsigned level, uint64_t va, unsigned asid)
{
	struct rng *r = &w->rng;
	uint64_t sub, pte;
	unsigned k = (unsigned)(next(r) % 100);

	if (k < 12)
		return 0;
	if (k < 16)
		return next(r) & ~1ULL; /* not present, junk in the other bits */
	if (k < 56 && level > 0 && alloc_table(w, &sub)) {
		fill_table(w, sub, level - 1, va, asid);
		if (w->g.x86) {
			pte = sub | 0x1 | (pct(r, 90) ? 0x2 : 0) | (pct(r, 90) ? 0x4 : 0) |
			      (pct(r, 50) ? 0x20 : 0) | (pct(r, 8) ? 1ULL << 63 : 0);
			if (pct(r, 3))
				pte |= 1ULL << 50; /* reserved under MAXPHYADDR 46 */
		} else {
			pte = ((sub >> w->g.page_bits) << 10) | 0x1;
			static const uint64_t reserved_in_pointer[3] = { 0x10, 0x40, 0x80 }; /* U A D */

			if (pct(r, 4))
				pte |= reserved_in_pointer[next(r) % 3];
			if (w->global_ok && pct(r, 10))
				pte |= 0x20;
		}
		return pte;
	}
	if (w->g.x86) {
		pte = leaf_addr(w, level) | 0x1 | (pct(r, 70) ? 0x2 : 0) | (pct(r, 70) ? 0x4 : 0) |
		      (pct(r, 60) ? 0x20 : 0) | (pct(r, 40) ? 0x40 : 0) |
		      (w->global_ok && pct(r, 10) ? 0x100 : 0) | (pct(r, 20) ? 1ULL << 63 : 0);
		if (level > 0)
			pte |= 0x80;
		if (pct(r, 3))
			pte |= 1ULL << 48;
		return pte;
	}
	pte = ((leaf_addr(w, level) >> w->g.page_bits) << 10) | 0x1;
	pte |= (next(r) % 7 + 1) << 1;          /* R W X, not all zero */
	pte |= pct(r, 60) ? 0x10 : 0;           /* U */
	pte |= w->global_ok && pct(r, 10) ? 0x20 : 0;
	pte |= pct(r, 70) ? 0x40 : 0;           /* A */
	pte |= pct(r, 50) ? 0x80 : 0;           /* D */
	if (w->g.pte_bytes == 8 && pct(r, 3))
		pte |= 1ULL << (54 + next(r) % 10);
	if (w->g.pte_bytes == 4)
		pte &= 0xffffffffULL;
	return pte;
}

static void fill_table(struct world *w, uint64_t table, unsigned level, uint64_t va, unsigned asid)
{
	unsigned shift = mmu_level_shift(&w->g, level), n = 1 + (unsigned)(next(&w->rng) % 3);

	for (unsigned i = 0; i < n && w->nslots < MAX_SLOTS; i++) {
		uint64_t idx = next(&w->rng) & mask(w->g.idx_bits[level]);
		uint64_t sva = va | (idx << shift);
		struct slot *s = &w->slots[w->nslots++];

		unsigned slot = w->nslots - 1;

		s->pa = table + idx * w->g.pte_bytes;
		s->va = sva;
		s->level = level;
		s->asid = asid;
		set_slot(w, slot, random_pte(w, level, sva, asid));
	}
}

static uint64_t canonical(const struct world *w, uint64_t va)
{
	if (w->g.sign_extended && (va >> (w->g.va_bits - 1)) & 1)
		va |= ~mask(w->g.va_bits);
	return va;
}

static void compare(struct world *w, const struct mmu_response *a, const struct mmu_response *b,
		    unsigned seed, unsigned n, uint64_t va)
{
	if (a->cause != b->cause || a->level != b->level || a->exc != b->exc || a->err != b->err ||
	    (a->cause == MMU_CAUSE_OK &&
	     (a->pa != b->pa || a->perm != b->perm || a->page_shift != b->page_shift)))
		fail_msg("mode %s seed %u request %u va 0x%llx: cached cause %u level %u pa 0x%llx "
			 "perm 0x%x exc %u err 0x%x; uncached cause %u level %u pa 0x%llx perm 0x%x "
			 "exc %u err 0x%x", mmu_mode_name(w->mode), seed, n, (unsigned long long)va,
			 a->cause, a->level, (unsigned long long)a->pa, a->perm, a->exc, a->err,
			 b->cause, b->level, (unsigned long long)b->pa, b->perm, b->exc, b->err);
}

static void one_world(unsigned mode, unsigned seed, uint64_t *hits)
{
	static struct world w; /* large; one at a time */
	struct mmu_config c;
	struct mmu_policy p = { 0 };
	struct mmu_mem_ops ops;
	static const unsigned sets[] = { 1, 2, 4, 16 }, ways[] = { 1, 2, 4, 8 };
	static const unsigned sp[] = { 0, 1, 2, 4, 8 }, pwc[] = { 0, 1, 4, 8 };

	memset(&w, 0, sizeof(w));
	w.rng.s = seed * 0x100000001b3ULL + mode;
	w.mode = mode;
	mmu_config_default(&c);
	if (mode == MMU_MODE_TEXTBOOK) {
		c.tb.levels = 3;
		c.tb.page_bits = 8;
		c.tb.idx_bits[0] = 6;
		c.tb.idx_bits[1] = 5;
		c.tb.idx_bits[2] = 5;
		c.tb.pa_bits = 24;
	}
	c.tlb_sets = sets[next(&w.rng) % 4];
	c.tlb_ways = ways[next(&w.rng) % 4];
	c.sp_entries = sp[next(&w.rng) % 5];
	c.pwc_entries = pwc[next(&w.rng) % 4];
	c.pa_bits = pct(&w.rng, 50) ? 56 : 40;
	if (mode == MMU_MODE_TEXTBOOK)
		c.pa_bits = 24;
	p.sum = (uint8_t)pct(&w.rng, 50);
	p.mxr = (uint8_t)pct(&w.rng, 50);
	p.wp = (uint8_t)pct(&w.rng, 50);
	p.nxe = (uint8_t)pct(&w.rng, 70);
	p.smep = (uint8_t)pct(&w.rng, 50);
	p.smap = (uint8_t)pct(&w.rng, 50);
	p.ad_fault = (uint8_t)(mode != MMU_MODE_X86_64 && pct(&w.rng, 30));
	p.maxphy = (uint8_t)(mode == MMU_MODE_TEXTBOOK ? 0 : c.pa_bits < 46 ? c.pa_bits : 46);
	w.nasid = pct(&w.rng, 50) ? 2 : 1;
	w.global_ok = w.nasid == 1;
	assert_int_equal(mmu_config_geometry(&c, mode, p.maxphy, &w.g), 0);
	w.table_bytes = (uint64_t)w.g.pte_bytes << w.g.idx_bits[w.g.levels - 1];
	if (w.table_bytes < (1ULL << w.g.page_bits))
		w.table_bytes = 1ULL << w.g.page_bits;
	w.next_table = w.table_bytes; /* table 0 unused: a pointer to 0 is junk-like */
	testmem_init(&w.t1, 0, MEM);
	testmem_init(&w.t2, 0, MEM);
	testmem_ops(&w.t1, &ops);
	assert_int_equal(mmu_model_new(&c, &ops, &w.m1), 0);
	testmem_ops(&w.t2, &ops);
	assert_int_equal(mmu_model_new(&c, &ops, &w.m2), 0);
	assert_int_equal(mmu_set_policy(w.m1, &p), 0);
	assert_int_equal(mmu_set_policy(w.m2, &p), 0);
	for (unsigned a = 0; a < w.nasid; a++) {
		uint64_t root = 0;

		assert_true(alloc_table(&w, &root));
		assert_int_equal(mmu_set_context(w.m1, a + 1, mode, root), 0);
		assert_int_equal(mmu_set_context(w.m2, a + 1, mode, root), 0);
		fill_table(&w, root, w.g.levels - 1, 0, a + 1);
	}
	struct mmu_request recent[8];

	for (unsigned n = 0; n < REQS; n++) {
		struct mmu_request q = { .access = (uint8_t)(next(&w.rng) % 3),
					 .priv = (uint8_t)(next(&w.rng) % 2) };
		struct mmu_response a, b;
		const struct slot *s = &w.slots[next(&w.rng) % w.nslots];

		if (w.nleaves && pct(&w.rng, 75)) {
			s = &w.slots[w.leaves[next(&w.rng) % w.nleaves]];
			if (!s->leaf) /* overwritten since */
				s = &w.slots[next(&w.rng) % w.nslots];
		}

		if (n % 50 == 49) {
			/* Change one PTE, then invalidate as software must. */
			unsigned mi = (unsigned)(next(&w.rng) % w.nslots);
			const struct slot *m = &w.slots[mi];

			set_slot(&w, mi, random_pte(&w, m->level, m->va, m->asid));
			/* a last-level PTE: invalidating its VA is enough */
			if (m->level == 0 && pct(&w.rng, 70))
				assert_int_equal(mmu_invalidate(w.m1, MMU_INVAL_VA, 0,
								canonical(&w, m->va)), 0);
			else if (!w.global_ok && pct(&w.rng, 50))
				assert_int_equal(mmu_invalidate(w.m1, MMU_INVAL_ASID, m->asid, 0), 0);
			else
				assert_int_equal(mmu_invalidate(w.m1, MMU_INVAL_ALL, 0, 0), 0);
		}
		q.asid = (uint16_t)s->asid;
		q.va = s->va | (next(&w.rng) & mask(mmu_level_shift(&w.g, s->level)));
		if (pct(&w.rng, 95))
			q.va = canonical(&w, q.va);
		if (pct(&w.rng, 2))
			q.va = next(&w.rng);
		if (n >= 8 && pct(&w.rng, 60)) { /* locality: repeat a recent request */
			q = recent[next(&w.rng) % 8];
			q.va ^= next(&w.rng) & 0xff8;
			if (pct(&w.rng, 20))
				q.access = (uint8_t)(next(&w.rng) % 3);
		}
		if (w.nasid == 2 && pct(&w.rng, 30)) /* the same VA in the other space */
			q.asid = (uint16_t)(3 - q.asid);
		recent[n % 8] = q;
		assert_int_equal(mmu_invalidate(w.m2, MMU_INVAL_ALL, 0, 0), 0);
		assert_int_equal(mmu_translate(w.m1, &q, &a), 0);
		assert_int_equal(mmu_translate(w.m2, &q, &b), 0);
		compare(&w, &a, &b, seed, n, q.va);
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
			one_world(modes[i], seed, &hits);
		/* the comparison means something only if the cache was used */
		if (hits < SEEDS * REQS / 40)
			fail_msg("mode %s: only %llu TLB hits", mmu_mode_name(modes[i]),
				 (unsigned long long)hits);
		printf("  %-8s %u translations compared, %llu answered from the TLB\n",
		       mmu_mode_name(modes[i]), SEEDS * REQS, (unsigned long long)hits);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(caching_never_changes_an_answer),
	};

	return cmocka_run_group_tests_name("random", tests, NULL, NULL);
}

/*
 * test_tlb.c - TLB organisation on the model (docs/spec-tlb.md): tree-PLRU
 * bit by bit, invalid ways first, ASID and global, the four invalidation
 * kinds on all three arrays, the page-walk cache, a walk in flight when an
 * invalidation arrives, stale hits without invalidation, counters, and the
 * API's error returns including allocation failures.
 *
 * Sv39 with 4 KiB pages at VA page n -> PA 0x100000 + n pages, all in one
 * L0 table: root 0x1000, L1 0x2000, L0 0x3000 (VPN[2] = VPN[1] = 0).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mmu_model.h"
#include "testfail.h"
#include "testmem.h"

#define R MMU_ACCESS_R
#define W MMU_ACCESS_W
#define S MMU_PRIV_S
#define PAGE(n) ((uint64_t)(n) << 12)

static void sv39_flat(struct fx *f, unsigned sets, unsigned ways, unsigned npages)
{
	struct mmu_config c;

	mmu_config_default(&c);
	c.tlb_sets = sets;
	c.tlb_ways = ways;
	c.sp_entries = 4;
	c.pwc_entries = 4;
	fx_new(f, &c, 0, 0x10000);
	assert_int_equal(mmu_set_context(f->m, 1, MMU_MODE_SV39, 0x1000), 0);
	tm_put64(&f->t, 0x1000, rv_pte(0x2000, 12, RV_V));
	tm_put64(&f->t, 0x2000, rv_pte(0x3000, 12, RV_V));
	for (unsigned n = 0; n < npages; n++)
		tm_put64(&f->t, 0x3000 + 8 * n,
			 rv_pte(0x100000 + PAGE(n), 12, RV_V | RV_R | RV_W | RV_A | RV_D));
}

static uint32_t plru(struct fx *f, unsigned array, unsigned set)
{
	uint32_t bits = 0xdead;

	assert_int_equal(mmu_plru_bits(f->m, array, set, &bits), 0);
	return bits;
}

static int way_of(struct fx *f, unsigned set, uint64_t vpn)
{
	struct mmu_entry e;

	for (unsigned w = 0; w < mmu_model_config(f->m)->tlb_ways; w++) {
		assert_int_equal(mmu_tlb_entry(f->m, set, w, &e), 0);
		if (e.valid && e.vpn == vpn)
			return (int)w;
	}
	return -1;
}

/* 4 ways, bits b0 (root: ways 0-1 | 2-3), b1 (0 | 1), b2 (2 | 3); a bit
 * points at the half holding the victim (0 = lower); a touch points every
 * bit on the way's path away from it. */
static void plru_four_ways_by_hand(void **state)
{
	struct fx f;

	(void)state;
	sv39_flat(&f, 1, 4, 8);
	assert_int_equal(plru(&f, 0, 0), 0);
	fx_tr(&f, 1, PAGE(0), R, S); /* way 0: b0=1 b1=1 */
	assert_int_equal(plru(&f, 0, 0), 0x3);
	fx_tr(&f, 1, PAGE(1), R, S); /* way 1: b0=1 b1=0 */
	assert_int_equal(plru(&f, 0, 0), 0x1);
	fx_tr(&f, 1, PAGE(2), R, S); /* way 2: b0=0 b2=1 */
	assert_int_equal(plru(&f, 0, 0), 0x4);
	fx_tr(&f, 1, PAGE(3), R, S); /* way 3: b0=0 b2=0 */
	assert_int_equal(plru(&f, 0, 0), 0x0);
	for (unsigned n = 0; n < 4; n++)
		assert_int_equal(way_of(&f, 0, n), (int)n);
	assert_int_equal(fx_tr(&f, 1, PAGE(0), R, S).hit, 1); /* touch 0: b0=1 b1=1 */
	assert_int_equal(plru(&f, 0, 0), 0x3);
	/* victim: b0=1 -> upper half, b2=0 -> way 2 */
	fx_tr(&f, 1, PAGE(4), R, S);
	assert_int_equal(way_of(&f, 0, 4), 2);
	assert_int_equal(way_of(&f, 0, 2), -1);
	assert_int_equal(plru(&f, 0, 0), 0x6); /* touch 2: b0=0 b2=1, b1 still 1 */
	/* victim: b0=0 -> lower half, b1=1 -> way 1 */
	fx_tr(&f, 1, PAGE(5), R, S);
	assert_int_equal(way_of(&f, 0, 5), 1);
	/* Invalid ways first: free way 3 and the next fill takes it, whatever PLRU says. */
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_VA, 0, PAGE(3)), 0);
	fx_tr(&f, 1, PAGE(6), R, S);
	assert_int_equal(way_of(&f, 0, 6), 3);
	fx_free(&f);
}

static void plru_two_ways_and_direct_mapped(void **state)
{
	struct fx f;

	(void)state;
	sv39_flat(&f, 2, 2, 8); /* set = VPN bit 0 */
	fx_tr(&f, 1, PAGE(0), R, S);
	fx_tr(&f, 1, PAGE(2), R, S);
	fx_tr(&f, 1, PAGE(0), R, S);  /* touch way 0 */
	fx_tr(&f, 1, PAGE(4), R, S);  /* evicts page 2 (way 1) */
	assert_int_equal(way_of(&f, 0, 4), 1);
	assert_int_equal(way_of(&f, 0, 0), 0);
	assert_int_equal(way_of(&f, 1, 1), -1);
	fx_free(&f);
	sv39_flat(&f, 4, 1, 8);
	fx_tr(&f, 1, PAGE(1), R, S);
	fx_tr(&f, 1, PAGE(5), R, S); /* same set 1, replaces it */
	assert_int_equal(way_of(&f, 1, 5), 0);
	assert_int_equal(fx_tr(&f, 1, PAGE(1), R, S).hit, 0);
	fx_free(&f);
}

/* Two address spaces over different tables, one global page. */
static void asid_global_and_invalidation_kinds(void **state)
{
	struct fx f;

	(void)state;
	sv39_flat(&f, 16, 4, 4);
	/* ASID 2: its own root at 0x4000 -> 0x5000 -> 0x6000, page n -> 0x200000+n. */
	assert_int_equal(mmu_set_context(f.m, 2, MMU_MODE_SV39, 0x4000), 0);
	tm_put64(&f.t, 0x4000, rv_pte(0x5000, 12, RV_V));
	tm_put64(&f.t, 0x5000, rv_pte(0x6000, 12, RV_V));
	for (unsigned n = 0; n < 4; n++)
		tm_put64(&f.t, 0x6000 + 8 * n, rv_pte(0x200000 + PAGE(n), 12, RV_V | RV_R | RV_A));
	/* Page 3 is global in ASID 1's tables. */
	tm_put64(&f.t, 0x3018, rv_pte(0x100000 + PAGE(3), 12, RV_V | RV_R | RV_G | RV_A));
	assert_int_equal(fx_tr(&f, 1, PAGE(0), R, S).pa, 0x100000);
	assert_int_equal(fx_tr(&f, 2, PAGE(0), R, S).pa, 0x200000);
	assert_int_equal(fx_tr(&f, 1, PAGE(0), R, S).hit, 1);
	assert_int_equal(fx_tr(&f, 2, PAGE(0), R, S).hit, 1);
	assert_int_equal(fx_tr(&f, 1, PAGE(3), R, S).pa, 0x100000 + PAGE(3));
	/* ASID 2 hits ASID 1's global entry instead of its own mapping. */
	assert_int_equal(fx_tr(&f, 2, PAGE(3), R, S).pa, 0x100000 + PAGE(3));
	/* ASID kind: drops ASID 1's non-global entries only. */
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_ASID, 1, 0), 0);
	assert_int_equal(fx_tr(&f, 1, PAGE(0), R, S).hit, 0);
	assert_int_equal(fx_tr(&f, 2, PAGE(0), R, S).hit, 1);
	assert_int_equal(fx_tr(&f, 2, PAGE(3), R, S).hit, 1);
	/* VA+ASID kind: keeps global entries and other ASIDs. */
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_VA_ASID, 2, PAGE(3)), 0);
	assert_int_equal(fx_tr(&f, 2, PAGE(3), R, S).hit, 1);
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_VA_ASID, 2, PAGE(0)), 0);
	assert_int_equal(fx_tr(&f, 2, PAGE(0), R, S).hit, 0);
	assert_int_equal(fx_tr(&f, 1, PAGE(0), R, S).hit, 1);
	/* VA kind: every ASID, global included. */
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_VA, 0, PAGE(3)), 0);
	assert_int_equal(fx_tr(&f, 2, PAGE(3), R, S).pa, 0x200000 + PAGE(3));
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_VA, 0, PAGE(0)), 0);
	assert_int_equal(fx_tr(&f, 1, PAGE(0), R, S).hit, 0);
	assert_int_equal(fx_tr(&f, 2, PAGE(0), R, S).hit, 0);
	/* ALL. */
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_ALL, 0, 0), 0);
	assert_int_equal(fx_tr(&f, 1, PAGE(0), R, S).hit, 0);
	assert_int_equal(fx_tr(&f, 2, PAGE(3), R, S).hit, 0);
	assert_int_equal(fx_cnt(&f, MMU_CNT_INVAL_ALL), 1);
	assert_int_equal(fx_cnt(&f, MMU_CNT_INVAL_ASID), 1);
	assert_int_equal(fx_cnt(&f, MMU_CNT_INVAL_VA), 2);
	assert_int_equal(fx_cnt(&f, MMU_CNT_INVAL_VA_ASID), 2);
	fx_free(&f);
}

static unsigned valid_pwc(struct fx *f)
{
	struct mmu_entry e;
	unsigned n = 0;

	for (unsigned i = 0; i < mmu_model_config(f->m)->pwc_entries; i++)
		n += !mmu_pwc_entry(f->m, i, &e) && e.valid;
	return n;
}

static void page_walk_cache(void **state)
{
	struct fx f;
	struct mmu_entry e;

	(void)state;
	sv39_flat(&f, 16, 4, 8);
	/* A second L0 table for VPN[1] = 1 (the next 2 MiB). */
	tm_put64(&f.t, 0x2008, rv_pte(0x4000, 12, RV_V));
	tm_put64(&f.t, 0x4000, rv_pte(0x900000, 12, RV_V | RV_R | RV_A));
	fx_tr(&f, 1, PAGE(0), R, S);
	assert_int_equal(fx_cnt(&f, MMU_CNT_PTE_READS), 3);
	assert_int_equal(valid_pwc(&f), 2);
	/* The L1 PTE is cached: the neighbour costs one read. */
	fx_tr(&f, 1, PAGE(1), R, S);
	assert_int_equal(fx_cnt(&f, MMU_CNT_PTE_READS), 4);
	assert_int_equal(fx_cnt(&f, MMU_CNT_PWC_HITS), 1);
	/* Next 2 MiB: the root PTE is cached: two reads. */
	assert_int_equal(fx_tr(&f, 1, 1ULL << 21, R, S).pa, 0x900000);
	assert_int_equal(fx_cnt(&f, MMU_CNT_PTE_READS), 6);
	assert_int_equal(fx_cnt(&f, MMU_CNT_PWC_HITS), 2);
	assert_int_equal(valid_pwc(&f), 3);
	/* The deepest entry is used, and it holds the level and next table. */
	assert_int_equal(mmu_pwc_entry(f.m, 1, &e), 0);
	assert_int_equal(e.level, 1);
	assert_int_equal(e.ppn, 0x3);
	assert_int_equal(e.page_shift, 21);
	/* VA invalidation drops the PWC entries covering the VA (levels 2 and 1). */
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_VA, 0, PAGE(7)), 0);
	assert_int_equal(valid_pwc(&f), 1);
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_ASID, 1, 0), 0);
	assert_int_equal(valid_pwc(&f), 0);
	fx_free(&f);
}

/* A pointer to a table beyond the PA width (34 bits here) is not cached in
 * the PWC: its next read faults (access, at the level below), and every
 * later walk reads the pointer again (found by the co-simulation on the Sv39
 * board build, whose PWC holds 22-bit frames). */
static void pwc_skips_tables_beyond_pa(void **state)
{
	struct fx f;
	struct mmu_config c;

	(void)state;
	mmu_config_default(&c);
	c.pa_bits = 34;
	c.pwc_entries = 4;
	fx_new(&f, &c, 0, 0x10000);
	assert_int_equal(mmu_set_context(f.m, 1, MMU_MODE_SV39, 0x1000), 0);
	tm_put64(&f.t, 0x1000, rv_pte(0x2000, 12, RV_V));
	tm_put64(&f.t, 0x2000, rv_pte(1ULL << 34, 12, RV_V)); /* L1[0] -> 16 GiB */
	for (unsigned i = 0; i < 2; i++) {
		struct mmu_response r = fx_tr(&f, 1, PAGE(3), R, S);

		assert_int_equal(r.cause, MMU_CAUSE_ACCESS);
		assert_int_equal(r.level, 0);
		assert_int_equal(fx_cnt(&f, MMU_CNT_PTE_READS), 2 * (i + 1) - i); /* root cached */
		assert_int_equal(valid_pwc(&f), 1); /* the root pointer only */
	}
	fx_free(&f);
}

/* An invalidation arriving during a walk: the walk answers but fills nothing
 * after that point (entries inserted before it are judged by it). */
static void inval_hook(struct testmem *t, uint64_t pa)
{
	struct fx *f = t->hook_ctx;

	if (pa == 0x2000) { /* after the L1 read, before the L0 read */
		t->on_read = NULL;
		assert_int_equal(mmu_invalidate(f->m, MMU_INVAL_VA, 0, 1ULL << 30), 0);
	}
}

static void busy_hook(struct testmem *t, uint64_t pa)
{
	struct fx *f = t->hook_ctx;
	struct mmu_request q = { .va = 0, .asid = 1 };
	struct mmu_response r;

	(void)pa;
	t->on_read = NULL;
	assert_int_equal(mmu_translate(f->m, &q, &r), MMU_E_BUSY);
}

static void walk_in_flight(void **state)
{
	struct fx f;
	struct mmu_response r;

	(void)state;
	sv39_flat(&f, 16, 4, 8);
	f.t.hook_ctx = &f;
	f.t.on_read = inval_hook;
	r = fx_tr(&f, 1, PAGE(2), R, S);
	assert_int_equal(r.cause, MMU_CAUSE_OK);
	assert_int_equal(r.pa, 0x100000 + PAGE(2));
	/* The root PTE went in before the invalidation (which did not cover it);
	 * the L1 PTE and the leaf were stale and were not cached. */
	assert_int_equal(valid_pwc(&f), 1);
	assert_int_equal(fx_tr(&f, 1, PAGE(2), R, S).hit, 0);
	assert_int_equal(fx_tr(&f, 1, PAGE(2), R, S).hit, 1);
	/* Re-entering translate from a callback is refused. */
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_ALL, 0, 0), 0);
	f.t.on_read = busy_hook;
	assert_int_equal(fx_tr(&f, 1, PAGE(2), R, S).cause, MMU_CAUSE_OK);
	fx_free(&f);
}

/* Without an invalidation the model keeps answering from the stale entry. */
static void stale_hit_without_invalidation(void **state)
{
	struct fx f;
	struct mmu_response r;

	(void)state;
	sv39_flat(&f, 16, 4, 8);
	assert_int_equal(fx_tr(&f, 1, PAGE(1), R, S).pa, 0x100000 + PAGE(1));
	tm_put64(&f.t, 0x3008, rv_pte(0x700000, 12, RV_V | RV_R | RV_A | RV_D));
	r = fx_tr(&f, 1, PAGE(1), R, S);
	assert_int_equal(r.hit, 1);
	assert_int_equal(r.pa, 0x100000 + PAGE(1));
	/* A RISC-V permission fault keeps the (correct) cached entries. */
	tm_put64(&f.t, 0x3008, rv_pte(0x100000 + PAGE(1), 12, RV_V | RV_R | RV_A));
	r = fx_tr(&f, 1, PAGE(1), W, S);
	/* the cached entry allows the write: it is a hit on the stale entry */
	assert_int_equal(r.hit, 1);
	assert_int_equal(r.cause, MMU_CAUSE_OK);
	tm_put64(&f.t, 0x3010, rv_pte(0x100000 + PAGE(2), 12, RV_V | RV_R | RV_A));
	assert_int_equal(fx_tr(&f, 1, PAGE(2), W, S).cause, MMU_CAUSE_PERMISSION);
	assert_int_equal(valid_pwc(&f), 2);
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_VA, 0, PAGE(1)), 0);
	assert_int_equal(fx_tr(&f, 1, PAGE(1), R, S).pa, 0x100000 + PAGE(1));
	fx_free(&f);
}

/* A match that forbids the access walks (counted as a walk, not a miss) and
 * the refill replaces the matching entry in place. */
static void forbidden_hit_walks_and_refills_in_place(void **state)
{
	struct fx f;

	(void)state;
	sv39_flat(&f, 1, 4, 8);
	tm_put64(&f.t, 0x3000, rv_pte(0x100000, 12, RV_V | RV_R | RV_A));
	fx_tr(&f, 1, PAGE(0), R, S);
	fx_tr(&f, 1, PAGE(1), R, S);
	assert_int_equal(way_of(&f, 0, 0), 0);
	assert_int_equal(fx_tr(&f, 1, PAGE(0), W, S).cause, MMU_CAUSE_PERMISSION);
	tm_put64(&f.t, 0x3000, rv_pte(0x100000, 12, RV_V | RV_R | RV_W | RV_A | RV_D));
	assert_int_equal(fx_tr(&f, 1, PAGE(0), W, S).cause, MMU_CAUSE_OK);
	assert_int_equal(way_of(&f, 0, 0), 0);
	assert_int_equal(fx_cnt(&f, MMU_CNT_LOOKUPS), 4);
	assert_int_equal(fx_cnt(&f, MMU_CNT_MISSES), 2);
	assert_int_equal(fx_cnt(&f, MMU_CNT_WALKS), 4);
	assert_int_equal(fx_cnt(&f, MMU_CNT_HITS), 0);
	assert_int_equal(fx_cnt(&f, MMU_CNT_FAULT_PERMISSION), 1);
	mmu_clear_counters(f.m);
	assert_int_equal(fx_cnt(&f, MMU_CNT_WALKS), 0);
	fx_free(&f);
}

static void superpage_array(void **state)
{
	struct fx f;
	struct mmu_config c;

	(void)state;
	sv39_flat(&f, 16, 4, 0);
	/* Eight 2 MiB pages through L1 entries 8..15, 4 superpage entries. */
	for (unsigned i = 0; i < 8; i++)
		tm_put64(&f.t, 0x2000 + 8 * (8 + i),
			 rv_pte(0x40000000 + ((uint64_t)i << 21), 12, RV_V | RV_R | RV_A));
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(fx_tr(&f, 1, (uint64_t)(8 + i) << 21, R, S).hit, 0);
	assert_int_equal(plru(&f, 1, 0), 0x0);
	assert_int_equal(fx_tr(&f, 1, (9ULL << 21) | 0x1234, R, S).hit, 1);
	assert_int_equal(plru(&f, 1, 0), 0x1); /* touch 1: b0=1 b1=0 */
	fx_tr(&f, 1, 12ULL << 21, R, S);      /* victim: upper half, b2=0 -> entry 2 */
	assert_int_equal(fx_tr(&f, 1, 10ULL << 21, R, S).hit, 0);
	fx_free(&f);
	/* No superpage array: superpages translate but are never cached. */
	mmu_config_default(&c);
	c.sp_entries = 0;
	fx_new(&f, &c, 0, 0x10000);
	assert_int_equal(mmu_set_context(f.m, 0, MMU_MODE_SV39, 0x1000), 0);
	tm_put64(&f.t, 0x1000, rv_pte(0x40000000, 12, RV_V | RV_R | RV_A));
	assert_int_equal(fx_tr(&f, 0, 0x123, R, S).pa, 0x40000123);
	assert_int_equal(fx_tr(&f, 0, 0x123, R, S).hit, 0);
	fx_free(&f);
}

static void api_errors(void **state)
{
	struct mmu_config c;
	struct mmu_mem_ops ops = { 0 };
	struct mmu_model *m = (struct mmu_model *)1;
	struct mmu_policy p = { 0 };
	struct mmu_entry e;
	struct mmu_request q = { 0 };
	struct mmu_response r;
	struct testmem t;
	uint32_t bits;
	unsigned mode;

	(void)state;
	testmem_init(&t, 0, 0x1000);
	mmu_config_default(&c);
	assert_int_equal(mmu_model_new(&c, &ops, &m), MMU_E_INVAL); /* no callbacks */
	testmem_ops(&t, &ops);
	assert_int_equal(mmu_model_new(NULL, &ops, &m), MMU_E_INVAL);
	c.tlb_sets = 3;
	assert_int_equal(mmu_model_new(&c, &ops, &m), MMU_E_INVAL);
	assert_null(m);
	mmu_config_default(&c);
	c.tlb_ways = 32;
	assert_int_equal(mmu_config_resolve(&c), MMU_E_INVAL);
	mmu_config_default(&c);
	c.sp_entries = 6;
	assert_int_equal(mmu_config_resolve(&c), MMU_E_INVAL);
	mmu_config_default(&c);
	c.asid_bits = 17;
	assert_int_equal(mmu_config_resolve(&c), MMU_E_INVAL);
	mmu_config_default(&c);
	c.pa_bits = 20;
	assert_int_equal(mmu_config_resolve(&c), MMU_E_INVAL);
	mmu_config_default(&c);
	c.tb.levels = 1;
	c.tb.page_bits = 6;
	c.tb.idx_bits[0] = 8;
	c.tb.va_bits = 15; /* must be 6 + 8 */
	assert_int_equal(mmu_config_resolve(&c), MMU_E_INVAL);
	c.tb.va_bits = 0;
	c.tb.pa_bits = 60;
	assert_int_equal(mmu_config_resolve(&c), MMU_E_INVAL);
	c.tb.pa_bits = 40;
	c.tb.pte_bytes = 4; /* 10 + 34 bits do not fit */
	assert_int_equal(mmu_config_resolve(&c), MMU_E_INVAL);
	c.tb.pte_bytes = 0;
	assert_int_equal(mmu_config_resolve(&c), MMU_OK);
	assert_int_equal(c.tb.pte_bytes, 8);
	/* a textbook machine takes no standard contexts and vice versa */
	assert_int_equal(mmu_model_new(&c, &ops, &m), 0);
	assert_int_equal(mmu_set_context(m, 0, MMU_MODE_SV39, 0), MMU_E_INVAL);
	assert_int_equal(mmu_set_context(m, 0, MMU_MODE_TEXTBOOK, 0x20), MMU_E_INVAL);
	mmu_model_free(m);
	mmu_config_default(&c);
	assert_int_equal(mmu_model_new(&c, &ops, &m), 0);
	assert_int_equal(mmu_set_context(m, 0, MMU_MODE_TEXTBOOK, 0), MMU_E_INVAL);
	assert_int_equal(mmu_set_context(m, 256, MMU_MODE_SV39, 0), MMU_E_INVAL);
	assert_int_equal(mmu_set_context(m, 0, 9, 0), MMU_E_INVAL);
	assert_int_equal(mmu_set_context(m, 0, MMU_MODE_SV39, 0x1008), MMU_E_INVAL);
	assert_int_equal(mmu_set_context(m, 0, MMU_MODE_SV32, 1ULL << 34), MMU_E_RANGE);
	assert_int_equal(mmu_set_context(m, 0, MMU_MODE_SV39, 0x2000), 0);
	assert_int_equal(mmu_get_context(m, 0, &mode, NULL), 0);
	assert_int_equal(mode, MMU_MODE_SV39);
	assert_int_equal(mmu_get_context(m, 300, &mode, NULL), MMU_E_INVAL);
	assert_int_equal(mmu_set_context(m, 0, MMU_MODE_OFF, 0), 0);
	p.sum = 2;
	assert_int_equal(mmu_set_policy(m, &p), MMU_E_INVAL);
	p.sum = 0;
	p.maxphy = 31;
	assert_int_equal(mmu_set_policy(m, &p), MMU_E_INVAL);
	p.maxphy = 53;
	assert_int_equal(mmu_set_policy(m, &p), MMU_E_INVAL);
	q.asid = 256;
	assert_int_equal(mmu_translate(m, &q, &r), MMU_E_INVAL);
	q.asid = 0;
	q.access = 3;
	assert_int_equal(mmu_translate(m, &q, &r), MMU_E_INVAL);
	q.access = 0;
	q.priv = 2;
	assert_int_equal(mmu_translate(m, &q, &r), MMU_E_INVAL);
	assert_int_equal(mmu_invalidate(m, 4, 0, 0), MMU_E_INVAL);
	assert_int_equal(mmu_invalidate(m, MMU_INVAL_ASID, 256, 0), MMU_E_INVAL);
	assert_int_equal(mmu_tlb_entry(m, 64, 0, &e), MMU_E_RANGE);
	assert_int_equal(mmu_tlb_entry(m, 0, 4, &e), MMU_E_RANGE);
	assert_int_equal(mmu_sp_entry(m, 8, &e), MMU_E_RANGE);
	assert_int_equal(mmu_pwc_entry(m, 8, &e), MMU_E_RANGE);
	assert_int_equal(mmu_plru_bits(m, 0, 64, &bits), MMU_E_RANGE);
	assert_int_equal(mmu_plru_bits(m, 3, 0, &bits), MMU_E_RANGE);
	assert_int_equal(mmu_mode_geometry(m, MMU_MODE_OFF, NULL), MMU_E_INVAL);
	for (int err = 0; err >= -8; err--)
		assert_non_null(mmu_strerror(err));
	assert_string_equal(mmu_strerror(-99), "unknown error");
	assert_string_equal(mmu_cause_name(MMU_CAUSE_AD_NEEDED), "ad-needed");
	assert_int_equal(mmu_cause_value("NOT_PRESENT"), MMU_CAUSE_NOT_PRESENT);
	assert_int_equal(mmu_mode_value("x86-64"), MMU_MODE_X86_64);
	assert_null(mmu_mode_name(7));
	assert_int_equal(mmu_mode_value("sv57"), -1);
	mmu_model_free(m);
	mmu_model_free(NULL);
	testmem_free(&t);
}

/* A build with only Sv39: other modes are refused and the TLB keeps 27-bit
 * VPNs (an upper-half VA's entry holds VA[38:12], not its sign copies). */
static void modes_built_in(void **state)
{
	struct mmu_config c;
	struct fx f;
	struct mmu_entry e;
	struct mmu_geometry g;
	int found = 0;

	(void)state;
	mmu_config_default(&c);
	c.modes = 1u << MMU_MODE_TEXTBOOK;
	assert_int_equal(mmu_config_resolve(&c), MMU_E_INVAL);
	c.modes = 1u << 7;
	assert_int_equal(mmu_config_resolve(&c), MMU_E_INVAL);
	c.modes = 1u << MMU_MODE_SV39;
	assert_int_equal(mmu_config_geometry(&c, MMU_MODE_SV48, 0, &g), MMU_E_INVAL);
	assert_int_equal(mmu_config_geometry(&c, MMU_MODE_SV39, 0, &g), 0);
	fx_new(&f, &c, 0, 0x10000);
	assert_int_equal(mmu_set_context(f.m, 0, MMU_MODE_X86_64, 0x1000), MMU_E_INVAL);
	assert_int_equal(mmu_set_context(f.m, 0, MMU_MODE_SV39, 0x1000), 0);
	/* the top gigapage of the upper half: root[511] */
	tm_put64(&f.t, 0x1000 + 511 * 8, rv_pte(0x40000000, 12, RV_V | RV_R | RV_A));
	assert_int_equal(fx_tr(&f, 0, 0xffffffffc0001234ULL, R, S).pa, 0x40001234);
	for (unsigned i = 0; i < 8; i++)
		if (!mmu_sp_entry(f.m, i, &e) && e.valid) {
			assert_int_equal(e.vpn, 0x7fc0000); /* 27 bits: 511 << 18 */
			found++;
		}
	assert_int_equal(found, 1);
	fx_free(&f);
}

/* Every allocation mmu_model_new makes is made to fail in turn; each failure
 * returns MMU_E_NOMEM and frees what was allocated (ASan/valgrind check). */
static int model_new_scenario(void *ctx)
{
	struct testmem *t = ctx;
	struct mmu_config c;
	struct mmu_mem_ops ops;
	struct mmu_model *m;
	int rc;

	testmem_ops(t, &ops);
	mmu_config_default(&c);
	rc = mmu_model_new(&c, &ops, &m);
	if (rc)
		assert_null(m);
	else
		mmu_model_free(m);
	return rc;
}

static int nomem_only(int rc)
{
	return rc == MMU_E_NOMEM;
}

static void allocation_failures(void **state)
{
	struct testmem t;

	(void)state;
	testmem_init(&t, 0, 0x1000);
	/* model, contexts, TLB, PLRU, superpages, PWC */
	assert_int_equal(testfail_each(TF_ALLOC, 1, 100, model_new_scenario, &t, nomem_only), 6);
	testmem_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plru_four_ways_by_hand),
		cmocka_unit_test(plru_two_ways_and_direct_mapped),
		cmocka_unit_test(asid_global_and_invalidation_kinds),
		cmocka_unit_test(page_walk_cache),
		cmocka_unit_test(pwc_skips_tables_beyond_pa),
		cmocka_unit_test(walk_in_flight),
		cmocka_unit_test(stale_hit_without_invalidation),
		cmocka_unit_test(forbidden_hit_walks_and_refills_in_place),
		cmocka_unit_test(superpage_array),
		cmocka_unit_test(api_errors),
		cmocka_unit_test(modes_built_in),
		cmocka_unit_test(allocation_failures),
	};

	return cmocka_run_group_tests_name("tlb", tests, NULL, NULL);
}

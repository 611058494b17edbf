/*
 * test_seeds.c - the worked examples of the seed documents (../shared/seeds),
 * reproduced on the model exactly.
 *
 *  seed 004: 14-bit VA, 12-bit PA, 64-byte pages, 4-set 4-way TLB:
 *            VA 0x03d4 -> VPN 0x0f, VPO 0x14, TLBI 3, TLBT 0x03, PPN 0x0d, PA 0x354.
 *  seed 003: 32-bit VA / 24-bit PA with 1 KiB and 4 KiB pages: VPN/VPO/PPN/PPO widths.
 *  seed 001: the 32-bit 10/10/12 two-level table; 20% of the first-level entries
 *            used -> 4 KiB + 205 x 4 KiB of tables.
 *  seed 000/002: page hit, page fault, demand paging and retry; protection
 *            faults (write to read-only, user access to a SUP page); the 4-level
 *            48-bit layout with 512 eight-byte PTEs per 4 KiB table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "mkpt.h"
#include "mmu_model.h"
#include "testmem.h"

static void textbook_cfg(struct mmu_config *c, unsigned va, unsigned pa, unsigned page_bits,
			 unsigned idx0, unsigned idx1)
{
	mmu_config_default(c);
	c->tb.va_bits = va;
	c->tb.pa_bits = pa;
	c->tb.page_bits = page_bits;
	c->tb.levels = idx1 ? 2 : 1;
	c->tb.idx_bits[0] = idx0;
	c->tb.idx_bits[1] = idx1;
}

/* Seed 004, end to end: the single-level 8-bit page table at PA 0x800. */
static void seed004_va_03d4(void **state)
{
	struct testmem t;
	struct mmu_mem_ops ops;
	struct mmu_config c;
	struct mmu_model *m;
	struct mmu_geometry g;
	struct mmu_request q = { .va = 0x03d4, .access = MMU_ACCESS_R, .priv = MMU_PRIV_S };
	struct mmu_response r;
	struct mmu_entry e;
	int found = 0;

	(void)state;
	textbook_cfg(&c, 14, 12, 6, 8, 0);
	c.tlb_sets = 4;
	c.tlb_ways = 4;
	testmem_init(&t, 0x800, 0x400);
	testmem_ops(&t, &ops);
	assert_int_equal(mmu_model_new(&c, &ops, &m), 0);
	assert_int_equal(mmu_set_context(m, 0, MMU_MODE_TEXTBOOK, 0x800), 0);
	/* PTE for VPN 0x0f: PPN 0x0d, V R W A D (4-byte PTE, PPN from bit 10). */
	tm_put32(&t, 0x800 + 0x0f * 4, (0x0d << 10) | 0xc7);

	assert_int_equal(mmu_mode_geometry(m, MMU_MODE_TEXTBOOK, &g), 0);
	assert_int_equal(g.page_bits, 6);             /* VPO: 6 bits */
	assert_int_equal(g.va_bits - g.page_bits, 8); /* VPN: 8 bits */
	assert_int_equal(g.set_bits, 2);              /* TLBI: 2 bits (4 sets) */
	assert_int_equal(g.tag_bits, 6);              /* TLBT: 6 bits */
	assert_int_equal(g.pa_bits - g.page_bits, 6); /* PPN: 6 bits */
	assert_int_equal(g.pte_bytes, 4);
	assert_int_equal((q.va >> 6), 0x0f);          /* VPN */
	assert_int_equal(q.va & 0x3f, 0x14);          /* VPO */
	assert_int_equal((q.va >> 6) & 3, 3);         /* TLBI */
	assert_int_equal((q.va >> 8), 0x03);          /* TLBT */

	assert_int_equal(mmu_translate(m, &q, &r), 0);
	assert_int_equal(r.cause, MMU_CAUSE_OK);
	assert_int_equal(r.hit, 0);
	assert_int_equal(r.pa, 0x354);
	assert_int_equal(r.page_shift, 6);
	/* The TLB now holds it in set 3 with tag 0x03 and PPN 0x0d. */
	for (unsigned w = 0; w < 4; w++) {
		assert_int_equal(mmu_tlb_entry(m, 3, w, &e), 0);
		if (e.valid) {
			assert_int_equal(e.vpn >> 2, 0x03);
			assert_int_equal(e.ppn, 0x0d);
			found++;
		}
	}
	assert_int_equal(found, 1);
	for (unsigned set = 0; set < 3; set++)
		for (unsigned w = 0; w < 4; w++) {
			assert_int_equal(mmu_tlb_entry(m, set, w, &e), 0);
			assert_false(e.valid);
		}
	/* The second reference is a TLB hit with the same answer, no memory read. */
	t.reads = 0;
	assert_int_equal(mmu_translate(m, &q, &r), 0);
	assert_int_equal(r.hit, 1);
	assert_int_equal(r.pa, 0x354);
	assert_int_equal(t.reads, 0);
	mmu_model_free(m);
	testmem_free(&t);
}

/* Seed 003: VPN, VPO, PPN and PPO widths for a 32-bit VA and a 24-bit PA. */
static void seed003_field_widths(void **state)
{
	static const struct { unsigned page_bits, vpn, vpo, ppn, ppo; } rows[] = {
		{ 10, 22, 10, 14, 10 }, /* P = 1 KB */
		{ 12, 20, 12, 12, 12 }, /* P = 4 KB */
	};
	struct mmu_config c;
	struct mmu_geometry g;

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		unsigned vpn = 32 - rows[i].page_bits;

		/* two levels splitting the VPN, as a real table would */
		textbook_cfg(&c, 32, 24, rows[i].page_bits, vpn - vpn / 2, vpn / 2);
		assert_int_equal(mmu_config_geometry(&c, MMU_MODE_TEXTBOOK, 0, &g), 0);
		assert_int_equal(g.va_bits - g.page_bits, rows[i].vpn);
		assert_int_equal(g.page_bits, rows[i].vpo);
		assert_int_equal(g.pa_bits - g.page_bits, rows[i].ppn);
		assert_int_equal(g.page_bits, rows[i].ppo);
	}
}

/* Seed 001: 10/10/12, 20% of the 1024 first-level entries used -> 205
 * second-level tables; tables take 4 KiB + 205 x 4 KiB. */
static void seed001_two_level_table_size(void **state)
{
	struct mmu_config c;
	struct memimg img;
	struct mkpt pt;
	struct mmu_mem_ops ops;
	struct mmu_model *m;
	struct mmu_request q = { .access = MMU_ACCESS_R, .priv = MMU_PRIV_U };
	struct mmu_response r;
	char err[256];

	(void)state;
	textbook_cfg(&c, 32, 32, 12, 10, 10);
	assert_int_equal(memimg_create(&img, 0, 0, 1, err, sizeof(err)), 0);
	assert_int_equal(mkpt_init(&pt, &img, &c, MMU_MODE_TEXTBOOK, 0, 0, 0, err, sizeof(err)), 0);
	for (unsigned i = 0; i < 205; i++) {
		uint64_t va = (uint64_t)(i * 5) << 22; /* every fifth 4 MiB region */

		assert_int_equal(mkpt_map(&pt, va, 0x10000000 + ((uint64_t)i << 12), 12,
					  PTE_R | PTE_U, err, sizeof(err)), 0);
	}
	assert_int_equal(pt.tables, 1 + 205);
	assert_int_equal(img.used, 4096 + 205 * 4096); /* 824 KiB */
	assert_int_equal(img.used, 824 * 1024);
	memimg_ops(&img, &ops);
	assert_int_equal(mmu_model_new(&c, &ops, &m), 0);
	assert_int_equal(mmu_set_context(m, 0, MMU_MODE_TEXTBOOK, 0), 0);
	q.va = ((uint64_t)(204 * 5) << 22) | 0x123;
	assert_int_equal(mmu_translate(m, &q, &r), 0);
	assert_int_equal(r.cause, MMU_CAUSE_OK);
	assert_int_equal(r.pa, 0x10000000 + (204 << 12) + 0x123);
	assert_int_equal(r.level, 0);
	/* An unused first-level entry is a page fault at the root (level 1). */
	q.va = (uint64_t)1 << 22;
	assert_int_equal(mmu_translate(m, &q, &r), 0);
	assert_int_equal(r.cause, MMU_CAUSE_NOT_PRESENT);
	assert_int_equal(r.level, 1);
	mmu_model_free(m);
	memimg_free(&img);
}

/* Seeds 000/002: a page fault, the handler maps the page, invalidates, and the
 * faulting reference is retried and hits memory; then protection faults. */
static void seed000_demand_paging_and_protection(void **state)
{
	struct mmu_config c;
	struct testmem t;
	struct mmu_mem_ops ops;
	struct mmu_model *m;
	struct mmu_request q = { .va = 0x0240, .access = MMU_ACCESS_R, .priv = MMU_PRIV_U };
	struct mmu_response r;
	struct mmu_counters cnt;

	(void)state;
	textbook_cfg(&c, 14, 12, 6, 8, 0);
	c.tlb_sets = 4;
	c.tlb_ways = 4;
	testmem_init(&t, 0x800, 0x400);
	testmem_ops(&t, &ops);
	assert_int_equal(mmu_model_new(&c, &ops, &m), 0);
	assert_int_equal(mmu_set_context(m, 0, MMU_MODE_TEXTBOOK, 0x800), 0);
	/* VP 9 is not cached: valid bit 0 -> page fault. */
	assert_int_equal(mmu_translate(m, &q, &r), 0);
	assert_int_equal(r.cause, MMU_CAUSE_NOT_PRESENT);
	assert_int_equal(r.exc, MMU_RVEXC_LOAD_PAGE);
	/* The handler brings VP 9 into PP 0x17, updates the PTE, invalidates. */
	tm_put32(&t, 0x800 + 9 * 4, (0x17 << 10) | 0x13); /* V R U */
	assert_int_equal(mmu_invalidate(m, MMU_INVAL_VA, 0, q.va), 0);
	assert_int_equal(mmu_translate(m, &q, &r), 0);
	assert_int_equal(r.cause, MMU_CAUSE_OK);
	assert_int_equal(r.pa, (0x17 << 6) | 0x00);
	/* Hardware set the accessed bit. */
	assert_int_equal(tm_get32(&t, 0x800 + 9 * 4), (0x17 << 10) | 0x13 | 0x40);
	/* Writing a read-only page is a protection fault ("segmentation fault"). */
	q.access = MMU_ACCESS_W;
	assert_int_equal(mmu_translate(m, &q, &r), 0);
	assert_int_equal(r.cause, MMU_CAUSE_PERMISSION);
	assert_int_equal(r.exc, MMU_RVEXC_STORE_PAGE);
	/* A user reference to a SUP page (U = 0) is a protection fault too. */
	tm_put32(&t, 0x800 + 0x0a * 4, (0x09 << 10) | 0x07); /* V R W, not U */
	q.va = 0x0a << 6;
	q.access = MMU_ACCESS_R;
	assert_int_equal(mmu_translate(m, &q, &r), 0);
	assert_int_equal(r.cause, MMU_CAUSE_PERMISSION);
	q.priv = MMU_PRIV_S;
	assert_int_equal(mmu_translate(m, &q, &r), 0);
	assert_int_equal(r.cause, MMU_CAUSE_OK);
	assert_int_equal(r.pa, 0x09 << 6);
	mmu_read_counters(m, &cnt);
	assert_int_equal(cnt.c[MMU_CNT_FAULT_NOT_PRESENT], 1);
	assert_int_equal(cnt.c[MMU_CNT_FAULT_PERMISSION], 2);
	mmu_model_free(m);
	testmem_free(&t);
}

/* Seed 000: the 48-bit four-level layout - a 4 KiB table holds 2^9 8-byte PTEs. */
static void seed000_four_level_layout(void **state)
{
	struct mmu_config c;
	struct mmu_geometry g;

	(void)state;
	mmu_config_default(&c);
	assert_int_equal(mmu_config_geometry(&c, MMU_MODE_X86_64, 0, &g), 0);
	assert_int_equal(g.va_bits, 48);
	assert_int_equal(g.levels, 4);
	for (unsigned l = 0; l < 4; l++) {
		assert_int_equal(g.idx_bits[l], 9);
		assert_int_equal(mkpt_table_bytes(&g, l), 4096);
	}
	assert_int_equal(mmu_level_shift(&g, 1), 21); /* 2 MiB */
	assert_int_equal(mmu_level_shift(&g, 2), 30); /* 1 GiB */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seed004_va_03d4),
		cmocka_unit_test(seed003_field_widths),
		cmocka_unit_test(seed001_two_level_table_size),
		cmocka_unit_test(seed000_demand_paging_and_protection),
		cmocka_unit_test(seed000_four_level_layout),
	};

	return cmocka_run_group_tests_name("seeds", tests, NULL, NULL);
}

/*
 * test_riscv.c - RISC-V Sv39, Sv48 and Sv32 on the model: worked examples
 * derived by hand from the privileged specification, every fault cause at
 * every level, superpages (aligned and misaligned), SUM and MXR, A/D under
 * both policies, native exception codes.
 *
 * Memory: 64 KiB at PA 0.  Tables are at 0x1000 (root), 0x2000, 0x3000, 0x4000.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "mmu_model.h"
#include "testmem.h"

#define R MMU_ACCESS_R
#define W MMU_ACCESS_W
#define X MMU_ACCESS_X
#define U MMU_PRIV_U
#define S MMU_PRIV_S

/* VA 0x80605abc in Sv39: VPN[2] = 2, VPN[1] = 3, VPN[0] = 5, offset 0xabc. */
#define VA39 0x80605abcULL

static void sv39(struct fx *f)
{
	struct mmu_config c;

	mmu_config_default(&c);
	fx_new(f, &c, 0, 0x10000);
	assert_int_equal(mmu_set_context(f->m, 1, MMU_MODE_SV39, 0x1000), 0);
}

/* Write pointers from the root (at 0x1000, level levels-1) down to leaf_level
 * for va, each table one page above the last, then the leaf. */
static void path(struct fx *f, unsigned levels, unsigned idx_bits, unsigned pte_bytes,
		 uint64_t va, unsigned leaf_level, uint64_t leaf)
{
	uint64_t table = 0x1000;

	for (unsigned l = levels - 1;; l--) {
		uint64_t idx = (va >> (12 + l * idx_bits)) & ((1u << idx_bits) - 1);
		uint64_t pa = table + idx * pte_bytes;
		uint64_t pte = l == leaf_level ? leaf : rv_pte(table + 0x1000, 12, RV_V);

		if (pte_bytes == 8)
			tm_put64(&f->t, pa, pte);
		else
			tm_put32(&f->t, pa, (uint32_t)pte);
		if (l == leaf_level)
			return;
		table += 0x1000;
	}
}

static void sv39_4k_walk_and_ad(void **state)
{
	struct fx f;
	struct mmu_response r;
	uint64_t leaf = rv_pte(0x7654000, 12, RV_V | RV_R | RV_W | RV_U);
	char perm[8];

	(void)state;
	sv39(&f);
	path(&f, 3, 9, 8, VA39, 0, leaf);
	/* Hand derivation: root[2] at 0x1010, L1[3] at 0x2018, L0[5] at 0x3028. */
	assert_int_equal(tm_get64(&f.t, 0x1010), rv_pte(0x2000, 12, RV_V));
	assert_int_equal(tm_get64(&f.t, 0x2018), rv_pte(0x3000, 12, RV_V));
	assert_int_equal(tm_get64(&f.t, 0x3028), leaf);

	r = fx_tr(&f, 1, VA39, R, U);
	assert_int_equal(r.cause, MMU_CAUSE_OK);
	assert_int_equal(r.pa, 0x7654abc);
	assert_int_equal(r.level, 0);
	assert_int_equal(r.page_shift, 12);
	assert_string_equal(mmu_perm_string(r.perm, perm), "rw-u--");
	assert_int_equal(fx_cnt(&f, MMU_CNT_PTE_READS), 3);
	/* Svadu: one atomic update of the leaf, A set, only its low byte selected. */
	assert_int_equal(f.t.nlog, 1);
	assert_int_equal(f.t.log[0].pa, 0x3028);
	assert_int_equal(f.t.log[0].data, leaf | RV_A);
	assert_int_equal(f.t.log[0].sel, 0x01);

	/* A store finds the entry with D clear: it walks again (the PWC gives the
	 * level-1 PTE, so one read) and sets D. */
	r = fx_tr(&f, 1, VA39, W, U);
	assert_int_equal(r.cause, MMU_CAUSE_OK);
	assert_int_equal(r.hit, 0);
	assert_string_equal(mmu_perm_string(r.perm, perm), "rw-u-d");
	assert_int_equal(f.t.nlog, 2);
	assert_int_equal(f.t.log[1].pa, 0x3028);
	assert_int_equal(f.t.log[1].data, leaf | RV_A | RV_D);
	r = fx_tr(&f, 1, VA39, W, U);
	assert_int_equal(r.hit, 1);
	assert_int_equal(fx_cnt(&f, MMU_CNT_LOOKUPS), 3);
	assert_int_equal(fx_cnt(&f, MMU_CNT_HITS), 1);
	assert_int_equal(fx_cnt(&f, MMU_CNT_MISSES), 1);
	assert_int_equal(fx_cnt(&f, MMU_CNT_WALKS), 2);
	assert_int_equal(fx_cnt(&f, MMU_CNT_PTE_READS), 4);
	assert_int_equal(fx_cnt(&f, MMU_CNT_PTE_WRITES), 2);
	assert_int_equal(fx_cnt(&f, MMU_CNT_PWC_HITS), 1);
	fx_free(&f);
}

static void sv39_superpages(void **state)
{
	struct fx f;
	struct mmu_response r;

	(void)state;
	sv39(&f);
	/* 2 MiB megapage at VPN[2]=2, VPN[1]=4 -> PA 0x40000000. */
	path(&f, 3, 9, 8, (2ULL << 30) | (4ULL << 21), 1,
	     rv_pte(0x40000000, 12, RV_V | RV_R | RV_A | RV_U));
	r = fx_tr(&f, 1, (2ULL << 30) | (4ULL << 21) | 0x12345, R, U);
	assert_int_equal(r.cause, MMU_CAUSE_OK);
	assert_int_equal(r.pa, 0x40012345);
	assert_int_equal(r.level, 1);
	assert_int_equal(r.page_shift, 21);
	/* 1 GiB gigapage at VPN[2]=1 -> PA 0x100000000. */
	tm_put64(&f.t, 0x1008, rv_pte(0x100000000ULL, 12, RV_V | RV_R | RV_A | RV_U));
	r = fx_tr(&f, 1, (1ULL << 30) | 0x3456789, R, U);
	assert_int_equal(r.pa, 0x103456789ULL);
	assert_int_equal(r.level, 2);
	assert_int_equal(r.page_shift, 30);
	/* Misaligned: PPN[0] != 0 in a megapage, PPN[1:0] != 0 in a gigapage. */
	tm_put64(&f.t, 0x2000 + 5 * 8, rv_pte(0x40001000, 12, RV_V | RV_R | RV_A | RV_U));
	r = fx_tr(&f, 1, (2ULL << 30) | (5ULL << 21), R, U);
	assert_int_equal(r.cause, MMU_CAUSE_MISALIGNED);
	assert_int_equal(r.level, 1);
	assert_int_equal(r.exc, MMU_RVEXC_LOAD_PAGE);
	tm_put64(&f.t, 0x1018, rv_pte(0x40200000, 12, RV_V | RV_R | RV_A | RV_U));
	r = fx_tr(&f, 1, 3ULL << 30, W, U);
	/* permission (no W) is checked before alignment */
	assert_int_equal(r.cause, MMU_CAUSE_PERMISSION);
	r = fx_tr(&f, 1, 3ULL << 30, R, U);
	assert_int_equal(r.cause, MMU_CAUSE_MISALIGNED);
	assert_int_equal(r.level, 2);
	fx_free(&f);
}

static void sv48_terapage_and_walk(void **state)
{
	struct mmu_config c;
	struct fx f;
	struct mmu_response r;
	uint64_t va = (0x1ffULL << 39) | (7ULL << 30) | (8ULL << 21) | (9ULL << 12) | 0x777;

	(void)state;
	mmu_config_default(&c);
	fx_new(&f, &c, 0, 0x10000);
	assert_int_equal(mmu_set_context(f.m, 0, MMU_MODE_SV48, 0x1000), 0);
	/* 512 GiB terapage at VPN[3] = 1 -> PA 1 << 39. */
	tm_put64(&f.t, 0x1008, rv_pte(1ULL << 39, 12, RV_V | RV_R | RV_X | RV_A | RV_U));
	r = fx_tr(&f, 0, (1ULL << 39) | 0x1234567, X, U);
	assert_int_equal(r.cause, MMU_CAUSE_OK);
	assert_int_equal(r.pa, (1ULL << 39) | 0x1234567);
	assert_int_equal(r.level, 3);
	assert_int_equal(r.page_shift, 39);
	tm_put64(&f.t, 0x1010, rv_pte((1ULL << 39) | 0x1000, 12, RV_V | RV_R | RV_A));
	r = fx_tr(&f, 0, 2ULL << 39, R, S);
	assert_int_equal(r.cause, MMU_CAUSE_MISALIGNED);
	assert_int_equal(r.level, 3);
	/* A four-level walk of a sign-extended VA (VPN[3] = 0x1ff). */
	path(&f, 4, 9, 8, va, 0, rv_pte(0xabcde000, 12, RV_V | RV_R | RV_A | RV_D));
	r = fx_tr(&f, 0, va | 0xffff000000000000ULL, R, S);
	assert_int_equal(r.cause, MMU_CAUSE_OK);
	assert_int_equal(r.pa, 0xabcde777);
	/* Bit 47 set but bits 63:48 clear: not canonical. */
	r = fx_tr(&f, 0, va, R, S);
	assert_int_equal(r.cause, MMU_CAUSE_NON_CANONICAL);
	assert_int_equal(r.level, MMU_LEVEL_NONE);
	assert_int_equal(r.exc, MMU_RVEXC_LOAD_PAGE);
	fx_free(&f);
}

static void sv32_walk_megapage_and_sel(void **state)
{
	struct mmu_config c;
	struct fx f;
	struct mmu_response r;
	uint32_t leaf = (uint32_t)rv_pte(0x323456000ULL, 12, RV_V | RV_R | RV_W | RV_U);

	(void)state;
	mmu_config_default(&c);
	fx_new(&f, &c, 0, 0x10000);
	assert_int_equal(mmu_set_context(f.m, 0, MMU_MODE_SV32, 0x1000), 0);
	/* VA 0x00c05abc: VPN[1] = 3 (PTE at 0x100c), VPN[0] = 5 (PTE at 0x2014). */
	path(&f, 2, 10, 4, 0xc05abc, 0, leaf);
	assert_int_equal(tm_get32(&f.t, 0x100c), (uint32_t)rv_pte(0x2000, 12, RV_V));
	r = fx_tr(&f, 0, 0xc05abc, R, U);
	assert_int_equal(r.cause, MMU_CAUSE_OK);
	assert_int_equal(r.pa, 0x323456abcULL); /* a 34-bit physical address */
	/* The 4-byte PTE is the upper half of the word at 0x2010: its low byte is lane 4. */
	assert_int_equal(f.t.nlog, 1);
	assert_int_equal(f.t.log[0].pa, 0x2010);
	assert_int_equal(f.t.log[0].sel, 0x10);
	assert_int_equal(f.t.log[0].data, (uint64_t)(leaf | RV_A) << 32);
	/* 4 MiB megapage at VPN[1] = 7. */
	tm_put32(&f.t, 0x101c, (uint32_t)rv_pte(0x100400000ULL, 12, RV_V | RV_R | RV_A | RV_U));
	r = fx_tr(&f, 0, (7u << 22) | 0x123456, R, U);
	assert_int_equal(r.pa, 0x100523456ULL);
	assert_int_equal(r.level, 1);
	assert_int_equal(r.page_shift, 22);
	/* Sv32 addresses are 32 bits. */
	r = fx_tr(&f, 0, 1ULL << 32, R, U);
	assert_int_equal(r.cause, MMU_CAUSE_NON_CANONICAL);
	fx_free(&f);
}

struct fault_case {
	const char *what;
	unsigned level;       /* where the bad PTE is */
	uint64_t pte;         /* the PTE written there */
	unsigned access, priv;
	unsigned cause;
	unsigned ad_fault;
};

static void sv39_every_fault_every_level(void **state)
{
	const uint64_t leaf_ok = RV_V | RV_R | RV_A | RV_D;
	const struct fault_case cases[] = {
		{ "V=0", 2, 0x3fULL << 10, R, S, MMU_CAUSE_NOT_PRESENT, 0 },
		{ "V=0", 1, RV_R, R, S, MMU_CAUSE_NOT_PRESENT, 0 },
		{ "V=0", 0, 0, W, U, MMU_CAUSE_NOT_PRESENT, 0 },
		{ "bit 54", 2, (1ULL << 54) | RV_V, R, S, MMU_CAUSE_RESERVED, 0 },
		{ "bit 63", 1, (1ULL << 63) | leaf_ok, R, S, MMU_CAUSE_RESERVED, 0 },
		{ "bit 60", 0, (1ULL << 60) | leaf_ok, R, S, MMU_CAUSE_RESERVED, 0 },
		{ "W no R", 2, RV_V | RV_W, R, S, MMU_CAUSE_RESERVED, 0 },
		{ "W no R", 0, RV_V | RV_W | RV_X, X, S, MMU_CAUSE_RESERVED, 0 },
		{ "ptr A", 2, rv_pte(0x2000, 12, RV_V | RV_A), R, S, MMU_CAUSE_RESERVED, 0 },
		{ "ptr D", 1, rv_pte(0x3000, 12, RV_V | RV_D), R, S, MMU_CAUSE_RESERVED, 0 },
		{ "ptr U", 1, rv_pte(0x3000, 12, RV_V | RV_U), R, S, MMU_CAUSE_RESERVED, 0 },
		{ "ptr at 0", 0, rv_pte(0x4000, 12, RV_V), R, S, MMU_CAUSE_RESERVED, 0 },
		{ "no W", 2, leaf_ok, W, S, MMU_CAUSE_PERMISSION, 0 },
		{ "no X", 1, leaf_ok, X, S, MMU_CAUSE_PERMISSION, 0 },
		{ "not U", 0, leaf_ok, R, U, MMU_CAUSE_PERMISSION, 0 },
		{ "misal", 2, rv_pte(0x1000, 12, leaf_ok), R, S, MMU_CAUSE_MISALIGNED, 0 },
		{ "misal", 1, rv_pte(0x1000, 12, leaf_ok), R, S, MMU_CAUSE_MISALIGNED, 0 },
		{ "A=0", 2, RV_V | RV_R | RV_W, R, S, MMU_CAUSE_AD_NEEDED, 1 },
		{ "D=0", 1, RV_V | RV_R | RV_W | RV_A, W, S, MMU_CAUSE_AD_NEEDED, 1 },
		{ "A=0", 0, RV_V | RV_X, X, S, MMU_CAUSE_AD_NEEDED, 1 },
		{ "outside", 2, rv_pte(0x100000, 12, RV_V), R, S, MMU_CAUSE_ACCESS, 0 },
		{ "outside", 1, rv_pte(0x200000, 12, RV_V), W, S, MMU_CAUSE_ACCESS, 0 },
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fault_case *k = &cases[i];
		struct mmu_policy p = { .ad_fault = (uint8_t)k->ad_fault };
		struct fx f;
		struct mmu_response r;
		unsigned expect_level = k->level;

		sv39(&f);
		assert_int_equal(mmu_set_policy(f.m, &p), 0);
		path(&f, 3, 9, 8, VA39, k->level, k->pte);
		/* An out-of-memory pointer at level L makes the read at L-1 fail. */
		if (k->cause == MMU_CAUSE_ACCESS)
			expect_level = k->level - 1;
		r = fx_tr(&f, 1, VA39, k->access, k->priv);
		if (r.cause != k->cause || r.level != expect_level)
			fail_msg("case %u (%s at level %u): cause %u level %u", i, k->what,
				 k->level, r.cause, r.level);
		/* A faulting walk writes nothing and caches no leaf. */
		assert_int_equal(f.t.nlog, 0);
		r = fx_tr(&f, 1, VA39, k->access, k->priv);
		assert_int_equal(r.hit, 0);
		assert_int_equal(fx_cnt(&f, MMU_CNT_FAULT_NOT_PRESENT + k->cause - 1), 2);
		fx_free(&f);
	}
}

static void root_outside_memory_and_write_error(void **state)
{
	struct fx f;
	struct mmu_response r;

	(void)state;
	sv39(&f);
	/* The root itself beyond memory: the first read fails at level 2. */
	assert_int_equal(mmu_set_context(f.m, 2, MMU_MODE_SV39, 0x100000), 0);
	r = fx_tr(&f, 2, VA39, X, S);
	assert_int_equal(r.cause, MMU_CAUSE_ACCESS);
	assert_int_equal(r.level, 2);
	assert_int_equal(r.exc, MMU_RVEXC_INSN_ACCESS);
	/* A bus error on the A/D write is an access fault at the leaf. */
	path(&f, 3, 9, 8, VA39, 0, RV_V | RV_R | RV_W);
	f.t.fail_write_pa = 0x3028;
	r = fx_tr(&f, 1, VA39, W, S);
	assert_int_equal(r.cause, MMU_CAUSE_ACCESS);
	assert_int_equal(r.level, 0);
	assert_int_equal(r.exc, MMU_RVEXC_STORE_ACCESS);
	/* A bus error on a read (after dropping the PWC entry that skips it). */
	f.t.fail_write_pa = 0;
	f.t.fail_read_pa = 0x2018;
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_ALL, 0, 0), 0);
	r = fx_tr(&f, 1, VA39, R, S);
	assert_int_equal(r.cause, MMU_CAUSE_ACCESS);
	assert_int_equal(r.level, 1);
	assert_int_equal(r.exc, MMU_RVEXC_LOAD_ACCESS);
	fx_free(&f);
}

static void leaf_beyond_pa_width(void **state)
{
	struct mmu_config c;
	struct fx f;
	struct mmu_response r;

	(void)state;
	mmu_config_default(&c);
	c.pa_bits = 40;
	fx_new(&f, &c, 0, 0x10000);
	assert_int_equal(mmu_set_context(f.m, 0, MMU_MODE_SV39, 0x1000), 0);
	path(&f, 3, 9, 8, VA39, 0, rv_pte(1ULL << 45, 12, RV_V | RV_R));
	r = fx_tr(&f, 0, VA39, R, S);
	assert_int_equal(r.cause, MMU_CAUSE_ACCESS);
	assert_int_equal(r.level, 0);
	/* The walk completed (A was set) but nothing is cached. */
	assert_int_equal(f.t.nlog, 1);
	assert_int_equal(fx_tr(&f, 0, VA39, R, S).hit, 0);
	/* A pointer beyond the width: no bus cycle, access fault at the next level. */
	tm_put64(&f.t, 0x2018, rv_pte(1ULL << 44, 12, RV_V));
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_ALL, 0, 0), 0);
	f.t.reads = 0;
	r = fx_tr(&f, 0, VA39, R, S);
	assert_int_equal(r.cause, MMU_CAUSE_ACCESS);
	assert_int_equal(r.level, 0);
	assert_int_equal(f.t.reads, 2);
	fx_free(&f);
}

static void sum_mxr_and_privilege(void **state)
{
	struct fx f;
	struct mmu_policy p = { 0 };

	(void)state;
	sv39(&f);
	path(&f, 3, 9, 8, VA39, 0, rv_pte(0x5000, 12, RV_V | RV_R | RV_W | RV_X | RV_U | RV_A | RV_D));
	assert_int_equal(fx_tr(&f, 1, VA39, R, U).cause, MMU_CAUSE_OK);
	/* S touching a U page: only with SUM, and never a fetch. */
	assert_int_equal(fx_tr(&f, 1, VA39, R, S).cause, MMU_CAUSE_PERMISSION);
	assert_int_equal(fx_tr(&f, 1, VA39, W, S).exc, MMU_RVEXC_STORE_PAGE);
	p.sum = 1;
	assert_int_equal(mmu_set_policy(f.m, &p), 0);
	assert_int_equal(fx_tr(&f, 1, VA39, R, S).cause, MMU_CAUSE_OK);
	assert_int_equal(fx_tr(&f, 1, VA39, W, S).cause, MMU_CAUSE_OK);
	assert_int_equal(fx_tr(&f, 1, VA39, X, S).cause, MMU_CAUSE_PERMISSION);
	assert_int_equal(fx_tr(&f, 1, VA39, X, S).exc, MMU_RVEXC_INSN_PAGE);
	/* MXR: loads from an execute-only page. */
	tm_put64(&f.t, 0x3028, rv_pte(0x5000, 12, RV_V | RV_X | RV_A));
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_VA, 0, VA39), 0);
	assert_int_equal(fx_tr(&f, 1, VA39, R, S).cause, MMU_CAUSE_PERMISSION);
	assert_int_equal(fx_tr(&f, 1, VA39, X, S).cause, MMU_CAUSE_OK);
	p.mxr = 1;
	assert_int_equal(mmu_set_policy(f.m, &p), 0);
	/* the cached entry is checked against the new policy: a hit */
	assert_int_equal(fx_tr(&f, 1, VA39, R, S).hit, 1);
	assert_int_equal(fx_tr(&f, 1, VA39, W, S).cause, MMU_CAUSE_PERMISSION);
	fx_free(&f);
}

static void svade_never_writes(void **state)
{
	struct fx f;
	struct mmu_policy p = { .ad_fault = 1 };
	struct mmu_response r;

	(void)state;
	sv39(&f);
	assert_int_equal(mmu_set_policy(f.m, &p), 0);
	path(&f, 3, 9, 8, VA39, 0, rv_pte(0x5000, 12, RV_V | RV_R | RV_W | RV_A));
	r = fx_tr(&f, 1, VA39, R, S);
	assert_int_equal(r.cause, MMU_CAUSE_OK);
	r = fx_tr(&f, 1, VA39, W, S);
	assert_int_equal(r.cause, MMU_CAUSE_AD_NEEDED);
	assert_int_equal(r.exc, MMU_RVEXC_STORE_PAGE);
	assert_int_equal(f.t.nlog, 0);
	/* The OS sets D and retries: no invalidation needed, the walk re-reads. */
	tm_put64(&f.t, 0x3028, rv_pte(0x5000, 12, RV_V | RV_R | RV_W | RV_A | RV_D));
	r = fx_tr(&f, 1, VA39, W, S);
	assert_int_equal(r.cause, MMU_CAUSE_OK);
	assert_int_equal(f.t.nlog, 0);
	fx_free(&f);
}

static void global_from_pointer(void **state)
{
	struct fx f;
	struct mmu_response r;

	(void)state;
	sv39(&f);
	path(&f, 3, 9, 8, VA39, 0, rv_pte(0x5000, 12, RV_V | RV_R | RV_A));
	tm_put64(&f.t, 0x1010, rv_pte(0x2000, 12, RV_V | RV_G));
	r = fx_tr(&f, 1, VA39, R, S);
	assert_true(r.perm & (1u << MMU_PERM_G));
	/* An ASID without a context answers NO_CONTEXT before any lookup; with a
	 * context of its own (an empty table) it hits the global entry. */
	r = fx_tr(&f, 3, VA39, R, S);
	assert_int_equal(r.cause, MMU_CAUSE_NO_CONTEXT);
	assert_int_equal(r.level, MMU_LEVEL_NONE);
	assert_int_equal(r.exc, 0);
	assert_int_equal(mmu_set_context(f.m, 3, MMU_MODE_SV39, 0x8000), 0);
	r = fx_tr(&f, 3, VA39, R, S);
	assert_int_equal(r.hit, 1);
	assert_int_equal(r.pa, 0x5abc);
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sv39_4k_walk_and_ad),
		cmocka_unit_test(sv39_superpages),
		cmocka_unit_test(sv48_terapage_and_walk),
		cmocka_unit_test(sv32_walk_megapage_and_sel),
		cmocka_unit_test(sv39_every_fault_every_level),
		cmocka_unit_test(root_outside_memory_and_write_error),
		cmocka_unit_test(leaf_beyond_pa_width),
		cmocka_unit_test(sum_mxr_and_privilege),
		cmocka_unit_test(svade_never_writes),
		cmocka_unit_test(global_from_pointer),
	};

	return cmocka_run_group_tests_name("riscv", tests, NULL, NULL);
}

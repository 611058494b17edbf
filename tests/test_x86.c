/*
 * test_x86.c - x86-64 4-level paging on the model, worked by hand from the
 * Intel SDM paging chapter: A set on every entry used, D on writes, 2 MiB and
 * 1 GiB pages with their reserved bits, accumulated R/W, U/S and XD, CR0.WP,
 * SMEP, SMAP, EFER.NXE, MAXPHYADDR, the #PF error code, #GP for a
 * non-canonical address, and the page-fault invalidation rule.
 *
 * VA 0x8080604567: PML4 index 1 (PML4E at 0x1008), PDPT index 2 (0x2010),
 * PD index 3 (0x3018), PT index 4 (0x4020), offset 0x567.
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
#define VA 0x8080604567ULL
#define PTR (X86_P | X86_RW | X86_US)

static void x86(struct fx *f, const struct mmu_policy *p)
{
	struct mmu_config c;

	mmu_config_default(&c);
	fx_new(f, &c, 0, 0x10000);
	if (p)
		assert_int_equal(mmu_set_policy(f->m, p), 0);
	assert_int_equal(mmu_set_context(f->m, 5, MMU_MODE_X86_64, 0x1000), 0);
	tm_put64(&f->t, 0x1008, 0x2000 | PTR);
	tm_put64(&f->t, 0x2010, 0x3000 | PTR);
	tm_put64(&f->t, 0x3018, 0x4000 | PTR);
	tm_put64(&f->t, 0x4020, 0x1234000 | PTR);
}

static unsigned valid_entries(struct fx *f)
{
	const struct mmu_config *c = mmu_model_config(f->m);
	struct mmu_entry e;
	unsigned n = 0;

	for (unsigned s = 0; s < c->tlb_sets; s++)
		for (unsigned w = 0; w < c->tlb_ways; w++)
			n += !mmu_tlb_entry(f->m, s, w, &e) && e.valid;
	for (unsigned i = 0; i < c->sp_entries; i++)
		n += !mmu_sp_entry(f->m, i, &e) && e.valid;
	for (unsigned i = 0; i < c->pwc_entries; i++)
		n += !mmu_pwc_entry(f->m, i, &e) && e.valid;
	return n;
}

static void walk_sets_a_everywhere(void **state)
{
	static const uint64_t at[4] = { 0x1008, 0x2010, 0x3018, 0x4020 };
	struct fx f;
	struct mmu_response r;
	char perm[8];

	(void)state;
	x86(&f, NULL);
	r = fx_tr(&f, 5, VA, R, U);
	assert_int_equal(r.cause, MMU_CAUSE_OK);
	assert_int_equal(r.pa, 0x1234567);
	assert_string_equal(mmu_perm_string(r.perm, perm), "rwxu--");
	/* One locked update per entry, root first, each A added to the entry read. */
	assert_int_equal(f.t.nlog, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(f.t.log[i].pa, at[i]);
		assert_int_equal(f.t.log[i].sel, 0x01);
		assert_int_equal(f.t.log[i].data & X86_A, X86_A);
		assert_int_equal(f.t.log[i].data & ~(uint64_t)X86_A, tm_get64(&f.t, at[i]) & ~(uint64_t)X86_A);
	}
	/* A write: the cached entry has D clear, so walk (PDE from the PWC) and set D. */
	r = fx_tr(&f, 5, VA, W, U);
	assert_int_equal(r.cause, MMU_CAUSE_OK);
	assert_int_equal(r.hit, 0);
	assert_int_equal(f.t.nlog, 5);
	assert_int_equal(f.t.log[4].pa, 0x4020);
	assert_int_equal(f.t.log[4].data, 0x1234000 | PTR | X86_A | X86_D);
	assert_int_equal(fx_cnt(&f, MMU_CNT_PTE_READS), 5);
	assert_int_equal(fx_tr(&f, 5, VA, W, U).hit, 1);
	fx_free(&f);
}

static void faulting_walk_sets_upper_a_only(void **state)
{
	struct fx f;
	struct mmu_response r;

	(void)state;
	x86(&f, NULL);
	tm_put64(&f.t, 0x4020, 0x1234000 | X86_RW); /* not present */
	r = fx_tr(&f, 5, VA, W, U);
	assert_int_equal(r.cause, MMU_CAUSE_NOT_PRESENT);
	assert_int_equal(r.level, 0);
	assert_int_equal(r.exc, MMU_X86VEC_PF);
	assert_int_equal(r.err, 0x6); /* W U, P = 0 */
	assert_int_equal(f.t.nlog, 3);
	assert_int_equal(f.t.log[2].pa, 0x3018);
	/* Not present at the PDPTE: error code of a supervisor read is 0. */
	tm_put64(&f.t, 0x2010, 0);
	r = fx_tr(&f, 5, VA, R, S);
	assert_int_equal(r.cause, MMU_CAUSE_NOT_PRESENT);
	assert_int_equal(r.level, 2);
	assert_int_equal(r.err, 0);
	fx_free(&f);
}

static void large_pages_and_reserved_bits(void **state)
{
	struct fx f;
	struct mmu_response r;

	(void)state;
	x86(&f, NULL);
	/* 2 MiB page with PAT (bit 12) set: bit 12 is not an address bit. */
	tm_put64(&f.t, 0x3018, 0x40000000 | 0x1000 | PTR | X86_PS);
	r = fx_tr(&f, 5, VA, R, U);
	assert_int_equal(r.cause, MMU_CAUSE_OK);
	assert_int_equal(r.pa, 0x40004567);
	assert_int_equal(r.level, 1);
	assert_int_equal(r.page_shift, 21);
	/* Bit 13 of a 2 MiB PDE is reserved. */
	tm_put64(&f.t, 0x3018, 0x40002000 | PTR | X86_PS);
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_ALL, 0, 0), 0);
	r = fx_tr(&f, 5, VA, R, S);
	assert_int_equal(r.cause, MMU_CAUSE_RESERVED);
	assert_int_equal(r.level, 1);
	assert_int_equal(r.err, 0x9); /* P RSVD */
	/* 1 GiB page; bit 29 of its PDPTE is reserved. */
	tm_put64(&f.t, 0x2010, 0x80000000 | PTR | X86_PS);
	r = fx_tr(&f, 5, VA, W, U);
	assert_int_equal(r.cause, MMU_CAUSE_OK);
	assert_int_equal(r.pa, 0x80000000 | (VA & 0x3fffffff));
	assert_int_equal(r.page_shift, 30);
	tm_put64(&f.t, 0x2010, 0xa0000000 | PTR | X86_PS);
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_VA, 0, VA), 0);
	r = fx_tr(&f, 5, VA, W, U);
	assert_int_equal(r.cause, MMU_CAUSE_RESERVED);
	assert_int_equal(r.level, 2);
	assert_int_equal(r.err, 0xf); /* P W U RSVD */
	/* PS in a PML4E is reserved. */
	tm_put64(&f.t, 0x1008, 0x2000 | PTR | X86_PS);
	r = fx_tr(&f, 5, VA, R, U);
	assert_int_equal(r.cause, MMU_CAUSE_RESERVED);
	assert_int_equal(r.level, 3);
	fx_free(&f);
}

static void nx_and_maxphyaddr(void **state)
{
	struct mmu_policy p = { .nxe = 0 };
	struct fx f;
	struct mmu_response r;

	(void)state;
	x86(&f, NULL);
	/* XD without NXE is a reserved bit; I/D stays 0 without NXE and SMEP. */
	tm_put64(&f.t, 0x4020, 0x1234000 | PTR | X86_XD);
	r = fx_tr(&f, 5, VA, X, U);
	assert_int_equal(r.cause, MMU_CAUSE_RESERVED);
	assert_int_equal(r.err, 0xd); /* P U RSVD */
	p.nxe = 1;
	assert_int_equal(mmu_set_policy(f.m, &p), 0);
	r = fx_tr(&f, 5, VA, X, U);
	assert_int_equal(r.cause, MMU_CAUSE_PERMISSION);
	assert_int_equal(r.err, 0x15); /* P U I */
	assert_int_equal(fx_tr(&f, 5, VA, R, U).cause, MMU_CAUSE_OK);
	/* XD in an upper level applies to the whole subtree. */
	tm_put64(&f.t, 0x4020, 0x1234000 | PTR);
	tm_put64(&f.t, 0x2010, 0x3000 | PTR | X86_XD);
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_ALL, 0, 0), 0);
	assert_int_equal(fx_tr(&f, 5, VA, X, S).cause, MMU_CAUSE_PERMISSION);
	/* MAXPHYADDR 36: address bit 40 in an entry is reserved. */
	p.maxphy = 36;
	assert_int_equal(mmu_set_policy(f.m, &p), 0);
	tm_put64(&f.t, 0x2010, 0x3000 | PTR);
	tm_put64(&f.t, 0x4020, (1ULL << 40) | 0x1234000 | PTR);
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_ALL, 0, 0), 0);
	r = fx_tr(&f, 5, VA, R, S);
	assert_int_equal(r.cause, MMU_CAUSE_RESERVED);
	assert_int_equal(r.level, 0);
	tm_put64(&f.t, 0x4020, (1ULL << 35) | 0x1234000 | PTR);
	r = fx_tr(&f, 5, VA, R, S);
	assert_int_equal(r.pa, (1ULL << 35) | 0x1234567);
	fx_free(&f);
}

static void rights_wp_smep_smap(void **state)
{
	struct mmu_policy p = { 0 };
	struct fx f;
	struct mmu_response r;

	(void)state;
	x86(&f, NULL);
	/* R/W = 0 in the PDPTE makes the page read-only whatever the PTE says. */
	tm_put64(&f.t, 0x2010, 0x3000 | X86_P | X86_US);
	r = fx_tr(&f, 5, VA, W, U);
	assert_int_equal(r.cause, MMU_CAUSE_PERMISSION);
	assert_int_equal(r.err, 0x7); /* P W U */
	/* Supervisor writes to read-only pages: allowed unless CR0.WP. */
	assert_int_equal(fx_tr(&f, 5, VA, W, S).cause, MMU_CAUSE_OK);
	p.wp = 1;
	assert_int_equal(mmu_set_policy(f.m, &p), 0);
	r = fx_tr(&f, 5, VA, W, S);
	assert_int_equal(r.cause, MMU_CAUSE_PERMISSION);
	assert_int_equal(r.err, 0x3); /* P W */
	/* SMEP: no supervisor fetch from a user page; SMAP: no data access. */
	p.smep = 1;
	assert_int_equal(mmu_set_policy(f.m, &p), 0);
	r = fx_tr(&f, 5, VA, X, S);
	assert_int_equal(r.cause, MMU_CAUSE_PERMISSION);
	assert_int_equal(r.err, 0x11); /* P I */
	assert_int_equal(fx_tr(&f, 5, VA, R, S).cause, MMU_CAUSE_OK);
	p.smap = 1;
	assert_int_equal(mmu_set_policy(f.m, &p), 0);
	r = fx_tr(&f, 5, VA, R, S);
	assert_int_equal(r.cause, MMU_CAUSE_PERMISSION);
	assert_int_equal(r.err, 0x1);
	/* U/S = 0 in the PML4E: a supervisor page; users cannot read it. */
	tm_put64(&f.t, 0x1008, 0x2000 | X86_P | X86_RW);
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_ALL, 0, 0), 0);
	r = fx_tr(&f, 5, VA, R, U);
	assert_int_equal(r.cause, MMU_CAUSE_PERMISSION);
	assert_int_equal(r.err, 0x5);
	assert_int_equal(fx_tr(&f, 5, VA, R, S).cause, MMU_CAUSE_OK);
	assert_int_equal(fx_tr(&f, 5, VA, X, S).cause, MMU_CAUSE_OK);
	fx_free(&f);
}

static void gp_and_machine_check(void **state)
{
	struct fx f;
	struct mmu_response r;

	(void)state;
	x86(&f, NULL);
	r = fx_tr(&f, 5, 0x0000800000000000ULL, R, U);
	assert_int_equal(r.cause, MMU_CAUSE_NON_CANONICAL);
	assert_int_equal(r.exc, MMU_X86VEC_GP);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.level, MMU_LEVEL_NONE);
	assert_int_equal(fx_cnt(&f, MMU_CNT_LOOKUPS), 0);
	r = fx_tr(&f, 5, 0xffff800000000000ULL, R, U);
	assert_int_equal(r.cause, MMU_CAUSE_NOT_PRESENT); /* canonical, PML4 slot 256 empty */
	assert_int_equal(r.level, 3);
	f.t.fail_read_pa = 0x3018;
	r = fx_tr(&f, 5, VA, R, U);
	assert_int_equal(r.cause, MMU_CAUSE_ACCESS);
	assert_int_equal(r.exc, MMU_X86VEC_MC);
	assert_int_equal(r.level, 1);
	fx_free(&f);
}

/* SDM 4.10.4.1: a page fault invalidates the TLB entries and paging-structure
 * cache entries that would be used for the faulting address.  RISC-V keeps
 * them (they are correct; only the leaf forbade the access). */
static void page_fault_invalidates_x86_only(void **state)
{
	struct fx f;
	struct mmu_response r;

	(void)state;
	x86(&f, NULL);
	assert_int_equal(fx_tr(&f, 5, VA, R, U).cause, MMU_CAUSE_OK);
	assert_int_equal(valid_entries(&f), 1 + 3); /* TLB + PML4E, PDPTE, PDE */
	/* Make the page read-only behind the TLB's back; the write walks and faults. */
	tm_put64(&f.t, 0x4020, 0x1234000 | X86_P | X86_US | X86_A);
	r = fx_tr(&f, 5, VA, W, U);
	assert_int_equal(r.cause, MMU_CAUSE_PERMISSION);
	assert_int_equal(valid_entries(&f), 0);
	fx_free(&f);
}

static void pcid_and_global(void **state)
{
	struct fx f;
	struct mmu_response r;

	(void)state;
	x86(&f, NULL);
	assert_int_equal(mmu_set_context(f.m, 6, MMU_MODE_X86_64, 0x8000), 0);
	assert_int_equal(fx_tr(&f, 5, VA, R, U).cause, MMU_CAUSE_OK);
	/* PCID 6 has an empty PML4: neither its TLB nor the walk cache helps. */
	r = fx_tr(&f, 6, VA, R, U);
	assert_int_equal(r.cause, MMU_CAUSE_NOT_PRESENT);
	assert_int_equal(r.level, 3);
	/* A global leaf is shared by every PCID. */
	tm_put64(&f.t, 0x4020, 0x1234000 | PTR | X86_G);
	assert_int_equal(mmu_invalidate(f.m, MMU_INVAL_ALL, 0, 0), 0);
	assert_int_equal(fx_tr(&f, 5, VA, R, U).cause, MMU_CAUSE_OK);
	r = fx_tr(&f, 6, VA, R, U);
	assert_int_equal(r.cause, MMU_CAUSE_OK);
	assert_int_equal(r.hit, 1);
	assert_true(r.perm & (1u << MMU_PERM_G));
	fx_free(&f);
}

/* Every cause the x86 walk can produce, at every level it can occur
 * (MAXPHYADDR 46, so bits 51:46 are reserved). */
static void every_fault_every_level(void **state)
{
	static const uint64_t at[4] = { 0x4020, 0x3018, 0x2010, 0x1008 }; /* by level */
	static const uint64_t next[4] = { 0x1234000, 0x4000, 0x3000, 0x2000 };
	static const struct { unsigned level; uint64_t bits; unsigned access, priv, cause;
			      uint16_t err; } cases[] = {
		{ 3, 0, R, S, MMU_CAUSE_NOT_PRESENT, 0x0 },
		{ 2, 0, W, U, MMU_CAUSE_NOT_PRESENT, 0x6 },
		{ 1, 0, R, U, MMU_CAUSE_NOT_PRESENT, 0x4 },
		{ 0, 0, X, S, MMU_CAUSE_NOT_PRESENT, 0x0 },
		{ 3, PTR | (1ULL << 51), R, S, MMU_CAUSE_RESERVED, 0x9 },
		{ 2, PTR | X86_XD, R, U, MMU_CAUSE_RESERVED, 0xd },
		{ 1, PTR | X86_PS | 0x100000, R, S, MMU_CAUSE_RESERVED, 0x9 },
		{ 0, PTR | (1ULL << 52 >> 1), W, S, MMU_CAUSE_RESERVED, 0xb },
		{ 2, X86_P | X86_US | X86_PS, W, U, MMU_CAUSE_PERMISSION, 0x7 },
		{ 1, X86_P | X86_RW | X86_PS, R, U, MMU_CAUSE_PERMISSION, 0x5 },
		{ 0, X86_P | X86_RW, X, U, MMU_CAUSE_PERMISSION, 0x5 },
		{ 3, PTR, R, S, MMU_CAUSE_ACCESS, 0 },
		{ 2, PTR, R, S, MMU_CAUSE_ACCESS, 0 },
		{ 1, PTR, R, S, MMU_CAUSE_ACCESS, 0 },
		{ 0, PTR, R, S, MMU_CAUSE_ACCESS, 0 },
	};

	const struct mmu_policy p = { .maxphy = 46 };

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx f;
		struct mmu_response r;
		unsigned l = cases[i].level;

		x86(&f, &p);
		if (cases[i].cause == MMU_CAUSE_ACCESS)
			f.t.fail_read_pa = at[l];
		else if (cases[i].bits & X86_PS)
			tm_put64(&f.t, at[l], cases[i].bits);
		else
			tm_put64(&f.t, at[l], cases[i].bits ? next[l] | cases[i].bits : 0);
		r = fx_tr(&f, 5, VA, cases[i].access, cases[i].priv);
		if (r.cause != cases[i].cause || r.level != l ||
		    (r.cause != MMU_CAUSE_ACCESS && (r.exc != MMU_X86VEC_PF || r.err != cases[i].err)))
			fail_msg("case %u: cause %u level %u exc %u err 0x%x", i, r.cause, r.level,
				 r.exc, r.err);
		if (r.cause == MMU_CAUSE_ACCESS)
			assert_int_equal(r.exc, MMU_X86VEC_MC);
		/* A was set on exactly the entries above the faulting one */
		assert_int_equal(f.t.nlog, 3 - l);
		fx_free(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(walk_sets_a_everywhere),
		cmocka_unit_test(faulting_walk_sets_upper_a_only),
		cmocka_unit_test(large_pages_and_reserved_bits),
		cmocka_unit_test(nx_and_maxphyaddr),
		cmocka_unit_test(rights_wp_smep_smap),
		cmocka_unit_test(gp_and_machine_check),
		cmocka_unit_test(page_fault_invalidates_x86_only),
		cmocka_unit_test(pcid_and_global),
		cmocka_unit_test(every_fault_every_level),
	};

	return cmocka_run_group_tests_name("x86", tests, NULL, NULL);
}

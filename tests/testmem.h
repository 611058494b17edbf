/*
 * testmem.h - test support: a physical memory with a write log, bus-error
 * injection and a read hook.  (Allocation failures: testfail.h.)
 */
#ifndef TESTMEM_H
#define TESTMEM_H

#include <stdint.h>

#include "memimg.h"
#include "mmu_model.h"

#define TESTMEM_LOG 64

struct testmem_write {
	uint64_t pa, data;
	uint8_t sel;
};

struct testmem {
	struct memimg img;
	struct testmem_write log[TESTMEM_LOG];
	unsigned nlog;
	unsigned reads;
	uint64_t fail_read_pa;   /* a read of this word is a bus error (if nonzero) */
	uint64_t fail_write_pa;  /* a write of this word is a bus error (if nonzero) */
	/* Called after each successful read (e.g. to invalidate mid-walk). */
	void (*on_read)(struct testmem *t, uint64_t pa);
	void *hook_ctx;
};

void testmem_init(struct testmem *t, uint64_t base, uint64_t size);
void testmem_free(struct testmem *t);
void testmem_ops(struct testmem *t, struct mmu_mem_ops *ops);
uint64_t tm_get64(struct testmem *t, uint64_t pa);
void tm_put64(struct testmem *t, uint64_t pa, uint64_t v);
void tm_put32(struct testmem *t, uint64_t pa, uint32_t v);
uint32_t tm_get32(struct testmem *t, uint64_t pa);

/* n user reads of ASID 1 at VA 0, 4 KiB, 8 KiB, ..., tagged tag0, tag0 + 1,
 * ...; the responses' tags cleared (to see that each was answered). */
void test_read_batch(struct mmu_request *q, struct mmu_response *r, size_t n, uint32_t tag0);

/* A model on a test memory, for the unit tests. */
struct fx {
	struct testmem t;
	struct mmu_model *m;
	struct mmu_config c;
};

void fx_new(struct fx *f, const struct mmu_config *c, uint64_t base, uint64_t size);
void fx_free(struct fx *f);
/* Translate and return the response (asserting the call itself succeeded). */
struct mmu_response fx_tr(struct fx *f, unsigned asid, uint64_t va, unsigned access,
			  unsigned priv);
uint32_t fx_cnt(struct fx *f, unsigned counter);

/* PTE builders. */
#define RV_V 0x01
#define RV_R 0x02
#define RV_W 0x04
#define RV_X 0x08
#define RV_U 0x10
#define RV_G 0x20
#define RV_A 0x40
#define RV_D 0x80
static inline uint64_t rv_pte(uint64_t pa, unsigned page_bits, uint64_t flags)
{
	return ((pa >> page_bits) << 10) | flags;
}
#define X86_P 0x001
#define X86_RW 0x002
#define X86_US 0x004
#define X86_A 0x020
#define X86_D 0x040
#define X86_PS 0x080
#define X86_G 0x100
#define X86_XD (1ULL << 63)

#endif

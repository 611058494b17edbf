/*
 * testmem.c - test memory (see testmem.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testmem.h"

static int tm_read(void *ctx, uint64_t pa, uint64_t *data)
{
	struct testmem *t = ctx;

	t->reads++;
	if (t->fail_read_pa && pa == t->fail_read_pa)
		return -1;
	if (memimg_read64(&t->img, pa, data))
		return -1;
	if (t->on_read)
		t->on_read(t, pa);
	return 0;
}

static int tm_write(void *ctx, uint64_t pa, uint64_t data, uint8_t sel)
{
	struct testmem *t = ctx;

	if (t->nlog < TESTMEM_LOG) {
		t->log[t->nlog].pa = pa;
		t->log[t->nlog].data = data;
		t->log[t->nlog].sel = sel;
	}
	t->nlog++;
	if (t->fail_write_pa && pa == t->fail_write_pa)
		return -1;
	return memimg_write64(&t->img, pa, data, sel);
}

void testmem_init(struct testmem *t, uint64_t base, uint64_t size)
{
	char err[128];

	memset(t, 0, sizeof(*t));
	assert_int_equal(memimg_create(&t->img, base, size, 0, err, sizeof(err)), 0);
}

void testmem_free(struct testmem *t)
{
	memimg_free(&t->img);
}

void testmem_ops(struct testmem *t, struct mmu_mem_ops *ops)
{
	ops->read = tm_read;
	ops->write = tm_write;
	ops->ctx = t;
}

uint64_t tm_get64(struct testmem *t, uint64_t pa)
{
	uint64_t v = 0;

	assert_int_equal(memimg_read64(&t->img, pa, &v), 0);
	return v;
}

void tm_put64(struct testmem *t, uint64_t pa, uint64_t v)
{
	assert_int_equal(memimg_write64(&t->img, pa, v, 0xff), 0);
}

void tm_put32(struct testmem *t, uint64_t pa, uint32_t v)
{
	assert_int_equal(memimg_write64(&t->img, pa & ~7ULL, (uint64_t)v << ((pa & 4) * 8),
					(pa & 4) ? 0xf0 : 0x0f), 0);
}

uint32_t tm_get32(struct testmem *t, uint64_t pa)
{
	return (uint32_t)(tm_get64(t, pa & ~7ULL) >> ((pa & 4) * 8));
}

void test_read_batch(struct mmu_request *q, struct mmu_response *r, size_t n, uint32_t tag0)
{
	for (size_t k = 0; k < n; k++) {
		memset(&q[k], 0, sizeof(q[k]));
		q[k].tag = tag0 + (uint32_t)k;
		q[k].asid = 1;
		q[k].va = 0x1000 * k;
		q[k].access = MMU_ACCESS_R;
		q[k].priv = MMU_PRIV_U;
		r[k].tag = 0;
	}
}

void fx_new(struct fx *f, const struct mmu_config *c, uint64_t base, uint64_t size)
{
	struct mmu_mem_ops ops;

	f->c = *c;
	testmem_init(&f->t, base, size);
	testmem_ops(&f->t, &ops);
	assert_int_equal(mmu_model_new(c, &ops, &f->m), 0);
}

void fx_free(struct fx *f)
{
	mmu_model_free(f->m);
	testmem_free(&f->t);
}

struct mmu_response fx_tr(struct fx *f, unsigned asid, uint64_t va, unsigned access,
			  unsigned priv)
{
	struct mmu_request q = { .va = va, .asid = (uint16_t)asid, .access = (uint8_t)access,
				 .priv = (uint8_t)priv, .tag = 0x5a5a };
	struct mmu_response r;

	memset(&r, 0xee, sizeof(r));
	assert_int_equal(mmu_translate(f->m, &q, &r), 0);
	assert_int_equal(r.tag, 0x5a5a);
	return r;
}

uint32_t fx_cnt(struct fx *f, unsigned counter)
{
	struct mmu_counters c;

	mmu_read_counters(f->m, &c);
	return c.c[counter];
}

/*
 * dev.c - the devices behind struct dev_ops (see dev.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "dev.h"
#include "memimg.h"

/* ---- model: the C model over a buffer of page-table memory ---- */

struct model_dev {
	struct mmu_model *m;
	struct memimg mem;
};

static int model_translate(void *impl, const struct mmu_request *q, size_t n,
			   struct mmu_response *r)
{
	struct model_dev *md = impl;

	for (size_t i = 0; i < n; i++) {
		int rc = mmu_translate(md->m, &q[i], &r[i]);

		if (rc)
			return rc;
	}
	return 0;
}

static int model_invalidate(void *impl, unsigned kind, unsigned asid, uint64_t va)
{
	return mmu_invalidate(((struct model_dev *)impl)->m, kind, asid, va);
}

static int model_fence(void *impl)
{
	(void)impl; /* the model completes every call before it returns */
	return 0;
}

static int model_set_context(void *impl, unsigned asid, unsigned mode, uint64_t root)
{
	return mmu_set_context(((struct model_dev *)impl)->m, asid, mode, root);
}

static int model_set_policy(void *impl, const struct mmu_policy *p)
{
	return mmu_set_policy(((struct model_dev *)impl)->m, p);
}

static int model_mem_write(void *impl, uint64_t pa, const void *data, size_t n)
{
	struct model_dev *md = impl;

	if (!memimg_contains(&md->mem, pa, n))
		return MMU_E_RANGE;
	memcpy(md->mem.data + (pa - md->mem.base), data, n);
	return 0;
}

static int model_mem_read(void *impl, uint64_t pa, void *data, size_t n)
{
	struct model_dev *md = impl;

	if (!memimg_contains(&md->mem, pa, n))
		return MMU_E_RANGE;
	memcpy(data, md->mem.data + (pa - md->mem.base), n);
	return 0;
}

static int model_stats(void *impl, int clear, struct mmu_counters *c)
{
	struct model_dev *md = impl;

	if (c)
		mmu_read_counters(md->m, c);
	if (clear)
		mmu_clear_counters(md->m);
	return 0;
}

static void model_close(void *impl)
{
	struct model_dev *md = impl;

	mmu_model_free(md->m);
	memimg_free(&md->mem);
	free(md);
}

static const struct dev_ops model_ops = {
	model_translate, model_invalidate, model_fence, model_set_context, model_set_policy,
	model_mem_write, model_mem_read, model_stats, model_close,
};

static int open_model(struct dev *d, const struct mmu_config *cfg, uint64_t mem_bytes,
		      char *err, size_t errlen)
{
	struct mmu_config c;
	struct mmu_mem_ops ops;
	struct model_dev *md = calloc(1, sizeof(*md));
	int rc;

	if (!md) {
		snprintf(err, errlen, "out of memory");
		return MMU_E_NOMEM;
	}
	if (cfg)
		c = *cfg;
	else
		mmu_config_default(&c);
	if (mmu_config_resolve(&c)) {
		snprintf(err, errlen, "invalid model configuration");
		free(md);
		return MMU_E_INVAL;
	}
	rc = memimg_create(&md->mem, 0, mem_bytes ? mem_bytes : DEV_MODEL_MEM_BYTES, 0, err,
			   errlen);
	if (rc) {
		free(md);
		return rc;
	}
	memimg_ops(&md->mem, &ops);
	rc = mmu_model_new(&c, &ops, &md->m);
	if (rc) {
		snprintf(err, errlen, "model: %s", mmu_strerror(rc));
		memimg_free(&md->mem);
		free(md);
		return rc;
	}
	c = *mmu_model_config(md->m);
	d->ops = &model_ops;
	d->impl = md;
	d->info.name = "model";
	if (c.tb.levels)
		d->info.modes = 1u << MMU_MODE_TEXTBOOK;
	else
		d->info.modes = c.modes ? c.modes :
			(1u << MMU_MODE_SV32) | (1u << MMU_MODE_SV39) | (1u << MMU_MODE_SV48) |
			(1u << MMU_MODE_X86_64);
	d->info.sets = c.tlb_sets;
	d->info.ways = c.tlb_ways;
	d->info.sp_n = c.sp_entries;
	d->info.pwc_n = c.pwc_entries;
	d->info.asid_bits = c.asid_bits;
	d->info.pa_bits = c.pa_bits;
	d->info.max_batch = 64;
	d->info.mem_base = md->mem.base;
	d->info.mem_bytes = md->mem.size;
	d->info.tb = c.tb;
	return 0;
}

/* ---- a board over the link protocol: the virtual board (sim) or one on USB ---- */

static int board_dev_translate(void *impl, const struct mmu_request *q, size_t n,
			 struct mmu_response *r)
{
	return board_translate(impl, q, n, r);
}

static int board_dev_invalidate(void *impl, unsigned kind, unsigned asid, uint64_t va)
{
	return board_invalidate(impl, kind, asid, va);
}

static int board_dev_fence(void *impl)
{
	return board_fence(impl);
}

static int board_dev_set_context(void *impl, unsigned asid, unsigned mode, uint64_t root)
{
	return board_set_context(impl, asid, mode, root);
}

static int board_dev_set_policy(void *impl, const struct mmu_policy *p)
{
	struct mmu_policy np = *p;
	unsigned pa = board_get_info(impl)->pa_bits;

	/* maxphy 0 means "the maximum" to the model; the board's CSR holds
	 * the number itself */
	if (!np.maxphy)
		np.maxphy = (uint8_t)(pa < 52 ? pa : 52);
	return board_set_policy(impl, mmu_policy_word(&np));
}

static int board_dev_mem_write(void *impl, uint64_t pa, const void *data, size_t n)
{
	if (pa > UINT32_MAX)
		return MMU_E_RANGE;
	return board_mem_write(impl, (uint32_t)pa, data, n);
}

static int board_dev_mem_read(void *impl, uint64_t pa, void *data, size_t n)
{
	if (pa > UINT32_MAX)
		return MMU_E_RANGE;
	return board_mem_read(impl, (uint32_t)pa, data, n);
}

static int board_dev_stats(void *impl, int clear, struct mmu_counters *c)
{
	return board_stats(impl, clear, c ? c->c : NULL, NULL);
}

static void board_dev_close(void *impl)
{
	board_close(impl);
}

static const struct dev_ops board_dev_ops = {
	board_dev_translate, board_dev_invalidate, board_dev_fence, board_dev_set_context,
	board_dev_set_policy, board_dev_mem_write, board_dev_mem_read, board_dev_stats,
	board_dev_close,
};

/* A board over the link: the virtual board ("sim[:PATH]") or one on USB. */
static int open_board(struct dev *d, const char *spec, char *err, size_t errlen)
{
	struct board *b;
	const struct board_info *i;
	int rc = board_open(&b, spec, err, errlen);

	if (rc)
		return rc;
	i = board_get_info(b);
	d->ops = &board_dev_ops;
	d->impl = b;
	d->info.name = board_kind(spec);
	d->info.modes = i->modes;
	d->info.sets = i->sets;
	d->info.ways = i->ways;
	d->info.sp_n = i->sp_n;
	d->info.pwc_n = i->pwc_n;
	d->info.asid_bits = i->asid_bits;
	d->info.pa_bits = i->pa_bits;
	d->info.max_batch = i->max_batch;
	d->info.mem_base = 0;
	d->info.mem_bytes = i->mem_bytes;
	return 0;
}

/* ---- the table ---- */

const char *dev_strerror(int rc)
{
	return board_strerror(rc);
}

int dev_open(struct dev **out, const char *spec, const struct mmu_config *cfg,
	     uint64_t mem_bytes, char *err, size_t errlen)
{
	struct dev *d;
	int rc;

	*out = NULL;
	if (strcmp(spec, "model") && !board_kind(spec)) {
		snprintf(err, errlen, "unknown device '%s' (model, sim[:PATH], usb[:VID:PID])",
			 spec);
		return MMU_E_INVAL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return MMU_E_NOMEM;
	}
	if (!strcmp(spec, "model"))
		rc = open_model(d, cfg, mem_bytes, err, errlen);
	else
		rc = open_board(d, spec, err, errlen);
	if (rc) {
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

void dev_close(struct dev *d)
{
	if (!d)
		return;
	d->ops->close(d->impl);
	free(d);
}

struct mmu_model *dev_model(struct dev *d)
{
	return d->ops == &model_ops ? ((struct model_dev *)d->impl)->m : NULL;
}

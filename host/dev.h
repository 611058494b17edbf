/*
 * dev.h - one interface to every device that translates: the C model
 * in-process (`model`), the virtual board (`sim`), and later a board over USB
 * (`usb`).  Each sits behind the same operations table, so the OS layer,
 * mmuctl and the tests drive them all the same way.
 *
 * Every device has page-table memory at PA [mem_base, mem_base + mem_bytes):
 * the board's SPRAM, or a buffer of the same size beside the model.  Calls
 * return 0 or a negative MMU_E_* / BOARD_E_* code (dev_strerror names it).
 */
#ifndef DEV_H
#define DEV_H

#include <stddef.h>
#include <stdint.h>

#include "mmu_model.h"

/* What the device is built with. */
struct dev_info {
	const char *name;       /* "model", "sim" */
	unsigned modes;         /* bit m = mode m built in */
	unsigned sets, ways, sp_n, pwc_n, asid_bits, pa_bits;
	unsigned max_batch;     /* translations per device call that travel together */
	uint64_t mem_base, mem_bytes;
	struct mmu_textbook tb; /* the textbook geometry (model only; levels 0 = none) */
};

struct dev_ops {
	int (*translate)(void *impl, const struct mmu_request *q, size_t n, struct mmu_response *r);
	int (*invalidate)(void *impl, unsigned kind, unsigned asid, uint64_t va);
	int (*fence)(void *impl);
	int (*set_context)(void *impl, unsigned asid, unsigned mode, uint64_t root);
	int (*set_policy)(void *impl, const struct mmu_policy *p);
	int (*mem_write)(void *impl, uint64_t pa, const void *data, size_t n);
	int (*mem_read)(void *impl, uint64_t pa, void *data, size_t n);
	int (*stats)(void *impl, int clear, struct mmu_counters *c);
	void (*close)(void *impl);
};

struct dev {
	const struct dev_ops *ops;
	void *impl;
	struct dev_info info;
};

/* Default page-table memory of the model device: the iCEBreaker's SPRAM. */
#define DEV_MODEL_MEM_BYTES (128u * 1024u)

/*
 * Open a device: "model" (cfg, or the default configuration if NULL, with
 * mem_bytes of page-table memory at PA 0; 0 = DEV_MODEL_MEM_BYTES), "sim" or
 * "sim:PATH" (the virtual board program; default $MMU_VBOARD or mmu-vboard
 * next to this program).  "usb[:VID:PID]" answers MMU_E_UNSUPPORTED.  On
 * failure *err says why.
 */
int dev_open(struct dev **out, const char *spec, const struct mmu_config *cfg,
	     uint64_t mem_bytes, char *err, size_t errlen);
void dev_close(struct dev *d);
const char *dev_strerror(int rc);

/* The model behind a model device (NULL for the others): for inspection. */
struct mmu_model *dev_model(struct dev *d);

static inline int dev_translate(struct dev *d, const struct mmu_request *q, size_t n,
				struct mmu_response *r)
{
	return d->ops->translate(d->impl, q, n, r);
}
static inline int dev_invalidate(struct dev *d, unsigned kind, unsigned asid, uint64_t va)
{
	return d->ops->invalidate(d->impl, kind, asid, va);
}
static inline int dev_fence(struct dev *d)
{
	return d->ops->fence(d->impl);
}
static inline int dev_set_context(struct dev *d, unsigned asid, unsigned mode, uint64_t root)
{
	return d->ops->set_context(d->impl, asid, mode, root);
}
static inline int dev_set_policy(struct dev *d, const struct mmu_policy *p)
{
	return d->ops->set_policy(d->impl, p);
}
static inline int dev_mem_write(struct dev *d, uint64_t pa, const void *data, size_t n)
{
	return d->ops->mem_write(d->impl, pa, data, n);
}
static inline int dev_mem_read(struct dev *d, uint64_t pa, void *data, size_t n)
{
	return d->ops->mem_read(d->impl, pa, data, n);
}
static inline int dev_stats(struct dev *d, int clear, struct mmu_counters *c)
{
	return d->ops->stats(d->impl, clear, c);
}

#endif

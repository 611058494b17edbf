/*
 * memimg.h - a physical-memory image: a raw little-endian file of memory
 * starting at a base address, held in RAM, served to the model through
 * struct mmu_mem_ops, and written back atomically.
 *
 * Contract: reads and writes are 64-bit at 8-byte aligned addresses; any word
 * not wholly inside [base, base + size) is a bus error (callback returns -1).
 * The in-memory copy is padded to a multiple of 8 bytes; a write into the
 * padding extends what memimg_save writes, so nothing written is lost.
 * Functions return 0 or a negative MMU_E_* and put a readable reason in err.
 */
#ifndef MEMIMG_H
#define MEMIMG_H

#include <stddef.h>
#include <stdint.h>

#include "mmu_model.h"

#define MEMIMG_MAX_SIZE (1ULL << 30)

struct memimg {
	uint8_t *data;
	uint64_t base;
	uint64_t size;      /* bytes held, a multiple of 8 */
	uint64_t used;      /* bytes that memimg_save writes */
	int growable;       /* memimg_reserve may enlarge the image */
};

int memimg_create(struct memimg *img, uint64_t base, uint64_t size, int growable,
		  char *err, size_t errlen);
int memimg_load(struct memimg *img, const char *path, uint64_t base, char *err, size_t errlen);
/* Write the image to path through a temporary file and rename. */
int memimg_save(const struct memimg *img, const char *path, char *err, size_t errlen);
void memimg_free(struct memimg *img);
/* Make [base, end) part of the image (growable images only past the end). */
int memimg_reserve(struct memimg *img, uint64_t end, char *err, size_t errlen);
int memimg_contains(const struct memimg *img, uint64_t pa, uint64_t len);
void memimg_ops(struct memimg *img, struct mmu_mem_ops *ops);
int memimg_read64(void *ctx, uint64_t pa, uint64_t *data);
int memimg_write64(void *ctx, uint64_t pa, uint64_t data, uint8_t sel);

#endif

/*
 * mkpt.h - build page tables in a memory image from readable mappings.
 *
 * Tables are allocated from `next` upward, one page-aligned table at a time
 * (a table of 2^idx PTEs, rounded up to whole pages), zero-filled.  Pointer
 * entries are RISC-V V=1 only, or x86 P|R/W|U/S (the leaf decides); leaves get
 * exactly the requested permissions.  Overlapping mappings are refused.
 */
#ifndef MKPT_H
#define MKPT_H

#include <stddef.h>
#include <stdint.h>

#include "memimg.h"
#include "pte.h"
#include "mmu_model.h"


struct mkpt {
	struct memimg *img;
	struct mmu_geometry g;
	uint64_t root;
	uint64_t next;      /* where the next table goes */
	unsigned tables;    /* tables allocated so far, the root included */
	int nxe;            /* x86: a leaf without x gets XD=1 */
};

/* Start a page table for mode: allocate the root at `root` (page aligned,
 * inside the image or growable).  Tables go from max(root + root size, next). */
int mkpt_init(struct mkpt *pt, struct memimg *img, const struct mmu_config *cfg, unsigned mode,
	      unsigned maxphy, uint64_t root, int nxe, char *err, size_t errlen);
/* Map one page of 2^page_shift bytes. */
int mkpt_map(struct mkpt *pt, uint64_t va, uint64_t pa, unsigned page_shift, unsigned perm,
	     char *err, size_t errlen);
/* Parse "rwxugad" (or "-" for none) into PTE_* bits; -1 if malformed. */
int mkpt_parse_perm(const char *s);
/* Bytes of one table at level (0 = last level), rounded to whole pages. */
uint64_t mkpt_table_bytes(const struct mmu_geometry *g, unsigned level);

#endif

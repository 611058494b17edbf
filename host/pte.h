/*
 * pte.h - page-table entries of every mode, built and taken apart: the one
 * place the host encodes PTEs (mkpt and the OS layer both use it).
 *
 * Permissions are the letters "rwxugad" as a bit mask (PTE_*).  RISC-V-style
 * modes (Sv32, Sv39, Sv48, textbook) put V R W X U G A D at bits 0..7 and the
 * PPN from bit 10; x86-64 uses P, R/W, U/S, A, D, PS, G and XD.
 */
#ifndef PTE_H
#define PTE_H

#include <stdint.h>

#include "memimg.h"
#include "mmu_model.h"

enum pte_perm {
	PTE_R = 1, PTE_W = 2, PTE_X = 4, PTE_U = 8, PTE_G = 16, PTE_A = 32, PTE_D = 64,
};

/* What an entry is at a level. */
enum pte_kind { PTE_ABSENT = -1, PTE_LEAF = 0, PTE_POINTER = 1 };

/* A leaf mapping pa at level (0 = last) with perm; nxe (x86): no x gives XD=1. */
uint64_t pte_leaf(const struct mmu_geometry *g, unsigned level, uint64_t pa, unsigned perm,
		  int nxe);
/* A pointer to the next table (RISC-V V only; x86 P|R/W|U/S: the leaf decides). */
uint64_t pte_pointer(const struct mmu_geometry *g, uint64_t table);
/* Absent, leaf or pointer; *addr receives the next table or the leaf's PA. */
int pte_decode(const struct mmu_geometry *g, uint64_t pte, unsigned level, uint64_t *addr);
/* The permission letters of a present leaf (x86: r always, x unless XD). */
unsigned pte_perm(const struct mmu_geometry *g, uint64_t pte);
/* The A and D bits of a leaf as PTE_A | PTE_D, and a mask that selects them. */
uint64_t pte_ad_bits(const struct mmu_geometry *g, unsigned ad);
/* Index of va's entry in the table at level. */
uint64_t pte_index(const struct mmu_geometry *g, uint64_t va, unsigned level);

/* One PTE (4 or 8 bytes) at pa in an image: 0, or -1 outside it. */
int pte_get(const struct memimg *img, const struct mmu_geometry *g, uint64_t pa, uint64_t *pte);
int pte_put(struct memimg *img, const struct mmu_geometry *g, uint64_t pa, uint64_t pte);

#endif

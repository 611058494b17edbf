/*
 * ptgen.h - seeded random page tables and requests, for the differential
 * model test and the RTL co-simulation.
 *
 * A generator builds random trees (one per address space) full of junk:
 * missing entries, reserved bits, W-without-R, misaligned superpages,
 * pointers with A/D/U set, XD without NXE, addresses beyond the PA width.
 * It records which VA reaches each PTE, so requests go where the tables are
 * (leaves of every level, pointers to tables outside memory), and a change
 * to one PTE can be paired with the invalidation that software owes for it.  PTEs are written through a callback (to one memory or several).
 * Deterministic for a seed.
 */
#ifndef PTGEN_H
#define PTGEN_H

#include <stdint.h>

#include "mmu_model.h"

#define PTGEN_MAX_SLOTS 4096

struct ptgen_slot {
	uint64_t pa;       /* PTE address */
	uint64_t va;       /* a VA whose walk reads this PTE */
	unsigned level;
	unsigned asid;
	int leaf;          /* holds a present leaf (when last written) */
	int outside;       /* holds a pointer to a table outside memory */
};

struct ptgen {
	uint64_t rng;
	struct mmu_geometry g;
	unsigned mode, nasid, global_ok;
	uint64_t next_table, limit, table_bytes;
	struct ptgen_slot slots[PTGEN_MAX_SLOTS];
	unsigned nslots;
	unsigned leaves[PTGEN_MAX_SLOTS];
	unsigned nleaves;
	unsigned outs[256];    /* slots that were given an outside pointer */
	unsigned nouts;
	int made_outside;      /* random_pte -> set_slot */
	unsigned outside_root; /* requests may go to ASID 0, whose root the caller
				* put outside memory (ptgen_outside) */
	struct mmu_request recent[8];
	unsigned nreq;
	void (*put)(void *ctx, uint64_t pa, uint64_t pte, unsigned bytes);
	void *put_ctx;
};

/* splitmix64: the next number of the sequence whose state is *state */
uint64_t ptgen_splitmix(uint64_t *state);
uint64_t ptgen_rand(struct ptgen *p);
/* 1 with probability pct percent. */
unsigned ptgen_pct(struct ptgen *p, unsigned pct);

/* Tables go in [first_table, limit); nasid address spaces (ASIDs 1..nasid);
 * global bits only when global_ok (set: one address space; a caller may set
 * it for several). */
void ptgen_init(struct ptgen *p, uint64_t seed, unsigned mode, const struct mmu_geometry *g,
		unsigned nasid, uint64_t first_table, uint64_t limit,
		void (*put)(void *ctx, uint64_t pa, uint64_t pte, unsigned bytes), void *put_ctx);
/* Allocate and fill the tree of ASID asid; 0 or -1 when memory is full. */
int ptgen_new_tree(struct ptgen *p, unsigned asid, uint64_t *root);
/* The next request: into the tables mostly, with locality, sometimes junk. */
void ptgen_request(struct ptgen *p, struct mmu_request *q);
/* Change one PTE and say which invalidation software owes for it. */
void ptgen_mutate(struct ptgen *p, unsigned *kind, unsigned *asid, uint64_t *va);
/* An address outside memory (above limit) but inside the PA width: a table
 * there ends its walk in a bus error. */
uint64_t ptgen_outside(struct ptgen *p);
/* The VA made canonical for the mode (sign-extended where the mode is). */
uint64_t ptgen_canonical(const struct ptgen *p, uint64_t va);

#endif

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

#include <stddef.h>
#include <stdint.h>

#include "mmu_model.h"

#define PTGEN_MAX_SLOTS 4096
#define PTGEN_MAX_PAGES 4096

/* Where the requests go (cosim --locality).  MIX, the default, is the
 * blend of ptgen_request: leaves of every level, pointers to tables outside
 * memory, recent requests again, junk.  The others draw pages from the
 * leaves the tables held when the list was last made (ptgen_make_pages:
 * cosim makes it again after every PTE change), a base page each, up to 16
 * of each superpage, in (ASID, VA) order:
 *   STRIDE  a cursor through those pages laid end to end, advanced by
 *           stride bytes a request (sequential is a stride of 8);
 *   RANDOM  a page uniformly, a random 8-byte-aligned offset in it;
 *   ZIPF    a page by Zipf's law of exponent s over a ranking of the
 *           pages by a seeded hash of their address (rank k drawn with
 *           weight 1/k^s), a random offset.
 * With a probe (ptgen_make_pages), only pages where some access at some
 * privilege translates are kept, and nine requests in ten use such an
 * access and privilege; the tenth, and all without a probe, a random one.
 * With two address spaces, 4% of the requests go to the same VA in the
 * other one (a global entry of the first answers there).  1% of the
 * requests get a random VA (mostly non-canonical) and 1% an address space
 * with no context; PTE changes and invalidations go on as in the mix. */
enum ptgen_loc_kind { PTGEN_LOC_MIX, PTGEN_LOC_STRIDE, PTGEN_LOC_RANDOM, PTGEN_LOC_ZIPF };
struct ptgen_locality {
	unsigned kind;       /* enum ptgen_loc_kind */
	uint64_t stride;     /* STRIDE: bytes from one request to the next */
	double s;            /* ZIPF: the exponent */
};

struct ptgen_page {
	uint64_t va;
	unsigned asid;
	uint8_t ok;        /* bit access*2+priv: that access at that privilege
			    * translates (ptgen_make_pages) */
};

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
	struct ptgen_locality loc;     /* set after ptgen_init; zero is MIX */
	int dense;                     /* set after ptgen_init: dense tables */
	int pages_made;
	unsigned npages;
	struct ptgen_page pages[PTGEN_MAX_PAGES];
	double zipf_cdf[PTGEN_MAX_PAGES]; /* by rank, the last 1 */
	struct ptgen_rank {
		uint64_t key;
		uint32_t page;
	} zipf_rank[PTGEN_MAX_PAGES];  /* by rank: the page */
	uint64_t zipf_salt;            /* of the ranking hash */
	uint64_t cursor;               /* STRIDE: the byte offset reached */
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
/* Allocate and fill the tree of ASID asid; 0 or -1 when memory is full.
 * Sparse tables (the default) hold 1-3 entries at random indices; dense
 * ones (p->dense) 2-4 at consecutive indices above the last level and
 * 32-96 consecutive ones in last-level tables (as many as fit), so a
 * stride through the pages finds neighbours mapped. */
int ptgen_new_tree(struct ptgen *p, unsigned asid, uint64_t *root);
/* The next request: into the tables mostly, with locality, sometimes junk. */
void ptgen_request(struct ptgen *p, struct mmu_request *q);
/* Parse a locality: "mix", "seq" (a stride of 8), "stride:BYTES" (1 to
 * 2^40, decimal or 0x hex), "random", "zipf" (s = 1) or "zipf:S" (0 < S
 * <= 8).  0, or -1 with a reason in err. */
int ptgen_locality_parse(const char *spec, struct ptgen_locality *out, char *err, size_t errlen);
/* Make (again) the pages the non-MIX localities draw from, from the
 * leaves the tables hold now: probe(ctx, asid, va, access, priv) says
 * whether that translation succeeds (on a model the stimulus does not
 * disturb; asked for each leaf's first page, which answers for the
 * leaf); NULL keeps every page, any access.  Without a call before, made
 * at the first request without a probe.  Returns the count. */
typedef int (*ptgen_probe_fn)(void *ctx, unsigned asid, uint64_t va, unsigned access, unsigned priv);
unsigned ptgen_make_pages(struct ptgen *p, ptgen_probe_fn probe, void *ctx);
/* Change one PTE and say which invalidation software owes for it. */
void ptgen_mutate(struct ptgen *p, unsigned *kind, unsigned *asid, uint64_t *va);
/* An address outside memory (above limit) but inside the PA width: a table
 * there ends its walk in a bus error. */
uint64_t ptgen_outside(struct ptgen *p);
/* The VA made canonical for the mode (sign-extended where the mode is). */
uint64_t ptgen_canonical(const struct ptgen *p, uint64_t va);

#endif

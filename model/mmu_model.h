/*
 * mmu_model.h - bit-accurate C reference model of the MMU (the executable
 * specification).  docs/spec-translation.md, docs/spec-tlb.md and
 * docs/spec-faults.md say in prose what this code does; where they disagree,
 * one of them is a bug.
 *
 * Contract:
 *  - No global state: everything lives in a struct mmu_model.  Deterministic:
 *    the same configuration, memory and call sequence give the same responses,
 *    memory writes, TLB contents and counters.
 *  - Physical memory is reached only through struct mmu_mem_ops, 64 bits at a
 *    time at 8-byte aligned addresses, writes with a byte-select mask, exactly as
 *    the RTL's Wishbone port does.  A callback returning non-zero is a bus error.
 *  - Every function returns 0 (or a count) on success and a negative MMU_E_*
 *    on error; mmu_strerror() names each error.  A translation fault is not an
 *    error: it is a response with a non-zero cause.
 *  - mmu_invalidate() may be called from inside a memory callback: that is how
 *    a harness says "this invalidation arrived while the walk was in flight".
 *    The walk then completes and answers, but fills nothing (docs/spec-tlb.md).
 */
#ifndef MMU_MODEL_H
#define MMU_MODEL_H

#include <stdint.h>

#include "mmu_constants.h"

/* Errors (0 = success). */
enum mmu_err {
	MMU_OK = 0,
	MMU_E_INVAL = -1,     /* an argument or configuration is invalid */
	MMU_E_NOMEM = -2,     /* out of memory */
	MMU_E_RANGE = -3,     /* an index or address is out of range */
	MMU_E_BUSY = -4,      /* re-entered: translate called from a callback */
	MMU_E_IO = -5,        /* a file could not be read or written */
	MMU_E_FORMAT = -6,    /* malformed input (file, line, argument) */
	MMU_E_UNSUPPORTED = -7, /* not available in this build or on this device */
};

const char *mmu_strerror(int err);

#define MMU_MAX_LEVELS 4

/* Build-time geometry (RTL parameters).  Start from mmu_config_default(). */
struct mmu_config {
	unsigned tlb_sets;    /* base-page array sets, power of 2, 1..65536 (default 64) */
	unsigned tlb_ways;    /* ways, power of 2, 1..16 (default 4) */
	unsigned sp_entries;  /* superpage array entries, power of 2 or 0, <=16 (default 8) */
	unsigned pwc_entries; /* page-walk-cache entries, power of 2 or 0, <=16 (default 8) */
	unsigned asid_bits;   /* ASID width, 1..16 (default 8) */
	unsigned pa_bits;     /* implemented physical address width, 32..56 (textbook: 8..56; default 56) */
	/*
	 * Modes built in: bit m set = mode m (MMU_MODE_*) may be set in a context.
	 * 0 = every mode of the machine's kind.  The TLB's VPN width follows the
	 * widest mode built (Sv32 20 bits, Sv39 27, Sv48/x86-64 36).
	 */
	unsigned modes;
	/*
	 * Textbook machine: if tb.levels != 0, the MMU is a textbook machine and
	 * only MMU_MODE_TEXTBOOK contexts may be set; otherwise the standard modes
	 * (Sv32, Sv39, Sv48, x86-64) may be mixed.
	 */
	struct mmu_textbook {
		unsigned va_bits;   /* virtual address width, page_bits+1 .. 48 */
		unsigned pa_bits;   /* physical address width, page_bits+1 .. pa_bits above */
		unsigned page_bits; /* log2 page size, 4..16 */
		unsigned levels;    /* 1..4; 0 = not a textbook machine */
		unsigned idx_bits[MMU_MAX_LEVELS]; /* index bits per level, [0] = root */
		unsigned pte_bytes; /* 4 or 8; 0 = 4 if the PTE fits, else 8 */
	} tb;
};

/* Run-time policy bits (CSRs), global to the MMU. */
struct mmu_policy {
	uint8_t sum;      /* RISC-V mstatus.SUM */
	uint8_t mxr;      /* RISC-V mstatus.MXR */
	uint8_t ad_fault; /* RISC-V/textbook: 1 = Svade (fault), 0 = Svadu (hardware update) */
	uint8_t wp;       /* x86 CR0.WP */
	uint8_t nxe;      /* x86 EFER.NXE */
	uint8_t smep;     /* x86 CR4.SMEP */
	uint8_t smap;     /* x86 CR4.SMAP (with EFLAGS.AC = 0) */
	uint8_t maxphy;   /* x86 MAXPHYADDR, 32..min(52, pa_bits); 0 = that maximum */
};

struct mmu_mem_ops {
	/* Read the 64-bit little-endian word at pa (8-byte aligned). */
	int (*read)(void *ctx, uint64_t pa, uint64_t *data);
	/* Write the bytes of data selected by sel (bit i = byte i) at pa. */
	int (*write)(void *ctx, uint64_t pa, uint64_t data, uint8_t sel);
	void *ctx;
};

struct mmu_request {
	uint64_t va;
	uint32_t tag;    /* opaque, copied to the response */
	uint16_t asid;
	uint8_t access;  /* MMU_ACCESS_R/W/X */
	uint8_t priv;    /* MMU_PRIV_U/S */
};

struct mmu_response {
	uint64_t pa;        /* on success */
	uint32_t tag;
	uint8_t cause;      /* MMU_CAUSE_OK on success */
	uint8_t level;      /* leaf level, faulting PTE level, or MMU_LEVEL_NONE */
	uint8_t perm;       /* on success: MMU_PERM_* bits as a mask */
	uint8_t page_shift; /* on success: log2 of the page size */
	uint8_t hit;        /* answered from the TLB without a walk */
	uint8_t exc;        /* fault: RISC-V cause or x86 vector; 0 = none */
	uint16_t err;       /* fault: x86 error code (#PF), 0 otherwise */
};

/* A TLB, superpage or page-walk-cache entry, for inspection. */
struct mmu_entry {
	uint64_t vpn;    /* base-page VPN of the entry's first page (VA >> page_bits) */
	uint64_t ppn;    /* TLB: page frame; PWC: next table's frame */
	uint16_t asid;
	uint8_t valid;
	uint8_t level;   /* leaf level (TLB) or level of the cached PTE (PWC) */
	uint8_t page_shift; /* log2 of the VA span the entry covers */
	uint8_t perm;    /* MMU_PERM_* mask; PWC: accumulated x86 R/W, U/S, !XD and G */
};

struct mmu_counters {
	uint32_t c[MMU_CNT_COUNT];
};

struct mmu_model;

/* The default configuration: 64x4 TLB, 8 superpage and 8 PWC entries,
 * 8-bit ASIDs, 56-bit PA, standard modes. */
void mmu_config_default(struct mmu_config *cfg);
/* Check *cfg and fill what is derived (tb.pte_bytes 0 -> 4 or 8, tb.pa_bits
 * 0 -> pa_bits): 0 or MMU_E_INVAL. */
int mmu_config_resolve(struct mmu_config *cfg);

int mmu_model_new(const struct mmu_config *cfg, const struct mmu_mem_ops *mem,
		  struct mmu_model **out);
void mmu_model_free(struct mmu_model *m);
/* The resolved configuration. */
const struct mmu_config *mmu_model_config(const struct mmu_model *m);

/* Set context asid to (mode, root PA).  Does not invalidate anything. */
int mmu_set_context(struct mmu_model *m, unsigned asid, unsigned mode, uint64_t root);
int mmu_get_context(const struct mmu_model *m, unsigned asid, unsigned *mode, uint64_t *root);
int mmu_set_policy(struct mmu_model *m, const struct mmu_policy *p);
/* The policy as the POLICY word of the RTL's control port and of the link's
 * CSR POLICY (constants MMU_POLICY_*), and back. */
uint64_t mmu_policy_word(const struct mmu_policy *p);
void mmu_policy_from_word(uint64_t w, struct mmu_policy *p);
void mmu_get_policy(const struct mmu_model *m, struct mmu_policy *p);

/* Translate one request.  0 (the answer is in *resp, fault or not) or an error. */
int mmu_translate(struct mmu_model *m, const struct mmu_request *req, struct mmu_response *resp);

/* Invalidate (kind MMU_INVAL_*); asid and va are ignored where the kind has none. */
int mmu_invalidate(struct mmu_model *m, unsigned kind, unsigned asid, uint64_t va);

/* Inspection. */
void mmu_read_counters(const struct mmu_model *m, struct mmu_counters *c);
void mmu_clear_counters(struct mmu_model *m);
int mmu_tlb_entry(const struct mmu_model *m, unsigned set, unsigned way, struct mmu_entry *e);
int mmu_sp_entry(const struct mmu_model *m, unsigned i, struct mmu_entry *e);
int mmu_pwc_entry(const struct mmu_model *m, unsigned i, struct mmu_entry *e);
/* Tree-PLRU bits: array 0 = base set `set`, 1 = superpage array, 2 = PWC. */
int mmu_plru_bits(const struct mmu_model *m, unsigned array, unsigned set, uint32_t *bits);

/* Address geometry of a mode, for tools and teaching. */
struct mmu_geometry {
	unsigned va_bits, pa_bits, page_bits, levels, pte_bytes;
	unsigned idx_bits[MMU_MAX_LEVELS]; /* [L] = level L; level 0 is the last */
	unsigned sign_extended;            /* VA must be sign-extended from va_bits-1 */
	unsigned x86;                      /* x86-64 PTE format (else RISC-V style) */
	unsigned set_bits;                 /* TLBI width */
	unsigned tag_bits;                 /* TLBT width: VPN bits - set_bits */
};
int mmu_mode_geometry(const struct mmu_model *m, unsigned mode, struct mmu_geometry *g);
/* The same from a configuration alone (x86: maxphy 0 = the default). */
int mmu_config_geometry(const struct mmu_config *cfg, unsigned mode, unsigned maxphy,
			struct mmu_geometry *g);
/* log2 of the size of a page mapped by a leaf at level (0 = last level). */
unsigned mmu_level_shift(const struct mmu_geometry *g, unsigned level);

/* "rwxugd" with '-' for clear bits; buf must hold 7 bytes. */
const char *mmu_perm_string(unsigned perm, char *buf);

#endif

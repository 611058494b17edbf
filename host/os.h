/*
 * os.h - an operating system's memory manager on the host, over any device
 * (dev.h): address spaces, VMAs, demand paging, copy-on-write, swap, and the
 * fault handler that the seed documents describe.  docs/os.md says what it
 * does and in which order.
 *
 * Where things live:
 *  - Page tables: in the device's page-table memory, allocated page by page;
 *    the host keeps a shadow copy and writes every change to the device.
 *    Hardware A/D updates land only on the device, so A and D are always read
 *    from there.
 *  - Data frames: on the host (a buffer of `frames` pages).  Frame f has the
 *    physical address data_base + f * page; the MMU only produces these
 *    addresses, it never reads them.
 *  - Swap: a file of `swap_slots` pages.
 *
 * Every change to a present mapping is: write the PTE, invalidate it on the
 * device, fence; only then is the old frame reused.
 *
 * Calls return 0 (or a value) or a negative code: MMU_OS_E_* below, MMU_E_*,
 * or the device's BOARD_E_*; mmu_os_strerror names each.  A segmentation or
 * protection fault is MMU_OS_E_SEGV / MMU_OS_E_PROT: the access did not
 * happen and nothing changed.  No global state.
 */
#ifndef OS_H
#define OS_H

#include <stddef.h>
#include <stdint.h>

#include "dev.h"

enum {
	MMU_OS_E_SEGV = -200,    /* no VMA covers the address (SIGSEGV, SEGV_MAPERR) */
	MMU_OS_E_PROT = -201,    /* the VMA forbids this access (SIGSEGV, SEGV_ACCERR) */
	MMU_OS_E_OOM = -202,     /* no frame, no swap slot or no page-table memory left */
	MMU_OS_E_CORRUPT = -203, /* the device reported a fault the page tables cannot cause */
	MMU_OS_E_LOOP = -204,    /* the same access kept faulting after its PTE was fixed */
	MMU_OS_E_NOPROC = -205,  /* no such process, or no ASID left */
};

/* Protection of a mapping, and mmap flags. */
enum { MMU_PROT_R = 1, MMU_PROT_W = 2, MMU_PROT_X = 4 };
enum { MMU_MAP_SHARED = 1, MMU_MAP_FIXED = 2 };

/* Fault kinds the handler counts (mmu_os_fault_name names them). */
enum mmu_os_fault {
	MMU_FAULT_SEGV,      /* no VMA */
	MMU_FAULT_PROT,      /* VMA forbids the access */
	MMU_FAULT_ZERO,      /* demand paging: a zero-filled frame */
	MMU_FAULT_FILE,      /* demand paging: a page read from (or shared with) a file */
	MMU_FAULT_SWAPIN,    /* demand paging: a page read back from swap */
	MMU_FAULT_COW_COPY,  /* a write to a shared private frame: copied */
	MMU_FAULT_COW_REUSE, /* a write to a private frame no one else maps: made writable */
	MMU_FAULT_AD,        /* A/D bits set by the handler (Svade, fault policy) */
	MMU_FAULT_COUNT
};

struct mmu_os_config {
	unsigned mode;         /* MMU_MODE_*: must be built into the device */
	unsigned frames;       /* data frames on the host, >= 4 */
	unsigned swap_slots;   /* swap file size in pages */
	const char *swap_path; /* NULL: an unnamed temporary file */
	int ad_fault;          /* RISC-V/textbook: 1 = Svade (A/D faults), 0 = hardware */
};

struct mmu_os_stats {
	uint64_t accesses;     /* mmu_vm_* accesses asked for (one per page touched) */
	uint64_t translations; /* requests sent to the device, retries included */
	uint64_t hits;         /* answered from the TLB */
	uint64_t faults[MMU_FAULT_COUNT];
	uint64_t evictions;    /* frames taken back by the clock algorithm */
	uint64_t swap_out, swap_in;      /* pages written to and read from swap */
	uint64_t file_in, file_out;      /* pages read from and written back to files */
	uint64_t ref_cleared;  /* accessed bits cleared by the clock hand */
	uint64_t invalidations, fences;
	uint64_t pte_writes;   /* PTEs written to the device */
	unsigned frames_used, frames_total, swap_used, swap_total, tables_used, tables_total;
};

/* One VMA, for mmu_os_vma (maps). */
struct mmu_vma_info {
	uint64_t start, end, offset;
	unsigned prot, flags;
	int anon;              /* anonymous (else file-backed) */
	int heap;              /* the brk area */
	unsigned long dev, ino; /* the file's, if file-backed */
};

/* A leaf or swap entry, for mmu_os_walk (pt). */
struct mmu_pt_entry {
	uint64_t va, pte, pte_pa, pa;
	unsigned level;        /* 0 = last level */
	int present;           /* else a swap entry: slot in `slot` */
	unsigned slot;
};

struct mmu_os;

int mmu_os_new(struct mmu_os **out, struct dev *dev, const struct mmu_os_config *cfg,
	       char *err, size_t errlen);
/* Ends every process (their frames, tables and swap) and closes the swap file.
 * The device stays open. */
void mmu_os_free(struct mmu_os *os);
const char *mmu_os_strerror(int rc);
const char *mmu_os_fault_name(unsigned kind);

/* Processes: each has its own ASID and root table.  Return the pid (>= 0). */
int mmu_os_spawn(struct mmu_os *os);
int mmu_os_fork(struct mmu_os *os, int pid);
/* Replace the address space with an empty one (same pid and ASID). */
int mmu_os_exec(struct mmu_os *os, int pid);
int mmu_os_exit(struct mmu_os *os, int pid);

/* mmap: fd < 0 is anonymous; a file is referenced by the OS until unmapped.
 * addr 0 (without MMU_MAP_FIXED): the OS chooses.  Lengths round up to pages. */
int mmu_os_mmap(struct mmu_os *os, int pid, uint64_t addr, uint64_t len, unsigned prot,
		unsigned flags, int fd, uint64_t offset, uint64_t *out);
int mmu_os_munmap(struct mmu_os *os, int pid, uint64_t addr, uint64_t len);
int mmu_os_mprotect(struct mmu_os *os, int pid, uint64_t addr, uint64_t len, unsigned prot);
/* Set the break (0: query); *cur receives the break after the call. */
int mmu_os_brk(struct mmu_os *os, int pid, uint64_t addr, uint64_t *cur);

/* Data through translation (user privilege).  Every page touched is one
 * access; faults are handled and retried. */
int mmu_vm_read(struct mmu_os *os, int pid, uint64_t va, void *buf, size_t n);
int mmu_vm_write(struct mmu_os *os, int pid, uint64_t va, const void *buf, size_t n);
/* Translate n accesses (MMU_ACCESS_*) without moving data, batched on the
 * device; res[i] is 0, MMU_OS_E_SEGV or MMU_OS_E_PROT.  Any other error
 * stops the batch and is returned. */
int mmu_vm_access(struct mmu_os *os, int pid, const uint64_t *va, const uint8_t *access,
		  size_t n, int *res);

/* Copy back every dirty page of shared file mappings (msync of everything). */
int mmu_os_sync(struct mmu_os *os);

/* Inspection. */
void mmu_os_get_stats(struct mmu_os *os, struct mmu_os_stats *st);
void mmu_os_clear_stats(struct mmu_os *os);
/* VMA i of pid (0..), or MMU_E_RANGE past the last. */
int mmu_os_vma(struct mmu_os *os, int pid, unsigned i, struct mmu_vma_info *v);
/* Call fn for every leaf and swap entry of pid, in VA order; stops at fn's
 * non-zero return and returns it. */
int mmu_os_walk(struct mmu_os *os, int pid,
		int (*fn)(void *ctx, const struct mmu_pt_entry *e), void *ctx);
/* pid's ASID and root table. */
int mmu_os_context(struct mmu_os *os, int pid, unsigned *asid, uint64_t *root);
const struct mmu_geometry *mmu_os_geometry(const struct mmu_os *os);

#endif

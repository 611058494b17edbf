/*
 * os.c - the host's memory manager over a device (see os.h, docs/os.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memimg.h"
#include "mkpt.h"
#include "os.h"
#include "pte.h"

#define MAX_PROCS 4096u   /* at most; fewer if the device has fewer ASIDs */
#define MAX_TRIES 8       /* faults one access may take before MMU_OS_E_LOOP */
#define BATCH_MAX 256     /* translations per device call in mmu_vm_access */

struct vma {
	uint64_t start, end, off;
	unsigned prot, flags;
	int file;        /* index in os->files, -1 = anonymous */
	int heap;
	int shmem;       /* shared anonymous: file is an unnamed temporary file */
};

struct proc {
	int alive;
	unsigned asid;
	uint64_t root;
	struct vma *v;   /* sorted by start, not overlapping */
	unsigned nv, cap;
	uint64_t brk_base, brk;
};

/* Who maps a frame: the reverse map the clock hand and eviction use. */
struct rmap {
	unsigned pid;
	uint64_t va, pte_pa;
};

struct frame {
	int used, pinned;
	struct rmap *maps;  /* one per PTE mapping the frame */
	unsigned nmaps, cap;
	int slot;        /* swap slot whose copy this frame is (swap cache), -1 = none */
	int file;        /* page-cache frame of file at foff, -1 = anonymous */
	uint64_t foff;
	int dirty;       /* written since it was read or last written back */
};

struct slot {
	unsigned refs;   /* swap entries in PTEs naming this slot */
	int frame;       /* resident copy (swap cache), -1 = none */
	int used;
};

struct osfile {
	int fd;
	unsigned refs;   /* VMAs and page-cache frames */
	unsigned long dev, ino;
};

struct mmu_os {
	struct dev *dev;
	struct mmu_geometry g;
	unsigned mode;
	int ad_fault, nxe;
	uint64_t page, user_top;
	/* page-table memory: a shadow image and a page allocator */
	struct memimg shadow;
	uint8_t *pt_used;
	unsigned pt_pages, pt_in_use;
	/* data frames */
	uint8_t *data, *bounce;
	uint64_t data_base;
	struct frame *fr;
	unsigned nframes, hand, frames_in_use;
	unsigned *free_list, nfree;
	/* swap */
	int swap_fd;
	struct slot *sl;
	unsigned nslots, slots_in_use, slot_hint;
	/* processes and files */
	struct proc *procs;
	unsigned nprocs;
	struct osfile *files;
	unsigned nfiles;
	struct mmu_os_stats st;
};

static const char *const fault_names[MMU_FAULT_COUNT] = {
	"segv", "prot", "zero-fill", "file", "swap-in", "cow-copy", "cow-reuse", "ad",
};

const char *mmu_os_fault_name(unsigned kind)
{
	return kind < MMU_FAULT_COUNT ? fault_names[kind] : "?";
}

const char *mmu_os_strerror(int rc)
{
	switch (rc) {
	case MMU_OS_E_SEGV: return "segmentation fault: no mapping at this address";
	case MMU_OS_E_PROT: return "protection fault: the mapping forbids this access";
	case MMU_OS_E_OOM: return "out of memory: no frame, swap slot or page-table page left";
	case MMU_OS_E_CORRUPT: return "the device reported a fault the page tables cannot cause";
	case MMU_OS_E_LOOP: return "the access kept faulting after its PTE was fixed";
	case MMU_OS_E_NOPROC: return "no such process, or no ASID left";
	default: return dev_strerror(rc);
	}
}

/* ---- page-table memory ---- */

static int pt_alloc(struct mmu_os *os, unsigned level, uint64_t *pa)
{
	uint64_t bytes = mkpt_table_bytes(&os->g, level);
	unsigned n = (unsigned)(bytes / os->page), run = 0;
	uint8_t *zero;
	int rc;

	for (unsigned i = 0; i < os->pt_pages; i++) {
		run = os->pt_used[i] ? 0 : run + 1;
		if (run < n)
			continue;
		unsigned first = i + 1 - n;

		*pa = os->shadow.base + (uint64_t)first * os->page;
		zero = calloc(1, (size_t)bytes);
		if (!zero)
			return MMU_E_NOMEM;
		rc = dev_mem_write(os->dev, *pa, zero, (size_t)bytes);
		free(zero);
		if (rc)
			return rc;
		memset(os->shadow.data + (*pa - os->shadow.base), 0, (size_t)bytes);
		memset(os->pt_used + first, 1, n);
		os->pt_in_use += n;
		return 0;
	}
	return MMU_OS_E_OOM;
}

static void pt_free(struct mmu_os *os, uint64_t pa, unsigned level)
{
	unsigned first = (unsigned)((pa - os->shadow.base) / os->page);
	unsigned n = (unsigned)(mkpt_table_bytes(&os->g, level) / os->page);

	memset(os->pt_used + first, 0, n);
	os->pt_in_use -= n;
}

static uint64_t shadow_pte(struct mmu_os *os, uint64_t pte_pa)
{
	uint64_t pte = 0;

	pte_get(&os->shadow, &os->g, pte_pa, &pte);
	return pte;
}

/* Write a PTE to the shadow and the device. */
static int set_pte(struct mmu_os *os, uint64_t pte_pa, uint64_t pte)
{
	uint8_t b[8];

	for (unsigned i = 0; i < 8; i++)
		b[i] = (uint8_t)(pte >> (8 * i));
	pte_put(&os->shadow, &os->g, pte_pa, pte);
	os->st.pte_writes++;
	return dev_mem_write(os->dev, pte_pa, b, os->g.pte_bytes);
}

/* The PTE as the device has it: with the A/D bits hardware set. */
static int dev_pte(struct mmu_os *os, uint64_t pte_pa, uint64_t *pte)
{
	uint8_t b[8] = { 0 };
	int rc = dev_mem_read(os->dev, pte_pa, b, os->g.pte_bytes);

	*pte = 0;
	for (unsigned i = 0; i < os->g.pte_bytes; i++)
		*pte |= (uint64_t)b[i] << (8 * i);
	return rc;
}

static int inval(struct mmu_os *os, unsigned kind, unsigned asid, uint64_t va)
{
	os->st.invalidations++;
	return dev_invalidate(os->dev, kind, asid, va);
}

static int fence(struct mmu_os *os)
{
	os->st.fences++;
	return dev_fence(os->dev);
}

/* A swap entry: a non-present PTE naming a slot (the MMU ignores its bits). */
static uint64_t swp_pte(unsigned slot)
{
	return (uint64_t)(slot + 1) << 12;
}

static unsigned swp_slot(uint64_t pte)
{
	return (unsigned)(pte >> 12) - 1;
}

/*
 * The address of va's last-level PTE.  create: make missing tables;
 * otherwise 1 if a table is missing.  A leaf above the last level (the OS
 * never makes one) is corruption.
 */
static int leaf_slot(struct mmu_os *os, const struct proc *p, uint64_t va, int create,
		     uint64_t *pte_pa)
{
	uint64_t table = p->root;

	for (unsigned level = os->g.levels - 1;; level--) {
		uint64_t at = table + pte_index(&os->g, va, level) * os->g.pte_bytes, next = 0;
		int kind;

		if (level == 0) {
			*pte_pa = at;
			return 0;
		}
		kind = pte_decode(&os->g, shadow_pte(os, at), level, &next);
		if (kind == PTE_LEAF)
			return MMU_OS_E_CORRUPT;
		if (kind == PTE_ABSENT) {
			int rc;

			if (!create)
				return 1;
			rc = pt_alloc(os, level - 1, &next);
			if (!rc)
				rc = set_pte(os, at, pte_pointer(&os->g, next));
			if (rc)
				return rc;
		}
		table = next;
	}
}

/* ---- frames, reverse map, swap slots ---- */

static uint64_t frame_pa(const struct mmu_os *os, unsigned f)
{
	return os->data_base + (uint64_t)f * os->page;
}

static uint8_t *frame_data(struct mmu_os *os, unsigned f)
{
	return os->data + (size_t)f * os->page;
}

static int pa_frame(const struct mmu_os *os, uint64_t pa, unsigned *f)
{
	if (pa < os->data_base || (pa - os->data_base) / os->page >= os->nframes)
		return MMU_OS_E_CORRUPT;
	*f = (unsigned)((pa - os->data_base) / os->page);
	return 0;
}

static int rmap_add(struct mmu_os *os, unsigned f, unsigned pid, uint64_t va, uint64_t pte_pa)
{
	struct frame *fr = &os->fr[f];

	if (fr->nmaps == fr->cap) {
		unsigned cap = fr->cap ? 2 * fr->cap : 2;
		struct rmap *m = realloc(fr->maps, cap * sizeof(*m));

		if (!m)
			return MMU_E_NOMEM;
		fr->maps = m;
		fr->cap = cap;
	}
	fr->maps[fr->nmaps++] = (struct rmap){ pid, va, pte_pa };
	return 0;
}

static void rmap_del(struct mmu_os *os, unsigned f, unsigned pid, uint64_t va)
{
	struct frame *fr = &os->fr[f];

	for (unsigned i = 0; i < fr->nmaps; i++)
		if (fr->maps[i].pid == pid && fr->maps[i].va == va) {
			fr->maps[i] = fr->maps[--fr->nmaps];
			return;
		}
}

static void file_put(struct mmu_os *os, int fi)
{
	if (fi < 0 || --os->files[fi].refs)
		return;
	close(os->files[fi].fd);
	os->files[fi].fd = -1;
}

static void slot_release(struct mmu_os *os, unsigned s)
{
	if (os->sl[s].refs || os->sl[s].frame >= 0)
		return;
	os->sl[s].used = 0;
	os->slots_in_use--;
}

/* Forget that f is the copy of its swap slot. */
static void slot_detach(struct mmu_os *os, unsigned f)
{
	int s = os->fr[f].slot;

	if (s < 0)
		return;
	os->fr[f].slot = -1;
	os->sl[s].frame = -1;
	slot_release(os, (unsigned)s);
}

static int slot_alloc(struct mmu_os *os, unsigned *out)
{
	for (unsigned i = 0; i < os->nslots; i++) {
		unsigned s = (os->slot_hint + i) % os->nslots;

		if (!os->sl[s].used) {
			os->sl[s] = (struct slot){ 0, -1, 1 };
			os->slots_in_use++;
			os->slot_hint = s + 1;
			*out = s;
			return 0;
		}
	}
	/* Swap is full: take a slot only a resident frame still holds a copy in. */
	for (unsigned s = 0; s < os->nslots; s++)
		if (!os->sl[s].refs && os->sl[s].frame >= 0) {
			slot_detach(os, (unsigned)os->sl[s].frame);
			os->sl[s] = (struct slot){ 0, -1, 1 };
			os->slots_in_use++;
			*out = s;
			return 0;
		}
	return MMU_OS_E_OOM;
}

static int io_page(struct mmu_os *os, int fd, int write, uint8_t *buf, uint64_t off)
{
	size_t done = 0;

	while (done < os->page) {
		ssize_t n = write ? pwrite(fd, buf + done, (size_t)os->page - done, (off_t)(off + done))
				  : pread(fd, buf + done, (size_t)os->page - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return MMU_E_IO;
		if (n == 0) {
			if (write)
				return MMU_E_IO;
			memset(buf + done, 0, (size_t)os->page - done); /* past the end of file */
			break;
		}
		done += (size_t)n;
	}
	return 0;
}

static void frame_free(struct mmu_os *os, unsigned f)
{
	struct frame *fr = &os->fr[f];

	slot_detach(os, f);
	file_put(os, fr->file);
	fr->used = 0;
	fr->nmaps = 0;
	fr->file = -1;
	fr->dirty = 0;
	os->frames_in_use--;
	os->free_list[os->nfree++] = f;
}

/* Does any PTE mapping f have D set on the device? */
static int harvest_dirty(struct mmu_os *os, unsigned f)
{
	struct frame *fr = &os->fr[f];
	uint64_t dbit = pte_ad_bits(&os->g, PTE_D);

	for (unsigned i = 0; i < fr->nmaps && !fr->dirty; i++) {
		uint64_t pte;
		int rc = dev_pte(os, fr->maps[i].pte_pa, &pte);

		if (rc)
			return rc;
		if (pte & dbit)
			fr->dirty = 1;
	}
	return 0;
}

/* Write a frame's content where it belongs: its file or a swap slot. */
static int write_back(struct mmu_os *os, unsigned f, unsigned *slot_out)
{
	struct frame *fr = &os->fr[f];
	int rc = harvest_dirty(os, f);

	if (rc)
		return rc;
	if (fr->file >= 0) {
		if (fr->dirty) {
			rc = io_page(os, os->files[fr->file].fd, 1, frame_data(os, f), fr->foff);
			if (rc)
				return rc;
			os->st.file_out++;
			fr->dirty = 0;
		}
		return 0;
	}
	if (fr->slot >= 0 && !fr->dirty) {
		*slot_out = (unsigned)fr->slot;  /* swap already holds this content */
		return 0;
	}
	if (fr->slot < 0) {
		unsigned s;

		rc = slot_alloc(os, &s);
		if (rc)
			return rc;
		fr->slot = (int)s;
		os->sl[s].frame = (int)f;
	}
	rc = io_page(os, os->swap_fd, 1, frame_data(os, f),
		     (uint64_t)fr->slot * os->page);
	if (rc)
		return rc;
	os->st.swap_out++;
	fr->dirty = 0;
	*slot_out = (unsigned)fr->slot;
	return 0;
}

/* Take f from everyone who maps it, store its content, free it. */
static int evict(struct mmu_os *os, unsigned f)
{
	struct frame *fr = &os->fr[f];
	unsigned s = 0;
	int rc = write_back(os, f, &s);

	if (rc)
		return rc;
	for (unsigned i = 0; i < fr->nmaps; i++) {
		const struct rmap *m = &fr->maps[i];

		rc = set_pte(os, m->pte_pa, fr->file >= 0 ? 0 : swp_pte(s));
		if (!rc)
			rc = inval(os, MMU_INVAL_VA_ASID, os->procs[m->pid].asid, m->va);
		if (rc)
			return rc;
		if (fr->file < 0)
			os->sl[s].refs++;
	}
	rc = fence(os);
	if (rc)
		return rc;
	os->st.evictions++;
	fr->nmaps = 0;
	frame_free(os, f);
	return 0;
}

/* The clock algorithm over the accessed bits of every PTE mapping a frame. */
static int clock_victim(struct mmu_os *os, unsigned *out)
{
	uint64_t abit = pte_ad_bits(&os->g, PTE_A);

	for (unsigned scan = 0; scan < 2 * os->nframes + 1; scan++) {
		unsigned f = os->hand;
		struct frame *fr = &os->fr[f];
		int referenced = 0;

		os->hand = (os->hand + 1) % os->nframes;
		if (!fr->used || fr->pinned)
			continue;
		for (unsigned i = 0; i < fr->nmaps; i++) {
			uint64_t pte;
			int rc = dev_pte(os, fr->maps[i].pte_pa, &pte);

			if (rc)
				return rc;
			if (!(pte & abit))
				continue;
			referenced = 1;
			rc = set_pte(os, fr->maps[i].pte_pa, pte & ~abit);
			if (!rc)
				rc = inval(os, MMU_INVAL_VA_ASID, os->procs[fr->maps[i].pid].asid,
					   fr->maps[i].va);
			if (rc)
				return rc;
			os->st.ref_cleared++;
		}
		if (!referenced) {
			*out = f;
			return 0;
		}
	}
	return MMU_OS_E_OOM;
}

static int frame_alloc(struct mmu_os *os, unsigned *out)
{
	if (!os->nfree) {
		unsigned victim;
		int rc = clock_victim(os, &victim);

		if (!rc)
			rc = evict(os, victim);
		if (rc)
			return rc;
	}
	*out = os->free_list[--os->nfree];
	os->fr[*out].used = 1;
	os->fr[*out].slot = -1;
	os->fr[*out].file = -1;
	os->fr[*out].dirty = 0;
	os->fr[*out].nmaps = 0;
	os->frames_in_use++;
	return 0;
}

/* The page-cache frame of file fi at off, read in if it is not resident. */
static int pagecache_get(struct mmu_os *os, int fi, uint64_t off, unsigned *out)
{
	unsigned f;
	int rc;

	for (f = 0; f < os->nframes; f++)
		if (os->fr[f].used && os->fr[f].file == fi && os->fr[f].foff == off) {
			*out = f;
			return 0;
		}
	rc = frame_alloc(os, &f);
	if (rc)
		return rc;
	rc = io_page(os, os->files[fi].fd, 0, frame_data(os, f), off);
	if (rc) {
		frame_free(os, f);
		return rc;
	}
	os->st.file_in++;
	os->fr[f].file = fi;
	os->fr[f].foff = off;
	os->files[fi].refs++;
	*out = f;
	return 0;
}

/* ---- processes and VMAs ---- */

static struct proc *get_proc(struct mmu_os *os, int pid)
{
	if (pid < 0 || (unsigned)pid >= os->nprocs || !os->procs[pid].alive)
		return NULL;
	return &os->procs[pid];
}

static struct vma *find_vma(struct proc *p, uint64_t va)
{
	for (unsigned i = 0; i < p->nv; i++)
		if (va >= p->v[i].start && va < p->v[i].end)
			return &p->v[i];
	return NULL;
}

static int vma_insert(struct proc *p, const struct vma *v)
{
	unsigned i;

	if (p->nv == p->cap) {
		unsigned cap = p->cap ? 2 * p->cap : 8;
		struct vma *n = realloc(p->v, cap * sizeof(*n));

		if (!n)
			return MMU_E_NOMEM;
		p->v = n;
		p->cap = cap;
	}
	for (i = p->nv; i > 0 && p->v[i - 1].start > v->start; i--)
		p->v[i] = p->v[i - 1];
	p->v[i] = *v;
	p->nv++;
	return 0;
}

/* Permissions of a leaf for a VMA: the user bit, A set (and D for a write),
 * W only if the frame may be written in place. */
static unsigned leaf_perm(const struct vma *v, int writable, int write)
{
	unsigned perm = PTE_U | PTE_A;

	if (v->prot & (MMU_PROT_R | MMU_PROT_W))
		perm |= PTE_R;
	if (v->prot & MMU_PROT_X)
		perm |= PTE_X;
	if ((v->prot & MMU_PROT_W) && writable) {
		perm |= PTE_W;
		if (write)
			perm |= PTE_D;
	}
	return perm;
}

static int install(struct mmu_os *os, unsigned pid, unsigned f, uint64_t va, uint64_t pte_pa,
		   unsigned perm)
{
	int rc = rmap_add(os, f, pid, va, pte_pa);

	if (rc)
		return rc;
	if (perm & PTE_D)
		os->fr[f].dirty = 1;
	return set_pte(os, pte_pa, pte_leaf(&os->g, 0, frame_pa(os, f), perm, os->nxe));
}

/*
 * Drop one leaf or swap entry (pte as the device has it): the PTE becomes 0.
 * The caller invalidates and fences, then calls drop_frame on what *f says.
 */
static int zap(struct mmu_os *os, unsigned pid, uint64_t va, uint64_t pte_pa, uint64_t pte,
	       int *f)
{
	uint64_t pa;

	*f = -1;
	if (pte_decode(&os->g, pte, 0, &pa) == PTE_LEAF) {
		unsigned fi;
		int rc = pa_frame(os, pa, &fi);

		if (rc)
			return rc;
		if (pte & pte_ad_bits(&os->g, PTE_D))
			os->fr[fi].dirty = 1;
		rmap_del(os, fi, pid, va);
		*f = (int)fi;
	} else if (pte) {
		unsigned s = swp_slot(pte);

		if (s < os->nslots && os->sl[s].refs) {
			os->sl[s].refs--;
			slot_release(os, s);
		}
	}
	return set_pte(os, pte_pa, 0);
}

/* After the invalidation has completed: a frame nobody maps is written back
 * (file) and freed. */
static int drop_frame(struct mmu_os *os, int f)
{
	int rc = 0;

	struct frame *fr;

	if (f < 0 || !os->fr[f].used || os->fr[f].nmaps)
		return 0;
	fr = &os->fr[f];
	if (fr->file >= 0 && fr->dirty) {
		rc = io_page(os, os->files[fr->file].fd, 1, frame_data(os, (unsigned)f), fr->foff);
		if (!rc)
			os->st.file_out++;
	} else if (fr->file < 0 && fr->slot >= 0 && os->sl[fr->slot].refs && fr->dirty) {
		/* swap entries still name this frame's slot: it must hold the
		 * content they will read back */
		rc = io_page(os, os->swap_fd, 1, frame_data(os, (unsigned)f),
			     (uint64_t)fr->slot * os->page);
		if (!rc)
			os->st.swap_out++;
	}
	frame_free(os, (unsigned)f);
	return rc;
}

/* Visit every non-zero last-level entry of p in [start, end). */
typedef int (*leaf_fn)(struct mmu_os *os, struct proc *p, uint64_t va, uint64_t pte_pa,
		       void *ctx);

static int walk_table(struct mmu_os *os, struct proc *p, uint64_t table, unsigned level,
		      uint64_t base, uint64_t first, uint64_t last, leaf_fn fn, void *ctx)
{
	unsigned shift = mmu_level_shift(&os->g, level);
	uint64_t n = 1ULL << os->g.idx_bits[level];

	for (uint64_t i = 0; i < n; i++) {
		uint64_t va = base + (i << shift), at = table + i * os->g.pte_bytes, next;
		uint64_t pte;
		int rc;

		if (va + ((1ULL << shift) - 1) < first || va > last)
			continue;
		pte = shadow_pte(os, at);
		if (!pte)
			continue;
		if (level == 0) {
			rc = fn(os, p, va, at, ctx);
		} else {
			if (pte_decode(&os->g, pte, level, &next) != PTE_POINTER)
				return MMU_OS_E_CORRUPT;
			rc = walk_table(os, p, next, level - 1, va, first, last, fn, ctx);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* The canonical VA of a table walk position (sign-extend the top bit). */
static uint64_t canon(const struct mmu_os *os, uint64_t va)
{
	if (os->g.sign_extended && (va >> (os->g.va_bits - 1)) & 1)
		va |= ~0ULL << os->g.va_bits;
	return va;
}

/* [start, end) of canonical VAs; end 0 = to the top of the space. */
static int walk_range(struct mmu_os *os, struct proc *p, uint64_t start, uint64_t end,
		      leaf_fn fn, void *ctx)
{
	uint64_t mask = os->g.va_bits >= 64 ? ~0ULL : (1ULL << os->g.va_bits) - 1;

	return walk_table(os, p, p->root, os->g.levels - 1, 0, start & mask, (end - 1) & mask,
			  fn, ctx);
}

struct zap_ctx {
	int *frames;
	unsigned n, cap;
};

static int zap_keep(struct zap_ctx *z, int f)
{
	if (z->n == z->cap) {
		unsigned cap = z->cap ? 2 * z->cap : 64;
		int *n = realloc(z->frames, cap * sizeof(*n));

		if (!n)
			return MMU_E_NOMEM;
		z->frames = n;
		z->cap = cap;
	}
	z->frames[z->n++] = f;
	return 0;
}

static int zap_leaf(struct mmu_os *os, struct proc *p, uint64_t va, uint64_t pte_pa, void *ctx)
{
	struct zap_ctx *z = ctx;
	uint64_t pte = shadow_pte(os, pte_pa);
	int f, rc;

	if (pte_decode(&os->g, pte, 0, &(uint64_t){ 0 }) == PTE_LEAF) {
		rc = dev_pte(os, pte_pa, &pte);
		if (rc)
			return rc;
	}
	rc = zap(os, (unsigned)(p - os->procs), canon(os, va), pte_pa, pte, &f);
	if (rc || f < 0)
		return rc;
	return zap_keep(z, f);
}

/* Unmap every page of p in [start, end): PTEs cleared, invalidated, fenced,
 * then the frames nobody maps any more are freed. */
static int unmap_range(struct mmu_os *os, struct proc *p, uint64_t start, uint64_t end)
{
	struct zap_ctx z = { 0 };
	int rc = walk_range(os, p, start, end, zap_leaf, &z);

	if (!rc && z.n)
		rc = inval(os, MMU_INVAL_ASID, p->asid, 0);
	if (!rc && z.n)
		rc = fence(os);
	for (unsigned i = 0; !rc && i < z.n; i++)
		rc = drop_frame(os, z.frames[i]);
	free(z.frames);
	return rc;
}

static int free_tables(struct mmu_os *os, uint64_t table, unsigned level, int keep)
{
	uint64_t n = 1ULL << os->g.idx_bits[level];

	if (level > 0)
		for (uint64_t i = 0; i < n; i++) {
			uint64_t at = table + i * os->g.pte_bytes, next;

			if (pte_decode(&os->g, shadow_pte(os, at), level, &next) == PTE_POINTER) {
				int rc = free_tables(os, next, level - 1, 0);

				if (!rc)
					rc = set_pte(os, at, 0);
				if (rc)
					return rc;
			}
		}
	if (!keep)
		pt_free(os, table, level);
	return 0;
}

/* Empty an address space: every VMA unmapped, every table but the root freed. */
static int clear_space(struct mmu_os *os, struct proc *p)
{
	int rc = unmap_range(os, p, 0, 0);

	if (!rc)
		rc = free_tables(os, p->root, os->g.levels - 1, 1);
	if (!rc)
		rc = inval(os, MMU_INVAL_ASID, p->asid, 0);
	if (!rc)
		rc = fence(os);
	for (unsigned i = 0; i < p->nv; i++)
		file_put(os, p->v[i].file);
	p->nv = 0;
	p->brk = p->brk_base;
	return rc;
}

/* ---- the fault handler ---- */

/* What a VMA must allow for an access (writable implies readable). */
static unsigned prot_of(unsigned access)
{
	return access == MMU_ACCESS_W ? MMU_PROT_W : access == MMU_ACCESS_X ? MMU_PROT_X
									     : MMU_PROT_R | MMU_PROT_W;
}

/* A page nobody has touched: zero-fill, or the file's page. */
static int demand_page(struct mmu_os *os, unsigned pid, const struct vma *v, uint64_t va,
		       uint64_t pte_pa, int write)
{
	unsigned f;
	int rc;

	if (v->file < 0) {
		rc = frame_alloc(os, &f);
		if (rc)
			return rc;
		memset(frame_data(os, f), 0, (size_t)os->page);
		os->st.faults[MMU_FAULT_ZERO]++;
		return install(os, pid, f, va, pte_pa, leaf_perm(v, 1, write));
	}
	os->st.faults[MMU_FAULT_FILE]++;
	rc = pagecache_get(os, v->file, v->off + (va - v->start), &f);
	if (rc)
		return rc;
	if ((v->flags & MMU_MAP_SHARED) || !write)
		/* shared: the file's page itself; private read: the same, read-only */
		return install(os, pid, f, va, pte_pa, leaf_perm(v, v->flags & MMU_MAP_SHARED, write));
	/* a private write: a copy of the file's page */
	unsigned c;

	os->fr[f].pinned = 1;
	rc = frame_alloc(os, &c);
	os->fr[f].pinned = 0;
	if (!rc) {
		memcpy(frame_data(os, c), frame_data(os, f), (size_t)os->page);
		rc = install(os, pid, c, va, pte_pa, leaf_perm(v, 1, 1));
	}
	if (!os->fr[f].nmaps) {
		int rc2 = drop_frame(os, (int)f);

		rc = rc ? rc : rc2;
	}
	return rc;
}

static int swap_in(struct mmu_os *os, unsigned pid, const struct vma *v, uint64_t va,
		   uint64_t pte_pa, uint64_t pte, int write)
{
	unsigned s = swp_slot(pte), f;
	int writable, rc;

	if (s >= os->nslots || !os->sl[s].used || !os->sl[s].refs)
		return MMU_OS_E_CORRUPT;
	if (os->sl[s].frame >= 0) {
		f = (unsigned)os->sl[s].frame;  /* swap cache: someone read it back already */
	} else if (os->sl[s].refs == 1 && os->slots_in_use == os->nslots) {
		/* Swap is full and this entry is the slot's last: read it, free
		 * the slot, then find a frame (whose eviction may need that slot). */
		rc = io_page(os, os->swap_fd, 0, os->bounce, (uint64_t)s * os->page);
		if (rc)
			return rc;
		os->sl[s].refs = 0;
		slot_release(os, s);
		rc = frame_alloc(os, &f);
		if (rc) {
			/* nothing took the slot (an eviction that did would have
			 * given us its frame): it still holds the page */
			os->sl[s] = (struct slot){ 1, -1, 1 };
			os->slots_in_use++;
			return rc;
		}
		memcpy(frame_data(os, f), os->bounce, (size_t)os->page);
		os->st.swap_in++;
		os->st.faults[MMU_FAULT_SWAPIN]++;
		return install(os, pid, f, va, pte_pa, leaf_perm(v, 1, write));
	} else {
		rc = frame_alloc(os, &f);
		if (rc)
			return rc;
		rc = io_page(os, os->swap_fd, 0, frame_data(os, f), (uint64_t)s * os->page);
		if (rc) {
			frame_free(os, f);
			return rc;
		}
		os->st.swap_in++;
		os->fr[f].slot = (int)s;
		os->sl[s].frame = (int)f;
	}
	os->sl[s].refs--;
	os->st.faults[MMU_FAULT_SWAPIN]++;
	if (v->flags & MMU_MAP_SHARED) {
		writable = 1;
	} else {
		/* private: writable in place only if no one else has this content */
		writable = write && !os->fr[f].nmaps && !os->sl[s].refs;
		if (writable)
			slot_detach(os, f);
	}
	return install(os, pid, f, va, pte_pa, leaf_perm(v, writable, write));
}

/* A write to a present read-only page of a writable VMA. */
static int write_fault(struct mmu_os *os, unsigned pid, const struct vma *v, uint64_t va,
		       uint64_t pte_pa, unsigned f)
{
	struct proc *p = &os->procs[pid];
	unsigned c;
	int rc;

	if ((v->flags & MMU_MAP_SHARED) ||
	    (os->fr[f].nmaps == 1 && os->fr[f].file < 0)) {
		if (!(v->flags & MMU_MAP_SHARED)) {
			slot_detach(os, f);
			os->st.faults[MMU_FAULT_COW_REUSE]++;
		}
		os->fr[f].dirty = 1;
		rc = set_pte(os, pte_pa, pte_leaf(&os->g, 0, frame_pa(os, f),
						  leaf_perm(v, 1, 1), os->nxe));
		if (!rc)
			rc = inval(os, MMU_INVAL_VA_ASID, p->asid, va);
		return rc ? rc : fence(os);
	}
	/* copy-on-write: a private copy, then the old frame loses this mapping */
	os->fr[f].pinned = 1;
	rc = frame_alloc(os, &c);
	os->fr[f].pinned = 0;
	if (rc)
		return rc;
	memcpy(frame_data(os, c), frame_data(os, f), (size_t)os->page);
	rmap_del(os, f, pid, va);
	rc = install(os, pid, c, va, pte_pa, leaf_perm(v, 1, 1));
	if (!rc)
		rc = inval(os, MMU_INVAL_VA_ASID, p->asid, va);
	if (!rc)
		rc = fence(os);
	if (!rc)
		rc = drop_frame(os, (int)f);
	os->st.faults[MMU_FAULT_COW_COPY]++;
	return rc;
}

static int handle_fault(struct mmu_os *os, unsigned pid, uint64_t va, unsigned access,
			const struct mmu_response *r)
{
	struct proc *p = &os->procs[pid];
	uint64_t pva = va & ~(os->page - 1), pte_pa, pte, pa;
	int write = access == MMU_ACCESS_W, rc, kind;
	struct vma *v;
	unsigned f;

	if (r->cause == MMU_CAUSE_NON_CANONICAL) {
		os->st.faults[MMU_FAULT_SEGV]++;
		return MMU_OS_E_SEGV;
	}
	if (r->cause != MMU_CAUSE_NOT_PRESENT && r->cause != MMU_CAUSE_PERMISSION &&
	    r->cause != MMU_CAUSE_AD_NEEDED)
		return MMU_OS_E_CORRUPT;
	v = find_vma(p, va);
	if (!v) {
		os->st.faults[MMU_FAULT_SEGV]++;
		return MMU_OS_E_SEGV;
	}
	if (!(v->prot & prot_of(access))) {
		os->st.faults[MMU_FAULT_PROT]++;
		return MMU_OS_E_PROT;
	}
	rc = leaf_slot(os, p, pva, 1, &pte_pa);
	if (rc)
		return rc;
	pte = shadow_pte(os, pte_pa);
	kind = pte_decode(&os->g, pte, 0, &pa);
	if (kind == PTE_ABSENT)
		return pte ? swap_in(os, pid, v, pva, pte_pa, pte, write)
			   : demand_page(os, pid, v, pva, pte_pa, write);
	rc = pa_frame(os, pa, &f);
	if (!rc)
		rc = dev_pte(os, pte_pa, &pte);
	if (rc)
		return rc;
	if (write && !(pte_perm(&os->g, pte) & PTE_W))
		return write_fault(os, pid, v, pva, pte_pa, f);
	if (r->cause == MMU_CAUSE_AD_NEEDED && os->ad_fault) {
		uint64_t want = pte_ad_bits(&os->g, write ? PTE_A | PTE_D : PTE_A);

		os->st.faults[MMU_FAULT_AD]++;
		if (write)
			os->fr[f].dirty = 1;
		/* the TLB may hold the entry without D: it goes */
		rc = set_pte(os, pte_pa, pte | want);
		if (!rc)
			rc = inval(os, MMU_INVAL_VA_ASID, p->asid, pva);
		return rc ? rc : fence(os);
	}
	return MMU_OS_E_CORRUPT;
}

/* Translate one access, handling faults, until it succeeds or is refused. */
static int translate_one(struct mmu_os *os, unsigned pid, uint64_t va, unsigned access,
			 uint64_t *pa)
{
	struct proc *p = &os->procs[pid];

	for (unsigned tries = 0; tries < MAX_TRIES; tries++) {
		struct mmu_request q = { va, 0, (uint16_t)p->asid, (uint8_t)access, MMU_PRIV_U };
		struct mmu_response r;
		unsigned f;
		int rc = dev_translate(os->dev, &q, 1, &r);

		if (rc)
			return rc;
		os->st.translations++;
		os->st.hits += r.hit;
		if (r.cause == MMU_CAUSE_OK) {
			rc = pa_frame(os, r.pa, &f);
			if (!rc)
				*pa = r.pa;
			return rc;
		}
		rc = handle_fault(os, pid, va, access, &r);
		if (rc)
			return rc;
	}
	return MMU_OS_E_LOOP;
}

static int vm_copy(struct mmu_os *os, int pid, uint64_t va, uint8_t *buf, size_t n, int write)
{
	if (!get_proc(os, pid))
		return MMU_OS_E_NOPROC;
	while (n) {
		uint64_t off = va & (os->page - 1), pa;
		size_t k = (size_t)(os->page - off) < n ? (size_t)(os->page - off) : n;
		int rc;

		os->st.accesses++;
		rc = translate_one(os, (unsigned)pid, va, write ? MMU_ACCESS_W : MMU_ACCESS_R, &pa);
		if (rc)
			return rc;
		if (write)
			memcpy(os->data + (pa - os->data_base), buf, k);
		else
			memcpy(buf, os->data + (pa - os->data_base), k);
		buf += k;
		va += k;
		n -= k;
	}
	return 0;
}

int mmu_vm_read(struct mmu_os *os, int pid, uint64_t va, void *buf, size_t n)
{
	return vm_copy(os, pid, va, buf, n, 0);
}

int mmu_vm_write(struct mmu_os *os, int pid, uint64_t va, const void *buf, size_t n)
{
	return vm_copy(os, pid, va, (uint8_t *)(uintptr_t)buf, n, 1);
}

int mmu_vm_access(struct mmu_os *os, int pid, const uint64_t *va, const uint8_t *access,
		  size_t n, int *res)
{
	struct mmu_request q[BATCH_MAX];
	struct mmu_response r[BATCH_MAX];
	size_t i = 0, chunk = 8;
	struct proc *p = get_proc(os, pid);

	if (!p)
		return MMU_OS_E_NOPROC;
	for (size_t j = 0; j < n; j++)
		if (access[j] > MMU_ACCESS_X)
			return MMU_E_INVAL;
	os->st.accesses += n;
	while (i < n) {
		size_t k = n - i < chunk ? n - i : chunk, j;
		int rc;

		for (j = 0; j < k; j++)
			q[j] = (struct mmu_request){ va[i + j], 0, (uint16_t)p->asid,
						     access[i + j], MMU_PRIV_U };
		rc = dev_translate(os->dev, q, k, r);
		if (rc)
			return rc;
		os->st.translations += k;
		for (j = 0; j < k && r[j].cause == MMU_CAUSE_OK; j++) {
			os->st.hits += r[j].hit;
			res[i + j] = 0;
		}
		for (size_t t = j + 1; t < k; t++)
			os->st.hits += r[t].hit; /* answered, but asked again after the fault */
		i += j;
		if (j == k) {
			chunk = chunk * 2 > BATCH_MAX ? BATCH_MAX : chunk * 2;
			continue;
		}
		/* The first fault: handle it, then ask again from the next access.
		 * The answers after it were computed before the fix, so they are
		 * not used. */
		chunk = 8;
		rc = handle_fault(os, (unsigned)pid, va[i], access[i], &r[j]);
		if (!rc) {
			uint64_t pa;

			rc = translate_one(os, (unsigned)pid, va[i], access[i], &pa);
		}
		if (rc && rc != MMU_OS_E_SEGV && rc != MMU_OS_E_PROT)
			return rc;
		res[i++] = rc;
	}
	return 0;
}

/* ---- processes ---- */

static int new_proc(struct mmu_os *os, unsigned *out)
{
	for (unsigned pid = 0; pid < os->nprocs; pid++) {
		struct proc *p = &os->procs[pid];
		int rc;

		if (p->alive)
			continue;
		memset(p, 0, sizeof(*p));
		p->asid = pid;
		rc = pt_alloc(os, os->g.levels - 1, &p->root);
		if (rc)
			return rc;
		/* the heap starts a quarter of the way up the user half */
		p->brk_base = p->brk = (os->user_top / 4) & ~(os->page - 1);
		rc = inval(os, MMU_INVAL_ASID, p->asid, 0);
		if (!rc)
			rc = dev_set_context(os->dev, p->asid, os->mode, p->root);
		if (!rc)
			rc = fence(os);
		if (rc) {
			pt_free(os, p->root, os->g.levels - 1);
			return rc;
		}
		p->alive = 1;
		*out = pid;
		return 0;
	}
	return MMU_OS_E_NOPROC;
}

int mmu_os_spawn(struct mmu_os *os)
{
	unsigned pid;
	int rc = new_proc(os, &pid);

	return rc ? rc : (int)pid;
}

int mmu_os_exit(struct mmu_os *os, int pid)
{
	struct proc *p = get_proc(os, pid);
	int rc;

	if (!p)
		return MMU_OS_E_NOPROC;
	rc = clear_space(os, p);
	if (!rc)
		rc = dev_set_context(os->dev, p->asid, MMU_MODE_OFF, 0);
	pt_free(os, p->root, os->g.levels - 1);
	free(p->v);
	memset(p, 0, sizeof(*p));
	return rc;
}

int mmu_os_exec(struct mmu_os *os, int pid)
{
	struct proc *p = get_proc(os, pid);

	return p ? clear_space(os, p) : MMU_OS_E_NOPROC;
}

struct fork_ctx {
	unsigned child;
	int wrote;   /* a parent PTE lost W: the parent's ASID must be invalidated */
};

static int fork_leaf(struct mmu_os *os, struct proc *p, uint64_t va, uint64_t pte_pa, void *ctx)
{
	struct fork_ctx *fc = ctx;
	struct proc *c = &os->procs[fc->child];
	uint64_t pte = shadow_pte(os, pte_pa), cpte_pa, pa;
	uint64_t wbit = os->g.x86 ? 1ULL << MMU_X86PTE_RW : 1ULL << MMU_RVPTE_W;
	struct vma *v;
	int rc;

	va = canon(os, va);
	v = find_vma(p, va);
	rc = leaf_slot(os, c, va, 1, &cpte_pa);
	if (rc)
		return rc;
	if (pte_decode(&os->g, pte, 0, &pa) != PTE_LEAF) {
		unsigned s = swp_slot(pte);

		if (s >= os->nslots || !os->sl[s].refs)
			return MMU_OS_E_CORRUPT;
		os->sl[s].refs++;
		return set_pte(os, cpte_pa, pte);
	}
	unsigned f;

	rc = pa_frame(os, pa, &f);
	if (!rc)
		rc = dev_pte(os, pte_pa, &pte);
	if (rc)
		return rc;
	if (v && !(v->flags & MMU_MAP_SHARED) && (pte & wbit)) {
		/* private and writable: both sides lose W; the first write copies */
		if (pte & pte_ad_bits(&os->g, PTE_D))
			os->fr[f].dirty = 1;
		pte &= ~wbit;
		rc = set_pte(os, pte_pa, pte);
		if (rc)
			return rc;
		fc->wrote = 1;
	}
	rc = rmap_add(os, f, fc->child, va, cpte_pa);
	return rc ? rc : set_pte(os, cpte_pa, pte);
}

int mmu_os_fork(struct mmu_os *os, int pid)
{
	struct proc *p = get_proc(os, pid), *c;
	struct fork_ctx fc = { 0, 0 };
	int rc;

	if (!p)
		return MMU_OS_E_NOPROC;
	rc = new_proc(os, &fc.child);
	if (rc)
		return rc;
	p = &os->procs[pid];
	c = &os->procs[fc.child];
	for (unsigned i = 0; !rc && i < p->nv; i++) {
		rc = vma_insert(c, &p->v[i]);
		if (!rc && p->v[i].file >= 0)
			os->files[p->v[i].file].refs++;
	}
	c->brk_base = p->brk_base;
	c->brk = p->brk;
	if (!rc)
		rc = walk_range(os, p, 0, 0, fork_leaf, &fc);
	if (fc.wrote) {
		int rc2 = inval(os, MMU_INVAL_ASID, p->asid, 0);

		rc = rc ? rc : rc2;
	}
	if (!rc)
		rc = fence(os);
	if (rc) {
		mmu_os_exit(os, (int)fc.child);
		return rc;
	}
	return (int)fc.child;
}

/* ---- mappings ---- */

static int register_file(struct mmu_os *os, int fd, int *out)
{
	struct stat sb;
	int free_i = -1;

	if (fstat(fd, &sb))
		return MMU_E_IO;
	for (unsigned i = 0; i < os->nfiles; i++) {
		if (os->files[i].refs && os->files[i].dev == (unsigned long)sb.st_dev &&
		    os->files[i].ino == (unsigned long)sb.st_ino) {
			os->files[i].refs++;
			*out = (int)i;
			return 0;
		}
		if (!os->files[i].refs && free_i < 0)
			free_i = (int)i;
	}
	if (free_i < 0) {
		struct osfile *n = realloc(os->files, (os->nfiles + 1) * sizeof(*n));

		if (!n)
			return MMU_E_NOMEM;
		os->files = n;
		free_i = (int)os->nfiles++;
	}
	os->files[free_i].fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (os->files[free_i].fd < 0)
		return MMU_E_IO;
	os->files[free_i].refs = 1;
	os->files[free_i].dev = (unsigned long)sb.st_dev;
	os->files[free_i].ino = (unsigned long)sb.st_ino;
	*out = free_i;
	return 0;
}

static int range_ok(const struct mmu_os *os, uint64_t addr, uint64_t len)
{
	return !(addr & (os->page - 1)) && len && addr + len > addr && addr + len <= os->user_top;
}

/* Remove [start, end) from p's VMAs: pages unmapped, VMAs trimmed or split. */
static int remove_range(struct mmu_os *os, struct proc *p, uint64_t start, uint64_t end)
{
	int rc = unmap_range(os, p, start, end);

	for (unsigned i = 0; !rc && i < p->nv; i++) {
		struct vma *v = &p->v[i];

		if (v->end <= start || v->start >= end)
			continue;
		if (v->start < start && v->end > end) {      /* split in two */
			struct vma hi = *v;

			hi.off += end - v->start;
			hi.start = end;
			v->end = start;
			if (hi.file >= 0)
				os->files[hi.file].refs++;
			rc = vma_insert(p, &hi);
		} else if (v->start < start) {
			v->end = start;
		} else if (v->end > end) {
			v->off += end - v->start;
			v->start = end;
		} else {                                    /* wholly inside */
			file_put(os, v->file);
			memmove(v, v + 1, (p->nv - i - 1) * sizeof(*v));
			p->nv--;
			i--;
		}
	}
	return rc;
}

static int overlaps(const struct proc *p, uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < p->nv; i++)
		if (p->v[i].start < end && p->v[i].end > start)
			return 1;
	return 0;
}

/* Highest free gap of len below the top of the user space, above the heap. */
static int find_gap(const struct mmu_os *os, const struct proc *p, uint64_t len, uint64_t *out)
{
	uint64_t hi = os->user_top - os->page, lo = p->brk_base + (os->user_top / 8);

	for (unsigned i = p->nv; i-- > 0;) {
		if (p->v[i].start >= hi)
			continue;
		if (p->v[i].end <= hi && hi - p->v[i].end >= len && hi - len >= lo) {
			*out = hi - len;
			return 0;
		}
		hi = p->v[i].start;
	}
	if (hi > lo && hi - lo >= len) {
		*out = hi - len;
		return 0;
	}
	return MMU_OS_E_OOM;
}

int mmu_os_mmap(struct mmu_os *os, int pid, uint64_t addr, uint64_t len, unsigned prot,
		unsigned flags, int fd, uint64_t offset, uint64_t *out)
{
	struct proc *p = get_proc(os, pid);
	struct vma v = { 0 };
	int rc;

	if (!p)
		return MMU_OS_E_NOPROC;
	len = (len + os->page - 1) & ~(os->page - 1);
	if (!len || prot & ~7u || flags & ~3u || (fd >= 0 && (offset & (os->page - 1))))
		return MMU_E_INVAL;
	if (flags & MMU_MAP_FIXED) {
		if (!range_ok(os, addr, len))
			return MMU_E_INVAL;
	} else if (!addr || !range_ok(os, addr, len) || overlaps(p, addr, addr + len)) {
		rc = find_gap(os, p, len, &addr);
		if (rc)
			return rc;
	}
	v.start = addr;
	v.end = addr + len;
	v.prot = prot;
	v.flags = flags & MMU_MAP_SHARED;
	v.off = fd >= 0 ? offset : 0;
	v.file = -1;
	if (fd < 0 && (flags & MMU_MAP_SHARED)) {
		/* Shared anonymous memory must outlive any one process's PTEs (a
		 * page first touched after fork is still shared): like tmpfs, it
		 * is backed by an unnamed file, and from here on is a file mapping. */
		char tmpl[] = "/tmp/mmu-shmem-XXXXXX";
		int tfd = mkstemp(tmpl);

		if (tfd < 0)
			return MMU_E_IO;
		unlink(tmpl);
		rc = ftruncate(tfd, (off_t)len) ? MMU_E_IO : register_file(os, tfd, &v.file);
		close(tfd);
		if (rc)
			return rc;
		v.shmem = 1;
	} else if (fd >= 0) {
		rc = register_file(os, fd, &v.file);
		if (rc)
			return rc;
	}
	rc = remove_range(os, p, addr, addr + len);  /* MAP_FIXED replaces */
	if (!rc)
		rc = vma_insert(p, &v);
	if (rc) {
		file_put(os, v.file);
		return rc;
	}
	if (out)
		*out = addr;
	return 0;
}

int mmu_os_munmap(struct mmu_os *os, int pid, uint64_t addr, uint64_t len)
{
	struct proc *p = get_proc(os, pid);

	if (!p)
		return MMU_OS_E_NOPROC;
	len = (len + os->page - 1) & ~(os->page - 1);
	if (!range_ok(os, addr, len))
		return MMU_E_INVAL;
	return remove_range(os, p, addr, addr + len);
}

struct prot_ctx {
	unsigned changed;
	struct zap_ctx z;  /* frames unmapped by PROT_NONE, freed after the fence */
};

static int prot_leaf(struct mmu_os *os, struct proc *p, uint64_t va, uint64_t pte_pa, void *ctx)
{
	struct prot_ctx *pc = ctx;
	uint64_t pte = shadow_pte(os, pte_pa), pa;
	const struct vma *v = find_vma(p, canon(os, va));
	unsigned f, keep;
	int rc;

	if (!v || pte_decode(&os->g, pte, 0, &pa) != PTE_LEAF)
		return 0;
	rc = pa_frame(os, pa, &f);
	if (!rc)
		rc = dev_pte(os, pte_pa, &pte);
	if (rc)
		return rc;
	keep = pte_perm(&os->g, pte) & (PTE_A | PTE_D);
	if (keep & PTE_D)
		os->fr[f].dirty = 1;
	int writable = (v->flags & MMU_MAP_SHARED) ||
		       (os->fr[f].file < 0 && os->fr[f].nmaps == 1 && os->fr[f].slot < 0);
	unsigned perm = (leaf_perm(v, writable, 0) & ~(PTE_A | PTE_D)) | keep;

	if (!(v->prot & (MMU_PROT_R | MMU_PROT_W | MMU_PROT_X))) {
		/* PROT_NONE: no leaf can say "no access", so the page leaves the
		 * PTE: file pages go back to the file, anonymous ones to a swap
		 * slot the PTE names (their frame may stay, mapped by others). */
		unsigned s = 0;

		if (os->fr[f].file < 0) {
			rc = write_back(os, f, &s);
			if (rc)
				return rc;
		}
		rmap_del(os, f, (unsigned)(p - os->procs), canon(os, va));
		rc = set_pte(os, pte_pa, os->fr[f].file < 0 ? swp_pte(s) : 0);
		if (rc)
			return rc;
		if (os->fr[f].file < 0)
			os->sl[s].refs++;
		pc->changed++;
		return zap_keep(&pc->z, (int)f);
	}
	rc = set_pte(os, pte_pa, pte_leaf(&os->g, 0, pa, perm, os->nxe));
	pc->changed++;
	return rc;
}

int mmu_os_mprotect(struct mmu_os *os, int pid, uint64_t addr, uint64_t len, unsigned prot)
{
	struct proc *p = get_proc(os, pid);
	struct prot_ctx pc = { 0 };
	uint64_t end, a;
	int rc;

	if (!p)
		return MMU_OS_E_NOPROC;
	len = (len + os->page - 1) & ~(os->page - 1);
	if (!range_ok(os, addr, len) || prot & ~7u)
		return MMU_E_INVAL;
	end = addr + len;
	/* every page of the range must be mapped (Linux: ENOMEM) */
	for (a = addr; a < end;) {
		const struct vma *v = find_vma(p, a);

		if (!v)
			return MMU_OS_E_SEGV;
		a = v->end;
	}
	/* split VMAs at the range's ends, then set prot inside */
	for (unsigned i = 0; i < p->nv; i++) {
		struct vma *v = &p->v[i];
		uint64_t cut = v->start < addr && v->end > addr ? addr
			     : v->start < end && v->end > end ? end : 0;

		if (cut) {
			struct vma hi = *v;

			hi.off += cut - v->start;
			hi.start = cut;
			v->end = cut;
			if (hi.file >= 0)
				os->files[hi.file].refs++;
			rc = vma_insert(p, &hi);
			if (rc)
				return rc;
			i = (unsigned)-1; /* again from the start: the array moved */
		}
	}
	for (unsigned i = 0; i < p->nv; i++)
		if (p->v[i].start >= addr && p->v[i].end <= end)
			p->v[i].prot = prot;
	rc = walk_range(os, p, addr, end, prot_leaf, &pc);
	if (!rc && pc.changed)
		rc = inval(os, MMU_INVAL_ASID, p->asid, 0);
	if (!rc && pc.changed)
		rc = fence(os);
	for (unsigned i = 0; !rc && i < pc.z.n; i++)
		rc = drop_frame(os, pc.z.frames[i]);
	free(pc.z.frames);
	return rc;
}

int mmu_os_brk(struct mmu_os *os, int pid, uint64_t addr, uint64_t *cur)
{
	struct proc *p = get_proc(os, pid);
	uint64_t old_end, new_end;
	struct vma *heap = NULL;
	int rc = 0;

	if (!p)
		return MMU_OS_E_NOPROC;
	if (!addr) {
		if (cur)
			*cur = p->brk;
		return 0;
	}
	if (addr < p->brk_base || addr > os->user_top)
		return MMU_E_INVAL;
	old_end = (p->brk + os->page - 1) & ~(os->page - 1);
	new_end = (addr + os->page - 1) & ~(os->page - 1);
	for (unsigned i = 0; i < p->nv; i++)
		if (p->v[i].heap)
			heap = &p->v[i];
	if (new_end > old_end) {
		if (overlaps(p, old_end, new_end))
			return MMU_OS_E_OOM;
		if (heap) {
			heap->end = new_end;
		} else {
			struct vma v = { p->brk_base, new_end, 0, MMU_PROT_R | MMU_PROT_W, 0, -1, 1, 0 };

			rc = vma_insert(p, &v);
		}
	} else if (new_end < old_end) {
		rc = remove_range(os, p, new_end, old_end);
	}
	if (!rc)
		p->brk = addr;
	if (cur)
		*cur = p->brk;
	return rc;
}

int mmu_os_sync(struct mmu_os *os)
{
	uint64_t dbit = pte_ad_bits(&os->g, PTE_D);

	for (unsigned f = 0; f < os->nframes; f++) {
		struct frame *fr = &os->fr[f];
		int rc;

		if (!fr->used || fr->file < 0)
			continue;
		rc = harvest_dirty(os, f);
		if (rc)
			return rc;
		if (!fr->dirty)
			continue;
		rc = io_page(os, os->files[fr->file].fd, 1, frame_data(os, f), fr->foff);
		if (rc)
			return rc;
		os->st.file_out++;
		fr->dirty = 0;
		/* clean again: clear D so the next write shows */
		for (unsigned i = 0; i < fr->nmaps; i++) {
			uint64_t pte;

			rc = dev_pte(os, fr->maps[i].pte_pa, &pte);
			if (!rc && (pte & dbit)) {
				rc = set_pte(os, fr->maps[i].pte_pa, pte & ~dbit);
				if (!rc)
					rc = inval(os, MMU_INVAL_VA_ASID,
						   os->procs[fr->maps[i].pid].asid, fr->maps[i].va);
			}
			if (rc)
				return rc;
		}
	}
	return fence(os);
}

/* ---- set-up and inspection ---- */

int mmu_os_new(struct mmu_os **out, struct dev *dev, const struct mmu_os_config *cfg,
	       char *err, size_t errlen)
{
	struct mmu_os *os;
	struct mmu_config c;
	struct mmu_policy pol = { 0 };
	int rc;

	*out = NULL;
	if (!(dev->info.modes >> cfg->mode & 1)) {
		snprintf(err, errlen, "the device is not built with this mode");
		return MMU_E_UNSUPPORTED;
	}
	if (cfg->frames < 4 || cfg->frames > (1u << 24) || cfg->swap_slots >= (1u << 19)) {
		snprintf(err, errlen, "frames must be 4..16M and swap slots fewer than 512K");
		return MMU_E_INVAL;
	}
	mmu_config_default(&c);
	c.pa_bits = dev->info.pa_bits;
	c.asid_bits = dev->info.asid_bits;
	c.tb = dev->info.tb;
	os = calloc(1, sizeof(*os));
	if (!os) {
		snprintf(err, errlen, "out of memory");
		return MMU_E_NOMEM;
	}
	os->swap_fd = -1;
	if (mmu_config_resolve(&c) || mmu_config_geometry(&c, cfg->mode, 0, &os->g)) {
		snprintf(err, errlen, "mode not available with the device's geometry");
		free(os);
		return MMU_E_INVAL;
	}
	if (os->g.x86 && cfg->ad_fault) {
		snprintf(err, errlen, "x86-64 always updates A/D in hardware: no fault policy");
		free(os);
		return MMU_E_INVAL;
	}
	*out = os;   /* from here mmu_os_free cleans up */
	os->dev = dev;
	os->mode = cfg->mode;
	os->ad_fault = cfg->ad_fault;
	os->nxe = os->g.x86;
	os->page = 1ULL << os->g.page_bits;
	os->user_top = 1ULL << (os->g.va_bits - (os->g.sign_extended ? 1 : 0));
	rc = memimg_create(&os->shadow, dev->info.mem_base, dev->info.mem_bytes, 0, err, errlen);
	if (rc)
		goto fail;
	os->pt_pages = (unsigned)(dev->info.mem_bytes / os->page);
	os->data_base = (dev->info.mem_base + dev->info.mem_bytes + os->page - 1) & ~(os->page - 1);
	if (os->g.pa_bits < 64 &&
	    os->data_base + (uint64_t)cfg->frames * os->page > (1ULL << os->g.pa_bits)) {
		snprintf(err, errlen, "%u frames do not fit the %u-bit physical address space",
			 cfg->frames, os->g.pa_bits);
		rc = MMU_E_INVAL;
		goto fail;
	}
	os->nframes = cfg->frames;
	os->nslots = cfg->swap_slots;
	os->nprocs = 1u << dev->info.asid_bits;
	if (os->nprocs > MAX_PROCS)
		os->nprocs = MAX_PROCS;
	os->pt_used = calloc(os->pt_pages ? os->pt_pages : 1, 1);
	os->data = calloc(os->nframes, (size_t)os->page);
	os->bounce = malloc((size_t)os->page);
	os->fr = calloc(os->nframes, sizeof(*os->fr));
	os->free_list = calloc(os->nframes, sizeof(*os->free_list));
	os->sl = calloc(os->nslots ? os->nslots : 1, sizeof(*os->sl));
	os->procs = calloc(os->nprocs, sizeof(*os->procs));
	if (!os->pt_used || !os->data || !os->bounce || !os->fr || !os->free_list || !os->sl || !os->procs) {
		snprintf(err, errlen, "out of memory");
		rc = MMU_E_NOMEM;
		goto fail;
	}
	for (unsigned f = 0; f < os->nframes; f++) {
		os->fr[f].slot = os->fr[f].file = -1;
		os->free_list[os->nfree++] = os->nframes - 1 - f;
	}
	for (unsigned s = 0; s < os->nslots; s++)
		os->sl[s].frame = -1;
	if (os->nslots) {
		if (cfg->swap_path) {
			os->swap_fd = open(cfg->swap_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		} else {
			char tmpl[] = "/tmp/mmu-swap-XXXXXX";

			os->swap_fd = mkstemp(tmpl);
			if (os->swap_fd >= 0)
				unlink(tmpl);
		}
		if (os->swap_fd < 0) {
			snprintf(err, errlen, "swap file: %s", strerror(errno));
			rc = MMU_E_IO;
			goto fail;
		}
	}
	pol.ad_fault = (uint8_t)cfg->ad_fault;
	pol.nxe = (uint8_t)os->nxe;
	pol.wp = 1;
	rc = dev_set_policy(dev, &pol);
	if (!rc)
		rc = inval(os, MMU_INVAL_ALL, 0, 0);
	if (!rc)
		rc = fence(os);
	if (rc) {
		snprintf(err, errlen, "device: %s", dev_strerror(rc));
		goto fail;
	}
	return 0;
fail:
	mmu_os_free(os);
	*out = NULL;
	return rc;
}

void mmu_os_free(struct mmu_os *os)
{
	if (!os)
		return;
	for (unsigned pid = 0; pid < os->nprocs && os->procs; pid++)
		if (os->procs[pid].alive)
			mmu_os_exit(os, (int)pid);
	for (unsigned f = 0; f < os->nframes && os->fr; f++)
		free(os->fr[f].maps);
	for (unsigned i = 0; i < os->nfiles; i++)
		if (os->files[i].refs)
			close(os->files[i].fd);
	if (os->swap_fd >= 0)
		close(os->swap_fd);
	memimg_free(&os->shadow);
	free(os->files);
	free(os->procs);
	free(os->sl);
	free(os->free_list);
	free(os->fr);
	free(os->data);
	free(os->bounce);
	free(os->pt_used);
	free(os);
}

void mmu_os_get_stats(struct mmu_os *os, struct mmu_os_stats *st)
{
	*st = os->st;
	st->frames_used = os->frames_in_use;
	st->frames_total = os->nframes;
	st->swap_used = os->slots_in_use;
	st->swap_total = os->nslots;
	st->tables_used = os->pt_in_use;
	st->tables_total = os->pt_pages;
}

void mmu_os_clear_stats(struct mmu_os *os)
{
	memset(&os->st, 0, sizeof(os->st));
}

int mmu_os_vma(struct mmu_os *os, int pid, unsigned i, struct mmu_vma_info *info)
{
	struct proc *p = get_proc(os, pid);
	const struct vma *v;

	if (!p)
		return MMU_OS_E_NOPROC;
	if (i >= p->nv)
		return MMU_E_RANGE;
	v = &p->v[i];
	memset(info, 0, sizeof(*info));
	info->start = v->start;
	info->end = v->end;
	info->offset = v->off;
	info->prot = v->prot;
	info->flags = v->flags;
	info->anon = v->file < 0 || v->shmem;
	info->heap = v->heap;
	if (v->file >= 0 && !v->shmem) {
		info->dev = os->files[v->file].dev;
		info->ino = os->files[v->file].ino;
	}
	return 0;
}

struct walk_ctx {
	int (*fn)(void *ctx, const struct mmu_pt_entry *e);
	void *ctx;
};

static int walk_leaf(struct mmu_os *os, struct proc *p, uint64_t va, uint64_t pte_pa, void *ctx)
{
	struct walk_ctx *w = ctx;
	struct mmu_pt_entry e = { 0 };
	int rc;

	(void)p;
	e.va = canon(os, va);
	e.pte_pa = pte_pa;
	rc = dev_pte(os, pte_pa, &e.pte);
	if (rc)
		return rc;
	e.present = pte_decode(&os->g, e.pte, 0, &e.pa) == PTE_LEAF;
	if (!e.present) {
		e.pa = 0;
		e.slot = swp_slot(e.pte);
	}
	return w->fn(w->ctx, &e);
}

int mmu_os_walk(struct mmu_os *os, int pid, int (*fn)(void *ctx, const struct mmu_pt_entry *e),
		void *ctx)
{
	struct proc *p = get_proc(os, pid);
	struct walk_ctx w = { fn, ctx };

	if (!p)
		return MMU_OS_E_NOPROC;
	return walk_range(os, p, 0, 0, walk_leaf, &w);
}

int mmu_os_context(struct mmu_os *os, int pid, unsigned *asid, uint64_t *root)
{
	struct proc *p = get_proc(os, pid);

	if (!p)
		return MMU_OS_E_NOPROC;
	*asid = p->asid;
	*root = p->root;
	return 0;
}

const struct mmu_geometry *mmu_os_geometry(const struct mmu_os *os)
{
	return &os->g;
}

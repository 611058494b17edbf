/*
 * test_os.c - the OS layer (host/os.c) on a device: the seeds' fault cases one
 * by one (segmentation and protection faults, demand paging, copy-on-write
 * after fork, swap under the clock algorithm, file mappings, mprotect, brk,
 * exec, A/D faults), then a data-integrity run of random reads and writes
 * under eviction pressure with fork and copy-on-write, against a flat
 * reference memory.
 *
 * OS_DEVICE selects the device (model, the default, or sim); OS_OPS the
 * integrity run's length (default 100000).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "board.h"
#include "cli.h"
#include "dev.h"
#include "os.h"
#include "ptgen.h"
#include "testfail.h"
#include "testmem.h"
#include "workload.h"

#define PAGE 4096u
#define RW (MMU_PROT_R | MMU_PROT_W)

static const char *device(void)
{
	const char *d = getenv("OS_DEVICE");

	return d && *d ? d : "model";
}

struct sys {
	struct dev *dev;
	struct mmu_os *os;
};

static void sys_open_cfg(struct sys *s, const char *spec, const struct mmu_config *mc,
			 uint64_t mem, const struct mmu_os_config *oc)
{
	char err[256];
	int rc = dev_open(&s->dev, spec, mc, mem, err, sizeof(err));

	if (rc)
		fail_msg("dev_open(%s): %s", spec, err);
	rc = mmu_os_new(&s->os, s->dev, oc, err, sizeof(err));
	if (rc)
		fail_msg("mmu_os_new: %s", err);
}

static void sys_open(struct sys *s, unsigned mode, unsigned frames, unsigned slots, int ad_fault)
{
	struct mmu_os_config oc = { mode, frames, slots, NULL, ad_fault };

	sys_open_cfg(s, device(), NULL, 0, &oc);
}

static void sys_close(struct sys *s)
{
	mmu_os_free(s->os);
	dev_close(s->dev);
}

static struct mmu_os_stats stats(struct sys *s)
{
	struct mmu_os_stats st;

	mmu_os_get_stats(s->os, &st);
	return st;
}

/* mmu_os_new on a fresh model with oc: its code; on failure nothing is
 * returned and the message mentions `word` (if given). */
static int os_new_rc(const struct mmu_os_config *oc, const char *word)
{
	struct dev *d;
	struct mmu_os *os;
	char err[128] = "";
	int rc;

	assert_int_equal(dev_open(&d, "model", NULL, 0, err, sizeof(err)), 0);
	rc = mmu_os_new(&os, d, oc, err, sizeof(err));
	if (rc) {
		assert_null(os);
		if (word)
			assert_non_null(strstr(err, word));
	}
	mmu_os_free(os);
	dev_close(d);
	return rc;
}

static void fill(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

/* Seed 006/007: no VMA is a segmentation fault; a VMA that forbids the
 * access is a protection fault; neither changes anything. */
static void segv_and_prot(void **state)
{
	struct sys s;
	uint64_t a, b;
	uint8_t buf[16] = { 1 };
	int pid;

	(void)state;
	sys_open(&s, MMU_MODE_SV39, 16, 16, 0);
	pid = mmu_os_spawn(s.os);
	assert_true(pid >= 0);
	assert_int_equal(mmu_os_mmap(s.os, pid, 0, 2 * PAGE, MMU_PROT_R, 0, -1, 0, &a), 0);
	assert_int_equal(mmu_vm_read(s.os, pid, a - 1, buf, 1), MMU_OS_E_SEGV);
	assert_int_equal(mmu_vm_read(s.os, pid, a + 2 * PAGE, buf, 1), MMU_OS_E_SEGV);
	assert_int_equal(mmu_vm_write(s.os, pid, a, buf, 1), MMU_OS_E_PROT);
	/* reading a read-only anonymous page: zero-filled on demand */
	assert_int_equal(mmu_vm_read(s.os, pid, a + 5, buf, 16), 0);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(mmu_vm_write(s.os, pid, a + 5, buf, 1), MMU_OS_E_PROT);
	/* a non-canonical address is a segmentation fault too */
	assert_int_equal(mmu_vm_read(s.os, pid, 1ULL << 40, buf, 1), MMU_OS_E_SEGV);
	/* execute needs PROT_X */
	assert_int_equal(mmu_os_mmap(s.os, pid, 0, PAGE, MMU_PROT_R | MMU_PROT_X, 0, -1, 0, &b), 0);
	{
		uint64_t va[3] = { b, a, a + 8 * PAGE };
		uint8_t acc[3] = { MMU_ACCESS_X, MMU_ACCESS_X, MMU_ACCESS_R };
		int res[3];

		assert_int_equal(mmu_vm_access(s.os, pid, va, acc, 3, res), 0);
		assert_int_equal(res[0], 0);
		assert_int_equal(res[1], MMU_OS_E_PROT);
		assert_int_equal(res[2], MMU_OS_E_SEGV);
	}
	struct mmu_os_stats st = stats(&s);

	assert_int_equal(st.faults[MMU_FAULT_SEGV], 4);
	assert_int_equal(st.faults[MMU_FAULT_PROT], 3);
	assert_int_equal(st.faults[MMU_FAULT_ZERO], 2);
	assert_int_equal(st.frames_used, 2);
	assert_int_equal(mmu_os_exit(s.os, pid), 0);
	st = stats(&s);
	assert_int_equal(st.frames_used, 0);
	assert_int_equal(st.tables_used, 0);
	assert_int_equal(mmu_os_exit(s.os, pid), MMU_OS_E_NOPROC);
	sys_close(&s);
}

/* Seed 008: fork shares every page read-only; the first write copies, and a
 * write to a page no one else maps any more reuses it. */
static void fork_copy_on_write(void **state)
{
	struct sys s;
	uint8_t a[PAGE], b[PAGE], got[PAGE];
	uint64_t va;
	int parent, child;

	(void)state;
	sys_open(&s, MMU_MODE_SV39, 32, 32, 0);
	parent = mmu_os_spawn(s.os);
	assert_int_equal(mmu_os_mmap(s.os, parent, 0, 4 * PAGE, RW, 0, -1, 0, &va), 0);
	fill(a, PAGE, 1);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(mmu_vm_write(s.os, parent, va + i * PAGE, a, PAGE), 0);
	child = mmu_os_fork(s.os, parent);
	assert_true(child >= 0 && child != parent);
	assert_int_equal(stats(&s).frames_used, 4);
	/* the child reads the parent's data without copying */
	assert_int_equal(mmu_vm_read(s.os, child, va + PAGE, got, PAGE), 0);
	assert_memory_equal(got, a, PAGE);
	assert_int_equal(stats(&s).frames_used, 4);
	/* the child writes: a copy; the parent still sees its own data */
	fill(b, PAGE, 2);
	assert_int_equal(mmu_vm_write(s.os, child, va + PAGE, b, PAGE), 0);
	assert_int_equal(stats(&s).faults[MMU_FAULT_COW_COPY], 1);
	assert_int_equal(stats(&s).frames_used, 5);
	assert_int_equal(mmu_vm_read(s.os, parent, va + PAGE, got, PAGE), 0);
	assert_memory_equal(got, a, PAGE);
	/* the parent's page is now its alone: writing reuses it */
	assert_int_equal(mmu_vm_write(s.os, parent, va + PAGE, b, 8), 0);
	assert_int_equal(stats(&s).faults[MMU_FAULT_COW_REUSE], 1);
	assert_int_equal(stats(&s).frames_used, 5);
	/* the child exits: its page goes, the shared ones stay the parent's */
	assert_int_equal(mmu_os_exit(s.os, child), 0);
	assert_int_equal(stats(&s).frames_used, 4);
	assert_int_equal(mmu_vm_write(s.os, parent, va, b, 8), 0);
	assert_int_equal(stats(&s).faults[MMU_FAULT_COW_REUSE], 2);
	assert_int_equal(mmu_vm_read(s.os, parent, va + 3 * PAGE, got, PAGE), 0);
	assert_memory_equal(got, a, PAGE);
	sys_close(&s);
}

/* Shared anonymous memory: shared with children even for pages first
 * touched after the fork, and across eviction. */
static void shared_anonymous(void **state)
{
	struct sys s;
	uint64_t va;
	uint8_t got[4];
	int parent, child;

	(void)state;
	sys_open(&s, MMU_MODE_SV39, 4, 16, 0);
	parent = mmu_os_spawn(s.os);
	assert_int_equal(mmu_os_mmap(s.os, parent, 0, 8 * PAGE, RW, MMU_MAP_SHARED, -1, 0, &va), 0);
	assert_int_equal(mmu_vm_write(s.os, parent, va, "par", 3), 0);
	child = mmu_os_fork(s.os, parent);
	assert_true(child >= 0);
	assert_int_equal(mmu_vm_write(s.os, child, va + 5 * PAGE, "kid", 3), 0);
	assert_int_equal(mmu_vm_read(s.os, parent, va + 5 * PAGE, got, 3), 0);
	assert_memory_equal(got, "kid", 3);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(mmu_vm_write(s.os, parent, va + i * PAGE + 100, "x", 1), 0);
	assert_true(stats(&s).evictions > 0);
	assert_int_equal(mmu_vm_read(s.os, child, va, got, 3), 0);
	assert_memory_equal(got, "par", 3);
	assert_int_equal(mmu_vm_read(s.os, child, va + 5 * PAGE, got, 3), 0);
	assert_memory_equal(got, "kid", 3);
	{
		struct mmu_vma_info v;

		assert_int_equal(mmu_os_vma(s.os, child, 0, &v), 0);
		assert_true(v.anon);
		assert_int_equal(v.flags, MMU_MAP_SHARED);
	}
	sys_close(&s);
}

/* Seed 009: more pages than frames: the clock algorithm evicts, dirty pages
 * go to swap, and every byte comes back. */
static void swap_round_trip(void **state)
{
	struct sys s;
	uint8_t buf[PAGE], got[PAGE];
	uint64_t va;
	int pid;

	(void)state;
	sys_open(&s, MMU_MODE_SV39, 6, 64, 0);
	pid = mmu_os_spawn(s.os);
	assert_int_equal(mmu_os_mmap(s.os, pid, 0, 40 * PAGE, RW, 0, -1, 0, &va), 0);
	for (unsigned i = 0; i < 40; i++) {
		fill(buf, PAGE, i + 10);
		assert_int_equal(mmu_vm_write(s.os, pid, va + i * PAGE, buf, PAGE), 0);
	}
	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < 40; i++) {
			fill(buf, PAGE, i + 10);
			assert_int_equal(mmu_vm_read(s.os, pid, va + i * PAGE, got, PAGE), 0);
			assert_memory_equal(got, buf, PAGE);
		}
	struct mmu_os_stats st = stats(&s);

	assert_true(st.evictions >= 34 + 40);
	assert_true(st.swap_out >= 34);
	assert_true(st.swap_in >= 40);
	assert_int_equal(st.faults[MMU_FAULT_ZERO], 40);
	assert_int_equal(st.frames_used, 6);
	/* the first pass only read: pages that swap still holds are not written again */
	assert_true(st.swap_out < st.evictions);
	assert_int_equal(mmu_os_munmap(s.os, pid, va, 40 * PAGE), 0);
	st = stats(&s);
	assert_int_equal(st.frames_used, 0);
	assert_int_equal(st.swap_used, 0);
	sys_close(&s);
}

/* Out of frames and swap: a clear error, and what was written survives. */
static void out_of_memory(void **state)
{
	struct sys s;
	uint8_t buf[8] = { 7 }, got[8];
	uint64_t va;
	int pid, rc = 0;
	unsigned i;

	(void)state;
	sys_open(&s, MMU_MODE_SV39, 4, 4, 0);
	pid = mmu_os_spawn(s.os);
	assert_int_equal(mmu_os_mmap(s.os, pid, 0, 16 * PAGE, RW, 0, -1, 0, &va), 0);
	for (i = 0; i < 16 && !rc; i++) {
		buf[1] = (uint8_t)i;
		rc = mmu_vm_write(s.os, pid, va + i * PAGE, buf, 8);
	}
	assert_int_equal(rc, MMU_OS_E_OOM);
	assert_int_equal(i, 9); /* 4 frames + 4 slots hold 8 pages */
	for (unsigned j = 0; j < 8; j++) {
		assert_int_equal(mmu_vm_read(s.os, pid, va + j * PAGE, got, 8), 0);
		assert_int_equal(got[1], j);
	}
	sys_close(&s);
}

/* File mappings: shared writes reach the file, private ones do not; the
 * same file mapped twice shares its pages. */
static void file_mappings(void **state)
{
	char path[] = "/tmp/test_os_XXXXXX";
	int fd = mkstemp(path);
	uint8_t buf[3 * PAGE], got[PAGE];
	struct sys s;
	uint64_t sh, pr, sh2;
	int pid;

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	fill(buf, sizeof(buf), 5);
	assert_int_equal(pwrite(fd, buf, sizeof(buf) - 100, 0), (ssize_t)sizeof(buf) - 100);
	sys_open(&s, MMU_MODE_SV39, 16, 16, 0);
	pid = mmu_os_spawn(s.os);
	assert_int_equal(mmu_os_mmap(s.os, pid, 0, 3 * PAGE, RW, MMU_MAP_SHARED, fd, 0, &sh), 0);
	assert_int_equal(mmu_os_mmap(s.os, pid, 0, 2 * PAGE, RW, 0, fd, PAGE, &pr), 0);
	assert_int_equal(mmu_os_mmap(s.os, pid, 0, PAGE, MMU_PROT_R, MMU_MAP_SHARED, fd, 0, &sh2), 0);
	/* read through the mapping: the file's bytes, zero past its end */
	assert_int_equal(mmu_vm_read(s.os, pid, sh + 2 * PAGE, got, PAGE), 0);
	assert_memory_equal(got, buf + 2 * PAGE, PAGE - 100);
	assert_int_equal(got[PAGE - 1], 0);
	/* a private write changes the mapping only */
	assert_int_equal(mmu_vm_write(s.os, pid, pr, "private", 7), 0);
	assert_int_equal(mmu_vm_read(s.os, pid, sh + PAGE, got, 7), 0);
	assert_memory_equal(got, buf + PAGE, 7);
	/* a shared write shows in the other shared mapping and reaches the file */
	assert_int_equal(mmu_vm_write(s.os, pid, sh + 10, "shared", 6), 0);
	assert_int_equal(mmu_vm_read(s.os, pid, sh2 + 10, got, 6), 0);
	assert_memory_equal(got, "shared", 6);
	assert_int_equal(mmu_os_sync(s.os), 0);
	assert_int_equal(pread(fd, got, 6, 10), 6);
	assert_memory_equal(got, "shared", 6);
	assert_int_equal(pread(fd, got, 7, PAGE), 7);
	assert_memory_equal(got, buf + PAGE, 7);
	/* written again after the sync: the private copy taken before does not
	 * see it, an untouched private page does (it is the file's page) */
	assert_int_equal(mmu_vm_write(s.os, pid, sh + PAGE + 100, "again", 5), 0);
	assert_int_equal(mmu_vm_read(s.os, pid, pr + 100, got, 5), 0);
	assert_memory_equal(got, buf + PAGE + 100, 5);
	assert_int_equal(mmu_vm_write(s.os, pid, sh + 2 * PAGE + 50, "cache", 5), 0);
	assert_int_equal(mmu_vm_read(s.os, pid, pr + PAGE + 50, got, 5), 0);
	assert_memory_equal(got, "cache", 5);
	/* unmapped: a page no one maps any more is written back; one the
	 * private mapping still shares stays in the page cache until a sync */
	assert_int_equal(mmu_os_munmap(s.os, pid, sh, 3 * PAGE), 0);
	assert_int_equal(pread(fd, got, 5, PAGE + 100), 5);
	assert_memory_equal(got, "again", 5);
	assert_int_equal(mmu_os_sync(s.os), 0);
	assert_int_equal(pread(fd, got, 5, 2 * PAGE + 50), 5);
	assert_memory_equal(got, "cache", 5);
	assert_true(stats(&s).file_out >= 2);
	sys_close(&s);
	close(fd);
}

/* A file page evicted while dirty is written back, then read in again. */
static void file_eviction(void **state)
{
	char path[] = "/tmp/test_os_XXXXXX";
	int fd = mkstemp(path);
	struct sys s;
	uint8_t got[4];
	uint64_t sh;
	int pid;

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(ftruncate(fd, 16 * PAGE), 0);
	sys_open(&s, MMU_MODE_SV39, 4, 0, 0);
	pid = mmu_os_spawn(s.os);
	assert_int_equal(mmu_os_mmap(s.os, pid, 0, 16 * PAGE, RW, MMU_MAP_SHARED, fd, 0, &sh), 0);
	for (unsigned i = 0; i < 16; i++) {
		uint8_t v[4] = { 'p', (uint8_t)i, 'g', 0 };

		assert_int_equal(mmu_vm_write(s.os, pid, sh + i * PAGE + 100, v, 4), 0);
	}
	assert_true(stats(&s).file_out >= 12); /* no swap: file pages need none */
	for (unsigned i = 0; i < 16; i++) {
		assert_int_equal(mmu_vm_read(s.os, pid, sh + i * PAGE + 100, got, 4), 0);
		assert_int_equal(got[1], i);
	}
	sys_close(&s);
	for (unsigned i = 0; i < 16; i++) {
		assert_int_equal(pread(fd, got, 4, i * PAGE + 100), 4);
		assert_int_equal(got[0], 'p');
		assert_int_equal(got[1], i);
	}
	close(fd);
}

/* mprotect takes rights away at once (the TLB is invalidated) and gives them
 * back; PROT_NONE keeps the data. */
static void mprotect_rights(void **state)
{
	struct sys s;
	uint8_t got[4];
	uint64_t va;
	int pid;

	(void)state;
	sys_open(&s, MMU_MODE_SV39, 16, 16, 0);
	pid = mmu_os_spawn(s.os);
	assert_int_equal(mmu_os_mmap(s.os, pid, 0, 4 * PAGE, RW, 0, -1, 0, &va), 0);
	assert_int_equal(mmu_vm_write(s.os, pid, va + PAGE, "abcd", 4), 0);
	assert_int_equal(mmu_vm_write(s.os, pid, va + 2 * PAGE, "efgh", 4), 0);
	/* the write is in the TLB; after mprotect it must fault */
	assert_int_equal(mmu_os_mprotect(s.os, pid, va + PAGE, PAGE, MMU_PROT_R), 0);
	assert_int_equal(mmu_vm_write(s.os, pid, va + PAGE, "x", 1), MMU_OS_E_PROT);
	assert_int_equal(mmu_vm_write(s.os, pid, va + 2 * PAGE, "E", 1), 0);
	assert_int_equal(mmu_vm_read(s.os, pid, va + PAGE, got, 4), 0);
	assert_memory_equal(got, "abcd", 4);
	{
		struct mmu_vma_info v;
		unsigned n = 0;

		while (!mmu_os_vma(s.os, pid, n, &v))
			n++;
		assert_int_equal(n, 3); /* split in three */
	}
	assert_int_equal(mmu_os_mprotect(s.os, pid, va, 4 * PAGE, 0), 0);
	assert_int_equal(mmu_vm_read(s.os, pid, va + PAGE, got, 1), MMU_OS_E_PROT);
	assert_int_equal(mmu_os_mprotect(s.os, pid, va, 4 * PAGE, RW), 0);
	assert_int_equal(mmu_vm_read(s.os, pid, va + PAGE, got, 4), 0);
	assert_memory_equal(got, "abcd", 4);
	assert_int_equal(mmu_vm_read(s.os, pid, va + 2 * PAGE, got, 4), 0);
	assert_memory_equal(got, "Efgh", 4);
	assert_int_equal(mmu_vm_write(s.os, pid, va + PAGE, "X", 1), 0);
	/* a hole: mprotect refuses */
	assert_int_equal(mmu_os_mprotect(s.os, pid, va, 5 * PAGE, RW), MMU_OS_E_SEGV);
	sys_close(&s);
}

/* brk grows the heap; shrinking drops the pages; growing again gives zeros. */
static void brk_heap(void **state)
{
	struct sys s;
	uint64_t base, cur;
	uint8_t got[4];
	int pid;

	(void)state;
	sys_open(&s, MMU_MODE_SV39, 16, 16, 0);
	pid = mmu_os_spawn(s.os);
	assert_int_equal(mmu_os_brk(s.os, pid, 0, &base), 0);
	assert_int_equal(mmu_vm_read(s.os, pid, base, got, 1), MMU_OS_E_SEGV);
	assert_int_equal(mmu_os_brk(s.os, pid, base + 3 * PAGE + 5, &cur), 0);
	assert_int_equal(cur, base + 3 * PAGE + 5);
	assert_int_equal(mmu_vm_write(s.os, pid, base + 3 * PAGE + 100, "heap", 4), 0);
	assert_int_equal(mmu_vm_read(s.os, pid, base + 4 * PAGE, got, 1), MMU_OS_E_SEGV);
	assert_int_equal(mmu_os_brk(s.os, pid, base + PAGE, &cur), 0);
	assert_int_equal(mmu_vm_read(s.os, pid, base + 3 * PAGE, got, 1), MMU_OS_E_SEGV);
	assert_int_equal(mmu_os_brk(s.os, pid, base + 4 * PAGE, &cur), 0);
	assert_int_equal(mmu_vm_read(s.os, pid, base + 3 * PAGE + 100, got, 4), 0);
	assert_memory_equal(got, "\0\0\0\0", 4);
	assert_int_equal(mmu_os_brk(s.os, pid, base - 1, &cur), MMU_E_INVAL);
	/* exec: an empty address space, same pid */
	assert_int_equal(mmu_os_exec(s.os, pid), 0);
	assert_int_equal(mmu_vm_read(s.os, pid, base, got, 1), MMU_OS_E_SEGV);
	assert_int_equal(stats(&s).frames_used, 0);
	sys_close(&s);
}

/* Svade: the handler sets A and D; the data are the same. */
static void ad_faults(void **state)
{
	struct sys s;
	uint8_t got[4];
	uint64_t va;
	int pid;

	(void)state;
	sys_open(&s, MMU_MODE_SV39, 4, 32, 1);
	pid = mmu_os_spawn(s.os);
	assert_int_equal(mmu_os_mmap(s.os, pid, 0, 12 * PAGE, RW, 0, -1, 0, &va), 0);
	/* read first: writable pages with D clear; the writes need D set */
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(mmu_vm_read(s.os, pid, va + i * PAGE, got, 1), 0);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(mmu_vm_write(s.os, pid, va + i * PAGE, "ad", 2), 0);
	assert_int_equal(stats(&s).faults[MMU_FAULT_AD], 3);
	/* under pressure the clock clears A bits of the hot pages (0-2) it
	 * passes over; touching one again needs the handler to set A */
	for (unsigned cold = 3; cold < 12; cold++) {
		uint8_t v[4] = { 'a', 'd', (uint8_t)cold, 0 };

		assert_int_equal(mmu_vm_write(s.os, pid, va + cold * PAGE, v, 4), 0);
		for (unsigned hot = 0; hot < 3; hot++) {
			assert_int_equal(mmu_vm_write(s.os, pid, va + hot * PAGE + 8, v, 4), 0);
			assert_int_equal(mmu_vm_read(s.os, pid, va + hot * PAGE + 8, got, 4), 0);
			assert_int_equal(got[2], cold);
		}
	}
	for (unsigned cold = 3; cold < 12; cold++) {
		assert_int_equal(mmu_vm_read(s.os, pid, va + cold * PAGE, got, 4), 0);
		assert_int_equal(got[2], cold);
	}
	assert_true(stats(&s).ref_cleared > 0);
	assert_true(stats(&s).faults[MMU_FAULT_AD] > 3);
	sys_close(&s);
	/* x86 has no fault policy */
	{
		struct mmu_os_config oc = { MMU_MODE_X86_64, 8, 8, NULL, 1 };

		assert_int_equal(os_new_rc(&oc, NULL), MMU_E_INVAL);
	}
}

/* ---- the data-integrity run ---- */

#define NP 4            /* processes at most */
#define PRIV_PAGES 48
#define SHARED_PAGES 16

struct world {
	struct sys s;
	int pid[NP];            /* -1 = slot empty */
	uint8_t *ref[NP];       /* each process's private region */
	uint8_t *shared;        /* the shared region, one for everyone */
	uint64_t priv_va, shared_va;
	uint64_t rng;
};

static uint64_t rnd(struct world *w, uint64_t n)
{
	return ptgen_splitmix(&w->rng) % n;
}

static void check_read(struct world *w, int k, uint64_t va, const uint8_t *ref, size_t n,
		       unsigned long op)
{
	uint8_t got[256];
	int rc = mmu_vm_read(w->s.os, w->pid[k], va, got, n);

	if (rc)
		fail_msg("op %lu: read pid %d va 0x%llx: %s", op, w->pid[k],
			 (unsigned long long)va, mmu_os_strerror(rc));
	if (memcmp(got, ref, n)) {
		for (size_t i = 0; i < n; i++)
			if (got[i] != ref[i])
				fail_msg("op %lu: pid %d va 0x%llx: byte %zu is 0x%02x, the "
					 "reference says 0x%02x", op, w->pid[k],
					 (unsigned long long)va, i, got[i], ref[i]);
	}
}

static unsigned integrity_run(unsigned mode, unsigned long ops, uint64_t seed, int ad_fault)
{
	struct world w = { 0 };
	size_t psz = (size_t)PRIV_PAGES * PAGE, ssz = (size_t)SHARED_PAGES * PAGE;
	unsigned live = 1;

	sys_open(&w.s, mode, 20, 512, ad_fault);
	w.rng = seed;
	for (int k = 0; k < NP; k++)
		w.pid[k] = -1;
	w.pid[0] = mmu_os_spawn(w.s.os);
	assert_true(w.pid[0] >= 0);
	assert_int_equal(mmu_os_mmap(w.s.os, w.pid[0], 0, psz, RW, 0, -1, 0, &w.priv_va), 0);
	assert_int_equal(mmu_os_mmap(w.s.os, w.pid[0], 0, ssz, RW, MMU_MAP_SHARED, -1, 0,
				     &w.shared_va), 0);
	w.ref[0] = calloc(1, psz);
	w.shared = calloc(1, ssz);
	assert_non_null(w.ref[0]);
	assert_non_null(w.shared);
	for (unsigned long op = 0; op < ops; op++) {
		unsigned r = (unsigned)rnd(&w, 1000);
		int k;

		do
			k = (int)rnd(&w, NP);
		while (w.pid[k] < 0);
		if (r < 6 && live < NP) {                       /* fork */
			int c = 0, child;

			while (w.pid[c] >= 0)
				c++;
			child = mmu_os_fork(w.s.os, w.pid[k]);
			if (child < 0)
				fail_msg("op %lu: fork: %s", op, mmu_os_strerror(child));
			w.pid[c] = child;
			w.ref[c] = malloc(psz);
			assert_non_null(w.ref[c]);
			memcpy(w.ref[c], w.ref[k], psz);
			live++;
		} else if (r < 10 && k != 0) {                  /* exit */
			assert_int_equal(mmu_os_exit(w.s.os, w.pid[k]), 0);
			free(w.ref[k]);
			w.ref[k] = NULL;
			w.pid[k] = -1;
			live--;
		} else {
			int shared = r < 150, write = r & 1;
			size_t sz = shared ? ssz : psz, n = 1 + (size_t)rnd(&w, 200);
			size_t off = (size_t)rnd(&w, sz - n + 1);
			uint8_t *ref = (shared ? w.shared : w.ref[k]) + off;
			uint64_t va = (shared ? w.shared_va : w.priv_va) + off;

			if (write) {
				uint8_t b[256];
				int rc;

				for (size_t i = 0; i < n; i++)
					b[i] = (uint8_t)ptgen_splitmix(&w.rng);
				rc = mmu_vm_write(w.s.os, w.pid[k], va, b, n);
				if (rc)
					fail_msg("op %lu: write pid %d va 0x%llx: %s", op, w.pid[k],
						 (unsigned long long)va, mmu_os_strerror(rc));
				memcpy(ref, b, n);
			} else {
				check_read(&w, k, va, ref, n, op);
			}
		}
	}
	/* every byte of every process, at the end */
	for (int k = 0; k < NP; k++) {
		if (w.pid[k] < 0)
			continue;
		for (size_t off = 0; off < psz; off += 256)
			check_read(&w, k, w.priv_va + off, w.ref[k] + off, 256, ops);
		for (size_t off = 0; off < ssz; off += 256)
			check_read(&w, k, w.shared_va + off, w.shared + off, 256, ops);
	}
	struct mmu_os_stats st = stats(&w.s);

	print_message("    %s, %lu operations: %llu translations, %llu evictions, %llu swap out, "
		      "%llu swap in, %llu COW copies, %llu COW reuses, %llu zero-fills, %llu A/D "
		      "faults: 0 mismatches\n", device(), ops,
		      (unsigned long long)st.translations, (unsigned long long)st.evictions,
		      (unsigned long long)st.swap_out, (unsigned long long)st.swap_in,
		      (unsigned long long)st.faults[MMU_FAULT_COW_COPY],
		      (unsigned long long)st.faults[MMU_FAULT_COW_REUSE],
		      (unsigned long long)st.faults[MMU_FAULT_ZERO],
		      (unsigned long long)st.faults[MMU_FAULT_AD]);
	/* the run must really have exercised eviction, swap and COW */
	assert_true(st.evictions > ops / 10);
	assert_true(st.swap_in > ops / 10);
	assert_true(st.faults[MMU_FAULT_COW_COPY] > ops / 500);
	for (int k = 0; k < NP; k++)
		free(w.ref[k]);
	free(w.shared);
	sys_close(&w.s);
	return 0;
}

static unsigned long ops_from_env(unsigned long dflt)
{
	const char *e = getenv("OS_OPS");

	return e && *e ? strtoul(e, NULL, 10) : dflt;
}

static void integrity_sv39(void **state)
{
	(void)state;
	integrity_run(MMU_MODE_SV39, ops_from_env(100000), 1, 0);
}

static void integrity_other_modes(void **state)
{
	unsigned long n = ops_from_env(100000) / 5;

	(void)state;
	integrity_run(MMU_MODE_X86_64, n, 2, 0);
	integrity_run(MMU_MODE_SV48, n, 3, 0);
	integrity_run(MMU_MODE_SV32, n, 4, 0);
	integrity_run(MMU_MODE_SV39, n, 5, 1);
}

/* Bad arguments: refused, nothing changed. */
static void refusals(void **state)
{
	struct sys s;
	uint64_t va, cur;
	int pid;

	(void)state;
	sys_open(&s, MMU_MODE_SV39, 8, 8, 0);
	pid = mmu_os_spawn(s.os);
	assert_int_equal(mmu_os_mmap(s.os, pid, 0, 0, RW, 0, -1, 0, &va), MMU_E_INVAL);
	assert_int_equal(mmu_os_mmap(s.os, pid, 0, PAGE, 8, 0, -1, 0, &va), MMU_E_INVAL);
	assert_int_equal(mmu_os_mmap(s.os, pid, 123, PAGE, RW, MMU_MAP_FIXED, -1, 0, &va),
			 MMU_E_INVAL);
	assert_int_equal(mmu_os_mmap(s.os, pid, 1ULL << 38, PAGE, RW, MMU_MAP_FIXED, -1, 0, &va),
			 MMU_E_INVAL);
	assert_int_equal(mmu_os_mmap(s.os, pid, 0, PAGE, RW, 0, 12345, 0, &va), MMU_E_IO);
	assert_int_equal(mmu_os_mmap(s.os, pid, 0, 1ULL << 40, RW, 0, -1, 0, &va), MMU_OS_E_OOM);
	assert_int_equal(mmu_os_mmap(s.os, 77, 0, PAGE, RW, 0, -1, 0, &va), MMU_OS_E_NOPROC);
	assert_int_equal(mmu_os_munmap(s.os, pid, 5, PAGE), MMU_E_INVAL);
	assert_int_equal(mmu_os_fork(s.os, 77), MMU_OS_E_NOPROC);
	assert_int_equal(mmu_os_brk(s.os, -1, 0, &cur), MMU_OS_E_NOPROC);
	assert_int_equal(mmu_vm_read(s.os, 9, 0, &cur, 1), MMU_OS_E_NOPROC);
	{
		uint64_t a = 0;
		uint8_t acc = 3;
		int res;

		assert_int_equal(mmu_vm_access(s.os, pid, &a, &acc, 1, &res), MMU_E_INVAL);
	}
	/* MAP_FIXED over an existing mapping replaces it */
	assert_int_equal(mmu_os_mmap(s.os, pid, 0, 2 * PAGE, RW, 0, -1, 0, &va), 0);
	assert_int_equal(mmu_vm_write(s.os, pid, va, "old", 3), 0);
	assert_int_equal(mmu_os_mmap(s.os, pid, va, PAGE, RW, MMU_MAP_FIXED, -1, 0, &cur), 0);
	{
		uint8_t got[3];

		assert_int_equal(mmu_vm_read(s.os, pid, va, got, 3), 0);
		assert_memory_equal(got, "\0\0\0", 3);
	}
	sys_close(&s);
	{
		struct mmu_os_config oc = { MMU_MODE_SV39, 2, 8, NULL, 0 };
		struct dev *d;
		char err[128];

		assert_int_equal(os_new_rc(&oc, NULL), MMU_E_INVAL);
		oc.frames = 8;
		oc.mode = MMU_MODE_TEXTBOOK;
		assert_int_equal(os_new_rc(&oc, NULL), MMU_E_UNSUPPORTED);
		oc.mode = MMU_MODE_SV39;
		oc.swap_path = "/nonexistent/dir/swap";
		assert_int_equal(os_new_rc(&oc, "swap"), MMU_E_IO);
		assert_int_equal(dev_open(&d, "usb:dead:beef", NULL, 0, err, sizeof(err)), MMU_E_IO);
		assert_non_null(strstr(err, "no USB device dead:beef found"));
		assert_int_equal(dev_open(&d, "usb:fifo:latency=0", NULL, 0, err, sizeof(err)),
				 MMU_E_INVAL);
		assert_int_equal(dev_open(&d, "floppy", NULL, 0, err, sizeof(err)), MMU_E_INVAL);
	}
}

/* Every allocation the scenario makes fails in turn, and every system call
 * of its swap file and (on the virtual board) of its link: each call
 * answers an error or succeeds, nothing crashes, nothing leaks (ASan,
 * valgrind; descriptors and processes: testfail_each), and nothing is
 * lost: after the failure, with failures held off, every page written
 * before it reads back - unless the failure took the board itself. */
static int alloc_scenario(void *ctx)
{
	struct mmu_os_config oc = { MMU_MODE_SV39, 4, 16, NULL, 0 };
	struct dev *d;
	struct mmu_os *os;
	char err[128];
	uint64_t va = 0, sh = 0;
	unsigned written = 0;
	int pid = -1, child, rc;

	(void)ctx;
	rc = dev_open(&d, device(), NULL, 0, err, sizeof(err));
	if (rc)
		return rc;
	rc = mmu_os_new(&os, d, &oc, err, sizeof(err));
	if (rc) {
		dev_close(d);
		return rc;
	}
	rc = mmu_os_spawn(os);
	if (rc >= 0) {
		pid = rc;
		rc = mmu_os_mmap(os, pid, 0, 8 * PAGE, RW, 0, -1, 0, &va);
	}
	if (!rc)
		rc = mmu_os_mmap(os, pid, 0, 2 * PAGE, RW, MMU_MAP_SHARED, -1, 0, &sh);
	for (unsigned i = 0; !rc && i < 8; i++) {
		rc = mmu_vm_write(os, pid, va + i * PAGE, &i, sizeof(i));
		if (!rc)
			written++;
	}
	if (!rc) {
		child = rc = mmu_os_fork(os, pid);
		if (rc >= 0)
			rc = mmu_vm_write(os, child, va, "c", 1);
		if (!rc)
			rc = mmu_vm_write(os, child, sh, "s", 1);
		if (!rc)
			rc = mmu_os_mprotect(os, child, va + PAGE, PAGE, MMU_PROT_R);
		if (!rc)
			rc = mmu_os_exit(os, child);
	}
	for (unsigned i = 0; !rc && i < 8; i++) {
		unsigned v = 99;

		rc = mmu_vm_read(os, pid, va + i * PAGE, &v, sizeof(v));
		if (!rc)
			assert_int_equal(v, i);
	}
	if (rc && rc != BOARD_E_GONE) {
		const char *what = testfail_fired() ? testfail_fired() : "nothing";

		testfail_hold();
		for (unsigned i = 0; i < written; i++) {
			unsigned v = 99;

			if (mmu_vm_read(os, pid, va + i * PAGE, &v, sizeof(v)))
				fail_msg("with %s failing: page %u no longer reads", what, i);
			if (v != i)
				fail_msg("with %s failing: page %u reads %u", what, i, v);
		}
	}
	mmu_os_free(os);
	dev_close(d);
	return rc < 0 ? rc : 0;
}

/* what a failed call may answer: out of memory, or (the virtual board's
 * link failing) an I/O error or the board gone */
static int failure_ok(int rc)
{
	return rc == MMU_E_NOMEM || rc == MMU_E_INVAL || rc == MMU_E_IO || rc == BOARD_E_GONE;
}

static void allocation_failures(void **state)
{
	long n;

	(void)state;
	n = testfail_each(TF_ALLOC, 1, 4000, alloc_scenario, NULL, failure_ok);
	print_message("every allocation: %ld made to fail in turn (%s)\n", n, device());
	assert_true(n > 10);
	if (!strcmp(device(), "model")) {
		n = testfail_each(TF_SYS, 1, 4000, alloc_scenario, NULL, failure_ok);
		print_message("every swap-file call: %ld made to fail in turn\n", n);
	} else {
		/* the link's system calls too: every 40th of about 850 (a
		 * run costs the scenario up to its failure: all 850 take
		 * four minutes).  40 is no multiple of 3, so the failing
		 * call moves through send, poll and recv as it moves through
		 * the scenario's operations; test_link fails every one of its
		 * own, and the model run every swap-file call. */
		n = testfail_each(TF_SYS, 40, 4000, alloc_scenario, NULL, failure_ok);
		print_message("system calls: %ld made to fail, every 40th (%s)\n", n, device());
	}
	assert_true(n > 10);
}

/* The built-in workloads, each with every allocation and every file call
 * (swap, the file workload's own file) failing in turn: 0 or a named error
 * with a message, nothing left behind, and no run that succeeds or fails
 * reports a data mismatch - an I/O error is an error, never a wrong byte. */
struct wl_case {
	enum wl_kind kind;
	const char *trace;
};

static int workload_scenario(void *ctx)
{
	const struct wl_case *k = ctx;
	struct mmu_os_config oc = { MMU_MODE_SV39, 6, 32, NULL, 0 };
	struct wl_opts o = { k->kind, 12, 300, 3, 2, 7, k->trace, NULL, NULL };
	struct wl_result r;
	struct dev *d;
	struct mmu_os *os;
	char err[256] = "";
	int rc;

	rc = dev_open(&d, "model", NULL, 0, err, sizeof(err));
	if (rc)
		return rc;
	rc = mmu_os_new(&os, d, &oc, err, sizeof(err));
	if (!rc) {
		rc = wl_run(os, &o, &r, err, sizeof(err));
		if (rc)
			assert_true(err[0] != '\0');
		else
			assert_true(r.checked > 0 || k->kind == WL_STRIDE || k->kind == WL_TRACE);
		if (r.mismatches)
			fail_msg("%s workload, %s failing: %lu mismatches (rc %d)", wl_name(k->kind),
				 testfail_fired() ? testfail_fired() : "nothing", r.mismatches, rc);
		mmu_os_free(os);
	}
	dev_close(d);
	return rc;
}

/* The distinct pages of a trace, ascending: a program's mix of revisits
 * (more pages than the loader's 16-page window of recent ones, so some
 * repeats pass it and must be removed by the sort), then no accesses. */
static void trace_pages(void **state)
{
	enum { PAGES = 40, N = 20000 };
	uint64_t va[N], base[PAGES], *pg = NULL;
	uint8_t acc[N] = {0};
	unsigned used[PAGES] = {0}, distinct = 0;
	uint64_t rng = 12345;
	size_t n = 99;
	struct wl_trace t = {.va = va, .acc = acc, .n = N, .cap = N};

	(void)state;
	for (unsigned i = 0; i < PAGES; i++) /* descending, 3 pages apart */
		base[i] = 0x7fff0000000ULL - (uint64_t)i * 3 * 4096;
	for (unsigned i = 0; i < N; i++) {
		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		/* a quarter of the accesses anywhere, the rest on 4 hot pages */
		unsigned k = (unsigned)(rng >> 33) % 4 ? (unsigned)(rng >> 40) % 4 : (unsigned)(rng >> 40) % PAGES;

		if (i % 1000 == 999)
			k = PAGES - 1 - (i / 1000) % 8;
		va[i] = base[k] + (rng >> 20) % 4096;
		distinct += !used[k]++;
	}
	assert_int_equal(wl_trace_pages(&t, 4096, &pg, &n), 0);
	assert_int_equal(n, distinct);
	for (size_t i = 0, k = PAGES; k-- > 0;)
		if (used[k])
			assert_int_equal(pg[i++], base[k]);
	free(pg);

	t.n = 0;
	assert_int_equal(wl_trace_pages(&t, 4096, &pg, &n), 0);
	assert_int_equal(n, 0);
	free(pg);
}

static void workloads_every_failing_call(void **state)
{
	char path[] = "/tmp/test-os-trace-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	long n, total = 0;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	for (unsigned i = 0; i < 40; i++)   /* the plain "VA access" form */
		fprintf(f, "0x%x %c\n", 0x400000 + (i * 7 % 16) * 4096, "rwx"[i % 3]);
	assert_int_equal(fclose(f), 0);
	for (unsigned k = 0; k < WL_COUNT; k++) {
		struct wl_case c = { (enum wl_kind)k, k == WL_TRACE ? path : NULL };

		n = testfail_each(TF_ALLOC | TF_SYS | TF_FILE, 1, 4000, workload_scenario, &c, failure_ok);
		assert_true(n > 5);
		total += n;
	}
	unlink(path);
	print_message("workloads: %ld calls made to fail in turn\n", total);
}

/* The seeds' textbook machine: 14-bit VA, 12-bit PA, 64-byte pages; page
 * tables and frames share its 4 KiB of physical memory. */
static void textbook_machine(void **state)
{
	struct mmu_config mc;
	struct mmu_os_config oc = { MMU_MODE_TEXTBOOK, 32, 64, NULL, 0 };
	struct sys s;
	char err[128];
	uint8_t buf[64], got[64];
	uint64_t va;
	int pid, child;

	(void)state;
	mmu_config_default(&mc);
	{
		unsigned mode;

		assert_int_equal(cli_mode("textbook", &mode, &mc.tb, err, sizeof(err)), 0);
	}
	mc.pa_bits = 12;
	mc.tlb_sets = 4;
	mc.tlb_ways = 4;
	sys_open_cfg(&s, "model", &mc, 1024, &oc);
	pid = mmu_os_spawn(s.os);
	assert_true(pid >= 0);
	assert_int_equal(mmu_os_mmap(s.os, pid, 0, 64 * 64, RW, 0, -1, 0, &va), 0);
	for (unsigned i = 0; i < 64; i++) {
		fill(buf, 64, i);
		assert_int_equal(mmu_vm_write(s.os, pid, va + i * 64, buf, 64), 0);
	}
	child = mmu_os_fork(s.os, pid);
	if (child >= 0) /* the root tables may not all fit in 1 KiB */
		assert_int_equal(mmu_vm_write(s.os, child, va, "c", 1), 0);
	for (unsigned i = 0; i < 64; i++) {
		fill(buf, 64, i);
		assert_int_equal(mmu_vm_read(s.os, pid, va + i * 64, got, 64), 0);
		assert_memory_equal(got, buf, 64);
	}
	assert_true(stats(&s).evictions > 0);
	sys_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(segv_and_prot),
		cmocka_unit_test(fork_copy_on_write),
		cmocka_unit_test(shared_anonymous),
		cmocka_unit_test(swap_round_trip),
		cmocka_unit_test(out_of_memory),
		cmocka_unit_test(file_mappings),
		cmocka_unit_test(file_eviction),
		cmocka_unit_test(mprotect_rights),
		cmocka_unit_test(brk_heap),
		cmocka_unit_test(ad_faults),
		cmocka_unit_test(refusals),
		cmocka_unit_test(textbook_machine),
		cmocka_unit_test(allocation_failures),
		cmocka_unit_test(trace_pages),
		cmocka_unit_test(workloads_every_failing_call),
		cmocka_unit_test(integrity_sv39),
		cmocka_unit_test(integrity_other_modes),
	};

	return cmocka_run_group_tests_name("os", tests, NULL, NULL);
}

/*
 * workload.c - workloads on the OS layer (see workload.h).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

#define RW (MMU_PROT_R | MMU_PROT_W)
#define CHUNK 4096

static const char *const names[WL_COUNT] = { "seq", "random", "stride", "cow", "file", "trace" };

int wl_parse(const char *name)
{
	for (int k = 0; k < WL_COUNT; k++)
		if (!strcmp(name, names[k]))
			return k;
	return -1;
}

const char *wl_name(enum wl_kind k)
{
	return (unsigned)k < WL_COUNT ? names[k] : "?";
}

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct ctx {
	struct mmu_os *os;
	const struct wl_opts *o;
	struct wl_result *r;
	uint64_t page;
	char *err;
	size_t errlen;
};

static void progress(struct ctx *c, unsigned long total)
{
	if (c->o->progress)
		c->o->progress(c->o->pctx, c->r->accesses, total);
}

static int fail(struct ctx *c, int rc, const char *what)
{
	snprintf(c->err, c->errlen, "%s: %s", what, mmu_os_strerror(rc));
	return rc;
}

/* The 8-byte stamp a workload writes at the start of a page. */
static uint64_t stamp(unsigned pid, unsigned page, unsigned long gen)
{
	return ((uint64_t)pid << 48) ^ ((uint64_t)page << 24) ^ gen ^ 0x5a5a000000000000ULL;
}

static int put(struct ctx *c, int pid, uint64_t va, uint64_t v)
{
	int rc = mmu_vm_write(c->os, pid, va, &v, sizeof(v));

	c->r->accesses++;
	return rc ? fail(c, rc, "write") : 0;
}

static int check(struct ctx *c, int pid, uint64_t va, uint64_t want)
{
	uint64_t got;
	int rc = mmu_vm_read(c->os, pid, va, &got, sizeof(got));

	c->r->accesses++;
	if (rc)
		return fail(c, rc, "read");
	c->r->checked += sizeof(got);
	if (got != want)
		c->r->mismatches++;
	return 0;
}

/*
 * A program touches a page more than once: a page visit is LINES accesses,
 * 8 bytes at the start of each of LINES equal parts of the page (writes:
 * the stamp ^ line; reads: checked against it).
 */
#define LINES 16

static int visit(struct ctx *c, int pid, uint64_t va, int write, uint64_t v)
{
	int rc = 0;

	for (unsigned l = 0; l < LINES && !rc; l++) {
		uint64_t at = va + l * (c->page / LINES);

		rc = write ? put(c, pid, at, v ^ l) : check(c, pid, at, v ^ l);
	}
	return rc;
}

static int run_seq(struct ctx *c, int pid, uint64_t base)
{
	unsigned long passes = c->o->accesses / (2UL * LINES * c->o->pages);
	int rc = 0;

	if (!passes)
		passes = 1;
	for (unsigned long p = 0; p < passes && !rc; p++) {
		for (unsigned i = 0; i < c->o->pages && !rc; i++)
			rc = visit(c, pid, base + i * c->page, 1, stamp((unsigned)pid, i, p));
		for (unsigned i = 0; i < c->o->pages && !rc; i++)
			rc = visit(c, pid, base + i * c->page, 0, stamp((unsigned)pid, i, p));
		progress(c, passes * 2 * LINES * c->o->pages);
	}
	return rc;
}

static int run_random(struct ctx *c, int pid, uint64_t base)
{
	uint64_t *ref = calloc(c->o->pages, sizeof(*ref)), s = c->o->seed;
	int rc = 0;

	if (!ref)
		return MMU_E_NOMEM;
	/* every page starts zero-filled: the reference says 0.  Locality: 80%
	 * of the accesses go to the first fifth of the pages. */
	unsigned hot = c->o->pages / 5 ? c->o->pages / 5 : 1;

	for (unsigned long n = 0; n < c->o->accesses && !rc; n++) {
		uint64_t x = mix(&s);
		unsigned page = (unsigned)((x >> 8) % 5 ? x % hot : x % c->o->pages);
		uint64_t va = base + page * c->page + ((x >> 32) % (c->page / 8)) * 8;

		if (x & (1ULL << 62)) {
			ref[page] = x;
			rc = put(c, pid, va & ~(c->page - 1), x);
		} else {
			rc = check(c, pid, va & ~(c->page - 1), ref[page]);
		}
		if ((n & 1023) == 1023)
			progress(c, c->o->accesses);
	}
	free(ref);
	return rc;
}

static int run_stride(struct ctx *c, int pid, uint64_t base)
{
	uint64_t *va = malloc(CHUNK * sizeof(*va));
	uint8_t *acc = malloc(CHUNK);
	int *res = malloc(CHUNK * sizeof(*res)), rc = 0;
	unsigned long done = 0, pos = 0;

	if (!va || !acc || !res) {
		free(va);
		free(acc);
		free(res);
		return MMU_E_NOMEM;
	}
	while (done < c->o->accesses && !rc) {
		size_t n = c->o->accesses - done < CHUNK ? c->o->accesses - done : CHUNK;

		for (size_t i = 0; i < n; i++, pos += c->o->stride) {
			va[i] = base + (pos % c->o->pages) * c->page;
			acc[i] = (pos / c->o->pages) & 1 ? MMU_ACCESS_W : MMU_ACCESS_R;
		}
		rc = mmu_vm_access(c->os, pid, va, acc, n, res);
		if (rc)
			rc = fail(c, rc, "access");
		for (size_t i = 0; i < n && !rc; i++)
			if (res[i])
				return fail(c, res[i], "stride access");
		done += n;
		c->r->accesses += n;
		progress(c, c->o->accesses);
	}
	free(va);
	free(acc);
	free(res);
	return rc;
}

/* fork + COW: the parent stamps every page, forks, each child overwrites
 * its share and checks all; the parent checks its own data is untouched. */
static int run_cow(struct ctx *c, int pid, uint64_t base)
{
	unsigned kids = c->o->children ? c->o->children : 1;
	unsigned long per_round = (unsigned long)LINES * c->o->pages * (2 + 2 * kids);
	unsigned long rounds = c->o->accesses / per_round;
	int rc = 0;

	if (!rounds)
		rounds = 1;
	for (unsigned long g = 0; g < rounds && !rc; g++) {
		for (unsigned i = 0; i < c->o->pages && !rc; i++)
			rc = visit(c, pid, base + i * c->page, 1, stamp((unsigned)pid, i, g));
		for (unsigned k = 0; k < kids && !rc; k++) {
			int child = mmu_os_fork(c->os, pid);

			if (child < 0)
				return fail(c, child, "fork");
			/* the child writes every page with index = k mod kids+1, reads all */
			for (unsigned i = 0; i < c->o->pages && !rc; i++)
				if (i % (kids + 1) == k)
					rc = visit(c, child, base + i * c->page, 1,
						   stamp((unsigned)child, i, g));
			for (unsigned i = 0; i < c->o->pages && !rc; i++)
				rc = visit(c, child, base + i * c->page, 0,
					   i % (kids + 1) == k ? stamp((unsigned)child, i, g)
							       : stamp((unsigned)pid, i, g));
			if (!rc) {
				rc = mmu_os_exit(c->os, child);
				if (rc)
					rc = fail(c, rc, "exit");
			}
		}
		for (unsigned i = 0; i < c->o->pages && !rc; i++)
			rc = visit(c, pid, base + i * c->page, 0, stamp((unsigned)pid, i, g));
		progress(c, rounds * per_round);
	}
	return rc;
}

static int run_file(struct ctx *c, int pid)
{
	char tmpl[] = "/tmp/mmuctl-file-XXXXXX";
	uint64_t size = (uint64_t)c->o->pages * c->page, base, s = c->o->seed;
	uint8_t *buf = malloc((size_t)c->page);
	int fd, rc = 0, own = !c->o->path;

	if (!buf)
		return MMU_E_NOMEM;
	if (own) {
		fd = mkstemp(tmpl);
		if (fd >= 0)
			unlink(tmpl);
	} else {
		fd = open(c->o->path, O_RDWR);
	}
	if (fd < 0) {
		snprintf(c->err, c->errlen, "%s: %s", own ? "temporary file" : c->o->path,
			 strerror(errno));
		free(buf);
		return MMU_E_IO;
	}
	if (own) {
		for (unsigned i = 0; i < c->o->pages && !rc; i++) {
			for (uint64_t j = 0; j < c->page; j += 8) {
				uint64_t v = mix(&s);

				memcpy(buf + j, &v, 8);
			}
			if (pwrite(fd, buf, (size_t)c->page, (off_t)(i * c->page)) != (ssize_t)c->page)
				rc = MMU_E_IO;
		}
	} else {
		off_t end = lseek(fd, 0, SEEK_END);

		if (end <= 0)
			rc = MMU_E_IO;
		else if ((uint64_t)end < size)
			size = ((uint64_t)end + c->page - 1) & ~(c->page - 1);
	}
	if (!rc)
		rc = mmu_os_mmap(c->os, pid, 0, size, RW, MMU_MAP_SHARED, fd, 0, &base);
	if (rc) {
		snprintf(c->err, c->errlen, "mapping the file: %s", mmu_os_strerror(rc));
		close(fd);
		free(buf);
		return rc;
	}
	unsigned pages = (unsigned)(size / c->page);
	unsigned long passes = c->o->accesses / (2UL * pages) + 1;

	for (unsigned long p = 0; p < passes && !rc; p++) {
		/* read every page through the mapping and compare with the file */
		for (unsigned i = 0; i < pages && !rc; i++) {
			uint64_t got, want = 0;

			/* past the end of file: 0, as the mapping reads; a
			 * failed read is an error, not a mismatch */
			if (pread(fd, &want, 8, (off_t)(i * c->page + (p % 64) * 8)) < 0) {
				rc = MMU_E_IO;
				break;
			}
			rc = mmu_vm_read(c->os, pid, base + i * c->page + (p % 64) * 8, &got, 8);
			c->r->accesses++;
			c->r->checked += 8;
			if (!rc && got != want)
				c->r->mismatches++;
		}
		/* write a stamp into every page, sync, and find it in the file */
		for (unsigned i = 0; i < pages && !rc; i++)
			rc = put(c, pid, base + i * c->page + (p % 64) * 8, stamp(0, i, p));
		if (!rc)
			rc = mmu_os_sync(c->os);
		for (unsigned i = 0; i < pages && !rc; i++) {
			uint64_t got = 0;

			if (pread(fd, &got, 8, (off_t)(i * c->page + (p % 64) * 8)) != 8) {
				rc = MMU_E_IO;
				break;
			}
			c->r->checked += 8;
			if (got != stamp(0, i, p))
				c->r->mismatches++;
		}
		progress(c, passes * 2 * pages);
	}
	if (rc && !c->err[0])
		fail(c, rc, "file workload");
	mmu_os_munmap(c->os, pid, base, size);
	close(fd);
	free(buf);
	return rc;
}

/* ---- traces ---- */

static int trace_add(struct wl_trace *t, uint64_t va, uint8_t acc)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 4096;
		uint64_t *v = realloc(t->va, cap * sizeof(*v));
		uint8_t *a;

		if (!v)
			return MMU_E_NOMEM;
		t->va = v;
		a = realloc(t->acc, cap);
		if (!a)
			return MMU_E_NOMEM;
		t->acc = a;
		t->cap = cap;
	}
	t->va[t->n] = va;
	t->acc[t->n++] = acc;
	return 0;
}

/*
 * One line: lackey ("I  addr,size", " L addr,size", " S ...", " M ..." - M
 * is a read then a write) or plain ("VA r|w|x").  Lines starting with "=="
 * or "#", and blank lines, are skipped.  0, or -1 if malformed.
 */
static int trace_line(struct wl_trace *t, const char *line, uint64_t page)
{
	const char *p = line;
	char kind, *end;
	uint64_t va, size = 1;
	int rc = 0;

	if (!strncmp(p, "==", 2) || *p == '#')
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == '\n')
		return 0;
	if ((p[0] == 'I' || p[0] == 'L' || p[0] == 'S' || p[0] == 'M') && p[1] == ' ') {
		kind = p[0];
		p += 2;
		while (*p == ' ')
			p++;
		errno = 0;
		va = strtoull(p, &end, 16);
		if (end == p || *end != ',' || errno)
			return -1;
		size = strtoull(end + 1, &end, 10);
		if (!size || size > page)
			return -1;
	} else {
		errno = 0;
		va = strtoull(p, &end, 0);
		if (end == p || errno || !isspace((unsigned char)*end))
			return -1;
		while (*end == ' ' || *end == '\t')
			end++;
		kind = *end == 'r' ? 'L' : *end == 'w' ? 'S' : *end == 'x' ? 'I' : 0;
		if (!kind)
			return -1;
		end++;
		while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
			end++;
		if (*end && *end != '#')
			return -1;
	}
	/* an access that crosses a page is two */
	for (uint64_t a = va & ~(page - 1); !rc && a <= ((va + size - 1) & ~(page - 1)); a += page) {
		uint64_t at = a < va ? va : a;

		if (kind == 'I')
			rc = trace_add(t, at, MMU_ACCESS_X);
		else if (kind == 'L' || kind == 'M')
			rc = trace_add(t, at, MMU_ACCESS_R);
		if (!rc && (kind == 'S' || kind == 'M'))
			rc = trace_add(t, at, MMU_ACCESS_W);
	}
	return rc ? -2 : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Map every run of touched pages (gaps under 16 pages joined) rwx. */
int wl_trace_pages(const struct wl_trace *t, uint64_t page, uint64_t **pages, size_t *count)
{
	uint64_t *pg = malloc((t->n ? t->n : 1) * sizeof(*pg));
	uint64_t recent[16];
	size_t n = 0, m = 0, nrecent = 0, next = 0;

	*pages = NULL;
	*count = 0;
	if (!pg)
		return MMU_E_NOMEM;
	/* A program's accesses come back to a few pages (code, stack, data)
	 * all the time: pages among the last 16 distinct ones are not listed
	 * again, so the sort sees a short list (sorting every access was most
	 * of a trace's setup).  The sort and the pass after it remove the
	 * repeats the filter lets through. */
	for (size_t i = 0; i < t->n; i++) {
		uint64_t p = t->va[i] & ~(page - 1);
		size_t k = 0;

		while (k < nrecent && recent[k] != p)
			k++;
		if (k < nrecent)
			continue;
		recent[next] = p;
		next = (next + 1) % 16;
		if (nrecent < 16)
			nrecent++;
		pg[n++] = p;
	}
	qsort(pg, n, sizeof(*pg), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (!m || pg[i] != pg[m - 1])
			pg[m++] = pg[i];
	n = m;
	*pages = pg;
	*count = n;
	return 0;
}

static int trace_vmas(struct ctx *c, int pid, const struct wl_trace *t)
{
	uint64_t *pg;
	size_t n;
	int rc = wl_trace_pages(t, c->page, &pg, &n);

	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc;) {
		size_t j = i;

		while (j + 1 < n && pg[j + 1] - pg[j] <= 16 * c->page)
			j++;
		rc = mmu_os_mmap(c->os, pid, pg[i], pg[j] - pg[i] + c->page,
				 MMU_PROT_R | MMU_PROT_W | MMU_PROT_X, MMU_MAP_FIXED, -1, 0, NULL);
		if (rc == MMU_E_INVAL)
			rc = 0; /* outside the mode's user space: those accesses fault */
		i = j + 1;
	}
	free(pg);
	return rc;
}

int wl_trace_load(const char *path, uint64_t page, struct wl_trace *t, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int rc = 0;

	memset(t, 0, sizeof(*t));
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return MMU_E_IO;
	}
	while (!rc && fgets(line, sizeof(line), f)) {
		t->lines++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%lu: line too long", path, t->lines);
			rc = MMU_E_FORMAT;
			break;
		}
		rc = trace_line(t, line, page);
		if (rc == -1) {
			snprintf(err, errlen, "%s:%lu: not a lackey or \"VA r|w|x\" line: %.60s",
				 path, t->lines, line);
			rc = MMU_E_FORMAT;
		} else if (rc) {
			snprintf(err, errlen, "%s: out of memory", path);
			rc = MMU_E_NOMEM;
		}
	}
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = MMU_E_IO;
	}
	fclose(f);
	if (!rc && !t->n) {
		snprintf(err, errlen, "%s: no accesses in the trace", path);
		rc = MMU_E_FORMAT;
	}
	if (rc)
		wl_trace_free(t);
	return rc;
}

void wl_trace_free(struct wl_trace *t)
{
	free(t->va);
	free(t->acc);
	t->va = NULL;
	t->acc = NULL;
	t->n = t->cap = 0;
}

static int run_trace(struct ctx *c, int pid)
{
	struct wl_trace t;
	int *res = NULL, rc;

	rc = wl_trace_load(c->o->path, c->page, &t, c->err, c->errlen);
	c->r->trace_lines = t.lines;
	if (!rc)
		rc = trace_vmas(c, pid, &t);
	if (!rc) {
		res = malloc(CHUNK * sizeof(*res));
		if (!res)
			rc = MMU_E_NOMEM;
	}
	for (size_t done = 0; !rc && done < t.n;) {
		size_t n = t.n - done < CHUNK ? t.n - done : CHUNK;

		rc = mmu_vm_access(c->os, pid, t.va + done, t.acc + done, n, res);
		for (size_t i = 0; !rc && i < n; i++) {
			c->r->segv += res[i] == MMU_OS_E_SEGV;
			c->r->prot += res[i] == MMU_OS_E_PROT;
		}
		done += n;
		c->r->accesses += n;
		progress(c, t.n);
	}
	if (rc && !c->err[0])
		fail(c, rc, "trace");
	free(res);
	wl_trace_free(&t);
	return rc;
}

int wl_run(struct mmu_os *os, const struct wl_opts *o, struct wl_result *r, char *err,
	   size_t errlen)
{
	struct ctx c = { os, o, r, 1ULL << mmu_os_geometry(os)->page_bits, err, errlen };
	uint64_t base = 0;
	double t0;
	int pid, rc = 0;

	memset(r, 0, sizeof(*r));
	err[0] = '\0';
	if ((unsigned)o->kind >= WL_COUNT || !o->pages || (o->kind == WL_STRIDE && !o->stride) ||
	    (o->kind == WL_TRACE && !o->path)) {
		snprintf(err, errlen, "invalid workload options");
		return MMU_E_INVAL;
	}
	pid = mmu_os_spawn(os);
	if (pid < 0)
		return fail(&c, pid, "spawn");
	r->pid = pid;
	if (o->kind != WL_FILE && o->kind != WL_TRACE) {
		rc = mmu_os_mmap(os, pid, 0, (uint64_t)o->pages * c.page, RW, 0, -1, 0, &base);
		if (rc)
			return fail(&c, rc, "mmap");
	}
	t0 = now();
	switch (o->kind) {
	case WL_SEQ: rc = run_seq(&c, pid, base); break;
	case WL_RANDOM: rc = run_random(&c, pid, base); break;
	case WL_STRIDE: rc = run_stride(&c, pid, base); break;
	case WL_COW: rc = run_cow(&c, pid, base); break;
	case WL_FILE: rc = run_file(&c, pid); break;
	default: rc = run_trace(&c, pid); break;
	}
	r->seconds = now() - t0;
	if (rc && !err[0])
		fail(&c, rc, wl_name(o->kind));
	return rc;
}

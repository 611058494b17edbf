/*
 * workload.h - workloads that run on the OS layer (os.h): what `mmuctl run`
 * replays.  Those that move data check every byte they read against what
 * they wrote; a trace only translates.
 */
#ifndef WORKLOAD_H
#define WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "os.h"

enum wl_kind {
	WL_SEQ,     /* write then read every page in order, pass after pass */
	WL_RANDOM,  /* random reads and writes over the pages */
	WL_STRIDE,  /* every stride-th page, round and round (translation only) */
	WL_COW,     /* a parent fills its pages, forks children that write some */
	WL_FILE,    /* mmap of a file, shared: read it, write it, sync, check the file */
	WL_TRACE,   /* a valgrind lackey trace, or "VA r|w|x" lines */
	WL_COUNT
};

struct wl_opts {
	enum wl_kind kind;
	unsigned pages;          /* working set, in pages */
	unsigned long accesses;  /* how many (approximately, for seq and cow) */
	unsigned stride;         /* WL_STRIDE */
	unsigned children;       /* WL_COW */
	uint64_t seed;
	const char *path;        /* WL_TRACE: the trace; WL_FILE: the file (NULL: a temporary one) */
	/* called now and then with accesses done so far (may be NULL) */
	void (*progress)(void *ctx, unsigned long done, unsigned long total);
	void *pctx;
};

struct wl_result {
	unsigned long accesses;   /* accesses made (one per page touched) */
	unsigned long checked;    /* bytes compared with what the workload wrote */
	unsigned long mismatches; /* of those, different: must be 0 */
	unsigned long segv, prot; /* faults the workload met (a trace may) */
	unsigned long trace_lines;
	int pid;                  /* the main process (still alive: for maps and pt) */
	double seconds;           /* wall time of the workload itself */
};

/* Parse a workload name; -1 if unknown. */
int wl_parse(const char *name);
const char *wl_name(enum wl_kind k);

/* Run on os; 0, or an error with a reason in err. */
int wl_run(struct mmu_os *os, const struct wl_opts *o, struct wl_result *r, char *err,
	   size_t errlen);

/* An address trace: a valgrind lackey trace (valgrind --tool=lackey
 * --trace-mem=yes; "M" is a read then a write) or "VA r|w|x" lines, one
 * access per page an access touches (page bytes a page).  Also the
 * co-simulation's --addr-trace. */
struct wl_trace {
	uint64_t *va;
	uint8_t *acc;             /* MMU_ACCESS_* */
	size_t n, cap;
	unsigned long lines;
};
/* Load path; 0, or an error (MMU_E_IO, MMU_E_FORMAT with the line,
 * MMU_E_NOMEM) with a reason in err and nothing held. */
int wl_trace_load(const char *path, uint64_t page, struct wl_trace *t, char *err, size_t errlen);
void wl_trace_free(struct wl_trace *t);
/* The distinct pages the trace touches, ascending, in a new array (*pages,
 * free it); 0 or MMU_E_NOMEM. */
int wl_trace_pages(const struct wl_trace *t, uint64_t page, uint64_t **pages, size_t *count);

#endif

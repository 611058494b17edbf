/*
 * cosim.h - the C half of the lockstep co-simulation: stimulus, the reference
 * model, two memories (one behind the RTL's Wishbone port, one behind the
 * model), and every comparison.  The Verilator driver (cosim_main.cpp) only
 * moves bits between this and the RTL's ports.
 *
 * Flow, modelled on the Ibex cosim interface: the driver asks for the next
 * action, drives it into the RTL, and reports what the RTL committed (a
 * response, a completed control operation, a memory write, an entry read
 * through the inspection port); this file steps the model to the same point
 * and compares.  Every check returns 0, or -1 with cosim_error() describing
 * the first divergence (seed, transaction number, request, both answers).
 */
#ifndef COSIM_H
#define COSIM_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "mmu_model.h"
#include "ptgen.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cosim_trace;         /* an address trace (cosim_trace_load) */
struct cosim_script;        /* a directed test (cosim_script_load) */
struct cosim;

struct cosim_cfg {
	unsigned mode;          /* MMU_MODE_* */
	uint64_t seed;
	unsigned requests;
	struct mmu_config geometry; /* must match the RTL's parameters */
	/* Replay this trace instead of random stimulus: every access once, in
	 * order, user mode, one address space whose tables map every page the
	 * trace touches (read, write, execute, user; A and D clear, so the
	 * hardware sets them); the policy is all off.  No PTE mutations;
	 * requests is the trace's length. */
	const struct cosim_trace *trace;
	/* Or run this directed test: its memory words, control operations and
	 * requests in order, each response compared with the model's as always
	 * and, where the script gives one, with the expected answer too.  Seed
	 * and requests are ignored. */
	const struct cosim_script *script;
	/* The RTL answers hits while a walk is in flight (its HUM parameter):
	 * answers may come out of request order, matched by tag, and the model
	 * takes each request when the RTL answers it.  Without it an answer
	 * out of order is a divergence. */
	int hum;
	/* Where random requests go (ptgen.h; zero: the default mix). */
	struct ptgen_locality loc;
	/* Dense page tables (ptgen.h) instead of sparse ones. */
	int dense;
};

/* Load a directed test, in the transaction-log format (tools/txlog.sh):
 *   M ADDR DATA                       a 64-bit memory word (hex), set at that point
 *   C OP KIND MODE ASID DATA          a control operation (op 0 context, 1 policy,
 *                                     2 invalidate, 3 clear counters; hex)
 *   Q TAG ASID VA ACCESS PRIV         a request (hex)
 *   R TAG CAUSE LEVEL PA PERM SHIFT HIT EXC ERR   the answer the previous
 *                                     request must get (hex; optional)
 * "#" starts a comment.  0, or an error with the line in err. */
int cosim_script_load(const char *path, struct cosim_script **out, char *err, size_t errlen);
void cosim_script_free(struct cosim_script *s);
unsigned cosim_script_requests(const struct cosim_script *s);
/* Answers so far that equalled the script's expected ones. */
unsigned cosim_directed_ok(const struct cosim *c);

/* Load a valgrind lackey trace or "VA r|w|x" lines (host/workload.h), 4 KiB
 * pages; 0, or an error with a reason in err. */
int cosim_trace_load(const char *path, struct cosim_trace **out, char *err, size_t errlen);
size_t cosim_trace_len(const struct cosim_trace *t);
/* Pages of the trace this mode could not map (outside its VA space): their
 * accesses fault in both. */
unsigned cosim_trace_unmapped(const struct cosim *c);
void cosim_trace_free(struct cosim_trace *t);

enum cosim_act { COSIM_REQ, COSIM_CTL, COSIM_CHECK, COSIM_END };

/* A control operation, as the RTL's ctl port takes it. */
struct cosim_ctl {
	unsigned op;    /* 0 context, 1 policy, 2 invalidate, 3 clear counters */
	unsigned kind;  /* invalidation kind */
	unsigned mode;
	unsigned asid;
	uint64_t data;  /* root PA, VA, or policy bits */
};

struct cosim;

int cosim_new(const struct cosim_cfg *cfg, struct cosim **out);
void cosim_free(struct cosim *c);
/* Start the transaction log of cosim --log on f: write the read-only window
 * ("P LO HI": writes in [LO, HI) end in a bus error), the memory image
 * (every nonzero 64-bit word as "M ADDR DATA"), and from now on each change
 * the stimulus makes (a PTE mutation before its invalidation) the same
 * way, the whole word after the change. */
void cosim_set_log(struct cosim *c, FILE *f);
const char *cosim_error(const struct cosim *c);
unsigned cosim_hits(const struct cosim *c);
/* PTE changes so far, and how many of them had no invalidation after them. */
void cosim_mutations(const struct cosim *c, unsigned *all, unsigned *silent);
/* The random run is over: the check cosim_next just returned is the last. */
int cosim_final(const struct cosim *c);

/* The next thing to do.  With requests in flight (handed out, not yet
 * answered) only a plain request may come next: see cosim_next_plain;
 * otherwise cosim_next returns COSIM_END with an error (cosim_error). */
enum cosim_act cosim_next(struct cosim *c, struct mmu_request *q, struct cosim_ctl *ctl);
/* 1 if the next cosim_next hands out a request and does nothing before it:
 * no control operation, state check, PTE change or end.  A driver that
 * keeps requests in flight asks for the next action only then, and drains
 * its responses first otherwise. */
int cosim_next_plain(const struct cosim *c);

/* The RTL's memory port. */
int cosim_mem_read(struct cosim *c, uint64_t pa, uint64_t *data);
int cosim_mem_write(struct cosim *c, uint64_t pa, uint64_t data, uint8_t sel);

/* What the RTL committed. */
int cosim_on_response(struct cosim *c, const struct mmu_response *rtl);
int cosim_on_ctl(struct cosim *c, const struct cosim_ctl *ctl);
/* State read through the inspection port: array 0 base (index set*ways+way),
 * 1 superpage, 2 PWC; PLRU words (index: set, sets = superpage, sets+1 = PWC);
 * counters. */
int cosim_check_entry(struct cosim *c, unsigned array, unsigned index, const struct mmu_entry *rtl);
int cosim_check_plru(struct cosim *c, unsigned index, uint32_t rtl);
int cosim_check_counter(struct cosim *c, unsigned index, uint32_t rtl);
/* Context ASID as the inspection port reads it: mode above the root's frame. */
int cosim_check_context(struct cosim *c, unsigned asid, uint64_t rtl);
/* A value the RTL must read as zero (an inspection of an array that does not exist). */
int cosim_check_zero(struct cosim *c, const char *what, uint64_t rtl);
/* A request for a throughput stream: one of the last 4 that translated.
 * Requests may be issued ahead of their responses (up to 8 in flight);
 * responses are matched in order. */
int cosim_stream_request(struct cosim *c, struct mmu_request *q);
/*
 * Invalidations racing walks.  cosim_race: 1 if request q (just handed out
 * by cosim_next) is to meet an invalidation while it walks; the driver
 * raises ctl_valid once the RTL has completed *after_ops memory operations
 * of the walk, and holds the next operation's acknowledge until the RTL
 * takes the invalidation, so that it lands mid-walk.  cosim_race_accepted:
 * the RTL took it after k of the walk's n memory operations had completed
 * (call before cosim_on_response; the model applies it inside its (k+1)-th
 * operation, docs/spec-tlb.md "A walk in flight").  The invalidation counts
 * as complete with the response.  cosim_races: mid-walk races so far, per
 * invalidation kind.
 */
int cosim_race(struct cosim *c, const struct mmu_request *q, struct cosim_ctl *ctl,
	       unsigned *after_ops);
void cosim_race_accepted(struct cosim *c, const struct cosim_ctl *ctl, unsigned k, unsigned n);
void cosim_races(const struct cosim *c, unsigned out[4]);
/* Functional coverage of the stimulus, counted from the model's answers:
 * level x cause x access x privilege; how each request was answered (TLB
 * hit, walk from the page-walk cache, full walk, or no walk at all: a fault
 * found before any read); invalidations of each kind taken mid-walk after
 * 0, 1, 2 or 3+ memory operations.  Every member is an unsigned long. */
struct cosim_cover {
	unsigned long bins[5][MMU_CAUSE_COUNT][3][2];
	unsigned long hits, pwc_walks, full_walks, no_walk;
	unsigned long races[4][4];
	unsigned long out_of_order;     /* answers that overtook an older request */
};
void cosim_cover_add(const struct cosim *c, struct cosim_cover *sum);
/* The last (up to 8) completed transactions, one line each, into buf. */
size_t cosim_history(const struct cosim *c, char *buf, size_t n);
/* Some request has translated since the last page-table change. */
int cosim_stream_ready(const struct cosim *c);

#ifdef __cplusplus
}
#endif

#endif

/*
 * cosim.c - stimulus, model stepping and comparison for the co-simulation
 * (see cosim.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cosim.h"
#include "memimg.h"
#include "mkpt.h"
#include "ptgen.h"
#include "workload.h"

#define MEM_SIZE (1u << 20)
#define WLOG 16

struct wr {
	uint64_t pa, data;
	uint8_t sel;
};

struct cosim {
	struct cosim_cfg cfg;
	struct memimg rtl_mem, model_mem;
	struct mmu_model *m;
	struct ptgen gen;
	struct mmu_policy pol;
	unsigned nasid;
	uint64_t roots[3];     /* [0]: outside memory (ptgen.outside_root) */
	int root0_pending;
	uint64_t ro_lo, ro_hi; /* writes here end in a bus error (page tables in ROM) */
	/* script */
	unsigned setup_step;
	unsigned n_req;          /* requests issued */
	unsigned n_done;         /* transactions completed */
	unsigned hits;
	int final;               /* the last check has been handed out */
	int check_pending;
	struct mmu_request pending[8];   /* issued, not yet answered (in order) */
	unsigned pend_head, pend_count;
	struct mmu_request ok_ring[16];  /* recent requests that translated, since the last PTE change */
	unsigned ok_count;
	struct mmu_request replay[16];   /* the same, kept across PTE changes: replayed */
	unsigned n_replay;
	unsigned mutations, silent_mutations;
	int stale;     /* a PTE changed without an invalidation since the last invalidate-all:
			* a walk may start from a stale page-walk-cache entry */
	unsigned cleared_at; /* n_req + 1 when counters were last cleared */
	unsigned n_stream;   /* stream requests issued */
	struct mmu_request set_group[16]; /* base entries sharing one set */
	unsigned n_group;
	struct mmu_request mix_cold;     /* the mixed stream's last random request */
	/* memory write logs since the last response */
	struct wr rtl_w[WLOG], model_w[WLOG];
	unsigned n_rtl_w, n_model_w;
	/* an invalidation racing the next walk: applied to the model inside its
	 * race_at-th memory operation (1-based), as the RTL took it */
	uint64_t race_rng;
	int race_armed, race_used;
	unsigned race_at, ops_seen;
	struct cosim_ctl race_ctl;
	unsigned races[4];      /* mid-walk races per invalidation kind */
	/* the last transactions, for the report of a divergence */
	struct hist {
		unsigned n;
		int ctl;                /* a control operation (else a request) */
		struct cosim_ctl c;
		struct mmu_request q;
		struct mmu_response r;
	} hist[8];
	unsigned n_hist;
	struct cosim_cover cov;
	unsigned trace_unmapped;
	size_t script_at;        /* the next directed-test line */
	const struct sop *expect; /* the answer the pending request must get */
	unsigned directed_ok;    /* answers that equalled the script's */
	FILE *log;               /* cosim_set_log */
	char err[1024];
};

/* ---- directed tests ---- */

struct sop {
	char kind;                 /* 'M', 'C', 'Q' */
	uint64_t v[5];
	int expect;                /* Q: an expected answer follows */
	unsigned care;             /* the fields given (not "x"): RSP_* bits */
	struct mmu_response r;
};

struct cosim_script {
	struct sop *op;
	size_t n;
	unsigned requests;
};

void cosim_script_free(struct cosim_script *s)
{
	if (s) {
		free(s->op);
		free(s);
	}
}

int cosim_script_load(const char *path, struct cosim_script **out, char *err, size_t errlen)
{
	struct cosim_script *s = calloc(1, sizeof(*s));
	FILE *f = fopen(path, "r");
	char line[512];
	unsigned long ln = 0;
	size_t cap = 0;

	*out = NULL;
	if (!s || !f) {
		snprintf(err, errlen, "%s: %s", path, f ? "out of memory" : strerror(errno));
		if (f)
			fclose(f);
		free(s);
		return MMU_E_IO;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v[9];
		char k = 0, *hash = strchr(line, '#');
		int n;

		ln++;
		if (hash)
			*hash = 0;
		if (sscanf(line, " %c", &k) != 1)
			continue;
		/* fields: hex numbers, or "x" (an R field the script leaves open) */
		unsigned care = 0;
		char *p = line, *end;

		while (*p == ' ' || *p == '\t')
			p++;
		p++;
		for (n = 0; n < 9; n++) {
			while (*p == ' ' || *p == '\t')
				p++;
			if (!*p || *p == '\n')
				break;
			if (*p == 'x' && (p[1] == ' ' || p[1] == '\t' || p[1] == '\n' || !p[1])) {
				v[n] = 0;
				p++;
				continue;
			}
			errno = 0;
			v[n] = strtoull(p, &end, 16);
			if (end == p || errno || (*end && *end != ' ' && *end != '\t' && *end != '\n'))
				break;
			care |= 1u << n;
			p = end;
		}
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p || !((k == 'M' && n == 2 && care == 3) || ((k == 'C' || k == 'Q') && n == 5 && care == 31) ||
			    (k == 'R' && n == 9 && s->n && s->op[s->n - 1].kind == 'Q'))) {
			snprintf(err, errlen, "%s:%lu: not a directed-test line: %.60s", path, ln, line);
			goto fail;
		}
		if (k == 'R') {
			struct sop *q = &s->op[s->n - 1];

			q->expect = 1;
			q->care = care;
			q->r = (struct mmu_response){ .tag = (uint32_t)v[0], .cause = (uint8_t)v[1],
						      .level = (uint8_t)v[2], .pa = v[3],
						      .perm = (uint8_t)v[4], .page_shift = (uint8_t)v[5],
						      .hit = (uint8_t)v[6], .exc = (uint8_t)v[7],
						      .err = (uint16_t)v[8] };
			continue;
		}
		if (s->n == cap) {
			struct sop *o = realloc(s->op, (cap = cap ? 2 * cap : 64) * sizeof(*o));

			if (!o) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto fail;
			}
			s->op = o;
		}
		s->op[s->n] = (struct sop){ .kind = k };
		for (int i = 0; i < n; i++)
			s->op[s->n].v[i] = v[i];
		s->requests += k == 'Q';
		s->n++;
	}
	fclose(f);
	if (!s->requests) {
		snprintf(err, errlen, "%s: no requests", path);
		cosim_script_free(s);
		return MMU_E_FORMAT;
	}
	*out = s;
	return 0;
fail:
	fclose(f);
	cosim_script_free(s);
	return MMU_E_FORMAT;
}

/* ---- address traces ---- */

struct cosim_trace {
	struct wl_trace t;
};

int cosim_trace_load(const char *path, struct cosim_trace **out, char *err, size_t errlen)
{
	struct cosim_trace *t = calloc(1, sizeof(*t));
	int rc;

	*out = NULL;
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return MMU_E_NOMEM;
	}
	rc = wl_trace_load(path, 4096, &t->t, err, errlen);
	if (rc) {
		free(t);
		return rc;
	}
	*out = t;
	return 0;
}

size_t cosim_trace_len(const struct cosim_trace *t)
{
	return t->t.n;
}

void cosim_trace_free(struct cosim_trace *t)
{
	if (t) {
		wl_trace_free(&t->t);
		free(t);
	}
}

unsigned cosim_script_requests(const struct cosim_script *s)
{
	return s->requests;
}

unsigned cosim_directed_ok(const struct cosim *c)
{
	return c->directed_ok;
}

unsigned cosim_trace_unmapped(const struct cosim *c)
{
	return c->trace_unmapped;
}

/* The trace's tables, the same in both memories: the root at TRACE_ROOT,
 * every touched page mapped rwx+u to a frame above the memory image (the
 * MMU never reads the data). */
#define TRACE_ROOT 0x10000u
static int map_trace(struct cosim *c, const struct mmu_geometry *g)
{
	uint64_t page = 1ULL << g->page_bits, *pg;
	size_t n;
	char e[256];

	if (wl_trace_pages(&c->cfg.trace->t, page, &pg, &n))
		return MMU_E_NOMEM;
	for (int side = 0; side < 2; side++) {
		struct mkpt pt;

		if (mkpt_init(&pt, side ? &c->model_mem : &c->rtl_mem, &c->cfg.geometry, c->cfg.mode,
			      c->pol.maxphy, TRACE_ROOT, 0, e, sizeof(e))) {
			free(pg);
			return MMU_E_INVAL;
		}
		c->trace_unmapped = 0;
		for (size_t k = 0; k < n; k++)
			if (mkpt_map(&pt, pg[k], MEM_SIZE + k * page, g->page_bits,
				     PTE_R | PTE_W | PTE_X | PTE_U, e, sizeof(e)))
				c->trace_unmapped++;
	}
	free(pg);
	c->roots[1] = TRACE_ROOT;
	return 0;
}

static void hist_ctl(struct cosim *c, const struct cosim_ctl *ctl)
{
	struct hist *h = &c->hist[c->n_hist++ % 8];

	memset(h, 0, sizeof(*h));
	h->n = c->n_done;
	h->ctl = 1;
	h->c = *ctl;
}

/* The model takes an invalidation; after an invalidate-all nothing cached
 * predates the last PTE change, so walked successes are current again. */
static int model_invalidate(struct cosim *c, unsigned kind, unsigned asid, uint64_t va)
{
	if (kind == MMU_INVAL_ALL)
		c->stale = 0;
	return mmu_invalidate(c->m, kind, asid, va);
}

static void race_fire(struct cosim *c)
{
	c->ops_seen++;
	if (c->race_armed && c->ops_seen == c->race_at) {
		c->race_armed = 0;
		model_invalidate(c, c->race_ctl.kind, c->race_ctl.asid, c->race_ctl.data);
	}
}

static int model_read(void *ctx, uint64_t pa, uint64_t *data)
{
	struct cosim *c = ctx;

	race_fire(c);
	return memimg_read64(&c->model_mem, pa, data);
}

/* A write of the RTL or of the model to its memory: refused (a bus error)
 * inside the read-only window, the same for both. */
static int window_write(struct cosim *c, struct memimg *mem, uint64_t pa, uint64_t data, uint8_t sel)
{
	if (pa >= c->ro_lo && pa < c->ro_hi)
		return -1;
	return memimg_write64(mem, pa, data, sel);
}

static int model_write(void *ctx, uint64_t pa, uint64_t data, uint8_t sel)
{
	struct cosim *c = ctx;

	race_fire(c);
	if (c->n_model_w < WLOG)
		c->model_w[c->n_model_w] = (struct wr){ pa, data, sel };
	c->n_model_w++;
	return window_write(c, &c->model_mem, pa, data, sel);
}

/* A memory word in the transaction log (cosim_set_log). */
static void log_word(struct cosim *c, uint64_t pa, uint64_t word)
{
	fprintf(c->log, "M %016" PRIx64 " %016" PRIx64 "\n", pa, word);
}

static void put_both(void *ctx, uint64_t pa, uint64_t pte, unsigned bytes)
{
	struct cosim *c = ctx;
	uint64_t word = bytes == 8 ? pte : pte << ((pa & 4) * 8);
	uint8_t sel = bytes == 8 ? 0xff : (pa & 4) ? 0xf0 : 0x0f;

	memimg_write64(&c->rtl_mem, pa & ~7ULL, word, sel);
	memimg_write64(&c->model_mem, pa & ~7ULL, word, sel);
	if (c->log && !memimg_read64(&c->rtl_mem, pa & ~(uint64_t)7, &word))  /* a change mid-run */
		log_word(c, pa & ~(uint64_t)7, word);
}

/* The locality's page probe (ptgen_make_pages): a model of its own over
 * the model's memory, whose A/D writes are answered (a bus error inside
 * the read-only window, as always) but not made. */
struct probe {
	struct cosim *c;
	struct mmu_model *m;
};

static int probe_read(void *ctx, uint64_t pa, uint64_t *data)
{
	return memimg_read64(&((struct probe *)ctx)->c->model_mem, pa, data);
}

static int probe_write(void *ctx, uint64_t pa, uint64_t data, uint8_t sel)
{
	const struct cosim *c = ((struct probe *)ctx)->c;

	(void)data;
	(void)sel;
	return pa >= c->ro_lo && pa < c->ro_hi ? -1 : 0;
}

static int probe_page(void *ctx, unsigned asid, uint64_t va, unsigned access, unsigned priv)
{
	struct probe *pr = ctx;
	struct mmu_request q = { 0 };
	struct mmu_response r;

	q.asid = (uint16_t)asid;
	q.va = va;
	q.access = (uint8_t)access;
	q.priv = (uint8_t)priv;
	/* a model of its own, made for this list: nothing changes the tables
	 * meanwhile, so what it caches answers as the tables would */
	return !mmu_translate(pr->m, &q, &r) && r.cause == MMU_CAUSE_OK;
}

static int make_pages(struct cosim *c)
{
	struct probe pr = { c, NULL };
	struct mmu_mem_ops ops = { probe_read, probe_write, &pr };
	int rc = mmu_model_new(&c->cfg.geometry, &ops, &pr.m);

	if (rc)
		return rc;
	rc = mmu_set_policy(pr.m, &c->pol);
	for (unsigned a = 1; !rc && a <= c->nasid; a++)
		rc = mmu_set_context(pr.m, a, c->cfg.mode, c->roots[a]);
	if (!rc)
		ptgen_make_pages(&c->gen, probe_page, &pr);
	mmu_model_free(pr.m);
	return rc;
}

void cosim_set_log(struct cosim *c, FILE *f)
{
	uint64_t d;

	c->log = f;
	if (c->ro_hi) /* the read-only window: writes there end in a bus error */
		fprintf(c->log, "P %016" PRIx64 " %016" PRIx64 "\n", c->ro_lo, c->ro_hi);
	for (uint64_t a = 0; memimg_read64(&c->rtl_mem, a, &d) == 0; a += 8)
		if (d)
			log_word(c, a, d);
}

int cosim_new(const struct cosim_cfg *cfg, struct cosim **out)
{
	struct cosim *c = calloc(1, sizeof(*c));
	struct mmu_mem_ops ops = { model_read, model_write, NULL };
	struct mmu_geometry g;
	char e[256];
	uint64_t knobs;

	*out = NULL;
	if (!c)
		return MMU_E_NOMEM;
	c->cfg = *cfg;
	if (cfg->trace)
		c->cfg.requests = (unsigned)cosim_trace_len(cfg->trace);
	if (cfg->script)
		c->cfg.requests = cfg->script->requests;
	knobs = cfg->seed * 0x2545f4914f6cdd1dULL + cfg->mode;
	c->gen.rng = knobs;
	c->race_rng = knobs ^ 0x9e3779b97f4a7c15ULL;
	c->pol.sum = (uint8_t)ptgen_pct(&c->gen, 50);
	c->pol.mxr = (uint8_t)ptgen_pct(&c->gen, 50);
	c->pol.wp = (uint8_t)ptgen_pct(&c->gen, 50);
	c->pol.nxe = (uint8_t)ptgen_pct(&c->gen, 70);
	c->pol.smep = (uint8_t)ptgen_pct(&c->gen, 50);
	c->pol.smap = (uint8_t)ptgen_pct(&c->gen, 50);
	c->pol.ad_fault = (uint8_t)(cfg->mode != MMU_MODE_X86_64 && ptgen_pct(&c->gen, 50));
	c->pol.maxphy = (uint8_t)(cfg->mode == MMU_MODE_TEXTBOOK ? 0 :
				  cfg->geometry.pa_bits < 46 ? cfg->geometry.pa_bits : 46);
	c->nasid = ptgen_pct(&c->gen, 50) ? 2 : 1;
	if (cfg->trace || cfg->script) { /* one address space, policy off (a script sets its own) */
		uint8_t maxphy = c->pol.maxphy;

		memset(&c->pol, 0, sizeof(c->pol));
		c->pol.maxphy = maxphy;
		c->nasid = 1;
	}
	knobs = c->gen.rng;
	ops.ctx = c;
	if (mmu_config_geometry(&cfg->geometry, cfg->mode, c->pol.maxphy, &g) ||
	    memimg_create(&c->rtl_mem, 0, MEM_SIZE, 0, e, sizeof(e)) ||
	    memimg_create(&c->model_mem, 0, MEM_SIZE, 0, e, sizeof(e)) ||
	    mmu_model_new(&cfg->geometry, &ops, &c->m) || mmu_set_policy(c->m, &c->pol)) {
		cosim_free(c);
		return MMU_E_INVAL;
	}
	/* leaves within the implemented PA width, mostly (the mode's own width
	 * is wider: Sv39's 56 bits against a board's 34) */
	if (cfg->geometry.pa_bits && cfg->geometry.pa_bits < g.pa_bits)
		g.pa_bits = cfg->geometry.pa_bits;
	ptgen_init(&c->gen, knobs, cfg->mode, &g, c->nasid, 16ULL << g.page_bits, MEM_SIZE / 2,
		   put_both, c);
	c->gen.loc = cfg->loc;
	c->gen.dense = cfg->dense;
	/* global leaves in several address spaces too: a global entry matches
	 * every ASID, so one address space may hit another's (the model says
	 * exactly what happens; tests/test_random.c, which compares cached and
	 * uncached answers, keeps them to one address space) */
	c->gen.global_ok = 1;
	if (cfg->trace && map_trace(c, &g)) {
		cosim_free(c);
		return MMU_E_NOMEM;
	}
	if (cfg->script) {      /* the script sets memory, contexts and policy itself */
		c->nasid = 0;
		c->setup_step = 1;
	}
	for (unsigned a = 1; !cfg->trace && !cfg->script && a <= c->nasid; a++)
		if (ptgen_new_tree(&c->gen, a, &c->roots[a])) {
			cosim_free(c);
			return MMU_E_NOMEM;
		}
	if (!cfg->trace && !cfg->script) {
		/* two of the tables are read-only: an A/D write to them ends in
		 * a bus error (same rule for the RTL's bus and the model's) */
		c->ro_lo = (16ULL << g.page_bits) + 4 * c->gen.table_bytes;
		c->ro_hi = c->ro_lo + 2 * c->gen.table_bytes;
		/* ASID 0: a context whose root table is outside memory, so the
		 * first read of its walks ends in a bus error */
		c->roots[0] = ptgen_outside(&c->gen);
		c->gen.outside_root = 1;
		c->root0_pending = 1;
		if (cfg->loc.kind != PTGEN_LOC_MIX && make_pages(c)) {
			cosim_free(c);
			return MMU_E_INVAL;
		}
	}
	*out = c;
	return MMU_OK;
}

void cosim_free(struct cosim *c)
{
	if (!c)
		return;
	mmu_model_free(c->m);
	memimg_free(&c->rtl_mem);
	memimg_free(&c->model_mem);
	free(c);
}

int cosim_final(const struct cosim *c)
{
	return c->final;
}

const char *cosim_error(const struct cosim *c)
{
	return c->err;
}

void cosim_mutations(const struct cosim *c, unsigned *all, unsigned *silent)
{
	*all = c->mutations;
	*silent = c->silent_mutations;
}

unsigned cosim_hits(const struct cosim *c)
{
	return c->hits;
}

/* The request `back` places before the newest in a 16-entry ring that has
 * taken `count` in all (ok_ring, replay); back < min(count, 16). */
static const struct mmu_request *ring_back(const struct mmu_request *ring, unsigned count, unsigned back)
{
	return &ring[(count - 1 - back) % 16];
}

static int push_pending(struct cosim *c, const struct mmu_request *q)
{
	if (c->pend_count == 8) {
		snprintf(c->err, sizeof(c->err), "more than 8 requests in flight");
		return -1;
	}
	c->pending[(c->pend_head + c->pend_count) % 8] = *q;
	c->pend_count++;
	return 0;
}

int cosim_stream_ready(const struct cosim *c)
{
	return c->ok_count != 0 && !c->cfg.trace && !c->cfg.script;
}

/* Whether page ix of sl's last-level table is one of the last 4 successes
 * the stream replays (make_set_group leaves those PTEs alone). */
static int ok_page_in_table(const struct cosim *c, const struct ptgen_slot *sl, uint64_t ix)
{
	const struct mmu_geometry *g = &c->gen.g;
	unsigned pb = g->page_bits;
	uint64_t vmask = (1ULL << g->va_bits) - 1, imask = (1ULL << g->idx_bits[0]) - 1;
	uint64_t page = ((sl->va & vmask & ~(imask << pb)) >> pb) | ix;

	for (unsigned r = 0; r < c->ok_count && r < 4; r++) {
		const struct mmu_request *ok = ring_back(c->ok_ring, c->ok_count, r);

		if (ok->asid == sl->asid && ((ok->va & vmask) >> pb) == page)
			return 1;
	}
	return 0;
}

/* Pages for a stream that hits several ways of one base-TLB set back to back,
 * and alternates between two neighbouring sets (the PLRU forwarding paths):
 * up to one page more than there are ways in each of the two sets, so that
 * a lost PLRU update changes a later victim, and with it the hits.  Called while nothing is
 * in flight: it writes good leaf PTEs at those indexes of one last-level
 * table, into both memories. */
static void make_set_group(struct cosim *c)
{
	const struct mmu_config *cfg = mmu_model_config(c->m);
	const struct mmu_geometry *g = &c->gen.g;
	unsigned ib = g->idx_bits[0], pb = g->page_bits;
	uint64_t imask = (1ULL << ib) - 1, sets = cfg->tlb_sets;
	const struct ptgen_slot *sl = NULL;

	/* a last-level table known to be reachable: one a recent success used */
	c->n_group = 0;
	for (unsigned r = 0; r < c->ok_count && r < 16 && !sl; r++) {
		const struct mmu_request *ok = ring_back(c->ok_ring, c->ok_count, r);

		for (unsigned i = 0; i < c->gen.nslots && !sl; i++)
			if (c->gen.slots[i].level == 0 && c->gen.slots[i].asid == ok->asid &&
			    ((c->gen.slots[i].va ^ ok->va) & ((1ULL << g->va_bits) - 1)) >> pb == 0)
				sl = &c->gen.slots[i];
	}
	if (!sl || sets > imask)
		return;
	uint64_t idx = (sl->va >> pb) & imask;
	uint64_t base = sl->pa - idx * g->pte_bytes;
	uint64_t frame = base >> pb;
	uint64_t pte = g->x86 ? (frame << 12) | 0x67 : (frame << 10) | 0xdf; /* present, RW(X), U, A, D */

	for (uint64_t k = 0; k < 2 * (cfg->tlb_ways + 1) && c->n_group < 16; k++) {
		uint64_t ix = (idx + (k / 2) * sets + (k % 2)) & imask;
		struct mmu_request *q = &c->set_group[c->n_group];

		if (k > 1 && ((idx + (k / 2) * sets) & imask) == idx)
			break; /* the table has fewer pages per set than ways */
		if (ok_page_in_table(c, sl, ix))
			continue; /* keep the stream's own pages as they are */
		put_both(c, base + ix * g->pte_bytes, pte, g->pte_bytes);
		memset(q, 0, sizeof(*q));
		q->va = ptgen_canonical(&c->gen, (sl->va & ~(imask << pb)) | ix << pb);
		q->asid = sl->asid;
		q->access = MMU_ACCESS_R;
		q->priv = MMU_PRIV_U;
		c->n_group++;
	}
}

int cosim_stream_request(struct cosim *c, struct mmu_request *q)
{
	unsigned phase = c->n_stream++ % 2000;

	if (!c->ok_count) {
		snprintf(c->err, sizeof(c->err), "no successful request to stream");
		return -1;
	}
	/* The second half of each 1000: mostly pages sharing one base set, in
	 * random order, mixed with the others (so that a set is touched, then
	 * another, then the first again).  The group is written at the start,
	 * while nothing is in flight. */
	if (phase == 0)
		make_set_group(c);
	if (phase < 8) {
		/* the stream starts cold: each of the last 4 successes twice in a
		 * row, so the second waits in stage B behind the walk that fills
		 * the entry it needs (base page or superpage) */
		*q = *ring_back(c->ok_ring, c->ok_count, (phase / 2) % (c->ok_count < 4 ? c->ok_count : 4));
	} else if (phase >= 1000 && phase % 8 == 0) {
		/* the third and fourth 500, mixed: one request in 8 a random one
		 * (most walk), then the same again - at once in the third (it
		 * waits for the walk and its fill), after two hits in the fourth
		 * (so with responses refused it may meet the walk's end with an
		 * answer still waiting) - the others hits; with hit-under-miss the
		 * hits behind a walk are answered while it runs */
		ptgen_request(&c->gen, q);
		c->mix_cold = *q;
	} else if (phase >= 1000 && phase % 8 == (phase >= 1500 ? 3u : 1u)) {
		*q = c->mix_cold;
	} else if (phase >= 500 && phase < 1000 && c->n_group >= 2 && ptgen_pct(&c->gen, 70)) {
		*q = c->set_group[ptgen_rand(&c->gen) % c->n_group];
	} else {
		/* the last 4 successes: a working set that fits even the superpage array */
		*q = *ring_back(c->ok_ring, c->ok_count,
				(unsigned)(ptgen_rand(&c->gen) % (c->ok_count < 4 ? c->ok_count : 4)));
	}
	q->tag = c->n_req++ & 0xffff;
	return push_pending(c, q);
}

int cosim_next_plain(const struct cosim *c)
{
	/* the branches of cosim_next that come before its request */
	if (c->setup_step == 0 || c->setup_step <= c->nasid || c->root0_pending ||
	    c->check_pending || c->final || c->n_req == c->cfg.requests || c->cfg.script)
		return 0;
	if (!c->cfg.trace && c->n_req % 50 == 49 && c->n_req + 100 < c->cfg.requests &&
	    c->setup_step == c->nasid + 1)
		return 0;       /* a PTE change */
	if (c->n_req % 500 == 250 && c->cleared_at != c->n_req + 1)
		return 0;       /* the counters cleared */
	return 1;
}

static enum cosim_act next_action(struct cosim *c, struct mmu_request *q, struct cosim_ctl *ctl)
{
	memset(ctl, 0, sizeof(*ctl));
	if (c->setup_step == 0) {
		c->setup_step++;
		ctl->op = 1;
		ctl->data = mmu_policy_word(&c->pol);
		return COSIM_CTL;
	}
	if (c->setup_step <= c->nasid) {
		unsigned a = c->setup_step++;

		ctl->op = 0;
		ctl->asid = a;
		ctl->mode = c->cfg.mode;
		ctl->data = c->roots[a];
		return COSIM_CTL;
	}
	if (c->root0_pending) {
		c->root0_pending = 0;
		ctl->op = 0;
		ctl->asid = 0;
		ctl->mode = c->cfg.mode;
		ctl->data = c->roots[0];
		return COSIM_CTL;
	}
	if (c->check_pending) {
		c->check_pending = 0;
		return COSIM_CHECK;
	}
	if (c->final)
		return COSIM_END;
	if (c->n_req == c->cfg.requests) {
		c->final = 1;
		return COSIM_CHECK;
	}
	if (c->cfg.script) {
		const struct cosim_script *sc = c->cfg.script;

		while (c->script_at < sc->n && sc->op[c->script_at].kind == 'M') {
			const struct sop *o = &sc->op[c->script_at++];

			put_both(c, o->v[0] & ~(uint64_t)7, o->v[1], 8);
		}
		if (c->script_at == sc->n) {
			c->final = 1;
			return COSIM_CHECK;
		}
		const struct sop *o = &sc->op[c->script_at++];

		if (o->kind == 'C') {
			ctl->op = (unsigned)o->v[0];
			ctl->kind = (unsigned)o->v[1];
			ctl->mode = (unsigned)o->v[2];
			ctl->asid = (unsigned)o->v[3];
			ctl->data = o->v[4];
			if (ctl->op == 1) {    /* the model takes the policy now */
				mmu_policy_from_word(ctl->data, &c->pol);
				mmu_set_policy(c->m, &c->pol);
			}
			return COSIM_CTL;
		}
		memset(q, 0, sizeof(*q));
		q->tag = (uint32_t)o->v[0] & 0xffff;
		q->asid = (uint16_t)o->v[1];
		q->va = o->v[2];
		q->access = (uint8_t)o->v[3];
		q->priv = (uint8_t)o->v[4];
		c->expect = o->expect ? o : NULL;
		if (push_pending(c, q))
			return COSIM_END;
		c->n_req++;
		return COSIM_REQ;
	}
	if (!c->cfg.trace && c->n_req % 50 == 49 && c->n_req + 100 < c->cfg.requests &&
	    c->setup_step == c->nasid + 1) {
		/* change a PTE, then (three times in four) the invalidation
		 * software owes; without it, the TLB may keep answering from the
		 * old PTE, and the model says exactly when */
		c->mutations++;
		c->ok_count = 0; /* earlier successes may not translate any more */
		ptgen_mutate(&c->gen, &ctl->kind, &ctl->asid, &ctl->data);
		if (c->cfg.loc.kind != PTGEN_LOC_MIX && make_pages(c)) {
			c->final = 1;   /* only if memory runs out */
			snprintf(c->err, sizeof(c->err), "stimulus: cannot probe the pages");
			return COSIM_END;
		}
		if (!ptgen_pct(&c->gen, 25)) {
			c->setup_step++;
			ctl->op = 2;
			return COSIM_CTL;
		}
		c->silent_mutations++;
		c->stale = 1;
		memset(ctl, 0, sizeof(*ctl));
	}
	if (c->n_req % 500 == 250 && c->cleared_at != c->n_req + 1) {
		/* clear the counters mid-run; the next check compares them */
		c->cleared_at = c->n_req + 1;
		ctl->op = 3;
		return COSIM_CTL;
	}
	c->setup_step = c->nasid + 1;
	if (c->cfg.trace) {
		memset(q, 0, sizeof(*q));
		q->tag = c->n_req;
		q->asid = 1;
		q->va = c->cfg.trace->t.va[c->n_req];
		q->access = c->cfg.trace->t.acc[c->n_req];
		q->priv = MMU_PRIV_U;
	} else {
		ptgen_request(&c->gen, q);
		if (c->cfg.loc.kind == PTGEN_LOC_MIX && c->n_replay && ptgen_pct(&c->gen, 25)) {
			/* again a recent success (maybe since made stale), in the same
			 * page: TLB hits between the walks, faults and invalidations */
			uint32_t tag = q->tag;
			unsigned n = c->n_replay < 16 ? c->n_replay : 16;

			*q = *ring_back(c->replay, c->n_replay, (unsigned)(ptgen_rand(&c->gen) % n));
			q->tag = tag;
			q->va ^= ptgen_rand(&c->gen) & 0xff8;
			if (ptgen_pct(&c->gen, 20))
				q->access = (uint8_t)(ptgen_rand(&c->gen) % 3);
		}
	}
	q->tag &= 0xffff;
	if (push_pending(c, q))
		return COSIM_END;
	c->n_req++;
	return COSIM_REQ;
}

enum cosim_act cosim_next(struct cosim *c, struct mmu_request *q, struct cosim_ctl *ctl)
{
	unsigned busy = c->pend_count, mutations = c->mutations;
	enum cosim_act act;

	if (busy && !cosim_next_plain(c))
		act = COSIM_END;
	else
		act = next_action(c, q, ctl);
	/* With requests in flight only a plain request may come: a PTE change,
	 * control operation or check would meet walks that read memory before
	 * it.  Checked on what next_action did, so that cosim_next_plain cannot
	 * drift from it unnoticed. */
	if (busy && (act != COSIM_REQ || c->mutations != mutations)) {
		snprintf(c->err, sizeof(c->err),
			 "driver: the next action is not a plain request, and %u requests are in flight",
			 busy);
		return COSIM_END;
	}
	return act;
}

int cosim_mem_read(struct cosim *c, uint64_t pa, uint64_t *data)
{
	return memimg_read64(&c->rtl_mem, pa, data);
}

int cosim_mem_write(struct cosim *c, uint64_t pa, uint64_t data, uint8_t sel)
{
	if (c->n_rtl_w < WLOG)
		c->rtl_w[c->n_rtl_w] = (struct wr){ pa, data, sel };
	c->n_rtl_w++;
	return window_write(c, &c->rtl_mem, pa, data, sel);
}

/* Response fields as mask bits, in the order of a log's R line: 0 tag,
 * 1 cause, 2 level, 3 pa, 4 perm, 5 page shift, 6 hit, 7 exc, 8 err. */
#define RSP_ALL 0x1ffu
#define RSP_LEAF 0x38u      /* pa, perm, shift: defined on success only */

/* Whether a and b differ in a field that mask m selects. */
static int rsp_differs(const struct mmu_response *a, const struct mmu_response *b, unsigned m)
{
	return ((m & 1) && a->tag != b->tag) || ((m & 2) && a->cause != b->cause) ||
	       ((m & 4) && a->level != b->level) || ((m & 8) && a->pa != b->pa) ||
	       ((m & 16) && a->perm != b->perm) || ((m & 32) && a->page_shift != b->page_shift) ||
	       ((m & 64) && a->hit != b->hit) || ((m & 128) && a->exc != b->exc) ||
	       ((m & 256) && a->err != b->err);
}

static void describe(char *buf, size_t n, const struct mmu_response *r)
{
	snprintf(buf, n, "cause %u level %u pa 0x%" PRIx64 " perm 0x%x shift %u hit %u exc %u err 0x%x",
		 r->cause, r->level, r->pa, r->perm, r->page_shift, r->hit, r->exc, r->err);
}

static uint64_t lane_mask(uint8_t sel)
{
	uint64_t m = 0;

	for (unsigned b = 0; b < 8; b++)
		if (sel >> b & 1)
			m |= 0xffULL << (8 * b);
	return m;
}

int cosim_on_response(struct cosim *c, const struct mmu_response *rtl)
{
	struct mmu_response mr;
	struct mmu_request req;
	const struct mmu_request *q = &req;
	char a[256], b[256];
	unsigned at = 0;
	int bad;

	if (!c->pend_count) {
		snprintf(c->err, sizeof(c->err), "seed %" PRIu64 ": a response with no request pending",
			 c->cfg.seed);
		return -1;
	}
	/* the request answered: the oldest, or with hit-under-miss any pending
	 * one with the answer's tag (the model takes it now, in answer order) */
	if (c->cfg.hum)
		while (at < c->pend_count && (c->pending[(c->pend_head + at) % 8].tag & 0xffff) != rtl->tag)
			at++;
	if (at == c->pend_count) {
		snprintf(c->err, sizeof(c->err), "seed %" PRIu64 " transaction %u: an answer with tag %u, "
			 "which no pending request has (the oldest pending has tag %u)", c->cfg.seed, c->n_done,
			 rtl->tag, c->pending[c->pend_head].tag & 0xffff);
		return -1;
	}
	req = c->pending[(c->pend_head + at) % 8];
	if (at == 0)
		c->pend_head = (c->pend_head + 1) % 8;
	else    /* close the gap: the younger requests move up one place */
		for (unsigned i = at; i + 1 < c->pend_count; i++)
			c->pending[(c->pend_head + i) % 8] = c->pending[(c->pend_head + i + 1) % 8];
	c->pend_count--;
	c->cov.out_of_order += at != 0;
	c->n_model_w = 0;
	c->ops_seen = 0;
	struct mmu_counters before, after;

	mmu_read_counters(c->m, &before);
	if (mmu_translate(c->m, q, &mr)) {
		snprintf(c->err, sizeof(c->err), "model refused request %u", c->n_done);
		return -1;
	}
	mmu_read_counters(c->m, &after);
	{
		unsigned lv = mr.level < 5 ? mr.level : 4, ca = mr.cause < MMU_CAUSE_COUNT ? mr.cause : 0;

		c->cov.bins[lv][ca][q->access % 3][q->priv & 1]++;
		if (mr.hit)
			c->cov.hits++;
		else if (after.c[MMU_CNT_PWC_HITS] != before.c[MMU_CNT_PWC_HITS])
			c->cov.pwc_walks++;
		else if (after.c[MMU_CNT_WALKS] != before.c[MMU_CNT_WALKS])
			c->cov.full_walks++;
		else
			c->cov.no_walk++;
	}
	if (c->race_used) {
		/* the racing invalidation is complete as well */
		hist_ctl(c, &c->race_ctl);
		if (c->race_armed)
			model_invalidate(c, c->race_ctl.kind, c->race_ctl.asid, c->race_ctl.data);
		c->race_armed = c->race_used = 0;
		/* every fourth race is followed by a full state check (each costs
		 * hundreds of inspection reads); between checks a stale fill still
		 * shows in the hit bit of later answers */
		c->check_pending = (c->race_rng >> 40) % 4 == 0;
		c->n_done++;
	}
	{
		struct mmu_response want = mr;

		want.tag = q->tag & 0xffff;
		bad = rsp_differs(rtl, &want, mr.cause == MMU_CAUSE_OK ? RSP_ALL : RSP_ALL & ~RSP_LEAF);
	}
	if (bad) {
		describe(a, sizeof(a), rtl);
		describe(b, sizeof(b), &mr);
		snprintf(c->err, sizeof(c->err),
			 "seed %" PRIu64 " mode %s transaction %u: request tag %u asid %u va 0x%" PRIx64
			 " access %u priv %u\n  rtl:   %s\n  model: %s", c->cfg.seed,
			 mmu_mode_name(c->cfg.mode), c->n_done, q->tag, q->asid, q->va, q->access,
			 q->priv, a, b);
		return -1;
	}
	if (c->expect) {        /* a directed test's answer: what the document says */
		const struct mmu_response *e = &c->expect->r;
		unsigned m = c->expect->care;

		c->expect = NULL;
		if (rsp_differs(rtl, e, m)) {
			describe(a, sizeof(a), rtl);
			describe(b, sizeof(b), e);
			snprintf(c->err, sizeof(c->err),
				 "directed test, request %u (va 0x%" PRIx64 "): RTL and model agree, "
				 "but not with the script\n  both:     %s\n  expected: %s", c->n_done,
				 q->va, a, b);
			return -1;
		}
		c->directed_ok++;
	}
	/* An answer given while an older request walks (a hit, or a fault found
	 * before any memory read) makes no memory operation in the model: the
	 * RTL writes so far are the walk's (A/D), compared when it answers. */
	int defer = c->cfg.hum && at != 0 && c->n_model_w == 0;

	if (!defer && c->n_rtl_w != c->n_model_w) {
		snprintf(c->err, sizeof(c->err), "seed %" PRIu64 " transaction %u: %u RTL writes, %u model writes",
			 c->cfg.seed, c->n_done, c->n_rtl_w, c->n_model_w);
		return -1;
	}
	/* address, byte selects, and the data of the selected lanes (the others
	 * carry no meaning: docs/spec-translation.md "The atomic update") */
	for (unsigned i = 0; !defer && i < c->n_rtl_w && i < WLOG; i++)
		if (c->rtl_w[i].pa != c->model_w[i].pa || c->rtl_w[i].sel != c->model_w[i].sel ||
		    ((c->rtl_w[i].data ^ c->model_w[i].data) & lane_mask(c->rtl_w[i].sel)) != 0) {
			snprintf(c->err, sizeof(c->err),
				 "seed %" PRIu64 " transaction %u: write %u differs: rtl pa 0x%" PRIx64
				 " data 0x%016" PRIx64 " sel 0x%02x, model pa 0x%" PRIx64 " data 0x%016"
				 PRIx64 " sel 0x%02x", c->cfg.seed, c->n_done, i, c->rtl_w[i].pa,
				 c->rtl_w[i].data, c->rtl_w[i].sel, c->model_w[i].pa, c->model_w[i].data,
				 c->model_w[i].sel);
			return -1;
		}
	if (!defer)
		c->n_rtl_w = 0;
	c->n_model_w = 0;
	c->hits += mr.hit;
	{
		struct hist *h = &c->hist[c->n_hist++ % 8];

		h->n = c->n_done;
		h->ctl = 0;
		h->q = *q;
		h->r = mr;
	}
	c->n_done++;
	/* a success its own tables give now, found by a walk: a hit may come
	 * from another address space's global entry, or from a PTE since
	 * changed without an invalidation, which a cold stream would not find */
	if (mr.cause == MMU_CAUSE_OK && !mr.hit && !c->stale)
		c->ok_ring[c->ok_count++ % 16] = *q;
	if (mr.cause == MMU_CAUSE_OK)
		c->replay[c->n_replay++ % 16] = *q;
	return 0;
}

int cosim_race(struct cosim *c, const struct mmu_request *q, struct cosim_ctl *ctl,
	       unsigned *after_ops)
{
	uint64_t r;

	if (c->setup_step != c->nasid + 1 || c->final)
		return 0;
	c->race_rng = c->race_rng * 6364136223846793005ULL + 1442695040888963407ULL;
	r = c->race_rng >> 33;
	if (r % 8)
		return 0;
	memset(ctl, 0, sizeof(*ctl));
	ctl->op = 2;
	ctl->kind = (unsigned)(r >> 3) % 4;
	/* mostly the request's own address space and page, so that the race
	 * meets the entries the walk is about to make */
	ctl->asid = (r >> 5) % 4 ? q->asid : (unsigned)(r >> 7) % c->nasid + 1;
	ctl->data = (r >> 9) % 4 ? q->va : q->va ^ ((r >> 11) << 12);
	*after_ops = (unsigned)(r >> 20) % 4;
	return 1;
}

void cosim_race_accepted(struct cosim *c, const struct cosim_ctl *ctl, unsigned k, unsigned n)
{
	c->race_ctl = *ctl;
	c->race_used = 1;
	c->race_armed = 1;
	c->race_at = k + 1;
	if (k < n && ctl->kind < 4) {
		c->races[ctl->kind]++;
		c->cov.races[ctl->kind][k < 4 ? k : 3]++;
	}
}

size_t cosim_history(const struct cosim *c, char *buf, size_t n)
{
	static const char *ops[] = { "context", "policy", "invalidate", "clear counters" };
	size_t o = 0;
	unsigned first = c->n_hist > 8 ? c->n_hist - 8 : 0;

	if (n)
		buf[0] = '\0';
	for (unsigned i = first; i < c->n_hist && o < n; i++) {
		const struct hist *h = &c->hist[i % 8];
		int w;

		if (h->ctl)
			w = snprintf(buf + o, n - o, "  %6u  %s kind %u asid %u mode %u data 0x%" PRIx64
				     "\n", h->n, ops[h->c.op & 3], h->c.kind, h->c.asid, h->c.mode,
				     h->c.data);
		else
			w = snprintf(buf + o, n - o, "  %6u  tag %u asid %u va 0x%" PRIx64 " access %u "
				     "priv %u -> cause %u level %u pa 0x%" PRIx64 " hit %u\n", h->n,
				     h->q.tag, h->q.asid, h->q.va, h->q.access, h->q.priv, h->r.cause,
				     h->r.level, h->r.pa, h->r.hit);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	return o < n ? o : n;
}

void cosim_cover_add(const struct cosim *c, struct cosim_cover *sum)
{
	const unsigned long *a = (const unsigned long *)&c->cov;
	unsigned long *b = (unsigned long *)sum;

	for (size_t i = 0; i < sizeof(*sum) / sizeof(unsigned long); i++)
		b[i] += a[i];
}

void cosim_races(const struct cosim *c, unsigned out[4])
{
	memcpy(out, c->races, sizeof(c->races));
}

int cosim_on_ctl(struct cosim *c, const struct cosim_ctl *ctl)
{
	int rc = 0;

	switch (ctl->op) {
	case 0:
		rc = mmu_set_context(c->m, ctl->asid, ctl->mode, ctl->data);
		break;
	case 1:
		break; /* the model took the policy at creation */
	case 2:
		rc = model_invalidate(c, ctl->kind, ctl->asid, ctl->data);
		c->check_pending = 1;
		break;
	default:
		mmu_clear_counters(c->m);
		break;
	}
	if (rc)
		snprintf(c->err, sizeof(c->err), "model refused control op %u: %s", ctl->op,
			 mmu_strerror(rc));
	hist_ctl(c, ctl);
	c->n_done++;
	return rc ? -1 : 0;
}

int cosim_check_entry(struct cosim *c, unsigned array, unsigned index, const struct mmu_entry *rtl)
{
	const struct mmu_config *g = mmu_model_config(c->m);
	static const char *const names[] = { "base", "superpage", "pwc" };
	struct mmu_entry e;
	int rc;

	if (array == 0)
		rc = mmu_tlb_entry(c->m, index / g->tlb_ways, index % g->tlb_ways, &e);
	else if (array == 1)
		rc = mmu_sp_entry(c->m, index, &e);
	else
		rc = mmu_pwc_entry(c->m, index, &e);
	if (rc)
		return 0;
	if (rtl->valid != e.valid ||
	    (e.valid && (rtl->vpn != e.vpn || rtl->ppn != e.ppn || rtl->asid != e.asid ||
			 rtl->level != e.level || rtl->page_shift != e.page_shift || rtl->perm != e.perm))) {
		snprintf(c->err, sizeof(c->err),
			 "seed %" PRIu64 " after transaction %u: %s entry %u differs:\n"
			 "  rtl:   valid %u vpn 0x%" PRIx64 " ppn 0x%" PRIx64 " asid %u level %u shift %u perm 0x%x\n"
			 "  model: valid %u vpn 0x%" PRIx64 " ppn 0x%" PRIx64 " asid %u level %u shift %u perm 0x%x",
			 c->cfg.seed, c->n_done, names[array], index, rtl->valid, rtl->vpn, rtl->ppn,
			 rtl->asid, rtl->level, rtl->page_shift, rtl->perm, e.valid, e.vpn, e.ppn, e.asid,
			 e.level, e.page_shift, e.perm);
		return -1;
	}
	return 0;
}

int cosim_check_plru(struct cosim *c, unsigned index, uint32_t rtl)
{
	const struct mmu_config *g = mmu_model_config(c->m);
	uint32_t bits = 0;
	unsigned array = index < g->tlb_sets ? 0 : index == g->tlb_sets ? 1 : 2;

	mmu_plru_bits(c->m, array, index < g->tlb_sets ? index : 0, &bits);
	if (bits != rtl) {
		snprintf(c->err, sizeof(c->err), "seed %" PRIu64 " after transaction %u: PLRU word %u: rtl 0x%x model 0x%x",
			 c->cfg.seed, c->n_done, index, rtl, bits);
		return -1;
	}
	return 0;
}

int cosim_check_context(struct cosim *c, unsigned asid, uint64_t rtl)
{
	const struct mmu_config *cfg = mmu_model_config(c->m);
	unsigned page_bits = cfg->tb.levels ? cfg->tb.page_bits : 12, mode;
	unsigned ppn_w = cfg->pa_bits - page_bits;
	uint64_t root, want;

	if (mmu_get_context(c->m, asid, &mode, &root))
		return 0; /* beyond the model's ASIDs: nothing to compare */
	want = ((uint64_t)mode << ppn_w) | (root >> page_bits);
	if (rtl != want) {
		snprintf(c->err, sizeof(c->err), "seed %" PRIu64 " after transaction %u: context %u: rtl mode %"
			 PRIu64 " root 0x%" PRIx64 ", model mode %u root 0x%" PRIx64, c->cfg.seed, c->n_done,
			 asid, rtl >> ppn_w, (uint64_t)((rtl & ((1ULL << ppn_w) - 1)) << page_bits), mode, root);
		return -1;
	}
	return 0;
}

int cosim_check_zero(struct cosim *c, const char *what, uint64_t rtl)
{
	if (rtl) {
		snprintf(c->err, sizeof(c->err), "seed %" PRIu64 " after transaction %u: %s: rtl 0x%" PRIx64
			 ", expected 0", c->cfg.seed, c->n_done, what, rtl);
		return -1;
	}
	return 0;
}

int cosim_check_counter(struct cosim *c, unsigned index, uint32_t rtl)
{
	struct mmu_counters k;

	mmu_read_counters(c->m, &k);
	if (index < MMU_CNT_COUNT && k.c[index] != rtl) {
		snprintf(c->err, sizeof(c->err), "seed %" PRIu64 " after transaction %u: counter %s: rtl %u model %u",
			 c->cfg.seed, c->n_done, mmu_cnt_name(index), rtl, k.c[index]);
		return -1;
	}
	return 0;
}

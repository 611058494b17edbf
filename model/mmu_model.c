/*
 * mmu_model.c - the reference model: contexts, the base-page TLB, the
 * superpage array, the page-walk cache, tree-PLRU, the walker for RISC-V-style
 * and x86-64 PTEs, invalidation and inspection.
 *
 * The prose specification is docs/spec-translation.md (modes, PTEs, walk,
 * check order), docs/spec-tlb.md (arrays, PLRU, fills, invalidation, walks in
 * flight) and docs/spec-faults.md (fault record, native codes, counters).
 * Every rule there has its place here; comments name the rule.
 */
#include <stdlib.h>
#include <string.h>

#include "mmu_model.h"

#define BIT(n) (1ULL << (n))
#define MASK(n) ((n) >= 64 ? ~0ULL : BIT(n) - 1)

enum pte_format { FMT_NONE, FMT_RV, FMT_X86 };

/* Resolved geometry of one mode; shift[L] = log2 of a level-L leaf's page. */
struct mode_desc {
	uint8_t fmt;
	uint8_t levels;
	uint8_t page_bits;
	uint8_t pte_bytes;
	uint8_t va_bits;
	uint8_t pa_bits;      /* architectural PA width (x86: from policy) */
	uint8_t sign_ext;
	uint8_t idx[MMU_MAX_LEVELS];
	uint8_t shift[MMU_MAX_LEVELS + 1];
	uint64_t ppn_mask;    /* RV: PPN field mask after >> 10 */
	uint64_t rsvd_mask;   /* RV: reserved PTE bits */
};

struct entry {
	uint64_t vpn;   /* base-page VPN with the low `span` bits clear */
	uint64_t ppn;
	uint16_t asid;
	uint8_t valid;
	uint8_t level;
	uint8_t span;   /* VPN bits covered: page_shift - page_bits */
	uint8_t perm;
};

struct context {
	uint64_t root;
	uint8_t mode;
};

struct mmu_model {
	struct mmu_config cfg;
	struct mmu_mem_ops mem;
	struct mmu_policy pol;
	struct mode_desc md[MMU_MODE_COUNT];
	unsigned page_bits;   /* base page of the TLB index: 12, or the textbook's */
	unsigned set_bits;
	uint64_t vpn_mask;
	struct context *ctx;
	struct entry *tlb;    /* tlb_sets * tlb_ways, set-major */
	uint16_t *plru;       /* one tree per set */
	struct entry *sp;
	uint16_t sp_plru;
	struct entry *pwc;
	uint16_t pwc_plru;
	struct mmu_counters cnt;
	int in_walk;
	int walk_stale;
};

const char *mmu_strerror(int err)
{
	switch (err) {
	case MMU_OK: return "success";
	case MMU_E_INVAL: return "invalid argument";
	case MMU_E_NOMEM: return "out of memory";
	case MMU_E_RANGE: return "out of range";
	case MMU_E_BUSY: return "busy (re-entered from a callback)";
	case MMU_E_IO: return "input/output error";
	case MMU_E_FORMAT: return "malformed input";
	case MMU_E_UNSUPPORTED: return "not supported";
	default: return "unknown error";
	}
}

static int is_pow2(unsigned v)
{
	return v && !(v & (v - 1));
}

static unsigned log2u(unsigned v)
{
	unsigned n = 0;

	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

void mmu_config_default(struct mmu_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->tlb_sets = 64;
	cfg->tlb_ways = 4;
	cfg->sp_entries = 8;
	cfg->pwc_entries = 8;
	cfg->asid_bits = 8;
	cfg->pa_bits = 56;
}

/* VPN bits the TLB keeps on a standard machine: the widest mode built. */
static unsigned std_vpn_bits(unsigned modes)
{
	if (!modes || (modes & (1u << MMU_MODE_SV48 | 1u << MMU_MODE_X86_64)))
		return 36;
	if (modes & (1u << MMU_MODE_SV39))
		return 27;
	return 20;
}

/* Is this mode built into the MMU? */
static int mode_built(const struct mmu_config *cfg, unsigned mode)
{
	return !cfg->modes || (cfg->modes >> mode & 1);
}

int mmu_config_resolve(struct mmu_config *cfg)
{
	struct mmu_textbook *tb = &cfg->tb;
	unsigned vpn_bits;

	if (!is_pow2(cfg->tlb_sets) || cfg->tlb_sets > 65536 ||
	    !is_pow2(cfg->tlb_ways) || cfg->tlb_ways > 16 ||
	    (cfg->sp_entries && !is_pow2(cfg->sp_entries)) || cfg->sp_entries > 16 ||
	    (cfg->pwc_entries && !is_pow2(cfg->pwc_entries)) || cfg->pwc_entries > 16 ||
	    cfg->asid_bits < 1 || cfg->asid_bits > 16 || cfg->pa_bits > 56)
		return MMU_E_INVAL;
	if (tb->levels == 0) {
		unsigned all = 1u << MMU_MODE_SV32 | 1u << MMU_MODE_SV39 | 1u << MMU_MODE_SV48 |
			       1u << MMU_MODE_X86_64;

		if (cfg->pa_bits < 32 || (cfg->modes & ~all))
			return MMU_E_INVAL;
		vpn_bits = std_vpn_bits(cfg->modes);
	} else {
		unsigned sum = 0;

		if (tb->levels > MMU_MAX_LEVELS || tb->page_bits < 4 || tb->page_bits > 16)
			return MMU_E_INVAL;
		for (unsigned i = 0; i < tb->levels; i++) {
			if (tb->idx_bits[i] < 1 || tb->idx_bits[i] > 16)
				return MMU_E_INVAL;
			sum += tb->idx_bits[i];
		}
		for (unsigned i = tb->levels; i < MMU_MAX_LEVELS; i++)
			if (tb->idx_bits[i])
				return MMU_E_INVAL;
		if (tb->va_bits == 0)
			tb->va_bits = tb->page_bits + sum;
		if (tb->va_bits != tb->page_bits + sum || tb->va_bits > 48)
			return MMU_E_INVAL;
		if (tb->pa_bits == 0)
			tb->pa_bits = cfg->pa_bits;
		if (cfg->pa_bits < 8 || tb->pa_bits <= tb->page_bits || tb->pa_bits > cfg->pa_bits)
			return MMU_E_INVAL;
		if (tb->pte_bytes == 0)
			tb->pte_bytes = 10 + tb->pa_bits - tb->page_bits <= 32 ? 4 : 8;
		if ((tb->pte_bytes != 4 && tb->pte_bytes != 8) ||
		    10 + tb->pa_bits - tb->page_bits > 8 * tb->pte_bytes)
			return MMU_E_INVAL;
		vpn_bits = tb->va_bits - tb->page_bits;
		if (cfg->modes & ~(1u << MMU_MODE_TEXTBOOK))
			return MMU_E_INVAL;
	}
	if (log2u(cfg->tlb_sets) > vpn_bits)
		return MMU_E_INVAL;
	return MMU_OK;
}

static void init_uniform(struct mode_desc *d, unsigned levels, unsigned idx,
			 unsigned pte_bytes, unsigned pa_bits, unsigned sign_ext)
{
	memset(d, 0, sizeof(*d));
	d->fmt = FMT_RV;
	d->levels = (uint8_t)levels;
	d->page_bits = 12;
	d->pte_bytes = (uint8_t)pte_bytes;
	d->pa_bits = (uint8_t)pa_bits;
	d->sign_ext = (uint8_t)sign_ext;
	for (unsigned l = 0; l < levels; l++)
		d->idx[l] = (uint8_t)idx;
}

static void finish_desc(struct mode_desc *d)
{
	d->shift[0] = d->page_bits;
	for (unsigned l = 0; l < d->levels; l++)
		d->shift[l + 1] = (uint8_t)(d->shift[l] + d->idx[l]);
	for (unsigned l = d->levels + 1; l <= MMU_MAX_LEVELS; l++)
		d->shift[l] = d->shift[d->levels];
	d->va_bits = d->shift[d->levels];
	if (d->fmt == FMT_RV) {
		unsigned ppn_bits = d->pa_bits - d->page_bits;

		d->ppn_mask = MASK(ppn_bits);
		d->rsvd_mask = MASK(8u * d->pte_bytes) & ~MASK(10 + ppn_bits);
	}
}

/* Fill md[] for the modes a resolved configuration allows. */
static void build_modes(const struct mmu_config *cfg, struct mode_desc *md)
{
	const struct mmu_textbook *tb = &cfg->tb;
	struct mode_desc *d;

	memset(md, 0, sizeof(*md) * MMU_MODE_COUNT);
	if (tb->levels) {
		d = &md[MMU_MODE_TEXTBOOK];
		d->fmt = FMT_RV;
		d->levels = (uint8_t)tb->levels;
		d->page_bits = (uint8_t)tb->page_bits;
		d->pte_bytes = (uint8_t)tb->pte_bytes;
		d->pa_bits = (uint8_t)tb->pa_bits;
		for (unsigned l = 0; l < tb->levels; l++)
			d->idx[l] = (uint8_t)tb->idx_bits[tb->levels - 1 - l];
		finish_desc(d);
		return;
	}
	init_uniform(&md[MMU_MODE_SV32], 2, 10, 4, 34, 0);
	init_uniform(&md[MMU_MODE_SV39], 3, 9, 8, 56, 1);
	init_uniform(&md[MMU_MODE_SV48], 4, 9, 8, 56, 1);
	init_uniform(&md[MMU_MODE_X86_64], 4, 9, 8, 52, 1);
	md[MMU_MODE_X86_64].fmt = FMT_X86;
	for (unsigned i = MMU_MODE_SV32; i <= MMU_MODE_X86_64; i++)
		finish_desc(&md[i]);
}

int mmu_model_new(const struct mmu_config *cfg, const struct mmu_mem_ops *mem,
		  struct mmu_model **out)
{
	struct mmu_model *m;
	size_t nctx;

	if (!cfg || !mem || !mem->read || !mem->write || !out)
		return MMU_E_INVAL;
	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return MMU_E_NOMEM;
	m->cfg = *cfg;
	if (mmu_config_resolve(&m->cfg)) {
		free(m);
		return MMU_E_INVAL;
	}
	m->mem = *mem;
	m->set_bits = log2u(m->cfg.tlb_sets);
	build_modes(&m->cfg, m->md);
	if (m->cfg.tb.levels) {
		m->page_bits = m->cfg.tb.page_bits;
		m->vpn_mask = MASK(m->cfg.tb.va_bits - m->cfg.tb.page_bits);
	} else {
		m->page_bits = 12;
		m->vpn_mask = MASK(std_vpn_bits(m->cfg.modes));
	}
	m->pol.maxphy = (uint8_t)(m->cfg.pa_bits < 52 ? m->cfg.pa_bits : 52);
	nctx = (size_t)1 << m->cfg.asid_bits;
	m->ctx = calloc(nctx, sizeof(*m->ctx));
	if (!m->ctx)
		goto fail_ctx;
	m->tlb = calloc((size_t)m->cfg.tlb_sets * m->cfg.tlb_ways, sizeof(*m->tlb));
	if (!m->tlb)
		goto fail_tlb;
	m->plru = calloc(m->cfg.tlb_sets, sizeof(*m->plru));
	if (!m->plru)
		goto fail_plru;
	if (m->cfg.sp_entries) {
		m->sp = calloc(m->cfg.sp_entries, sizeof(*m->sp));
		if (!m->sp)
			goto fail_sp;
	}
	if (m->cfg.pwc_entries) {
		m->pwc = calloc(m->cfg.pwc_entries, sizeof(*m->pwc));
		if (!m->pwc)
			goto fail_pwc;
	}
	*out = m;
	return MMU_OK;

fail_pwc:
	free(m->sp);
fail_sp:
	free(m->plru);
fail_plru:
	free(m->tlb);
fail_tlb:
	free(m->ctx);
fail_ctx:
	free(m);
	return MMU_E_NOMEM;
}

void mmu_model_free(struct mmu_model *m)
{
	if (!m)
		return;
	free(m->pwc);
	free(m->sp);
	free(m->plru);
	free(m->tlb);
	free(m->ctx);
	free(m);
}

const struct mmu_config *mmu_model_config(const struct mmu_model *m)
{
	return &m->cfg;
}

static int is_textbook(const struct mmu_model *m)
{
	return m->cfg.tb.levels != 0;
}

/* Architectural PA width of a mode under the current policy. */
static unsigned mode_pa_bits(const struct mmu_model *m, unsigned mode)
{
	return mode == MMU_MODE_X86_64 ? m->pol.maxphy : m->md[mode].pa_bits;
}

int mmu_set_context(struct mmu_model *m, unsigned asid, unsigned mode, uint64_t root)
{
	const struct mode_desc *d;

	if (asid >> m->cfg.asid_bits || mode >= MMU_MODE_COUNT)
		return MMU_E_INVAL;
	if (mode == MMU_MODE_OFF) {
		m->ctx[asid].mode = MMU_MODE_OFF;
		m->ctx[asid].root = 0;
		return MMU_OK;
	}
	if ((mode == MMU_MODE_TEXTBOOK) != is_textbook(m) || !mode_built(&m->cfg, mode))
		return MMU_E_INVAL;
	d = &m->md[mode];
	if (root & MASK(d->page_bits))
		return MMU_E_INVAL;
	if (root >> mode_pa_bits(m, mode) || root >> m->cfg.pa_bits)
		return MMU_E_RANGE;
	m->ctx[asid].mode = (uint8_t)mode;
	m->ctx[asid].root = root;
	return MMU_OK;
}

int mmu_get_context(const struct mmu_model *m, unsigned asid, unsigned *mode, uint64_t *root)
{
	if (asid >> m->cfg.asid_bits)
		return MMU_E_INVAL;
	if (mode)
		*mode = m->ctx[asid].mode;
	if (root)
		*root = m->ctx[asid].root;
	return MMU_OK;
}

int mmu_set_policy(struct mmu_model *m, const struct mmu_policy *p)
{
	unsigned maxphy_max = m->cfg.pa_bits < 52 ? m->cfg.pa_bits : 52;
	struct mmu_policy np = *p;

	if ((np.sum | np.mxr | np.ad_fault | np.wp | np.nxe | np.smep | np.smap) > 1)
		return MMU_E_INVAL;
	if (np.maxphy == 0)
		np.maxphy = (uint8_t)maxphy_max;
	if (!is_textbook(m) && (np.maxphy < 32 || np.maxphy > maxphy_max))
		return MMU_E_INVAL;
	m->pol = np;
	return MMU_OK;
}

void mmu_get_policy(const struct mmu_model *m, struct mmu_policy *p)
{
	*p = m->pol;
}

uint64_t mmu_policy_word(const struct mmu_policy *p)
{
	return (uint64_t)(p->sum & 1) << MMU_POLICY_SUM | (uint64_t)(p->mxr & 1) << MMU_POLICY_MXR |
	       (uint64_t)(p->ad_fault & 1) << MMU_POLICY_AD_FAULT |
	       (uint64_t)(p->wp & 1) << MMU_POLICY_WP | (uint64_t)(p->nxe & 1) << MMU_POLICY_NXE |
	       (uint64_t)(p->smep & 1) << MMU_POLICY_SMEP |
	       (uint64_t)(p->smap & 1) << MMU_POLICY_SMAP |
	       (uint64_t)(p->maxphy & ((1u << MMU_POLICY_MAXPHY_WIDTH) - 1)) << MMU_POLICY_MAXPHY_LSB;
}

void mmu_policy_from_word(uint64_t w, struct mmu_policy *p)
{
	p->sum = (uint8_t)(w >> MMU_POLICY_SUM & 1);
	p->mxr = (uint8_t)(w >> MMU_POLICY_MXR & 1);
	p->ad_fault = (uint8_t)(w >> MMU_POLICY_AD_FAULT & 1);
	p->wp = (uint8_t)(w >> MMU_POLICY_WP & 1);
	p->nxe = (uint8_t)(w >> MMU_POLICY_NXE & 1);
	p->smep = (uint8_t)(w >> MMU_POLICY_SMEP & 1);
	p->smap = (uint8_t)(w >> MMU_POLICY_SMAP & 1);
	p->maxphy = (uint8_t)(w >> MMU_POLICY_MAXPHY_LSB & ((1u << MMU_POLICY_MAXPHY_WIDTH) - 1));
}

/* ---- tree-PLRU (docs/spec-tlb.md "Replacement") ---- */

/* Follow the bits from the root: 0 = the victim is in the lower half. */
static unsigned plru_victim(uint32_t bits, unsigned ways)
{
	unsigned node = 0, way = 0;

	for (unsigned n = ways; n > 1; n >>= 1) {
		unsigned right = (bits >> node) & 1;

		way = (way << 1) | right;
		node = 2 * node + 1 + right;
	}
	return way;
}

/* Point every node on the way's path away from it (ways is a power of 2). */
static uint16_t plru_touch(uint32_t bits, unsigned ways, unsigned way)
{
	unsigned node = 0;
	int depth = ways > 1 ? __builtin_ctz(ways) : 0;

	for (int d = depth - 1; d >= 0; d--) {
		unsigned right = (way >> d) & 1;

		if (right)
			bits &= ~(1u << node);
		else
			bits |= 1u << node;
		node = 2 * node + 1 + right;
	}
	return (uint16_t)bits;
}

/* Invalid ways first (the lowest), else the PLRU victim. */
static unsigned choose_victim(const struct entry *e, unsigned n, uint32_t bits)
{
	for (unsigned i = 0; i < n; i++)
		if (!e[i].valid)
			return i;
	return plru_victim(bits, n);
}

/* ---- matching ---- */

static int asid_match(const struct entry *e, unsigned asid)
{
	return (e->perm & BIT(MMU_PERM_G)) || e->asid == asid;
}

static int covers(const struct entry *e, uint64_t vpn)
{
	return ((vpn ^ e->vpn) >> e->span) == 0;
}

static int lookup_match(const struct entry *e, uint64_t vpn, unsigned asid)
{
	return e->valid && covers(e, vpn) && asid_match(e, asid);
}

static struct entry *base_set(struct mmu_model *m, uint64_t vpn)
{
	return &m->tlb[(size_t)(vpn & (m->cfg.tlb_sets - 1)) * m->cfg.tlb_ways];
}

static int find_base(struct mmu_model *m, uint64_t vpn, unsigned asid)
{
	const struct entry *set = base_set(m, vpn);

	for (unsigned w = 0; w < m->cfg.tlb_ways; w++)
		if (set[w].valid && set[w].vpn == vpn && asid_match(&set[w], asid))
			return (int)w;
	return -1;
}

static int find_sp(const struct mmu_model *m, uint64_t vpn, unsigned asid)
{
	for (unsigned i = 0; i < m->cfg.sp_entries; i++)
		if (lookup_match(&m->sp[i], vpn, asid))
			return (int)i;
	return -1;
}

/* ---- permission checks (docs/spec-translation.md "Permissions") ---- */

static int rv_perm_ok(unsigned perm, unsigned access, unsigned priv, const struct mmu_policy *p)
{
	if (priv == MMU_PRIV_U) {
		if (!(perm & BIT(MMU_PERM_U)))
			return 0;
	} else if (perm & BIT(MMU_PERM_U)) {
		if (access == MMU_ACCESS_X || !p->sum)
			return 0;
	}
	switch (access) {
	case MMU_ACCESS_R:
		return (perm & BIT(MMU_PERM_R)) || (p->mxr && (perm & BIT(MMU_PERM_X)));
	case MMU_ACCESS_W:
		return (perm & BIT(MMU_PERM_W)) != 0;
	default:
		return (perm & BIT(MMU_PERM_X)) != 0;
	}
}

static int x86_perm_ok(unsigned perm, unsigned access, unsigned priv, const struct mmu_policy *p)
{
	int user_addr = (perm & BIT(MMU_PERM_U)) != 0;
	int writable = (perm & BIT(MMU_PERM_W)) != 0;
	int no_exec = p->nxe && !(perm & BIT(MMU_PERM_X));

	if (priv == MMU_PRIV_U) {
		if (!user_addr)
			return 0;
		if (access == MMU_ACCESS_W)
			return writable;
		if (access == MMU_ACCESS_X)
			return !no_exec;
		return 1;
	}
	switch (access) {
	case MMU_ACCESS_R:
		return !(user_addr && p->smap);
	case MMU_ACCESS_W:
		return !(user_addr && p->smap) && (writable || !p->wp);
	default:
		return !no_exec && !(user_addr && p->smep);
	}
}

static int perm_ok(const struct mode_desc *d, unsigned perm, const struct mmu_request *r,
		   const struct mmu_policy *p)
{
	return d->fmt == FMT_X86 ? x86_perm_ok(perm, r->access, r->priv, p)
				 : rv_perm_ok(perm, r->access, r->priv, p);
}

/* ---- fault record (docs/spec-faults.md) ---- */

static void set_fault(const struct mmu_model *m, const struct mode_desc *d,
		      const struct mmu_request *r, unsigned cause, unsigned level,
		      struct mmu_response *resp)
{
	resp->cause = (uint8_t)cause;
	resp->level = (uint8_t)level;
	resp->pa = 0;
	resp->perm = 0;
	resp->page_shift = 0;
	resp->exc = 0;
	resp->err = 0;
	if (cause == MMU_CAUSE_NO_CONTEXT)
		return;
	if (d->fmt == FMT_X86) {
		const struct mmu_policy *p = &m->pol;

		if (cause == MMU_CAUSE_NON_CANONICAL) {
			resp->exc = MMU_X86VEC_GP;
		} else if (cause == MMU_CAUSE_ACCESS) {
			resp->exc = MMU_X86VEC_MC;
		} else {
			unsigned e = 0;

			if (cause != MMU_CAUSE_NOT_PRESENT)
				e |= BIT(MMU_PFERR_P);
			if (r->access == MMU_ACCESS_W)
				e |= BIT(MMU_PFERR_W);
			if (r->priv == MMU_PRIV_U)
				e |= BIT(MMU_PFERR_U);
			if (cause == MMU_CAUSE_RESERVED)
				e |= BIT(MMU_PFERR_RSVD);
			if (r->access == MMU_ACCESS_X && (p->nxe || p->smep))
				e |= BIT(MMU_PFERR_I);
			resp->exc = MMU_X86VEC_PF;
			resp->err = (uint16_t)e;
		}
		return;
	}
	if (cause == MMU_CAUSE_ACCESS) {
		static const uint8_t acc[3] = { MMU_RVEXC_LOAD_ACCESS, MMU_RVEXC_STORE_ACCESS,
						 MMU_RVEXC_INSN_ACCESS };
		resp->exc = acc[r->access];
	} else {
		static const uint8_t pf[3] = { MMU_RVEXC_LOAD_PAGE, MMU_RVEXC_STORE_PAGE,
						MMU_RVEXC_INSN_PAGE };
		resp->exc = pf[r->access];
	}
}

/* ---- fills and flushes (docs/spec-tlb.md "Fills") ---- */

static void put_entry(struct entry *e, uint64_t vpn, uint64_t ppn, unsigned asid,
		      unsigned level, unsigned span, unsigned perm)
{
	e->vpn = vpn & ~MASK(span);
	e->ppn = ppn;
	e->asid = (uint16_t)asid;
	e->valid = 1;
	e->level = (uint8_t)level;
	e->span = (uint8_t)span;
	e->perm = (uint8_t)perm;
}

static void fill_tlb(struct mmu_model *m, uint64_t vpn, unsigned asid, unsigned level,
		     unsigned span, uint64_t ppn, unsigned perm)
{
	int w = find_base(m, vpn, asid);
	int s = find_sp(m, vpn, asid);

	if (level == 0) {
		struct entry *set = base_set(m, vpn);
		uint16_t *bits = &m->plru[vpn & (m->cfg.tlb_sets - 1)];
		unsigned way = w >= 0 ? (unsigned)w : choose_victim(set, m->cfg.tlb_ways, *bits);

		put_entry(&set[way], vpn, ppn, asid, level, span, perm);
		*bits = plru_touch(*bits, m->cfg.tlb_ways, way);
		if (s >= 0)
			m->sp[s].valid = 0;
		return;
	}
	if (w >= 0)
		base_set(m, vpn)[w].valid = 0;
	if (m->cfg.sp_entries) {
		unsigned i = s >= 0 ? (unsigned)s : choose_victim(m->sp, m->cfg.sp_entries, m->sp_plru);

		put_entry(&m->sp[i], vpn, ppn, asid, level, span, perm);
		m->sp_plru = plru_touch(m->sp_plru, m->cfg.sp_entries, i);
	}
}

static void pwc_insert(struct mmu_model *m, uint64_t vpn, unsigned asid, unsigned level,
		       unsigned span, uint64_t ppn, unsigned perm)
{
	unsigned n = m->cfg.pwc_entries, i;
	uint64_t tag = vpn & ~MASK(span);

	/* a table beyond the PA width is never cached: the next read faults */
	if (!n || m->walk_stale || (ppn << m->page_bits) >> m->cfg.pa_bits)
		return;
	for (i = 0; i < n; i++) {
		const struct entry *e = &m->pwc[i];

		if (e->valid && e->level == level && e->span == span && e->vpn == tag &&
		    asid_match(e, asid))
			break;
	}
	if (i == n)
		i = choose_victim(m->pwc, n, m->pwc_plru);
	put_entry(&m->pwc[i], vpn, ppn, asid, level, span, perm);
	m->pwc_plru = plru_touch(m->pwc_plru, n, i);
}

/* x86 #PF rule: drop every cached entry that would translate this VA. */
static void fault_flush(struct mmu_model *m, uint64_t vpn, unsigned asid)
{
	struct entry *set = base_set(m, vpn);

	for (unsigned w = 0; w < m->cfg.tlb_ways; w++)
		if (lookup_match(&set[w], vpn, asid))
			set[w].valid = 0;
	for (unsigned i = 0; i < m->cfg.sp_entries; i++)
		if (lookup_match(&m->sp[i], vpn, asid))
			m->sp[i].valid = 0;
	for (unsigned i = 0; i < m->cfg.pwc_entries; i++)
		if (lookup_match(&m->pwc[i], vpn, asid))
			m->pwc[i].valid = 0;
}

/* ---- the walker (docs/spec-translation.md "Walk") ---- */

struct walk {
	const struct mode_desc *d;
	const struct mmu_request *r;
	uint64_t vpn;
	unsigned level;
	uint64_t table;
	unsigned acc;       /* accumulated R W X U G (x86 rights; RISC-V G) */
};

/* Read the PTE at level w->level; 0 or a fault cause. */
static unsigned read_pte(struct mmu_model *m, struct walk *w, uint64_t *pte, uint64_t *word,
			 uint64_t *pte_pa)
{
	const struct mode_desc *d = w->d;
	uint64_t idx = (w->r->va >> d->shift[w->level]) & MASK(d->idx[w->level]);

	*pte_pa = w->table + idx * d->pte_bytes;
	if (*pte_pa >> m->cfg.pa_bits)
		return MMU_CAUSE_ACCESS;
	m->cnt.c[MMU_CNT_PTE_READS]++;
	if (m->mem.read(m->mem.ctx, *pte_pa & ~7ULL, word))
		return MMU_CAUSE_ACCESS;
	if (d->pte_bytes == 8)
		*pte = *word;
	else
		*pte = (*word >> ((*pte_pa & 4) * 8)) & 0xffffffffULL;
	return 0;
}

/* Atomic update of the PTE just read: the word as read with `set` OR'ed in,
 * written to the one byte that holds the A and D bits (the PTE's lowest). */
static unsigned write_pte(struct mmu_model *m, const struct walk *w, uint64_t word,
			  uint64_t pte_pa, uint64_t set)
{
	uint8_t sel = 0x01;

	if (w->d->pte_bytes == 4 && (pte_pa & 4)) {
		set <<= 32;
		sel = 0x10;
	}
	m->cnt.c[MMU_CNT_PTE_WRITES]++;
	if (m->mem.write(m->mem.ctx, pte_pa & ~7ULL, word | set, sel))
		return MMU_CAUSE_ACCESS;
	return 0;
}

struct leaf {
	uint64_t ppn;       /* page frame of the page's start */
	unsigned perm;
};

/* One RISC-V-style PTE: 0 = descend, 1 = leaf found, else a fault cause << 1. */
static unsigned step_rv(struct mmu_model *m, struct walk *w, struct leaf *lf)
{
	const struct mode_desc *d = w->d;
	unsigned write = w->r->access == MMU_ACCESS_W;
	uint64_t pte, word, pte_pa, ppn, need;
	unsigned cause = read_pte(m, w, &pte, &word, &pte_pa), perm, span;

	if (cause)
		return cause << 1;
	if (!(pte & BIT(MMU_RVPTE_V)))
		return MMU_CAUSE_NOT_PRESENT << 1;
	if ((pte & d->rsvd_mask) ||
	    ((pte & BIT(MMU_RVPTE_W)) && !(pte & BIT(MMU_RVPTE_R))))
		return MMU_CAUSE_RESERVED << 1;
	ppn = (pte >> 10) & d->ppn_mask;
	if (pte & BIT(MMU_RVPTE_G))
		w->acc |= BIT(MMU_PERM_G);
	if (!(pte & (BIT(MMU_RVPTE_R) | BIT(MMU_RVPTE_X)))) {
		/* Pointer: A, D and U are reserved; no pointer at the last level. */
		if ((pte & (BIT(MMU_RVPTE_A) | BIT(MMU_RVPTE_D) | BIT(MMU_RVPTE_U))) ||
		    w->level == 0)
			return MMU_CAUSE_RESERVED << 1;
		pwc_insert(m, w->vpn, w->r->asid, w->level,
			   d->shift[w->level] - m->page_bits, ppn, w->acc);
		w->table = ppn << d->page_bits;
		w->level--;
		return 0;
	}
	perm = (unsigned)(pte & (BIT(MMU_RVPTE_R) | BIT(MMU_RVPTE_W) | BIT(MMU_RVPTE_X))) >> 1;
	perm |= (pte & BIT(MMU_RVPTE_U)) ? (unsigned)BIT(MMU_PERM_U) : 0;
	perm |= w->acc & BIT(MMU_PERM_G);
	if (!rv_perm_ok(perm, w->r->access, w->r->priv, &m->pol))
		return MMU_CAUSE_PERMISSION << 1;
	span = d->shift[w->level] - d->page_bits;
	if (ppn & MASK(span))
		return MMU_CAUSE_MISALIGNED << 1;
	need = BIT(MMU_RVPTE_A) | (write ? BIT(MMU_RVPTE_D) : 0);
	if ((pte & need) != need) {
		if (m->pol.ad_fault)
			return MMU_CAUSE_AD_NEEDED << 1;
		if (write_pte(m, w, word, pte_pa, need))
			return MMU_CAUSE_ACCESS << 1;
		pte |= need;
	}
	if (pte & BIT(MMU_RVPTE_D))
		perm |= BIT(MMU_PERM_D);
	lf->ppn = ppn;
	lf->perm = perm;
	return 1;
}

/* One x86-64 paging-structure entry; same return convention as step_rv. */
static unsigned step_x86(struct mmu_model *m, struct walk *w, struct leaf *lf)
{
	const struct mode_desc *d = w->d;
	unsigned write = w->r->access == MMU_ACCESS_W, perm;
	uint64_t pte, word, pte_pa, rsvd, addr, need;
	unsigned cause = read_pte(m, w, &pte, &word, &pte_pa);
	int leaf;

	if (cause)
		return cause << 1;
	if (!(pte & BIT(MMU_X86PTE_P)))
		return MMU_CAUSE_NOT_PRESENT << 1;
	/* Reserved: address bits 51:MAXPHYADDR, XD without NXE, PS in a PML4E,
	 * and the low address bits of a 1 GiB / 2 MiB page (PAT is bit 12). */
	rsvd = MASK(52) & ~MASK(m->pol.maxphy);
	if (!m->pol.nxe)
		rsvd |= BIT(MMU_X86PTE_XD);
	leaf = w->level == 0 || (pte & BIT(MMU_X86PTE_PS));
	if (w->level == 3)
		rsvd |= BIT(MMU_X86PTE_PS);
	else if (w->level > 0 && leaf)
		rsvd |= MASK(d->shift[w->level]) & ~MASK(13);
	if (pte & rsvd)
		return MMU_CAUSE_RESERVED << 1;
	if (!(pte & BIT(MMU_X86PTE_RW)))
		w->acc &= ~(unsigned)BIT(MMU_PERM_W);
	if (!(pte & BIT(MMU_X86PTE_US)))
		w->acc &= ~(unsigned)BIT(MMU_PERM_U);
	if (pte & BIT(MMU_X86PTE_XD))
		w->acc &= ~(unsigned)BIT(MMU_PERM_X);
	addr = pte & MASK(52) & ~MASK(12);
	if (!leaf) {
		/* A is set on every entry used to reach the next level. */
		if (!(pte & BIT(MMU_X86PTE_A)) && write_pte(m, w, word, pte_pa, BIT(MMU_X86PTE_A)))
			return MMU_CAUSE_ACCESS << 1;
		pwc_insert(m, w->vpn, w->r->asid, w->level,
			   d->shift[w->level] - m->page_bits, addr >> 12, w->acc);
		w->table = addr;
		w->level--;
		return 0;
	}
	perm = w->acc & (BIT(MMU_PERM_R) | BIT(MMU_PERM_W) | BIT(MMU_PERM_X) | BIT(MMU_PERM_U));
	if (pte & BIT(MMU_X86PTE_G))
		perm |= BIT(MMU_PERM_G);
	if (!x86_perm_ok(perm, w->r->access, w->r->priv, &m->pol))
		return MMU_CAUSE_PERMISSION << 1;
	need = BIT(MMU_X86PTE_A) | (write ? BIT(MMU_X86PTE_D) : 0);
	if ((pte & need) != need) {
		if (write_pte(m, w, word, pte_pa, need))
			return MMU_CAUSE_ACCESS << 1;
		pte |= need;
	}
	if (pte & BIT(MMU_X86PTE_D))
		perm |= BIT(MMU_PERM_D);
	lf->ppn = (addr & ~MASK(d->shift[w->level])) >> 12;
	lf->perm = perm;
	return 1;
}

static const struct entry *pwc_lookup(struct mmu_model *m, const struct mode_desc *d,
				      uint64_t vpn, unsigned asid)
{
	int best = -1;

	for (unsigned i = 0; i < m->cfg.pwc_entries; i++) {
		const struct entry *e = &m->pwc[i];

		if (lookup_match(e, vpn, asid) && e->level > 0 && e->level < d->levels &&
		    (best < 0 || e->span < m->pwc[best].span))
			best = (int)i;
	}
	if (best < 0)
		return NULL;
	m->pwc_plru = plru_touch(m->pwc_plru, m->cfg.pwc_entries, (unsigned)best);
	m->cnt.c[MMU_CNT_PWC_HITS]++;
	return &m->pwc[best];
}

static void walk(struct mmu_model *m, const struct mode_desc *d, const struct context *c,
		 const struct mmu_request *r, uint64_t vpn, struct mmu_response *resp)
{
	struct walk w = { .d = d, .r = r, .vpn = vpn, .level = d->levels - 1u,
			  .table = c->root,
			  .acc = BIT(MMU_PERM_R) | BIT(MMU_PERM_W) | BIT(MMU_PERM_X) | BIT(MMU_PERM_U) };
	const struct entry *pe = pwc_lookup(m, d, vpn, r->asid);
	struct leaf lf;
	unsigned st, span;
	uint64_t pa;

	m->cnt.c[MMU_CNT_WALKS]++;
	if (pe) {
		w.level = pe->level - 1u;
		w.table = pe->ppn << d->page_bits;
		w.acc = pe->perm;
	}
	m->in_walk = 1;
	m->walk_stale = 0;
	do
		st = d->fmt == FMT_X86 ? step_x86(m, &w, &lf) : step_rv(m, &w, &lf);
	while (st == 0);
	m->in_walk = 0;
	if (st != 1) {
		set_fault(m, d, r, st >> 1, w.level, resp);
		goto fault;
	}
	pa = (lf.ppn << d->page_bits) | (r->va & MASK(d->shift[w.level]));
	if (pa >> m->cfg.pa_bits) {
		/* A leaf beyond the implemented PA width: the access itself faults. */
		set_fault(m, d, r, MMU_CAUSE_ACCESS, w.level, resp);
		goto fault;
	}
	span = d->shift[w.level] - m->page_bits;
	if (!m->walk_stale)
		fill_tlb(m, vpn, r->asid, w.level, span, lf.ppn, lf.perm);
	resp->cause = MMU_CAUSE_OK;
	resp->level = (uint8_t)w.level;
	resp->pa = pa;
	resp->perm = (uint8_t)lf.perm;
	resp->page_shift = d->shift[w.level];
	resp->exc = 0;
	resp->err = 0;
	return;
fault:
	m->cnt.c[MMU_CNT_FAULT_NOT_PRESENT + resp->cause - 1]++;
	if (d->fmt == FMT_X86)
		fault_flush(m, vpn, r->asid);
}

static int canonical(const struct mode_desc *d, uint64_t va)
{
	if (d->sign_ext) {
		uint64_t top = va >> (d->va_bits - 1);

		return top == 0 || top == MASK(65 - d->va_bits);
	}
	return (va >> d->va_bits) == 0;
}

int mmu_translate(struct mmu_model *m, const struct mmu_request *r, struct mmu_response *resp)
{
	const struct context *c;
	const struct mode_desc *d;
	const struct entry *e = NULL;
	uint64_t vpn;
	int w;

	if (m->in_walk)
		return MMU_E_BUSY;
	if (r->asid >> m->cfg.asid_bits || r->access > MMU_ACCESS_X || r->priv > MMU_PRIV_S)
		return MMU_E_INVAL;
	c = &m->ctx[r->asid];
	d = &m->md[c->mode];
	resp->tag = r->tag;
	resp->hit = 0;
	if (c->mode == MMU_MODE_OFF) {
		set_fault(m, d, r, MMU_CAUSE_NO_CONTEXT, MMU_LEVEL_NONE, resp);
		m->cnt.c[MMU_CNT_FAULT_NO_CONTEXT]++;
		return MMU_OK;
	}
	if (!canonical(d, r->va)) {
		set_fault(m, d, r, MMU_CAUSE_NON_CANONICAL, MMU_LEVEL_NONE, resp);
		m->cnt.c[MMU_CNT_FAULT_NON_CANONICAL]++;
		return MMU_OK;
	}
	m->cnt.c[MMU_CNT_LOOKUPS]++;
	vpn = (r->va >> m->page_bits) & m->vpn_mask;
	/* The base array wins over the superpage array; the lowest way wins. */
	w = find_base(m, vpn, r->asid);
	if (w >= 0) {
		e = &base_set(m, vpn)[w];
	} else {
		int s = find_sp(m, vpn, r->asid);

		if (s >= 0)
			e = &m->sp[s];
	}
	if (!e) {
		m->cnt.c[MMU_CNT_MISSES]++;
	} else if (perm_ok(d, e->perm, r, &m->pol) &&
		   (r->access != MMU_ACCESS_W || (e->perm & BIT(MMU_PERM_D)))) {
		unsigned shift = m->page_bits + e->span;

		if (w >= 0) {
			uint16_t *bits = &m->plru[vpn & (m->cfg.tlb_sets - 1)];

			*bits = plru_touch(*bits, m->cfg.tlb_ways, (unsigned)w);
		} else {
			unsigned i = (unsigned)(e - m->sp);

			m->sp_plru = plru_touch(m->sp_plru, m->cfg.sp_entries, i);
		}
		m->cnt.c[MMU_CNT_HITS]++;
		resp->cause = MMU_CAUSE_OK;
		resp->level = e->level;
		resp->pa = ((e->ppn << m->page_bits) & ~MASK(shift)) | (r->va & MASK(shift));
		resp->perm = e->perm;
		resp->page_shift = (uint8_t)shift;
		resp->exc = 0;
		resp->err = 0;
		resp->hit = 1;
		return MMU_OK;
	}
	/* A miss, or a match that forbids the access or needs D set: walk. */
	walk(m, d, c, r, vpn, resp);
	return MMU_OK;
}

/* ---- invalidation (docs/spec-tlb.md "Invalidation") ---- */

static int inval_match(const struct entry *e, unsigned kind, unsigned asid, uint64_t vpn)
{
	int global = (e->perm & BIT(MMU_PERM_G)) != 0;

	if (!e->valid)
		return 0;
	switch (kind) {
	case MMU_INVAL_ALL: return 1;
	case MMU_INVAL_ASID: return !global && e->asid == asid;
	case MMU_INVAL_VA: return covers(e, vpn);
	default: return covers(e, vpn) && !global && e->asid == asid;
	}
}

int mmu_invalidate(struct mmu_model *m, unsigned kind, unsigned asid, uint64_t va)
{
	uint64_t vpn = (va >> m->page_bits) & m->vpn_mask;
	size_t first = 0, count = (size_t)m->cfg.tlb_sets * m->cfg.tlb_ways;

	if (kind > MMU_INVAL_VA_ASID)
		return MMU_E_INVAL;
	if ((kind == MMU_INVAL_ASID || kind == MMU_INVAL_VA_ASID) && asid >> m->cfg.asid_bits)
		return MMU_E_INVAL;
	if (kind == MMU_INVAL_VA || kind == MMU_INVAL_VA_ASID) {
		first = (size_t)(vpn & (m->cfg.tlb_sets - 1)) * m->cfg.tlb_ways;
		count = m->cfg.tlb_ways;
	}
	for (size_t i = first; i < first + count; i++)
		if (inval_match(&m->tlb[i], kind, asid, vpn))
			m->tlb[i].valid = 0;
	for (unsigned i = 0; i < m->cfg.sp_entries; i++)
		if (inval_match(&m->sp[i], kind, asid, vpn))
			m->sp[i].valid = 0;
	for (unsigned i = 0; i < m->cfg.pwc_entries; i++)
		if (inval_match(&m->pwc[i], kind, asid, vpn))
			m->pwc[i].valid = 0;
	m->cnt.c[MMU_CNT_INVAL_ALL + kind]++;
	if (m->in_walk)
		m->walk_stale = 1;
	return MMU_OK;
}

/* ---- inspection ---- */

void mmu_read_counters(const struct mmu_model *m, struct mmu_counters *c)
{
	*c = m->cnt;
}

void mmu_clear_counters(struct mmu_model *m)
{
	memset(&m->cnt, 0, sizeof(m->cnt));
}

static void export_entry(const struct mmu_model *m, const struct entry *in, struct mmu_entry *e)
{
	e->vpn = in->vpn;
	e->ppn = in->ppn;
	e->asid = in->asid;
	e->valid = in->valid;
	e->level = in->level;
	e->page_shift = (uint8_t)(in->valid ? m->page_bits + in->span : 0);
	e->perm = in->perm;
}

int mmu_tlb_entry(const struct mmu_model *m, unsigned set, unsigned way, struct mmu_entry *e)
{
	if (set >= m->cfg.tlb_sets || way >= m->cfg.tlb_ways)
		return MMU_E_RANGE;
	export_entry(m, &m->tlb[(size_t)set * m->cfg.tlb_ways + way], e);
	return MMU_OK;
}

int mmu_sp_entry(const struct mmu_model *m, unsigned i, struct mmu_entry *e)
{
	if (i >= m->cfg.sp_entries)
		return MMU_E_RANGE;
	export_entry(m, &m->sp[i], e);
	return MMU_OK;
}

int mmu_pwc_entry(const struct mmu_model *m, unsigned i, struct mmu_entry *e)
{
	if (i >= m->cfg.pwc_entries)
		return MMU_E_RANGE;
	export_entry(m, &m->pwc[i], e);
	return MMU_OK;
}

int mmu_plru_bits(const struct mmu_model *m, unsigned array, unsigned set, uint32_t *bits)
{
	switch (array) {
	case 0:
		if (set >= m->cfg.tlb_sets)
			return MMU_E_RANGE;
		*bits = m->plru[set];
		return MMU_OK;
	case 1:
		*bits = m->sp_plru;
		return MMU_OK;
	case 2:
		*bits = m->pwc_plru;
		return MMU_OK;
	default:
		return MMU_E_RANGE;
	}
}

static void export_geometry(const struct mode_desc *d, unsigned pa_bits, unsigned set_bits,
			    struct mmu_geometry *g)
{
	memset(g, 0, sizeof(*g));
	g->va_bits = d->va_bits;
	g->pa_bits = pa_bits;
	g->page_bits = d->page_bits;
	g->levels = d->levels;
	g->pte_bytes = d->pte_bytes;
	for (unsigned l = 0; l < d->levels; l++)
		g->idx_bits[l] = d->idx[l];
	g->sign_extended = d->sign_ext;
	g->x86 = d->fmt == FMT_X86;
	g->set_bits = set_bits;
	g->tag_bits = d->va_bits - d->page_bits - set_bits;
}

int mmu_mode_geometry(const struct mmu_model *m, unsigned mode, struct mmu_geometry *g)
{
	if (mode == MMU_MODE_OFF || mode >= MMU_MODE_COUNT ||
	    (mode == MMU_MODE_TEXTBOOK) != is_textbook(m) || !mode_built(&m->cfg, mode))
		return MMU_E_INVAL;
	export_geometry(&m->md[mode], mode_pa_bits(m, mode), m->set_bits, g);
	return MMU_OK;
}

int mmu_config_geometry(const struct mmu_config *cfg, unsigned mode, unsigned maxphy,
			struct mmu_geometry *g)
{
	struct mmu_config c = *cfg;
	struct mode_desc md[MMU_MODE_COUNT];

	if (mmu_config_resolve(&c) || mode == MMU_MODE_OFF || mode >= MMU_MODE_COUNT ||
	    (mode == MMU_MODE_TEXTBOOK) != (c.tb.levels != 0) || !mode_built(&c, mode))
		return MMU_E_INVAL;
	build_modes(&c, md);
	if (mode == MMU_MODE_X86_64 && maxphy == 0)
		maxphy = c.pa_bits < 52 ? c.pa_bits : 52;
	export_geometry(&md[mode], mode == MMU_MODE_X86_64 ? maxphy : md[mode].pa_bits,
			log2u(c.tlb_sets), g);
	return MMU_OK;
}

unsigned mmu_level_shift(const struct mmu_geometry *g, unsigned level)
{
	unsigned s = g->page_bits;

	for (unsigned l = 0; l < level && l < g->levels; l++)
		s += g->idx_bits[l];
	return s;
}

const char *mmu_perm_string(unsigned perm, char *buf)
{
	static const char letters[] = "rwxugd";

	for (unsigned i = 0; i < 6; i++)
		buf[i] = (perm >> i) & 1 ? letters[i] : '-';
	buf[6] = '\0';
	return buf;
}

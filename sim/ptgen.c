/*
 * ptgen.c - random page tables and requests (see ptgen.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptgen.h"

static uint64_t mask(unsigned n)
{
	return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

uint64_t ptgen_splitmix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t ptgen_rand(struct ptgen *p)
{
	return ptgen_splitmix(&p->rng);
}

unsigned ptgen_pct(struct ptgen *p, unsigned pct)
{
	return ptgen_rand(p) % 100 < pct;
}

uint64_t ptgen_canonical(const struct ptgen *p, uint64_t va)
{
	if (p->g.sign_extended && (va >> (p->g.va_bits - 1)) & 1)
		va |= ~mask(p->g.va_bits);
	return va;
}

static int alloc_table(struct ptgen *p, uint64_t *pa)
{
	if (p->next_table + p->table_bytes > p->limit)
		return 0;
	*pa = p->next_table;
	p->next_table += p->table_bytes;
	return 1;
}

static int is_leaf(const struct ptgen *p, uint64_t pte, unsigned level)
{
	if (p->g.x86)
		return (pte & 1) && (level == 0 || (pte & 0x80));
	return (pte & 1) && (pte & 0xa);
}

static void set_slot(struct ptgen *p, unsigned i, uint64_t pte)
{
	struct ptgen_slot *s = &p->slots[i];

	p->put(p->put_ctx, s->pa, pte, p->g.pte_bytes);
	s->leaf = is_leaf(p, pte, s->level);
	if (s->leaf && p->nleaves < PTGEN_MAX_SLOTS)
		p->leaves[p->nleaves++] = i;
	s->outside = p->made_outside;
	if (s->outside && p->nouts < sizeof(p->outs) / sizeof(p->outs[0]))
		p->outs[p->nouts++] = i;
	p->made_outside = 0;
}

uint64_t ptgen_outside(struct ptgen *p)
{
	unsigned bits = p->g.pa_bits < 40 ? p->g.pa_bits : 40;

	return (1ULL << (bits - 1)) + ((ptgen_rand(p) % 16) << p->g.page_bits);
}

/* A random frame address for a leaf at level l (usually aligned), within
 * g.pa_bits (at most 40 bits) but for 15% of leaves, which may reach 2 bits
 * beyond: frames past the PA width where it is under 40 bits. */
static uint64_t leaf_addr(struct ptgen *p, unsigned l)
{
	unsigned shift = mmu_level_shift(&p->g, l);
	unsigned bits = (p->g.pa_bits < 40 ? p->g.pa_bits : 40) + (ptgen_pct(p, 15) ? 2 : 0);
	uint64_t a = ptgen_rand(p) & mask(bits);

	a &= ~mask(p->g.page_bits);
	if (!ptgen_pct(p, 20)) /* superpages: one in five misaligned */
		a &= ~mask(shift);
	return a;
}

static void fill_table(struct ptgen *p, uint64_t table, unsigned level, uint64_t va, unsigned asid);

/* A random PTE for `level`; a pointer gets a fresh subtree below it. */
static uint64_t random_pte(struct ptgen *p, unsigned level, uint64_t va, unsigned asid)
{
	static const uint64_t reserved_in_pointer[3] = { 0x10, 0x40, 0x80 }; /* U A D */
	unsigned k = (unsigned)(ptgen_rand(p) % 100);
	uint64_t sub, pte;

	if (k < 12)
		return 0;
	if (k < 16)
		return ptgen_rand(p) & ~1ULL; /* not present, junk in the other bits */
	if (k < 20 && level > 0) {
		/* a pointer to a table outside memory (but inside the PA width):
		 * the walk's next read ends in a bus error */
		unsigned ppn_bits = p->g.pte_bytes == 4 ? 22 : 44;

		sub = ptgen_outside(p);
		if (!p->g.x86 && p->g.pa_bits < ppn_bits + p->g.page_bits && ptgen_pct(p, 50))
			sub = 1ULL << p->g.pa_bits; /* beyond the PA width: never read */
		p->made_outside = 1;
		if (p->g.x86)
			return sub | 0x7;
		return ((sub >> p->g.page_bits) << 10) | 0x1;
	}
	if (k < 56 && level > 0 && alloc_table(p, &sub)) {
		fill_table(p, sub, level - 1, va, asid);
		if (p->g.x86) {
			pte = sub | 0x1 | (ptgen_pct(p, 90) ? 0x2 : 0) | (ptgen_pct(p, 90) ? 0x4 : 0) |
			      (ptgen_pct(p, 50) ? 0x20 : 0) | (ptgen_pct(p, 8) ? 1ULL << 63 : 0);
			if (ptgen_pct(p, 3))
				pte |= 1ULL << 50; /* reserved under MAXPHYADDR <= 46 */
		} else {
			pte = ((sub >> p->g.page_bits) << 10) | 0x1;
			if (ptgen_pct(p, 4))
				pte |= reserved_in_pointer[ptgen_rand(p) % 3];
			if (p->global_ok && ptgen_pct(p, 10))
				pte |= 0x20;
		}
		return pte;
	}
	if (p->g.x86) {
		pte = leaf_addr(p, level) | 0x1 | (ptgen_pct(p, 70) ? 0x2 : 0) |
		      (ptgen_pct(p, 70) ? 0x4 : 0) | (ptgen_pct(p, 60) ? 0x20 : 0) |
		      (ptgen_pct(p, 40) ? 0x40 : 0) | (p->global_ok && ptgen_pct(p, 10) ? 0x100 : 0) |
		      (ptgen_pct(p, 20) ? 1ULL << 63 : 0);
		if (level > 0)
			pte |= 0x80;
		if (ptgen_pct(p, 3))
			pte |= 1ULL << 48;
		return pte;
	}
	pte = ((leaf_addr(p, level) >> p->g.page_bits) << 10) | 0x1;
	pte |= (ptgen_rand(p) % 7 + 1) << 1;            /* R W X, not all zero */
	pte |= ptgen_pct(p, 60) ? 0x10 : 0;             /* U */
	pte |= p->global_ok && ptgen_pct(p, 10) ? 0x20 : 0;
	pte |= ptgen_pct(p, 70) ? 0x40 : 0;             /* A */
	pte |= ptgen_pct(p, 50) ? 0x80 : 0;             /* D */
	if (p->g.pte_bytes == 8 && ptgen_pct(p, 3))
		pte |= 1ULL << (54 + ptgen_rand(p) % 10);
	if (p->g.pte_bytes == 4)
		pte &= 0xffffffffULL;
	return pte;
}

static void fill_table(struct ptgen *p, uint64_t table, unsigned level, uint64_t va, unsigned asid)
{
	unsigned shift = mmu_level_shift(&p->g, level), n = 1 + (unsigned)(ptgen_rand(p) % 3);
	uint64_t first = 0, entries = 1ULL << p->g.idx_bits[level];

	if (p->dense) {
		n = level ? 2 + (unsigned)(ptgen_rand(p) % 3) : 32 + (unsigned)(ptgen_rand(p) % 65);
		if (n > entries)
			n = (unsigned)entries;
		first = ptgen_rand(p);
	}
	for (unsigned i = 0; i < n && p->nslots < PTGEN_MAX_SLOTS; i++) {
		uint64_t idx = (p->dense ? first + i : ptgen_rand(p)) & mask(p->g.idx_bits[level]);
		uint64_t sva = va | (idx << shift);
		unsigned slot = p->nslots++;
		struct ptgen_slot *s = &p->slots[slot];

		s->pa = table + idx * p->g.pte_bytes;
		s->va = sva;
		s->level = level;
		s->asid = asid;
		set_slot(p, slot, random_pte(p, level, sva, asid));
	}
}

void ptgen_init(struct ptgen *p, uint64_t seed, unsigned mode, const struct mmu_geometry *g,
		unsigned nasid, uint64_t first_table, uint64_t limit,
		void (*put)(void *ctx, uint64_t pa, uint64_t pte, unsigned bytes), void *put_ctx)
{
	memset(p, 0, sizeof(*p));
	p->rng = seed;
	p->mode = mode;
	p->g = *g;
	p->nasid = nasid;
	p->global_ok = nasid == 1;
	p->table_bytes = (uint64_t)g->pte_bytes << g->idx_bits[g->levels - 1];
	if (p->table_bytes < (1ULL << g->page_bits))
		p->table_bytes = 1ULL << g->page_bits;
	p->next_table = first_table;
	p->limit = limit;
	p->put = put;
	p->put_ctx = put_ctx;
}

int ptgen_new_tree(struct ptgen *p, unsigned asid, uint64_t *root)
{
	if (!alloc_table(p, root))
		return -1;
	fill_table(p, *root, p->g.levels - 1, 0, asid);
	return 0;
}

int ptgen_locality_parse(const char *spec, struct ptgen_locality *out, char *err, size_t errlen)
{
	const char *arg = strchr(spec, ':');
	size_t name = arg ? (size_t)(arg - spec) : strlen(spec);
	char *end;

	memset(out, 0, sizeof(*out));
	if (arg)
		arg++;
	if (name == 3 && !strncmp(spec, "mix", 3) && !arg)
		return 0;
	if (name == 6 && !strncmp(spec, "random", 6) && !arg) {
		out->kind = PTGEN_LOC_RANDOM;
		return 0;
	}
	if (name == 3 && !strncmp(spec, "seq", 3) && !arg) {
		out->kind = PTGEN_LOC_STRIDE;
		out->stride = 8;
		return 0;
	}
	if (name == 6 && !strncmp(spec, "stride", 6) && arg) {
		unsigned long long v;

		errno = 0;
		v = strtoull(arg, &end, 0);
		if (*arg == '-' || end == arg || *end || errno || v == 0 || v > (1ULL << 40)) {
			snprintf(err, errlen, "locality '%s': the stride must be 1 to 2^40 bytes", spec);
			return -1;
		}
		out->kind = PTGEN_LOC_STRIDE;
		out->stride = v;
		return 0;
	}
	if (name == 4 && !strncmp(spec, "zipf", 4)) {
		out->kind = PTGEN_LOC_ZIPF;
		out->s = 1.0;
		if (!arg)
			return 0;
		errno = 0;
		out->s = strtod(arg, &end);
		if (end == arg || *end || errno || !(out->s > 0.0 && out->s <= 8.0)) {
			snprintf(err, errlen, "locality '%s': the exponent must be above 0 and at most 8", spec);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "unknown locality '%s' (mix, seq, stride:BYTES, random, zipf[:S])", spec);
	return -1;
}

static int page_cmp(const void *a, const void *b)
{
	const struct ptgen_page *x = a, *y = b;

	if (x->asid != y->asid)
		return x->asid < y->asid ? -1 : 1;
	return x->va < y->va ? -1 : x->va > y->va;
}

static int rank_cmp(const void *a, const void *b)
{
	const struct ptgen_rank *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

unsigned ptgen_make_pages(struct ptgen *p, ptgen_probe_fn probe, void *ctx)
{
	unsigned n = 0, k;
	double sum = 0;

	p->pages_made = 1;
	for (unsigned i = 0; i < p->nleaves; i++) {
		const struct ptgen_slot *s = &p->slots[p->leaves[i]];
		unsigned shift = mmu_level_shift(&p->g, s->level);
		uint64_t base = s->va & ~mask(shift);
		uint64_t span = 1ULL << (shift - p->g.page_bits);
		uint8_t ok = probe ? 0 : 0x3f;

		if (!s->leaf)   /* overwritten since */
			continue;
		for (unsigned c = 0; probe && c < 6; c++)
			if (probe(ctx, s->asid, ptgen_canonical(p, base), c / 2, c % 2))
				ok |= (uint8_t)(1u << c);
		for (uint64_t j = 0; ok && j < span && j < 16 && n < PTGEN_MAX_PAGES; j++) {
			p->pages[n].va = ptgen_canonical(p, base + (j << p->g.page_bits));
			p->pages[n].asid = s->asid;
			p->pages[n++].ok = ok;
		}
	}
	qsort(p->pages, n, sizeof(p->pages[0]), page_cmp);
	/* a slot that became a leaf again is in the leaves twice */
	for (unsigned i = k = 0; i < n; i++)
		if (!k || page_cmp(&p->pages[i], &p->pages[k - 1]))
			p->pages[k++] = p->pages[i];
	p->npages = k;
	/* Zipf: rank r (0-based) has weight 1/(r+1)^s.  Pages are ranked by a
	 * hash of their address, so the hot pages are not neighbours, and a
	 * page keeps its rank when the list is made again after a PTE change
	 * (only the pages that came or went move the others by a place). */
	if (!p->zipf_salt)   /* drawn whatever the locality, which keeps each one's stream */
		p->zipf_salt = ptgen_rand(p) | 1;
	if (p->loc.kind != PTGEN_LOC_ZIPF)
		return k;
	for (unsigned r = 0; r < k; r++) {
		uint64_t h = p->zipf_salt ^ p->pages[r].va ^ (uint64_t)p->pages[r].asid << 60;

		p->zipf_rank[r].key = ptgen_splitmix(&h);
		p->zipf_rank[r].page = r;
	}
	qsort(p->zipf_rank, k, sizeof(p->zipf_rank[0]), rank_cmp);
	for (unsigned r = 0; r < k; r++) {
		sum += pow(r + 1.0, -p->loc.s);
		p->zipf_cdf[r] = sum;
	}
	for (unsigned r = 0; r < k; r++)
		p->zipf_cdf[r] /= sum;
	if (k)
		p->zipf_cdf[k - 1] = 1.0;
	return k;
}

/* A request of the STRIDE, RANDOM and ZIPF localities (ptgen.h). */
static void located_request(struct ptgen *p, struct mmu_request *q, unsigned n)
{
	uint64_t page_mask = mask(p->g.page_bits);
	unsigned k;
	uint64_t off;

	memset(q, 0, sizeof(*q));
	q->access = (uint8_t)(ptgen_rand(p) % 3);
	q->priv = (uint8_t)(ptgen_rand(p) % 2);
	q->tag = n;
	if (p->loc.kind == PTGEN_LOC_STRIDE) {
		k = (unsigned)((p->cursor >> p->g.page_bits) % p->npages);
		off = p->cursor & page_mask;
		p->cursor += p->loc.stride;
	} else {
		if (p->loc.kind == PTGEN_LOC_RANDOM) {
			k = (unsigned)(ptgen_rand(p) % p->npages);
		} else {
			double u = (double)(ptgen_rand(p) >> 11) * (1.0 / 9007199254740992.0);
			unsigned lo = 0, hi = p->npages - 1;

			while (lo < hi) {  /* the first rank whose cdf exceeds u */
				unsigned mid = (lo + hi) / 2;

				if (p->zipf_cdf[mid] > u)
					hi = mid;
				else
					lo = mid + 1;
			}
			k = p->zipf_rank[lo].page;
		}
		off = ptgen_rand(p) & page_mask & ~(uint64_t)7;
	}
	q->asid = (uint16_t)p->pages[k].asid;
	q->va = p->pages[k].va + off;
	if (p->pages[k].ok != 0x3f && !ptgen_pct(p, 10)) {
		unsigned c;

		do
			c = (unsigned)(ptgen_rand(p) % 6);
		while (!(p->pages[k].ok >> c & 1));
		q->access = (uint8_t)(c / 2);
		q->priv = (uint8_t)(c % 2);
	}
	if (p->nasid == 2 && ptgen_pct(p, 4)) /* the other space: its own page there, or a global one */
		q->asid = (uint16_t)(3 - q->asid);
	if (ptgen_pct(p, 1))
		q->va = ptgen_rand(p);
	if (ptgen_pct(p, 1))
		q->asid = (uint16_t)(p->nasid + 1);
}

void ptgen_request(struct ptgen *p, struct mmu_request *q)
{
	const struct ptgen_slot *s;
	unsigned n = p->nreq++;

	if (p->loc.kind != PTGEN_LOC_MIX && !p->pages_made)
		ptgen_make_pages(p, NULL, NULL);
	if (p->loc.kind != PTGEN_LOC_MIX && p->npages) {
		located_request(p, q, n);
		return;
	}
	s = &p->slots[ptgen_rand(p) % p->nslots];

	memset(q, 0, sizeof(*q));
	q->access = (uint8_t)(ptgen_rand(p) % 3);
	q->priv = (uint8_t)(ptgen_rand(p) % 2);
	q->tag = n;
	if (p->nleaves && ptgen_pct(p, 75)) {
		s = &p->slots[p->leaves[ptgen_rand(p) % p->nleaves]];
		if (ptgen_pct(p, 40)) {
			/* a leaf at a random level: superpages are few among
			 * the leaves, but every level's faults are wanted */
			unsigned want = (unsigned)(ptgen_rand(p) % p->g.levels);

			for (unsigned t = 0; t < 16 && s->level != want; t++)
				s = &p->slots[p->leaves[ptgen_rand(p) % p->nleaves]];
		}
		if (!s->leaf) /* overwritten since */
			s = &p->slots[ptgen_rand(p) % p->nslots];
	} else if (p->nouts && ptgen_pct(p, 12)) {
		/* below a pointer outside memory: a bus error one level down */
		s = &p->slots[p->outs[ptgen_rand(p) % p->nouts]];
		if (!s->outside)
			s = &p->slots[ptgen_rand(p) % p->nslots];
	}
	q->asid = (uint16_t)s->asid;
	q->va = s->va | (ptgen_rand(p) & mask(mmu_level_shift(&p->g, s->level)));
	if (ptgen_pct(p, 95))
		q->va = ptgen_canonical(p, q->va);
	if (ptgen_pct(p, 2))
		q->va = ptgen_rand(p);
	if (n >= 8 && ptgen_pct(p, 60)) { /* locality: repeat a recent request */
		uint32_t tag = q->tag;

		*q = p->recent[ptgen_rand(p) % 8];
		q->tag = tag;
		q->va ^= ptgen_rand(p) & 0xff8;
		if (ptgen_pct(p, 20))
			q->access = (uint8_t)(ptgen_rand(p) % 3);
	}
	if (p->nasid == 2 && ptgen_pct(p, 30)) /* the same VA in the other space */
		q->asid = (uint16_t)(3 - q->asid);
	if (ptgen_pct(p, 1))                   /* an address space with no context */
		q->asid = (uint16_t)(p->nasid + 1);
	else if (p->outside_root && ptgen_pct(p, 1)) /* one whose root is outside memory */
		q->asid = 0;
	p->recent[n % 8] = *q;
}

void ptgen_mutate(struct ptgen *p, unsigned *kind, unsigned *asid, uint64_t *va)
{
	unsigned mi = (unsigned)(ptgen_rand(p) % p->nslots);
	const struct ptgen_slot *m = &p->slots[mi];

	set_slot(p, mi, random_pte(p, m->level, m->va, m->asid));
	*asid = m->asid;
	*va = ptgen_canonical(p, m->va);
	if (m->level == 0 && ptgen_pct(p, 70))
		*kind = MMU_INVAL_VA;   /* a last-level PTE: its VA is enough */
	else if (!p->global_ok && ptgen_pct(p, 50))
		*kind = MMU_INVAL_ASID;
	else
		*kind = MMU_INVAL_ALL;
}

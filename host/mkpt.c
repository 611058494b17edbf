/*
 * mkpt.c - page-table builder (see mkpt.h).
 */
#include <stdio.h>
#include <string.h>

#include "mkpt.h"

#define BIT(n) (1ULL << (n))
#define MASK(n) ((n) >= 64 ? ~0ULL : BIT(n) - 1)

uint64_t mkpt_table_bytes(const struct mmu_geometry *g, unsigned level)
{
	uint64_t bytes = (uint64_t)g->pte_bytes << g->idx_bits[level];
	uint64_t page = BIT(g->page_bits);

	return (bytes + page - 1) & ~(page - 1);
}

int mkpt_parse_perm(const char *s)
{
	static const char letters[] = "rwxugad";
	int perm = 0;

	if (!strcmp(s, "-"))
		return 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		const char *p = strchr(letters, *s);

		if (!p || *s == '\0' || (perm & (1 << (p - letters))))
			return -1;
		perm |= 1 << (p - letters);
	}
	return perm;
}

static int alloc_table(struct mkpt *pt, unsigned level, uint64_t *pa, char *err, size_t errlen)
{
	uint64_t page = BIT(pt->g.page_bits);
	uint64_t at = (pt->next + page - 1) & ~(page - 1);
	uint64_t bytes = mkpt_table_bytes(&pt->g, level);
	int rc;

	if (at + bytes > BIT(pt->g.pa_bits)) {
		snprintf(err, errlen, "no room for a table below the %u-bit physical address limit",
			 pt->g.pa_bits);
		return MMU_E_RANGE;
	}
	rc = memimg_reserve(pt->img, at + bytes, err, errlen);
	if (rc)
		return rc;
	memset(pt->img->data + (at - pt->img->base), 0, (size_t)bytes);
	pt->next = at + bytes;
	pt->tables++;
	*pa = at;
	return MMU_OK;
}

int mkpt_init(struct mkpt *pt, struct memimg *img, const struct mmu_config *cfg, unsigned mode,
	      unsigned maxphy, uint64_t root, int nxe, char *err, size_t errlen)
{
	uint64_t at;
	int rc;

	memset(pt, 0, sizeof(*pt));
	pt->img = img;
	pt->nxe = nxe;
	if (mmu_config_geometry(cfg, mode, maxphy, &pt->g)) {
		snprintf(err, errlen, "mode not available in this configuration");
		return MMU_E_INVAL;
	}
	if (root & MASK(pt->g.page_bits)) {
		snprintf(err, errlen, "root 0x%llx is not aligned to the %llu-byte page",
			 (unsigned long long)root, (unsigned long long)BIT(pt->g.page_bits));
		return MMU_E_INVAL;
	}
	if (root < img->base) {
		snprintf(err, errlen, "root 0x%llx is below the image base 0x%llx",
			 (unsigned long long)root, (unsigned long long)img->base);
		return MMU_E_RANGE;
	}
	pt->next = root;
	rc = alloc_table(pt, pt->g.levels - 1, &at, err, errlen);
	if (rc)
		return rc;
	pt->root = at;
	return MMU_OK;
}

static int check_mapping(const struct mkpt *pt, uint64_t va, uint64_t pa, unsigned shift,
			 unsigned perm, unsigned *level, char *err, size_t errlen)
{
	const struct mmu_geometry *g = &pt->g;
	unsigned l;

	for (l = 0; l < g->levels; l++)
		if (mmu_level_shift(g, l) == shift)
			break;
	if (l == g->levels || (g->x86 && l > 2)) {
		snprintf(err, errlen, "no page of 2^%u bytes in this mode", shift);
		return MMU_E_INVAL;
	}
	*level = l;
	if ((va | pa) & MASK(shift)) {
		snprintf(err, errlen, "VA 0x%llx or PA 0x%llx is not aligned to the page size 0x%llx",
			 (unsigned long long)va, (unsigned long long)pa,
			 (unsigned long long)BIT(shift));
		return MMU_E_INVAL;
	}
	if (g->sign_extended) {
		uint64_t top = va >> (g->va_bits - 1);

		if (top != 0 && top != MASK(65 - g->va_bits)) {
			snprintf(err, errlen, "VA 0x%llx is not canonical for a %u-bit address space",
				 (unsigned long long)va, g->va_bits);
			return MMU_E_INVAL;
		}
	} else if (va >> g->va_bits) {
		snprintf(err, errlen, "VA 0x%llx does not fit %u bits", (unsigned long long)va,
			 g->va_bits);
		return MMU_E_INVAL;
	}
	if (pa >> g->pa_bits) {
		snprintf(err, errlen, "PA 0x%llx does not fit %u bits", (unsigned long long)pa,
			 g->pa_bits);
		return MMU_E_INVAL;
	}
	if (!g->x86 && (!(perm & (PTE_R | PTE_X)) || ((perm & PTE_W) && !(perm & PTE_R)))) {
		snprintf(err, errlen, "a RISC-V-style leaf needs r or x, and w needs r");
		return MMU_E_INVAL;
	}
	return MMU_OK;
}

int mkpt_map(struct mkpt *pt, uint64_t va, uint64_t pa, unsigned page_shift, unsigned perm,
	     char *err, size_t errlen)
{
	const struct mmu_geometry *g = &pt->g;
	uint64_t table = pt->root;
	unsigned leaf_level, level;
	int rc = check_mapping(pt, va, pa, page_shift, perm, &leaf_level, err, errlen);

	if (rc)
		return rc;
	for (level = g->levels - 1;; level--) {
		uint64_t idx = pte_index(g, va, level);
		uint64_t pte_pa = table + idx * g->pte_bytes, pte, next = 0;
		int kind;

		if (pte_get(pt->img, g, pte_pa, &pte)) {
			snprintf(err, errlen, "table at 0x%llx is outside the image",
				 (unsigned long long)table);
			return MMU_E_RANGE;
		}
		kind = pte_decode(g, pte, level, &next);
		if (level == leaf_level) {
			if (kind >= 0) {
				snprintf(err, errlen, "VA 0x%llx is already mapped",
					 (unsigned long long)va);
				return MMU_E_INVAL;
			}
			pte_put(pt->img, g, pte_pa, pte_leaf(g, level, pa, perm, pt->nxe));
			return MMU_OK;
		}
		if (kind == 0) {
			snprintf(err, errlen, "VA 0x%llx lies inside a larger page already mapped",
				 (unsigned long long)va);
			return MMU_E_INVAL;
		}
		if (kind < 0) {
			rc = alloc_table(pt, level - 1, &next, err, errlen);
			if (rc)
				return rc;
			pte_put(pt->img, g, pte_pa, pte_pointer(g, next));
		}
		table = next;
	}
}

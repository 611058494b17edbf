/*
 * pte.c - PTE encoding for every mode (see pte.h).
 */
#include "pte.h"

#define BIT(n) (1ULL << (n))
#define MASK(n) ((n) >= 64 ? ~0ULL : BIT(n) - 1)

uint64_t pte_leaf(const struct mmu_geometry *g, unsigned level, uint64_t pa, unsigned perm,
		  int nxe)
{
	uint64_t pte;

	if (g->x86) {
		pte = BIT(MMU_X86PTE_P) | pa;
		if (perm & PTE_W)
			pte |= BIT(MMU_X86PTE_RW);
		if (perm & PTE_U)
			pte |= BIT(MMU_X86PTE_US);
		if (perm & PTE_G)
			pte |= BIT(MMU_X86PTE_G);
		if (perm & PTE_A)
			pte |= BIT(MMU_X86PTE_A);
		if (perm & PTE_D)
			pte |= BIT(MMU_X86PTE_D);
		if (level > 0)
			pte |= BIT(MMU_X86PTE_PS);
		if (nxe && !(perm & PTE_X))
			pte |= BIT(MMU_X86PTE_XD);
		return pte;
	}
	return BIT(MMU_RVPTE_V) | ((uint64_t)perm << 1) | ((pa >> g->page_bits) << 10);
}

uint64_t pte_pointer(const struct mmu_geometry *g, uint64_t table)
{
	if (g->x86)
		return BIT(MMU_X86PTE_P) | BIT(MMU_X86PTE_RW) | BIT(MMU_X86PTE_US) | table;
	return BIT(MMU_RVPTE_V) | ((table >> g->page_bits) << 10);
}

int pte_decode(const struct mmu_geometry *g, uint64_t pte, unsigned level, uint64_t *addr)
{
	if (g->x86) {
		if (!(pte & BIT(MMU_X86PTE_P)))
			return PTE_ABSENT;
		*addr = pte & MASK(52) & ~MASK(12);
		if (level == 0 || (pte & BIT(MMU_X86PTE_PS))) {
			if (level > 0) /* the PAT bit of a large page sits at bit 12 */
				*addr &= ~MASK(mmu_level_shift(g, level));
			return PTE_LEAF;
		}
		return PTE_POINTER;
	}
	if (!(pte & BIT(MMU_RVPTE_V)))
		return PTE_ABSENT;
	*addr = ((pte >> 10) & MASK(g->pa_bits - g->page_bits)) << g->page_bits;
	if (pte & (BIT(MMU_RVPTE_R) | BIT(MMU_RVPTE_X)))
		return PTE_LEAF;
	return PTE_POINTER;
}

unsigned pte_perm(const struct mmu_geometry *g, uint64_t pte)
{
	unsigned p = 0;

	if (g->x86) {
		p = PTE_R;
		if (pte & BIT(MMU_X86PTE_RW))
			p |= PTE_W;
		if (!(pte & BIT(MMU_X86PTE_XD)))
			p |= PTE_X;
		if (pte & BIT(MMU_X86PTE_US))
			p |= PTE_U;
		if (pte & BIT(MMU_X86PTE_G))
			p |= PTE_G;
		if (pte & BIT(MMU_X86PTE_A))
			p |= PTE_A;
		if (pte & BIT(MMU_X86PTE_D))
			p |= PTE_D;
		return p;
	}
	return (unsigned)(pte >> 1) & 0x7f;
}

uint64_t pte_ad_bits(const struct mmu_geometry *g, unsigned ad)
{
	uint64_t v = 0;

	if (ad & PTE_A)
		v |= g->x86 ? BIT(MMU_X86PTE_A) : BIT(MMU_RVPTE_A);
	if (ad & PTE_D)
		v |= g->x86 ? BIT(MMU_X86PTE_D) : BIT(MMU_RVPTE_D);
	return v;
}

uint64_t pte_index(const struct mmu_geometry *g, uint64_t va, unsigned level)
{
	return (va >> mmu_level_shift(g, level)) & MASK(g->idx_bits[level]);
}

int pte_get(const struct memimg *img, const struct mmu_geometry *g, uint64_t pa, uint64_t *pte)
{
	uint64_t word;

	if (memimg_read64((void *)img, pa & ~7ULL, &word))
		return -1;
	*pte = g->pte_bytes == 8 ? word : (word >> ((pa & 4) * 8)) & 0xffffffffULL;
	return 0;
}

int pte_put(struct memimg *img, const struct mmu_geometry *g, uint64_t pa, uint64_t pte)
{
	if (g->pte_bytes == 8)
		return memimg_write64(img, pa & ~7ULL, pte, 0xff);
	return memimg_write64(img, pa & ~7ULL, pte << ((pa & 4) * 8), (pa & 4) ? 0xf0 : 0x0f);
}

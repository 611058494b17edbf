/*
 * bench_board.h - the board set-up the link benchmarks share
 * (sim/bench_link.c, sim/bench_host.c): Sv39 tables for 64 pages at VA
 * 0x400000.. in board memory, context 1, so that every request hits.
 */
#ifndef MMU_BENCH_BOARD_H
#define MMU_BENCH_BOARD_H

#include "board.h"
#include "memimg.h"
#include "mkpt.h"
#include "mmu_model.h"

static inline int bench_board_setup(struct board *b)
{
	struct mmu_config cfg;
	struct memimg img;
	struct mkpt pt;
	char err[256];
	int rc;

	mmu_config_default(&cfg);
	cfg.pa_bits = board_get_info(b)->pa_bits;
	if (mmu_config_resolve(&cfg) || memimg_create(&img, 0, 0x10000, 0, err, sizeof(err)) ||
	    mkpt_init(&pt, &img, &cfg, MMU_MODE_SV39, 0, 0x1000, 0, err, sizeof(err)))
		return -1;
	for (unsigned i = 0; i < 64; i++)
		if (mkpt_map(&pt, 0x400000 + i * 0x1000ull, 0x10000000 + i * 0x1000ull, 12,
			     PTE_R | PTE_W | PTE_U | PTE_A | PTE_D, err, sizeof(err)))
			return -1;
	rc = board_mem_write(b, 0, img.data, img.used);
	if (!rc)
		rc = board_set_context(b, 1, MMU_MODE_SV39, 0x1000);
	memimg_free(&img);
	return rc;
}

#endif

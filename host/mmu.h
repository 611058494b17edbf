/*
 * mmu.h - libmmu's public header: everything a program needs to drive the
 * MMU - the C model, the virtual board or a board on USB - and to run the
 * host-side OS layer on it.  Installed with `make install` under
 * $(PREFIX)/include/mmu/; compile with `pkg-config --cflags --libs libmmu`.
 *
 *   mmu_constants.h  shared constants (modes, causes, message types, layouts)
 *   mmu_model.h      the reference model: mmu_model_new, mmu_translate, ...
 *   dev.h            one table for every device: dev_open("model"|"sim"|"usb...")
 *   board.h          the board link: board_open, board_translate, board_mem_*, ...
 *   usb.h            the usb transport's options and statistics
 *   os.h             the OS layer: processes, mmap, fork, faults, mmu_vm_read/write
 *   workload.h       the workloads `mmuctl run` replays
 *
 * The codec, PTE encoding, memory images, table builder and command-line
 * helpers (link.h, pte.h, memimg.h, mkpt.h, cli.h) are private: not
 * installed, free to change.  Calls return 0 or a negative MMU_E_*,
 * BOARD_E_* or MMU_OS_E_* code; dev_strerror and mmu_os_strerror name
 * them.  Nothing keeps global state: every object is the caller's.
 */
#ifndef LIBMMU_H
#define LIBMMU_H

#include "mmu_constants.h"
#include "mmu_model.h"
#include "dev.h"
#include "board.h"
#include "usb.h"
#include "os.h"
#include "workload.h"

#define LIBMMU_VERSION "0.1.0"

#endif

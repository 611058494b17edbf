/*
 * cli.h - parsing of the command-line values shared by mmuctl's subcommands.
 * Each parser returns 0 on success and -1 on malformed input, leaving the
 * output untouched; callers print the message.
 */
#ifndef CLI_H
#define CLI_H

#include <stdint.h>

#include "mmu_model.h"

/* 0x-hex, 0-octal-free decimal; the whole string must be consumed. */
int cli_u64(const char *s, uint64_t *v);
int cli_uint(const char *s, unsigned max, unsigned *v);
/* A byte count with an optional K, M, G or T suffix (powers of 1024). */
int cli_size(const char *s, uint64_t *v);
/* sv32 | sv39 | sv48 | x86_64 | textbook[:va=N,pa=N,page=BYTES,idx=A/B/..,pte=4|8].
 * For textbook, *tb receives the geometry (default: the seeds' 14-bit machine). */
int cli_mode(const char *s, unsigned *mode, struct mmu_textbook *tb, char *err, unsigned errlen);
/* SETSxWAYS, e.g. 64x4. */
int cli_tlb(const char *s, unsigned *sets, unsigned *ways);
/* FILE[@BASE]: splits in place. */
int cli_file_at(char *s, char **file, uint64_t *base);
int cli_access(const char *s, unsigned *access);
int cli_priv(const char *s, unsigned *priv);

#endif

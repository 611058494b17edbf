/*
 * mmuctl.c - command line for the MMU: translate addresses and build page
 * tables.  docs/mmuctl.md is the reference for every option and format.
 *
 * Exit status: 0 = every request answered (faults are answers), 1 = some input
 * line or file could not be processed (each such line got an error answer),
 * 2 = bad command line.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "memimg.h"
#include "mkpt.h"
#include "board.h"
#include "dev.h"
#include "mmu_model.h"
#include "os.h"
#include "workload.h"

#define ERRLEN 256
#define MASK(n) ((n) >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << (n)) - 1)

static const char *const access_names[] = { "r", "w", "x" };
static const char *const priv_names[] = { "u", "s" };

static void usage_main(FILE *f)
{
	fprintf(f,
		"usage: mmuctl COMMAND [OPTIONS]\n"
		"\n"
		"commands:\n"
		"  translate   translate virtual addresses through page tables in a memory image,\n"
		"              on the C model, the virtual board or a board on USB\n"
		"              (--device model|sim|usb[:...])\n"
		"  mkpt        build page tables in a memory image from a mapping list\n"
		"  info        what the device is built with (--device model|sim|usb[:...])\n"
		"  run         run a workload on the OS layer: demand paging, COW, swap, faults\n"
		"              handled on the host (--device sim|model|usb[:...]; sim is the\n"
		"              default)\n"
		"  maps        run a workload, then print its address space like /proc/PID/maps\n"
		"  pt          run a workload, then dump its page tables\n"
		"  stats       run a workload, print only the figures (same as run)\n"
		"  help        this text; `mmuctl COMMAND --help` for a command\n"
		"\n"
		"See docs/mmuctl.md for formats and examples.\n");
}

static void usage_translate(FILE *f)
{
	fprintf(f,
		"usage: mmuctl translate --mode MODE --mem FILE[@BASE] [--root PA] [OPTIONS] [VA...]\n"
		"\n"
		"Translate each VA (from the command line, or lines `VA [r|w|x] [u|s] [asid=N]`\n"
		"from --input) in order; A/D updates and TLB state persist between requests.\n"
		"\n"
		"  --device DEV       model (default: the C model in-process), sim (the\n"
		"                     virtual board: the RTL behind the link protocol;\n"
		"                     its build fixes the geometry) or usb[:VID:PID[:...]]\n"
		"                     (a board over USB; docs/mmuctl.md lists the options)\n"
		"  --mode MODE        sv32 | sv39 | sv48 | x86_64 |\n"
		"                     textbook[:va=14,pa=12,page=64,idx=8[/..],pte=4|8]\n"
		"  --mem FILE[@BASE]  raw little-endian memory image starting at BASE (default 0)\n"
		"  --root PA          root table (default: BASE)\n"
		"  --asid N           context of the requests (default 0)\n"
		"  --priv u|s         default privilege (default u)\n"
		"  --access r|w|x     default access (default r)\n"
		"  --sum --mxr        RISC-V mstatus.SUM / MXR\n"
		"  --ad hw|fault      A/D policy for RISC-V and textbook: Svadu or Svade (default hw)\n"
		"  --wp --nxe --smep --smap   x86 CR0.WP, EFER.NXE, CR4.SMEP, CR4.SMAP\n"
		"  --maxphy N         x86 MAXPHYADDR (default 52)\n"
		"  --tlb SETSxWAYS    base TLB geometry (default 64x4)\n"
		"  --sp N --pwc N     superpage / page-walk-cache entries (default 8, 8; 0 = none)\n"
		"  --asid-bits N      ASID width (default 8)   --pa-bits N  PA width (default 56)\n"
		"  --input FILE|-     read requests from FILE or standard input\n"
		"  --json             one JSON object per line\n"
		"  --explain          show VPN/VPO, TLBI/TLBT and PPN/PPO for each request\n"
		"  --show-tlb         print the TLB, superpage and walk-cache entries at the end\n"
		"  --stats            print the counters at the end\n"
		"  --mem-out FILE     write the image back (with A/D updates) at the end\n"
		"  -h, --help         this text\n");
}

static void usage_mkpt(FILE *f)
{
	fprintf(f,
		"usage: mmuctl mkpt --mode MODE --out FILE [--base PA] [--root PA] [OPTIONS]\n"
		"\n"
		"Read mapping lines `VA PA SIZE PERMS [COUNT]` (SIZE like 4K, 2M, 1G or a byte\n"
		"count; PERMS from rwxugad, or -) and write an image holding the page tables.\n"
		"Tables are allocated upward from the root.  Nothing is written unless every\n"
		"line is good.\n"
		"\n"
		"  --mode MODE      as for translate\n"
		"  --out FILE       image to write (starts at --base)\n"
		"  --base PA        physical address of the image's first byte (default 0)\n"
		"  --root PA        where the root table goes (default: BASE)\n"
		"  --size BYTES     fixed image size (default: as large as the tables need)\n"
		"  --input FILE|-   mapping list (default: standard input)\n"
		"  --nxe            x86: leaves without x get XD=1\n"
		"  --maxphy N       x86 MAXPHYADDR (default 52)   --pa-bits N  PA width\n"
		"  --json           print the result as JSON\n"
		"  -h, --help       this text\n");
}

/* ---- translate ---- */

enum { DEV_MODEL, DEV_BOARD };

struct translate_opts {
	unsigned mode, asid, priv, access;
	int device, geom_set;
	const char *dev_spec;    /* DEV_BOARD: "sim", "usb:..." */
	struct mmu_config cfg;
	struct mmu_policy pol;
	char *mem_arg;
	uint64_t root;
	int have_root;
	const char *input, *mem_out;
	int json, explain, show_tlb, stats;
};

struct session {
	struct translate_opts *o;
	struct mmu_model *m;     /* the model: the device, or (sim) the checker of arguments */
	struct board *b;         /* the virtual board, with --device sim */
	struct mmu_geometry g;
	unsigned long errors;
};

static void hex(char *buf, size_t n, uint64_t v)
{
	snprintf(buf, n, "0x%" PRIx64, v);
}

static const char *human_size(uint64_t bytes, char *buf, size_t n)
{
	static const char units[] = "BKMGT";
	unsigned u = 0;

	while (u < 4 && bytes >= 1024 && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	snprintf(buf, n, "%" PRIu64 " %c%s", bytes, units[u], u ? "iB" : "");
	return buf;
}

static const char *rv_exc_name(unsigned exc)
{
	switch (exc) {
	case MMU_RVEXC_INSN_ACCESS: return "instruction access fault";
	case MMU_RVEXC_LOAD_ACCESS: return "load access fault";
	case MMU_RVEXC_STORE_ACCESS: return "store access fault";
	case MMU_RVEXC_INSN_PAGE: return "instruction page fault";
	case MMU_RVEXC_LOAD_PAGE: return "load page fault";
	case MMU_RVEXC_STORE_PAGE: return "store page fault";
	default: return "none";
	}
}

static void print_native(const struct session *s, const struct mmu_response *r)
{
	if (r->cause == MMU_CAUSE_NO_CONTEXT) {
		printf("no context for this ASID");
		return;
	}
	if (!s->g.x86) {
		printf("RISC-V cause %u: %s", r->exc, rv_exc_name(r->exc));
		return;
	}
	if (r->exc == MMU_X86VEC_PF) {
		static const char *const bits[] = { "P", "W", "U", "RSVD", "I" };

		printf("x86 #PF, error code 0x%x:", r->err);
		for (unsigned i = 0; i < 5; i++)
			if (r->err & (1u << i))
				printf(" %s", bits[i]);
		if (!(r->err & 1))
			printf(" (not present)");
	} else if (r->exc == MMU_X86VEC_GP) {
		printf("x86 #GP(0)");
	} else {
		printf("x86 #MC (bus error on a paging-structure access)");
	}
}

static void print_result(const struct session *s, const struct mmu_request *q,
			 const struct mmu_response *r)
{
	const struct mmu_geometry *g = &s->g;
	uint64_t vpn = (q->va >> g->page_bits) & MASK(g->va_bits - g->page_bits);
	char a[32], b[32], perm[8];

	if (s->o->json) {
		hex(a, sizeof(a), q->va);
		printf("{\"va\":\"%s\",\"access\":\"%s\",\"priv\":\"%s\",\"asid\":%u", a,
		       access_names[q->access], priv_names[q->priv], q->asid);
		if (s->o->explain) {
			hex(a, sizeof(a), vpn);
			hex(b, sizeof(b), vpn >> g->set_bits);
			printf(",\"vpn\":\"%s\",\"vpo\":\"0x%" PRIx64 "\",\"tlbi\":%" PRIu64
			       ",\"tlbt\":\"%s\"", a, q->va & MASK(g->page_bits),
			       vpn & MASK(g->set_bits), b);
		}
		if (r->cause == MMU_CAUSE_OK) {
			hex(a, sizeof(a), r->pa);
			printf(",\"pa\":\"%s\",\"page_size\":%" PRIu64 ",\"level\":%u,\"perm\":\"%s\"",
			       a, (uint64_t)1 << r->page_shift, r->level,
			       mmu_perm_string(r->perm, perm));
			if (s->o->explain)
				printf(",\"ppn\":\"0x%" PRIx64 "\",\"ppo\":\"0x%" PRIx64 "\"",
				       r->pa >> g->page_bits, r->pa & MASK(g->page_bits));
		} else {
			printf(",\"fault\":\"%s\",\"level\":", mmu_cause_name(r->cause));
			if (r->level == MMU_LEVEL_NONE)
				printf("null");
			else
				printf("%u", r->level);
			if (g->x86 && r->cause != MMU_CAUSE_NO_CONTEXT)
				printf(",\"code\":%u,\"vector\":%u", r->err, r->exc);
			else
				printf(",\"code\":%u", r->exc);
		}
		printf(",\"hit\":%s}\n", r->hit ? "true" : "false");
		return;
	}
	printf("va 0x%" PRIx64 " %s/%s", q->va, access_names[q->access], priv_names[q->priv]);
	if (q->asid != s->o->asid)
		printf(" asid %u", q->asid);
	if (s->o->explain)
		printf(" [VPN 0x%" PRIx64 " VPO 0x%" PRIx64 " TLBI %" PRIu64 " TLBT 0x%" PRIx64 "]",
		       vpn, q->va & MASK(g->page_bits), vpn & MASK(g->set_bits),
		       vpn >> g->set_bits);
	if (r->cause == MMU_CAUSE_OK) {
		printf(" -> pa 0x%" PRIx64, r->pa);
		if (s->o->explain)
			printf(" [PPN 0x%" PRIx64 " PPO 0x%" PRIx64 "]", r->pa >> g->page_bits,
			       r->pa & MASK(g->page_bits));
		printf(" (%s page, level %u, %s, %s)\n",
		       human_size((uint64_t)1 << r->page_shift, a, sizeof(a)), r->level,
		       mmu_perm_string(r->perm, perm), r->hit ? "TLB hit" : "walk");
		return;
	}
	printf(" -> fault %s", mmu_cause_name(r->cause));
	if (r->level != MMU_LEVEL_NONE)
		printf(" at level %u", r->level);
	printf(" (");
	print_native(s, r);
	printf(")\n");
}

static void report_line_error(struct session *s, unsigned long lineno, const char *msg)
{
	s->errors++;
	if (s->o->json)
		printf("{\"line\":%lu,\"error\":\"%s\"}\n", lineno, msg);
	else
		printf("error: line %lu: %s\n", lineno, msg);
	fprintf(stderr, "mmuctl: %s:%lu: %s\n", s->o->input ? s->o->input : "args", lineno, msg);
}

static int do_inval(struct session *s, char **tok, int ntok, char *msg, size_t msglen)
{
	unsigned kind, asid = 0;
	uint64_t va = 0;
	int rc;

	if (ntok == 2 && !strcmp(tok[1], "all")) {
		kind = MMU_INVAL_ALL;
	} else if (ntok == 3 && !strcmp(tok[1], "asid")) {
		kind = MMU_INVAL_ASID;
		if (cli_uint(tok[2], 65535, &asid)) {
			snprintf(msg, msglen, "bad ASID '%s'", tok[2]);
			return -1;
		}
	} else if ((ntok == 3 || ntok == 5) && !strcmp(tok[1], "va")) {
		kind = ntok == 3 ? MMU_INVAL_VA : MMU_INVAL_VA_ASID;
		if (cli_u64(tok[2], &va)) {
			snprintf(msg, msglen, "bad VA '%s'", tok[2]);
			return -1;
		}
		if (ntok == 5 && (strcmp(tok[3], "asid") || cli_uint(tok[4], 65535, &asid))) {
			snprintf(msg, msglen, "expected `inval va VA asid N`");
			return -1;
		}
	} else {
		snprintf(msg, msglen, "expected `inval all`, `inval asid N`, `inval va VA [asid N]`");
		return -1;
	}
	if (s->b && asid >> board_get_info(s->b)->asid_bits) {
		snprintf(msg, msglen, "ASID %u does not fit the board's %u bits", asid,
			 board_get_info(s->b)->asid_bits);
		return -1;
	}
	rc = s->b ? board_invalidate(s->b, kind, asid, va) : mmu_invalidate(s->m, kind, asid, va);
	if (rc) {
		snprintf(msg, msglen, "invalidation rejected: %s", board_strerror(rc));
		return -1;
	}
	if (s->o->json) {
		printf("{\"inval\":\"%s\"", mmu_inval_name(kind));
		if (kind >= MMU_INVAL_VA)
			printf(",\"va\":\"0x%" PRIx64 "\"", va);
		if (kind == MMU_INVAL_ASID || kind == MMU_INVAL_VA_ASID)
			printf(",\"asid\":%u", asid);
		printf("}\n");
	} else {
		printf("inval %s\n", mmu_inval_name(kind));
	}
	return 0;
}

/* One request or directive; tokens already split. */
static void do_line(struct session *s, char **tok, int ntok, unsigned long lineno)
{
	struct mmu_request q = { .asid = (uint16_t)s->o->asid, .access = (uint8_t)s->o->access,
				 .priv = (uint8_t)s->o->priv, .tag = (uint32_t)lineno };
	struct mmu_response r;
	char msg[ERRLEN];
	int rc;

	if (!strcmp(tok[0], "inval")) {
		if (do_inval(s, tok, ntok, msg, sizeof(msg)))
			report_line_error(s, lineno, msg);
		return;
	}
	if (cli_u64(tok[0], &q.va)) {
		snprintf(msg, sizeof(msg), "bad VA '%.64s'", tok[0]);
		report_line_error(s, lineno, msg);
		return;
	}
	for (int i = 1; i < ntok; i++) {
		unsigned v;

		if (!cli_access(tok[i], &v)) {
			q.access = (uint8_t)v;
		} else if (!cli_priv(tok[i], &v)) {
			q.priv = (uint8_t)v;
		} else if (!strncmp(tok[i], "asid=", 5) &&
			   !cli_uint(tok[i] + 5, (1u << s->o->cfg.asid_bits) - 1, &v)) {
			q.asid = (uint16_t)v;
		} else {
			snprintf(msg, sizeof(msg), "bad field '%.64s' (r|w|x, u|s, asid=N)", tok[i]);
			report_line_error(s, lineno, msg);
			return;
		}
	}
	rc = s->b ? board_translate(s->b, &q, 1, &r) : mmu_translate(s->m, &q, &r);
	if (rc) {
		snprintf(msg, sizeof(msg), "request rejected: %s", board_strerror(rc));
		report_line_error(s, lineno, msg);
		return;
	}
	print_result(s, &q, &r);
}

static int split(char *line, char **tok, int max)
{
	int n = 0;
	char *save = NULL, *t, *hash = strchr(line, '#');

	if (hash)
		*hash = '\0';
	for (t = strtok_r(line, " \t\r\n", &save); t && n < max; t = strtok_r(NULL, " \t\r\n", &save))
		tok[n++] = t;
	if (t)
		return -1;
	return n;
}

static int run_input(struct session *s)
{
	FILE *f = stdin;
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;

	if (strcmp(s->o->input, "-")) {
		f = fopen(s->o->input, "r");
		if (!f) {
			fprintf(stderr, "mmuctl: cannot open %s: %s\n", s->o->input, strerror(errno));
			return -1;
		}
	}
	while (getline(&line, &cap, f) >= 0) {
		char *tok[8];
		int n;

		lineno++;
		n = split(line, tok, 8);
		if (n < 0)
			report_line_error(s, lineno, "too many fields");
		else if (n > 0)
			do_line(s, tok, n, lineno);
	}
	if (ferror(f)) {
		fprintf(stderr, "mmuctl: error reading %s: %s\n", s->o->input, strerror(errno));
		s->errors++;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return 0;
}

static void print_entry(const struct session *s, const char *array, unsigned set, unsigned way,
			const struct mmu_entry *e, int *first)
{
	char perm[8];

	if (s->o->json) {
		printf("%s{\"array\":\"%s\",\"set\":%u,\"way\":%u,\"vpn\":\"0x%" PRIx64
		       "\",\"tag\":\"0x%" PRIx64 "\",\"asid\":%u,\"ppn\":\"0x%" PRIx64
		       "\",\"level\":%u,\"page_size\":%" PRIu64 ",\"perm\":\"%s\"}",
		       *first ? "" : ",", array, set, way, e->vpn, e->vpn >> s->g.set_bits, e->asid,
		       e->ppn, e->level, (uint64_t)1 << e->page_shift, mmu_perm_string(e->perm, perm));
		*first = 0;
		return;
	}
	printf("  %-4s %5u %4u  vpn 0x%-10" PRIx64 " tag 0x%-9" PRIx64 " asid %-5u ppn 0x%-10" PRIx64
	       " level %u %s\n", array, set, way, e->vpn, e->vpn >> s->g.set_bits, e->asid, e->ppn,
	       e->level, mmu_perm_string(e->perm, perm));
}

static void show_tlb(const struct session *s)
{
	const struct mmu_config *c = mmu_model_config(s->m);
	struct mmu_entry e;
	int first = 1;

	if (s->o->json)
		printf("{\"tlb\":[");
	else
		printf("TLB (%u sets x %u ways, TLBI = VPN[%u:0]), valid entries:\n", c->tlb_sets,
		       c->tlb_ways, s->g.set_bits ? s->g.set_bits - 1 : 0);
	for (unsigned set = 0; set < c->tlb_sets; set++)
		for (unsigned way = 0; way < c->tlb_ways; way++)
			if (!mmu_tlb_entry(s->m, set, way, &e) && e.valid)
				print_entry(s, "base", set, way, &e, &first);
	for (unsigned i = 0; i < c->sp_entries; i++)
		if (!mmu_sp_entry(s->m, i, &e) && e.valid)
			print_entry(s, "sp", 0, i, &e, &first);
	for (unsigned i = 0; i < c->pwc_entries; i++)
		if (!mmu_pwc_entry(s->m, i, &e) && e.valid)
			print_entry(s, "pwc", 0, i, &e, &first);
	if (s->o->json)
		printf("]}\n");
}

static void show_stats(const struct session *s)
{
	struct mmu_counters c;

	if (s->b) {
		int rc = board_stats(s->b, 0, c.c, NULL);

		if (rc) {
			fprintf(stderr, "mmuctl: cannot read the board's counters: %s\n",
				board_strerror(rc));
			return;
		}
	} else {
		mmu_read_counters(s->m, &c);
	}
	printf(s->o->json ? "{\"stats\":{" : "stats:");
	for (unsigned i = 0; i < MMU_CNT_COUNT; i++)
		printf(s->o->json ? "%s\"%s\":%" PRIu32 : "%s%s %" PRIu32,
		       s->o->json ? (i ? "," : "") : " ", mmu_cnt_name(i), c.c[i]);
	printf(s->o->json ? "}}\n" : "\n");
}

static int parse_translate(int argc, char **argv, struct translate_opts *o)
{
	enum { O_DEVICE = 256, O_MODE, O_MEM, O_ROOT, O_ASID, O_PRIV, O_ACCESS, O_SUM, O_MXR, O_AD,
	       O_WP, O_NXE, O_SMEP, O_SMAP, O_MAXPHY, O_TLB, O_SP, O_PWC, O_ASIDBITS, O_PABITS,
	       O_INPUT, O_JSON, O_EXPLAIN, O_SHOWTLB, O_STATS, O_MEMOUT };
	static const struct option lo[] = {
		{ "device", 1, 0, O_DEVICE }, { "mode", 1, 0, O_MODE }, { "mem", 1, 0, O_MEM },
		{ "root", 1, 0, O_ROOT }, { "asid", 1, 0, O_ASID }, { "priv", 1, 0, O_PRIV },
		{ "access", 1, 0, O_ACCESS }, { "sum", 0, 0, O_SUM }, { "mxr", 0, 0, O_MXR },
		{ "ad", 1, 0, O_AD }, { "wp", 0, 0, O_WP }, { "nxe", 0, 0, O_NXE },
		{ "smep", 0, 0, O_SMEP }, { "smap", 0, 0, O_SMAP }, { "maxphy", 1, 0, O_MAXPHY },
		{ "tlb", 1, 0, O_TLB }, { "sp", 1, 0, O_SP }, { "pwc", 1, 0, O_PWC },
		{ "asid-bits", 1, 0, O_ASIDBITS }, { "pa-bits", 1, 0, O_PABITS },
		{ "input", 1, 0, O_INPUT }, { "json", 0, 0, O_JSON }, { "explain", 0, 0, O_EXPLAIN },
		{ "show-tlb", 0, 0, O_SHOWTLB }, { "stats", 0, 0, O_STATS },
		{ "mem-out", 1, 0, O_MEMOUT }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	char err[ERRLEN];
	int c, li = 0, have_mode = 0;
	unsigned v;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lo, &li)) != -1) {
		const char *arg = optarg;

		switch (c) {
		case 'h':
			usage_translate(stdout);
			return 1;       /* help shown: done */
		case O_DEVICE:
			if (!strcmp(arg, "model")) {
				o->device = DEV_MODEL;
				break;
			}
			if (board_kind(arg)) {
				o->device = DEV_BOARD;
				o->dev_spec = arg;
				break;
			}
			fprintf(stderr, "mmuctl: unknown device '%s' (model, sim, usb[:VID:PID])\n", arg);
			return -1;
		case O_MODE:
			if (cli_mode(arg, &o->mode, &o->cfg.tb, err, sizeof(err))) {
				fprintf(stderr, "mmuctl: --mode: %s\n", err);
				return -1;
			}
			have_mode = 1;
			break;
		case O_MEM: o->mem_arg = optarg; break;
		case O_ROOT:
			if (cli_u64(arg, &o->root))
				goto bad;
			o->have_root = 1;
			break;
		case O_ASID:
			if (cli_uint(arg, 65535, &o->asid))
				goto bad;
			break;
		case O_PRIV:
			if (cli_priv(arg, &o->priv))
				goto bad;
			break;
		case O_ACCESS:
			if (cli_access(arg, &o->access))
				goto bad;
			break;
		case O_SUM: o->pol.sum = 1; break;
		case O_MXR: o->pol.mxr = 1; break;
		case O_AD:
			if (!strcmp(arg, "hw"))
				o->pol.ad_fault = 0;
			else if (!strcmp(arg, "fault"))
				o->pol.ad_fault = 1;
			else
				goto bad;
			break;
		case O_WP: o->pol.wp = 1; break;
		case O_NXE: o->pol.nxe = 1; break;
		case O_SMEP: o->pol.smep = 1; break;
		case O_SMAP: o->pol.smap = 1; break;
		case O_MAXPHY:
			if (cli_uint(arg, 52, &v) || v < 32)
				goto bad;
			o->pol.maxphy = (uint8_t)v;
			break;
		case O_TLB:
			o->geom_set = 1;
			if (cli_tlb(arg, &o->cfg.tlb_sets, &o->cfg.tlb_ways))
				goto bad;
			break;
		case O_SP:
			o->geom_set = 1;
			if (cli_uint(arg, 16, &o->cfg.sp_entries))
				goto bad;
			break;
		case O_PWC:
			o->geom_set = 1;
			if (cli_uint(arg, 16, &o->cfg.pwc_entries))
				goto bad;
			break;
		case O_ASIDBITS:
			o->geom_set = 1;
			if (cli_uint(arg, 16, &o->cfg.asid_bits))
				goto bad;
			break;
		case O_PABITS:
			o->geom_set = 1;
			if (cli_uint(arg, 56, &o->cfg.pa_bits))
				goto bad;
			break;
		case O_INPUT: o->input = arg; break;
		case O_JSON: o->json = 1; break;
		case O_EXPLAIN: o->explain = 1; break;
		case O_SHOWTLB: o->show_tlb = 1; break;
		case O_STATS: o->stats = 1; break;
		case O_MEMOUT: o->mem_out = arg; break;
		case '?':
		default:
			if (optopt >= O_DEVICE)
				fprintf(stderr, "mmuctl: option %s needs a value\n", argv[optind - 1]);
			else
				fprintf(stderr, "mmuctl: unknown option '%s'\n", argv[optind - 1]);
			return -1;
		}
		continue;
bad:
		fprintf(stderr, "mmuctl: bad value '%s' for --%s\n", arg, lo[li].name);
		return -1;
	}
	if (!have_mode || !o->mem_arg) {
		fprintf(stderr, "mmuctl: translate needs --mode and --mem (see --help)\n");
		return -1;
	}
	if (o->mode == MMU_MODE_X86_64 && o->pol.ad_fault) {
		fprintf(stderr, "mmuctl: --ad fault does not exist on x86_64: x86 always sets A/D "
			"in hardware\n");
		return -1;
	}
	if (o->input && optind < argc) {
		fprintf(stderr, "mmuctl: give VAs on the command line or --input, not both\n");
		return -1;
	}
	if (!o->input && optind == argc) {
		fprintf(stderr, "mmuctl: no VA given (give VAs or --input FILE|-)\n");
		return -1;
	}
	if (o->asid >> o->cfg.asid_bits) {
		fprintf(stderr, "mmuctl: --asid %u does not fit %u ASID bits\n", o->asid,
			o->cfg.asid_bits);
		return -1;
	}
	if (o->device == DEV_BOARD && o->show_tlb) {
		fprintf(stderr, "mmuctl: --show-tlb needs --device model (the link has no entry "
			"inspection)\n");
		return -1;
	}
	return 0;
}

/* --device sim or usb: start the virtual board or open the real one; its
 * build fixes the geometry, which the options may only repeat. */
static int open_sim(struct translate_opts *o, struct board **b)
{
	const struct board_info *i;
	char err[ERRLEN];
	int rc = board_open(b, o->dev_spec, err, sizeof(err));

	if (rc) {
		fprintf(stderr, "mmuctl: --device %s: %s\n", o->dev_spec, err);
		return -1;
	}
	i = board_get_info(*b);
	if (!(i->modes >> o->mode & 1)) {
		fprintf(stderr, "mmuctl: the virtual board is not built with mode %s (modes mask "
			"0x%x)\n", mmu_mode_name(o->mode), i->modes);
		return -1;
	}
	if (o->geom_set && (o->cfg.tlb_sets != i->sets || o->cfg.tlb_ways != i->ways ||
			    o->cfg.sp_entries != i->sp_n || o->cfg.pwc_entries != i->pwc_n ||
			    o->cfg.asid_bits != i->asid_bits || o->cfg.pa_bits != i->pa_bits)) {
		fprintf(stderr, "mmuctl: the virtual board is built as --tlb %ux%u --sp %u --pwc %u "
			"--asid-bits %u --pa-bits %u; other geometries need --device model\n",
			i->sets, i->ways, i->sp_n, i->pwc_n, i->asid_bits, i->pa_bits);
		return -1;
	}
	o->cfg.tlb_sets = i->sets;
	o->cfg.tlb_ways = i->ways;
	o->cfg.sp_entries = i->sp_n;
	o->cfg.pwc_entries = i->pwc_n;
	o->cfg.asid_bits = i->asid_bits;
	o->cfg.pa_bits = i->pa_bits;
	if (o->asid >> i->asid_bits) {
		fprintf(stderr, "mmuctl: --asid %u does not fit the board's %u ASID bits\n", o->asid,
			i->asid_bits);
		return -1;
	}
	return 0;
}

/* Put the image, the policy and the context on the board. */
static int load_sim(struct session *s, const struct memimg *img)
{
	const struct board_info *i = board_get_info(s->b);
	struct mmu_policy pol;
	int rc;

	if (img->base + img->used > i->mem_bytes) {
		fprintf(stderr, "mmuctl: --device sim: the image [0x%" PRIx64 ", 0x%" PRIx64 ") does "
			"not fit the board's page-table memory [0, 0x%" PRIx32 ")\n", img->base,
			img->base + img->used, i->mem_bytes);
		return -1;
	}
	mmu_get_policy(s->m, &pol);
	rc = board_mem_write(s->b, (uint32_t)img->base, img->data, img->used);
	if (!rc)
		rc = board_set_policy(s->b, mmu_policy_word(&pol));
	if (!rc)
		rc = board_set_context(s->b, s->o->asid, s->o->mode, s->o->root);
	if (rc) {
		fprintf(stderr, "mmuctl: --device sim: cannot set up the board: %s\n",
			board_strerror(rc));
		return -1;
	}
	return 0;
}

static int resolve_config(struct mmu_config *cfg, unsigned mode)
{
	if (mode == MMU_MODE_TEXTBOOK && cfg->tb.pa_bits > cfg->pa_bits)
		cfg->pa_bits = cfg->tb.pa_bits > 56 ? 56 : cfg->tb.pa_bits;
	if (!mmu_config_resolve(cfg))
		return 0;
	if (cfg->tb.levels) {
		const struct mmu_textbook *t = &cfg->tb;
		unsigned sum = 0;

		for (unsigned i = 0; i < t->levels; i++)
			sum += t->idx_bits[i];
		fprintf(stderr, "mmuctl: invalid textbook geometry (va=%u, pa=%u, page=2^%u, "
			"%u index bits, pte=%u): need a page of 16 B..64 KiB, va = page bits + "
			"index bits <= 48, page bits < pa <= 56, a PTE wide enough for 10 flag bits "
			"+ the PPN, and at most 2^(VPN bits) TLB sets\n", t->va_bits, t->pa_bits,
			t->page_bits, sum, t->pte_bytes);
	} else {
		fprintf(stderr, "mmuctl: invalid MMU geometry: TLB sets a power of two <= 65536, "
			"ways a power of two <= 16, --sp/--pwc 0 or a power of two <= 16, "
			"--asid-bits 1..16, --pa-bits 32..56\n");
	}
	return -1;
}

static int cmd_translate(int argc, char **argv)
{
	struct translate_opts o;
	struct session s = { .o = &o };
	struct mmu_mem_ops ops;
	struct memimg img;
	char *file, err[ERRLEN];
	uint64_t base;
	int rc;

	memset(&o, 0, sizeof(o));
	mmu_config_default(&o.cfg);
	o.priv = MMU_PRIV_U;
	o.access = MMU_ACCESS_R;
	rc = parse_translate(argc, argv, &o);
	if (rc)
		return rc > 0 ? 0 : 2;
	if (o.device == DEV_BOARD && open_sim(&o, &s.b)) {
		board_close(s.b);
		return 2;
	}
	if (resolve_config(&o.cfg, o.mode)) {
		board_close(s.b);
		return 2;
	}
	if (cli_file_at(o.mem_arg, &file, &base)) {
		fprintf(stderr, "mmuctl: --mem wants FILE[@BASE], got '%s'\n", o.mem_arg);
		return 2;
	}
	if (memimg_load(&img, file, base, err, sizeof(err))) {
		fprintf(stderr, "mmuctl: %s\n", err);
		board_close(s.b);
		return 2;
	}
	memimg_ops(&img, &ops);
	rc = mmu_model_new(&o.cfg, &ops, &s.m);
	if (rc) {
		fprintf(stderr, "mmuctl: cannot create the model: %s\n", mmu_strerror(rc));
		goto out_img;
	}
	rc = mmu_set_policy(s.m, &o.pol);
	if (rc) {
		fprintf(stderr, "mmuctl: --maxphy %u exceeds --pa-bits %u\n", o.pol.maxphy,
			o.cfg.pa_bits);
		goto out_model;
	}
	mmu_mode_geometry(s.m, o.mode, &s.g);
	if (!o.have_root)
		o.root = base;
	if (!memimg_contains(&img, o.root, 1)) {
		fprintf(stderr, "mmuctl: root 0x%" PRIx64 " is outside the image [0x%" PRIx64
			", 0x%" PRIx64 ")\n", o.root, img.base, img.base + img.used);
		rc = MMU_E_RANGE;
		goto out_model;
	}
	rc = mmu_set_context(s.m, o.asid, o.mode, o.root);
	if (rc) {
		fprintf(stderr, "mmuctl: root 0x%" PRIx64 " is %s\n", o.root,
			rc == MMU_E_RANGE ? "beyond the physical address width"
					  : "not aligned to the page size");
		goto out_model;
	}
	if (s.b && load_sim(&s, &img)) {
		rc = MMU_E_RANGE;
		goto out_model;
	}
	if (o.input) {
		if (run_input(&s)) {
			rc = MMU_E_IO;
			goto out_model;
		}
	} else {
		for (int i = optind; i < argc; i++) {
			char *tok[1] = { argv[i] };

			do_line(&s, tok, 1, (unsigned long)(i - optind + 1));
		}
	}
	if (o.show_tlb)
		show_tlb(&s);
	if (o.stats)
		show_stats(&s);
	if (o.mem_out && s.b) {
		int brc = board_mem_read(s.b, (uint32_t)img.base, img.data, img.used);

		if (brc) {
			fprintf(stderr, "mmuctl: cannot read the board's memory back: %s\n",
				board_strerror(brc));
			s.errors++;
			o.mem_out = NULL;
		}
	}
	if (o.mem_out && memimg_save(&img, o.mem_out, err, sizeof(err))) {
		fprintf(stderr, "mmuctl: %s\n", err);
		s.errors++;
	}
out_model:
	mmu_model_free(s.m);
out_img:
	memimg_free(&img);
	board_close(s.b);
	if (rc)
		return rc == MMU_E_IO ? 1 : 2;
	return s.errors ? 1 : 0;
}

/* ---- mkpt ---- */

static int mkpt_line(struct mkpt *pt, char *line, char *msg, size_t msglen)
{
	char *tok[6];
	int n = split(line, tok, 6), perm;
	uint64_t va, pa, size, count = 1;
	unsigned shift = 0;

	if (n == 0)
		return 0;
	if (n < 4 || n > 5) {
		snprintf(msg, msglen, "expected `VA PA SIZE PERMS [COUNT]`");
		return -1;
	}
	if (cli_u64(tok[0], &va) || cli_u64(tok[1], &pa)) {
		snprintf(msg, msglen, "bad VA or PA");
		return -1;
	}
	if (cli_size(tok[2], &size) || !size || (size & (size - 1))) {
		snprintf(msg, msglen, "bad size '%.32s' (a power of two: 4K, 2M, 1G, 64, ...)", tok[2]);
		return -1;
	}
	while ((1ULL << shift) < size)
		shift++;
	perm = mkpt_parse_perm(tok[3]);
	if (perm < 0) {
		snprintf(msg, msglen, "bad permissions '%.32s' (letters from rwxugad, or -)", tok[3]);
		return -1;
	}
	if (n == 5 && (cli_u64(tok[4], &count) || count == 0 || count > (1u << 24))) {
		snprintf(msg, msglen, "bad count '%.32s' (1..16777216)", tok[4]);
		return -1;
	}
	for (uint64_t i = 0; i < count; i++)
		if (mkpt_map(pt, va + (i << shift), pa + (i << shift), shift, (unsigned)perm, msg,
			     msglen))
			return -1;
	return 0;
}

static int cmd_mkpt(int argc, char **argv)
{
	enum { O_MODE = 256, O_OUT, O_BASE, O_ROOT, O_SIZE, O_INPUT, O_NXE, O_MAXPHY, O_PABITS,
	       O_JSON };
	static const struct option lo[] = {
		{ "mode", 1, 0, O_MODE }, { "out", 1, 0, O_OUT }, { "base", 1, 0, O_BASE },
		{ "root", 1, 0, O_ROOT }, { "size", 1, 0, O_SIZE }, { "input", 1, 0, O_INPUT },
		{ "nxe", 0, 0, O_NXE }, { "maxphy", 1, 0, O_MAXPHY }, { "pa-bits", 1, 0, O_PABITS },
		{ "json", 0, 0, O_JSON }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	struct mmu_config cfg;
	struct memimg img;
	struct mkpt pt;
	const char *out = NULL, *input = "-";
	uint64_t base = 0, root = 0, size = 0;
	unsigned mode = 0, maxphy = 0;
	int c, li = 0, have_mode = 0, have_root = 0, have_size = 0, nxe = 0, json = 0, rc = 1;
	char err[ERRLEN], *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	FILE *f = stdin;

	mmu_config_default(&cfg);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lo, &li)) != -1) {
		switch (c) {
		case 'h':
			usage_mkpt(stdout);
			return 0;
		case O_MODE:
			if (cli_mode(optarg, &mode, &cfg.tb, err, sizeof(err))) {
				fprintf(stderr, "mmuctl: --mode: %s\n", err);
				return 2;
			}
			have_mode = 1;
			break;
		case O_OUT: out = optarg; break;
		case O_BASE:
			if (cli_u64(optarg, &base))
				goto bad;
			break;
		case O_ROOT:
			if (cli_u64(optarg, &root))
				goto bad;
			have_root = 1;
			break;
		case O_SIZE:
			if (cli_size(optarg, &size) || size == 0)
				goto bad;
			have_size = 1;
			break;
		case O_INPUT: input = optarg; break;
		case O_NXE: nxe = 1; break;
		case O_MAXPHY:
			if (cli_uint(optarg, 52, &maxphy) || maxphy < 32)
				goto bad;
			break;
		case O_PABITS:
			if (cli_uint(optarg, 56, &cfg.pa_bits))
				goto bad;
			break;
		case O_JSON: json = 1; break;
		default:
			fprintf(stderr, "mmuctl: unknown option or missing value: '%s'\n",
				argv[optind - 1]);
			return 2;
		}
		continue;
bad:
		fprintf(stderr, "mmuctl: bad value '%s' for --%s\n", optarg, lo[li].name);
		return 2;
	}
	if (!have_mode || !out) {
		fprintf(stderr, "mmuctl: mkpt needs --mode and --out (see --help)\n");
		return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "mmuctl: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (resolve_config(&cfg, mode))
		return 2;
	if (!have_root)
		root = base;
	if (memimg_create(&img, base, have_size ? size : 0, !have_size, err, sizeof(err))) {
		fprintf(stderr, "mmuctl: %s\n", err);
		return 2;
	}
	if (mkpt_init(&pt, &img, &cfg, mode, maxphy, root, nxe, err, sizeof(err))) {
		fprintf(stderr, "mmuctl: %s\n", err);
		rc = 2;
		goto out_img;
	}
	if (strcmp(input, "-")) {
		f = fopen(input, "r");
		if (!f) {
			fprintf(stderr, "mmuctl: cannot open %s: %s\n", input, strerror(errno));
			goto out_img;
		}
	}
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		if (mkpt_line(&pt, line, err, sizeof(err))) {
			fprintf(stderr, "mmuctl: %s:%lu: %s; nothing written\n",
				f == stdin ? "stdin" : input, lineno, err);
			goto out_file;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "mmuctl: error reading %s: %s\n", input, strerror(errno));
		goto out_file;
	}
	if (memimg_save(&img, out, err, sizeof(err))) {
		fprintf(stderr, "mmuctl: %s\n", err);
		goto out_file;
	}
	if (json)
		printf("{\"root\":\"0x%" PRIx64 "\",\"base\":\"0x%" PRIx64 "\",\"tables\":%u,"
		       "\"bytes\":%" PRIu64 "}\n", pt.root, img.base, pt.tables, img.used);
	else
		printf("root 0x%" PRIx64 ": %u table%s, image %s: 0x%" PRIx64 "..0x%" PRIx64
		       " (%" PRIu64 " bytes)\n", pt.root, pt.tables, pt.tables == 1 ? "" : "s", out,
		       img.base, img.base + img.used, img.used);
	rc = 0;
out_file:
	free(line);
	if (f != stdin)
		fclose(f);
out_img:
	memimg_free(&img);
	return rc;
}

/* ---- info ---- */

static void usage_info(FILE *f)
{
	fprintf(f,
		"usage: mmuctl info [--device model|sim|usb[:...]] [--json]\n"
		"\n"
		"What the device is built with: modes, TLB geometry, superpage and PWC\n"
		"entries, ASID and PA widths; for a board also the link protocol version,\n"
		"page-table memory, window, largest frame and batch, and clock.\n"
		"\n"
		"  --device DEV     model (default: the model's default configuration), sim,\n"
		"                   or usb[:VID:PID[:OPTIONS]] (docs/mmuctl.md)\n"
		"  --json           one JSON object\n"
		"  -h, --help       this text\n");
}

static void print_modes(unsigned mask, int json)
{
	int first = 1;

	for (unsigned m = 1; m < 8; m++) {
		if (!(mask >> m & 1) || !mmu_mode_name(m))
			continue;
		printf(json ? "%s\"%s\"" : "%s%s", first ? "" : json ? "," : " ", mmu_mode_name(m));
		first = 0;
	}
}

static int cmd_info(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "device", 1, 0, 'd' }, { "json", 0, 0, 'j' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	struct board_info i;
	struct board *b = NULL;
	const char *spec = NULL;
	int c, json = 0, sim = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage_info(stdout);
			return 0;
		case 'j': json = 1; break;
		case 'd':
			if (board_kind(optarg)) {
				sim = 1;
				spec = optarg;
			} else if (!strcmp(optarg, "model")) {
				sim = 0;
			} else {
				fprintf(stderr, "mmuctl: unknown device '%s' (model, sim, "
					"usb[:VID:PID])\n", optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "mmuctl: bad option '%s' (see mmuctl info --help)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mmuctl: info takes no arguments\n");
		return 2;
	}
	if (sim) {
		char err[ERRLEN];

		if (board_open(&b, spec, err, sizeof(err))) {
			fprintf(stderr, "mmuctl: --device %s: %s\n", spec, err);
			return 2;
		}
		i = *board_get_info(b);
		board_close(b);
	} else {
		struct mmu_config cfg;

		mmu_config_default(&cfg);
		memset(&i, 0, sizeof(i));
		i.modes = 1u << MMU_MODE_SV32 | 1u << MMU_MODE_SV39 | 1u << MMU_MODE_SV48 |
			  1u << MMU_MODE_X86_64 | 1u << MMU_MODE_TEXTBOOK;
		i.sets = cfg.tlb_sets;
		i.ways = cfg.tlb_ways;
		i.sp_n = cfg.sp_entries;
		i.pwc_n = cfg.pwc_entries;
		i.asid_bits = cfg.asid_bits;
		i.pa_bits = cfg.pa_bits;
	}
	if (json) {
		printf("{\"device\":\"%s\",\"modes\":[", sim ? board_kind(spec) : "model");
		print_modes(i.modes, 1);
		printf("],\"tlb_sets\":%u,\"tlb_ways\":%u,\"sp_entries\":%u,\"pwc_entries\":%u,"
		       "\"asid_bits\":%u,\"pa_bits\":%u", i.sets, i.ways, i.sp_n, i.pwc_n,
		       i.asid_bits, i.pa_bits);
		if (sim)
			printf(",\"protocol\":%u,\"mem_bytes\":%" PRIu32 ",\"window\":%u,"
			       "\"max_frame\":%u,\"max_batch\":%u,\"clk_khz\":%" PRIu32,
			       i.version, i.mem_bytes, i.window, i.max_frame, i.max_batch, i.clk_khz);
		printf("}\n");
	} else {
		printf("device %s\nmodes ", !sim ? "model (default configuration)" :
		       board_kind(spec)[0] == 's' ? "sim (the virtual board)" : "usb (a board over USB)");
		print_modes(i.modes, 0);
		printf("\ntlb %ux%u, %u superpage and %u PWC entries, %u-bit ASIDs, %u-bit PA\n",
		       i.sets, i.ways, i.sp_n, i.pwc_n, i.asid_bits, i.pa_bits);
		if (sim) {
			printf("link protocol %u, page-table memory %" PRIu32 " bytes at PA 0, window %u "
			       "bytes, frames up to %u bytes, %u translations a frame\n",
			       i.version, i.mem_bytes, i.window, i.max_frame, i.max_batch);
			if (i.clk_khz)
				printf("clock %" PRIu32 " kHz\n", i.clk_khz);
			else
				printf("clock simulated\n");
		}
	}
	return 0;
}

/* ---- run, maps, pt, stats: workloads on the OS layer ---- */

enum { SHOW_STATS = 1, SHOW_MAPS = 2, SHOW_PT = 4 };

static void usage_run(FILE *f, const char *cmd)
{
	fprintf(f,
		"usage: mmuctl %s WORKLOAD [TRACE] [OPTIONS]\n"
		"\n"
		"Run a workload on a small OS on the host that uses the device as its MMU:\n"
		"page tables live in the device's memory, data frames on the host, faults are\n"
		"handled on the host (zero-fill, file, swap-in, copy-on-write, A/D, segmentation\n"
		"and protection faults), frames are reclaimed by the clock algorithm into swap.\n"
		"\n"
		"workloads:\n"
		"  seq          write then read every page in order, pass after pass\n"
		"  random       random 8-byte reads and writes, each read checked\n"
		"  stride       every --stride-th page round and round (translation only)\n"
		"  cow          fill pages, fork --children children that write some, check all\n"
		"  file         mmap a file shared (--file, or a temporary one): read, write, sync,\n"
		"               check the file\n"
		"  trace FILE   replay a valgrind lackey trace (valgrind --tool=lackey\n"
		"               --trace-mem=yes) or lines \"VA r|w|x\"\n"
		"\n"
		"options:\n"
		"  --device DEV       sim (default: the virtual board), model,\n"
		"                     usb[:VID:PID[:OPTIONS]] (a board on USB; docs/mmuctl.md)\n"
		"  --mode MODE        sv39 (default), sv32, sv48, x86_64\n"
		"  --frames N         data frames on the host (default 64)\n"
		"  --swap-slots N     swap size in pages (default 4096)\n"
		"  --swap FILE        the swap file (default: an unnamed temporary file)\n"
		"  --pages N          working set in pages (default 256)\n"
		"  --accesses N       about how many accesses (default 100000)\n"
		"  --stride N         page stride for stride (default 7)\n"
		"  --children N       children per round for cow (default 2)\n"
		"  --file PATH        the file for the file workload (read and written)\n"
		"  --seed N           random seed (default 1)\n"
		"  --ad hw|fault      A/D updates by the MMU (default) or by the fault handler\n"
		"  --maps, --pt       also print the address space / page tables at the end\n"
		"  --json             one JSON object instead of text\n"
		"  --no-progress      no progress bar (it shows only when stderr is a terminal)\n"
		"  -h, --help         this text\n"
		"\n"
		"Exit status: 0 done and every check matched, 1 an error or a mismatch,\n"
		"2 bad arguments.\n", cmd);
}

struct run_opts {
	const char *device;
	unsigned mode, ad_fault;
	struct mmu_os_config oc;
	struct wl_opts w;
	int show, json, progress;
};

static void progress_bar(void *ctx, unsigned long done, unsigned long total)
{
	unsigned pct = total ? (unsigned)(done * 100 / total) : 100, w = pct > 100 ? 40 : pct * 40 / 100;
	char bar[41];

	(void)ctx;
	memset(bar, '=', w);
	memset(bar + w, ' ', 40 - w);
	bar[40] = '\0';
	fprintf(stderr, "\r[%s] %3u%%  %lu accesses", bar, pct > 100 ? 100 : pct, done);
	fflush(stderr);
}

static int parse_run(int argc, char **argv, struct run_opts *o)
{
	enum { O_DEVICE = 256, O_MODE, O_FRAMES, O_SLOTS, O_SWAP, O_PAGES, O_ACC, O_STRIDE,
	       O_CHILD, O_FILE, O_SEED, O_AD, O_MAPS, O_PT, O_JSON, O_NOPROG };
	static const struct option lo[] = {
		{ "device", 1, 0, O_DEVICE }, { "mode", 1, 0, O_MODE }, { "frames", 1, 0, O_FRAMES },
		{ "swap-slots", 1, 0, O_SLOTS }, { "swap", 1, 0, O_SWAP }, { "pages", 1, 0, O_PAGES },
		{ "accesses", 1, 0, O_ACC }, { "stride", 1, 0, O_STRIDE },
		{ "children", 1, 0, O_CHILD }, { "file", 1, 0, O_FILE }, { "seed", 1, 0, O_SEED },
		{ "ad", 1, 0, O_AD }, { "maps", 0, 0, O_MAPS }, { "pt", 0, 0, O_PT },
		{ "json", 0, 0, O_JSON }, { "no-progress", 0, 0, O_NOPROG },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	const char *cmd = argv[0];
	int c, k;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		const char *arg = optarg;
		unsigned v = 0;
		uint64_t v64 = 0;
		char err[ERRLEN];
		struct mmu_textbook tb;

		switch (c) {
		case 'h':
			usage_run(stdout, cmd);
			return 1;
		case O_DEVICE: o->device = arg; break;
		case O_MODE:
			if (cli_mode(arg, &o->mode, &tb, err, sizeof(err)) ||
			    o->mode == MMU_MODE_TEXTBOOK) {
				fprintf(stderr, "mmuctl: --mode %s: use sv32, sv39, sv48 or x86_64\n", arg);
				return -1;
			}
			break;
		case O_FRAMES: case O_SLOTS: case O_PAGES: case O_STRIDE: case O_CHILD:
			if (cli_uint(arg, 1u << 24, &v) || (!v && c != O_SLOTS)) {
				fprintf(stderr, "mmuctl: --%s wants a number%s, not '%s'\n",
					lo[c - O_DEVICE].name, c == O_SLOTS ? "" : " above 0", arg);
				return -1;
			}
			if (c == O_FRAMES) o->oc.frames = v;
			else if (c == O_SLOTS) o->oc.swap_slots = v;
			else if (c == O_PAGES) o->w.pages = v;
			else if (c == O_STRIDE) o->w.stride = v;
			else o->w.children = v;
			break;
		case O_ACC: case O_SEED:
			if (cli_u64(arg, &v64) || (c == O_ACC && (!v64 || v64 > (1ULL << 40)))) {
				fprintf(stderr, "mmuctl: --%s wants a number, not '%s'\n",
					c == O_ACC ? "accesses" : "seed", arg);
				return -1;
			}
			if (c == O_ACC) o->w.accesses = (unsigned long)v64;
			else o->w.seed = v64;
			break;
		case O_SWAP: o->oc.swap_path = arg; break;
		case O_FILE: o->w.path = arg; break;
		case O_AD:
			if (strcmp(arg, "hw") && strcmp(arg, "fault")) {
				fprintf(stderr, "mmuctl: --ad wants hw or fault, not '%s'\n", arg);
				return -1;
			}
			o->ad_fault = !strcmp(arg, "fault");
			break;
		case O_MAPS: o->show |= SHOW_MAPS; break;
		case O_PT: o->show |= SHOW_PT; break;
		case O_JSON: o->json = 1; break;
		case O_NOPROG: o->progress = 0; break;
		default:
			fprintf(stderr, "mmuctl: bad option '%s' (see mmuctl %s --help)\n",
				argv[optind - 1], cmd);
			return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "mmuctl: %s needs a workload: seq, random, stride, cow, file or "
			"trace FILE\n", cmd);
		return -1;
	}
	k = wl_parse(argv[optind]);
	if (k < 0) {
		fprintf(stderr, "mmuctl: unknown workload '%s' (seq, random, stride, cow, file, "
			"trace FILE)\n", argv[optind]);
		return -1;
	}
	o->w.kind = (enum wl_kind)k;
	optind++;
	if (k == WL_TRACE) {
		if (optind >= argc) {
			fprintf(stderr, "mmuctl: trace needs a trace file\n");
			return -1;
		}
		o->w.path = argv[optind++];
	}
	if (optind < argc) {
		fprintf(stderr, "mmuctl: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

static int print_pt_entry(void *ctx, const struct mmu_pt_entry *e)
{
	const struct mmu_os *os = ctx;
	const struct mmu_geometry *g = mmu_os_geometry(os);
	char perm[8];

	(void)g;
	if (e->present)
		printf("  0x%016" PRIx64 " -> 0x%012" PRIx64 "  %s  pte 0x%016" PRIx64 " @0x%06" PRIx64 "\n",
		       e->va, e->pa, mmu_perm_string(pte_perm(g, e->pte) & 0x7f, perm), e->pte,
		       e->pte_pa);
	else
		printf("  0x%016" PRIx64 " -> swap slot %u          pte 0x%016" PRIx64 " @0x%06" PRIx64 "\n",
		       e->va, e->slot, e->pte, e->pte_pa);
	return 0;
}

static void print_maps(struct mmu_os *os, int pid)
{
	struct mmu_vma_info v;

	for (unsigned i = 0; !mmu_os_vma(os, pid, i, &v); i++)
		printf("%012" PRIx64 "-%012" PRIx64 " %c%c%c%c %08" PRIx64 " %02lx:%02lx %-8lu %s\n",
		       v.start, v.end, v.prot & MMU_PROT_R ? 'r' : '-',
		       v.prot & MMU_PROT_W ? 'w' : '-', v.prot & MMU_PROT_X ? 'x' : '-',
		       v.flags & MMU_MAP_SHARED ? 's' : 'p', v.offset, v.dev >> 8, v.dev & 0xff,
		       v.ino, v.heap ? "[heap]" : v.anon ? (v.flags & MMU_MAP_SHARED ? "[shmem]" : "[anon]") : "");
}

static void print_run(const struct run_opts *o, struct dev *d, const struct mmu_os_stats *st,
		      const struct wl_result *r, const struct mmu_counters *dc)
{
	double tps = r->seconds > 0 ? (double)st->translations / r->seconds : 0;
	double hit = st->translations ? 100.0 * (double)st->hits / (double)st->translations : 0;
	uint64_t page = 4096;

	if (o->json) {
		printf("{\"workload\":\"%s\",\"device\":\"%s\",\"mode\":\"%s\",\"frames\":%u,"
		       "\"swap_slots\":%u,\"pages\":%u,\"accesses\":%lu,\"translations\":%" PRIu64 ","
		       "\"seconds\":%.6f,\"translations_per_second\":%.0f,\"tlb_hits\":%" PRIu64 ","
		       "\"tlb_hit_rate\":%.4f,\"walks\":%" PRIu64 ",\"faults\":{",
		       wl_name(o->w.kind), d->info.name, mmu_mode_name(o->mode), o->oc.frames,
		       o->oc.swap_slots, o->w.pages, r->accesses, st->translations, r->seconds, tps,
		       st->hits, hit / 100, st->translations - st->hits);
		for (unsigned k = 0; k < MMU_FAULT_COUNT; k++)
			printf("%s\"%s\":%" PRIu64, k ? "," : "", mmu_os_fault_name(k), st->faults[k]);
		printf("},\"evictions\":%" PRIu64 ",\"accessed_bits_cleared\":%" PRIu64 ","
		       "\"swap_out\":%" PRIu64 ",\"swap_in\":%" PRIu64 ",\"file_in\":%" PRIu64 ","
		       "\"file_out\":%" PRIu64 ",\"invalidations\":%" PRIu64 ",\"fences\":%" PRIu64 ","
		       "\"pte_writes\":%" PRIu64 ",\"checked_bytes\":%lu,\"mismatches\":%lu,"
		       "\"trace_segv\":%lu,\"trace_prot\":%lu,\"device_counters\":{",
		       st->evictions, st->ref_cleared, st->swap_out, st->swap_in, st->file_in,
		       st->file_out, st->invalidations, st->fences, st->pte_writes, r->checked,
		       r->mismatches, r->segv, r->prot);
		for (unsigned k = 0; k < MMU_CNT_COUNT; k++)
			printf("%s\"%s\":%u", k ? "," : "", mmu_cnt_name(k), dc->c[k]);
		printf("}}\n");
		return;
	}
	printf("workload %s on %s (%s): ", wl_name(o->w.kind), d->info.name,
	       mmu_mode_name(o->mode));
	if (o->w.kind == WL_TRACE)
		printf("%s, ", o->w.path);
	else
		printf("%u pages, ", o->w.pages);
	printf("%u frames, %u swap slots\n", o->oc.frames, o->oc.swap_slots);
	printf("accesses        %lu", r->accesses);
	if (o->w.kind == WL_TRACE)
		printf(" (%lu trace lines; %lu segmentation, %lu protection faults)", r->trace_lines,
		       r->segv, r->prot);
	printf("\ntranslations    %" PRIu64 " in %.3f s: %.0f per second\n", st->translations,
	       r->seconds, tps);
	printf("TLB hit rate    %.1f%% (%" PRIu64 " hits, %" PRIu64 " walks)\n", hit, st->hits,
	       st->translations - st->hits);
	printf("faults         ");
	for (unsigned k = 0; k < MMU_FAULT_COUNT; k++)
		printf(" %s %" PRIu64 "%s", mmu_os_fault_name(k), st->faults[k],
		       k + 1 < MMU_FAULT_COUNT ? "," : "\n");
	printf("evictions       %" PRIu64 " (the clock hand cleared %" PRIu64 " accessed bits)\n",
	       st->evictions, st->ref_cleared);
	printf("swap            %" PRIu64 " pages out, %" PRIu64 " in (%.1f / %.1f MiB); "
	       "%u of %u slots in use\n", st->swap_out, st->swap_in,
	       (double)(st->swap_out * page) / 1048576.0, (double)(st->swap_in * page) / 1048576.0,
	       st->swap_used, st->swap_total);
	printf("files           %" PRIu64 " pages read, %" PRIu64 " written back\n", st->file_in,
	       st->file_out);
	printf("page tables     %" PRIu64 " PTE writes, %" PRIu64 " invalidations, %" PRIu64
	       " fences; %u of %u table pages in use\n", st->pte_writes, st->invalidations,
	       st->fences, st->tables_used, st->tables_total);
	printf("device          %u lookups, %u hits, %u walks, %u PTE reads, %u PTE writes "
	       "(A/D), %u PWC hits\n", dc->c[MMU_CNT_LOOKUPS], dc->c[MMU_CNT_HITS],
	       dc->c[MMU_CNT_WALKS], dc->c[MMU_CNT_PTE_READS], dc->c[MMU_CNT_PTE_WRITES],
	       dc->c[MMU_CNT_PWC_HITS]);
	if (r->checked)
		printf("data check      %lu bytes compared: %lu mismatches\n", r->checked,
		       r->mismatches);
}

static int cmd_run(int argc, char **argv, int show)
{
	struct run_opts o = { 0 };
	struct dev *d = NULL;
	struct mmu_os *os = NULL;
	struct wl_result r;
	struct mmu_os_stats st;
	struct mmu_counters dc = { { 0 } };
	char err[ERRLEN];
	int rc;

	o.device = "sim";
	o.mode = MMU_MODE_SV39;
	o.oc.frames = 64;
	o.oc.swap_slots = 4096;
	o.w.pages = 256;
	o.w.accesses = 100000;
	o.w.stride = 7;
	o.w.children = 2;
	o.w.seed = 1;
	o.show = show;
	o.progress = isatty(2);
	rc = parse_run(argc, argv, &o);
	if (rc)
		return rc > 0 ? 0 : 2;
	o.oc.mode = o.mode;
	o.oc.ad_fault = (int)o.ad_fault;
	if (o.progress && !o.json) {
		o.w.progress = progress_bar;
	}
	rc = dev_open(&d, o.device, NULL, 0, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "mmuctl: --device %s: %s\n", o.device, err);
		return rc == MMU_E_UNSUPPORTED || rc == MMU_E_INVAL ? 2 : 1;
	}
	rc = mmu_os_new(&os, d, &o.oc, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "mmuctl: %s\n", err);
		dev_close(d);
		return rc == MMU_E_IO ? 1 : 2;
	}
	dev_stats(d, 1, NULL);
	mmu_os_clear_stats(os);
	rc = wl_run(os, &o.w, &r, err, sizeof(err));
	if (o.w.progress)
		fputc('\n', stderr);
	mmu_os_get_stats(os, &st);
	if (!rc)
		rc = dev_stats(d, 0, &dc);
	if (rc) {
		fprintf(stderr, "mmuctl: %s workload: %s\n", wl_name(o.w.kind),
			err[0] ? err : mmu_os_strerror(rc));
	} else {
		if (o.show & SHOW_STATS)
			print_run(&o, d, &st, &r, &dc);
		if (o.show & SHOW_MAPS) {
			if (o.show & SHOW_STATS)
				printf("\nmaps of pid %d:\n", r.pid);
			print_maps(os, r.pid);
		}
		if (o.show & SHOW_PT) {
			unsigned asid;
			uint64_t root;

			mmu_os_context(os, r.pid, &asid, &root);
			printf("%spage tables of pid %d (ASID %u, root 0x%" PRIx64 "):\n",
			       o.show & SHOW_STATS ? "\n" : "", r.pid, asid, root);
			rc = mmu_os_walk(os, r.pid, print_pt_entry, os);
		}
	}
	mmu_os_free(os);
	dev_close(d);
	if (rc)
		return 1;
	if (r.mismatches) {
		fprintf(stderr, "mmuctl: %lu mismatches between what was written and read back\n",
			r.mismatches);
		return 1;
	}
	return 0;
}

/* Output that could not be written (a full disk, a closed pipe) fails the
 * command, whichever it was. */
static int finish(int status)
{
	errno = 0;
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "mmuctl: cannot write the output%s%s\n", errno ? ": " : "",
			errno ? strerror(errno) : "");
		return status ? status : 1;
	}
	return status;
}

static int dispatch(int argc, char **argv)
{
	if (argc < 2) {
		usage_main(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage_main(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "translate"))
		return cmd_translate(argc - 1, argv + 1);
	if (!strcmp(argv[1], "mkpt"))
		return cmd_mkpt(argc - 1, argv + 1);
	if (!strcmp(argv[1], "info"))
		return cmd_info(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run") || !strcmp(argv[1], "stats"))
		return cmd_run(argc - 1, argv + 1, SHOW_STATS);
	if (!strcmp(argv[1], "maps"))
		return cmd_run(argc - 1, argv + 1, SHOW_MAPS);
	if (!strcmp(argv[1], "pt"))
		return cmd_run(argc - 1, argv + 1, SHOW_PT);
	fprintf(stderr, "mmuctl: unknown command '%s'\n", argv[1]);
	usage_main(stderr);
	return 2;
}

int main(int argc, char **argv)
{
	return finish(dispatch(argc, argv));
}

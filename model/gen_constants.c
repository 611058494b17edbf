/*
 * gen_constants.c - turn model/mmu_constants.tbl into the C header, the C name
 * functions, the Verilog include and the markdown reference.
 *
 * Usage: gen_constants TABLE OUTDIR DOC.md
 *   writes OUTDIR/mmu_constants.h, OUTDIR/mmu_constants.c,
 *   OUTDIR/mmu_constants.vh and DOC.md.
 *
 * The table is the single source of truth for codes and field layouts shared by
 * the model, the host and the RTL (see the table's header for its syntax).  Any
 * malformed line stops the build with FILE:LINE and the reason.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GROUPS 64
#define MAX_ITEMS 1024

struct item {
	char name[48];
	int msb, lsb;        /* for bits groups: field; msb == lsb for one bit */
	long value;          /* for enum groups */
	char desc[160];
	int group;
};

struct group {
	char name[48];
	int width;           /* enum width in bits; 0 for a bits group */
	char title[160];
	int first, count;
};

struct table {
	struct group g[MAX_GROUPS];
	int ngroups;
	struct item it[MAX_ITEMS];
	int nitems;
};

static void lower_name(const char *in, char *out, size_t n, char sep)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < n; i++)
		out[i] = in[i] == '_' ? sep : (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

static int find_group(const struct table *t, const char *name)
{
	for (int i = 0; i < t->ngroups; i++)
		if (!strcmp(t->g[i].name, name))
			return i;
	return -1;
}

static char *skip_ws(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Take one whitespace-separated word from *s into out; 0 if none. */
static int word(char **s, char *out, size_t n)
{
	char *p = skip_ws(*s);
	size_t i = 0;

	if (!*p)
		return 0;
	while (*p && *p != ' ' && *p != '\t') {
		if (i + 1 >= n)
			return 0;
		out[i++] = *p++;
	}
	out[i] = '\0';
	*s = p;
	return 1;
}

static int parse_table(const char *path, struct table *t)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int lineno = 0;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char w1[48], w2[48], w3[48], *s = line, *hash;
		size_t len;

		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		len = strlen(line);
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
			       line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = '\0';
		if (!word(&s, w1, sizeof(w1)))
			continue;
		if (!word(&s, w2, sizeof(w2)) || !word(&s, w3, sizeof(w3))) {
			fprintf(stderr, "%s:%d: expected at least three words\n", path, lineno);
			goto fail;
		}
		s = skip_ws(s);
		if (!strcmp(w1, "group")) {
			struct group *g;

			if (t->ngroups == MAX_GROUPS || find_group(t, w2) >= 0) {
				fprintf(stderr, "%s:%d: too many groups or duplicate group %s\n",
					path, lineno, w2);
				goto fail;
			}
			g = &t->g[t->ngroups];
			snprintf(g->name, sizeof(g->name), "%s", w2);
			if (!strcmp(w3, "bits")) {
				g->width = 0;
			} else {
				char *end;
				long wv = strtol(w3, &end, 10);

				if (*end || wv < 1 || wv > 64) {
					fprintf(stderr, "%s:%d: width '%s' is not bits or 1..64\n",
						path, lineno, w3);
					goto fail;
				}
				g->width = (int)wv;
			}
			snprintf(g->title, sizeof(g->title), "%s", s);
			g->first = t->nitems;
			t->ngroups++;
		} else {
			int gi = find_group(t, w1);
			struct item *it;
			char *end;

			if (gi < 0 || gi != t->ngroups - 1) {
				fprintf(stderr, "%s:%d: item of unknown or not the current group %s\n",
					path, lineno, w1);
				goto fail;
			}
			if (t->nitems == MAX_ITEMS) {
				fprintf(stderr, "%s:%d: too many items\n", path, lineno);
				goto fail;
			}
			for (int i = t->g[gi].first; i < t->nitems; i++)
				if (!strcmp(t->it[i].name, w2)) {
					fprintf(stderr, "%s:%d: duplicate %s %s\n", path, lineno, w1, w2);
					goto fail;
				}
			it = &t->it[t->nitems];
			memset(it, 0, sizeof(*it));
			it->group = gi;
			snprintf(it->name, sizeof(it->name), "%s", w2);
			snprintf(it->desc, sizeof(it->desc), "%s", s);
			if (t->g[gi].width == 0) {
				char *colon = strchr(w3, ':');

				it->msb = (int)strtol(w3, &end, 10);
				if (colon && end == colon)
					it->lsb = (int)strtol(colon + 1, &end, 10);
				else
					it->lsb = it->msb;
				if (*end || it->msb < it->lsb || it->msb > 63 || it->lsb < 0) {
					fprintf(stderr, "%s:%d: bad bit or field '%s'\n", path, lineno, w3);
					goto fail;
				}
			} else {
				it->value = strtol(w3, &end, 0);
				if (*end || it->value < 0 ||
				    (t->g[gi].width < 63 && it->value >= (1L << t->g[gi].width))) {
					fprintf(stderr, "%s:%d: value '%s' does not fit %d bits\n",
						path, lineno, w3, t->g[gi].width);
					goto fail;
				}
			}
			t->g[gi].count++;
			t->nitems++;
		}
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	return -1;
}

static void emit_h(FILE *f, const struct table *t)
{
	fprintf(f, "/* Generated from model/mmu_constants.tbl by gen_constants: do not edit. */\n"
		   "#ifndef MMU_CONSTANTS_H\n#define MMU_CONSTANTS_H\n\n");
	for (int gi = 0; gi < t->ngroups; gi++) {
		const struct group *g = &t->g[gi];
		char lname[48];
		long max = -1;

		fprintf(f, "/* %s */\n", g->title);
		for (int i = g->first; i < g->first + g->count; i++) {
			const struct item *it = &t->it[i];

			if (g->width) {
				fprintf(f, "#define MMU_%s_%s %ld\n", g->name, it->name, it->value);
				if (it->value > max)
					max = it->value;
			} else if (it->msb == it->lsb) {
				fprintf(f, "#define MMU_%s_%s %d\n", g->name, it->name, it->lsb);
			} else {
				fprintf(f, "#define MMU_%s_%s_MSB %d\n", g->name, it->name, it->msb);
				fprintf(f, "#define MMU_%s_%s_LSB %d\n", g->name, it->name, it->lsb);
				fprintf(f, "#define MMU_%s_%s_WIDTH %d\n", g->name, it->name,
					it->msb - it->lsb + 1);
			}
		}
		if (g->width) {
			lower_name(g->name, lname, sizeof(lname), '_');
			fprintf(f, "#define MMU_%s_WIDTH %d\n", g->name, g->width);
			fprintf(f, "#define MMU_%s_COUNT %ld\n", g->name, max + 1);
			fprintf(f, "/* Name of a value (\"not-present\"), or NULL if it has none. */\n");
			fprintf(f, "const char *mmu_%s_name(unsigned value);\n", lname);
			fprintf(f, "/* Value of a name (case-insensitive, '-' or '_'), or -1. */\n");
			fprintf(f, "int mmu_%s_value(const char *name);\n", lname);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "#endif\n");
}

static void emit_c(FILE *f, const struct table *t)
{
	fprintf(f, "/* Generated from model/mmu_constants.tbl by gen_constants: do not edit. */\n"
		   "#include <stddef.h>\n#include \"mmu_constants.h\"\n\n"
		   "static int name_eq(const char *a, const char *b)\n{\n"
		   "\tfor (; *a && *b; a++, b++) {\n"
		   "\t\tchar x = *a == '_' ? '-' : *a, y = *b == '_' ? '-' : *b;\n\n"
		   "\t\tif (x >= 'A' && x <= 'Z')\n\t\t\tx = (char)(x - 'A' + 'a');\n"
		   "\t\tif (y >= 'A' && y <= 'Z')\n\t\t\ty = (char)(y - 'A' + 'a');\n"
		   "\t\tif (x != y)\n\t\t\treturn 0;\n\t}\n\treturn *a == *b;\n}\n\n");
	for (int gi = 0; gi < t->ngroups; gi++) {
		const struct group *g = &t->g[gi];
		char lname[48];

		if (!g->width)
			continue;
		lower_name(g->name, lname, sizeof(lname), '_');
		fprintf(f, "const char *mmu_%s_name(unsigned value)\n{\n\tswitch (value) {\n", lname);
		for (int i = g->first; i < g->first + g->count; i++) {
			char n[48];
			int dup = 0;

			/* two names for one value (offsets of alternative fields):
			 * the first one names it */
			for (int j = g->first; j < i; j++)
				dup |= t->it[j].value == t->it[i].value;
			if (dup)
				continue;
			lower_name(t->it[i].name, n, sizeof(n), '-');
			fprintf(f, "\tcase %ld: return \"%s\";\n", t->it[i].value, n);
		}
		fprintf(f, "\tdefault: return NULL;\n\t}\n}\n\n");
		fprintf(f, "int mmu_%s_value(const char *name)\n{\n", lname);
		fprintf(f, "\tif (!name)\n\t\treturn -1;\n");
		for (int i = g->first; i < g->first + g->count; i++)
			fprintf(f, "\tif (name_eq(name, \"%s\"))\n\t\treturn %ld;\n",
				t->it[i].name, t->it[i].value);
		fprintf(f, "\treturn -1;\n}\n\n");
	}
}

static void emit_vh(FILE *f, const struct table *t)
{
	fprintf(f, "// Generated from model/mmu_constants.tbl by gen_constants: do not edit.\n"
		   "`ifndef MMU_CONSTANTS_VH\n`define MMU_CONSTANTS_VH\n\n");
	for (int gi = 0; gi < t->ngroups; gi++) {
		const struct group *g = &t->g[gi];

		fprintf(f, "// %s\n", g->title);
		if (g->width) {
			long max = -1;

			for (int i = g->first; i < g->first + g->count; i++)
				if (t->it[i].value > max)
					max = t->it[i].value;
			fprintf(f, "`define MMU_%s_WIDTH %d\n", g->name, g->width);
			fprintf(f, "`define MMU_%s_COUNT %ld\n", g->name, max + 1);
		}
		for (int i = g->first; i < g->first + g->count; i++) {
			const struct item *it = &t->it[i];

			if (g->width)
				fprintf(f, "`define MMU_%s_%s %d'd%ld\n`define MMU_%s_%s_N %ld\n",
					g->name, it->name, g->width, it->value, g->name, it->name,
					it->value);
			else if (it->msb == it->lsb)
				fprintf(f, "`define MMU_%s_%s %d\n", g->name, it->name, it->lsb);
			else
				fprintf(f, "`define MMU_%s_%s_MSB %d\n`define MMU_%s_%s_LSB %d\n",
					g->name, it->name, it->msb, g->name, it->name, it->lsb);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "`endif\n");
}

static void emit_md(FILE *f, const struct table *t)
{
	fprintf(f, "# Shared constants\n\n"
		   "Generated from `model/mmu_constants.tbl` by `make gen`: do not edit this file.\n"
		   "C sees each item as `MMU_<GROUP>_<ITEM>` (`build/gen/mmu_constants.h`),\n"
		   "Verilog as `` `MMU_<GROUP>_<ITEM> `` (`build/gen/mmu_constants.vh`), sized to the\n"
		   "group's width, and `` `MMU_<GROUP>_<ITEM>_N `` as a plain number; enumeration\n"
		   "names in text and JSON are the item names in lower case with `-`.\n\n");
	for (int gi = 0; gi < t->ngroups; gi++) {
		const struct group *g = &t->g[gi];

		fprintf(f, "## %s: %s\n\n", g->name, g->title);
		if (g->width)
			fprintf(f, "Width: %d bits.\n\n| value | name | meaning |\n|---|---|---|\n",
				g->width);
		else
			fprintf(f, "| bits | name | meaning |\n|---|---|---|\n");
		for (int i = g->first; i < g->first + g->count; i++) {
			const struct item *it = &t->it[i];
			char n[48];

			lower_name(it->name, n, sizeof(n), '-');
			if (g->width)
				fprintf(f, "| %ld | `%s` | %s |\n", it->value, n, it->desc);
			else if (it->msb == it->lsb)
				fprintf(f, "| %d | `%s` | %s |\n", it->lsb, it->name, it->desc);
			else
				fprintf(f, "| %d:%d | `%s` | %s |\n", it->msb, it->lsb, it->name,
					it->desc);
		}
		fprintf(f, "\n");
	}
}

static int write_file(const char *path, void (*emit)(FILE *, const struct table *),
		      const struct table *t)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	emit(f, t);
	if (fclose(f) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct table t;
	char path[4096];

	if (argc != 4) {
		fprintf(stderr, "usage: gen_constants TABLE OUTDIR DOC.md\n");
		return 2;
	}
	if (parse_table(argv[1], &t))
		return 1;
	snprintf(path, sizeof(path), "%s/mmu_constants.h", argv[2]);
	if (write_file(path, emit_h, &t))
		return 1;
	snprintf(path, sizeof(path), "%s/mmu_constants.c", argv[2]);
	if (write_file(path, emit_c, &t))
		return 1;
	snprintf(path, sizeof(path), "%s/mmu_constants.vh", argv[2]);
	if (write_file(path, emit_vh, &t))
		return 1;
	if (write_file(argv[3], emit_md, &t))
		return 1;
	return 0;
}

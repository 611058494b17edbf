/*
 * cli.c - command-line value parsers (see cli.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		x = strtoull(s + 2, &end, 16);
	else
		x = strtoull(s, &end, 10);
	if (errno || *end || end == s || (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && !s[2]))
		return -1;
	*v = x;
	return 0;
}

int cli_uint(const char *s, unsigned max, unsigned *v)
{
	uint64_t x;

	if (cli_u64(s, &x) || x > max)
		return -1;
	*v = (unsigned)x;
	return 0;
}

int cli_size(const char *s, uint64_t *v)
{
	char buf[32];
	size_t n = s ? strlen(s) : 0;
	unsigned shift = 0;
	uint64_t x;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n + 1);
	switch (toupper((unsigned char)buf[n - 1])) {
	case 'K': shift = 10; break;
	case 'M': shift = 20; break;
	case 'G': shift = 30; break;
	case 'T': shift = 40; break;
	default: break;
	}
	if (shift)
		buf[n - 1] = '\0';
	if (cli_u64(buf, &x) || (shift && x >> (64 - shift)))
		return -1;
	*v = x << shift;
	return 0;
}

static int log2_exact(uint64_t v, unsigned *out)
{
	unsigned n = 0;

	if (!v || (v & (v - 1)))
		return -1;
	while (v > 1) {
		v >>= 1;
		n++;
	}
	*out = n;
	return 0;
}

static int parse_textbook(const char *spec, struct mmu_textbook *tb, char *err, unsigned errlen)
{
	char buf[128], *save = NULL, *item;

	memset(tb, 0, sizeof(*tb));
	tb->va_bits = 14;
	tb->pa_bits = 12;
	tb->page_bits = 6;
	tb->levels = 1;
	tb->idx_bits[0] = 8;
	if (!spec)
		return 0;
	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "textbook geometry too long");
		return -1;
	}
	strcpy(buf, spec);
	tb->va_bits = 0; /* derived from page and idx unless given */
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		uint64_t v;

		if (!eq) {
			snprintf(err, errlen, "textbook geometry item '%s' is not key=value", item);
			return -1;
		}
		*eq++ = '\0';
		if (!strcmp(item, "idx")) {
			char *s2 = NULL, *part;
			unsigned n = 0;

			for (part = strtok_r(eq, "/", &s2); part; part = strtok_r(NULL, "/", &s2)) {
				if (n == MMU_MAX_LEVELS || cli_uint(part, 16, &tb->idx_bits[n]) ||
				    !tb->idx_bits[n]) {
					snprintf(err, errlen, "idx wants 1 to 4 widths of 1..16 bits, "
						 "root first, like 10/10");
					return -1;
				}
				n++;
			}
			for (unsigned i = n; i < MMU_MAX_LEVELS; i++)
				tb->idx_bits[i] = 0;
			tb->levels = n;
			continue;
		}
		if (cli_size(eq, &v)) {
			snprintf(err, errlen, "textbook %s=%s is not a number", item, eq);
			return -1;
		}
		if (!strcmp(item, "va")) {
			tb->va_bits = (unsigned)(v > 64 ? 65 : v);
		} else if (!strcmp(item, "pa")) {
			tb->pa_bits = (unsigned)(v > 64 ? 65 : v);
		} else if (!strcmp(item, "page")) {
			if (log2_exact(v, &tb->page_bits)) {
				snprintf(err, errlen, "page=%s is not a power of two", eq);
				return -1;
			}
		} else if (!strcmp(item, "pte")) {
			tb->pte_bytes = (unsigned)(v > 8 ? 9 : v);
		} else {
			snprintf(err, errlen, "unknown textbook key '%s' (va, pa, page, idx, pte)", item);
			return -1;
		}
	}
	return 0;
}

int cli_mode(const char *s, unsigned *mode, struct mmu_textbook *tb, char *err, unsigned errlen)
{
	int v;

	if (!s)
		return -1;
	if (!strncmp(s, "textbook", 8) && (s[8] == '\0' || s[8] == ':')) {
		if (parse_textbook(s[8] ? s + 9 : NULL, tb, err, errlen))
			return -1;
		*mode = MMU_MODE_TEXTBOOK;
		return 0;
	}
	v = mmu_mode_value(s);
	if (v <= 0 || v == MMU_MODE_TEXTBOOK) {
		snprintf(err, errlen, "unknown mode '%s' (sv32, sv39, sv48, x86_64, textbook[:...])", s);
		return -1;
	}
	memset(tb, 0, sizeof(*tb));
	*mode = (unsigned)v;
	return 0;
}

int cli_tlb(const char *s, unsigned *sets, unsigned *ways)
{
	char buf[32], *x;
	unsigned a, b;

	if (!s || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	x = strchr(buf, 'x');
	if (!x)
		return -1;
	*x = '\0';
	if (cli_uint(buf, 65536, &a) || cli_uint(x + 1, 16, &b))
		return -1;
	*sets = a;
	*ways = b;
	return 0;
}

int cli_file_at(char *s, char **file, uint64_t *base)
{
	char *at = strrchr(s, '@');

	*base = 0;
	if (at) {
		if (cli_u64(at + 1, base))
			return -1;
		*at = '\0';
	}
	if (!*s)
		return -1;
	*file = s;
	return 0;
}

int cli_access(const char *s, unsigned *access)
{
	if (!strcmp(s, "r"))
		*access = MMU_ACCESS_R;
	else if (!strcmp(s, "w"))
		*access = MMU_ACCESS_W;
	else if (!strcmp(s, "x"))
		*access = MMU_ACCESS_X;
	else
		return -1;
	return 0;
}

int cli_priv(const char *s, unsigned *priv)
{
	if (!strcmp(s, "u"))
		*priv = MMU_PRIV_U;
	else if (!strcmp(s, "s"))
		*priv = MMU_PRIV_S;
	else
		return -1;
	return 0;
}

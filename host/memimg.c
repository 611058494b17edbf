/*
 * memimg.c - physical-memory images (see memimg.h for the contract).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memimg.h"

static uint64_t round8(uint64_t v)
{
	return (v + 7) & ~7ULL;
}

int memimg_contains(const struct memimg *img, uint64_t pa, uint64_t len)
{
	return pa >= img->base && len <= img->size && pa - img->base <= img->size - len;
}

int memimg_create(struct memimg *img, uint64_t base, uint64_t size, int growable,
		  char *err, size_t errlen)
{
	memset(img, 0, sizeof(*img));
	if (base & 7) {
		snprintf(err, errlen, "base 0x%llx is not 8-byte aligned", (unsigned long long)base);
		return MMU_E_INVAL;
	}
	if (size > MEMIMG_MAX_SIZE || base + size < base) {
		snprintf(err, errlen, "image size 0x%llx is larger than %llu MiB",
			 (unsigned long long)size, MEMIMG_MAX_SIZE >> 20);
		return MMU_E_RANGE;
	}
	img->size = round8(size);
	img->data = calloc(1, img->size ? img->size : 8);
	if (!img->data) {
		snprintf(err, errlen, "out of memory for a %llu-byte image", (unsigned long long)size);
		return MMU_E_NOMEM;
	}
	img->base = base;
	img->used = size;
	img->growable = growable;
	return MMU_OK;
}

int memimg_load(struct memimg *img, const char *path, uint64_t base, char *err, size_t errlen)
{
	FILE *f;
	long len;
	int rc;

	memset(img, 0, sizeof(*img));
	f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return MMU_E_IO;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		snprintf(err, errlen, "cannot size %s: %s", path, strerror(errno));
		rc = MMU_E_IO;
		goto out;
	}
	if (len == 0) {
		snprintf(err, errlen, "%s is empty", path);
		rc = MMU_E_FORMAT;
		goto out;
	}
	rc = memimg_create(img, base, (uint64_t)len, 0, err, errlen);
	if (rc)
		goto out;
	if (fread(img->data, 1, (size_t)len, f) != (size_t)len) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 ferror(f) ? strerror(errno) : "file shrank while reading");
		memimg_free(img);
		rc = MMU_E_IO;
	}
out:
	fclose(f);
	return rc;
}

int memimg_save(const struct memimg *img, const char *path, char *err, size_t errlen)
{
	size_t plen = strlen(path) + 16;
	char *tmp = malloc(plen);
	FILE *f;
	int rc = MMU_E_IO;

	if (!tmp) {
		snprintf(err, errlen, "out of memory");
		return MMU_E_NOMEM;
	}
	snprintf(tmp, plen, "%s.tmp%ld", path, (long)getpid());
	f = fopen(tmp, "wb");
	if (!f) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		goto out_free;
	}
	if (fwrite(img->data, 1, (size_t)img->used, f) != (size_t)img->used) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		fclose(f);
		goto out_unlink;
	}
	if (fclose(f)) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto out_unlink;
	}
	if (rename(tmp, path)) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		goto out_unlink;
	}
	rc = MMU_OK;
	goto out_free;
out_unlink:
	unlink(tmp);
out_free:
	free(tmp);
	return rc;
}

void memimg_free(struct memimg *img)
{
	free(img->data);
	memset(img, 0, sizeof(*img));
}

int memimg_reserve(struct memimg *img, uint64_t end, char *err, size_t errlen)
{
	uint64_t need, cap;
	uint8_t *p;

	if (end < img->base) {
		snprintf(err, errlen, "address below the image base");
		return MMU_E_RANGE;
	}
	need = end - img->base;
	if (need <= img->size) {
		if (need > img->used)
			img->used = need;
		return MMU_OK;
	}
	if (!img->growable || need > MEMIMG_MAX_SIZE) {
		snprintf(err, errlen, "page-table memory full: need 0x%llx bytes, image holds 0x%llx",
			 (unsigned long long)need, (unsigned long long)img->size);
		return MMU_E_RANGE;
	}
	cap = img->size ? img->size : 4096;
	while (cap < need)
		cap *= 2;
	if (cap > MEMIMG_MAX_SIZE)
		cap = round8(need);
	p = realloc(img->data, (size_t)cap);
	if (!p) {
		snprintf(err, errlen, "out of memory growing the image to %llu bytes",
			 (unsigned long long)cap);
		return MMU_E_NOMEM;
	}
	memset(p + img->size, 0, (size_t)(cap - img->size));
	img->data = p;
	img->size = cap;
	img->used = need;
	return MMU_OK;
}

int memimg_read64(void *ctx, uint64_t pa, uint64_t *data)
{
	const struct memimg *img = ctx;
	const uint8_t *p;
	uint64_t v = 0;

	if ((pa & 7) || !memimg_contains(img, pa, 8))
		return -1;
	p = img->data + (pa - img->base);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(&v, p, 8);
#else
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
#endif
	*data = v;
	return 0;
}

int memimg_write64(void *ctx, uint64_t pa, uint64_t data, uint8_t sel)
{
	struct memimg *img = ctx;
	uint8_t *p;

	if ((pa & 7) || !memimg_contains(img, pa, 8))
		return -1;
	p = img->data + (pa - img->base);
	for (int i = 0; i < 8; i++)
		if (sel & (1u << i)) {
			p[i] = (uint8_t)(data >> (8 * i));
			if (pa - img->base + (uint64_t)i + 1 > img->used)
				img->used = pa - img->base + (uint64_t)i + 1;
		}
	return 0;
}

void memimg_ops(struct memimg *img, struct mmu_mem_ops *ops)
{
	ops->read = memimg_read64;
	ops->write = memimg_write64;
	ops->ctx = img;
}

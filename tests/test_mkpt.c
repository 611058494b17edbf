/*
 * test_mkpt.c - the page-table builder and memory images: tables built by
 * mkpt translate as asked on the model, in every mode; overlaps, misaligned
 * and out-of-range mappings are refused; images load, save and grow, and every
 * failing call (missing file, empty file, full image, out of memory) fails
 * cleanly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "mkpt.h"
#include "mmu_model.h"
#include "testfail.h"
#include "testmem.h"

struct built {
	struct memimg img;
	struct mkpt pt;
	struct mmu_model *m;
	struct mmu_config c;
	char err[256];
};

static void build(struct built *b, unsigned mode, int nxe)
{
	mmu_config_default(&b->c);
	assert_int_equal(memimg_create(&b->img, 0x10000, 0, 1, b->err, sizeof(b->err)), 0);
	assert_int_equal(mkpt_init(&b->pt, &b->img, &b->c, mode, 0, 0x10000, nxe, b->err,
				   sizeof(b->err)), 0);
	b->m = NULL;
}

static void start_model(struct built *b, unsigned mode, const struct mmu_policy *p)
{
	struct mmu_mem_ops ops;

	memimg_ops(&b->img, &ops);
	assert_int_equal(mmu_model_new(&b->c, &ops, &b->m), 0);
	if (p)
		assert_int_equal(mmu_set_policy(b->m, p), 0);
	assert_int_equal(mmu_set_context(b->m, 0, mode, b->pt.root), 0);
}

static void done(struct built *b)
{
	mmu_model_free(b->m);
	memimg_free(&b->img);
}

static struct mmu_response tr(struct built *b, uint64_t va, unsigned access, unsigned priv)
{
	struct mmu_request q = { .va = va, .access = (uint8_t)access, .priv = (uint8_t)priv };
	struct mmu_response r;

	assert_int_equal(mmu_translate(b->m, &q, &r), 0);
	return r;
}

static void every_mode_every_size(void **state)
{
	static const struct { unsigned mode; uint64_t va, pa; unsigned shift; } maps[] = {
		{ MMU_MODE_SV32, 0x00401000, 0x2345000, 12 },
		{ MMU_MODE_SV32, 0x00800000, 0x300000000ULL, 22 },
		{ MMU_MODE_SV39, 0xffffffffc0001000ULL, 0x7000, 12 },
		{ MMU_MODE_SV39, 0x40200000, 0x80200000, 21 },
		{ MMU_MODE_SV39, 0x80000000, 0xc0000000, 30 },
		{ MMU_MODE_SV48, 0x7f8000000000ULL, 0x8000000000ULL, 39 },
		{ MMU_MODE_SV48, 0xffff800000003000ULL, 0x3000, 12 },
		{ MMU_MODE_X86_64, 0x7fffffffe000ULL, 0x5000, 12 },
		{ MMU_MODE_X86_64, 0xffff800000200000ULL, 0x40000000, 21 },
		{ MMU_MODE_X86_64, 0x40000000, 0x80000000, 30 },
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		struct built b;
		struct mmu_response r;
		uint64_t off = (1ULL << maps[i].shift) - 8;

		build(&b, maps[i].mode, 0);
		assert_int_equal(mkpt_map(&b.pt, maps[i].va, maps[i].pa, maps[i].shift,
					  PTE_R | PTE_W | PTE_U | PTE_A | PTE_D, b.err,
					  sizeof(b.err)), 0);
		start_model(&b, maps[i].mode, NULL);
		r = tr(&b, maps[i].va + off, MMU_ACCESS_W, MMU_PRIV_U);
		if (r.cause != MMU_CAUSE_OK || r.pa != maps[i].pa + off ||
		    r.page_shift != maps[i].shift)
			fail_msg("mapping %u: cause %u pa 0x%llx shift %u", i, r.cause,
				 (unsigned long long)r.pa, r.page_shift);
		/* mkpt preset A and D: the walk writes nothing */
		done(&b);
	}
}

static void permissions_and_nx(void **state)
{
	struct built b;
	struct mmu_policy p = { .nxe = 1 };

	(void)state;
	build(&b, MMU_MODE_X86_64, 1);
	assert_int_equal(mkpt_map(&b.pt, 0x1000, 0x9000, 12, PTE_R | PTE_U, b.err, sizeof(b.err)), 0);
	assert_int_equal(mkpt_map(&b.pt, 0x2000, 0xa000, 12, PTE_R | PTE_X | PTE_G, b.err,
				  sizeof(b.err)), 0);
	start_model(&b, MMU_MODE_X86_64, &p);
	assert_int_equal(tr(&b, 0x1000, MMU_ACCESS_R, MMU_PRIV_U).cause, MMU_CAUSE_OK);
	assert_int_equal(tr(&b, 0x1000, MMU_ACCESS_W, MMU_PRIV_U).cause, MMU_CAUSE_PERMISSION);
	assert_int_equal(tr(&b, 0x1000, MMU_ACCESS_X, MMU_PRIV_U).cause, MMU_CAUSE_PERMISSION);
	assert_int_equal(tr(&b, 0x2000, MMU_ACCESS_X, MMU_PRIV_S).cause, MMU_CAUSE_OK);
	assert_int_equal(tr(&b, 0x2000, MMU_ACCESS_R, MMU_PRIV_U).cause, MMU_CAUSE_PERMISSION);
	assert_true(tr(&b, 0x2000, MMU_ACCESS_R, MMU_PRIV_S).perm & (1u << MMU_PERM_G));
	done(&b);
}

static void refused_mappings(void **state)
{
	struct built b;

	(void)state;
	build(&b, MMU_MODE_SV39, 0);
	assert_int_equal(mkpt_map(&b.pt, 0x200000, 0x400000, 21, PTE_R, b.err, sizeof(b.err)), 0);
	/* inside an existing 2 MiB page */
	assert_int_equal(mkpt_map(&b.pt, 0x201000, 0x1000, 12, PTE_R, b.err, sizeof(b.err)),
			 MMU_E_INVAL);
	assert_non_null(strstr(b.err, "larger page"));
	/* the same VA again */
	assert_int_equal(mkpt_map(&b.pt, 0x200000, 0x400000, 21, PTE_R, b.err, sizeof(b.err)),
			 MMU_E_INVAL);
	/* a 2 MiB page over a table of 4 KiB pages */
	assert_int_equal(mkpt_map(&b.pt, 0x401000, 0x1000, 12, PTE_R, b.err, sizeof(b.err)), 0);
	assert_int_equal(mkpt_map(&b.pt, 0x400000, 0x400000, 21, PTE_R, b.err, sizeof(b.err)),
			 MMU_E_INVAL);
	/* misaligned, wrong size, non-canonical, PA too wide, w without r, no r/x */
	assert_int_equal(mkpt_map(&b.pt, 0x601000, 0x400000, 21, PTE_R, b.err, sizeof(b.err)),
			 MMU_E_INVAL);
	assert_int_equal(mkpt_map(&b.pt, 0x600000, 0x400000, 16, PTE_R, b.err, sizeof(b.err)),
			 MMU_E_INVAL);
	assert_int_equal(mkpt_map(&b.pt, 1ULL << 40, 0, 12, PTE_R, b.err, sizeof(b.err)),
			 MMU_E_INVAL);
	assert_int_equal(mkpt_map(&b.pt, 0x1000, 1ULL << 56, 12, PTE_R, b.err, sizeof(b.err)),
			 MMU_E_INVAL);
	assert_int_equal(mkpt_map(&b.pt, 0x1000, 0, 12, PTE_W, b.err, sizeof(b.err)), MMU_E_INVAL);
	assert_int_equal(mkpt_map(&b.pt, 0x1000, 0, 12, PTE_U, b.err, sizeof(b.err)), MMU_E_INVAL);
	done(&b);
	/* x86 has no 512 GiB pages */
	build(&b, MMU_MODE_X86_64, 0);
	assert_int_equal(mkpt_map(&b.pt, 0, 0, 39, PTE_R, b.err, sizeof(b.err)), MMU_E_INVAL);
	done(&b);
}

static void fixed_image_fills_up(void **state)
{
	struct mmu_config c;
	struct memimg img;
	struct mkpt pt;
	char err[256];

	(void)state;
	mmu_config_default(&c);
	assert_int_equal(memimg_create(&img, 0, 0x3000, 0, err, sizeof(err)), 0);
	assert_int_equal(mkpt_init(&pt, &img, &c, MMU_MODE_SV39, 0, 0, 0, err, sizeof(err)), 0);
	/* root + L1 + L0 = 3 pages: fits exactly; a second L1 does not. */
	assert_int_equal(mkpt_map(&pt, 0x1000, 0x1000, 12, PTE_R, err, sizeof(err)), 0);
	assert_int_equal(mkpt_map(&pt, 1ULL << 30, 0x1000, 12, PTE_R, err, sizeof(err)), MMU_E_RANGE);
	assert_non_null(strstr(err, "full"));
	memimg_free(&img);
	/* Root not aligned, root below the base. */
	assert_int_equal(memimg_create(&img, 0x1000, 0x3000, 0, err, sizeof(err)), 0);
	assert_int_equal(mkpt_init(&pt, &img, &c, MMU_MODE_SV39, 0, 0x1800, 0, err, sizeof(err)),
			 MMU_E_INVAL);
	assert_int_equal(mkpt_init(&pt, &img, &c, MMU_MODE_SV39, 0, 0, 0, err, sizeof(err)),
			 MMU_E_RANGE);
	assert_int_equal(mkpt_init(&pt, &img, &c, MMU_MODE_TEXTBOOK, 0, 0x1000, 0, err, sizeof(err)),
			 MMU_E_INVAL);
	memimg_free(&img);
}

static void perm_letters(void **state)
{
	(void)state;
	assert_int_equal(mkpt_parse_perm("rwxugad"), 0x7f);
	assert_int_equal(mkpt_parse_perm("-"), 0);
	assert_int_equal(mkpt_parse_perm("ru"), PTE_R | PTE_U);
	assert_int_equal(mkpt_parse_perm(""), -1);
	assert_int_equal(mkpt_parse_perm("rr"), -1);
	assert_int_equal(mkpt_parse_perm("rq"), -1);
}

static void image_files(void **state)
{
	char path[] = "/tmp/mmu-test-imgXXXXXX", err[256];
	struct memimg img, back;
	uint64_t v;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	/* empty file */
	assert_int_equal(memimg_load(&img, path, 0, err, sizeof(err)), MMU_E_FORMAT);
	/* missing file */
	assert_int_equal(memimg_load(&img, "/nonexistent/x", 0, err, sizeof(err)), MMU_E_IO);
	assert_non_null(strstr(err, "No such file"));
	/* a 12-byte image: padded in memory; a write into the padding extends it */
	assert_int_equal(memimg_create(&img, 0x100, 12, 0, err, sizeof(err)), 0);
	assert_int_equal(memimg_write64(&img, 0x100, 0x1122334455667788ULL, 0xff), 0);
	assert_int_equal(memimg_save(&img, path, err, sizeof(err)), 0);
	assert_int_equal(memimg_load(&back, path, 0x100, err, sizeof(err)), 0);
	assert_int_equal(back.used, 12);
	assert_int_equal(memimg_read64(&back, 0x100, &v), 0);
	assert_int_equal(v, 0x1122334455667788ULL);
	assert_int_equal(memimg_write64(&back, 0x108, 0xaabbccdd00000000ULL, 0xf0), 0);
	assert_int_equal(back.used, 16);
	/* bus errors: misaligned, below, beyond */
	assert_int_equal(memimg_read64(&back, 0x104, &v), -1);
	assert_int_equal(memimg_read64(&back, 0xf8, &v), -1);
	assert_int_equal(memimg_read64(&back, 0x110, &v), -1);
	assert_int_equal(memimg_write64(&back, 0x110, 0, 0xff), -1);
	/* saving into a missing directory fails and leaves nothing behind */
	assert_int_equal(memimg_save(&back, "/nonexistent/dir/img", err, sizeof(err)), MMU_E_IO);
	memimg_free(&back);
	memimg_free(&img);
	unlink(path);
	/* misaligned base, oversize image */
	assert_int_equal(memimg_create(&img, 4, 8, 0, err, sizeof(err)), MMU_E_INVAL);
	assert_int_equal(memimg_create(&img, 0, MEMIMG_MAX_SIZE + 1, 0, err, sizeof(err)),
			 MMU_E_RANGE);
}

/* Saving and loading an image with every allocation and file call failing
 * in turn: an error with a message, or the image back byte for byte; a
 * failed save leaves the old file exactly as it was and no temporary file
 * behind (the save writes a temporary and renames it over). */
static void put_pattern(struct memimg *img, uint8_t seed)
{
	for (uint64_t a = 0; a < img->used; a += 8) {
		uint64_t v = 0;

		for (unsigned b = 0; b < 8; b++)
			v |= (uint64_t)(uint8_t)(seed + a + b) << (8 * b);
		assert_int_equal(memimg_write64(img, a, v, 0xff), 0);
	}
}

static void expect_pattern(const char *path, uint8_t seed)
{
	uint8_t buf[4097];
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(n, 4096);
	for (size_t i = 0; i < n; i++)
		if (buf[i] != (uint8_t)(seed + i))
			fail_msg("%s: byte %zu is 0x%02x, not 0x%02x (%s failing)", path, i, buf[i],
				 (uint8_t)(seed + i), testfail_fired() ? testfail_fired() : "nothing");
}

static int image_scenario(void *ctx)
{
	const char *path = ctx;
	struct memimg img, back;
	char err[256] = "", tmp[300];
	int saved = 0, rc = memimg_create(&img, 0, 4096, 0, err, sizeof(err));

	if (rc)
		return rc;
	put_pattern(&img, 0x5b);
	rc = memimg_save(&img, path, err, sizeof(err));
	if (!rc) {
		saved = 1;
		rc = memimg_load(&back, path, 0, err, sizeof(err));
		if (!rc) {
			assert_int_equal(back.used, img.used);
			assert_memory_equal(back.data, img.data, img.used);
			memimg_free(&back);
		}
	}
	testfail_hold();
	if (rc)
		assert_true(err[0] != '\0');
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	assert_int_equal(access(tmp, F_OK), -1);
	expect_pattern(path, saved ? 0x5b : 0x11);   /* a failed save: the old file */
	/* the old file again, for the next run */
	put_pattern(&img, 0x11);
	assert_int_equal(memimg_save(&img, path, err, sizeof(err)), 0);
	memimg_free(&img);
	return rc;
}

static void image_files_every_failing_call(void **state)
{
	char path[] = "/tmp/mmu-test-imgXXXXXX", err[256];
	struct memimg img;
	int fd = mkstemp(path);
	long n;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(memimg_create(&img, 0, 4096, 0, err, sizeof(err)), 0);
	put_pattern(&img, 0x11);
	assert_int_equal(memimg_save(&img, path, err, sizeof(err)), 0);
	memimg_free(&img);
	n = testfail_each(TF_ALLOC | TF_FILE, 1, 100, image_scenario, path, NULL);
	print_message("image files: %ld calls made to fail in turn\n", n);
	assert_true(n >= 10);
	unlink(path);
}

static void allocation_failures(void **state)
{
	struct mmu_config c;
	struct memimg img;
	struct mkpt pt;
	char err[256];

	(void)state;
	testfail_arm(0, TF_ALLOC);
	assert_int_equal(memimg_create(&img, 0, 64, 0, err, sizeof(err)), MMU_E_NOMEM);
	testfail_arm(-1, TF_ALLOC);
	/* growing an image for a new table */
	mmu_config_default(&c);
	assert_int_equal(memimg_create(&img, 0, 0, 1, err, sizeof(err)), 0);
	assert_int_equal(mkpt_init(&pt, &img, &c, MMU_MODE_SV39, 0, 0, 0, err, sizeof(err)), 0);
	testfail_arm(0, TF_ALLOC);
	assert_int_equal(mkpt_map(&pt, 0x1000, 0x1000, 12, PTE_R, err, sizeof(err)), MMU_E_NOMEM);
	testfail_arm(-1, TF_ALLOC);
	assert_non_null(strstr(err, "out of memory"));
	/* and after the failure the builder still works */
	assert_int_equal(mkpt_map(&pt, 0x1000, 0x1000, 12, PTE_R, err, sizeof(err)), 0);
	assert_int_equal(pt.tables, 3);
	/* save: the temporary file name */
	testfail_arm(0, TF_ALLOC);
	assert_int_equal(memimg_save(&img, "/tmp/never-written", err, sizeof(err)), MMU_E_NOMEM);
	testfail_arm(-1, TF_ALLOC);
	assert_int_equal(access("/tmp/never-written", F_OK), -1);
	memimg_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_mode_every_size),
		cmocka_unit_test(permissions_and_nx),
		cmocka_unit_test(refused_mappings),
		cmocka_unit_test(fixed_image_fills_up),
		cmocka_unit_test(perm_letters),
		cmocka_unit_test(image_files),
		cmocka_unit_test(allocation_failures),
		cmocka_unit_test(image_files_every_failing_call),
	};

	return cmocka_run_group_tests_name("mkpt", tests, NULL, NULL);
}

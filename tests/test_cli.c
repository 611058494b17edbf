/*
 * test_cli.c - mmuctl as a user runs it: the seeds' textbook example end to
 * end, JSON output, input files with bad lines, invalidation directives,
 * --mem-out, and a clear message with a non-zero exit for every kind of bad
 * argument or file.
 *
 * The binary is $MMUCTL (the test runner sets it), else build/rel/mmuctl.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

static char dir[64];
static char out[65536], err[8192];

static void read_file(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t got = 0;

	buf[0] = '\0';
	if (!f)
		return;
	got = fread(buf, 1, n - 1, f);
	buf[got] = '\0';
	fclose(f);
}

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Run mmuctl in dir with args (NULL-terminated), stdin from in_name or
 * /dev/null; fill out and err; return the exit status. */
static int run(const char *in_name, ...)
{
	const char *bin = getenv("MMUCTL");
	char *argv[40], o[256], e[256], in[256], abs_bin[1024];
	va_list ap;
	int n = 1, status;
	pid_t pid;

	if (!bin)
		bin = "build/rel/mmuctl";
	if (bin[0] != '/') {
		assert_non_null(getcwd(abs_bin, sizeof(abs_bin) - strlen(bin) - 2));
		strcat(abs_bin, "/");
		strcat(abs_bin, bin);
		bin = abs_bin;
	}
	argv[0] = (char *)bin;
	va_start(ap, in_name);
	while ((argv[n] = va_arg(ap, char *)) != NULL && n < 39)
		n++;
	va_end(ap);
	argv[n] = NULL;
	snprintf(o, sizeof(o), "%s/.out", dir);
	snprintf(e, sizeof(e), "%s/.err", dir);
	snprintf(in, sizeof(in), "%s/%s", dir, in_name ? in_name : "/dev/null");
	if (!in_name)
		snprintf(in, sizeof(in), "/dev/null");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (chdir(dir) || !freopen(in, "r", stdin) || !freopen(o, "w", stdout) ||
		    !freopen(e, "w", stderr))
			_exit(99);
		execv(bin, argv);
		_exit(98);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	read_file(o, out, sizeof(out));
	read_file(e, err, sizeof(err));
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mmuctl-testXXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void seed_example_end_to_end(void **state)
{
	(void)state;
	write_file("map.txt", "# VPN 0x0f -> PPN 0x0d, as in seed 004\n0x03c0 0x340 64 rwu\n");
	assert_int_equal(run("map.txt", "mkpt", "--mode", "textbook", "--base", "0x800", "--out",
			     "tb.img", NULL), 0);
	assert_string_equal(out, "root 0x800: 1 table, image tb.img: 0x800..0xc00 (1024 bytes)\n");
	assert_int_equal(run(NULL, "translate", "--mode", "textbook", "--tlb", "4x4", "--mem",
			     "tb.img@0x800", "--root", "0x800", "--explain", "0x03d4", "0x03d4",
			     "--mem-out", "after.img", NULL), 0);
	assert_string_equal(out,
		"va 0x3d4 r/u [VPN 0xf VPO 0x14 TLBI 3 TLBT 0x3] -> pa 0x354 [PPN 0xd PPO 0x14] "
		"(64 B page, level 0, rw-u--, walk)\n"
		"va 0x3d4 r/u [VPN 0xf VPO 0x14 TLBI 3 TLBT 0x3] -> pa 0x354 [PPN 0xd PPO 0x14] "
		"(64 B page, level 0, rw-u--, TLB hit)\n");
	/* --mem-out: the PTE for VPN 0x0f (4 bytes at 0x800 + 0x3c) has A set now */
	{
		char path[256];
		unsigned char img[1024];
		FILE *f;

		snprintf(path, sizeof(path), "%s/after.img", dir);
		f = fopen(path, "rb");
		assert_non_null(f);
		assert_int_equal(fread(img, 1, sizeof(img), f), 1024);
		fclose(f);
		assert_int_equal(img[0x3c], 0x17 | 0x40); /* V R W U + A */
		assert_int_equal(img[0x3d], 0x0d << 2);   /* PPN 0x0d << 10 */
	}
	assert_int_equal(run(NULL, "translate", "--mode", "textbook", "--tlb", "4x4", "--mem",
			     "tb.img@0x800", "--json", "0x03d4", "0x40", NULL), 0);
	assert_string_equal(out,
		"{\"va\":\"0x3d4\",\"access\":\"r\",\"priv\":\"u\",\"asid\":0,\"pa\":\"0x354\","
		"\"page_size\":64,\"level\":0,\"perm\":\"rw-u--\",\"hit\":false}\n"
		"{\"va\":\"0x40\",\"access\":\"r\",\"priv\":\"u\",\"asid\":0,"
		"\"fault\":\"not-present\",\"level\":0,\"code\":13,\"hit\":false}\n");
}

static void input_file_lines_and_directives(void **state)
{
	(void)state;
	write_file("map39.txt", "0x1000 0x80000 4K rwu\n0x200000 0x400000 2M rxg\n");
	assert_int_equal(run("map39.txt", "mkpt", "--mode", "sv39", "--out", "sv39.img", NULL), 0);
	write_file("req.txt",
		   "0x1234 w\n"
		   "zz\n"
		   "0x1234 r s asid=3\n"
		   "inval va 0x1000\n"
		   "0x201000 x s\n"
		   "inval bogus\n"
		   "0x1234   # comment\n");
	assert_int_equal(run(NULL, "translate", "--mode", "sv39", "--mem", "sv39.img", "--input",
			     "req.txt", "--stats", NULL), 1);
	assert_non_null(strstr(out, "va 0x1234 w/u -> pa 0x80234 (4 KiB page, level 0, rw-u-d, walk)\n"));
	assert_non_null(strstr(out, "error: line 2: bad VA 'zz'\n"));
	assert_non_null(strstr(out, "va 0x1234 r/s asid 3 -> fault no-context (no context for this ASID)\n"));
	assert_non_null(strstr(out, "inval va\n"));
	assert_non_null(strstr(out, "va 0x201000 x/s -> pa 0x401000 (2 MiB page, level 1, r-x-g-, walk)\n"));
	assert_non_null(strstr(out, "error: line 6: expected `inval all`"));
	assert_non_null(strstr(out, "va 0x1234 r/u -> pa 0x80234 (4 KiB page, level 0, rw-u-d, walk)\n"));
	assert_non_null(strstr(out, "stats: lookups 3 hits 0 misses 3 walks 3"));
	assert_non_null(strstr(err, "req.txt:2: bad VA"));
	/* JSON: one object per line, errors included; stdin works too */
	assert_int_equal(run("req.txt", "translate", "--mode", "sv39", "--mem", "sv39.img",
			     "--input", "-", "--json", NULL), 1);
	assert_non_null(strstr(out, "{\"line\":2,\"error\":\"bad VA 'zz'\"}\n"));
	assert_non_null(strstr(out, "{\"inval\":\"va\",\"va\":\"0x1000\"}\n"));
	assert_non_null(strstr(out, "\"fault\":\"no-context\",\"level\":null,\"code\":0"));
}

static void x86_json_and_show_tlb(void **state)
{
	(void)state;
	write_file("map86.txt", "0x7000 0x9000 4K ru\n");
	assert_int_equal(run("map86.txt", "mkpt", "--mode", "x86_64", "--nxe", "--out", "x.img",
			     "--json", NULL), 0);
	assert_string_equal(out, "{\"root\":\"0x0\",\"base\":\"0x0\",\"tables\":4,\"bytes\":16384}\n");
	assert_int_equal(run(NULL, "translate", "--mode", "x86_64", "--nxe", "--mem", "x.img",
			     "--json", "--priv", "s", "--access", "x", "0x7000", "0x800000000000",
			     "--show-tlb", NULL), 0);
	assert_non_null(strstr(out, "\"fault\":\"permission\",\"level\":0,\"code\":17,\"vector\":14"));
	assert_non_null(strstr(out, "\"fault\":\"non-canonical\",\"level\":null,\"code\":0,\"vector\":13"));
	/* the x86 page fault dropped every entry for 0x7000: nothing is cached */
	assert_non_null(strstr(out, "{\"tlb\":[]}\n"));
	assert_int_equal(run(NULL, "translate", "--mode", "x86_64", "--nxe", "--mem", "x.img",
			     "--json", "--show-tlb", "0x7000", NULL), 0);
	assert_non_null(strstr(out, "{\"tlb\":[{\"array\":\"base\",\"set\":7,\"way\":0,"
			       "\"vpn\":\"0x7\",\"tag\":\"0x0\",\"asid\":0,\"ppn\":\"0x9\""));
	assert_non_null(strstr(out, "{\"array\":\"pwc\",\"set\":0,\"way\":2,"));
	assert_int_equal(run(NULL, "translate", "--mode", "x86_64", "--nxe", "--mem", "x.img",
			     "--access", "w", "0x7000", NULL), 0);
	assert_non_null(strstr(out, "fault permission at level 0 (x86 #PF, error code 0x7: P W U)"));
	/* without NXE the XD bit mkpt set is reserved */
	assert_int_equal(run(NULL, "translate", "--mode", "x86_64", "--mem", "x.img", "0x7000", NULL), 0);
	assert_non_null(strstr(out, "fault reserved at level 0 (x86 #PF, error code 0xd: P U RSVD)"));
}

static void bad_arguments(void **state)
{
	(void)state;
	write_file("empty.img", "");
	write_file("small.img", "0123456789abcdef");
	assert_int_equal(run(NULL, NULL), 2);
	assert_non_null(strstr(err, "usage: mmuctl COMMAND"));
	assert_int_equal(run(NULL, "help", NULL), 0);
	assert_int_equal(run(NULL, "translate", "--help", NULL), 0);
	assert_non_null(strstr(out, "usage: mmuctl translate"));
	assert_int_equal(run(NULL, "mkpt", "--help", NULL), 0);
	assert_non_null(strstr(out, "usage: mmuctl mkpt"));
	assert_int_equal(run(NULL, "frobnicate", NULL), 2);
	assert_non_null(strstr(err, "unknown command 'frobnicate'"));
	assert_int_equal(run(NULL, "translate", "0x1000", NULL), 2);
	assert_non_null(strstr(err, "needs --mode and --mem"));
	assert_int_equal(run(NULL, "translate", "--mode", "sv57", "--mem", "small.img", "0", NULL), 2);
	assert_non_null(strstr(err, "unknown mode 'sv57'"));
	assert_int_equal(run(NULL, "translate", "--mode", "textbook:va=14,page=63", "--mem",
			     "small.img", "0", NULL), 2);
	assert_non_null(strstr(err, "not a power of two"));
	assert_int_equal(run(NULL, "translate", "--mode", "textbook:va=15", "--mem", "small.img",
			     "0", NULL), 2);
	assert_non_null(strstr(err, "invalid textbook geometry"));
	assert_int_equal(run(NULL, "translate", "--mode", "sv39", "--tlb", "3x4", "--mem",
			     "small.img", "0", NULL), 2);
	assert_non_null(strstr(err, "invalid MMU geometry"));
	assert_int_equal(run(NULL, "translate", "--mode", "sv39", "--tlb", "banana", "--mem",
			     "small.img", "0", NULL), 2);
	assert_non_null(strstr(err, "bad value 'banana' for --tlb"));
	assert_int_equal(run(NULL, "translate", "--device", "usb:dead:beef", "--mode", "sv39",
			     "--mem", "small.img", "0", NULL), 2);
	assert_non_null(strstr(err, "no USB device dead:beef found"));
	assert_int_equal(run(NULL, "translate", "--device", "usb:0403:6010:baud=9", "--mode",
			     "sv39", "--mem", "small.img", "0", NULL), 2);
	assert_non_null(strstr(err, "'baud=9': give a number from 733 to 12000000"));
	assert_int_equal(run(NULL, "translate", "--device", "floppy", "--mode", "sv39", "--mem",
			     "small.img", "0", NULL), 2);
	assert_int_equal(run(NULL, "translate", "--mode", "sv39", "--mem", "missing.img", "0", NULL), 2);
	assert_non_null(strstr(err, "cannot open missing.img"));
	assert_int_equal(run(NULL, "translate", "--mode", "sv39", "--mem", "empty.img", "0", NULL), 2);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(run(NULL, "translate", "--mode", "sv39", "--mem", "small.img", "--root",
			     "0x10000", "0", NULL), 2);
	assert_non_null(strstr(err, "outside the image"));
	assert_int_equal(run(NULL, "translate", "--mode", "sv39", "--mem", "small.img@0x1000",
			     "--root", "0x1008", "0", NULL), 2);
	assert_non_null(strstr(err, "not aligned"));
	assert_int_equal(run(NULL, "translate", "--mode", "sv39", "--mem", "small.img@zz", "0", NULL), 2);
	assert_non_null(strstr(err, "FILE[@BASE]"));
	assert_int_equal(run(NULL, "translate", "--mode", "x86_64", "--ad", "fault", "--mem",
			     "small.img", "0", NULL), 2);
	assert_non_null(strstr(err, "x86 always sets A/D"));
	assert_int_equal(run(NULL, "translate", "--mode", "sv39", "--mem", "small.img", NULL), 2);
	assert_non_null(strstr(err, "no VA given"));
	assert_int_equal(run(NULL, "translate", "--mode", "sv39", "--mem", "small.img", "--input",
			     "x", "0", NULL), 2);
	assert_int_equal(run(NULL, "translate", "--mode", "sv39", "--mem", "small.img", "--input",
			     "nothere.txt", NULL), 1);
	assert_non_null(strstr(err, "cannot open nothere.txt"));
	assert_int_equal(run(NULL, "translate", "--mode", "sv39", "--mem", "small.img", "--bogus",
			     "0", NULL), 2);
	assert_non_null(strstr(err, "unknown option '--bogus'"));
	assert_int_equal(run(NULL, "translate", "--mode", "sv39", "--mem", "small.img", "--asid",
			     "300", "0", NULL), 2);
	assert_non_null(strstr(err, "does not fit 8 ASID bits"));
	assert_int_equal(run(NULL, "translate", "--mode", "sv39", "--mem", NULL), 2);
	assert_non_null(strstr(err, "needs a value"));
	assert_int_equal(run(NULL, "translate", "--mode", "sv39", "--pa-bits", "40", "--maxphy",
			     "48", "--mem", "small.img", "0", NULL), 2);
	assert_non_null(strstr(err, "exceeds --pa-bits"));
}

static void mkpt_is_all_or_nothing(void **state)
{
	char path[256];

	(void)state;
	write_file("badmap.txt", "0x1000 0x2000 4K rw\n0x2000 0x3000 3K rw\n");
	assert_int_equal(run("badmap.txt", "mkpt", "--mode", "sv39", "--out", "never.img", NULL), 1);
	assert_non_null(strstr(err, "stdin:2: bad size '3K'"));
	assert_non_null(strstr(err, "nothing written"));
	snprintf(path, sizeof(path), "%s/never.img", dir);
	assert_int_equal(access(path, F_OK), -1);
	write_file("overlap.txt", "0x200000 0 2M r\n0x201000 0 4K r\n");
	assert_int_equal(run(NULL, "mkpt", "--mode", "sv39", "--input", "overlap.txt", "--out",
			     "never.img", NULL), 1);
	assert_non_null(strstr(err, "overlap.txt:2: VA 0x201000 lies inside a larger page"));
	write_file("count.txt", "0x10000 0x80000 4K rwu 4\n");
	assert_int_equal(run("count.txt", "mkpt", "--mode", "sv39", "--size", "8K", "--out",
			     "full.img", NULL), 1);
	assert_non_null(strstr(err, "page-table memory full"));
	assert_int_equal(run("count.txt", "mkpt", "--mode", "sv39", "--out", "ok.img", NULL), 0);
	assert_int_equal(run(NULL, "translate", "--mode", "sv39", "--mem", "ok.img", "0x13ff8", "0x14000",
			     NULL), 0);
	assert_non_null(strstr(out, "-> pa 0x83ff8"));
	assert_non_null(strstr(out, "va 0x14000 r/u -> fault not-present at level 0"));
	assert_int_equal(run(NULL, "mkpt", "--mode", "sv39", NULL), 2);
	assert_int_equal(run(NULL, "mkpt", "--mode", "sv39", "--out", "x.img", "extra", NULL), 2);
	assert_int_equal(run(NULL, "mkpt", "--mode", "sv39", "--out", "x.img", "--root", "0x800",
			     NULL), 2);
	assert_non_null(strstr(err, "not aligned"));
}

/* --device sim: the same answers, counters and A/D writes as the model; and a
 * clear refusal, exit 2, for what the virtual board cannot do. */
static void sim_device_agrees_with_model(void **state)
{
	static char model_out[65536];
	static char a[70000], b[70000];
	FILE *fa, *fb;
	size_t na, nb;
	const char *vb = getenv("MMU_VBOARD");

	(void)state;
	write_file("sv39.map", "0x10000 0x80010000 4K rwu 4\n0x40000000 0x80200000 2M rxu\n"
		   "0xffffffffc0000000 0x80400000 4K rwg\n");
	write_file("req.txt", "0x10008 r\n0x10008 w\n0x10008 w\n0x40001234 x\n0x40001234 w\n"
		   "0x14000 r\n0xffffffffc0000010 r s\n0xffffffffc0000010 r u\n"
		   "0x800000000000 r\ninval va 0x10000\n0x10008 r\nbogus\ninval asid 3\n"
		   "0x13ff8 w asid=3\n");
	assert_int_equal(run(NULL, "mkpt", "--mode", "sv39", "--out", "sv39.img", "--input",
			     "sv39.map", NULL), 0);
	assert_int_equal(run(NULL, "translate", "--device", "model", "--mode", "sv39", "--mem",
			     "sv39.img", "--input", "req.txt", "--stats", "--json", "--mem-out",
			     "model.img", NULL), 1);
	memcpy(model_out, out, sizeof(out));
	assert_int_equal(run(NULL, "translate", "--device", "sim", "--mode", "sv39", "--mem",
			     "sv39.img", "--input", "req.txt", "--stats", "--json", "--mem-out",
			     "sim.img", NULL), 1);
	assert_string_equal(out, model_out);
	assert_non_null(strstr(out, "\"pte-writes\":4"));
	snprintf(a, sizeof(a), "%s/model.img", dir);
	snprintf(b, sizeof(b), "%s/sim.img", dir);
	fa = fopen(a, "rb");
	fb = fopen(b, "rb");
	assert_non_null(fa);
	assert_non_null(fb);
	na = fread(a, 1, sizeof(a), fa);
	nb = fread(b, 1, sizeof(b), fb);
	fclose(fa);
	fclose(fb);
	assert_int_equal(na, 24576);       /* six tables */
	assert_int_equal(nb, na);
	assert_memory_equal(a, b, na);
	/* what the board cannot do */
	assert_int_equal(run(NULL, "translate", "--device", "sim", "--mode", "textbook", "--mem",
			     "sv39.img", "0x10", NULL), 2);
	assert_non_null(strstr(err, "not built with mode textbook"));
	assert_int_equal(run(NULL, "translate", "--device", "sim", "--mode", "sv39", "--tlb", "4x4",
			     "--mem", "sv39.img", "0x10", NULL), 2);
	assert_non_null(strstr(err, "built as --tlb 64x4"));
	assert_int_equal(run(NULL, "translate", "--device", "sim", "--mode", "sv39", "--show-tlb",
			     "--mem", "sv39.img", "0x10", NULL), 2);
	assert_non_null(strstr(err, "--show-tlb needs --device model"));
	assert_int_equal(run(NULL, "translate", "--device", "sim", "--mode", "sv39", "--mem",
			     "sv39.img@0x1f000", "--root", "0x1f000", "0x10", NULL), 2);
	assert_non_null(strstr(err, "does not fit the board's page-table memory"));
	assert_int_equal(run(NULL, "translate", "--device", "usb:dead:beef:bulk", "--mode", "sv39",
			     "--mem", "sv39.img", "0x10", NULL), 2);
	assert_non_null(strstr(err, "no USB device dead:beef found"));
	/* info: what each device is built with */
	assert_int_equal(run(NULL, "info", "--device", "sim", "--json", NULL), 0);
	assert_string_equal(out, "{\"device\":\"sim\",\"modes\":[\"sv32\",\"sv39\",\"sv48\","
			    "\"x86-64\"],\"tlb_sets\":64,\"tlb_ways\":4,\"sp_entries\":8,"
			    "\"pwc_entries\":8,\"asid_bits\":8,\"pa_bits\":56,\"protocol\":1,"
			    "\"mem_bytes\":131072,\"window\":1024,\"max_frame\":500,"
			    "\"max_batch\":30,\"clk_khz\":0}\n");
	assert_int_equal(run(NULL, "info", NULL), 0);
	assert_non_null(strstr(out, "modes sv32 sv39 sv48 x86-64 textbook\n"));
	assert_int_equal(run(NULL, "info", "--device", "floppy", NULL), 2);
	assert_non_null(strstr(err, "unknown device 'floppy'"));
	assert_int_equal(run(NULL, "info", "extra", NULL), 2);
	/* no virtual board to start */
	setenv("MMU_VBOARD", "/nonexistent/mmu-vboard", 1);
	assert_int_equal(run(NULL, "translate", "--device", "sim", "--mode", "sv39", "--mem",
			     "sv39.img", "0x10", NULL), 2);
	assert_non_null(strstr(err, "/nonexistent/mmu-vboard"));
	assert_int_equal(run(NULL, "info", "--device", "sim", NULL), 2);
	assert_non_null(strstr(err, "/nonexistent/mmu-vboard"));
	if (vb)
		setenv("MMU_VBOARD", vb, 1);
	else
		unsetenv("MMU_VBOARD");
}

/* Remove "key":value (and its comma) from a one-line JSON object. */
static void strip_field(char *s, const char *key)
{
	char pat[64], *p, *e;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(s, pat);
	if (!p)
		return;
	e = p + strlen(pat);
	if (*e == '"') {
		e = strchr(e + 1, '"');
		assert_non_null(e);
		e++;
	} else {
		while (*e && *e != ',' && *e != '}')
			e++;
	}
	if (*e == ',')
		e++;
	memmove(p, e, strlen(e) + 1);
}

/* The same workload on the model and on the virtual board: every figure but
 * the device's name and the time agrees - faults, evictions, swap traffic,
 * TLB hits, and the board's own counters. */
static void run_workloads_sim_equals_model(void **state)
{
	static char m[65536];
	static const char *const work[][10] = {
		{ "cow", "--pages", "40", "--frames", "32", "--accesses", "6000", "--seed", "1",
		  "--no-progress" },
		{ "random", "--pages", "64", "--frames", "16", "--accesses", "3000", "--seed", "1",
		  "--no-progress" },
		{ "file", "--pages", "24", "--frames", "16", "--accesses", "200", "--seed", "1",
		  "--no-progress" },
		{ "stride", "--pages", "50", "--frames", "20", "--accesses", "4000", "--seed", "1",
		  "--no-progress" },
		{ "trace", "trace.txt", "--frames", "8", "--mode", "x86_64", "--swap-slots", "64",
		  "--seed=1", "--no-progress" },
	};

	(void)state;
	write_file("trace.txt", "==1== a lackey header\n0x10000 w\n0x10008 r\nI  0401b792,2\n"
		   " S 1fff000750,8\n L 1fff000ffc,8\n M 0x20000,4\n0x500000 x\n0x10000 r\n"
		   "0x7fffffff0000 r\n");
	for (unsigned w = 0; w < sizeof(work) / sizeof(work[0]); w++) {
		const char *const *a = work[w];

		if (run(NULL, "run", a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], "--json",
			"--device", "model", NULL))
			fail_msg("%s on the model: %s", a[0], err);
		strip_field(out, "device");
		strip_field(out, "seconds");
		strip_field(out, "translations_per_second");
		memcpy(m, out, sizeof(m));
		if (run(NULL, "run", a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], "--json", NULL))
			fail_msg("%s on sim (the default device): %s", a[0], err);
		assert_non_null(strstr(out, "\"device\":\"sim\""));
		strip_field(out, "device");
		strip_field(out, "seconds");
		strip_field(out, "translations_per_second");
		if (strcmp(m, out))
			fail_msg("%s: model and sim differ\nmodel %s\nsim   %s", a[0], m, out);
		assert_non_null(strstr(out, "\"mismatches\":0"));
	}
	/* the trace met one address outside every mapping? no: all mapped, and
	 * the x86 run's accesses are all there */
	assert_non_null(strstr(out, "\"trace_segv\":0"));
}

static void run_text_maps_pt_and_refusals(void **state)
{
	(void)state;
	assert_int_equal(run(NULL, "run", "cow", "--device", "model", "--pages", "8",
			     "--accesses", "1000", NULL), 0);
	assert_non_null(strstr(out, "TLB hit rate"));
	assert_non_null(strstr(out, "cow-copy"));
	assert_non_null(strstr(out, "0 mismatches"));
	assert_int_equal(run(NULL, "maps", "seq", "--device", "model", "--pages", "4",
			     "--accesses", "100", NULL), 0);
	assert_non_null(strstr(out, " rw-p "));
	assert_non_null(strstr(out, "[anon]"));
	assert_int_equal(run(NULL, "pt", "seq", "--device", "model", "--pages", "4",
			     "--accesses", "100", NULL), 0);
	assert_non_null(strstr(out, "page tables of pid 0"));
	assert_non_null(strstr(out, " -> 0x"));
	assert_int_equal(run(NULL, "run", "--help", NULL), 0);
	assert_non_null(strstr(out, "usage: mmuctl run"));
	assert_int_equal(run(NULL, "maps", "--help", NULL), 0);
	assert_non_null(strstr(out, "usage: mmuctl maps"));
	assert_int_equal(run(NULL, "run", NULL), 2);
	assert_non_null(strstr(err, "needs a workload"));
	assert_int_equal(run(NULL, "run", "bogus", NULL), 2);
	assert_non_null(strstr(err, "unknown workload"));
	assert_int_equal(run(NULL, "run", "seq", "--frames", "0", NULL), 2);
	assert_int_equal(run(NULL, "run", "seq", "--frames", "2", "--device", "model", NULL), 2);
	assert_int_equal(run(NULL, "run", "seq", "--accesses", "x", NULL), 2);
	assert_int_equal(run(NULL, "run", "seq", "--ad", "maybe", NULL), 2);
	assert_int_equal(run(NULL, "run", "seq", "--mode", "textbook", NULL), 2);
	assert_int_equal(run(NULL, "run", "seq", "--device", "usb:dead:beef", NULL), 1);
	assert_non_null(strstr(err, "no USB device dead:beef found"));
	assert_int_equal(run(NULL, "run", "seq", "--device", "usb:0403", NULL), 2);
	assert_non_null(strstr(err, "is not VID:PID"));
	assert_int_equal(run(NULL, "run", "seq", "--device", "floppy", NULL), 2);
	assert_int_equal(run(NULL, "run", "seq", "extra", NULL), 2);
	assert_int_equal(run(NULL, "run", "trace", NULL), 2);
	assert_int_equal(run(NULL, "run", "trace", "missing.txt", "--device", "model", NULL), 1);
	assert_non_null(strstr(err, "missing.txt"));
	write_file("bad.trace", "0x1000 r\n0x2000 q\n");
	assert_int_equal(run(NULL, "run", "trace", "bad.trace", "--device", "model", NULL), 1);
	assert_non_null(strstr(err, "bad.trace:2"));
	write_file("empty.trace", "==1== nothing\n");
	assert_int_equal(run(NULL, "run", "trace", "empty.trace", "--device", "model", NULL), 1);
	assert_non_null(strstr(err, "no accesses"));
	/* out of memory is an error, not a hang: 4 frames, no swap */
	assert_int_equal(run(NULL, "run", "seq", "--device", "model", "--frames", "4",
			     "--swap-slots", "0", "--pages", "8", NULL), 1);
	assert_non_null(strstr(err, "out of memory"));
}

/* Output that cannot be written fails the command with a message, for
 * every command: standard output on /dev/full (run() writes it to
 * dir/.out, here a link to /dev/full). */
static void output_that_cannot_be_written(void **state)
{
	char link[256];

	(void)state;
	snprintf(link, sizeof(link), "%s/.out", dir);
	unlink(link);
	assert_int_equal(symlink("/dev/full", link), 0);
	assert_int_equal(run(NULL, "--help", NULL), 1);
	assert_non_null(strstr(err, "cannot write the output: No space left on device"));
	assert_int_equal(run(NULL, "translate", "--help", NULL), 1);
	assert_non_null(strstr(err, "cannot write the output"));
	assert_int_equal(run(NULL, "mkpt", "--help", NULL), 1);
	assert_int_equal(run(NULL, "info", "--device", "model", NULL), 1);
	assert_non_null(strstr(err, "cannot write the output"));
	assert_int_equal(run(NULL, "run", "seq", "--device", "model", "--pages", "4",
			     "--accesses", "100", NULL), 1);
	assert_non_null(strstr(err, "cannot write the output"));
	assert_int_equal(run(NULL, "maps", "seq", "--device", "model", "--pages", "4",
			     "--accesses", "100", NULL), 1);
	assert_int_equal(run(NULL, "pt", "seq", "--device", "model", "--pages", "4",
			     "--accesses", "100", NULL), 1);
	/* a refusal keeps its own status */
	assert_int_equal(run(NULL, "run", "bogus", NULL), 2);
	assert_int_equal(unlink(link), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seed_example_end_to_end),
		cmocka_unit_test(input_file_lines_and_directives),
		cmocka_unit_test(x86_json_and_show_tlb),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(mkpt_is_all_or_nothing),
		cmocka_unit_test(sim_device_agrees_with_model),
		cmocka_unit_test(run_workloads_sim_equals_model),
		cmocka_unit_test(run_text_maps_pt_and_refusals),
		cmocka_unit_test(output_that_cannot_be_written),
	};

	return cmocka_run_group_tests_name("cli", tests, setup, teardown);
}

/*
 * test_usb.c - the `usb` transport (host/usb.c) through real libusb-1.0,
 * against a virtual FT2232H, FT232H and vendor bulk device served by umockdev
 * (tests/vftdi.c), with the virtual board behind them: the code path a real
 * board uses.
 *
 * The program re-executes itself with LD_PRELOAD=libumockdev-preload.so.0
 * (umockdev must see every open from the start).  MMU_VBOARD names the
 * virtual board (run-tests.sh sets it).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "board.h"
#include "dev.h"
#include "os.h"
#include "testfail.h"
#include "testmem.h"
#include "usb.h"
#include "vftdi.h"
#include "workload.h"

#define PRELOAD "libumockdev-preload.so.0"

/* Time bounds that only show "answered, not hung" are multiplied by
 * TEST_TIME_SCALE (1 to 100; run-tests.sh sets 10 under valgrind, where
 * every libusb call is a slow round trip to umockdev's thread and a busy
 * machine stretches it further). */
static long time_scale(void)
{
	const char *e = getenv("TEST_TIME_SCALE");
	long k = e ? strtol(e, NULL, 10) : 1;
	return k < 1 ? 1 : k > 100 ? 100 : k;
}

static struct vftdi *plug(uint16_t vid, uint16_t pid)
{
	struct vftdi *v;
	char err[256];

	if (vftdi_new(&v, vid, pid, NULL, err, sizeof(err)))
		fail_msg("virtual device: %s", err);
	return v;
}

static struct board *open_board(const char *spec)
{
	struct board *b;
	char err[256];

	if (board_open(&b, spec, err, sizeof(err)))
		fail_msg("board_open(%s): %s", spec, err);
	return b;
}

/* ---- options and the baud divisor: no device needed ---- */

static void test_parse(void **state)
{
	struct usb_opts o;
	char err[160];

	(void)state;
	assert_int_equal(usb_parse(NULL, &o, err, sizeof(err)), 0);
	assert_int_equal(o.vid, 0x0403);
	assert_int_equal(o.pid, 0x6010);
	assert_int_equal(o.kind, USB_FTDI_UART);
	assert_int_equal(o.iface, 1);                  /* iCEBreaker: channel B */
	assert_int_equal(o.baud, 3000000);
	assert_int_equal(usb_parse("0403:6014", &o, err, sizeof(err)), 0);
	assert_int_equal(o.kind, USB_FTDI_FIFO);
	assert_int_equal(o.iface, 0);
	assert_int_equal(usb_parse("1209:0001", &o, err, sizeof(err)), 0);
	assert_int_equal(o.kind, USB_BULK);
	assert_int_equal(usb_parse("0403:6010:channel=a:baud=12000000:latency=1:timeout=50", &o,
				   err, sizeof(err)), 0);
	assert_int_equal(o.iface, 0);
	assert_int_equal(o.baud, 12000000);
	assert_int_equal(o.latency_ms, 1);
	assert_int_equal(o.timeout_ms, 50);
	assert_int_equal(usb_parse("cafe:f00d:uart:if=2", &o, err, sizeof(err)), 0);
	assert_int_equal(o.kind, USB_FTDI_UART);
	assert_int_equal(o.iface, 2);
	assert_int_equal(usb_parse("fifo", &o, err, sizeof(err)), 0);
	assert_int_equal(o.kind, USB_FTDI_FIFO);
	assert_int_equal(o.pid, 0x6010);
	assert_int_equal(o.iface, 0);
	assert_int_equal(usb_parse("0403", &o, err, sizeof(err)), MMU_E_INVAL);
	assert_int_equal(usb_parse("0403:x", &o, err, sizeof(err)), MMU_E_INVAL);
	assert_int_equal(usb_parse("10000:1", &o, err, sizeof(err)), MMU_E_INVAL);
	assert_int_equal(usb_parse("0403:6010:baud=-1", &o, err, sizeof(err)), MMU_E_INVAL);
	assert_int_equal(usb_parse("0403:6010:latency=256", &o, err, sizeof(err)), MMU_E_INVAL);
	assert_int_equal(usb_parse("0403:6010:turbo", &o, err, sizeof(err)), MMU_E_INVAL);
	assert_non_null(strstr(err, "unknown option 'turbo'"));
}

static void test_divisor(void **state)
{
	/* AN232B-05 / AN120 for the H chips: 12 MHz base in eighths, the
	 * sub-integer code in bits 14..16, bit 17 selects the 120 MHz clock */
	static const struct { unsigned baud, value, hi, actual; } t[] = {
		{ 12000000, 0x0000, 0x02, 12000000 },   /* code 0: divide by 1 */
		{ 8000000, 0x0001, 0x02, 8000000 },     /* code 1: divide by 1.5 */
		{ 6000000, 0x0002, 0x02, 6000000 },
		{ 3000000, 0x0004, 0x02, 3000000 },     /* the iCEBreaker's UART */
		{ 2000000, 0x0006, 0x02, 2000000 },
		{ 921600, 0x000d, 0x02, 923077 },       /* 104.17 eighths -> 13 */
		{ 115200, 0xc068, 0x02, 115246 },       /* 833 eighths: 104 + 1/8 (code 3) */
	};
	uint16_t v;
	uint8_t hi;
	unsigned actual;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(usb_ftdi_divisor(t[i].baud, &v, &hi, &actual), 0);
		assert_int_equal(v, t[i].value);
		assert_int_equal(hi, t[i].hi);
		assert_int_equal(actual, t[i].actual);
	}
	assert_int_equal(usb_ftdi_divisor(100, &v, &hi, &actual), MMU_E_INVAL);
	assert_int_equal(usb_ftdi_divisor(13000000, &v, &hi, &actual), MMU_E_INVAL);
}

/* ---- the three kinds of device ---- */

/* A workload on the OS layer over dev, with its figures. */
static void run_cow(const char *spec, struct mmu_os_stats *st, struct wl_result *r)
{
	struct dev *d;
	struct mmu_os *os;
	struct mmu_os_config oc = { MMU_MODE_SV39, 24, 512, NULL, 0 };
	struct wl_opts wo = { 0 };
	char err[256];

	if (dev_open(&d, spec, NULL, 0, err, sizeof(err)))
		fail_msg("dev_open(%s): %s", spec, err);
	if (mmu_os_new(&os, d, &oc, err, sizeof(err)))
		fail_msg("mmu_os_new: %s", err);
	wo.kind = WL_COW;
	wo.pages = 40;
	wo.accesses = 3000;
	wo.children = 2;
	wo.seed = 7;
	long t0 = board_now_ms();
	if (wl_run(os, &wo, r, err, sizeof(err)))
		fail_msg("wl_run on %s: %s", spec, err);
	mmu_os_get_stats(os, st);
	/* a figure for make bench, never a check: through umockdev every libusb
	 * call is a socket round trip, so this measures umockdev, not USB */
	long ms = board_now_ms() - t0;
	if (strncmp(spec, "usb", 3) == 0)
		printf("workload cow on %s: %lu translations in %.2f s: %.0f per second\n", spec,
		       (unsigned long)st->translations, ms / 1000.0,
		       ms > 0 ? st->translations * 1000.0 / (double)ms : 0.0);
	mmu_os_free(os);
	dev_close(d);
}

static int translate_some(struct board *b, size_t n);

/* Over the device, the workload's every figure equals the model's.  Under
 * valgrind (USB_QUICK) every libusb call is a hundred times slower: a short
 * batch of translations stands in. */
static void check_workload_equals_model(const char *spec)
{
	if (getenv("USB_QUICK")) {
		struct board *b;
		char err[256];

		if (board_open(&b, spec, err, sizeof(err)))
			fail_msg("board_open(%s): %s", spec, err);
		assert_int_equal(translate_some(b, 200), 0);
		board_close(b);
		return;
	}
	struct mmu_os_stats su, sm;
	struct wl_result ru, rm;

	run_cow(spec, &su, &ru);
	run_cow("model", &sm, &rm);
	assert_int_equal(ru.mismatches, 0);
	assert_true(ru.checked > 0);
	assert_int_equal(ru.checked, rm.checked);
	assert_int_equal(ru.accesses, rm.accesses);
	assert_int_equal(su.translations, sm.translations);
	assert_int_equal(su.hits, sm.hits);
	assert_int_equal(su.evictions, sm.evictions);
	assert_true(su.evictions > 0);
	assert_int_equal(su.swap_in, sm.swap_in);
	assert_int_equal(su.swap_out, sm.swap_out);
	for (unsigned k = 0; k < MMU_FAULT_COUNT; k++)
		assert_int_equal(su.faults[k], sm.faults[k]);
}

static void test_ft2232h_uart(void **state)
{
	struct vftdi *v = plug(USB_FTDI_VID, USB_FT2232H_PID);
	struct board *b = open_board("usb");
	const struct board_info *i = board_get_info(b);
	const struct usb_stats *us = board_usb_stats(b);
	struct vftdi_seen s;

	(void)state;
	assert_int_equal(i->version, 1);
	assert_true(i->max_batch > 0);
	assert_non_null(us);
	vftdi_seen(v, &s);
	assert_int_equal(s.claimed_iface, 1);         /* channel B */
	assert_int_equal(s.baud_value, 0x0004);       /* 3 Mbaud */
	assert_int_equal(s.baud_index, 0x0202);       /* 120 MHz clock, channel B */
	assert_int_equal(s.data, 8);                  /* 8N1 */
	assert_int_equal(s.latency, 2);
	assert_int_equal(s.event_char, 0x100);        /* the frame delimiter */
	assert_int_equal(s.bitmode, 0x0000);          /* UART, not a bit mode */
	assert_true(s.resets >= 1 && s.purges_rx >= 1 && s.purges_tx >= 1);
	assert_true(s.in_packets > 0);
	board_close(b);
	check_workload_equals_model("usb");
	vftdi_seen(v, &s);
	/* poll is honest: libusb reaps only when woken, until a reap finds
	 * nothing - one empty reap a wake (a few more around open and close);
	 * a node that is always ready makes it spin on empty reaps */
	assert_true(s.wakeups > 0);
	assert_true(s.empty_reaps <= s.wakeups + 32);
	assert_true(s.out_bytes > (getenv("USB_QUICK") ? 1000 : 10000));
	assert_true(s.in_bytes > (getenv("USB_QUICK") ? 1000 : 10000));
	vftdi_free(v);
}

static void test_ft232h_fifo(void **state)
{
	struct vftdi *v = plug(USB_FTDI_VID, USB_FT232H_PID);
	struct board *b = open_board("usb:0403:6014");
	struct vftdi_seen s;

	(void)state;
	vftdi_seen(v, &s);
	assert_int_equal(s.claimed_iface, 0);
	assert_int_equal(s.bitmode, 0x40FF);          /* synchronous FIFO, all pins */
	assert_int_equal(s.flow_index, 0x0101);       /* RTS/CTS, channel A */
	assert_int_equal(s.baud_value, 0);            /* no baud rate in FIFO mode */
	board_close(b);
	check_workload_equals_model("usb:0403:6014");
	vftdi_free(v);
}

static void test_vendor_bulk(void **state)
{
	struct vftdi *v = plug(0x1209, 0x0001);
	struct board *b = open_board("usb:1209:0001");
	struct vftdi_seen s;

	(void)state;
	vftdi_seen(v, &s);
	assert_int_equal(s.resets + s.purges_rx + s.latency + s.bitmode, 0);  /* no FTDI requests */
	assert_int_equal(s.status_only, 0);
	board_close(b);
	check_workload_equals_model("usb:1209:0001:timeout=5000");
	vftdi_free(v);
}

/* ---- faults ---- */

/* Translate a page-table-less request batch: every answer is a fault
 * record from the board, which is enough to see that each request was
 * answered exactly once. */
static int translate_some(struct board *b, size_t n)
{
	struct mmu_request q[256];
	struct mmu_response r[256];
	int rc = board_set_context(b, 1, MMU_MODE_SV39, 0x1000);

	assert_true(n <= 256);
	if (rc)
		return rc;
	test_read_batch(q, r, n, 1000);
	rc = board_translate(b, q, n, r);
	for (size_t k = 0; !rc && k < n; k++)
		assert_int_equal(r[k].tag, 1000 + k);
	return rc;
}

static void test_stall_recovered(void **state)
{
	struct vftdi *v = plug(USB_FTDI_VID, USB_FT2232H_PID);
	struct board *b = open_board("usb:0403:6010:timeout=500");
	struct vftdi_seen s;

	(void)state;
	vftdi_stall_in(v, 2);
	assert_int_equal(translate_some(b, 200), 0);
	assert_int_equal(board_fence(b), 0);
	vftdi_seen(v, &s);
	assert_true(s.clear_halts >= 1);
	assert_true(board_usb_stats(b)->stalls >= 1);
	board_close(b);
	vftdi_free(v);
}

static void test_lost_frame_retransmitted(void **state)
{
	struct vftdi *v = plug(USB_FTDI_VID, USB_FT2232H_PID);
	char spec[64];
	/* the retransmit counts are exact only if no answer is merely late */
	snprintf(spec, sizeof(spec), "usb:0403:6010:timeout=%ld", 300 * time_scale());
	struct board *b = open_board(spec);
	uint64_t pol;

	(void)state;
	vftdi_drop_out(v, 1);
	assert_int_equal(board_get_policy(b, &pol), 0);   /* the first try was lost */
	assert_int_equal(board_get_link_stats(b)->retransmits, 1);
	vftdi_drop_out(v, 1);
	assert_int_equal(translate_some(b, 100), 0);
	assert_int_equal(board_get_link_stats(b)->retransmits, 2);
	/* every answer lost: the request ends in an error after the retries */
	vftdi_drop_out(v, 100);
	assert_int_equal(board_fence(b), BOARD_E_TIMEOUT);
	vftdi_drop_out(v, 0);
	assert_int_equal(board_fence(b), 0);
	board_close(b);
	vftdi_free(v);
}

static void test_unplugged(void **state)
{
	struct vftdi *v = plug(USB_FTDI_VID, USB_FT2232H_PID);
	struct board *b = open_board("usb:0403:6010:timeout=3000");
	long t0;

	(void)state;
	assert_int_equal(translate_some(b, 50), 0);
	vftdi_unplug(v);
	t0 = board_now_ms();
	assert_int_equal(translate_some(b, 50), BOARD_E_GONE);
	assert_int_equal(board_fence(b), BOARD_E_GONE);
	assert_true(board_now_ms() - t0 < 3000);            /* reported, not timed out */
	assert_non_null(strstr(board_strerror(BOARD_E_GONE), "gone"));
	board_close(b);
	vftdi_free(v);
}

/* mmuctl, a separate process, reaches the same virtual device (umockdev's
 * environment is inherited) and prints the board's INFO. */
/* Run mmuctl (next to the virtual board program) with args; its output
 * (stdout and stderr) in out, its exit status returned (-1 if it did not
 * exit). */
static int run_mmuctl(const char *args, char *out, size_t cap)
{
	char cmd[1200];
	const char *vb = getenv("MMU_VBOARD");
	size_t n;
	FILE *p;
	int st;

	assert_non_null(vb);
	/* build/rel/mmu-vboard[-uart] -> build/rel/mmuctl */
	snprintf(cmd, sizeof(cmd), "\"$(dirname '%s')/mmuctl\" %s 2>&1", vb, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;   /* a crash is no exit status */
}

/* mmuctl, a separate process, reaches the same virtual device (umockdev's
 * environment is inherited) and prints the board's INFO. */
static void test_mmuctl_info(void **state)
{
	struct vftdi *v = plug(USB_FTDI_VID, USB_FT2232H_PID);
	char out[2048];

	(void)state;
	assert_int_equal(run_mmuctl("info --device usb --json", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "{\"device\":\"usb\",\"modes\":["));
	assert_non_null(strstr(out, "\"protocol\":1,"));
	assert_int_equal(run_mmuctl("info --device usb:0403:6010:turbo", out, sizeof(out)), 2);
	assert_non_null(strstr(out, "unknown option 'turbo'"));
	vftdi_free(v);
}

static void test_misconfigured_and_missing(void **state)
{
	struct vftdi *v = plug(USB_FTDI_VID, USB_FT2232H_PID);
	struct board *b;
	char err[256];
	long t0 = board_now_ms();

	(void)state;
	/* 115200 baud against a 3 Mbaud board: only garbage arrives */
	assert_int_equal(board_open(&b, "usb:0403:6010:baud=115200:timeout=200", err, sizeof(err)),
			 BOARD_E_TIMEOUT);
	assert_null(b);
	assert_non_null(strstr(err, "did not answer INFO"));
	assert_true(board_now_ms() - t0 < 3000 * time_scale());
	/* channel A is not the board's */
	assert_int_equal(board_open(&b, "usb:0403:6010:channel=a:timeout=200", err, sizeof(err)),
			 BOARD_E_TIMEOUT);
	/* the right settings still work after that */
	b = open_board("usb");
	board_close(b);
	assert_int_equal(board_open(&b, "usb:0403:6014", err, sizeof(err)), MMU_E_IO);
	assert_non_null(strstr(err, "no USB device 0403:6014 found"));
	vftdi_free(v);
}

/* Open the FT2232H's board, translate, fence, close.  The first failure
 * ends it; what ran before must have been right.  Under valgrind
 * (USB_QUICK) each libusb call is a hundred times slower and the event
 * loop turns far more often: open and close only. */
static int usb_scenario(void *ctx)
{
	struct board *b;
	char err[256] = "";
	int rc = board_open(&b, (const char *)ctx, err, sizeof(err));

	if (rc) {
		assert_null(b);
		assert_true(err[0] != '\0');   /* a failed open says why */
		return rc;
	}
	if (!getenv("USB_QUICK")) {     /* under valgrind: the opening only */
		rc = translate_some(b, 20);
		if (!rc)
			rc = board_fence(b);
	}
	board_close(b);
	return rc;
}

/* Each allocation and libusb call on the way fails in turn: every run
 * answers 0 or an error, and leaves no descriptor, process or memory
 * behind (this suite runs under ASan and valgrind too); the device still
 * works afterwards. */
static void test_every_failing_call(void **state)
{
	struct vftdi *v = plug(USB_FTDI_VID, USB_FT2232H_PID);
	char spec[] = "usb:0403:6010:timeout=300";
	long n;

	(void)state;
	n = testfail_each(TF_ALLOC | TF_USB, 1, 2000, usb_scenario, spec, NULL);
	print_message("every failing call: %ld calls made to fail in turn\n", n);
	assert_true(n > 20);
	vftdi_free(v);
}

int main(int argc, char **argv)
{
	const char *pre = getenv("LD_PRELOAD");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_divisor),
		cmocka_unit_test(test_ft2232h_uart),
		cmocka_unit_test(test_ft232h_fifo),
		cmocka_unit_test(test_vendor_bulk),
		cmocka_unit_test(test_stall_recovered),
		cmocka_unit_test(test_lost_frame_retransmitted),
		cmocka_unit_test(test_unplugged),
		cmocka_unit_test(test_mmuctl_info),
		cmocka_unit_test(test_misconfigured_and_missing),
		cmocka_unit_test(test_every_failing_call),
	};

	(void)argc;
	if (!getenv("MMU_VBOARD")) {    /* build/rel/tests/test_usb -> build/rel/mmu-vboard */
		char self[900], path[1000];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		char *slash;

		if (n > 0) {
			self[n] = '\0';
			slash = strrchr(self, '/');
			if (slash) {
				*slash = '\0';
				snprintf(path, sizeof(path), "%s/../mmu-vboard", self);
				setenv("MMU_VBOARD", path, 1);
			}
		}
	}
	if (!pre || !strstr(pre, "libumockdev-preload")) {
		char buf[1024];

		snprintf(buf, sizeof(buf), "%s%s%s", PRELOAD, pre && *pre ? ":" : "",
			 pre ? pre : "");
		setenv("LD_PRELOAD", buf, 1);
		execv("/proc/self/exe", argv);
		perror("test_usb: re-exec with LD_PRELOAD");
		return 1;
	}
	if (getenv("USB_TESTS"))        /* a glob of test names, e.g. "test_stall*" */
		cmocka_set_test_filter(getenv("USB_TESTS"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}

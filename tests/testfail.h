/*
 * testfail.h - test support: make any fallible call the library makes fail,
 * one at a time, and check what the library does about it.
 *
 * Test programs are linked with --wrap for every call listed below (the
 * Makefile's TEST_WRAP).  testfail_arm(n, classes) makes the (n+1)-th call of
 * those classes made by the arming thread fail, as the real call fails:
 * NULL for an allocation, -1 and errno for a system call, a negative
 * LIBUSB_ERROR for libusb.  Calls from other threads (the virtual FTDI's
 * watcher, umockdev's handler) neither count nor fail, so the harness
 * itself is never hit.  n < 0 disarms.
 *
 * The intended loop (testfail_each): run a scenario with n = 0, 1, 2, ...
 * until a run in which nothing was made to fail; every fallible call the
 * scenario reaches has then failed once, and each run's result and cleanup
 * can be checked.
 *
 * The counters are test-only thread-local state: malloc and the system calls
 * have no context argument to carry them.
 */
#ifndef TESTFAIL_H
#define TESTFAIL_H

#define TF_ALLOC 1u  /* malloc, calloc, realloc */
#define TF_SYS   2u  /* the sim link's socketpair, fork, send, recv, poll;
			the OS layer's swap and shared-memory files: mkstemp,
			ftruncate, pread, pwrite */
#define TF_USB   4u  /* libusb: init, device list, open, descriptors, claim,
			control and bulk transfers, event handling, clear halt */
#define TF_FILE  8u  /* stdio files (memory images): fopen, fseek, ftell,
			fread, fwrite, fclose (after closing), rename */

void testfail_arm(long n, unsigned classes);
/* the name of the call made to fail since arming, or NULL if none was */
const char *testfail_fired(void);
/* Stop failing and counting, keeping what testfail_fired says (to look at
 * the state a failure left) until the next testfail_arm. */
void testfail_hold(void);

/* Open file descriptors of this process (from /proc/self/fd). */
int testfail_open_fds(void);
/* Child processes of this process, live or not yet reaped (from /proc). */
int testfail_children(void);

/*
 * Run scenario(ctx) armed for classes with n = 0, step, 2 step, ... until a
 * run in which nothing failed (or n reached limit).  With step 1 every
 * fallible call the scenario reaches fails once; a larger step samples them
 * (for long scenarios, whose runs cost the square of their length).  Each
 * run must return 0 or one of the library's negative codes (ok(rc) says
 * which are acceptable; NULL: any negative), and must leave as many
 * descriptors open and child processes alive as before it.  Returns the
 * number of runs in which a call failed; fails the test if the limit was
 * reached first.
 */
long testfail_each(unsigned classes, long step, long limit, int (*scenario)(void *ctx), void *ctx,
		   int (*ok)(int rc));

#endif

/*
 * testfail.c - failure injection for the tests (see testfail.h): the --wrap
 * wrappers of allocation, system calls, stdio files and libusb, and the
 * loop that fails each call a scenario reaches in turn.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <libusb.h>
#include <cmocka.h>

#include "testfail.h"

static _Thread_local long tf_budget = -1;
static _Thread_local unsigned tf_classes;
static _Thread_local const char *tf_fired;

void testfail_arm(long n, unsigned classes)
{
	tf_budget = n;
	tf_classes = n < 0 ? 0 : classes;
	tf_fired = NULL;
}

void testfail_hold(void)
{
	tf_classes = 0;
}

const char *testfail_fired(void)
{
	return tf_fired;
}

/* Whether this call (of class cls, named what) is the one to fail. */
static int fails(unsigned cls, const char *what)
{
	if (!(tf_classes & cls))
		return 0;
	if (tf_budget != 0) {
		tf_budget--;
		return 0;
	}
	tf_budget = -1;         /* one failure per arming */
	tf_fired = what;
	return 1;
}

int testfail_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;           /* the directory's own descriptor */
}

int testfail_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int me = (int)getpid(), n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[300], buf[512], *close_paren;
		FILE *f;
		int ppid;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;       /* gone meanwhile */
		buf[0] = '\0';
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
		/* "pid (comm) state ppid ...": comm may hold anything but ')' last */
		close_paren = strrchr(buf, ')');
		if (close_paren && sscanf(close_paren + 1, " %*c %d", &ppid) == 1 && ppid == me)
			n++;
	}
	closedir(d);
	return n;
}

long testfail_each(unsigned classes, long step, long limit, int (*scenario)(void *ctx), void *ctx,
		   int (*ok)(int rc))
{
	long runs = 0;

	for (long n = 0; n < limit; n += step) {
		int fds = testfail_open_fds(), kids = testfail_children();
		const char *what, *name;
		int rc;

		testfail_arm(n, classes);
		rc = scenario(ctx);
		what = testfail_fired();
		testfail_arm(-1, 0);
		name = what ? what : "nothing";
		if (rc > 0 || (rc < 0 && ok && !ok(rc)))
			fail_msg("with %s failing (call %ld): unexpected result %d", name, n + 1, rc);
		/* umockdev's thread closes its end of a device node's socket
		 * a little after the library closed the node: allow it a second */
		for (int i = 0; i < 100 && (testfail_open_fds() != fds || testfail_children() != kids); i++)
			nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
		if (testfail_open_fds() != fds)
			fail_msg("with %s failing (call %ld): %d descriptors open, %d before", name, n + 1,
				 testfail_open_fds(), fds);
		if (testfail_children() != kids)
			fail_msg("with %s failing (call %ld): %d child processes, %d before", name, n + 1,
				 testfail_children(), kids);
		if (!what) {
			if (rc)
				fail_msg("nothing failed, yet the scenario answered %d", rc);
			return runs;
		}
		runs++;
	}
	fail_msg("more than %ld fallible calls: raise the limit", limit);
	return runs;
}

/* ---- allocation ---- */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);

void *__wrap_malloc(size_t n)
{
	return fails(TF_ALLOC, "malloc") ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
	return fails(TF_ALLOC, "calloc") ? NULL : __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fails(TF_ALLOC, "realloc") ? NULL : __real_realloc(p, n);
}

/* ---- system calls of the sim transport ---- */
int __real_socketpair(int domain, int type, int protocol, int sv[2]);
pid_t __real_fork(void);
ssize_t __real_send(int fd, const void *p, size_t n, int flags);
ssize_t __real_recv(int fd, void *p, size_t n, int flags);
int __real_poll(struct pollfd *fds, nfds_t n, int timeout);
int __wrap_socketpair(int domain, int type, int protocol, int sv[2]);
pid_t __wrap_fork(void);
ssize_t __wrap_send(int fd, const void *p, size_t n, int flags);
ssize_t __wrap_recv(int fd, void *p, size_t n, int flags);
int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout);
int __real_mkstemp(char *tmpl);
int __real_ftruncate(int fd, off_t len);
ssize_t __real_pread(int fd, void *p, size_t n, off_t off);
ssize_t __real_pwrite(int fd, const void *p, size_t n, off_t off);
int __wrap_mkstemp(char *tmpl);
int __wrap_ftruncate(int fd, off_t len);
ssize_t __wrap_pread(int fd, void *p, size_t n, off_t off);
ssize_t __wrap_pwrite(int fd, const void *p, size_t n, off_t off);

int __wrap_socketpair(int domain, int type, int protocol, int sv[2])
{
	if (fails(TF_SYS, "socketpair")) {
		errno = EMFILE;
		return -1;
	}
	return __real_socketpair(domain, type, protocol, sv);
}

pid_t __wrap_fork(void)
{
	if (fails(TF_SYS, "fork")) {
		errno = EAGAIN;
		return -1;
	}
	return __real_fork();
}

ssize_t __wrap_send(int fd, const void *p, size_t n, int flags)
{
	if (fails(TF_SYS, "send")) {
		errno = ENOBUFS;
		return -1;
	}
	return __real_send(fd, p, n, flags);
}

ssize_t __wrap_recv(int fd, void *p, size_t n, int flags)
{
	if (fails(TF_SYS, "recv")) {
		errno = ECONNRESET;
		return -1;
	}
	return __real_recv(fd, p, n, flags);
}

int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	if (fails(TF_SYS, "poll")) {
		errno = ENOMEM;
		return -1;
	}
	return __real_poll(fds, n, timeout);
}

int __wrap_mkstemp(char *tmpl)
{
	if (fails(TF_SYS, "mkstemp")) {
		errno = ENOSPC;
		return -1;
	}
	return __real_mkstemp(tmpl);
}

int __wrap_ftruncate(int fd, off_t len)
{
	if (fails(TF_SYS, "ftruncate")) {
		errno = EFBIG;
		return -1;
	}
	return __real_ftruncate(fd, len);
}

ssize_t __wrap_pread(int fd, void *p, size_t n, off_t off)
{
	if (fails(TF_SYS, "pread")) {
		errno = EIO;
		return -1;
	}
	return __real_pread(fd, p, n, off);
}

ssize_t __wrap_pwrite(int fd, const void *p, size_t n, off_t off)
{
	if (fails(TF_SYS, "pwrite")) {
		errno = ENOSPC;
		return -1;
	}
	return __real_pwrite(fd, p, n, off);
}

/* ---- stdio files ---- */
FILE *__real_fopen(const char *path, const char *mode);
int __real_fseek(FILE *f, long off, int whence);
long __real_ftell(FILE *f);
size_t __real_fread(void *p, size_t size, size_t n, FILE *f);
size_t __real_fwrite(const void *p, size_t size, size_t n, FILE *f);
int __real_fclose(FILE *f);
int __real_rename(const char *from, const char *to);
FILE *__wrap_fopen(const char *path, const char *mode);
int __wrap_fseek(FILE *f, long off, int whence);
long __wrap_ftell(FILE *f);
size_t __wrap_fread(void *p, size_t size, size_t n, FILE *f);
size_t __wrap_fwrite(const void *p, size_t size, size_t n, FILE *f);
int __wrap_fclose(FILE *f);
int __wrap_rename(const char *from, const char *to);

FILE *__wrap_fopen(const char *path, const char *mode)
{
	if (fails(TF_FILE, "fopen")) {
		errno = EMFILE;
		return NULL;
	}
	return __real_fopen(path, mode);
}

int __wrap_fseek(FILE *f, long off, int whence)
{
	if (fails(TF_FILE, "fseek")) {
		errno = EIO;
		return -1;
	}
	return __real_fseek(f, off, whence);
}

long __wrap_ftell(FILE *f)
{
	if (fails(TF_FILE, "ftell")) {
		errno = EIO;
		return -1;
	}
	return __real_ftell(f);
}

/* a short read or write, as at an I/O error: half of it (the stream's error
 * flag is glibc's to set, and stays clear) */
size_t __wrap_fread(void *p, size_t size, size_t n, FILE *f)
{
	if (fails(TF_FILE, "fread")) {
		size_t got = __real_fread(p, size, n / 2, f);

		errno = EIO;
		return got;
	}
	return __real_fread(p, size, n, f);
}

size_t __wrap_fwrite(const void *p, size_t size, size_t n, FILE *f)
{
	if (fails(TF_FILE, "fwrite")) {
		size_t put = __real_fwrite(p, size, n / 2, f);

		errno = ENOSPC;
		return put;
	}
	return __real_fwrite(p, size, n, f);
}

/* the stream is closed either way, as a real failing fclose leaves it */
int __wrap_fclose(FILE *f)
{
	if (fails(TF_FILE, "fclose")) {
		__real_fclose(f);
		errno = ENOSPC;
		return EOF;
	}
	return __real_fclose(f);
}

int __wrap_rename(const char *from, const char *to)
{
	if (fails(TF_FILE, "rename")) {
		errno = EXDEV;
		return -1;
	}
	return __real_rename(from, to);
}

/* ---- libusb ---- */
int __real_libusb_init(libusb_context **ctx);
ssize_t __real_libusb_get_device_list(libusb_context *ctx, libusb_device ***list);
int __real_libusb_open(libusb_device *dev, libusb_device_handle **h);
int __real_libusb_get_active_config_descriptor(libusb_device *dev,
					       struct libusb_config_descriptor **c);
int __real_libusb_claim_interface(libusb_device_handle *h, int iface);
int __real_libusb_control_transfer(libusb_device_handle *h, uint8_t type, uint8_t req,
				   uint16_t val, uint16_t idx, unsigned char *data, uint16_t len,
				   unsigned int timeout);
struct libusb_transfer *__real_libusb_alloc_transfer(int iso);
int __real_libusb_submit_transfer(struct libusb_transfer *t);
int __real_libusb_handle_events_timeout_completed(libusb_context *ctx, struct timeval *tv,
						  int *completed);
int __real_libusb_clear_halt(libusb_device_handle *h, unsigned char ep);
int __wrap_libusb_init(libusb_context **ctx);
ssize_t __wrap_libusb_get_device_list(libusb_context *ctx, libusb_device ***list);
int __wrap_libusb_open(libusb_device *dev, libusb_device_handle **h);
int __wrap_libusb_get_active_config_descriptor(libusb_device *dev,
					       struct libusb_config_descriptor **c);
int __wrap_libusb_claim_interface(libusb_device_handle *h, int iface);
int __wrap_libusb_control_transfer(libusb_device_handle *h, uint8_t type, uint8_t req,
				   uint16_t val, uint16_t idx, unsigned char *data, uint16_t len,
				   unsigned int timeout);
struct libusb_transfer *__wrap_libusb_alloc_transfer(int iso);
int __wrap_libusb_submit_transfer(struct libusb_transfer *t);
int __wrap_libusb_handle_events_timeout_completed(libusb_context *ctx, struct timeval *tv,
						  int *completed);
int __wrap_libusb_clear_halt(libusb_device_handle *h, unsigned char ep);

int __wrap_libusb_init(libusb_context **ctx)
{
	return fails(TF_USB, "libusb_init") ? LIBUSB_ERROR_NO_MEM : __real_libusb_init(ctx);
}

ssize_t __wrap_libusb_get_device_list(libusb_context *ctx, libusb_device ***list)
{
	if (fails(TF_USB, "libusb_get_device_list"))
		return LIBUSB_ERROR_NO_MEM;
	return __real_libusb_get_device_list(ctx, list);
}

int __wrap_libusb_open(libusb_device *dev, libusb_device_handle **h)
{
	return fails(TF_USB, "libusb_open") ? LIBUSB_ERROR_ACCESS : __real_libusb_open(dev, h);
}

int __wrap_libusb_get_active_config_descriptor(libusb_device *dev,
					       struct libusb_config_descriptor **c)
{
	if (fails(TF_USB, "libusb_get_active_config_descriptor"))
		return LIBUSB_ERROR_IO;
	return __real_libusb_get_active_config_descriptor(dev, c);
}

int __wrap_libusb_claim_interface(libusb_device_handle *h, int iface)
{
	if (fails(TF_USB, "libusb_claim_interface"))
		return LIBUSB_ERROR_BUSY;
	return __real_libusb_claim_interface(h, iface);
}

int __wrap_libusb_control_transfer(libusb_device_handle *h, uint8_t type, uint8_t req,
				   uint16_t val, uint16_t idx, unsigned char *data, uint16_t len,
				   unsigned int timeout)
{
	if (fails(TF_USB, "libusb_control_transfer"))
		return LIBUSB_ERROR_PIPE;
	return __real_libusb_control_transfer(h, type, req, val, idx, data, len, timeout);
}

struct libusb_transfer *__wrap_libusb_alloc_transfer(int iso)
{
	return fails(TF_USB, "libusb_alloc_transfer") ? NULL : __real_libusb_alloc_transfer(iso);
}

int __wrap_libusb_submit_transfer(struct libusb_transfer *t)
{
	if (fails(TF_USB, "libusb_submit_transfer"))
		return LIBUSB_ERROR_IO;
	return __real_libusb_submit_transfer(t);
}

int __wrap_libusb_handle_events_timeout_completed(libusb_context *ctx, struct timeval *tv,
						  int *completed)
{
	if (fails(TF_USB, "libusb_handle_events_timeout_completed"))
		return LIBUSB_ERROR_IO;
	return __real_libusb_handle_events_timeout_completed(ctx, tv, completed);
}

int __wrap_libusb_clear_halt(libusb_device_handle *h, unsigned char ep)
{
	return fails(TF_USB, "libusb_clear_halt") ? LIBUSB_ERROR_IO : __real_libusb_clear_halt(h, ep);
}

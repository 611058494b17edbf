/*
 * board.c - link protocol client (see board.h and docs/protocol.md).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "board.h"
#include "link.h"

#define MAX_PENDING 64

struct pending {
	uint16_t tag;
	size_t enc_len, first, count;
};

struct board {
	const struct board_io *io;
	void *ctx;
	int timeout_ms, retries;
	uint16_t next_tag;
	unsigned nak;
	struct board_info info;
	struct board_link_stats ls;
	struct link_rx rx;
	uint8_t in[4096];
	size_t in_len, in_pos;
	/* the last frame received: header + payload (inside rx, valid until
	 * the next byte is fed to it) */
	const uint8_t *frame;
	size_t frame_len;
};

/* The virtual board: a child process with a socket as its stdin and stdout. */
struct sim_io {
	int fd;
	pid_t pid;
};

const char *board_strerror(int rc)
{
	switch (rc) {
	case BOARD_E_TIMEOUT: return "the board did not answer in time";
	case BOARD_E_NAK: return "the board refused the request";
	case BOARD_E_PROTO: return "the board sent a malformed answer";
	case BOARD_E_GONE: return "the connection to the board is gone";
	default: return mmu_strerror(rc);
	}
}

const struct board_info *board_get_info(const struct board *b)
{
	return &b->info;
}

const struct board_link_stats *board_get_link_stats(const struct board *b)
{
	return &b->ls;
}

unsigned board_last_nak(const struct board *b)
{
	return b->nak;
}

void board_set_timeout(struct board *b, int ms)
{
	b->timeout_ms = ms;
}

void *board_io_ctx(const struct board *b, const struct board_io *io)
{
	return b && b->io == io ? b->ctx : NULL;
}

void board_set_retries(struct board *b, int n)
{
	b->retries = n < 0 ? 0 : n;
}

static int send_all(struct board *b, const uint8_t *p, size_t n)
{
	int rc = b->io->send(b->ctx, p, n);

	if (!rc)
		b->ls.bytes_sent += (unsigned long)n;
	return rc;
}

static int send_frame(struct board *b, uint8_t type, const uint8_t *payload, size_t len,
		      uint16_t *tag, size_t *enc_len)
{
	uint8_t enc[LINK_ENC_MAX(MMU_LINK_MAX_FRAME) + 1];
	size_t n;

	*tag = b->next_tag++;
	/* a leading delimiter ends whatever a glitch left half-received, so that
	 * it cannot swallow this frame (docs/protocol.md) */
	enc[0] = 0;
	n = link_frame(type, *tag, payload, len, enc + 1, sizeof(enc) - 1);
	if (!n)
		return MMU_E_INVAL;
	n++;
	if (enc_len)
		*enc_len = n;
	b->ls.frames_sent++;
	return send_all(b, enc, n);
}

long board_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Receive the next good frame into b->frame. */
static int recv_frame(struct board *b)
{
	long deadline = board_now_ms() + b->timeout_ms;

	for (;;) {
		while (b->in_pos < b->in_len) {
			size_t used;
			enum link_rx_event ev = link_rx_feed(&b->rx, b->in + b->in_pos,
							     b->in_len - b->in_pos, &used);

			b->in_pos += used;
			if (ev == LINK_RX_FRAME) {
				b->frame = b->rx.frame;
				b->frame_len = b->rx.frame_len;
				return 0;
			}
			if (ev != LINK_RX_NONE)
				b->ls.dropped_rx++;
		}
		long left = deadline - board_now_ms();
		long r;

		if (left <= 0)
			return BOARD_E_TIMEOUT;
		r = b->io->recv(b->ctx, b->in, sizeof(b->in), left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0)
			return (int)r;
		b->in_len = (size_t)r;
		b->in_pos = 0;
		b->ls.bytes_received += (unsigned long)r;
	}
}

/* Wait for the answer to `tag` (answers to other tags are counted as stray
 * and skipped).  Checks the type; leaves the payload in b->frame. */
static int recv_answer(struct board *b, uint16_t tag, uint8_t type)
{
	for (;;) {
		int rc = recv_frame(b);

		if (rc)
			return rc;
		if (b->frame[MMU_HDR_VERSION] != MMU_LINK_VERSION ||
		    link_get16(b->frame + MMU_HDR_TAG) != tag) {
			b->ls.stray++;
			continue;
		}
		b->ls.answers++;
		if (b->frame[MMU_HDR_TYPE] == MMU_MSG_NAK) {
			b->ls.naks++;
			b->nak = b->frame_len > MMU_LINK_HDR_BYTES ? b->frame[MMU_LINK_HDR_BYTES] : 0;
			return BOARD_E_NAK;
		}
		if (b->frame[MMU_HDR_TYPE] != (type | MMU_MSG_ANSWER))
			return BOARD_E_PROTO;
		return 0;
	}
}

int board_call(struct board *b, uint8_t type, const uint8_t *payload, size_t len,
	       uint8_t *ans, size_t cap, size_t *alen)
{
	uint16_t tag;
	size_t n;
	int rc;

	/* every request here is idempotent (a STATS with clear loses at most
	 * the counts between the lost answer and the retry): on a timeout send
	 * it again under a new tag, and a late first answer becomes a stray */
	for (int tries = 0;; tries++) {
		rc = send_frame(b, type, payload, len, &tag, NULL);
		if (!rc)
			rc = recv_answer(b, tag, type);
		if (rc != BOARD_E_TIMEOUT || tries >= b->retries)
			break;
		b->ls.retransmits++;
		if (b->io->resync)
			b->io->resync(b->ctx);
	}
	if (rc)
		return rc;
	n = b->frame_len - MMU_LINK_HDR_BYTES;
	if (n > cap)
		return BOARD_E_PROTO;
	if (n)
		memcpy(ans, b->frame + MMU_LINK_HDR_BYTES, n);
	if (alen)
		*alen = n;
	return 0;
}

/* board_call for answers of an exact payload length. */
static int call_exact(struct board *b, uint8_t type, const uint8_t *payload, size_t len,
		      uint8_t *ans, size_t want)
{
	uint8_t buf[MMU_LINK_MAX_PAYLOAD];
	size_t n;
	int rc = board_call(b, type, payload, len, buf, sizeof(buf), &n);

	if (rc)
		return rc;
	if (n != want)
		return BOARD_E_PROTO;
	if (want)
		memcpy(ans, buf, want);
	return 0;
}

static int read_info(struct board *b)
{
	uint8_t p[MMU_LINK_INFO_BYTES];
	struct board_info *i = &b->info;
	int rc = call_exact(b, MMU_MSG_INFO, NULL, 0, p, sizeof(p));

	if (rc)
		return rc;
	i->version = p[MMU_INFO_VERSION];
	i->modes = p[MMU_INFO_MODES];
	i->sets = link_get16(p + MMU_INFO_SETS);
	i->ways = p[MMU_INFO_WAYS];
	i->sp_n = p[MMU_INFO_SP_N];
	i->pwc_n = p[MMU_INFO_PWC_N];
	i->asid_bits = p[MMU_INFO_ASID_BITS];
	i->pa_bits = p[MMU_INFO_PA_BITS];
	i->tag_bits = p[MMU_INFO_TAG_BITS];
	i->max_batch = p[MMU_INFO_MAX_BATCH];
	i->counters = p[MMU_INFO_COUNTERS];
	i->mem_bytes = link_get32(p + MMU_INFO_MEM_BYTES);
	i->window = link_get16(p + MMU_INFO_WINDOW);
	i->max_frame = link_get16(p + MMU_INFO_MAX_FRAME);
	i->clk_khz = link_get32(p + MMU_INFO_CLK_KHZ);
	if (i->version != MMU_LINK_VERSION || !i->max_batch || i->max_batch > MMU_LINK_MAX_BATCH ||
	    i->window < LINK_ENC_MAX(MMU_LINK_MAX_FRAME) || i->counters != MMU_CNT_COUNT)
		return BOARD_E_PROTO;
	return 0;
}

static int resolve_vboard(const char *path, char *out, size_t n)
{
	char self[PATH_MAX];
	ssize_t len;
	char *slash;

	if (!path)
		path = getenv("MMU_VBOARD");
	if (path) {
		if ((size_t)snprintf(out, n, "%s", path) >= n)
			return -1;
		return 0;
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0)
		return -1;
	self[len] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	if ((size_t)snprintf(out, n, "%s/mmu-vboard", self) >= n)
		return -1;
	return 0;
}

/* ---- the sim transport ---- */

int board_fd_send(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return BOARD_E_GONE;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

long board_fd_recv(int fd, uint8_t *p, size_t cap, int timeout_ms)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int pr = poll(&pfd, 1, timeout_ms);
		ssize_t r;

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return BOARD_E_GONE;
		if (pr == 0)
			return BOARD_E_TIMEOUT;
		r = recv(fd, p, cap, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return BOARD_E_GONE;
		return (long)r;
	}
}

static int sim_send(void *ctx, const uint8_t *p, size_t n)
{
	return board_fd_send(((struct sim_io *)ctx)->fd, p, n);
}

static long sim_recv(void *ctx, uint8_t *p, size_t cap, int timeout_ms)
{
	return board_fd_recv(((struct sim_io *)ctx)->fd, p, cap, timeout_ms);
}

void board_reap_vboard(int fd, pid_t pid)
{
	int status;

	close(fd);
	if (pid <= 0)
		return;
	/* the virtual board exits at end of input; a hung one is killed */
	for (int i = 0; i < 200; i++) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid || (w < 0 && errno != EINTR))
			return;
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static void sim_close_io(void *ctx)
{
	struct sim_io *s = ctx;

	board_reap_vboard(s->fd, s->pid);
	free(s);
}

static const struct board_io sim_io_ops = { "sim", sim_send, sim_recv, NULL, sim_close_io, NULL };

int board_open_io(struct board **out, const struct board_io *io, void *ctx, char *err,
		  size_t errlen)
{
	struct board *b = calloc(1, sizeof(*b));
	int rc;

	*out = NULL;
	if (!b) {
		snprintf(err, errlen, "out of memory");
		io->close(ctx);
		return MMU_E_NOMEM;
	}
	b->io = io;
	b->ctx = ctx;
	b->timeout_ms = io->timeout_ms ? io->timeout_ms(ctx) : 10000;
	b->retries = 2;
	link_rx_init(&b->rx);
	rc = read_info(b);
	if (rc) {
		snprintf(err, errlen, "the board did not answer INFO over %s: %s", io->name,
			 board_strerror(rc));
		board_close(b);
		return rc;
	}
	*out = b;
	return 0;
}

int board_spawn_vboard(const char *path, int *fd, pid_t *pid, char *err, size_t errlen)
{
	char prog[PATH_MAX];
	int sv[2];

	if (resolve_vboard(path, prog, sizeof(prog))) {
		snprintf(err, errlen, "cannot find the virtual board program (set MMU_VBOARD)");
		return MMU_E_INVAL;
	}
	if (access(prog, X_OK)) {
		snprintf(err, errlen, "virtual board '%s': %s (set MMU_VBOARD)", prog,
			 strerror(errno));
		return MMU_E_IO;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return MMU_E_IO;
	}
	*pid = fork();
	if (*pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return MMU_E_IO;
	}
	if (*pid == 0) {
		char *const argv[] = { prog, NULL };

		if (dup2(sv[1], 0) < 0 || dup2(sv[1], 1) < 0)
			_exit(127);
		execv(prog, argv);
		_exit(127);
	}
	close(sv[1]);
	*fd = sv[0];
	return 0;
}

int board_open_sim(struct board **out, const char *path, char *err, size_t errlen)
{
	struct sim_io *s;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return MMU_E_NOMEM;
	}
	rc = board_spawn_vboard(path, &s->fd, &s->pid, err, errlen);
	if (rc) {
		free(s);
		return rc;
	}
	rc = board_open_io(out, &sim_io_ops, s, err, errlen);
	if (rc && rc != MMU_E_NOMEM) {
		size_t l = strlen(err);

		snprintf(err + l, errlen - l, " (the virtual board)");
	}
	return rc;
}

const char *board_kind(const char *spec)
{
	if (!strncmp(spec, "sim", 3) && (spec[3] == '\0' || spec[3] == ':'))
		return "sim";
	if (!strncmp(spec, "usb", 3) && (spec[3] == '\0' || spec[3] == ':'))
		return "usb";
	return NULL;
}

int board_open(struct board **out, const char *spec, char *err, size_t errlen)
{
	const char *kind = board_kind(spec);
	const char *opts = kind && spec[3] ? spec + 4 : NULL;

	if (kind && kind[0] == 's')
		return board_open_sim(out, opts, err, errlen);
	if (kind)
		return board_open_usb(out, opts, err, errlen);
	*out = NULL;
	snprintf(err, errlen, "unknown board '%s' (sim[:PATH], usb[:VID:PID])", spec);
	return MMU_E_INVAL;
}

void board_close(struct board *b)
{
	if (!b)
		return;
	b->io->close(b->ctx);
	free(b);
}

/* Drain the answers still owed for pend[head..head+count). */
static void drain(struct board *b, struct pending *pend, size_t head, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		int rc = recv_answer(b, pend[(head + i) % MAX_PENDING].tag, MMU_MSG_TRANSLATE);

		if (rc == BOARD_E_TIMEOUT || rc == BOARD_E_GONE)
			return;
	}
}

/* Send q[p->first .. p->first + p->count) as one TRANSLATE frame; the
 * records carry their index in the batch as tag. */
static int send_batch(struct board *b, const struct mmu_request *q, struct pending *p)
{
	uint8_t payload[MMU_LINK_MAX_PAYLOAD];

	for (size_t j = 0; j < p->count; j++) {
		struct mmu_request rq = q[p->first + j];

		rq.tag = (uint32_t)j;
		link_treq_put(payload + j * MMU_LINK_TREQ_BYTES, &rq);
	}
	return send_frame(b, MMU_MSG_TRANSLATE, payload, p->count * MMU_LINK_TREQ_BYTES,
			  &p->tag, &p->enc_len);
}

int board_translate(struct board *b, const struct mmu_request *q, size_t n,
		    struct mmu_response *r)
{
	struct pending pend[MAX_PENDING];
	size_t head = 0, npend = 0, sent = 0, done = 0, inflight = 0;
	int tries = 0;
	unsigned amask = (1u << b->info.asid_bits) - 1;

	for (size_t i = 0; i < n; i++)
		if (q[i].asid & ~amask || q[i].access > MMU_ACCESS_X || q[i].priv > MMU_PRIV_S)
			return MMU_E_INVAL;
	while (done < n) {
		while (sent < n && npend < MAX_PENDING) {
			size_t k = n - sent < b->info.max_batch ? n - sent : b->info.max_batch;
			size_t enc = 1 + LINK_ENC_MAX(MMU_LINK_HDR_BYTES + k * MMU_LINK_TREQ_BYTES +
						      MMU_LINK_CRC_BYTES);
			struct pending *p = &pend[(head + npend) % MAX_PENDING];
			int rc;

			if (npend && inflight + enc > b->info.window)
				break;
			p->first = sent;
			p->count = k;
			rc = send_batch(b, q, p);
			if (rc) {
				drain(b, pend, head, npend);
				return rc;
			}
			inflight += p->enc_len;
			sent += k;
			npend++;
		}
		struct pending *p = &pend[head];
		uint8_t seen[MMU_LINK_MAX_BATCH] = { 0 };
		int rc = recv_answer(b, p->tag, MMU_MSG_TRANSLATE);

		/* no answer: the frame or its answer was lost on the line; send
		 * everything still owed again, under new tags (translation is
		 * idempotent: the same PTEs give the same answers) */
		if (rc == BOARD_E_TIMEOUT && tries < b->retries) {
			tries++;
			if (b->io->resync)
				b->io->resync(b->ctx);
			for (size_t i = 0; !rc && i < npend; i++) {
				rc = send_batch(b, q, &pend[(head + i) % MAX_PENDING]);
				b->ls.retransmits++;
			}
			if (!rc)
				continue;
		}
		if (!rc)
			tries = 0;
		if (!rc && b->frame_len != MMU_LINK_HDR_BYTES + p->count * MMU_LINK_TRSP_BYTES)
			rc = BOARD_E_PROTO;
		for (size_t j = 0; !rc && j < p->count; j++) {
			struct mmu_response rs;
			size_t idx;

			link_trsp_get(b->frame + MMU_LINK_HDR_BYTES + j * MMU_LINK_TRSP_BYTES, &rs);
			idx = rs.tag;
			if (idx >= p->count || seen[idx]) {
				rc = BOARD_E_PROTO;
				break;
			}
			seen[idx] = 1;
			rs.tag = q[p->first + idx].tag;
			r[p->first + idx] = rs;
		}
		if (rc) {
			if (rc != BOARD_E_TIMEOUT && rc != BOARD_E_GONE)
				drain(b, pend, (head + 1) % MAX_PENDING, npend - 1);
			return rc;
		}
		inflight -= p->enc_len;
		done += p->count;
		head = (head + 1) % MAX_PENDING;
		npend--;
	}
	return 0;
}

int board_invalidate(struct board *b, unsigned kind, unsigned asid, uint64_t va)
{
	uint8_t p[MMU_LINK_INVAL_BYTES];

	if (kind > MMU_INVAL_VA_ASID || asid >> b->info.asid_bits)
		return MMU_E_INVAL;
	p[MMU_INVF_KIND] = (uint8_t)kind;
	link_put16(p + MMU_INVF_ASID, (uint16_t)asid);
	link_put64(p + MMU_INVF_VA, va);
	return call_exact(b, MMU_MSG_INVALIDATE, p, sizeof(p), NULL, 0);
}

int board_fence(struct board *b)
{
	return call_exact(b, MMU_MSG_FENCE, NULL, 0, NULL, 0);
}

static int csr_write(struct board *b, unsigned id, unsigned asid, unsigned mode, uint64_t v)
{
	uint8_t p[MMU_LINK_CSR_BYTES];

	p[MMU_CSRF_ID] = (uint8_t)id;
	link_put16(p + MMU_CSRF_ASID, (uint16_t)asid);
	p[MMU_CSRF_MODE] = (uint8_t)mode;
	link_put64(p + MMU_CSRF_VALUE, v);
	return call_exact(b, MMU_MSG_CSR_WRITE, p, sizeof(p), NULL, 0);
}

static int csr_read(struct board *b, unsigned id, unsigned asid, unsigned *mode, uint64_t *v)
{
	uint8_t p[3], a[MMU_LINK_CSR_BYTES];
	int rc;

	p[MMU_CSRF_ID] = (uint8_t)id;
	link_put16(p + MMU_CSRF_ASID, (uint16_t)asid);
	rc = call_exact(b, MMU_MSG_CSR_READ, p, sizeof(p), a, sizeof(a));
	if (rc)
		return rc;
	if (a[MMU_CSRF_ID] != id)
		return BOARD_E_PROTO;
	if (mode)
		*mode = a[MMU_CSRF_MODE];
	*v = link_get64(a + MMU_CSRF_VALUE);
	return 0;
}

int board_set_context(struct board *b, unsigned asid, unsigned mode, uint64_t root)
{
	if (asid >> b->info.asid_bits || mode > 7)
		return MMU_E_INVAL;
	return csr_write(b, MMU_CSR_CONTEXT, asid, mode, root);
}

int board_get_context(struct board *b, unsigned asid, unsigned *mode, uint64_t *root)
{
	if (asid >> b->info.asid_bits)
		return MMU_E_INVAL;
	return csr_read(b, MMU_CSR_CONTEXT, asid, mode, root);
}

int board_set_policy(struct board *b, uint64_t word)
{
	return csr_write(b, MMU_CSR_POLICY, 0, 0, word);
}

int board_get_policy(struct board *b, uint64_t *word)
{
	return csr_read(b, MMU_CSR_POLICY, 0, NULL, word);
}

int board_stats(struct board *b, int clear, uint32_t *counters, uint16_t *link)
{
	uint8_t flags = clear ? 1 : 0;
	uint8_t a[MMU_CNT_COUNT * 4 + MMU_LCNT_COUNT * MMU_LINK_LCNT_BYTES];
	int rc = call_exact(b, MMU_MSG_STATS, &flags, 1, a, sizeof(a));

	if (rc)
		return rc;
	for (unsigned i = 0; counters && i < MMU_CNT_COUNT; i++)
		counters[i] = link_get32(a + 4 * i);
	for (unsigned i = 0; link && i < MMU_LCNT_COUNT; i++)
		link[i] = link_get16(a + 4 * MMU_CNT_COUNT + MMU_LINK_LCNT_BYTES * i);
	return 0;
}

int board_reset(struct board *b)
{
	return call_exact(b, MMU_MSG_RESET, NULL, 0, NULL, 0);
}

#define MEM_CHUNK (MMU_LINK_MAX_PAYLOAD - MMU_LINK_MEM_HDR)

static int mem_range(const struct board *b, uint32_t addr, size_t n)
{
	return (uint64_t)addr + n > b->info.mem_bytes ? MMU_E_RANGE : 0;
}

int board_mem_write(struct board *b, uint32_t addr, const void *data, size_t n)
{
	const uint8_t *d = data;
	int rc = mem_range(b, addr, n);

	while (!rc && n) {
		uint8_t p[MMU_LINK_MAX_PAYLOAD];
		size_t k = n < MEM_CHUNK ? n : MEM_CHUNK;

		link_put32(p + MMU_MEMF_ADDR, addr);
		memcpy(p + MMU_MEMF_DATA, d, k);
		rc = call_exact(b, MMU_MSG_MEM_WRITE, p, MMU_LINK_MEM_HDR + k, NULL, 0);
		addr += (uint32_t)k;
		d += k;
		n -= k;
	}
	return rc;
}

int board_mem_read(struct board *b, uint32_t addr, void *data, size_t n)
{
	uint8_t *d = data;
	int rc = mem_range(b, addr, n);

	while (!rc && n) {
		uint8_t p[MMU_LINK_MEMR_BYTES];
		size_t k = n < MMU_LINK_MAX_PAYLOAD ? n : MMU_LINK_MAX_PAYLOAD;

		link_put32(p + MMU_MEMF_ADDR, addr);
		link_put16(p + MMU_MEMF_LEN, (uint16_t)k);
		rc = call_exact(b, MMU_MSG_MEM_READ, p, sizeof(p), d, k);
		addr += (uint32_t)k;
		d += k;
		n -= k;
	}
	return rc;
}

int board_send_raw(struct board *b, const void *p, size_t n)
{
	return send_all(b, p, n);
}

int board_recv_raw(struct board *b, uint8_t *buf, size_t cap, size_t *len)
{
	int rc = recv_frame(b);

	if (rc)
		return rc;
	if (b->frame_len > cap)
		return BOARD_E_PROTO;
	memcpy(buf, b->frame, b->frame_len);
	*len = b->frame_len;
	return 0;
}

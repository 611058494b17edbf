/*
 * board.h - a host's connection to a board over the link protocol
 * (docs/protocol.md), over one of two byte transports: `sim` (the virtual
 * board, a Verilated process spoken to over a socket) and `usb` (libusb-1.0:
 * an FTDI bridge or a generic vendor bulk device, host/usb.c).
 *
 * Every call sends its frames, waits for each one's answer (matched by tag),
 * and returns 0 or a negative BOARD_E_* / MMU_E_* code.  A NAK leaves its
 * code in board_last_nak().  Nothing here keeps global state.
 */
#ifndef MMU_BOARD_H
#define MMU_BOARD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "mmu_model.h"

enum {
	BOARD_E_TIMEOUT = -100, /* no answer within the timeout */
	BOARD_E_NAK = -101,     /* the board refused the request (board_last_nak) */
	BOARD_E_PROTO = -102,   /* an answer of the wrong type or size */
	BOARD_E_GONE = -103,    /* the board's connection closed or failed */
};

/* What INFO reports. */
struct board_info {
	unsigned version, modes, sets, ways, sp_n, pwc_n, asid_bits, pa_bits, tag_bits;
	unsigned max_batch, counters, window, max_frame;
	uint32_t mem_bytes, clk_khz;
};

/* Link health, from the host's side. */
struct board_link_stats {
	unsigned long frames_sent, answers, naks, dropped_rx, stray, retransmits;
	unsigned long bytes_sent, bytes_received;
};

struct board;

/*
 * A byte transport under the link.  send may keep bytes back until the next
 * recv (a USB transport gathers frames into one bulk transfer); recv waits
 * at most timeout_ms and returns the bytes read (> 0), BOARD_E_TIMEOUT or
 * BOARD_E_GONE; resync (may be NULL) clears the line after a timeout.
 * Every function but close gets ctx; close releases it.
 */
struct board_io {
	const char *name;
	int (*send)(void *ctx, const uint8_t *p, size_t n);
	long (*recv)(void *ctx, uint8_t *p, size_t cap, int timeout_ms);
	int (*resync)(void *ctx);
	void (*close)(void *ctx);
	int (*timeout_ms)(void *ctx);  /* the answer timeout to start with (may be NULL: 10 s) */
};

/* Open a board over the transport io/ctx and read its INFO.  The board owns
 * ctx from here on, also on failure (io->close releases it). */
int board_open_io(struct board **out, const struct board_io *io, void *ctx, char *err,
		  size_t errlen);

/* The transport context under b, if b runs over io (else NULL). */
void *board_io_ctx(const struct board *b, const struct board_io *io);

/* "sim", "sim:PATH", "usb" or "usb:VID:PID[:...]" (host/usb.h). */
int board_open(struct board **out, const char *spec, char *err, size_t errlen);
/* Which transport such a spec names: "sim", "usb", or NULL if it names none
 * (the one test of a device name; board_open, dev_open and mmuctl use it). */
const char *board_kind(const char *spec);
/* A monotonic clock in milliseconds (the transports' timeouts). */
long board_now_ms(void);

/* Start the virtual board program `path` (NULL: $MMU_VBOARD, else
 * mmu-vboard next to this program) and read its INFO.  On failure *err
 * says why. */
int board_open_sim(struct board **out, const char *path, char *err, size_t errlen);
/* Start the virtual board program (path as for board_open_sim) with a
 * socket as its standard input and output: *fd is the other end.  And stop
 * it: close fd, wait for it to exit (kill it if it hangs).  For transports
 * that put something between the host and the virtual board (the tests'
 * virtual FTDI chip). */
int board_spawn_vboard(const char *path, int *fd, pid_t *pid, char *err, size_t errlen);
void board_reap_vboard(int fd, pid_t pid);
/* The sim transport's byte I/O on such a socket (the board_io contract). */
int board_fd_send(int fd, const uint8_t *p, size_t n);
long board_fd_recv(int fd, uint8_t *p, size_t cap, int timeout_ms);
/* A board over USB (host/usb.c); opts as after "usb:" (NULL: the defaults). */
int board_open_usb(struct board **out, const char *opts, char *err, size_t errlen);
void board_close(struct board *b);

const struct board_info *board_get_info(const struct board *b);
const struct board_link_stats *board_get_link_stats(const struct board *b);
unsigned board_last_nak(const struct board *b);
const char *board_strerror(int rc);
/* How long to wait for an answer (default 10 s), and how many times to send a
 * request again when none comes (default 2). */
void board_set_timeout(struct board *b, int ms);
void board_set_retries(struct board *b, int n);

/* Translate n requests (batched into frames, up to the board's window in
 * flight).  r[i] answers q[i]; the tag of q[i] is not used on the wire. */
int board_translate(struct board *b, const struct mmu_request *q, size_t n,
		    struct mmu_response *r);
int board_invalidate(struct board *b, unsigned kind, unsigned asid, uint64_t va);
int board_fence(struct board *b);
int board_set_context(struct board *b, unsigned asid, unsigned mode, uint64_t root);
int board_get_context(struct board *b, unsigned asid, unsigned *mode, uint64_t *root);
int board_set_policy(struct board *b, uint64_t word);
int board_get_policy(struct board *b, uint64_t *word);
/* counters: MMU_CNT_COUNT words; link: MMU_LCNT_COUNT 16-bit counters
 * (either may be NULL). */
int board_stats(struct board *b, int clear, uint32_t *counters, uint16_t *link);
int board_reset(struct board *b);
/* Page-table memory, byte-addressed from 0; any length (split into frames). */
int board_mem_write(struct board *b, uint32_t addr, const void *data, size_t n);
int board_mem_read(struct board *b, uint32_t addr, void *data, size_t n);

/* One raw request: send type/payload, wait for its answer.  On success the
 * answer's payload is copied to ans (at most cap bytes; *alen its length). */
int board_call(struct board *b, uint8_t type, const uint8_t *payload, size_t len,
	       uint8_t *ans, size_t cap, size_t *alen);

/* Bytes sent as they are (tests and fuzzing: garbage, broken frames).  A
 * raw frame's answer, if any, is read by board_recv_raw. */
int board_send_raw(struct board *b, const void *p, size_t n);
/* Wait for the next good frame; copy header + payload to buf. */
int board_recv_raw(struct board *b, uint8_t *buf, size_t cap, size_t *len);

#endif

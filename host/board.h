/*
 * board.h - a host's connection to a board over the link protocol
 * (docs/protocol.md): the `sim` device (the virtual board, a Verilated
 * process spoken to over a socket) today; the USB transports will sit behind
 * the same byte I/O.
 *
 * Every call sends its frames, waits for each one's answer (matched by tag),
 * and returns 0 or a negative BOARD_E_* / MMU_E_* code.  A NAK leaves its
 * code in board_last_nak().  Nothing here keeps global state.
 */
#ifndef MMU_BOARD_H
#define MMU_BOARD_H

#include <stddef.h>
#include <stdint.h>
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
	unsigned long frames_sent, answers, naks, dropped_rx, stray;
	unsigned long bytes_sent, bytes_received;
};

struct board;

/* Start the virtual board program `path` (NULL: $MMU_VBOARD, else
 * mmu-vboard next to this program) and read its INFO.  On failure *err
 * says why. */
int board_open_sim(struct board **out, const char *path, char *err, size_t errlen);
void board_close(struct board *b);

const struct board_info *board_get_info(const struct board *b);
const struct board_link_stats *board_get_link_stats(const struct board *b);
unsigned board_last_nak(const struct board *b);
const char *board_strerror(int rc);
void board_set_timeout(struct board *b, int ms);

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

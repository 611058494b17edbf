/*
 * link.h - the board link protocol on the host side (docs/protocol.md):
 * CRC-16/CCITT-FALSE, COBS framing, a streaming frame decoder that behaves
 * like the board's (rtl/link/mmu_link_rx.v), little-endian field helpers,
 * and the translation record codec.
 *
 * Nothing here does I/O: transports (host/board.c) move the bytes.
 */
#ifndef MMU_LINK_H
#define MMU_LINK_H

#include <stddef.h>
#include <stdint.h>
#include "mmu_constants.h"
#include "mmu_model.h"

/* Encoded size bound of a raw frame of n bytes: codes, data, delimiter. */
#define LINK_ENC_MAX(n) ((n) + (n) / 254 + 2)

uint16_t link_crc16(const uint8_t *p, size_t n);

/* COBS-encode in[0..n) and append the 0x00 delimiter; out holds at least
 * LINK_ENC_MAX(n) bytes.  Returns the bytes written. */
size_t link_cobs_encode(const uint8_t *in, size_t n, uint8_t *out);

/* Build the frame {version, type, tag, payload, CRC}, encoded and delimited.
 * Returns the encoded length, or 0 if the payload exceeds MAX_PAYLOAD or the
 * output does not fit cap bytes. */
size_t link_frame(uint8_t type, uint16_t tag, const uint8_t *payload, size_t len,
		  uint8_t *out, size_t cap);

/* Outcome of one delimiter in the decoder. */
enum link_rx_event {
	LINK_RX_NONE = 0,   /* no frame ended (or an empty one was skipped) */
	LINK_RX_FRAME,      /* a good frame: see frame/len */
	LINK_RX_CRC,        /* dropped: bad CRC */
	LINK_RX_FRAMING,    /* dropped: COBS error or too short */
	LINK_RX_OVERSIZE,   /* dropped: longer than MAX_FRAME */
};

struct link_rx {
	uint8_t buf[MMU_LINK_MAX_FRAME];
	size_t len;        /* decoded bytes so far */
	unsigned rem;      /* bytes left in the COBS block */
	int zpend, started, err, over;
	/* the last good frame: header + payload (CRC removed) */
	const uint8_t *frame;
	size_t frame_len;
};

void link_rx_init(struct link_rx *rx);
/* Feed one byte; returns the event it completed (LINK_RX_FRAME: rx->frame
 * and rx->frame_len are valid until the next call). */
enum link_rx_event link_rx_byte(struct link_rx *rx, uint8_t b);
/* Feed p[0..n) up to and including the first byte that completes an event;
 * *used says how many were taken.  The same as link_rx_byte byte by byte,
 * faster. */
enum link_rx_event link_rx_feed(struct link_rx *rx, const uint8_t *p, size_t n, size_t *used);

static inline void link_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void link_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void link_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t link_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t link_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t link_get64(const uint8_t *p)
{
	return (uint64_t)link_get32(p) | (uint64_t)link_get32(p + 4) << 32;
}

/* A translation request record (TREQ_BYTES); the record's tag is q->tag's
 * low 16 bits. */
void link_treq_put(uint8_t *p, const struct mmu_request *q);
/* A translation response record (TRSP_BYTES) into *r. */
void link_trsp_get(const uint8_t *p, struct mmu_response *r);

#endif

/*
 * link.c - board link protocol codec (see link.h and docs/protocol.md).
 */
#include <string.h>
#include "link.h"

uint16_t link_crc16(const uint8_t *p, size_t n)
{
	uint16_t crc = 0xffff;

	for (size_t i = 0; i < n; i++) {
		crc ^= (uint16_t)(p[i] << 8);
		for (int b = 0; b < 8; b++)
			crc = (uint16_t)(crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1);
	}
	return crc;
}

size_t link_cobs_encode(const uint8_t *in, size_t n, uint8_t *out)
{
	size_t o = 1, code_at = 0;
	uint8_t code = 1;

	/* the same algorithm as rtl/link/mmu_link_tx.v: a code byte is reserved
	 * at the start of each block and filled in when the block ends */
	for (size_t i = 0; i < n; i++) {
		if (in[i] == 0) {
			out[code_at] = code;
			code_at = o++;
			code = 1;
		} else {
			out[o++] = in[i];
			if (++code == 0xff) {
				out[code_at] = code;
				code_at = o++;
				code = 1;
			}
		}
	}
	out[code_at] = code;
	out[o++] = 0;
	return o;
}

size_t link_frame(uint8_t type, uint16_t tag, const uint8_t *payload, size_t len,
		  uint8_t *out, size_t cap)
{
	uint8_t raw[MMU_LINK_MAX_FRAME];
	uint16_t crc;
	size_t n;

	if (len > MMU_LINK_MAX_PAYLOAD)
		return 0;
	raw[MMU_HDR_VERSION] = MMU_LINK_VERSION;
	raw[MMU_HDR_TYPE] = type;
	link_put16(raw + MMU_HDR_TAG, tag);
	if (len)
		memcpy(raw + MMU_LINK_HDR_BYTES, payload, len);
	n = MMU_LINK_HDR_BYTES + len;
	crc = link_crc16(raw, n);
	raw[n++] = (uint8_t)(crc >> 8);
	raw[n++] = (uint8_t)crc;
	if (cap < LINK_ENC_MAX(n))
		return 0;
	return link_cobs_encode(raw, n, out);
}

void link_rx_init(struct link_rx *rx)
{
	rx->len = 0;
	rx->rem = 0;
	rx->zpend = rx->started = rx->err = rx->over = 0;
	rx->frame = NULL;
	rx->frame_len = 0;
}

static void rx_emit(struct link_rx *rx, uint8_t b)
{
	if (rx->len == sizeof(rx->buf)) {
		rx->err = rx->over = 1;
		return;
	}
	rx->buf[rx->len++] = b;
}

enum link_rx_event link_rx_byte(struct link_rx *rx, uint8_t b)
{
	enum link_rx_event ev = LINK_RX_NONE;

	if (b == 0) {
		if (rx->err)
			ev = rx->over ? LINK_RX_OVERSIZE : LINK_RX_FRAMING;
		else if (!rx->started)
			ev = LINK_RX_NONE;
		else if (rx->rem || rx->len < MMU_LINK_HDR_BYTES + MMU_LINK_CRC_BYTES)
			ev = LINK_RX_FRAMING;
		else if (link_crc16(rx->buf, rx->len))
			ev = LINK_RX_CRC;
		else
			ev = LINK_RX_FRAME;
		if (ev == LINK_RX_FRAME) {
			rx->frame = rx->buf;
			rx->frame_len = rx->len - MMU_LINK_CRC_BYTES;
		}
		rx->len = 0;
		rx->rem = 0;
		rx->zpend = rx->started = rx->err = rx->over = 0;
		return ev;
	}
	if (rx->err)
		return LINK_RX_NONE;
	if (rx->rem == 0) {
		if (rx->started && rx->zpend)
			rx_emit(rx, 0);
		rx->rem = (unsigned)b - 1;
		rx->zpend = b != 0xff;
		rx->started = 1;
	} else {
		rx_emit(rx, b);
		rx->rem--;
	}
	return LINK_RX_NONE;
}

void link_treq_put(uint8_t *p, const struct mmu_request *q)
{
	link_put16(p + MMU_TREQ_TAG, (uint16_t)q->tag);
	link_put16(p + MMU_TREQ_ASID, q->asid);
	p[MMU_TREQ_FLAGS] = (uint8_t)((q->access & 3) | (q->priv & 1) << 2);
	link_put64(p + MMU_TREQ_VA, q->va);
}

void link_trsp_get(const uint8_t *p, struct mmu_response *r)
{
	uint8_t st = p[MMU_TRSP_STATUS];

	memset(r, 0, sizeof(*r));
	r->tag = link_get16(p + MMU_TRSP_TAG);
	r->cause = st & 0x0f;
	r->level = (st >> 4) & 7;
	r->hit = st >> 7;
	r->perm = p[MMU_TRSP_PERM];
	r->page_shift = p[MMU_TRSP_SHIFT];
	r->exc = p[MMU_TRSP_EXC];
	r->err = link_get16(p + MMU_TRSP_ERR);
	r->pa = link_get64(p + MMU_TRSP_PA);
}

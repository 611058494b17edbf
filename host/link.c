/*
 * link.c - board link protocol codec (see link.h and docs/protocol.md).
 */
#include <string.h>
#include "link.h"

uint16_t link_crc16(const uint8_t *p, size_t n)
{
	/* a byte at a time: entry i is what the CRC register becomes when the
	 * byte i is shifted out of its top with polynomial 0x1021 (eight steps
	 * of the bitwise form, done once: the check value in tests/test_link.c
	 * and every frame the RTL checks confirm it) */
	static const uint16_t t[256] = {
		0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50a5, 0x60c6, 0x70e7,
		0x8108, 0x9129, 0xa14a, 0xb16b, 0xc18c, 0xd1ad, 0xe1ce, 0xf1ef,
		0x1231, 0x0210, 0x3273, 0x2252, 0x52b5, 0x4294, 0x72f7, 0x62d6,
		0x9339, 0x8318, 0xb37b, 0xa35a, 0xd3bd, 0xc39c, 0xf3ff, 0xe3de,
		0x2462, 0x3443, 0x0420, 0x1401, 0x64e6, 0x74c7, 0x44a4, 0x5485,
		0xa56a, 0xb54b, 0x8528, 0x9509, 0xe5ee, 0xf5cf, 0xc5ac, 0xd58d,
		0x3653, 0x2672, 0x1611, 0x0630, 0x76d7, 0x66f6, 0x5695, 0x46b4,
		0xb75b, 0xa77a, 0x9719, 0x8738, 0xf7df, 0xe7fe, 0xd79d, 0xc7bc,
		0x48c4, 0x58e5, 0x6886, 0x78a7, 0x0840, 0x1861, 0x2802, 0x3823,
		0xc9cc, 0xd9ed, 0xe98e, 0xf9af, 0x8948, 0x9969, 0xa90a, 0xb92b,
		0x5af5, 0x4ad4, 0x7ab7, 0x6a96, 0x1a71, 0x0a50, 0x3a33, 0x2a12,
		0xdbfd, 0xcbdc, 0xfbbf, 0xeb9e, 0x9b79, 0x8b58, 0xbb3b, 0xab1a,
		0x6ca6, 0x7c87, 0x4ce4, 0x5cc5, 0x2c22, 0x3c03, 0x0c60, 0x1c41,
		0xedae, 0xfd8f, 0xcdec, 0xddcd, 0xad2a, 0xbd0b, 0x8d68, 0x9d49,
		0x7e97, 0x6eb6, 0x5ed5, 0x4ef4, 0x3e13, 0x2e32, 0x1e51, 0x0e70,
		0xff9f, 0xefbe, 0xdfdd, 0xcffc, 0xbf1b, 0xaf3a, 0x9f59, 0x8f78,
		0x9188, 0x81a9, 0xb1ca, 0xa1eb, 0xd10c, 0xc12d, 0xf14e, 0xe16f,
		0x1080, 0x00a1, 0x30c2, 0x20e3, 0x5004, 0x4025, 0x7046, 0x6067,
		0x83b9, 0x9398, 0xa3fb, 0xb3da, 0xc33d, 0xd31c, 0xe37f, 0xf35e,
		0x02b1, 0x1290, 0x22f3, 0x32d2, 0x4235, 0x5214, 0x6277, 0x7256,
		0xb5ea, 0xa5cb, 0x95a8, 0x8589, 0xf56e, 0xe54f, 0xd52c, 0xc50d,
		0x34e2, 0x24c3, 0x14a0, 0x0481, 0x7466, 0x6447, 0x5424, 0x4405,
		0xa7db, 0xb7fa, 0x8799, 0x97b8, 0xe75f, 0xf77e, 0xc71d, 0xd73c,
		0x26d3, 0x36f2, 0x0691, 0x16b0, 0x6657, 0x7676, 0x4615, 0x5634,
		0xd94c, 0xc96d, 0xf90e, 0xe92f, 0x99c8, 0x89e9, 0xb98a, 0xa9ab,
		0x5844, 0x4865, 0x7806, 0x6827, 0x18c0, 0x08e1, 0x3882, 0x28a3,
		0xcb7d, 0xdb5c, 0xeb3f, 0xfb1e, 0x8bf9, 0x9bd8, 0xabbb, 0xbb9a,
		0x4a75, 0x5a54, 0x6a37, 0x7a16, 0x0af1, 0x1ad0, 0x2ab3, 0x3a92,
		0xfd2e, 0xed0f, 0xdd6c, 0xcd4d, 0xbdaa, 0xad8b, 0x9de8, 0x8dc9,
		0x7c26, 0x6c07, 0x5c64, 0x4c45, 0x3ca2, 0x2c83, 0x1ce0, 0x0cc1,
		0xef1f, 0xff3e, 0xcf5d, 0xdf7c, 0xaf9b, 0xbfba, 0x8fd9, 0x9ff8,
		0x6e17, 0x7e36, 0x4e55, 0x5e74, 0x2e93, 0x3eb2, 0x0ed1, 0x1ef0,
	};
	uint16_t crc = 0xffff;

	for (size_t i = 0; i < n; i++)
		crc = (uint16_t)(crc << 8) ^ t[(crc >> 8) ^ p[i]];
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

enum link_rx_event link_rx_feed(struct link_rx *rx, const uint8_t *p, size_t n, size_t *used)
{
	size_t i = 0;

	/* the bytes inside a COBS block, copied straight through */
	while (i < n) {
		if (p[i] && rx->rem && !rx->err && rx->len + rx->rem <= sizeof(rx->buf)) {
			size_t k = rx->rem < n - i ? rx->rem : n - i;
			size_t z = 0;

			while (z < k && p[i + z])
				z++;
			memcpy(rx->buf + rx->len, p + i, z);
			rx->len += z;
			rx->rem -= (unsigned)z;
			i += z;
			continue;
		}
		enum link_rx_event ev = link_rx_byte(rx, p[i++]);

		if (ev != LINK_RX_NONE) {
			*used = i;
			return ev;
		}
	}
	*used = i;
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

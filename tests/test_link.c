/*
 * test_link.c - the board link: the host codec (CRC, COBS, frame decoder)
 * against known values, and the virtual board end to end: INFO, page-table
 * memory, CSRs, translations compared with the C model over the same page
 * tables (responses and the A/D bytes written into board memory), STATS,
 * RESET, and bad input of every kind followed by a board that still answers.
 *
 * The virtual board is $MMU_VBOARD (the test runner sets it), else
 * mmu-vboard next to this program's directory's parent (build/rel).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "board.h"
#include "dev.h"
#include "link.h"
#include "memimg.h"
#include "mkpt.h"
#include "mmu_model.h"
#include "ptgen.h"
#include "testfail.h"
#include "testmem.h"

#define MEM 131072u

/* the tests' random numbers: ptgen's splitmix64 on their own state */
struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	return ptgen_splitmix(&r->s);
}

static uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

static int rng_pct(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

/* ---- codec ---- */

static void test_crc_check_value(void **state)
{
	(void)state;
	/* CRC-16/CCITT-FALSE check value */
	assert_int_equal(link_crc16((const uint8_t *)"123456789", 9), 0x29b1);
	/* the table-driven form against the definition, bit by bit, on every
	 * length up to 64 (odd and even: the tables take two bytes a step) */
	{
		struct rng g = { 3 };
		uint8_t d[64];

		for (size_t n = 0; n <= sizeof(d); n++) {
			uint16_t ref = 0xffff;

			for (size_t i = 0; i < n; i++) {
				d[i] = (uint8_t)rng_below(&g, 256);
				ref ^= (uint16_t)(d[i] << 8);
				for (int b = 0; b < 8; b++)
					ref = (uint16_t)(ref & 0x8000 ? (ref << 1) ^ 0x1021 : ref << 1);
			}
			assert_int_equal(link_crc16(d, n), ref);
		}
	}
}

static void expect_cobs(const uint8_t *in, size_t n, const uint8_t *want, size_t wn)
{
	uint8_t out[1024];
	size_t got = link_cobs_encode(in, n, out);

	assert_int_equal(got, wn);
	assert_memory_equal(out, want, wn);
}

static void test_cobs_vectors(void **state)
{
	uint8_t in[300], want[310];

	(void)state;
	expect_cobs(NULL, 0, (const uint8_t[]){ 0x01, 0x00 }, 2);
	expect_cobs((const uint8_t[]){ 0x00 }, 1, (const uint8_t[]){ 0x01, 0x01, 0x00 }, 3);
	expect_cobs((const uint8_t[]){ 0x11, 0x22, 0x00, 0x33 }, 4,
		    (const uint8_t[]){ 0x03, 0x11, 0x22, 0x02, 0x33, 0x00 }, 6);
	expect_cobs((const uint8_t[]){ 0x11, 0x00, 0x00 }, 3,
		    (const uint8_t[]){ 0x02, 0x11, 0x01, 0x01, 0x00 }, 5);
	/* 254 non-zero bytes fill a block: code 0xff, then an empty last block */
	for (int i = 0; i < 300; i++)
		in[i] = (uint8_t)(i % 255 + 1);
	want[0] = 0xff;
	memcpy(want + 1, in, 254);
	want[255] = 0x01;
	want[256] = 0x00;
	expect_cobs(in, 254, want, 257);
	want[255] = 0x02;
	want[256] = in[254];
	want[257] = 0x00;
	expect_cobs(in, 255, want, 258);
}

/* Feed an encoded stream; return the last event and count frames. */
static enum link_rx_event feed(struct link_rx *rx, const uint8_t *p, size_t n, int *frames)
{
	enum link_rx_event last = LINK_RX_NONE;

	for (size_t i = 0; i < n; i++) {
		enum link_rx_event ev = link_rx_byte(rx, p[i]);

		if (ev != LINK_RX_NONE)
			last = ev;
		if (ev == LINK_RX_FRAME && frames)
			(*frames)++;
	}
	return last;
}

/* link_rx_feed gives the events, frames and decoder state of link_rx_byte
 * byte by byte, on streams of good, broken, oversize frames and junk, cut
 * into pieces of random length. */
static void test_feed_equals_bytewise(void **state)
{
	static uint8_t s[200000];
	struct link_rx a, b;
	struct rng g;
	size_t n = 0, i = 0;
	unsigned events = 0;

	(void)state;
	g.s = 11;
	while (n < sizeof(s) - 2 * LINK_ENC_MAX(MMU_LINK_MAX_FRAME)) {
		uint8_t payload[MMU_LINK_MAX_PAYLOAD];
		size_t len = rng_below(&g, MMU_LINK_MAX_PAYLOAD + 1), k;

		for (size_t j = 0; j < len; j++)
			payload[j] = rng_pct(&g, 20) ? 0 : (uint8_t)rng_below(&g, 256);
		k = link_frame(MMU_MSG_MEM_WRITE, (uint16_t)n, payload, len, s + n, sizeof(s) - n);
		if (rng_pct(&g, 20) && k > 2)           /* a flipped byte */
			s[n + rng_below(&g, k - 1)] ^= (uint8_t)(1 + rng_below(&g, 255));
		if (rng_pct(&g, 10) && k > 2)           /* cut short */
			k = rng_below(&g, k);
		n += k;
		if (rng_pct(&g, 5))                     /* oversize: a long block of junk */
			for (size_t j = 0; j < 700; j++)
				s[n++] = (uint8_t)(1 + rng_below(&g, 255));
	}
	link_rx_init(&a);
	link_rx_init(&b);
	while (i < n) {
		size_t piece = 1 + rng_below(&g, 600), used;
		enum link_rx_event ev;

		if (piece > n - i)
			piece = n - i;
		ev = link_rx_feed(&b, s + i, piece, &used);
		assert_true(used >= 1 && used <= piece);
		for (size_t j = 0; j < used; j++) {
			enum link_rx_event e = link_rx_byte(&a, s[i + j]);

			assert_int_equal(e, j + 1 == used ? ev : LINK_RX_NONE);
		}
		if (ev != LINK_RX_NONE)
			events++;
		if (ev == LINK_RX_FRAME) {
			assert_int_equal(a.frame_len, b.frame_len);
			assert_memory_equal(a.frame, b.frame, a.frame_len);
		}
		assert_int_equal(a.len, b.len);
		assert_int_equal(a.rem, b.rem);
		assert_int_equal(a.err, b.err);
		i += used;
	}
	assert_true(events > 200);
}

static void test_decoder_round_trip_and_errors(void **state)
{
	struct link_rx rx;
	struct rng g;
	uint8_t payload[MMU_LINK_MAX_PAYLOAD], enc[LINK_ENC_MAX(MMU_LINK_MAX_FRAME) + 200];
	size_t n;
	int frames = 0;

	(void)state;
	link_rx_init(&rx);
	g.s = 7;
	for (int t = 0; t < 500; t++) {
		size_t len = rng_below(&g, MMU_LINK_MAX_PAYLOAD + 1);

		for (size_t i = 0; i < len; i++)   /* zeros are common in real payloads */
			payload[i] = rng_pct(&g, 30) ? 0 : (uint8_t)rng_below(&g, 256);
		n = link_frame(MMU_MSG_MEM_WRITE, (uint16_t)t, payload, len, enc, sizeof(enc));
		assert_true(n > 0);
		assert_int_equal(feed(&rx, enc, n, &frames), LINK_RX_FRAME);
		assert_int_equal(rx.frame_len, MMU_LINK_HDR_BYTES + len);
		assert_int_equal(link_get16(rx.frame + MMU_HDR_TAG), (uint16_t)t);
		assert_memory_equal(rx.frame + MMU_LINK_HDR_BYTES, payload, len);
	}
	assert_int_equal(frames, 500);
	/* too big to build */
	assert_int_equal(link_frame(1, 0, payload, MMU_LINK_MAX_PAYLOAD + 1, enc, sizeof(enc)), 0);
	/* a bit flip: bad CRC (or a COBS error when it hits a code byte) */
	n = link_frame(MMU_MSG_INFO, 1, NULL, 0, enc, sizeof(enc));
	enc[3] ^= 0x10;
	assert_int_equal(feed(&rx, enc, n, NULL), LINK_RX_CRC);
	/* truncated: the delimiter cuts a block short */
	n = link_frame(MMU_MSG_INFO, 1, NULL, 0, enc, sizeof(enc));
	enc[n - 3] = 0;
	assert_int_equal(feed(&rx, enc, n - 2, NULL), LINK_RX_FRAMING);
	/* shorter than a header and a CRC */
	assert_int_equal(feed(&rx, (const uint8_t[]){ 0x03, 0x01, 0x02, 0x00 }, 4, NULL),
			 LINK_RX_FRAMING);
	/* oversize: 600 non-zero bytes */
	memset(enc, 0x55, 600);
	enc[600] = 0;
	assert_int_equal(feed(&rx, enc, 601, NULL), LINK_RX_OVERSIZE);
	/* empty frames are skipped, and the next good frame decodes */
	n = link_frame(MMU_MSG_INFO, 9, NULL, 0, enc + 2, sizeof(enc) - 2);
	enc[0] = enc[1] = 0;
	assert_int_equal(feed(&rx, enc, n + 2, NULL), LINK_RX_FRAME);
}

/* ---- the virtual board ---- */

static struct board *open_board(void)
{
	struct board *b;
	char err[256];
	int rc = board_open_sim(&b, NULL, err, sizeof(err));

	if (rc)
		fail_msg("board_open_sim: %s", err);
	return b;
}

/* The build under test: $LINK_BOARD = uart is the iCEBreaker top
 * (mmu-vboard-uart), fifo the FT232H top (mmu-vboard-fifo), else the
 * default virtual board. */
static int link_board_is(const char *name)
{
	const char *v = getenv("LINK_BOARD");

	return v && !strcmp(v, name);
}

static int uart_board(void)
{
	return link_board_is("uart");
}

/* either iCEBreaker top: the Sv39 board build */
static int icebreaker_board(void)
{
	return link_board_is("uart") || link_board_is("fifo");
}

static void test_info(void **state)
{
	struct board *b = open_board();
	const struct board_info *i = board_get_info(b);
	int ib = icebreaker_board();
	/* both iCEBreaker builds: 2 superpage and 2 PWC entries */
	unsigned sp = ib ? 2 : 8;

	(void)state;
	assert_int_equal(i->version, MMU_LINK_VERSION);
	assert_int_equal(i->modes, ib ? 1u << MMU_MODE_SV39 : 0x1eu);
	assert_int_equal(i->sets, 64);
	assert_int_equal(i->ways, 4);
	assert_int_equal(i->sp_n, sp);
	assert_int_equal(i->pwc_n, sp);
	assert_int_equal(i->asid_bits, ib ? 6 : 8);
	assert_int_equal(i->pa_bits, ib ? 34 : 56);
	assert_int_equal(i->clk_khz, ib ? 12000 : 0);
	assert_int_equal(i->max_batch, MMU_LINK_MAX_BATCH);
	assert_int_equal(i->mem_bytes, MEM);
	assert_int_equal(i->window, MMU_LINK_WINDOW);
	assert_int_equal(i->max_frame, MMU_LINK_MAX_FRAME);
	board_close(b);
}

static void test_memory(void **state)
{
	struct board *b = open_board();
	static uint8_t w[3000], r[3000];
	uint8_t ans[16];
	uint8_t p[MMU_LINK_MEMR_BYTES];
	size_t alen;

	(void)state;
	for (size_t i = 0; i < sizeof(w); i++)
		w[i] = (uint8_t)(i * 7 + 3);
	/* unaligned start, several frames */
	assert_int_equal(board_mem_write(b, 1003, w, sizeof(w)), 0);
	assert_int_equal(board_mem_read(b, 1003, r, sizeof(r)), 0);
	assert_memory_equal(w, r, sizeof(w));
	/* the neighbours were not touched */
	assert_int_equal(board_mem_read(b, 1000, r, 3), 0);
	static const uint8_t zero3[3];

	assert_memory_equal(r, zero3, 3);
	/* the last byte is reachable, one past is not */
	assert_int_equal(board_mem_write(b, MEM - 1, w, 1), 0);
	assert_int_equal(board_mem_write(b, MEM - 1, w, 2), MMU_E_RANGE);
	/* the board checks too */
	link_put32(p + MMU_MEMF_ADDR, MEM - 4);
	link_put16(p + MMU_MEMF_LEN, 8);
	assert_int_equal(board_call(b, MMU_MSG_MEM_READ, p, sizeof(p), ans, sizeof(ans), &alen),
			 BOARD_E_NAK);
	assert_int_equal(board_last_nak(b), MMU_NAK_ADDRESS);
	link_put16(p + MMU_MEMF_LEN, 0);
	assert_int_equal(board_call(b, MMU_MSG_MEM_READ, p, sizeof(p), ans, sizeof(ans), &alen),
			 BOARD_E_NAK);
	assert_int_equal(board_last_nak(b), MMU_NAK_LENGTH);
	board_close(b);
}

static void test_csrs(void **state)
{
	struct board *b = open_board();
	unsigned mode;
	uint64_t root, word;

	(void)state;
	assert_int_equal(board_set_context(b, 5, MMU_MODE_SV39, 0x3000), 0);
	assert_int_equal(board_get_context(b, 5, &mode, &root), 0);
	assert_int_equal(mode, MMU_MODE_SV39);
	assert_int_equal(root, 0x3000);
	assert_int_equal(board_get_context(b, 6, &mode, &root), 0);
	assert_int_equal(mode, MMU_MODE_OFF);
	/* refused: a misaligned root, a mode not built (textbook), a wide ASID */
	assert_int_equal(board_set_context(b, 5, MMU_MODE_SV39, 0x3008), BOARD_E_NAK);
	assert_int_equal(board_last_nak(b), MMU_NAK_ARGUMENT);
	assert_int_equal(board_set_context(b, 5, MMU_MODE_TEXTBOOK, 0x3000), BOARD_E_NAK);
	assert_int_equal(board_set_context(b, 300, MMU_MODE_SV39, 0x3000), MMU_E_INVAL);
	if (!icebreaker_board())
		assert_int_equal(board_set_context(b, 5, MMU_MODE_SV48, 0x3000), 0);
	else
		assert_int_equal(board_set_context(b, 5, MMU_MODE_SV48, 0x3000), BOARD_E_NAK);
	assert_int_equal(board_set_context(b, 5, MMU_MODE_SV39, 0x3000), 0);
	assert_int_equal(board_get_context(b, 5, &mode, &root), 0);
	assert_int_equal(root, 0x3000);
	assert_int_equal(board_set_policy(b, 0x3405), 0);
	assert_int_equal(board_get_policy(b, &word), 0);
	assert_int_equal(word, 0x3405);
	assert_int_equal(board_reset(b), 0);
	assert_int_equal(board_get_context(b, 5, &mode, &root), 0);
	assert_int_equal(mode, MMU_MODE_OFF);
	assert_int_equal(board_get_policy(b, &word), 0);
	assert_int_equal(word, 0);
	board_close(b);
}

/* Random page tables for mode in a 128 KiB image at 0, loaded into the
 * board; requests over mapped and unmapped pages; every response must equal
 * the model's, and afterwards board memory must equal the model's image (the
 * A/D updates). */
static void run_against_model(struct board *b, unsigned mode, unsigned seed, size_t *hw)
{
	struct mmu_config cfg;
	struct memimg img;
	struct mkpt pt;
	struct mmu_mem_ops ops;
	struct mmu_model *m;
	struct mmu_policy pol = { 0 };
	struct rng g;
	struct mmu_geometry geo;
	enum { NMAP = 40, NREQ = 700 };
	uint64_t vas[NMAP];
	static struct mmu_request q[NREQ];
	static struct mmu_response rb[NREQ], rm[NREQ];
	static uint8_t back[MEM];
	uint32_t cb[MMU_CNT_COUNT];
	struct mmu_counters cm;
	char err[256];
	uint64_t root = 0x1000;

	const struct board_info *bi = board_get_info(b);

	/* the model is configured as the board is built */
	mmu_config_default(&cfg);
	cfg.tlb_sets = bi->sets;
	cfg.tlb_ways = bi->ways;
	cfg.sp_entries = bi->sp_n;
	cfg.pwc_entries = bi->pwc_n;
	cfg.asid_bits = bi->asid_bits;
	cfg.pa_bits = bi->pa_bits;
	assert_int_equal(mmu_config_resolve(&cfg), 0);
	assert_int_equal(memimg_create(&img, 0, MEM, 0, err, sizeof(err)), 0);
	assert_int_equal(mkpt_init(&pt, &img, &cfg, mode, 0, root, 0, err, sizeof(err)), 0);
	geo = pt.g;
	g.s = seed;
	for (int i = 0; i < NMAP; i++) {
		int tries = 0;
		unsigned lvl = rng_pct(&g, 10) ? 1 : 0;
		unsigned shift = geo.page_bits + lvl * geo.idx_bits[0];
		uint64_t va, pa;
		unsigned perm;
		int rc;

		do {
			/* base pages in four regions of 8 MiB (Sv32: 16 MiB),
			 * so that the tables fit the board; superpages in four
			 * others */
			va = ((rng_below(&g, 4) + 4 * lvl) << (geo.va_bits - 4)) |
			     (rng_next(&g) & ((1ull << (mode == MMU_MODE_SV32 ? 24 : 23)) - 1));
			va = va >> shift << shift;
			pa = (rng_next(&g) & ((1ull << (mode == MMU_MODE_SV32 || bi->pa_bits < 40 ?
							   34 : 40)) - 1))
			     >> shift << shift;
			perm = (unsigned)rng_below(&g, 128) | PTE_R;
			if (mode != MMU_MODE_X86_64 && (perm & PTE_W))
				perm |= PTE_R;
			rc = mkpt_map(&pt, va, pa, shift, perm, err, sizeof(err));
			if (rc && ++tries > 1000)
				fail_msg("mkpt_map keeps failing: %s", err);
		} while (rc);
		vas[i] = va;
	}
	/* the tables (and zeros over what an earlier run left), and the
	 * context, in both */
	if (pt.next > *hw)
		*hw = pt.next;
	assert_int_equal(board_mem_write(b, 0, img.data, *hw), 0);
	memimg_ops(&img, &ops);
	assert_int_equal(mmu_model_new(&cfg, &ops, &m), 0);
	pol.ad_fault = (uint8_t)(mode != MMU_MODE_X86_64 && rng_pct(&g, 30));
	pol.sum = (uint8_t)rng_pct(&g, 50);
	pol.nxe = (uint8_t)rng_pct(&g, 50);
	pol.wp = (uint8_t)rng_pct(&g, 50);
	assert_int_equal(mmu_set_policy(m, &pol), 0);
	mmu_get_policy(m, &pol);
	assert_int_equal(board_set_policy(b, mmu_policy_word(&pol)), 0);
	assert_int_equal(mmu_set_context(m, 3, mode, root), 0);
	assert_int_equal(board_set_context(b, 3, mode, root), 0);
	assert_int_equal(board_stats(b, 1, NULL, NULL), 0);
	for (int i = 0; i < NREQ; i++) {
		q[i].va = rng_pct(&g, 85) ? vas[rng_below(&g, NMAP)] + (rng_next(&g) & 0xfff)
					    : rng_next(&g);
		q[i].asid = rng_pct(&g, 95) ? 3 : 4;
		q[i].access = (uint8_t)rng_below(&g, 3);
		q[i].priv = (uint8_t)rng_below(&g, 2);
		q[i].tag = (uint32_t)i;
	}
	/* in batches of odd sizes, with an invalidation between two of them */
	for (int i = 0; i < NREQ;) {
		int k = 1 + (int)rng_below(&g, 70);

		if (k > NREQ - i)
			k = NREQ - i;
		assert_int_equal(board_translate(b, q + i, (size_t)k, rb + i), 0);
		for (int j = i; j < i + k; j++)
			assert_int_equal(mmu_translate(m, &q[j], &rm[j]), 0);
		i += k;
		if (rng_pct(&g, 20)) {
			uint64_t va = vas[rng_below(&g, NMAP)];

			assert_int_equal(board_invalidate(b, MMU_INVAL_VA, 0, va), 0);
			assert_int_equal(mmu_invalidate(m, MMU_INVAL_VA, 0, va), 0);
		}
	}
	for (int i = 0; i < NREQ; i++) {
		if (memcmp(&rb[i], &rm[i], sizeof(rb[i])))
			fail_msg("mode %u seed %u request %d va 0x%llx: board cause %u pa 0x%llx "
				 "level %u perm %x shift %u hit %u exc %u err %x; model cause %u "
				 "pa 0x%llx level %u perm %x shift %u hit %u exc %u err %x",
				 mode, seed, i, (unsigned long long)q[i].va, rb[i].cause,
				 (unsigned long long)rb[i].pa, rb[i].level, rb[i].perm,
				 rb[i].page_shift, rb[i].hit, rb[i].exc, rb[i].err, rm[i].cause,
				 (unsigned long long)rm[i].pa, rm[i].level, rm[i].perm,
				 rm[i].page_shift, rm[i].hit, rm[i].exc, rm[i].err);
	}
	assert_int_equal(board_mem_read(b, 0, back, *hw), 0);
	assert_memory_equal(back, img.data, *hw);
	assert_int_equal(board_stats(b, 0, cb, NULL), 0);
	mmu_read_counters(m, &cm);
	for (int i = 0; i < MMU_CNT_COUNT; i++)
		if (cb[i] != cm.c[i] && i < MMU_CNT_INVAL_ALL)
			fail_msg("counter %s: board %u, model %u", mmu_cnt_name((unsigned)i), cb[i],
				 cm.c[i]);
	mmu_model_free(m);
	memimg_free(&img);
}

static void test_translate_against_model(void **state)
{
	static const unsigned modes[] = { MMU_MODE_SV39, MMU_MODE_SV48, MMU_MODE_SV32,
					  MMU_MODE_X86_64 };
	struct board *b = open_board();
	static const uint8_t zero[MEM];
	size_t hw = 0;

	(void)state;
	/* memory starts zeroed (RESET keeps it): clear what earlier tests wrote */
	assert_int_equal(board_mem_write(b, 0, zero, MEM), 0);
	for (unsigned s = 0; s < 2; s++)
		for (unsigned i = 0; i < 4; i++) {
			if (!(board_get_info(b)->modes >> modes[i] & 1))
				continue;
			assert_int_equal(board_reset(b), 0);
			run_against_model(b, modes[i], 100 + s * 4 + i, &hw);
		}
	board_close(b);
}

/* INFO still answers: 0 or the error */
static int read_info_ok(struct board *b)
{
	uint8_t a[MMU_LINK_INFO_BYTES];
	size_t n;
	int rc = board_call(b, MMU_MSG_INFO, NULL, 0, a, sizeof(a), &n);

	return rc ? rc : (n == sizeof(a) ? 0 : -1);
}

/* ---- bad input ---- */

static size_t frame(uint8_t type, uint16_t tag, const void *p, size_t n, uint8_t *out)
{
	size_t e = link_frame(type, tag, p, n, out, LINK_ENC_MAX(MMU_LINK_MAX_FRAME));

	assert_true(e > 0);
	return e;
}

/* Send raw bytes, then expect exactly the answer for `tag` with `type`. */
static void expect_answer(struct board *b, uint16_t tag, uint8_t type, uint8_t nak)
{
	uint8_t buf[MMU_LINK_MAX_FRAME];
	size_t len;

	assert_int_equal(board_recv_raw(b, buf, sizeof(buf), &len), 0);
	assert_int_equal(link_get16(buf + MMU_HDR_TAG), tag);
	assert_int_equal(buf[MMU_HDR_TYPE], type);
	if (type == MMU_MSG_NAK)
		assert_int_equal(buf[MMU_LINK_HDR_BYTES], nak);
}

static void test_bad_input(void **state)
{
	struct board *b = open_board();
	uint8_t e[LINK_ENC_MAX(MMU_LINK_MAX_FRAME) + 700], raw[MMU_LINK_MAX_FRAME];
	uint16_t link[MMU_LCNT_COUNT];
	struct rng g;
	size_t n;
	uint16_t crc;

	(void)state;
	memset(raw, 0, sizeof(raw));
	assert_int_equal(board_stats(b, 1, NULL, NULL), 0);
	/* garbage without a delimiter, then one: one framing or CRC drop */
	g.s = 3;
	for (int i = 0; i < 200; i++)
		e[i] = (uint8_t)(1 + rng_below(&g, 255));
	e[200] = 0;
	assert_int_equal(board_send_raw(b, e, 201), 0);
	/* a bit flip in a frame's payload */
	n = frame(MMU_MSG_INFO, 0x101, NULL, 0, e);
	e[2] ^= 0x04;
	assert_int_equal(board_send_raw(b, e, n), 0);
	/* a truncated frame (the delimiter cuts the last block) */
	n = frame(MMU_MSG_FENCE, 0x102, NULL, 0, e);
	e[n - 3] = 0;
	assert_int_equal(board_send_raw(b, e, n - 2), 0);
	/* an oversize frame */
	memset(e, 0x41, 700);
	e[700] = 0;
	assert_int_equal(board_send_raw(b, e, 701), 0);
	/* a good FENCE: the only answer so far */
	n = frame(MMU_MSG_FENCE, 0x103, NULL, 0, e);
	assert_int_equal(board_send_raw(b, e, n), 0);
	expect_answer(b, 0x103, MMU_MSG_FENCE | MMU_MSG_ANSWER, 0);
	/* good CRC, bad content: NAKed with the tag */
	n = frame(0x42, 0x104, NULL, 0, e);
	assert_int_equal(board_send_raw(b, e, n), 0);
	expect_answer(b, 0x104, MMU_MSG_NAK, MMU_NAK_TYPE);
	n = frame(MMU_MSG_INFO, 0x105, "x", 1, e);
	assert_int_equal(board_send_raw(b, e, n), 0);
	expect_answer(b, 0x105, MMU_MSG_NAK, MMU_NAK_LENGTH);
	n = frame(MMU_MSG_TRANSLATE, 0x106, raw, MMU_LINK_TREQ_BYTES + 1, e);
	assert_int_equal(board_send_raw(b, e, n), 0);
	expect_answer(b, 0x106, MMU_MSG_NAK, MMU_NAK_LENGTH);
	memset(raw, 0, sizeof(raw));
	raw[MMU_TREQ_FLAGS] = 3;          /* access 3 does not exist */
	n = frame(MMU_MSG_TRANSLATE, 0x107, raw, MMU_LINK_TREQ_BYTES, e);
	assert_int_equal(board_send_raw(b, e, n), 0);
	expect_answer(b, 0x107, MMU_MSG_NAK, MMU_NAK_ARGUMENT);
	n = frame(MMU_MSG_TRANSLATE, 0x108, raw, MMU_LINK_TREQ_BYTES * (MMU_LINK_MAX_BATCH + 1), e);
	assert_int_equal(board_send_raw(b, e, n), 0);
	expect_answer(b, 0x108, MMU_MSG_NAK, MMU_NAK_LENGTH);
	raw[0] = 7;                       /* no such CSR */
	n = frame(MMU_MSG_CSR_WRITE, 0x109, raw, MMU_LINK_CSR_BYTES, e);
	assert_int_equal(board_send_raw(b, e, n), 0);
	expect_answer(b, 0x109, MMU_MSG_NAK, MMU_NAK_ARGUMENT);
	link_put32(raw, MEM - 2);         /* a write past the end */
	n = frame(MMU_MSG_MEM_WRITE, 0x10a, raw, MMU_LINK_MEM_HDR + 3, e);
	assert_int_equal(board_send_raw(b, e, n), 0);
	expect_answer(b, 0x10a, MMU_MSG_NAK, MMU_NAK_ADDRESS);
	/* a version this board does not speak: built by hand */
	raw[0] = 9;
	raw[1] = MMU_MSG_INFO;
	link_put16(raw + 2, 0x10b);
	crc = link_crc16(raw, 4);
	raw[4] = (uint8_t)(crc >> 8);
	raw[5] = (uint8_t)crc;
	n = link_cobs_encode(raw, 6, e);
	assert_int_equal(board_send_raw(b, e, n), 0);
	expect_answer(b, 0x10b, MMU_MSG_NAK, MMU_NAK_VERSION);
	/* the board's own count of what it dropped and refused */
	assert_int_equal(board_stats(b, 0, NULL, link), 0);
	assert_int_equal(link[MMU_LCNT_CRC] + link[MMU_LCNT_FRAMING], 3);
	assert_int_equal(link[MMU_LCNT_OVERSIZE], 1);
	assert_int_equal(link[MMU_LCNT_NAKS], 8);
	assert_int_equal(link[MMU_LCNT_FRAMES], 10);
	/* still answering, and memory was not touched by the refused write */
	assert_int_equal(board_mem_read(b, MEM - 8, raw, 8), 0);
	memset(e, 0, 8);
	assert_memory_equal(raw, e, 8);
	board_close(b);
}

/* ---- fuzz: random and mutated frames interleaved with valid ones ----
 *
 * The host's decoder (link_rx, the same rules as the board's receiver) is run
 * over exactly the bytes sent, so the test knows which frames the board must
 * see: every frame that decodes with a good CRC must be answered exactly
 * once, in order, with an ANSWER if it is a well-formed request and a NAK
 * otherwise; everything else must be dropped and counted, and the board's
 * link counters must equal the host decoder's counts.  Frames: $LINK_FUZZ
 * (default 20000; `make fuzz` runs 1,000,000). */

struct fuzz {
	struct rng g;
	struct link_rx rx;          /* the host's model of the board's receiver */
	uint8_t buf[1 << 16];
	size_t len;
	uint16_t expect_tag[8192];  /* answers owed for this burst, in order */
	uint8_t expect_type[8192];
	size_t nexpect;
	unsigned long crc, framing, oversize, frames, naks, valid_sent;
};

/* Append bytes to the burst, running the host decoder over them. */
static void fz_put(struct fuzz *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		enum link_rx_event ev = link_rx_byte(&f->rx, p[i]);

		f->buf[f->len++] = p[i];
		if (ev == LINK_RX_CRC)
			f->crc++;
		else if (ev == LINK_RX_FRAMING)
			f->framing++;
		else if (ev == LINK_RX_OVERSIZE)
			f->oversize++;
		else if (ev == LINK_RX_FRAME) {
			const uint8_t *fr = f->rx.frame;
			size_t plen = f->rx.frame_len - MMU_LINK_HDR_BYTES;
			uint8_t type = fr[MMU_HDR_TYPE];
			int ok = fr[MMU_HDR_VERSION] == MMU_LINK_VERSION;

			/* the only requests the generator makes well-formed are these */
			if (type == MMU_MSG_INFO || type == MMU_MSG_FENCE)
				ok &= plen == 0;
			else if (type == MMU_MSG_STATS)
				ok &= plen == 1 && fr[MMU_LINK_HDR_BYTES] == 0;
			else if (type == MMU_MSG_CSR_READ)
				ok &= plen == 3 && fr[4] == MMU_CSR_POLICY;
			else
				ok = 0;
			f->frames++;
			assert_true(f->nexpect < 8192);
			f->expect_tag[f->nexpect] = link_get16(fr + MMU_HDR_TAG);
			f->expect_type[f->nexpect++] = ok ? (uint8_t)(type | MMU_MSG_ANSWER) : MMU_MSG_NAK;
			if (!ok)
				f->naks++;
		}
	}
}

static void fz_frame(struct fuzz *f, int mutate)
{
	static const uint8_t types[] = { MMU_MSG_INFO, MMU_MSG_FENCE, MMU_MSG_STATS,
					 MMU_MSG_CSR_READ };
	uint8_t payload[8] = { 0 }, enc[LINK_ENC_MAX(MMU_LINK_MAX_FRAME)];
	uint8_t type = types[rng_below(&f->g, 4)];
	size_t plen = 0, n;

	if (type == MMU_MSG_STATS)
		plen = 1;
	if (type == MMU_MSG_CSR_READ) {
		payload[0] = MMU_CSR_POLICY;
		plen = 3;
	}
	if (mutate == 4)            /* well-framed but refused: unknown type or bad length */
		type = rng_pct(&f->g, 50) ? (uint8_t)(11 + rng_below(&f->g, 100)) : type;
	if (mutate == 4 && type <= MMU_MSG_RESET)
		plen += 1 + rng_below(&f->g, 4);
	n = link_frame(type, (uint16_t)rng_next(&f->g), payload, plen, enc, sizeof(enc));
	switch (mutate) {
	case 1:                     /* flip 1..3 bits, delimiter included */
		for (unsigned k = 1 + (unsigned)rng_below(&f->g, 3); k; k--)
			enc[rng_below(&f->g, n)] ^= (uint8_t)(1u << rng_below(&f->g, 8));
		break;
	case 2:                     /* truncated */
		n = 1 + rng_below(&f->g, n - 1);
		break;
	case 3:                     /* random bytes replace part of it */
		for (size_t i = rng_below(&f->g, n); i < n; i++)
			if (rng_pct(&f->g, 30))
				enc[i] = (uint8_t)rng_next(&f->g);
		break;
	default:
		break;
	}
	if (mutate) {
		fz_put(f, enc, n);
		return;
	}
	/* a valid frame starts with a delimiter, as the host library sends it, so
	 * that junk before it cannot swallow it: the board must answer it */
	f->valid_sent++;
	fz_put(f, (const uint8_t[]){ 0 }, 1);
	fz_put(f, enc, n);
	assert_int_equal(f->expect_tag[f->nexpect - 1], link_get16(f->rx.frame + MMU_HDR_TAG));
	assert_int_equal(f->expect_type[f->nexpect - 1], type | MMU_MSG_ANSWER);
}

/* Send the burst, then take exactly the answers it owes, in order. */
static void fz_flush(struct fuzz *f, struct board *b)
{
	uint8_t ans[MMU_LINK_MAX_FRAME];
	size_t alen;

	assert_int_equal(board_send_raw(b, f->buf, f->len), 0);
	for (size_t i = 0; i < f->nexpect; i++) {
		assert_int_equal(board_recv_raw(b, ans, sizeof(ans), &alen), 0);
		if (link_get16(ans + MMU_HDR_TAG) != f->expect_tag[i] ||
		    ans[MMU_HDR_TYPE] != f->expect_type[i])
			fail_msg("answer %zu of the burst: tag 0x%04x type 0x%02x, expected tag "
				 "0x%04x type 0x%02x", i, link_get16(ans + MMU_HDR_TAG),
				 ans[MMU_HDR_TYPE], f->expect_tag[i], f->expect_type[i]);
	}
	f->len = 0;
	f->nexpect = 0;
}

static void test_fuzz(void **state)
{
	struct board *b = open_board();
	static struct fuzz f;
	const char *env = getenv("LINK_FUZZ");
	unsigned long total = env ? strtoul(env, NULL, 0) : 20000;
	uint16_t link[MMU_LCNT_COUNT];
	uint8_t ans[MMU_LINK_MAX_FRAME], junk[600];
	size_t alen;

	/* A burst is sent whole before its answers are read.  A UART has no
	 * flow control: there a burst must fit the board's window (its receive
	 * FIFO), so that nothing is lost; the next item is at most 601 bytes. */
	size_t limit = uart_board() ? board_get_info(b)->window - 610 : sizeof(f.buf) - 2048;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.g.s = 0xf022;
	link_rx_init(&f.rx);
	assert_int_equal(board_stats(b, 1, NULL, NULL), 0);
	for (unsigned long i = 0; i < total; i++) {
		unsigned r = (unsigned)rng_below(&f.g, 100);

		if (r < 60) {
			fz_frame(&f, 0);
		} else if (r < 90) {
			fz_frame(&f, 1 + (int)rng_below(&f.g, 4));
		} else if (r < 97) {        /* random bytes, zeros rare */
			size_t n = 1 + rng_below(&f.g, 80);

			for (size_t k = 0; k < n; k++)
				junk[k] = rng_pct(&f.g, 3) ? 0 : (uint8_t)(1 + rng_below(&f.g, 255));
			fz_put(&f, junk, n);
		} else {                    /* oversize: 501..600 non-zero bytes */
			size_t n = 501 + rng_below(&f.g, 100);

			memset(junk, 0x5a, n);
			fz_put(&f, junk, n);
		}
		if (f.len > limit || f.nexpect > 8000)
			fz_flush(&f, b);
	}
	/* close whatever is open, then everything must have been answered */
	fz_put(&f, (const uint8_t[]){ 0 }, 1);
	fz_flush(&f, b);
	board_set_timeout(b, 200);
	assert_int_equal(board_recv_raw(b, ans, sizeof(ans), &alen), BOARD_E_TIMEOUT);
	board_set_timeout(b, 10000);
	/* the board still answers, and counted what the host decoder saw */
	assert_int_equal(board_stats(b, 0, NULL, link), 0);
	assert_int_equal(link[MMU_LCNT_CRC], (uint16_t)f.crc);
	assert_int_equal(link[MMU_LCNT_FRAMING], (uint16_t)f.framing);
	assert_int_equal(link[MMU_LCNT_OVERSIZE], (uint16_t)f.oversize);
	assert_int_equal(link[MMU_LCNT_FRAMES], (uint16_t)(f.frames + 1));   /* + STATS */
	assert_int_equal(link[MMU_LCNT_NAKS], (uint16_t)f.naks);
	assert_int_equal(read_info_ok(b), 0);
	assert_true(f.frames - f.naks >= f.valid_sent);
	print_message("fuzz: %lu frames and junk runs, %lu valid requests, %lu answered frames "
		      "(%lu NAKed), dropped: %lu CRC, %lu framing, %lu oversize\n", total,
		      f.valid_sent, f.frames, f.naks, f.crc, f.framing, f.oversize);
	board_close(b);
}

/* ---- every failing call ---- */

/* The device layer over the virtual board, end to end: open (a process, a
 * socket, INFO), memory written and read back, a context, translations,
 * a fence, the counters, close.  The first failure ends it; what ran before
 * must have been right. */
static int sim_scenario(void *ctx)
{
	struct mmu_request q[16];
	struct mmu_response r[16];
	struct mmu_counters c;
	uint8_t in[64], out[64];
	struct dev *d;
	char err[256] = "";
	int rc;

	(void)ctx;
	rc = dev_open(&d, "sim", NULL, 0, err, sizeof(err));
	if (rc) {
		assert_null(d);
		assert_true(err[0] != '\0');   /* a failed open says why */
		return rc;
	}
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 1);
	memset(out, 0, sizeof(out));
	rc = dev_mem_write(d, 0x2000, in, sizeof(in));
	if (!rc)
		rc = dev_mem_read(d, 0x2000, out, sizeof(out));
	if (!rc)
		assert_memory_equal(in, out, sizeof(in));
	if (!rc)
		rc = dev_set_context(d, 1, MMU_MODE_SV39, 0x1000);
	test_read_batch(q, r, 16, 500);
	if (!rc)
		rc = dev_translate(d, q, 16, r);
	for (size_t k = 0; !rc && k < 16; k++)
		assert_int_equal(r[k].tag, 500 + k);
	if (!rc)
		rc = dev_fence(d);
	if (!rc)
		rc = dev_stats(d, 0, &c);
	dev_close(d);
	return rc;
}

/* Each allocation and system call on the way fails in turn: every run
 * answers 0 or an error, and leaves no descriptor, process or memory
 * behind (ASan and valgrind run this suite too). */
static void test_every_failing_call(void **state)
{
	long n;

	(void)state;
	n = testfail_each(TF_ALLOC | TF_SYS, 1, 400, sim_scenario, NULL, NULL);
	print_message("every failing call: %ld calls made to fail in turn\n", n);
	assert_true(n > 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc_check_value),
		cmocka_unit_test(test_cobs_vectors),
		cmocka_unit_test(test_decoder_round_trip_and_errors),
		cmocka_unit_test(test_feed_equals_bytewise),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_csrs),
		cmocka_unit_test(test_translate_against_model),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_every_failing_call),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

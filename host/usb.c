/*
 * usb.c - the `usb` byte transport under the board link (see usb.h).
 *
 * IN: USB_N_IN bulk transfers stay submitted all the time; each completed
 * one has its FTDI status bytes stripped per packet and its data appended to
 * a ring that recv() empties.  OUT: send() gathers bytes; recv() (or a full
 * buffer) submits them as one bulk transfer, with up to USB_N_OUT in flight.
 * Callbacks only record what happened: a stall is cleared (clear halt, purge)
 * and a disconnect is reported from recv(), outside libusb's event handling.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libusb.h>
#include "board.h"
#include "usb.h"

#define USB_N_IN 4
#define USB_N_OUT 4
#define USB_XFER_BYTES 16384
#define USB_RING_BYTES (256 * 1024)
#define USB_CTRL_TIMEOUT_MS 1000

/* FTDI vendor requests (bmRequestType 0x40) */
enum {
	FTDI_RESET = 0x00,       /* wValue 0 reset, 1 purge RX, 2 purge TX */
	FTDI_SET_FLOW = 0x02,    /* wIndex high byte: 0 none, 1 RTS/CTS */
	FTDI_SET_BAUD = 0x03,
	FTDI_SET_DATA = 0x04,    /* wValue 8: 8 bits, no parity, 1 stop bit */
	FTDI_SET_EVENT = 0x06,   /* wValue: char | 1 << 8 to enable */
	FTDI_SET_LATENCY = 0x09, /* ms */
	FTDI_SET_BITMODE = 0x0B, /* wValue: mode << 8 | mask */
};
#define FTDI_MODE_RESET 0x00
#define FTDI_MODE_SYNCFF 0x40

struct usb_io {
	libusb_context *ctx;
	libusb_device_handle *h;
	struct usb_opts o;
	uint16_t port;          /* FTDI wIndex: channel A 1, B 2, ... */
	uint8_t ep_in, ep_out;
	unsigned pkt;           /* IN packet size: the status bytes repeat at this stride */
	int claimed, closing, gone;
	int stall_in, stall_out;
	struct libusb_transfer *in[USB_N_IN];
	int in_busy[USB_N_IN];
	struct libusb_transfer *out[USB_N_OUT];
	int out_busy[USB_N_OUT];
	uint8_t *ring;
	size_t r_head, r_len;
	uint8_t obuf[USB_XFER_BYTES];
	size_t olen;
	struct usb_stats st;
};

/* ---- options ---- */

static int parse_hex16(const char *t, uint16_t *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(t, &end, 16);
	if (errno || *end || !*t || x > 0xFFFF || !strchr("0123456789abcdefABCDEF", *t))
		return -1;
	*v = (uint16_t)x;
	return 0;
}

static int parse_num(const char *tok, unsigned long lo, unsigned long hi, unsigned *out,
		     char *err, size_t errlen)
{
	const char *val = strchr(tok, '=') + 1;
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(val, &end, 10);
	if (errno || *end || !*val || *val == '-' || v < lo || v > hi) {
		snprintf(err, errlen, "usb: '%s': give a number from %lu to %lu", tok, lo, hi);
		return MMU_E_INVAL;
	}
	*out = (unsigned)v;
	return 0;
}

int usb_parse(const char *s, struct usb_opts *o, char *err, size_t errlen)
{
	char buf[256], *tok[16];
	size_t ntok = 0, i = 0;
	int have_kind = 0, have_iface = 0;

	o->vid = USB_FTDI_VID;
	o->pid = USB_FT2232H_PID;
	o->kind = USB_FTDI_UART;
	o->iface = 1;
	o->baud = USB_DEFAULT_BAUD;
	o->latency_ms = 2;
	o->timeout_ms = 2000;
	if (!s || !*s)
		return 0;
	if (strlen(s) >= sizeof(buf)) {
		snprintf(err, errlen, "usb: options too long");
		return MMU_E_INVAL;
	}
	strcpy(buf, s);
	for (char *p = buf;; p++) {
		if (ntok == sizeof(tok) / sizeof(tok[0])) {
			snprintf(err, errlen, "usb: too many options");
			return MMU_E_INVAL;
		}
		tok[ntok++] = p;
		p = strchr(p, ':');
		if (!p)
			break;
		*p = '\0';
	}
	if (!strchr(tok[0], '=') && strcmp(tok[0], "uart") && strcmp(tok[0], "fifo") &&
	    strcmp(tok[0], "bulk")) {
		if (parse_hex16(tok[0], &o->vid) || ntok < 2 || parse_hex16(tok[1], &o->pid)) {
			snprintf(err, errlen, "usb: '%s' is not VID:PID (two hex numbers, as lsusb "
				 "shows them)", s);
			return MMU_E_INVAL;
		}
		i = 2;
	}
	for (; i < ntok; i++) {
		const char *t = tok[i];
		int rc = 0;

		if (!strcmp(t, "uart") || !strcmp(t, "fifo") || !strcmp(t, "bulk")) {
			o->kind = t[0] == 'u' ? USB_FTDI_UART : t[0] == 'f' ? USB_FTDI_FIFO : USB_BULK;
			have_kind = 1;
		} else if (!strncmp(t, "channel=", 8) && t[8] >= 'a' && t[8] <= 'd' && !t[9]) {
			o->iface = (unsigned)(t[8] - 'a');
			have_iface = 1;
		} else if (!strncmp(t, "if=", 3)) {
			rc = parse_num(t, 0, 31, &o->iface, err, errlen);
			have_iface = 1;
		} else if (!strncmp(t, "baud=", 5)) {
			rc = parse_num(t, 733, 12000000, &o->baud, err, errlen);
		} else if (!strncmp(t, "latency=", 8)) {
			rc = parse_num(t, 1, 255, &o->latency_ms, err, errlen);
		} else if (!strncmp(t, "timeout=", 8)) {
			rc = parse_num(t, 10, 600000, &o->timeout_ms, err, errlen);
		} else {
			snprintf(err, errlen, "usb: unknown option '%s' (uart, fifo, bulk, if=N, "
				 "channel=a..d, baud=N, latency=MS, timeout=MS)", t);
			return MMU_E_INVAL;
		}
		if (rc)
			return rc;
	}
	if (!have_kind) {
		if (o->vid == USB_FTDI_VID && o->pid == USB_FT2232H_PID)
			o->kind = USB_FTDI_UART;
		else if (o->vid == USB_FTDI_VID && o->pid == USB_FT232H_PID)
			o->kind = USB_FTDI_FIFO;
		else
			o->kind = USB_BULK;
	}
	if (!have_iface)
		o->iface = o->kind == USB_FTDI_UART && o->pid == USB_FT2232H_PID ? 1 : 0;
	return 0;
}

int usb_ftdi_divisor(unsigned baud, uint16_t *value, uint8_t *index_hi, unsigned *actual)
{
	/* the sub-integer part in eighths, as the chip encodes it */
	static const uint8_t frac_code[8] = { 0, 3, 2, 4, 1, 5, 6, 7 };
	const uint64_t clk8 = 12000000ull * 8;  /* 120 MHz / 10, in eighths */
	uint64_t d3;
	uint32_t enc;

	if (baud < 733 || baud > 12000000)
		return MMU_E_INVAL;
	d3 = (clk8 + baud / 2) / baud;
	if (d3 < 10) {          /* 12 Mbaud: divisor code 0 */
		enc = 0;
		d3 = 8;
	} else if (d3 < 14) {   /* 8 Mbaud: divisor code 1 means 1.5 */
		enc = 1;
		d3 = 12;
	} else {
		if (d3 < 16)
			d3 = 16;
		enc = (uint32_t)(d3 >> 3) | (uint32_t)frac_code[d3 & 7] << 14;
	}
	enc |= 1u << 17;        /* H chips: the 120 MHz clock, not 48 MHz */
	*value = (uint16_t)enc;
	*index_hi = (uint8_t)(enc >> 16);
	*actual = (unsigned)((clk8 + d3 / 2) / d3);
	return 0;
}

/* ---- transfers ---- */

/* The ring's bytes from index at for n bytes, wrapping, are at most two runs:
 * [at, at + first) and [0, n - first). */
static size_t ring_first(size_t at, size_t n)
{
	return USB_RING_BYTES - at < n ? USB_RING_BYTES - at : n;
}

/* Append what fits; the rest is lost and counted as an overflow. */
static void ring_put(struct usb_io *u, const uint8_t *p, size_t n)
{
	size_t room = USB_RING_BYTES - u->r_len, at = (u->r_head + u->r_len) % USB_RING_BYTES, first;

	if (n > room) {
		u->st.overflows++;
		n = room;
	}
	first = ring_first(at, n);
	memcpy(u->ring + at, p, first);
	memcpy(u->ring, p + first, n - first);
	u->r_len += n;
}

/* Put transfer t (busy flag *busy) in flight; a refusal means the device is
 * gone. */
static int submit(struct usb_io *u, struct libusb_transfer *t, int *busy)
{
	if (libusb_submit_transfer(t)) {
		u->gone = 1;
		return BOARD_E_GONE;
	}
	*busy = 1;
	return 0;
}

static void LIBUSB_CALL in_done(struct libusb_transfer *t)
{
	struct usb_io *u = t->user_data;
	int i = 0;

	while (i < USB_N_IN && u->in[i] != t)
		i++;
	u->in_busy[i] = 0;
	switch (t->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		u->st.in_transfers++;
		if (u->o.kind == USB_BULK) {
			ring_put(u, t->buffer, (size_t)t->actual_length);
		} else {
			for (int off = 0; off < t->actual_length; off += (int)u->pkt) {
				int n = t->actual_length - off < (int)u->pkt ? t->actual_length - off
									   : (int)u->pkt;

				u->st.in_packets++;
				if (n <= 2)
					u->st.status_only_packets++;
				else
					ring_put(u, t->buffer + off + 2, (size_t)(n - 2));
			}
		}
		break;
	case LIBUSB_TRANSFER_STALL:
		u->stall_in = 1;
		return;
	case LIBUSB_TRANSFER_NO_DEVICE:
		u->gone = 1;
		return;
	case LIBUSB_TRANSFER_CANCELLED:
		return;
	default:                /* error, timeout, overflow: try again */
		break;
	}
	if (!u->closing && !u->gone && !u->stall_in)
		submit(u, t, &u->in_busy[i]);
}

static void LIBUSB_CALL out_done(struct libusb_transfer *t)
{
	struct usb_io *u = t->user_data;
	int i = 0;

	while (i < USB_N_OUT && u->out[i] != t)
		i++;
	u->out_busy[i] = 0;
	if (t->status == LIBUSB_TRANSFER_COMPLETED) {
		u->st.out_transfers++;
		if (t->actual_length == t->length)
			return;
		/* a short write: send the rest */
		memmove(t->buffer, t->buffer + t->actual_length,
			(size_t)(t->length - t->actual_length));
		t->length -= t->actual_length;
	} else if (t->status == LIBUSB_TRANSFER_NO_DEVICE) {
		u->gone = 1;
		return;
	} else if (t->status == LIBUSB_TRANSFER_STALL) {
		u->stall_out = 1;
		return;
	} else if (t->status == LIBUSB_TRANSFER_CANCELLED) {
		return;
	}
	if (!u->closing && !u->gone)
		submit(u, t, &u->out_busy[i]);
}

static int ftdi_req(struct usb_io *u, uint8_t req, uint16_t value, uint16_t index)
{
	int r = libusb_control_transfer(u->h, LIBUSB_REQUEST_TYPE_VENDOR | LIBUSB_RECIPIENT_DEVICE |
					LIBUSB_ENDPOINT_OUT, req, value, index, NULL, 0,
					USB_CTRL_TIMEOUT_MS);

	if (r == LIBUSB_ERROR_NO_DEVICE)
		u->gone = 1;
	return r;
}

static int purge(struct usb_io *u)
{
	if (u->o.kind == USB_BULK)
		return 0;
	u->st.purges++;
	if (ftdi_req(u, FTDI_RESET, 1, u->port) < 0 || ftdi_req(u, FTDI_RESET, 2, u->port) < 0)
		return BOARD_E_GONE;
	return 0;
}

/* Run libusb's events for at most ms milliseconds (0: only what is ready). */
static int pump(struct usb_io *u, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	int r = libusb_handle_events_timeout_completed(u->ctx, &tv, NULL);

	if (r == LIBUSB_ERROR_NO_DEVICE)
		u->gone = 1;
	else if (r < 0 && r != LIBUSB_ERROR_INTERRUPTED && r != LIBUSB_ERROR_TIMEOUT)
		u->gone = 1;
	return u->gone ? BOARD_E_GONE : 0;
}

/* After a stall: clear the halt, purge the chip's buffers, and put the
 * transfers back.  The link's framing and retransmission recover the data. */
static int recover(struct usb_io *u)
{
	if (u->stall_in) {
		u->st.stalls++;
		if (libusb_clear_halt(u->h, u->ep_in) == LIBUSB_ERROR_NO_DEVICE)
			return BOARD_E_GONE;
		if (purge(u))
			return BOARD_E_GONE;
		u->stall_in = 0;
		for (int i = 0; i < USB_N_IN; i++)
			if (!u->in_busy[i] && submit(u, u->in[i], &u->in_busy[i]))
				return BOARD_E_GONE;
	}
	if (u->stall_out) {
		u->st.stalls++;
		if (libusb_clear_halt(u->h, u->ep_out) == LIBUSB_ERROR_NO_DEVICE)
			return BOARD_E_GONE;
		u->stall_out = 0;
		/* a stalled OUT transfer's bytes are dropped: the link resends */
	}
	return 0;
}

static int flush(struct usb_io *u)
{
	int slot;

	if (!u->olen)
		return 0;
	for (;;) {
		if (u->gone)
			return BOARD_E_GONE;
		if ((u->stall_in || u->stall_out) && recover(u))
			return BOARD_E_GONE;
		for (slot = 0; slot < USB_N_OUT && u->out_busy[slot]; slot++)
			;
		if (slot < USB_N_OUT)
			break;
		if (pump(u, 100))
			return BOARD_E_GONE;
	}
	memcpy(u->out[slot]->buffer, u->obuf, u->olen);
	u->out[slot]->length = (int)u->olen;
	u->olen = 0;
	return submit(u, u->out[slot], &u->out_busy[slot]);
}

static int usb_send(void *ctx, const uint8_t *p, size_t n)
{
	struct usb_io *u = ctx;

	while (n) {
		size_t k = sizeof(u->obuf) - u->olen;

		if (u->gone)
			return BOARD_E_GONE;
		if (k > n)
			k = n;
		memcpy(u->obuf + u->olen, p, k);
		u->olen += k;
		p += k;
		n -= k;
		if (u->olen == sizeof(u->obuf) && flush(u))
			return BOARD_E_GONE;
	}
	return 0;
}

static long usb_recv(void *ctx, uint8_t *p, size_t cap, int timeout_ms)
{
	struct usb_io *u = ctx;
	long deadline = board_now_ms() + timeout_ms;

	if (flush(u))
		return BOARD_E_GONE;
	for (;;) {
		long left;

		if (u->r_len) {
			size_t n = u->r_len < cap ? u->r_len : cap;

			size_t first = ring_first(u->r_head, n);

			memcpy(p, u->ring + u->r_head, first);
			memcpy(p + first, u->ring, n - first);
			u->r_head = (u->r_head + n) % USB_RING_BYTES;
			u->r_len -= n;
			return (long)n;
		}
		if (u->gone)
			return BOARD_E_GONE;
		if ((u->stall_in || u->stall_out) && recover(u))
			return BOARD_E_GONE;
		left = deadline - board_now_ms();
		if (left <= 0)
			return BOARD_E_TIMEOUT;
		if (pump(u, left < 100 ? (int)left : 100))
			return BOARD_E_GONE;
	}
}

static int usb_resync(void *ctx)
{
	struct usb_io *u = ctx;

	if (u->gone)
		return BOARD_E_GONE;
	return purge(u);
}

static void usb_close_io(void *ctx)
{
	struct usb_io *u = ctx;

	if (!u)
		return;
	u->closing = 1;
	for (int i = 0; i < USB_N_IN; i++)
		if (u->in_busy[i])
			libusb_cancel_transfer(u->in[i]);
	for (int i = 0; i < USB_N_OUT; i++)
		if (u->out_busy[i])
			libusb_cancel_transfer(u->out[i]);
	for (int tries = 0; tries < 50; tries++) {
		int busy = 0;

		for (int i = 0; i < USB_N_IN; i++)
			busy |= u->in_busy[i];
		for (int i = 0; i < USB_N_OUT; i++)
			busy |= u->out_busy[i];
		if (!busy)
			break;
		struct timeval tv = { 0, 20000 };
		libusb_handle_events_timeout_completed(u->ctx, &tv, NULL);
	}
	if (u->claimed)
		libusb_release_interface(u->h, (int)u->o.iface);
	/* closing the handle takes back whatever is still in flight (a device
	 * that vanished never completes its transfers); then they can go */
	if (u->h)
		libusb_close(u->h);
	for (int i = 0; i < USB_N_IN; i++)
		if (u->in[i])
			libusb_free_transfer(u->in[i]);   /* frees its buffer too */
	for (int i = 0; i < USB_N_OUT; i++)
		if (u->out[i])
			libusb_free_transfer(u->out[i]);
	if (u->ctx)
		libusb_exit(u->ctx);
	free(u->ring);
	free(u);
}

static int usb_timeout(void *ctx)
{
	return (int)((struct usb_io *)ctx)->o.timeout_ms;
}

static const struct board_io usb_io_ops = {
	"usb", usb_send, usb_recv, usb_resync, usb_close_io, usb_timeout,
};

const struct usb_stats *board_usb_stats(const struct board *b)
{
	struct usb_io *u = board_io_ctx(b, &usb_io_ops);

	return u ? &u->st : NULL;
}

/* ---- opening ---- */

static const char *kind_name(enum usb_kind k)
{
	return k == USB_FTDI_UART ? "FTDI UART" : k == USB_FTDI_FIFO ? "FTDI synchronous FIFO"
								     : "vendor bulk";
}

/* Find the device and its endpoints; *err says what is wrong. */
static int find_and_open(struct usb_io *u, char *err, size_t errlen)
{
	libusb_device **list;
	libusb_device *dev = NULL;
	struct libusb_config_descriptor *cfg = NULL;
	ssize_t n = libusb_get_device_list(u->ctx, &list);
	int r;

	if (n < 0) {
		snprintf(err, errlen, "cannot list USB devices: %s", libusb_strerror((int)n));
		return MMU_E_IO;
	}
	for (ssize_t i = 0; i < n && !dev; i++) {
		struct libusb_device_descriptor dd;

		if (libusb_get_device_descriptor(list[i], &dd) == 0 && dd.idVendor == u->o.vid &&
		    dd.idProduct == u->o.pid)
			dev = list[i];
	}
	if (!dev) {
		libusb_free_device_list(list, 1);
		snprintf(err, errlen, "no USB device %04x:%04x found (is the board plugged in? "
			 "see docs/bringup.md)", u->o.vid, u->o.pid);
		return MMU_E_IO;
	}
	r = libusb_open(dev, &u->h);
	if (r) {
		libusb_free_device_list(list, 1);
		snprintf(err, errlen, "cannot open USB device %04x:%04x: %s%s", u->o.vid, u->o.pid,
			 libusb_strerror(r), r == LIBUSB_ERROR_ACCESS ?
			 " (no permission: see the udev rule in docs/bringup.md)" : "");
		return MMU_E_IO;
	}
	r = libusb_get_active_config_descriptor(dev, &cfg);
	libusb_free_device_list(list, 1);
	if (r) {
		snprintf(err, errlen, "cannot read the configuration: %s", libusb_strerror(r));
		return MMU_E_IO;
	}
	for (int i = 0; i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface_descriptor *id = &cfg->interface[i].altsetting[0];

		if (cfg->interface[i].num_altsetting < 1 || id->bInterfaceNumber != u->o.iface)
			continue;
		for (int e = 0; e < id->bNumEndpoints; e++) {
			const struct libusb_endpoint_descriptor *ed = &id->endpoint[e];

			if ((ed->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
				continue;
			if (ed->bEndpointAddress & LIBUSB_ENDPOINT_IN) {
				if (!u->ep_in) {
					u->ep_in = ed->bEndpointAddress;
					u->pkt = ed->wMaxPacketSize;
				}
			} else if (!u->ep_out) {
				u->ep_out = ed->bEndpointAddress;
			}
		}
	}
	libusb_free_config_descriptor(cfg);
	if (!u->ep_in || !u->ep_out || u->pkt < 8) {
		snprintf(err, errlen, "USB device %04x:%04x has no bulk IN and OUT endpoints on "
			 "interface %u", u->o.vid, u->o.pid, u->o.iface);
		return MMU_E_IO;
	}
	libusb_set_auto_detach_kernel_driver(u->h, 1);
	r = libusb_claim_interface(u->h, (int)u->o.iface);
	if (r) {
		snprintf(err, errlen, "cannot claim interface %u of %04x:%04x: %s%s", u->o.iface,
			 u->o.vid, u->o.pid, libusb_strerror(r), r == LIBUSB_ERROR_BUSY ?
			 " (another program has it)" : "");
		return MMU_E_IO;
	}
	u->claimed = 1;
	return 0;
}

/* The FTDI chip's set-up, in the order the chip wants it. */
static int ftdi_setup(struct usb_io *u, char *err, size_t errlen)
{
	uint16_t value;
	uint8_t hi;
	unsigned actual;
	int r;

	u->port = (uint16_t)(u->o.iface + 1);
	r = ftdi_req(u, FTDI_RESET, 0, u->port);
	if (r >= 0)
		r = ftdi_req(u, FTDI_SET_BITMODE, FTDI_MODE_RESET << 8, u->port);
	if (r >= 0 && u->o.kind == USB_FTDI_UART) {
		if (usb_ftdi_divisor(u->o.baud, &value, &hi, &actual)) {
			snprintf(err, errlen, "baud %u is out of the FTDI chip's range", u->o.baud);
			return MMU_E_INVAL;
		}
		r = ftdi_req(u, FTDI_SET_BAUD, value, (uint16_t)(hi << 8 | u->port));
		if (r >= 0)
			r = ftdi_req(u, FTDI_SET_DATA, 8, u->port);
		if (r >= 0)
			r = ftdi_req(u, FTDI_SET_FLOW, 0, u->port);
	}
	if (r >= 0 && u->o.kind == USB_FTDI_FIFO) {
		r = ftdi_req(u, FTDI_SET_BITMODE, FTDI_MODE_SYNCFF << 8 | 0xFF, u->port);
		if (r >= 0)
			r = ftdi_req(u, FTDI_SET_FLOW, 0, (uint16_t)(1 << 8 | u->port));
	}
	if (r >= 0)
		r = ftdi_req(u, FTDI_SET_LATENCY, (uint16_t)u->o.latency_ms, u->port);
	/* the frame delimiter ends a USB packet at once: an answer does not
	 * wait for the latency timer */
	if (r >= 0)
		r = ftdi_req(u, FTDI_SET_EVENT, 1 << 8 | 0x00, u->port);
	if (r >= 0)
		r = purge(u) ? -1 : 0;
	if (r < 0) {
		snprintf(err, errlen, "the FTDI chip refused its set-up: %s",
			 libusb_strerror(r < -1 ? r : LIBUSB_ERROR_IO));
		return u->gone ? BOARD_E_GONE : MMU_E_IO;
	}
	return 0;
}

static int start(struct usb_io *u)
{
	for (int i = 0; i < USB_N_IN; i++) {
		uint8_t *buf = calloc(1, USB_XFER_BYTES);

		u->in[i] = libusb_alloc_transfer(0);
		if (!u->in[i] || !buf) {
			free(buf);
			return MMU_E_NOMEM;
		}
		libusb_fill_bulk_transfer(u->in[i], u->h, u->ep_in, buf, USB_XFER_BYTES, in_done, u, 0);
		u->in[i]->flags = LIBUSB_TRANSFER_FREE_BUFFER;
	}
	for (int i = 0; i < USB_N_OUT; i++) {
		uint8_t *buf = calloc(1, USB_XFER_BYTES);

		u->out[i] = libusb_alloc_transfer(0);
		if (!u->out[i] || !buf) {
			free(buf);
			return MMU_E_NOMEM;
		}
		libusb_fill_bulk_transfer(u->out[i], u->h, u->ep_out, buf, 0, out_done, u, 0);
		u->out[i]->flags = LIBUSB_TRANSFER_FREE_BUFFER;
	}
	for (int i = 0; i < USB_N_IN; i++)
		if (submit(u, u->in[i], &u->in_busy[i]))
			return BOARD_E_GONE;
	return 0;
}

int board_open_usb(struct board **out, const char *opts, char *err, size_t errlen)
{
	struct usb_io *u;
	struct usb_opts o;
	int rc, r;

	*out = NULL;
	u = calloc(1, sizeof(*u));
	if (!u) {
		snprintf(err, errlen, "out of memory");
		return MMU_E_NOMEM;
	}
	rc = usb_parse(opts, &u->o, err, errlen);
	if (rc) {
		free(u);
		return rc;
	}
	u->ring = malloc(USB_RING_BYTES);
	if (!u->ring) {
		free(u);
		snprintf(err, errlen, "out of memory");
		return MMU_E_NOMEM;
	}
	r = libusb_init(&u->ctx);
	if (r) {
		u->ctx = NULL;
		usb_close_io(u);
		snprintf(err, errlen, "libusb: %s", libusb_strerror(r));
		return MMU_E_IO;
	}
	rc = find_and_open(u, err, errlen);
	if (!rc && u->o.kind != USB_BULK)
		rc = ftdi_setup(u, err, errlen);
	if (!rc) {
		rc = start(u);
		if (rc)
			snprintf(err, errlen, rc == MMU_E_NOMEM ? "out of memory"
					      : "cannot start the USB transfers");
	}
	if (rc) {
		usb_close_io(u);
		return rc;
	}
	o = u->o;               /* u belongs to the board from here on */
	rc = board_open_io(out, &usb_io_ops, u, err, errlen);
	if (rc && rc != MMU_E_NOMEM) {
		size_t l = strlen(err);

		snprintf(err + l, errlen - l, " (%s, %04x:%04x interface %u)", kind_name(o.kind),
			 o.vid, o.pid, o.iface);
	}
	return rc;
}

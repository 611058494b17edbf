/*
 * usb.h - the `usb` transport under the board link (host/usb.c): libusb-1.0
 * with asynchronous bulk transfers, in three forms:
 *
 *   uart  an FTDI FT2232H channel in UART mode (iCEBreaker: channel B, the
 *         default), configured with the FTDI vendor requests;
 *   fifo  an FTDI FT232H (or an FT2232H's channel A) in synchronous FIFO mode;
 *   bulk  a generic vendor device: the first bulk IN and OUT endpoints of an
 *         interface, no vendor requests, no status bytes.
 *
 * FTDI devices put two modem-status bytes at the start of every IN packet;
 * they are stripped packet by packet.  Nothing here keeps global state.
 */
#ifndef MMU_USB_H
#define MMU_USB_H

#include <stddef.h>
#include <stdint.h>

enum usb_kind { USB_FTDI_UART, USB_FTDI_FIFO, USB_BULK };

#define USB_FTDI_VID 0x0403u
#define USB_FT2232H_PID 0x6010u
#define USB_FT232H_PID 0x6014u
#define USB_DEFAULT_BAUD 3000000u  /* rtl/board/icebreaker.v: 12 MHz / 4 */

struct usb_opts {
	uint16_t vid, pid;
	enum usb_kind kind;
	unsigned iface;       /* interface number (FTDI: channel A 0, B 1, ...) */
	unsigned baud;        /* uart only */
	unsigned latency_ms;  /* FTDI latency timer, 1..255 (default 2) */
	unsigned timeout_ms;  /* how long to wait for an answer (default 2000) */
};

/*
 * Parse what follows "usb:" (NULL or "" for the defaults):
 *   [VID:PID][:kind][:option=value...]
 * kind is uart, fifo or bulk; options are if=N (also channel=a|b|c|d),
 * baud=N, latency=MS and timeout=MS.  Without a kind, 0403:6010 is uart on channel B,
 * 0403:6014 is fifo, anything else bulk on interface 0.  Returns 0 or
 * MMU_E_INVAL with *err saying why.
 */
int usb_parse(const char *s, struct usb_opts *o, char *err, size_t errlen);

/*
 * The FTDI baud-rate request for an H-series chip (120 MHz clock, AN232B-05
 * / AN120 divisor encoding): wValue, and the high byte of wIndex (the low
 * byte is the channel).  *actual is the rate the chip will really run.
 * Returns 0, or MMU_E_INVAL if baud is out of the chip's range.
 */
int usb_ftdi_divisor(unsigned baud, uint16_t *value, uint8_t *index_hi, unsigned *actual);

/* What the transport saw (for mmuctl info and the tests). */
struct usb_stats {
	unsigned long out_transfers, in_transfers, in_packets, status_only_packets;
	unsigned long stalls, purges, overflows;
};

struct board;
const struct usb_stats *board_usb_stats(const struct board *b);

#endif

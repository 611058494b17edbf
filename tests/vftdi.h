/*
 * vftdi.h - a virtual USB device for the `usb` transport's tests, served by
 * umockdev to an unmodified libusb-1.0 (facts: ../shared/notes/virtual-usb.md),
 * with the virtual board (mmu-vboard) behind it.
 *
 * Three personalities, by product id:
 *   0403:6010  an FT2232H: two channels; channel B is the board's UART
 *   0403:6014  an FT232H in synchronous FIFO mode
 *   1209:0001  a generic vendor bulk device (no status bytes, no requests)
 * Like the chips, the FTDI ones carry data only once configured as the board
 * needs (UART: the baud rate within 3% of the board's; FIFO: bitmode 0x40);
 * otherwise the bytes arrive garbled.  Every IN packet starts with two
 * modem-status bytes; the latency timer sends status-only packets.
 *
 * The process must run with LD_PRELOAD=libumockdev-preload.so.0, and
 * vftdi_new must come before libusb_init.
 */
#ifndef VFTDI_H
#define VFTDI_H

#include <stddef.h>
#include <stdint.h>

struct vftdi;

/* What the host asked of the chip. */
struct vftdi_seen {
	unsigned resets, purges_rx, purges_tx, clear_halts, claims;
	unsigned baud_value, baud_index, latency, event_char, bitmode, flow_index, data;
	unsigned long out_bytes, in_bytes, in_packets, status_only;
	/* honest poll: how often the node turned ready (libusb woken), and
	 * how many reaps found nothing (libusb reaps until it does, once a wake) */
	unsigned long wakeups, empty_reaps;
	unsigned claimed_iface;
};

int vftdi_new(struct vftdi **out, uint16_t vid, uint16_t pid, const char *vboard, char *err,
	      size_t errlen);
void vftdi_free(struct vftdi *v);
void vftdi_seen(struct vftdi *v, struct vftdi_seen *s);

/* Faults: the next n IN URBs end with a stall (EPIPE); the next n OUT URBs'
 * bytes are lost on the way to the board; the device is unplugged (every
 * call answers ENODEV from now on). */
void vftdi_stall_in(struct vftdi *v, int n);
void vftdi_drop_out(struct vftdi *v, int n);
void vftdi_unplug(struct vftdi *v);

#endif

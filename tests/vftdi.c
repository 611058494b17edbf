/*
 * vftdi.c - a virtual FTDI chip (or vendor bulk device) under umockdev, in
 * front of the virtual board.  See vftdi.h.
 *
 * umockdev calls handle_ioctl on its own worker thread for every usbfs
 * ioctl libusb makes; everything here runs under v->lock and never blocks.
 *
 * Poll is honest, as on usbfs: libusb sleeps in poll() on the device node
 * until a URB can be reaped.  The node is a FIFO, kept full (not writable)
 * while nothing can be reaped and drained (POLLOUT) when something can; a
 * watcher thread moves the board's bytes and wakes libusb when an IN URB
 * can complete (data from the board, a stall, or the FTDI latency timer).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <umockdev.h>
#include "board.h"
#include "usb.h"
#include "vftdi.h"

#define DEVNODE "/dev/bus/usb/001/002"
#define PKT 512
#define MAX_URBS 64
#define BOARD_BAUD 3000000u

struct urb {
	UMockdevIoctlData *data, *buf;
	int done;               /* completed: waiting to be reaped */
};

struct vftdi {
	pthread_mutex_t lock;
	UMockdevTestbed *tb;
	UMockdevIoctlBase *handler;
	uint16_t vid, pid;
	int fd;                 /* the virtual board's socket */
	pid_t board;
	struct urb urbs[MAX_URBS];
	/* host -> board bytes not yet written; board -> host bytes not yet sent */
	uint8_t *tx, *rx;
	size_t tx_len, rx_len, cap;
	long last_in_ms;
	int stall_in, drop_out, unplugged;
	struct vftdi_seen seen;
	unsigned baud_ok, fifo_ok, ep_in, ep_out, iface;
	int node;               /* the device node (a FIFO), our end; -1: none */
	int node_ready;         /* drained: libusb's poll sees POLLOUT */
	int wake[2];            /* wakes the watcher (a new IN URB, stop) */
	int stop;
	pthread_t watcher;
	int watching;
};

/* ---- descriptors ---- */

static size_t put_iface(uint8_t *p, unsigned num, unsigned ep_in, unsigned ep_out)
{
	const uint8_t d[23] = {
		9, 4, (uint8_t)num, 0, 2, 0xFF, 0xFF, 0xFF, 2,
		7, 5, (uint8_t)ep_in, 2, PKT & 0xFF, PKT >> 8, 0,
		7, 5, (uint8_t)ep_out, 2, PKT & 0xFF, PKT >> 8, 0,
	};

	memcpy(p, d, sizeof(d));
	return sizeof(d);
}

/* Device descriptor followed by the configuration, as usbfs shows them. */
static size_t descriptors(const struct vftdi *v, uint8_t *p)
{
	unsigned bcd = v->pid == USB_FT2232H_PID ? 0x0700 : v->pid == USB_FT232H_PID ? 0x0900 : 0x0100;
	unsigned nif = v->pid == USB_FT2232H_PID ? 2 : 1;
	const uint8_t dev[18] = {
		18, 1, 0x00, 0x02, 0, 0, 0, 64, (uint8_t)v->vid, (uint8_t)(v->vid >> 8),
		(uint8_t)v->pid, (uint8_t)(v->pid >> 8), (uint8_t)bcd, (uint8_t)(bcd >> 8), 1, 2, 3, 1,
	};
	size_t n = 18, total;

	memcpy(p, dev, sizeof(dev));
	total = 9 + 23 * nif;
	{
		const uint8_t cfg[9] = { 9, 2, (uint8_t)total, (uint8_t)(total >> 8), (uint8_t)nif, 1,
					 0, 0x80, 50 };

		memcpy(p + n, cfg, sizeof(cfg));
		n += 9;
	}
	if (v->pid == USB_FT2232H_PID) {
		n += put_iface(p + n, 0, 0x81, 0x02);
		n += put_iface(p + n, 1, 0x83, 0x04);
	} else if (v->pid == USB_FT232H_PID) {
		n += put_iface(p + n, 0, 0x81, 0x02);
	} else {
		n += put_iface(p + n, 0, 0x81, 0x01);
	}
	return n;
}

/* ---- the board side ---- */

static int ftdi(const struct vftdi *v)
{
	return v->vid == USB_FTDI_VID;
}

/* Bytes as the board receives them: garbled unless the chip is configured
 * the way the board's side of the line needs. */
static void to_board(struct vftdi *v, const uint8_t *p, size_t n)
{
	int ok = !ftdi(v) || (v->pid == USB_FT2232H_PID ? v->baud_ok : v->fifo_ok);

	/* on an iCEBreaker, channel A goes to the flash, not to the board's UART */
	if (v->pid == USB_FT2232H_PID && v->iface != 1)
		return;

	if (v->tx_len + n > v->cap)
		n = v->cap - v->tx_len;     /* beyond the chip's buffer: lost */
	for (size_t i = 0; i < n; i++)
		v->tx[v->tx_len + i] = ok ? p[i] : (uint8_t)(p[i] ^ 0xA5);
	v->tx_len += n;
}

static void pump(struct vftdi *v)
{
	while (v->tx_len) {
		ssize_t w = send(v->fd, v->tx, v->tx_len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (w <= 0)
			break;
		memmove(v->tx, v->tx + w, v->tx_len - (size_t)w);
		v->tx_len -= (size_t)w;
	}
	while (v->rx_len < v->cap) {
		ssize_t r = recv(v->fd, v->rx + v->rx_len, v->cap - v->rx_len, MSG_DONTWAIT);

		if (r <= 0)
			break;
		v->rx_len += (size_t)r;
	}
}

/* ---- URBs ---- */

static struct usbdevfs_urb *urb_of(struct urb *u)
{
	return (struct usbdevfs_urb *)u->data->data;
}

static void set_buf(struct urb *u, size_t off, const void *p, size_t n)
{
	memcpy(u->buf->data + off, p, n);
	memcpy((uint8_t *)urb_of(u)->buffer + off, p, n);
}

static void control(struct vftdi *v, struct urb *u)
{
	struct usbdevfs_urb *urb = urb_of(u);
	const uint8_t *s = u->buf->data;
	unsigned type = s[0], req = s[1], value = s[2] | s[3] << 8, index = s[4] | s[5] << 8;
	unsigned len = s[6] | s[7] << 8;
	uint8_t d[256];
	size_t n = descriptors(v, d);

	urb->status = 0;
	urb->actual_length = 0;
	if (type == 0x80 && req == 6) {          /* GET_DESCRIPTOR */
		size_t off = 0, k = 0;

		if (value >> 8 == 1) {
			k = 18;
		} else if (value >> 8 == 2) {
			off = 18;
			k = n - 18;
		} else if (value >> 8 == 3) {    /* strings: language 0x0409, then a name */
			static const uint8_t langs[4] = { 4, 3, 0x09, 0x04 };
			static const uint8_t name[10] = { 10, 3, 'v', 0, 'b', 0, 'r', 0, 'd', 0 };

			memcpy(d, (value & 0xFF) ? name : langs, (value & 0xFF) ? 10 : 4);
			k = (value & 0xFF) ? 10 : 4;
		} else {
			urb->status = -EPIPE;
			return;
		}
		if (k > len)
			k = len;
		set_buf(u, 8, d + off, k);
		urb->actual_length = (int)k;
	} else if (type == 0x80 && req == 8) {   /* GET_CONFIGURATION */
		uint8_t one = 1;

		set_buf(u, 8, &one, 1);
		urb->actual_length = 1;
	} else if (type == 0x40 && ftdi(v)) {    /* FTDI vendor requests */
		switch (req) {
		case 0x00:
			if (value == 0)
				v->seen.resets++;
			else if (value == 1) {
				v->seen.purges_rx++;
				v->rx_len = 0;
			} else if (value == 2) {
				v->seen.purges_tx++;
				v->tx_len = 0;
			}
			break;
		case 0x02: v->seen.flow_index = index; break;
		case 0x03: {
			uint16_t ev;
			uint8_t hi;
			unsigned actual;

			v->seen.baud_value = value;
			v->seen.baud_index = index;
			/* the board's 3 Mbaud, as the host's driver must encode it */
			usb_ftdi_divisor(BOARD_BAUD, &ev, &hi, &actual);
			v->baud_ok = value == ev && index >> 8 == hi;
			break;
		}
		case 0x04: v->seen.data = value; break;
		case 0x06: v->seen.event_char = value; break;
		case 0x09: v->seen.latency = value; break;
		case 0x0B:
			v->seen.bitmode = value;
			v->fifo_ok = value >> 8 == 0x40;
			break;
		default:
			urb->status = -EPIPE;
		}
	} else {
		urb->status = -EPIPE;
	}
}

/* Whether fill_in would complete an IN URB now: a stall is due, the board
 * has sent bytes, or (FTDI) the latency timer has run out, when the chip
 * sends a status-only packet.  *wait_ms: how long until the timer would
 * make it so (-1: never, or ready now). */
static int in_ready(const struct vftdi *v, int *wait_ms)
{
	long lat, left;

	*wait_ms = -1;
	if (v->stall_in || v->rx_len)
		return 1;
	if (!ftdi(v))
		return 0;
	lat = v->seen.latency ? v->seen.latency : 16;
	left = v->last_in_ms + lat - board_now_ms();
	if (left <= 0)
		return 1;
	*wait_ms = (int)left;
	return 0;
}

/* Try to complete an IN URB from what the board has sent. */
static int fill_in(struct vftdi *v, struct urb *u)
{
	struct usbdevfs_urb *urb = urb_of(u);
	size_t room = (size_t)urb->buffer_length, k = 0, taken = 0;
	long t = board_now_ms();
	uint8_t *out;
	int wait_ms;

	if (!in_ready(v, &wait_ms))
		return 0;
	if (v->stall_in) {
		v->stall_in--;
		urb->status = -EPIPE;
		urb->actual_length = 0;
		return 1;
	}
	if (!ftdi(v)) {
		k = v->rx_len < room ? v->rx_len : room;
		set_buf(u, 0, v->rx, k);
		memmove(v->rx, v->rx + k, v->rx_len - k);
		v->rx_len -= k;
		urb->status = 0;
		urb->actual_length = (int)k;
		v->seen.in_bytes += k;
		return 1;
	}
	/* the chip sends when it has data (the event character ends a packet at
	 * once), and a status-only packet when the latency timer runs out */
	out = malloc(room);
	if (!out)
		return 0;
	while (k + 2 <= room && (k == 0 || taken < v->rx_len)) {
		size_t d = v->rx_len - taken;

		if (d > PKT - 2)
			d = PKT - 2;
		if (d > room - k - 2)
			d = room - k - 2;
		out[k] = 0x31;          /* modem status: CTS, DSR */
		out[k + 1] = 0x60;      /* line status: transmitter empty */
		memcpy(out + k + 2, v->rx + taken, d);
		k += 2 + d;
		taken += d;
		v->seen.in_packets++;
		if (!d)
			v->seen.status_only++;
	}
	memmove(v->rx, v->rx + taken, v->rx_len - taken);
	v->rx_len -= taken;
	v->seen.in_bytes += taken;
	set_buf(u, 0, out, k);
	free(out);
	urb->status = 0;
	urb->actual_length = (int)k;
	v->last_in_ms = t;
	return 1;
}

/* Drain the device node when a URB can be reaped, fill it when none can;
 * returns the watcher's next timeout (ms, -1: none). */
static int set_ready(struct vftdi *v)
{
	int ready = v->unplugged, wait_ms = -1, pending_in = 0;
	char buf[4096];

	for (int i = 0; i < MAX_URBS; i++) {
		if (!v->urbs[i].data)
			continue;
		if (v->urbs[i].done)
			ready = 1;
		else
			pending_in = 1;
	}
	if (pending_in && in_ready(v, &wait_ms))
		ready = 1;
	if (v->node < 0 || ready == v->node_ready)
		return wait_ms;
	if (ready) {
		while (read(v->node, buf, sizeof(buf)) > 0)
			;
		v->seen.wakeups++;
	} else {
		/* one page of pipe: a byte in it leaves no room, so no POLLOUT */
		(void)!write(v->node, "", 1);
	}
	v->node_ready = ready;
	return wait_ms;
}

/* The watcher: moves the board's bytes and keeps the node's readiness true
 * while libusb sleeps in poll(). */
static void *watch(void *p)
{
	struct vftdi *v = p;
	int timeout = -1, board = v->fd;

	for (;;) {
		struct pollfd fds[2] = { { board, POLLIN, 0 }, { v->wake[0], POLLIN, 0 } };
		char c;

		pthread_mutex_lock(&v->lock);
		if (v->tx_len)
			fds[0].events |= POLLOUT;
		pthread_mutex_unlock(&v->lock);
		if (poll(fds, 2, timeout) < 0 && errno != EINTR)
			break;
		while (read(v->wake[0], &c, 1) > 0)
			;
		pthread_mutex_lock(&v->lock);
		if (v->stop) {
			pthread_mutex_unlock(&v->lock);
			break;
		}
		if (fds[0].revents & (POLLHUP | POLLERR))
			board = -1;     /* the board has gone: nothing more to wait for */
		pump(v);
		timeout = set_ready(v);
		pthread_mutex_unlock(&v->lock);
	}
	return NULL;
}

static void wake(struct vftdi *v)
{
	if (v->watching)
		(void)!write(v->wake[1], "", 1);
}

static int submit(struct vftdi *v, UMockdevIoctlData *arg)
{
	struct urb *u = NULL;
	struct usbdevfs_urb *urb;

	for (int i = 0; i < MAX_URBS && !u; i++)
		if (!v->urbs[i].data)
			u = &v->urbs[i];
	if (!u)
		return ENOMEM;
	u->data = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), NULL);
	if (!u->data)
		return EFAULT;
	urb = urb_of(u);
	u->buf = umockdev_ioctl_data_resolve(u->data, offsetof(struct usbdevfs_urb, buffer),
					     (gsize)urb->buffer_length, NULL);
	if (!u->buf) {
		umockdev_ioctl_data_unref(u->data);
		u->data = NULL;
		return EFAULT;
	}
	u->done = 0;
	if (urb->type == USBDEVFS_URB_TYPE_CONTROL) {
		control(v, u);
		u->done = 1;
	} else if (urb->type == USBDEVFS_URB_TYPE_BULK && !(urb->endpoint & 0x80)) {
		if (urb->endpoint != v->ep_out) {
			urb->status = -EPIPE;
		} else if (v->drop_out) {
			v->drop_out--;
			urb->status = 0;
		} else {
			to_board(v, u->buf->data, (size_t)urb->buffer_length);
			v->seen.out_bytes += (unsigned long)urb->buffer_length;
			urb->status = 0;
		}
		urb->actual_length = urb->buffer_length;
		u->done = 1;
	} else if (urb->type != USBDEVFS_URB_TYPE_BULK || urb->endpoint != v->ep_in) {
		urb->status = -EPIPE;
		urb->actual_length = 0;
		u->done = 1;
	}
	return 0;
}

static void release(struct urb *u)
{
	umockdev_ioctl_data_unref(u->buf);
	umockdev_ioctl_data_unref(u->data);
	u->data = u->buf = NULL;
}

/* Hand URB u back to the client of a REAPURB call. */
static int give(struct urb *u, UMockdevIoctlData *arg)
{
	UMockdevIoctlData *ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), NULL);

	if (!ptr)
		return EFAULT;
	umockdev_ioctl_data_set_ptr(ptr, 0, u->data);
	umockdev_ioctl_data_unref(ptr);
	release(u);
	return 0;
}

static int reap_done(struct vftdi *v, UMockdevIoctlData *arg)
{
	for (int i = 0; i < MAX_URBS; i++)
		if (v->urbs[i].data && v->urbs[i].done)
			return give(&v->urbs[i], arg);
	return EAGAIN;
}

static int reap(struct vftdi *v, UMockdevIoctlData *arg)
{
	pump(v);
	if (reap_done(v, arg) == 0)
		return 0;
	for (int i = 0; i < MAX_URBS; i++)
		if (v->urbs[i].data && fill_in(v, &v->urbs[i]))
			return give(&v->urbs[i], arg);
	v->seen.empty_reaps++;
	return EAGAIN;
}

static int discard(struct vftdi *v, UMockdevIoctlData *arg)
{
	gulong addr = (gulong) * (void **)arg->data;

	for (int i = 0; i < MAX_URBS; i++)
		if (v->urbs[i].data && v->urbs[i].data->client_addr == addr && !v->urbs[i].done) {
			urb_of(&v->urbs[i])->status = -ENOENT;
			urb_of(&v->urbs[i])->actual_length = 0;
			v->urbs[i].done = 1;
			return 0;
		}
	return EINVAL;
}

static gboolean handle_ioctl(UMockdevIoctlBase *h, UMockdevIoctlClient *client, gpointer p)
{
	struct vftdi *v = p;
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	unsigned req = (unsigned)umockdev_ioctl_client_get_request(client);
	int e = 0;

	(void)h;
	pthread_mutex_lock(&v->lock);
	if (v->unplugged) {
		/* as usbfs after a disconnect: the URBs in flight end with
		 * -ESHUTDOWN and can still be reaped; everything else is ENODEV */
		e = ENODEV;
		if (req == (unsigned)USBDEVFS_REAPURBNDELAY || req == (unsigned)USBDEVFS_REAPURB) {
			for (int i = 0; i < MAX_URBS; i++)
				if (v->urbs[i].data && !v->urbs[i].done) {
					urb_of(&v->urbs[i])->status = -ESHUTDOWN;
					urb_of(&v->urbs[i])->actual_length = 0;
					v->urbs[i].done = 1;
				}
			if (reap_done(v, arg) == 0)
				e = 0;
		}
	} else if (req == (unsigned)USBDEVFS_GET_CAPABILITIES) {
		UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(uint32_t), NULL);

		*(uint32_t *)d->data = USBDEVFS_CAP_NO_PACKET_SIZE_LIM | USBDEVFS_CAP_ZERO_PACKET |
					     USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
		umockdev_ioctl_data_unref(d);
	} else if (req == (unsigned)USBDEVFS_CLAIMINTERFACE || req == (unsigned)USBDEVFS_RELEASEINTERFACE) {
		UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(unsigned), NULL);

		if (req == (unsigned)USBDEVFS_CLAIMINTERFACE) {
			v->seen.claims++;
			v->seen.claimed_iface = *(unsigned *)d->data;
			v->iface = v->seen.claimed_iface;
			v->ep_in = v->pid == USB_FT2232H_PID && v->iface == 1 ? 0x83 : 0x81;
			v->ep_out = v->pid == USB_FT2232H_PID ? (v->iface == 1 ? 0x04 : 0x02)
				  : v->pid == USB_FT232H_PID ? 0x02 : 0x01;
		}
		umockdev_ioctl_data_unref(d);
	} else if (req == (unsigned)USBDEVFS_CLEAR_HALT) {
		v->seen.clear_halts++;
	} else if (req == (unsigned)USBDEVFS_SETINTERFACE || req == (unsigned)USBDEVFS_RESET ||
		   req == (unsigned)USBDEVFS_RESETEP || req == (unsigned)USBDEVFS_SETCONFIGURATION) {
		e = 0;
	} else if (req == (unsigned)USBDEVFS_GETDRIVER || req == (unsigned)USBDEVFS_IOCTL) {
		e = ENODATA;
	} else if (req == (unsigned)USBDEVFS_CONNECTINFO) {
		UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0,
					sizeof(struct usbdevfs_connectinfo), NULL);
		struct usbdevfs_connectinfo ci = { 2, 0 };

		memcpy(d->data, &ci, sizeof(ci));
		umockdev_ioctl_data_unref(d);
	} else if (req == (unsigned)USBDEVFS_SUBMITURB) {
		e = submit(v, arg);
	} else if (req == (unsigned)USBDEVFS_REAPURBNDELAY || req == (unsigned)USBDEVFS_REAPURB) {
		e = reap(v, arg);
	} else if (req == (unsigned)USBDEVFS_DISCARDURB) {
		e = discard(v, arg);
	} else {
		e = ENOTTY;
	}
	set_ready(v);
	/* any call may change what the watcher waits for: a new IN URB or a
	 * reap (the latency timer), an OUT URB (bytes for the board), a purge */
	wake(v);
	pthread_mutex_unlock(&v->lock);
	umockdev_ioctl_client_complete(client, e ? -1 : 0, e);
	return TRUE;
}

/* The testbed's device node becomes a FIFO of one page, kept full for now
 * (nothing to reap), and the watcher starts. */
static int honest_poll(struct vftdi *v, char *err, size_t errlen)
{
	char path[4096];
	gchar *root = umockdev_testbed_get_root_dir(v->tb);

	snprintf(path, sizeof(path), "%s%s", root, DEVNODE);
	g_free(root);
	if (unlink(path) || mkfifo(path, 0666)) {
		snprintf(err, errlen, "vftdi: cannot make %s a FIFO: %s", path, strerror(errno));
		return -1;
	}
	v->node = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (v->node < 0 || fcntl(v->node, F_SETPIPE_SZ, 4096) < 0 ||
	    pipe2(v->wake, O_NONBLOCK | O_CLOEXEC)) {
		snprintf(err, errlen, "vftdi: %s: %s", path, strerror(errno));
		return -1;
	}
	v->node_ready = 1;
	set_ready(v);
	if (pthread_create(&v->watcher, NULL, watch, v)) {
		snprintf(err, errlen, "vftdi: cannot start the watcher thread");
		return -1;
	}
	v->watching = 1;
	return 0;
}

int vftdi_new(struct vftdi **out, uint16_t vid, uint16_t pid, const char *vboard, char *err,
	      size_t errlen)
{
	struct vftdi *v = calloc(1, sizeof(*v));
	uint8_t d[256];
	char hex[600], rec[2048];
	size_t n;
	GError *gerr = NULL;

	*out = NULL;
	if (!v)
		return -1;
	pthread_mutex_init(&v->lock, NULL);
	v->node = v->wake[0] = v->wake[1] = -1;
	v->vid = vid;
	v->pid = pid;
	v->cap = 1 << 20;
	v->tx = malloc(v->cap);
	v->rx = malloc(v->cap);
	v->last_in_ms = board_now_ms();
	if (!v->tx || !v->rx || board_spawn_vboard(vboard, &v->fd, &v->board, err, errlen)) {
		free(v->tx);
		free(v->rx);
		free(v);
		return -1;
	}
	v->tb = umockdev_testbed_new();
	v->handler = umockdev_ioctl_base_new();
	g_signal_connect(v->handler, "handle-ioctl", G_CALLBACK(handle_ioctl), v);
	if (!umockdev_testbed_attach_ioctl(v->tb, DEVNODE, v->handler, &gerr)) {
		snprintf(err, errlen, "umockdev: %s", gerr ? gerr->message : "attach failed");
		g_clear_error(&gerr);
		vftdi_free(v);
		return -1;
	}
	n = descriptors(v, d);
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	snprintf(rec, sizeof(rec),
		 "P: /devices/pci0000:00/0000:00:14.0/usb1/1-1\n"
		 "N: bus/usb/001/002\n"
		 "E: DEVNAME=/dev/bus/usb/001/002\n"
		 "E: DEVTYPE=usb_device\n"
		 "E: SUBSYSTEM=usb\n"
		 "E: BUSNUM=001\n"
		 "E: DEVNUM=002\n"
		 "E: MAJOR=189\n"
		 "E: MINOR=1\n"
		 "E: PRODUCT=%x/%x/%x\n"
		 "A: busnum=1\n"
		 "A: devnum=2\n"
		 "A: speed=480\n"
		 "A: bConfigurationValue=1\n"
		 "A: idVendor=%04x\n"
		 "A: idProduct=%04x\n"
		 "A: dev=189:1\n"
		 "H: descriptors=%s\n", vid, pid, d[12] | d[13] << 8, vid, pid, hex);
	if (!umockdev_testbed_add_from_string(v->tb, rec, &gerr)) {
		snprintf(err, errlen, "umockdev: %s", gerr ? gerr->message : "add failed");
		g_clear_error(&gerr);
		vftdi_free(v);
		return -1;
	}
	if (honest_poll(v, err, errlen)) {
		vftdi_free(v);
		return -1;
	}
	*out = v;
	return 0;
}

void vftdi_free(struct vftdi *v)
{
	if (!v)
		return;
	if (v->watching) {
		pthread_mutex_lock(&v->lock);
		v->stop = 1;
		wake(v);
		pthread_mutex_unlock(&v->lock);
		pthread_join(v->watcher, NULL);
		pthread_mutex_lock(&v->lock);
		v->watching = 0;
		pthread_mutex_unlock(&v->lock);
	}
	if (v->tb)
		umockdev_testbed_detach_ioctl(v->tb, DEVNODE, NULL);
	for (int i = 0; i < MAX_URBS; i++)
		if (v->urbs[i].data)
			release(&v->urbs[i]);
	g_clear_object(&v->handler);
	g_clear_object(&v->tb);
	board_reap_vboard(v->fd, v->board);
	for (int i = 0; i < 2; i++)
		if (v->wake[i] >= 0)
			close(v->wake[i]);
	if (v->node >= 0)
		close(v->node);
	pthread_mutex_destroy(&v->lock);
	free(v->tx);
	free(v->rx);
	free(v);
}

void vftdi_seen(struct vftdi *v, struct vftdi_seen *s)
{
	pthread_mutex_lock(&v->lock);
	*s = v->seen;
	pthread_mutex_unlock(&v->lock);
}

void vftdi_stall_in(struct vftdi *v, int n)
{
	pthread_mutex_lock(&v->lock);
	v->stall_in = n;
	set_ready(v);
	pthread_mutex_unlock(&v->lock);
}

void vftdi_drop_out(struct vftdi *v, int n)
{
	pthread_mutex_lock(&v->lock);
	v->drop_out = n;
	pthread_mutex_unlock(&v->lock);
}

void vftdi_unplug(struct vftdi *v)
{
	pthread_mutex_lock(&v->lock);
	v->unplugged = 1;
	set_ready(v);   /* libusb finds out at its next reap */
	pthread_mutex_unlock(&v->lock);
}

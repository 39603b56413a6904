/*
 * IPC records: encoding, strict decoding, blocking I/O and fd passing.
 * Integers are little-endian u64; data fields are a u32 length then bytes.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "daemon/ipc.h"
#include "daemon/xalloc.h"

static void
ipc_put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
ipc_get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

void
ipc_begin_record(struct buf *out, uint32_t type)
{
	unsigned char h[IPC_HEADER_LEN];
	buf_reset(out);
	ipc_put_le(h, type, 4);
	ipc_put_le(h + 4, 0, 4);
	buf_append(out, h, sizeof h);
}

void
ipc_put_u64(struct buf *out, uint64_t v)
{
	unsigned char b[8];
	ipc_put_le(b, v, 8);
	buf_append(out, b, 8);
}

void
ipc_put_data(struct buf *out, const void *p, size_t n)
{
	unsigned char b[4];
	ipc_put_le(b, n, 4);
	buf_append(out, b, 4);
	buf_append(out, p, n);
}

void
ipc_put_str(struct buf *out, const char *s)
{
	ipc_put_data(out, s ? s : "", s ? strlen(s) : 0);
}

void
ipc_end_record(struct buf *out)
{
	ipc_put_le((unsigned char *)out->data + 4, out->len - IPC_HEADER_LEN, 4);
}

void
ipc_reader_init(struct ipc_reader *r, const void *body, size_t len)
{
	r->p = body;
	r->left = len;
	r->error = 0;
}

uint64_t
ipc_get_u64(struct ipc_reader *r)
{
	if (r->error || r->left < 8) {
		r->error = 1;
		return 0;
	}
	uint64_t v = ipc_get_le(r->p, 8);
	r->p += 8;
	r->left -= 8;
	return v;
}

const void *
ipc_get_data(struct ipc_reader *r, size_t *len)
{
	*len = 0;
	if (r->error || r->left < 4) {
		r->error = 1;
		return "";
	}
	size_t n = (size_t)ipc_get_le(r->p, 4);
	if (r->left - 4 < n) {
		r->error = 1;
		return "";
	}
	const void *p = r->p + 4;
	r->p += 4 + n;
	r->left -= 4 + n;
	*len = n;
	return p;
}

char *
ipc_get_str(struct ipc_reader *r)
{
	size_t n;
	const char *p = ipc_get_data(r, &n);
	if (memchr(p, '\0', n) != NULL) {
		r->error = 1;
		return xstrdup("");
	}
	return xstrndup(p, n);
}

int
ipc_reader_end(const struct ipc_reader *r)
{
	return r->error || r->left != 0 ? -1 : 0;
}

int
ipc_peek_header(const void *p, size_t len, size_t max, uint32_t *type,
    uint32_t *body_len)
{
	if (len < IPC_HEADER_LEN)
		return 0;
	*type = (uint32_t)ipc_get_le(p, 4);
	*body_len = (uint32_t)ipc_get_le((const unsigned char *)p + 4, 4);
	return *body_len > max ? -1 : 1;
}

int
ipc_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
ipc_read_all(int fd, void *p, size_t n)
{
	char *c = p;
	while (n > 0) {
		ssize_t r = read(fd, c, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			errno = 0;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

int
ipc_read_record(int fd, size_t max, uint32_t *type, struct buf *body)
{
	unsigned char h[IPC_HEADER_LEN];
	uint32_t len;
	if (ipc_read_all(fd, h, sizeof h) == -1)
		return -1;
	if (ipc_peek_header(h, sizeof h, max, type, &len) != 1) {
		errno = EMSGSIZE;
		return -1;
	}
	buf_reset(body);
	buf_reserve(body, len);
	if (ipc_read_all(fd, body->data, len) == -1)
		return -1;
	body->len = len;
	body->data[len] = '\0';
	return 0;
}

int
ipc_send_fd(int sock, const struct buf *record, int fd)
{
	struct iovec iov = { record->data, record->len };
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct msghdr msg;
	memset(&msg, 0, sizeof msg);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd >= 0) {
		memset(&cm, 0, sizeof cm);
		msg.msg_control = cm.buf;
		msg.msg_controllen = sizeof cm.buf;
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	ssize_t n;
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)record->len ? 0 : -1;
}

int
ipc_recv_fd(int sock, uint32_t *type, struct buf *body, int *fd)
{
	unsigned char h[IPC_HEADER_LEN];
	struct iovec iov = { h, sizeof h };
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct msghdr msg;
	memset(&msg, 0, sizeof msg);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cm.buf;
	msg.msg_controllen = sizeof cm.buf;
	*fd = -1;
	ssize_t n;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof *fd);
	uint32_t len;
	if ((n < IPC_HEADER_LEN && ipc_read_all(sock, h + n,
	    IPC_HEADER_LEN - (size_t)n) == -1) ||
	    ipc_peek_header(h, sizeof h, 1024 * 1024, type, &len) != 1)
		goto fail;
	buf_reset(body);
	buf_reserve(body, len);
	if (ipc_read_all(sock, body->data, len) == -1)
		goto fail;
	body->len = len;
	body->data[len] = '\0';
	return 0;
fail:
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	return -1;
}

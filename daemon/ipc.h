/*
 * Records between processes over socketpairs: a header (type, body length)
 * then a body of typed fields. Decoders reject short and leftover bytes.
 * Also passes file descriptors (SCM_RIGHTS) on the supervisor's channel.
 */
#ifndef MAJLIS_IPC_H
#define MAJLIS_IPC_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"

#define IPC_HEADER_LEN		8
#define IPC_MAX_RECORD		(1100u * 1024 * 1024)	/* > max_message_size's 1 GiB cap */

enum ipc_type {
	IPC_PARSE_REQUEST = 1,	/* engine → parser: u64 job, data raw */
	IPC_PARSE_RESULT = 2,	/* parser → engine: u64 job, parsed fields */
	IPC_PARSER_FD = 3,	/* supervisor → engine: u64 pid, u64 slot + fd */
	IPC_SHUTDOWN = 4,	/* supervisor → engine: no body */
	IPC_RELOAD = 5,		/* supervisor → engine: no body */
	/* IMAP fetcher (codecs in mail/fetchipc.h) */
	IPC_FETCHER_FD = 6,	/* supervisor → engine: u64 pid + fd */
	IPC_FETCH_SYNC = 7,	/* fetcher → engine: mailbox selected */
	IPC_FETCH_MSG = 8,	/* fetcher → engine: one fetched message */
	IPC_FETCH_REPLY = 9,	/* engine → fetcher: position or verdict */
	IPC_FETCH_STATUS = 10,	/* fetcher → engine: state, last error */
};

/* Start a record of type in out (which is reset); fields follow; finish with
 * ipc_end_record(). */
void	ipc_begin_record(struct buf *out, uint32_t type);
void	ipc_put_u64(struct buf *out, uint64_t v);
void	ipc_put_data(struct buf *out, const void *p, size_t n);
/* A string; NULL is encoded as the empty string. */
void	ipc_put_str(struct buf *out, const char *s);
/* Write the body length into the header. */
void	ipc_end_record(struct buf *out);

/* Reading a record body. Errors are sticky: check ipc_reader_end(). */
struct ipc_reader {
	const unsigned char	*p;
	size_t			 left;
	int			 error;
};
void	ipc_reader_init(struct ipc_reader *, const void *body, size_t len);
uint64_t ipc_get_u64(struct ipc_reader *);
/* Field as pointer into the record (not NUL-terminated) and its length. */
const void *ipc_get_data(struct ipc_reader *, size_t *len);
/* Field as a malloc'd NUL-terminated string (never NULL; "" on error). A field
 * with a NUL byte inside is an error. */
char	*ipc_get_str(struct ipc_reader *);
/* 0 when every field was read and nothing is left over, else -1. */
int	 ipc_reader_end(const struct ipc_reader *);

/* Parse a record header from len bytes: returns 1 with *type and *body_len set
 * when a header is there, 0 when more bytes are needed, -1 when the body
 * length exceeds max. */
int	 ipc_peek_header(const void *p, size_t len, size_t max, uint32_t *type,
	    uint32_t *body_len);

/* Blocking whole-record I/O for simple processes (parser workers). Returns 0,
 * or -1 on error or EOF (errno 0 on clean EOF). */
int	 ipc_write_all(int fd, const void *p, size_t n);
int	 ipc_read_record(int fd, size_t max, uint32_t *type, struct buf *body);

/* Send / receive one record with an attached descriptor (blocking). fd -1
 * sends none. ipc_recv_fd returns 0 with *fd set (-1 if none), or -1. */
int	 ipc_send_fd(int sock, const struct buf *record, int fd);
int	 ipc_recv_fd(int sock, uint32_t *type, struct buf *body, int *fd);

#endif

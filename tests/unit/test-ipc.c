/* Unit tests for daemon/ipc.c and the IPC_PARSE_RESULT codec (mail/parsed.c):
 * round trips, truncated and leftover bytes rejected, fd passing. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/ipc.h"
#include "daemon/xalloc.h"
#include "mail/parsed.h"

static void
test_fields_round_trip(void **state)
{
	struct buf rec = BUF_INIT;
	ipc_begin_record(&rec, IPC_PARSE_REQUEST);
	ipc_put_u64(&rec, 0x0102030405060708ull);
	ipc_put_data(&rec, "a\0b", 3);
	ipc_put_str(&rec, "héllo");
	ipc_put_str(&rec, NULL);
	ipc_end_record(&rec);
	uint32_t type, len;
	assert_int_equal(ipc_peek_header(rec.data, rec.len, 1024, &type, &len), 1);
	assert_int_equal(type, IPC_PARSE_REQUEST);
	assert_int_equal(len, rec.len - IPC_HEADER_LEN);
	assert_int_equal(ipc_peek_header(rec.data, 7, 1024, &type, &len), 0);
	assert_int_equal(ipc_peek_header(rec.data, rec.len, len - 1, &type, &len), -1);

	struct ipc_reader r;
	size_t n;
	ipc_reader_init(&r, rec.data + IPC_HEADER_LEN, rec.len - IPC_HEADER_LEN);
	assert_true(ipc_get_u64(&r) == 0x0102030405060708ull);
	const char *d = ipc_get_data(&r, &n);
	assert_int_equal(n, 3);
	assert_memory_equal(d, "a\0b", 3);
	char *s = ipc_get_str(&r);
	assert_string_equal(s, "héllo");
	free(s);
	s = ipc_get_str(&r);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(ipc_reader_end(&r), 0);

	/* leftover bytes are an error */
	ipc_reader_init(&r, rec.data + IPC_HEADER_LEN, rec.len - IPC_HEADER_LEN);
	ipc_get_u64(&r);
	assert_int_equal(ipc_reader_end(&r), -1);
	/* a string field with a NUL inside is an error */
	ipc_reader_init(&r, rec.data + IPC_HEADER_LEN, rec.len - IPC_HEADER_LEN);
	ipc_get_u64(&r);
	free(ipc_get_str(&r));
	assert_int_equal(r.error, 1);
	/* truncation at every length is an error, never a crash */
	for (size_t cut = 0; cut < rec.len - IPC_HEADER_LEN; cut++) {
		ipc_reader_init(&r, rec.data + IPC_HEADER_LEN, cut);
		ipc_get_u64(&r);
		ipc_get_data(&r, &n);
		free(ipc_get_str(&r));
		free(ipc_get_str(&r));
		assert_int_equal(ipc_reader_end(&r), -1);
	}
	buf_free(&rec);
}

static void
test_parsed_round_trip(void **state)
{
	struct parsed p, q;
	parsed_init(&p);
	p.ok = 1;
	p.date = 1795425410;
	p.received_count = 3;
	free(p.subject);
	p.subject = xstrdup("Réunion — اجتماع");
	free(p.text);
	p.text = xstrdup("body\nline 2\n");
	p.nattach = 2;
	p.attach = xcalloc(2, sizeof *p.attach);
	for (int i = 0; i < 2; i++) {
		p.attach[i].filename = xstrdup(i ? "b.pdf" : "التقرير.pdf");
		p.attach[i].content_type = xstrdup("application/pdf");
		buf_append(&p.attach[i].data, "%PDF\0\1", 6);
	}
	struct buf rec = BUF_INIT;
	parsed_encode(&rec, 42, &p);
	uint64_t job;
	assert_int_equal(parsed_decode(rec.data + IPC_HEADER_LEN,
	    rec.len - IPC_HEADER_LEN, &job, &q), 0);
	assert_int_equal(job, 42);
	assert_int_equal(q.ok, 1);
	assert_int_equal(q.date, 1795425410);
	assert_int_equal(q.received_count, 3);
	assert_string_equal(q.subject, p.subject);
	assert_string_equal(q.text, p.text);
	assert_string_equal(q.message_id, "");
	assert_int_equal(q.nattach, 2);
	assert_string_equal(q.attach[0].filename, "التقرير.pdf");
	assert_int_equal(q.attach[1].data.len, 6);
	assert_memory_equal(q.attach[1].data.data, "%PDF\0\1", 6);
	parsed_clear(&q);
	/* one byte short, one byte extra */
	assert_int_equal(parsed_decode(rec.data + IPC_HEADER_LEN,
	    rec.len - IPC_HEADER_LEN - 1, &job, &q), -1);
	buf_putc(&rec, 'x');
	assert_int_equal(parsed_decode(rec.data + IPC_HEADER_LEN,
	    rec.len - IPC_HEADER_LEN, &job, &q), -1);
	parsed_clear(&p);
	buf_free(&rec);
}

static void
test_attachment_limit(void **state)
{
	struct parsed p, q;
	parsed_init(&p);
	p.nattach = PARSED_MAX_ATTACHMENTS + 1;
	p.attach = xcalloc(p.nattach, sizeof *p.attach);
	for (size_t i = 0; i < p.nattach; i++) {
		p.attach[i].filename = xstrdup("f");
		p.attach[i].content_type = xstrdup("t/t");
	}
	struct buf rec = BUF_INIT;
	uint64_t job;
	parsed_encode(&rec, 1, &p);
	assert_int_equal(parsed_decode(rec.data + IPC_HEADER_LEN,
	    rec.len - IPC_HEADER_LEN, &job, &q), -1);
	parsed_clear(&p);
	buf_free(&rec);
}

static void
test_fd_passing(void **state)
{
	int sp[2], pp[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	assert_int_equal(pipe(pp), 0);
	struct buf rec = BUF_INIT, body = BUF_INIT;
	ipc_begin_record(&rec, IPC_PARSER_FD);
	ipc_put_u64(&rec, 1234);
	ipc_end_record(&rec);
	assert_int_equal(ipc_send_fd(sp[0], &rec, pp[1]), 0);
	uint32_t type;
	int fd;
	assert_int_equal(ipc_recv_fd(sp[1], &type, &body, &fd), 0);
	assert_int_equal(type, IPC_PARSER_FD);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "z", 1), 1);
	char c;
	assert_int_equal(read(pp[0], &c, 1), 1);
	assert_int_equal(c, 'z');
	struct ipc_reader r;
	ipc_reader_init(&r, body.data, body.len);
	assert_int_equal(ipc_get_u64(&r), 1234);
	assert_int_equal(ipc_reader_end(&r), 0);
	close(fd);
	close(sp[0]);
	assert_int_equal(ipc_recv_fd(sp[1], &type, &body, &fd), -1);
	close(sp[1]);
	close(pp[0]);
	close(pp[1]);
	buf_free(&rec);
	buf_free(&body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_round_trip),
		cmocka_unit_test(test_parsed_round_trip),
		cmocka_unit_test(test_attachment_limit),
		cmocka_unit_test(test_fd_passing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

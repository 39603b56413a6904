/*
 * smtpload: SMTP load generator for bench/ingest. N concurrent sessions
 * (threads, blocking sockets, TCP_NODELAY) each send messages of a given
 * size in lockstep; prints accepted messages per second and the p50/p99 of
 * the time from the final "." to the 250 reply.
 *   smtpload HOST PORT SESSIONS MESSAGES SIZE FROM RCPT
 */
#include <config.h>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct smtpload {
	const char	*host, *port, *from, *rcpt;
	int		 per_session;
	size_t		 size;
	double		*lat;		/* one slot per message */
	int		 failures;
	pthread_mutex_t	 lock;
};

struct smtpload_worker {
	struct smtpload	*s;
	int		 index;
};

static double
smtpload_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read one whole reply; returns its code or -1. */
static int
smtpload_reply(FILE *f)
{
	char line[1024];
	for (;;) {
		if (fgets(line, sizeof line, f) == NULL || strlen(line) < 4)
			return -1;
		if (line[3] == ' ')
			return atoi(line);
	}
}

static int
smtpload_connect(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	int fd = socket(res->ai_family, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, res->ai_addr, res->ai_addrlen) == -1) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static void *
smtpload_session(void *arg)
{
	struct smtpload_worker *w = arg;
	struct smtpload *s = w->s;
	int fd = smtpload_connect(s->host, s->port);
	if (fd == -1)
		goto fail;
	FILE *in = fdopen(dup(fd), "r");
	char body[256];
	if (smtpload_reply(in) != 220)
		goto fail;
	dprintf(fd, "EHLO load.test\r\n");
	if (smtpload_reply(in) != 250)
		goto fail;
	char *msg = malloc(s->size + 512);
	for (int i = 0; i < s->per_session; i++) {
		int n = snprintf(msg, 512, "From: <%s>\r\nTo: <%s>\r\nSubject: load "
		    "%d-%d\r\nMessage-ID: <load-%d-%d-%ld@load.test>\r\n\r\n", s->from,
		    s->rcpt, w->index, i, w->index, i, (long)time(NULL));
		size_t len = (size_t)n;
		while (len + 80 < s->size) {
			memset(msg + len, 'x', 76);
			memcpy(msg + len + 76, "\r\n", 2);
			len += 78;
		}
		memcpy(msg + len, ".\r\n", 3);
		len += 3;
		snprintf(body, sizeof body, "MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n",
		    s->from, s->rcpt);
		if (write(fd, body, strlen(body)) < 0 || smtpload_reply(in) != 250 ||
		    smtpload_reply(in) != 250 || smtpload_reply(in) != 354)
			goto fail;
		double t0 = smtpload_now();
		if (write(fd, msg, len) != (ssize_t)len)
			goto fail;
		int code = smtpload_reply(in);
		double t1 = smtpload_now();
		if (code != 250)
			goto fail;
		s->lat[w->index * s->per_session + i] = t1 - t0;
	}
	dprintf(fd, "QUIT\r\n");
	smtpload_reply(in);
	fclose(in);
	close(fd);
	free(msg);
	return NULL;
fail:
	pthread_mutex_lock(&s->lock);
	s->failures++;
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static int
smtpload_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	if (argc != 8) {
		fprintf(stderr, "usage: smtpload HOST PORT SESSIONS MESSAGES SIZE"
		    " FROM RCPT\n");
		return 1;
	}
	struct smtpload s = { argv[1], argv[2], argv[6], argv[7], 0, 0, NULL, 0,
	    PTHREAD_MUTEX_INITIALIZER };
	int sessions = atoi(argv[3]), total = atoi(argv[4]);
	s.size = (size_t)atol(argv[5]);
	s.per_session = total / sessions;
	total = s.per_session * sessions;
	s.lat = calloc((size_t)total, sizeof *s.lat);
	pthread_t *t = calloc((size_t)sessions, sizeof *t);
	struct smtpload_worker *w = calloc((size_t)sessions, sizeof *w);
	double t0 = smtpload_now();
	for (int i = 0; i < sessions; i++) {
		w[i].s = &s;
		w[i].index = i;
		pthread_create(&t[i], NULL, smtpload_session, &w[i]);
	}
	for (int i = 0; i < sessions; i++)
		pthread_join(t[i], NULL);
	double elapsed = smtpload_now() - t0;
	int ok = 0;
	for (int i = 0; i < total; i++)
		if (s.lat[i] > 0)
			s.lat[ok++] = s.lat[i];
	qsort(s.lat, (size_t)ok, sizeof *s.lat, smtpload_cmp);
	printf("messages %d  failed_sessions %d  seconds %.2f  rate %.0f/s  "
	    "p50 %.2f ms  p99 %.2f ms\n", ok, s.failures, elapsed, ok / elapsed,
	    ok ? s.lat[ok / 2] * 1e3 : 0, ok ? s.lat[(int)(ok * 0.99)] * 1e3 : 0);
	return s.failures ? 2 : 0;
}

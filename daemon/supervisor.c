/*
 * Supervisor (see supervisor.h). Signals are blocked and taken with
 * sigtimedwait(), so the loop has no handlers and no races.
 */
#include <config.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/engine.h"
#include "daemon/ipc.h"
#include "daemon/log.h"
#include "daemon/supervisor.h"
#include "mail/fetcher.h"
#include "mail/parser.h"

struct supervisor {
	const struct config	*cfg;
	pid_t			 engine;
	int			 ctl;		/* our end of the engine channel */
	pid_t			 parsers[SUPERVISOR_MAX_PARSERS];
	pid_t			 fetcher;	/* IMAP fetcher, 0: none */
	time_t			 fetcher_due;	/* next start allowed */
	int			 stopping;
	time_t			 restarts[SUPERVISOR_MAX_RESTARTS];
};

void
supervisor_drop_privileges(const char *user)
{
	if (user == NULL || *user == '\0' || geteuid() != 0)
		return;
	struct passwd *pw = getpwnam(user);
	if (pw == NULL)
		fatalx("user %s: no such user", user);
	if (setgroups(1, &pw->pw_gid) == -1 || setresgid(pw->pw_gid, pw->pw_gid,
	    pw->pw_gid) == -1 || setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		fatal("cannot drop privileges to %s", user);
}

static void
supervisor_child_signals(void)
{
	sigset_t none;
	sigemptyset(&none);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void
supervisor_spawn_parser(struct supervisor *s, int slot)
{
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1) {
		log_warn("socketpair");
		return;
	}
	pid_t pid = fork();
	if (pid == -1) {
		log_warn("fork");
		close(sp[0]);
		close(sp[1]);
		return;
	}
	if (pid == 0) {
		supervisor_child_signals();
		log_set_ident("parser");
		close(sp[0]);
		close(s->ctl);
		supervisor_drop_privileges(s->cfg->user);
		struct parser_limits l = { (int)s->cfg->parser_timeout,
		    s->cfg->parser_memory, s->cfg->max_message_size + 65536 };
		parser_worker_main(sp[1], &l);
	}
	close(sp[1]);
	s->parsers[slot] = pid;
	struct buf rec = BUF_INIT;
	ipc_begin_record(&rec, IPC_PARSER_FD);
	ipc_put_u64(&rec, (uint64_t)pid);
	ipc_end_record(&rec);
	if (ipc_send_fd(s->ctl, &rec, sp[0]) == -1)
		log_warn("cannot hand parser %d to the engine", (int)pid);
	close(sp[0]);
	buf_free(&rec);
}

/* The IMAP fetcher (mail/fetcher.c), only when sources are configured; its
 * socket goes to the engine like a parser's. */
static void
supervisor_spawn_fetcher(struct supervisor *s)
{
	int sp[2];
	if (s->cfg->imap_nsources == 0 || s->fetcher || s->ctl < 0 ||
	    time(NULL) < s->fetcher_due)
		return;
	s->fetcher_due = time(NULL) + SUPERVISOR_FETCHER_DELAY;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1) {
		log_warn("socketpair");
		return;
	}
	pid_t pid = fork();
	if (pid == -1) {
		log_warn("fork");
		close(sp[0]);
		close(sp[1]);
		return;
	}
	if (pid == 0) {
		supervisor_child_signals();
		close(sp[0]);
		close(s->ctl);
		fetcher_main(s->cfg, sp[1]);	/* drops privileges itself */
	}
	close(sp[1]);
	s->fetcher = pid;
	struct buf rec = BUF_INIT;
	ipc_begin_record(&rec, IPC_FETCHER_FD);
	ipc_put_u64(&rec, (uint64_t)pid);
	ipc_end_record(&rec);
	if (ipc_send_fd(s->ctl, &rec, sp[0]) == -1)
		log_warn("cannot hand the fetcher %d to the engine", (int)pid);
	close(sp[0]);
	buf_free(&rec);
}

static int
supervisor_spawn_engine(struct supervisor *s)
{
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1)
		fatal("socketpair");
	pid_t pid = fork();
	if (pid == -1)
		fatal("fork");
	if (pid == 0) {
		supervisor_child_signals();
		close(sp[0]);
		exit(engine_main(s->cfg, sp[1]));	/* exit: leak checks run */
	}
	close(sp[1]);
	s->engine = pid;
	s->ctl = sp[0];
	for (int i = 0; i < s->cfg->parser_workers && i < SUPERVISOR_MAX_PARSERS; i++)
		supervisor_spawn_parser(s, i);
	s->fetcher_due = 0;
	supervisor_spawn_fetcher(s);
	return 0;
}

static void
supervisor_send(struct supervisor *s, uint32_t type)
{
	struct buf rec = BUF_INIT;
	ipc_begin_record(&rec, type);
	ipc_end_record(&rec);
	if (s->ctl >= 0 && ipc_send_fd(s->ctl, &rec, -1) == -1)
		log_warn("engine channel");
	buf_free(&rec);
}

static int
supervisor_throttled(struct supervisor *s)
{
	time_t now = time(NULL);
	memmove(s->restarts, s->restarts + 1,
	    sizeof s->restarts[0] * (SUPERVISOR_MAX_RESTARTS - 1));
	s->restarts[SUPERVISOR_MAX_RESTARTS - 1] = now;
	return s->restarts[0] != 0 && now - s->restarts[0] < 60;
}

static void
supervisor_reap(struct supervisor *s)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		if (pid == s->engine) {
			s->engine = 0;
			close(s->ctl);
			s->ctl = -1;
			if (s->stopping)
				continue;
			log_warnx("engine %d %s %d; restarting", (int)pid,
			    sig ? "killed by signal" : "exited with",
			    sig ? sig : WEXITSTATUS(status));
			if (supervisor_throttled(s))
				fatalx("engine restarting too often, giving up");
			sleep(1);
			supervisor_spawn_engine(s);
			continue;
		}
		if (pid == s->fetcher) {
			s->fetcher = 0;
			if (sig || WEXITSTATUS(status))
				log_warnx("fetcher %d ended (%s %d); a new one starts"
				    " in %d s", (int)pid, sig ? "signal" : "status",
				    sig ? sig : WEXITSTATUS(status),
				    SUPERVISOR_FETCHER_DELAY);
			continue;
		}
		for (int i = 0; i < SUPERVISOR_MAX_PARSERS; i++) {
			if (s->parsers[i] != pid)
				continue;
			s->parsers[i] = 0;
			if (sig)
				log_warnx("parser %d killed by signal %d", (int)pid, sig);
			if (!s->stopping && s->engine)
				supervisor_spawn_parser(s, i);
		}
	}
}

static void
supervisor_stop(struct supervisor *s)
{
	s->stopping = 1;
	supervisor_send(s, IPC_SHUTDOWN);
	time_t deadline = time(NULL) + SUPERVISOR_STOP_TIMEOUT;
	while (s->engine && time(NULL) < deadline) {
		supervisor_reap(s);
		if (s->engine)
			usleep(50000);
	}
	if (s->engine) {
		log_warnx("engine did not stop in time, killing it");
		kill(s->engine, SIGKILL);
	}
	for (int i = 0; i < SUPERVISOR_MAX_PARSERS; i++)
		if (s->parsers[i])
			kill(s->parsers[i], SIGTERM);
	if (s->fetcher)
		kill(s->fetcher, SIGTERM);
	while (waitpid(-1, NULL, 0) > 0)
		;
}

int
supervisor_run(const struct config *cfg)
{
	struct supervisor s;
	memset(&s, 0, sizeof s);
	s.cfg = cfg;
	s.ctl = -1;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	supervisor_spawn_engine(&s);
	log_info("majlis started: engine %d, %d parser(s)", (int)s.engine,
	    cfg->parser_workers);
	for (;;) {
		struct timespec ts = { 1, 0 };
		int sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT) {
			log_info("signal %d: stopping", sig);
			break;
		}
		if (sig == SIGHUP) {
			log_reopen();
			supervisor_send(&s, IPC_RELOAD);
		}
		supervisor_reap(&s);
		if (s.engine)
			supervisor_spawn_fetcher(&s);
	}
	supervisor_stop(&s);
	log_info("majlis stopped");
	return 0;
}

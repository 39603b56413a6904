/*
 * majlisd: parse the command line, load the configuration, then hand over to
 * the supervisor.
 */
#include <config.h>

#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/log.h"
#include "daemon/supervisor.h"

/* glibc's heap tuning for a daemon that builds each web page and mail copy
 * in a buffer of 64 KiB to a few MiB and frees it once sent. With the
 * defaults a buffer over 128 KiB was mapped and unmapped per page, and the
 * top of the heap given back and taken again: each unmap is a TLB flush on
 * every CPU the engine's threads ran on, which was half the CPU time of a
 * thread page under load (bench/web). Buffers below MAJLISD_MMAP_THRESHOLD
 * come from the heap, and up to MAJLISD_TRIM_THRESHOLD of free heap is
 * kept for the next page instead of being returned to the kernel. */
#define MAJLISD_MMAP_THRESHOLD	(8 * 1024 * 1024)
#define MAJLISD_TRIM_THRESHOLD	(32 * 1024 * 1024)

static void
usage(void)
{
	fprintf(stderr, "usage: majlisd [-dnv] [-f config]\n"
	    "  -f config  configuration file (default: $MAJLIS_CONFIG or"
	    " ./majlis.conf when present)\n"
	    "  -d         stay in the foreground, log to stderr\n"
	    "  -n         check the configuration and exit\n"
	    "  -v         more logging (twice: debug)\n");
	exit(1);
}

static const char *
majlisd_config_path(const char *given)
{
	if (given)
		return given;
	const char *env = getenv("MAJLIS_CONFIG");
	if (env && *env)
		return env;
	return access("majlis.conf", R_OK) == 0 ? "majlis.conf" : NULL;
}

static void
majlisd_daemonize(void)
{
	pid_t pid = fork();
	if (pid == -1)
		fatal("fork");
	if (pid > 0)
		_exit(0);
	if (setsid() == -1)
		fatal("setsid");
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
}

int
main(int argc, char *argv[])
{
	const char *path = NULL;
	int foreground = 0, check = 0, verbose = 0, ch;
	(void)mallopt(M_MMAP_THRESHOLD, MAJLISD_MMAP_THRESHOLD);
	(void)mallopt(M_TRIM_THRESHOLD, MAJLISD_TRIM_THRESHOLD);
	while ((ch = getopt(argc, argv, "df:nv")) != -1) {
		switch (ch) {
		case 'd':
			foreground = 1;
			break;
		case 'f':
			path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	struct config cfg;
	struct buf err = BUF_INIT;
	path = majlisd_config_path(path);
	if (config_load(&cfg, path, &err) == -1) {
		fprintf(stderr, "majlisd: %s\n", buf_cstr(&err));
		return 1;
	}
	if (check) {
		if (verbose) {
			struct buf dump = BUF_INIT;
			config_dump(&cfg, &dump);
			fputs(buf_cstr(&dump), stdout);
			buf_free(&dump);
		}
		printf("majlisd: configuration %s OK\n", path ? path : "(defaults)");
		config_free(&cfg);
		return 0;
	}
	int level = cfg.log_level + verbose;
	log_init("majlisd", foreground, level > LOG_LEVEL_DEBUG ?
	    LOG_LEVEL_DEBUG : level);
	if (!foreground)
		majlisd_daemonize();
	int rc = supervisor_run(&cfg);
	config_free(&cfg);
	buf_free(&err);
	return rc;
}

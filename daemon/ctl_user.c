/*
 * majlisctl user add: a web account set directly, for the first
 * administrator and demo sites. The password is read from a file or from
 * standard input, never from the command line (which any local user can
 * read in the process list).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "daemon/account.h"
#include "daemon/buf.h"
#include "daemon/ctl.h"
#include "daemon/password.h"

/* Read the password: the first line of path ("-": standard input), without
 * its line end. Returns 0, or an exit status after a message. */
static int
ctl_user_password(const char *path, struct buf *pw)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	int c;

	if (f == NULL)
		return ctl_err(CTL_EXIT_FAILURE, "cannot open %s: %s", path,
		    strerror(errno));
	while ((c = getc(f)) != EOF && c != '\n' && pw->len <= PASSWORD_MAX)
		buf_putc(pw, (char)c);
	if (pw->len > 0 && pw->data[pw->len - 1] == '\r')
		buf_truncate(pw, pw->len - 1);
	if (f != stdin)
		fclose(f);
	if (pw->len < PASSWORD_MIN || pw->len > PASSWORD_MAX)
		return ctl_err(CTL_EXIT_USAGE, "the password must have %d to %d"
		    " bytes", PASSWORD_MIN, PASSWORD_MAX);
	return 0;
}

int
ctl_user_add(struct ctl *ctl, int argc, char **argv)
{
	enum { O_NAME, O_ADMIN, O_PWFILE };
	struct ctl_opt opts[] = {
		{ "--name", 1, 0, NULL }, { "--admin", 0, 0, NULL },
		{ "--password-file", 1, 0, NULL },
	};
	const char *pos[1], *name;
	struct buf pw = BUF_INIT, err = BUF_INIT;
	int npos, rc;

	if ((rc = ctl_args(ctl, argc, argv, opts, 3, pos, 1, 1, &npos)) != 0)
		return rc;
	name = opts[O_NAME].value ? opts[O_NAME].value : "";
	if (!ctl_member_valid_email(pos[0]))
		return ctl_err(CTL_EXIT_USAGE, "bad address \"%.80s\"", pos[0]);
	if (*name != '\0' && !ctl_valid_text(name, CTL_NAME_MAX, 0))
		return ctl_err(CTL_EXIT_USAGE, "bad name: at most %d bytes of"
		    " UTF-8 text without control characters", CTL_NAME_MAX);
	rc = ctl_user_password(opts[O_PWFILE].value ? opts[O_PWFILE].value :
	    "-", &pw);
	if (rc == 0 && (rc = ctl_begin(ctl)) == 0) {
		if (account_create(ctl->db, pos[0], *name ? name : NULL,
		    buf_cstr(&pw), opts[O_ADMIN].seen, &err) == -1)
			rc = ctl_rollback(ctl, ctl_err(CTL_EXIT_USAGE, "%s",
			    buf_cstr(&err)));
		else if ((rc = ctl_commit(ctl)) == 0) {
			printf("%s can sign in%s\n", pos[0],
			    opts[O_ADMIN].seen ? " (site administrator)" : "");
			rc = ctl_out(NULL, 0);
		}
	}
	if (pw.data != NULL)
		sodium_memzero(pw.data, pw.len);
	buf_free(&pw);
	buf_free(&err);
	return rc;
}

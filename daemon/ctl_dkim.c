/*
 * majlisctl dkim generate: make a DKIM key pair for list_domain, write it as
 * PEM files (the private one mode 0600, never over an existing file), and
 * print the DNS TXT record to publish and the configuration lines to add.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "daemon/ctl.h"

/* RSA sizes offered: from what majlis accepts to what every verifier must
 * handle (RFC 8301). */
#define CTL_DKIM_BITS_MIN	CONFIG_DKIM_RSA_BITS_MIN
#define CTL_DKIM_BITS_MAX	4096
#define CTL_DKIM_BITS_DEFAULT	2048
/* Longest character-string of a DNS TXT record (RFC 1035 3.3). */
#define CTL_DKIM_TXT_CHUNK	255
/* Default selectors (they must differ: one DNS record each). */
#define CTL_DKIM_SELECTOR_RSA	"majlis"
#define CTL_DKIM_SELECTOR_ED	"majlis-ed25519"
/* Modes of the files written. */
#define CTL_DKIM_KEY_MODE	0600
#define CTL_DKIM_PUB_MODE	0644

struct ctl_dkim_req {
	int		 ed25519;
	int		 bits;
	const char	*selector;
	struct buf	 out;		/* private key path, absolute */
	struct buf	 pub;		/* public key path: out + ".pub" */
};

static int
ctl_dkim_parse(struct ctl *ctl, struct ctl_dkim_req *r, struct ctl_opt *o)
{
	char *end, cwd[PATH_MAX];
	long bits;

	if (o[1].seen && strcmp(o[1].value, "rsa") != 0 &&
	    strcmp(o[1].value, "ed25519") != 0)
		return ctl_err(CTL_EXIT_USAGE, "--type: expected rsa or ed25519");
	r->ed25519 = o[1].seen && strcmp(o[1].value, "ed25519") == 0;
	r->bits = CTL_DKIM_BITS_DEFAULT;
	if (o[2].seen && r->ed25519)
		return ctl_err(CTL_EXIT_USAGE, "--bits is for RSA keys only");
	if (o[2].seen) {
		errno = 0;
		bits = strtol(o[2].value, &end, 10);
		if (errno != 0 || *end != '\0' || end == o[2].value ||
		    bits < CTL_DKIM_BITS_MIN || bits > CTL_DKIM_BITS_MAX)
			return ctl_err(CTL_EXIT_USAGE, "--bits: expected a number"
			    " from %d to %d", CTL_DKIM_BITS_MIN,
			    CTL_DKIM_BITS_MAX);
		r->bits = (int)bits;
	}
	r->selector = o[0].seen ? o[0].value : r->ed25519 ?
	    CTL_DKIM_SELECTOR_ED : CTL_DKIM_SELECTOR_RSA;
	if (!config_dkim_selector_valid(r->selector))
		return ctl_err(CTL_EXIT_USAGE, "--selector: expected labels of"
		    " letters, digits and '-' separated by dots, at most %d"
		    " bytes", CONFIG_DKIM_SELECTOR_MAX);
	if (strlen(r->selector) + strlen("._domainkey.") +
	    strlen(ctl->cfg.list_domain) > CONFIG_DOMAIN_MAX)
		return ctl_err(CTL_EXIT_USAGE, "--selector: %s._domainkey.%s is"
		    " longer than %d bytes", r->selector, ctl->cfg.list_domain,
		    CONFIG_DOMAIN_MAX);
	if (o[3].seen && o[3].value[0] == '\0')
		return ctl_err(CTL_EXIT_USAGE, "--out: empty path");
	if (o[3].seen && o[3].value[0] != '/') {
		if (getcwd(cwd, sizeof cwd) == NULL)
			return ctl_err(CTL_EXIT_FAILURE, "getcwd: %s",
			    strerror(errno));
		buf_printf(&r->out, "%s/%s", cwd, o[3].value);
	} else if (o[3].seen)
		buf_puts(&r->out, o[3].value);
	else
		buf_printf(&r->out, "%s/dkim-%s.key", ctl->cfg.data_dir,
		    r->selector);
	buf_printf(&r->pub, "%s.pub", buf_cstr(&r->out));
	return 0;
}

/* Write a new file (never over an existing one) with exactly mode. */
static int
ctl_dkim_write(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode);
	size_t done = 0;

	if (fd == -1 && errno == EEXIST)
		return ctl_err(CTL_EXIT_CONFLICT, "%s exists: not overwritten",
		    path);
	if (fd == -1)
		return ctl_err(CTL_EXIT_FAILURE, "cannot create %s: %s", path,
		    strerror(errno));
	if (fchmod(fd, mode) == -1)
		goto fail;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		done += (size_t)n;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	{
		int rc = ctl_err(CTL_EXIT_FAILURE, "cannot write %s: %s", path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		unlink(path);
		return rc;
	}
}

/* The PEM of the private (private = 1) or public half into a BIO. */
static BIO *
ctl_dkim_pem(EVP_PKEY *k, int private)
{
	BIO *b = BIO_new(BIO_s_secmem());

	if (b == NULL)
		return NULL;
	if ((private ? PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL,
	    NULL) : PEM_write_bio_PUBKEY(b, k)) != 1) {
		BIO_free(b);
		return NULL;
	}
	return b;
}

/* Write both files: the private key first; it is removed again when the
 * public one cannot be written. */
static int
ctl_dkim_files(const struct ctl_dkim_req *r, EVP_PKEY *k)
{
	BIO *priv = ctl_dkim_pem(k, 1), *pub = ctl_dkim_pem(k, 0);
	char *data;
	long n;
	int rc;

	if (priv == NULL || pub == NULL) {
		BIO_free(priv);
		BIO_free(pub);
		return ctl_err(CTL_EXIT_FAILURE, "cannot encode the key");
	}
	if (access(buf_cstr(&r->pub), F_OK) == 0)
		rc = ctl_err(CTL_EXIT_CONFLICT, "%s exists: not overwritten",
		    buf_cstr(&r->pub));
	else {
		n = BIO_get_mem_data(priv, &data);
		rc = ctl_dkim_write(buf_cstr(&r->out), data, (size_t)n,
		    CTL_DKIM_KEY_MODE);
	}
	if (rc == 0) {
		n = BIO_get_mem_data(pub, &data);
		if ((rc = ctl_dkim_write(buf_cstr(&r->pub), data, (size_t)n,
		    CTL_DKIM_PUB_MODE)) != 0)
			unlink(buf_cstr(&r->out));
	}
	BIO_free(priv);
	BIO_free(pub);
	return rc;
}

/* The p= value: the SubjectPublicKeyInfo for RSA (what verifiers expect),
 * the raw 32-byte key for Ed25519 (RFC 8463 4.2), in base64. */
static int
ctl_dkim_public(EVP_PKEY *k, int ed25519, struct buf *out)
{
	unsigned char raw[64], *der = NULL, *p = raw;
	size_t n = sizeof raw;
	int len;

	if (ed25519) {
		if (EVP_PKEY_get_raw_public_key(k, raw, &n) != 1)
			return -1;
		len = (int)n;
	} else {
		if ((len = i2d_PUBKEY(k, &der)) <= 0)
			return -1;
		p = der;
	}
	buf_reserve(out, 4 * (((size_t)len + 2) / 3) + 1);
	out->len += (size_t)EVP_EncodeBlock((unsigned char *)out->data +
	    out->len, p, len);
	OPENSSL_free(der);
	return 0;
}

/* Print the record (split in strings of at most CTL_DKIM_TXT_CHUNK bytes)
 * and the configuration lines. */
static int
ctl_dkim_print(struct ctl *ctl, const struct ctl_dkim_req *r,
    const struct buf *txt)
{
	struct buf o = BUF_INIT;
	int rc;

	buf_printf(&o, "Wrote the private key to %s (mode 0600) and the public"
	    " key to %s.\n\nPublish this DNS record:\n%s._domainkey.%s IN TXT",
	    buf_cstr(&r->out), buf_cstr(&r->pub), r->selector,
	    ctl->cfg.list_domain);
	for (size_t i = 0; i < txt->len; i += CTL_DKIM_TXT_CHUNK) {
		size_t n = txt->len - i < CTL_DKIM_TXT_CHUNK ? txt->len - i :
		    CTL_DKIM_TXT_CHUNK;
		buf_printf(&o, " \"%.*s\"", (int)n, txt->data + i);
	}
	buf_printf(&o, "\n\nThen add to %s and restart majlisd:\n"
	    "%s = %s\n%s = %s\n", ctl->cfg.path ? ctl->cfg.path : "majlis.conf",
	    r->ed25519 ? "dkim_ed25519_selector" : "dkim_selector", r->selector,
	    r->ed25519 ? "dkim_ed25519_key" : "dkim_key", buf_cstr(&r->out));
	rc = ctl_out(o.data, o.len);
	buf_free(&o);
	return rc;
}

int
ctl_dkim(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_opt opts[] = { { "--selector", 1, 0, NULL },
	    { "--type", 1, 0, NULL }, { "--bits", 1, 0, NULL },
	    { "--out", 1, 0, NULL } };
	struct ctl_dkim_req r = { 0, 0, NULL, BUF_INIT, BUF_INIT };
	struct buf txt = BUF_INIT;
	EVP_PKEY *k = NULL;
	int npos, rc;

	if (argc < 1 || strcmp(argv[0], "generate") != 0)
		return ctl_err(CTL_EXIT_USAGE, "unknown command \"dkim%s%.40s\";"
		    " usage: %s", argc ? " " : "", argc ? argv[0] : "",
		    ctl->usage);
	if ((rc = ctl_args(ctl, argc - 1, argv + 1, opts, 4, NULL, 0, 0,
	    &npos)) != 0 || (rc = ctl_dkim_parse(ctl, &r, opts)) != 0)
		goto out;
	k = r.ed25519 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519") :
	    EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)r.bits);
	if (k == NULL) {
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot generate the key");
		goto out;
	}
	buf_printf(&txt, "v=DKIM1; k=%s; p=", r.ed25519 ? "ed25519" : "rsa");
	if (ctl_dkim_public(k, r.ed25519, &txt) == -1)
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot encode the public key");
	else if ((rc = ctl_dkim_files(&r, k)) == 0)
		rc = ctl_dkim_print(ctl, &r, &txt);
out:
	EVP_PKEY_free(k);
	buf_free(&txt);
	buf_free(&r.out);
	buf_free(&r.pub);
	return rc;
}

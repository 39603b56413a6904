/*
 * Charset labels, conversion to UTF-8 with glibc iconv, UTF-8 repair and
 * display cleaning (see charset.h). Labels follow the WHATWG Encoding
 * Standard where it differs from the IANA names (latin1 is windows-1252).
 */
#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

#include "daemon/buf.h"
#include "mail/charset.h"

#define UTF8_REPLACEMENT	"\xef\xbf\xbd"

/* Labels outside the iso-8859-N and windows-125N families. */
struct charset_alias {
	const char	*label;
	const char	*name;
};

static const struct charset_alias aliases[] = {
	{ "utf-8", "UTF-8" }, { "utf8", "UTF-8" },
	{ "unicode-1-1-utf-8", "UTF-8" }, { "x-unicode20utf8", "UTF-8" },
	{ "us-ascii", "windows-1252" }, { "ascii", "windows-1252" },
	{ "us", "windows-1252" }, { "ansi_x3.4-1968", "windows-1252" },
	{ "iso646-us", "windows-1252" }, { "latin1", "windows-1252" },
	{ "l1", "windows-1252" }, { "iso-ir-100", "windows-1252" },
	{ "cp819", "windows-1252" }, { "ibm819", "windows-1252" },
	{ "csisolatin1", "windows-1252" },
	{ "latin2", "ISO-8859-2" }, { "l2", "ISO-8859-2" },
	{ "latin3", "ISO-8859-3" }, { "l3", "ISO-8859-3" },
	{ "latin4", "ISO-8859-4" }, { "l4", "ISO-8859-4" },
	{ "cyrillic", "ISO-8859-5" }, { "arabic", "ISO-8859-6" },
	{ "asmo-708", "ISO-8859-6" }, { "ecma-114", "ISO-8859-6" },
	{ "greek", "ISO-8859-7" }, { "greek8", "ISO-8859-7" },
	{ "hebrew", "ISO-8859-8" }, { "iso-8859-8-i", "ISO-8859-8" },
	{ "latin5", "windows-1254" }, { "l5", "windows-1254" },
	{ "latin6", "ISO-8859-10" }, { "l6", "ISO-8859-10" },
	{ "latin9", "ISO-8859-15" }, { "l9", "ISO-8859-15" },
	{ "tis-620", "windows-874" }, { "windows-874", "windows-874" },
	{ "cp874", "windows-874" },
	{ "koi8-r", "KOI8-R" }, { "koi8r", "KOI8-R" }, { "koi8", "KOI8-R" },
	{ "cskoi8r", "KOI8-R" }, { "koi8-u", "KOI8-U" }, { "koi8-ru", "KOI8-U" },
	{ "ibm866", "IBM866" }, { "cp866", "IBM866" }, { "866", "IBM866" },
	{ "macintosh", "macintosh" }, { "mac", "macintosh" },
	{ "x-mac-roman", "macintosh" },
	{ "x-mac-cyrillic", "x-mac-cyrillic" },
	{ "gb2312", "GBK" }, { "gbk", "GBK" }, { "cp936", "GBK" },
	{ "x-gbk", "GBK" }, { "chinese", "GBK" }, { "csgb2312", "GBK" },
	{ "gb_2312-80", "GBK" }, { "gb_2312", "GBK" }, { "euc-cn", "GBK" },
	{ "gb18030", "gb18030" },
	{ "big5", "Big5" }, { "big5-hkscs", "Big5" }, { "cn-big5", "Big5" },
	{ "x-x-big5", "Big5" }, { "csbig5", "Big5" }, { "cp950", "Big5" },
	{ "shift_jis", "Shift_JIS" }, { "shift-jis", "Shift_JIS" },
	{ "sjis", "Shift_JIS" }, { "x-sjis", "Shift_JIS" },
	{ "ms_kanji", "Shift_JIS" }, { "csshiftjis", "Shift_JIS" },
	{ "windows-31j", "Shift_JIS" }, { "cp932", "Shift_JIS" },
	{ "euc-jp", "EUC-JP" }, { "x-euc-jp", "EUC-JP" },
	{ "cseucpkdfmtjapanese", "EUC-JP" },
	{ "iso-2022-jp", "ISO-2022-JP" }, { "csiso2022jp", "ISO-2022-JP" },
	{ "euc-kr", "EUC-KR" }, { "ks_c_5601-1987", "EUC-KR" },
	{ "ks_c_5601-1989", "EUC-KR" }, { "ksc5601", "EUC-KR" },
	{ "windows-949", "EUC-KR" }, { "cp949", "EUC-KR" },
	{ "cseuckr", "EUC-KR" },
	{ "utf-16", "UTF-16" }, { "utf-16be", "UTF-16BE" },
	{ "utf-16le", "UTF-16LE" }, { "utf-7", "UTF-7" },
	{ "unicode-1-1-utf-7", "UTF-7" },
};

/* Canonical names glibc does not know under the same name. */
static const struct charset_alias iconv_names[] = {
	{ "Shift_JIS", "CP932" }, { "EUC-KR", "CP949" },
	{ "Big5", "BIG5-HKSCS" }, { "x-mac-cyrillic", "MAC-CYRILLIC" },
};

/* iso-8859-N by N; NULL where N is not a charset. 1, 9 and 11 read as their
 * windows supersets, as browsers do. */
static const char *const iso8859_names[] = {
	NULL, "windows-1252", "ISO-8859-2", "ISO-8859-3", "ISO-8859-4",
	"ISO-8859-5", "ISO-8859-6", "ISO-8859-7", "ISO-8859-8",
	"windows-1254", "ISO-8859-10", "windows-874", NULL, "ISO-8859-13",
	"ISO-8859-14", "ISO-8859-15", "ISO-8859-16",
};

static const char *const windows_names[] = {
	"windows-1250", "windows-1251", "windows-1252", "windows-1253",
	"windows-1254", "windows-1255", "windows-1256", "windows-1257",
	"windows-1258",
};

static const char *
skip_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

/* "iso-8859-6", "iso8859-6", "iso_8859-6:1987", "iso88596". */
static const char *
iso8859_lookup(const char *s)
{
	if ((s = skip_prefix(s, "iso")) == NULL)
		return NULL;
	if (*s == '-' || *s == '_')
		s++;
	if ((s = skip_prefix(s, "8859")) == NULL)
		return NULL;
	if (*s == '-' || *s == '_')
		s++;
	if (*s < '0' || *s > '9')
		return NULL;
	unsigned n = (unsigned)(*s++ - '0');
	if (*s >= '0' && *s <= '9')
		n = n * 10 + (unsigned)(*s++ - '0');
	if (*s != '\0' && *s != ':')
		return NULL;
	if (n >= sizeof iso8859_names / sizeof iso8859_names[0])
		return NULL;
	return iso8859_names[n];
}

/* "windows-1256", "cp1256", "x-cp1256". */
static const char *
windows_lookup(const char *s)
{
	const char *p;

	if ((p = skip_prefix(s, "windows-")) == NULL &&
	    (p = skip_prefix(s, "x-cp")) == NULL &&
	    (p = skip_prefix(s, "cp")) == NULL)
		return NULL;
	if ((p = skip_prefix(p, "125")) == NULL)
		return NULL;
	if (p[0] < '0' || p[0] > '8' || p[1] != '\0')
		return NULL;
	return windows_names[p[0] - '0'];
}

/* Trimmed, lower-cased copy of label into lab (CHARSET_LABEL_MAX + 1
 * bytes); -1 if it does not fit. */
static int
label_normalise(char *lab, const char *label)
{
	size_t n = strnlen(label, CHARSET_LABEL_MAX + 1);

	if (n > CHARSET_LABEL_MAX)
		return -1;
	while (n > 0 && (*label == ' ' || *label == '\t')) {
		label++;
		n--;
	}
	while (n > 0 && (label[n - 1] == ' ' || label[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < n; i++) {
		char c = label[i];
		lab[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	lab[n] = '\0';
	return 0;
}

const char *
charset_canonical(const char *label)
{
	char lab[CHARSET_LABEL_MAX + 1];
	const char *name;

	if (label == NULL || label_normalise(lab, label) == -1)
		return NULL;
	if ((name = iso8859_lookup(lab)) != NULL ||
	    (name = windows_lookup(lab)) != NULL)
		return name;
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (strcmp(lab, aliases[i].label) == 0)
			return aliases[i].name;
	return NULL;
}

static const char *
iconv_name(const char *canonical)
{
	for (size_t i = 0; i < sizeof iconv_names / sizeof iconv_names[0]; i++)
		if (strcmp(canonical, iconv_names[i].label) == 0)
			return iconv_names[i].name;
	return canonical;
}

/* Run in through cd into out; a bad byte becomes U+FFFD and is skipped, a
 * truncated sequence at the end becomes U+FFFD. */
static void
iconv_run(struct buf *out, iconv_t cd, const char *in, size_t len)
{
	char chunk[1024], *ip = (char *)in, *op;
	size_t il = len, ol;

	while (il > 0) {
		op = chunk;
		ol = sizeof chunk;
		size_t r = iconv(cd, &ip, &il, &op, &ol);
		int error = r == (size_t)-1 ? errno : 0;
		buf_append(out, chunk, (size_t)(op - chunk));
		if (error == 0 || error == E2BIG)
			continue;
		buf_puts(out, UTF8_REPLACEMENT);
		if (error != EILSEQ)
			break;
		ip++;
		il--;
	}
	op = chunk;
	ol = sizeof chunk;
	if (iconv(cd, NULL, NULL, &op, &ol) != (size_t)-1)
		buf_append(out, chunk, (size_t)(op - chunk));
}

/* Whether label names US-ASCII. */
static int
charset_ascii_label(const char *label)
{
	static const char *const ascii[] = { "us-ascii", "ascii", "us",
	    "ansi_x3.4-1968", "iso646-us" };

	for (size_t i = 0; label != NULL && i < sizeof ascii / sizeof ascii[0];
	    i++)
		if (strcasecmp(label, ascii[i]) == 0)
			return 1;
	return 0;
}

int
charset_to_utf8(struct buf *out, const char *label, const char *in,
    size_t len)
{
	const char *name = charset_canonical(label);
	struct buf tmp = BUF_INIT;
	iconv_t cd;

	/* 8-bit text labelled US-ASCII (or not labelled at all: RFC 2045's
	 * default) that is valid UTF-8 comes from a client that forgot the
	 * label, not from windows-1252, whose text is almost never valid
	 * UTF-8 (swaks, scripts, some phones writing Arabic) */
	if (charset_ascii_label(label) && charset_utf8_valid(in, len))
		name = "UTF-8";
	if (name != NULL && strcmp(name, "UTF-8") == 0) {
		charset_utf8_repair(out, in, len);
		return 0;
	}
	if (name == NULL ||
	    (cd = iconv_open("UTF-8", iconv_name(name))) == (iconv_t)-1) {
		charset_utf8_repair(out, in, len);
		return -1;
	}
	iconv_run(&tmp, cd, in, len);
	iconv_close(cd);
	charset_utf8_repair(out, tmp.data, tmp.len);
	buf_free(&tmp);
	return 0;
}

/* Valid second-byte range for a lead byte, and the sequence length; 0 for a
 * byte that cannot lead. */
static size_t
utf8_lead(unsigned char c, unsigned char *lo, unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef) {
		if (c == 0xe0)
			*lo = 0xa0;
		else if (c == 0xed)
			*hi = 0x9f;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (c == 0xf0)
			*lo = 0x90;
		else if (c == 0xf4)
			*hi = 0x8f;
		return 4;
	}
	return 0;
}

/* Length of the valid sequence at s, or 0 with *bad set to the length of
 * the maximal invalid subpart (at least 1). */
static size_t
utf8_scan(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char lo, hi;
	size_t need = utf8_lead(s[0], &lo, &hi), i;

	*bad = 1;
	if (need == 0)
		return 0;
	for (i = 1; i < need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need;
}

size_t
charset_utf8_seqlen(const char *s, size_t n)
{
	size_t bad;

	if (n == 0)
		return 0;
	return utf8_scan((const unsigned char *)s, n, &bad);
}

void
charset_utf8_repair(struct buf *out, const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, start = 0, k, bad;

	if (len == 0)
		return;
	buf_reserve(out, len);
	while (i < len) {
		if ((k = utf8_scan(s + i, len - i, &bad)) != 0) {
			i += k;
			continue;
		}
		buf_append(out, in + start, i - start);
		buf_puts(out, UTF8_REPLACEMENT);
		i += bad;
		start = i;
	}
	buf_append(out, in + start, i - start);
}

int
charset_utf8_valid(const char *s, size_t len)
{
	size_t i = 0, k, bad;

	while (i < len) {
		if ((k = utf8_scan((const unsigned char *)s + i, len - i,
		    &bad)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* Whether the valid sequence s of length k shows as a space: a control
 * character (C0, DEL, C1) or a line or paragraph separator. */
static int
display_blank(const unsigned char *s, size_t k)
{
	if (k == 1)
		return s[0] < 0x20 || s[0] == ' ' || s[0] == 0x7f;
	if (k == 2)
		return s[0] == 0xc2 && s[1] <= 0x9f;
	return k == 3 && s[0] == 0xe2 && s[1] == 0x80 &&
	    (s[2] == 0xa8 || s[2] == 0xa9);
}

void
charset_display(struct buf *out, const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, k, bad, start = out->len;
	int space = 0;

	while (i < len) {
		k = utf8_scan(s + i, len - i, &bad);
		if (k != 0 && display_blank(s + i, k)) {
			space = 1;
			i += k;
			continue;
		}
		if (space && out->len > start)
			buf_putc(out, ' ');
		space = 0;
		if (k == 0) {
			buf_puts(out, UTF8_REPLACEMENT);
			i += bad;
		} else {
			buf_append(out, in + i, k);
			i += k;
		}
	}
}

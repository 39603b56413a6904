/*
 * Page frame and style sheet (see layout.h). The CSS uses logical
 * properties only, so the same rules lay out Arabic right to left.
 */
#include <config.h>

#include <string.h>

#include "daemon/config.h"
#include "daemon/engine.h"
#include "daemon/store_mod.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/layout.h"
#include "web/session.h"

static const char layout_style[] =
":root{--fg:#1d2125;--muted:#5b6470;--bg:#fbfbf9;--card:#fff;--line:#dde1e6;"
"--accent:#0b5c8a;--quote:#eef2f5;color-scheme:light dark}\n"
"@media (prefers-color-scheme:dark){:root{--fg:#e6e8eb;--muted:#a3abb5;"
"--bg:#15181b;--card:#1d2125;--line:#343a41;--accent:#7cc0ec;--quote:#262b31}}\n"
"*{box-sizing:border-box}\n"
"html{font-size:100%;-webkit-text-size-adjust:100%}\n"
"body{margin:0;background:var(--bg);color:var(--fg);line-height:1.55;"
"font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\","
"\"Noto Naskh Arabic\",Tahoma,sans-serif}\n"
"a{color:var(--accent)}a:focus-visible,summary:focus-visible{outline:3px solid"
" var(--accent);outline-offset:2px}\n"
".skip{position:absolute;inset-inline-start:-999em}"
".skip:focus{inset-inline-start:.5rem;inset-block-start:.5rem;"
"background:var(--card);padding:.5rem;z-index:1}\n"
"header.site{border-block-end:1px solid var(--line);background:var(--card)}\n"
"header.site nav{max-inline-size:48rem;margin-inline:auto;"
"padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;"
"align-items:baseline}\n"
".brand{font-weight:700;text-decoration:none;color:var(--fg);font-size:1.1rem}\n"
"main{max-inline-size:48rem;margin-inline:auto;padding:1rem}\n"
"h1{font-size:1.5rem;line-height:1.25;margin-block:.5rem 1rem;"
"overflow-wrap:anywhere}\n"
"h2{font-size:1.1rem;margin:0}\n"
".crumbs{margin:0;color:var(--muted);font-size:.95rem}\n"
".lead{color:var(--muted);margin-block:0 1rem}\n"
".tools{display:flex;flex-wrap:wrap;gap:.5rem 1rem;margin-block:0 1rem;"
"padding:0;list-style:none;font-size:.95rem}\n"
".list{list-style:none;margin:0;padding:0}\n"
".list>li{background:var(--card);border:1px solid var(--line);"
"border-radius:.5rem;padding:.75rem 1rem;margin-block-end:.6rem}\n"
".list h2 a,.list .title{text-decoration:none;overflow-wrap:anywhere}\n"
".list h2 a:hover{text-decoration:underline}\n"
".meta{color:var(--muted);font-size:.9rem;margin:.25rem 0 0;"
"display:flex;flex-wrap:wrap;gap:.25rem 1rem}\n"
".post{background:var(--card);border:1px solid var(--line);"
"border-radius:.5rem;margin-block-end:1rem}\n"
".post>header{padding:.6rem 1rem;border-block-end:1px solid var(--line);"
"display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:baseline}\n"
".post>header time{color:var(--muted);font-size:.9rem}\n"
".post .subject{flex-basis:100%;margin:0;color:var(--muted);"
"font-size:.9rem;overflow-wrap:anywhere}\n"
".body{padding:.75rem 1rem}\n"
".text{white-space:pre-wrap;overflow-wrap:anywhere;margin:0}\n"
"details{margin-block:.5rem;background:var(--quote);border-radius:.35rem;"
"padding:.25rem .75rem}\n"
"details.quote .text{border-inline-start:3px solid var(--line);"
"padding-inline-start:.75rem;color:var(--muted)}\n"
"summary{cursor:pointer;color:var(--muted);font-size:.9rem;"
"padding-block:.25rem}\n"
".files{margin:0;padding:.5rem 1rem .75rem;border-block-start:1px dashed"
" var(--line);list-style:none}\n"
".files h3{font-size:.95rem;margin:0 0 .25rem}\n"
".files li{overflow-wrap:anywhere}\n"
".pages{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;"
"justify-content:space-between;margin-block:1rem}\n"
"header.site .search{display:flex;gap:.35rem;flex:1 1 12rem}\n"
"header.site .search input{flex:1;min-inline-size:0}\n"
".account{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:baseline;"
"margin-inline-start:auto}\n"
".who{font-weight:600;overflow-wrap:anywhere}\n"
"form.inline{display:inline;margin:0}\n"
"input,select,button,textarea{font:inherit;padding:.35rem .5rem;"
"border:1px solid var(--line);border-radius:.35rem;background:var(--card);"
"color:var(--fg)}\n"
"button{cursor:pointer}\n"
"input:focus-visible,select:focus-visible,button:focus-visible,"
"textarea:focus-visible{outline:3px solid var(--accent);outline-offset:1px}\n"
".form{display:grid;gap:.75rem;max-inline-size:28rem}\n"
".form label{display:grid;gap:.2rem;font-weight:600}\n"
".form .hint{font-weight:400;color:var(--muted);font-size:.9rem}\n"
".form label.check{display:flex;gap:.5rem;align-items:center;font-weight:400}\n"
".notice{background:var(--quote);border-inline-start:4px solid var(--accent);"
"padding:.5rem .75rem;border-radius:.35rem}\n"
".error{background:var(--quote);border-inline-start:4px solid #b3261e;"
"padding:.5rem .75rem;border-radius:.35rem}\n"
"fieldset{border:1px solid var(--line);border-radius:.5rem;"
"padding:.5rem 1rem;margin:0 0 1rem}\n"
"footer.site{max-inline-size:48rem;margin-inline:auto;padding:1rem;"
"color:var(--muted);font-size:.85rem}\n"
"@media (min-width:40rem){h1{font-size:1.8rem}main{padding:1.5rem 1rem}}\n";

/* The account part of the header: sign-in and registration links, or the
 * member's name, settings and a sign-out form (POST, CSRF). */
static void
layout_account(struct buf *out, struct web_req *w)
{
	enum i18n_lang l = w->lang;
	html_printf(out, "<div class=\"account\" role=\"group\" aria-label=\"%s\">",
	    i18n_msg(l, I18N_ACC_ACCOUNT_NAV));
	if (w->viewer.member_id == 0) {
		html_printf(out, "<a href=\"/login\">%s</a>",
		    i18n_msg(l, I18N_ACC_SIGN_IN));
		if (w->site.registration)
			html_printf(out, "<a href=\"/register\">%s</a>",
			    i18n_msg(l, I18N_ACC_REGISTER));
	} else {
		int64_t held = 0;
		if (store_mod_pending(w->e->db, w->viewer.member_id,
		    w->viewer.is_admin, &held) == 1)
			html_printf(out, "<a href=\"/mod\">%s (%D)</a>",
			    i18n_msg(l, I18N_MOD_TITLE), held);
		html_printf(out, "<span class=\"who\" dir=\"auto\">%s</span>"
		    "<a href=\"/settings\">%s</a><form class=\"inline\" "
		    "method=\"post\" action=\"/logout\">", w->viewer.name[0] ?
		    w->viewer.name : w->viewer.email,
		    i18n_msg(l, I18N_ACC_SETTINGS));
		session_csrf_input(w, out);
		html_printf(out, "<button type=\"submit\">%s</button></form>",
		    i18n_msg(l, I18N_ACC_SIGN_OUT));
	}
	buf_puts(out, "</div>");
}

void
layout_begin(struct buf *out, struct web_req *w, const char *title,
    const char *head_html)
{
	const char *site = w->site.name;
	enum i18n_lang l = w->lang;
	html_printf(out, "<!DOCTYPE html>\n<html lang=\"%s\" dir=\"%s\">\n"
	    "<head><meta charset=\"utf-8\">\n<meta name=\"viewport\" content="
	    "\"width=device-width, initial-scale=1\">\n<title>%s — %s</title>\n"
	    "<link rel=\"stylesheet\" href=\"/static/majlis.css\">\n%H</head>\n"
	    "<body>\n<a class=\"skip\" href=\"#main\">%s</a>\n"
	    "<header class=\"site\"><nav aria-label=\"%s\"><a class=\"brand\" "
	    "href=\"/\">%s</a><a href=\"/\">%s</a>", i18n_code(l), i18n_dir(l),
	    title, site, head_html ? head_html : "", i18n_msg(l, I18N_SKIP_LINK),
	    i18n_msg(l, I18N_MAIN_NAV), site, i18n_msg(l, I18N_GROUPS));
	html_printf(out, "<form class=\"search\" role=\"search\" method=\"get\" "
	    "action=\"/search\"><label for=\"site-q\" class=\"skip\">%s</label>"
	    "<input id=\"site-q\" type=\"search\" name=\"q\" maxlength=\"200\" "
	    "dir=\"auto\" placeholder=\"%s\"><button type=\"submit\">%s</button>"
	    "</form>", i18n_msg(l, I18N_ACC_SEARCH_LABEL),
	    i18n_msg(l, I18N_ACC_SEARCH_LABEL), i18n_msg(l, I18N_ACC_SEARCH));
	layout_account(out, w);
	buf_puts(out, "</nav></header>\n<main id=\"main\">\n");
}

void
layout_end(struct buf *out, struct web_req *w)
{
	(void)w;
	buf_puts(out, "</main>\n<footer class=\"site\"><p>majlis</p></footer>\n"
	    "</body>\n</html>\n");
}

void
layout_css(struct web_req *w)
{
	struct buf css = BUF_INIT;
	buf_append(&css, layout_style, sizeof layout_style - 1);
	httpd_header(w, "Cache-Control", "public, max-age=86400");
	httpd_reply(w, 200, "text/css; charset=utf-8", &css);
	buf_free(&css);
}

void
layout_favicon(struct web_req *w)
{
	httpd_header(w, "Cache-Control", "public, max-age=604800");
	httpd_reply(w, 204, "image/x-icon", NULL);
}

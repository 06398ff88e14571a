/* The public interface: parse (normalize newlines, lex, parse), render
 * (a fresh arena and scope per call, so a parsed template is read-only
 * and shareable), and error reporting in one place. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "lib/template/tpl_int.h"

static void
set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int
tpl_fail(struct tpl_rctx *rc, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (rc->failed)
		return -1;
	rc->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		set_err(rc->err, rc->errlen, "%s:%d: %s", rc->t->name, line, msg);
	else
		set_err(rc->err, rc->errlen, "%s: %s", rc->t->name, msg);
	return -1;
}

/* Jinja2's UndefinedError messages. */
int
tpl_fail_undef(struct tpl_rctx *rc, int line, const struct tv *u)
{
	const char *name = u->u.und.name ? u->u.und.name : "?";

	switch (u->aux) {
	case UND_ATTR: return tpl_fail(rc, line, "'%s' has no attribute '%s'", u->u.und.obj, name);
	case UND_ELEM: return tpl_fail(rc, line, "%s has no element %s", u->u.und.obj, name);
	case UND_MSG:
	case UND_LENIENT: return tpl_fail(rc, line, "%s", name);
	default: return tpl_fail(rc, line, "'%s' is undefined", name);
	}
}

int
tpl_step(struct tpl_rctx *rc, int line, unsigned long long n)
{
	rc->steps += n;
	if (rc->steps > TPL_MAX_STEPS)
		return tpl_fail(rc, line, "template does too much work (limit %llu loop iterations and calls)",
				TPL_MAX_STEPS);
	return 0;
}

/* Jinja2 reads "\r\n" and "\r" as "\n" and, with keep_trailing_newline
 * off, drops one final newline of the source. */
static char *
tpl_normalize(const char *src, size_t len, size_t *outlen)
{
	char *s = xmalloc(len + 1);
	size_t i, k = 0;

	for (i = 0; i < len; i++) {
		if (src[i] == '\r') {
			s[k++] = '\n';
			if (i + 1 < len && src[i + 1] == '\n')
				i++;
		} else {
			s[k++] = src[i];
		}
	}
	if (k > 0 && s[k - 1] == '\n')
		k--;
	s[k] = '\0';
	*outlen = k;
	return s;
}

struct kc_tpl *
kc_tpl_parse(const char *src, size_t len, const char *name, char *err, size_t errlen)
{
	struct kc_tpl *t;
	struct tpl_toks toks = {NULL, 0, 0};

	if (name == NULL)
		name = "<template>";
	if (len > TPL_MAX_SOURCE) {
		set_err(err, errlen, "%s: template too large (%zu bytes, limit %u MiB)", name, len, TPL_MAX_SOURCE >> 20);
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	t->name = xstrdup(name);
	t->src = tpl_normalize(src, len, &t->srclen);
	/* tokens, string literals and the AST all live in the template's
	 * arena: the tokens are dead weight after parsing but bounded by the
	 * source size, and one owner keeps kc_tpl_free trivial */
	tpl_arena_init(&t->arena, 0);
	if (tpl_lex(t->src, t->srclen, t->name, &t->arena, &toks, err, errlen) < 0 ||
	    tpl_parse_tokens(t, &toks, err, errlen) < 0) {
		kc_tpl_free(t);
		return NULL;
	}
	return t;
}

void
kc_tpl_free(struct kc_tpl *t)
{
	if (t == NULL)
		return;
	tpl_arena_free(&t->arena);
	free(t->src);
	free(t->name);
	free(t);
}

/* Renders with rc->arena set up and rc->data filled in by the caller. */
static int
tpl_render_rc(struct tpl_rctx *rc)
{
	struct tpl_frame *root;
	int r = -1;
	size_t nh = (size_t)rc->t->nattr + 1;

	rc->attr_hint = tpl_arena_alloc(&rc->arena, nh * sizeof(*rc->attr_hint));
	if (rc->attr_hint != NULL)
		memset(rc->attr_hint, 0, nh * sizeof(*rc->attr_hint));
	if (rc->attr_hint != NULL && (root = tpl_frame_new(rc, NULL)) != NULL)
		r = tpl_exec_body(rc, root, &rc->t->body, rc->out);
	if (r < 0 && !rc->failed)
		tpl_fail(rc, 0, "render failed");
	tpl_arena_free(&rc->arena);
	return r;
}

static void
tpl_rctx_init(struct tpl_rctx *rc, const struct kc_tpl *t, struct strbuf *out, char *err, size_t errlen)
{
	memset(rc, 0, sizeof(*rc));
	rc->t = t;
	rc->out = out;
	rc->err = err;
	rc->errlen = errlen;
	tpl_arena_init(&rc->arena, TPL_MAX_ARENA);
}

int
kc_tpl_render(const struct kc_tpl *t, const cJSON *data, struct strbuf *out, char *err, size_t errlen)
{
	struct tpl_rctx rc;

	tpl_rctx_init(&rc, t, out, err, errlen);
	/* converted into the render arena, borrowing data's strings: data
	 * outlives this call */
	if (data != NULL && (rc.data = tpl_data_convert(&rc.arena, data, 0, t->name, err, errlen)) == NULL) {
		tpl_arena_free(&rc.arena);
		return -1;
	}
	return tpl_render_rc(&rc);
}

int
kc_tpl_render_data(const struct kc_tpl *t, const struct kc_tpl_data *d, struct strbuf *out, char *err,
		   size_t errlen)
{
	struct tpl_rctx rc;

	tpl_rctx_init(&rc, t, out, err, errlen);
	rc.data = tpl_data_root(d);
	return tpl_render_rc(&rc);
}

static char *
tpl_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;

	if (fp == NULL) {
		set_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		strbuf_add(&sb, buf, n);
		if (sb.len > TPL_MAX_SOURCE) {
			set_err(err, errlen, "%s: template too large (limit %u MiB)", path, TPL_MAX_SOURCE >> 20);
			fclose(fp);
			strbuf_free(&sb);
			return NULL;
		}
	}
	if (ferror(fp)) {
		set_err(err, errlen, "%s: read error: %s", path, strerror(errno));
		fclose(fp);
		strbuf_free(&sb);
		return NULL;
	}
	fclose(fp);
	return strbuf_detach(&sb, len);
}

int
kc_tpl_render_file(const char *path, const cJSON *data, struct strbuf *out, char *err, size_t errlen)
{
	struct kc_tpl *t;
	size_t len;
	char *src = tpl_read_file(path, &len, err, errlen);
	int r;

	if (src == NULL)
		return -1;
	t = kc_tpl_parse(src, len, path, err, errlen);
	free(src);
	if (t == NULL)
		return -1;
	r = kc_tpl_render(t, data, out, err, errlen);
	kc_tpl_free(t);
	return r;
}

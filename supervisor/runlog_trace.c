/*
 * runlog_trace.c — raw/events/trace.jsonl: one JSON object per line,
 *   {"seq":N,"ts_ms":T,"kind":"...",...,"crc32c":"xxxxxxxx"}
 * where the CRC32C covers the line's object as written without the crc
 * member (i.e. the text up to the crc member, closed with "}"). seq starts
 * at 1 and increases by one, so a lost or replayed record is visible too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/clock.h"
#include "lib/core/log.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "supervisor/runlog_int.h"

#define RUNLOG_CRC_TAG ",\"crc32c\":\""
#define RUNLOG_TRACE_MAX (1024L * 1024 * 1024)

static uint32_t runlog_crc_tab[256];
static pthread_once_t runlog_crc_once = PTHREAD_ONCE_INIT;

static void
runlog_crc_init(void)
{
	uint32_t c, i, k;

	/* Castagnoli polynomial, reflected (as iSCSI, ext4, and RFC 3720). */
	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		runlog_crc_tab[i] = c;
	}
}

uint32_t
runlog_crc32c(uint32_t crc, const void *data, size_t len)
{
	const unsigned char *p = data;

	pthread_once(&runlog_crc_once, runlog_crc_init);
	crc = ~crc;
	while (len-- > 0)
		crc = runlog_crc_tab[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* Checks one line (without its '\n'). Returns the parsed record or NULL. */
static cJSON *
runlog_record_check(const char *line, size_t len)
{
	const char *tag = NULL, *p;
	char *body;
	unsigned int want;
	uint32_t got;
	cJSON *rec;

	for (p = line; (p = memmem(p, len - (size_t)(p - line), RUNLOG_CRC_TAG,
	                           strlen(RUNLOG_CRC_TAG))) != NULL;
	     p++)
		tag = p;
	if (tag == NULL || (size_t)(line + len - tag) != strlen(RUNLOG_CRC_TAG) + 10 ||
	    memcmp(line + len - 2, "\"}", 2) != 0 ||
	    sscanf(tag + strlen(RUNLOG_CRC_TAG), "%8x", &want) != 1)
		return NULL;
	body = xasprintf("%.*s}", (int)(tag - line), line);
	got = runlog_crc32c(0, body, strlen(body));
	rec = got == want ? cJSON_Parse(body) : NULL;
	free(body);
	if (rec != NULL && !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(rec, "seq"))) {
		cJSON_Delete(rec);
		rec = NULL;
	}
	return rec;
}

static char *
runlog_file_read(const char *path, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size > RUNLOG_TRACE_MAX) {
		snprintf(err, errlen, "%s: %s", path, fd < 0 ? strerror(errno) : "too large");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	*len = 0;
	while (*len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + *len, (size_t)st.st_size - *len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	close(fd);
	buf[*len] = '\0';
	return buf;
}

/* Walk the records; see runlog.h. */
int
runlog_trace_verify(const char *path, size_t *ngood, long *torn_at, cJSON **events, char *err,
                    size_t errlen)
{
	size_t len, off = 0, eol;
	char *buf = runlog_file_read(path, &len, err, errlen), *nl;
	double prev = 0;
	long bad = -1;
	cJSON *rec, *arr = events ? cJSON_CreateArray() : NULL;

	*ngood = 0;
	*torn_at = -1;
	if (buf == NULL) {
		cJSON_Delete(arr);
		return -1;
	}
	while (off < len) {
		nl = memchr(buf + off, '\n', len - off);
		eol = nl ? (size_t)(nl - buf) : len;
		rec = nl ? runlog_record_check(buf + off, eol - off) : NULL;
		if (rec != NULL &&
		    cJSON_GetObjectItemCaseSensitive(rec, "seq")->valuedouble <= prev) {
			cJSON_Delete(rec);
			rec = NULL;
		}
		if (rec == NULL) {
			if (bad >= 0) /* two bad records: not a single torn write */
				break;
			bad = (long)off;
		} else if (bad >= 0) {
			cJSON_Delete(rec);
			break; /* good after bad: corruption */
		} else {
			prev = cJSON_GetObjectItemCaseSensitive(rec, "seq")->valuedouble;
			(*ngood)++;
			if (arr != NULL)
				cJSON_AddItemToArray(arr, rec);
			else
				cJSON_Delete(rec);
			rec = NULL;
		}
		cJSON_Delete(rec);
		off = eol + 1;
	}
	free(buf);
	if (bad >= 0 && off < len) {
		snprintf(err, errlen,
		         "%s: corrupt record at offset %ld (records follow it): the "
		         "run log is damaged; inspect it by hand",
		         path, bad);
		cJSON_Delete(arr);
		return -1;
	}
	*torn_at = bad;
	if (events != NULL)
		*events = arr;
	return 0;
}

static int
runlog_trace_repair(struct runlog *rl, const char *path, cJSON **events, char *err, size_t errlen)
{
	size_t ngood;
	long torn;
	int fd;

	if (runlog_trace_verify(path, &ngood, &torn, events, err, errlen) < 0)
		return -1;
	if (events != NULL && *events != NULL && cJSON_GetArraySize(*events) > 0)
		rl->seq = (uint64_t)cJSON_GetObjectItemCaseSensitive(
		              cJSON_GetArrayItem(*events, cJSON_GetArraySize(*events) - 1), "seq")
		              ->valuedouble;
	if (torn < 0)
		return 0;
	log_warnx("runlog: %s: torn last record at offset %ld (a crash mid-write); "
	          "truncating it, %zu good records kept",
	          path, torn, ngood);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)torn) != 0 || fsync(fd) != 0) {
		snprintf(err, errlen, "truncate %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Opens trace.jsonl for appending; on reopen (verify) repairs a torn tail
 * first and picks up the last seq. */
int
runlog_trace_open(struct runlog *rl, int verify, cJSON **events, char *err, size_t errlen)
{
	char *path = xasprintf("%s/%s", rl->dir, RUNLOG_TRACE);
	cJSON *ev = NULL;
	int rc = -1;

	if (verify && runlog_trace_repair(rl, path, &ev, err, errlen) < 0)
		goto out;
	rl->trace_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (rl->trace_fd < 0) {
		snprintf(err, errlen, "open %s: %s", path, strerror(errno));
		goto out;
	}
	if (events != NULL) {
		*events = ev;
		ev = NULL;
	}
	rc = 0;
out:
	cJSON_Delete(ev);
	free(path);
	return rc;
}


/* Builds {seq, ts_ms, kind, fields...}, redacts it, seals it with the CRC
 * of exactly the bytes written, and appends it. */
int
runlog_event_locked(struct runlog *rl, const char *kind, cJSON *fields)
{
	cJSON *o = cJSON_CreateObject(), *it, *next;
	char *text, *red;
	size_t rlen;
	struct strbuf line = STRBUF_INIT;
	int rc;

	cJSON_AddNumberToObject(o, "seq", (double)(rl->seq + 1));
	cJSON_AddNumberToObject(o, "ts_ms", (double)kc_wall_ms());
	cJSON_AddStringToObject(o, "kind", kind);
	for (it = fields ? fields->child : NULL; it != NULL; it = next) {
		next = it->next;
		if (strcmp(it->string, "seq") == 0 || strcmp(it->string, "crc32c") == 0)
			continue;
		cJSON_AddItemToObject(o, it->string, cJSON_DetachItemViaPointer(fields, it));
	}
	cJSON_Delete(fields);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	red = runlog_redact_locked(rl, text, strlen(text), RUNLOG_TRACE, &rlen);
	free(text);
	strbuf_add(&line, red, rlen - 1); /* drop the closing brace */
	strbuf_addf(&line, RUNLOG_CRC_TAG "%08x\"}\n", runlog_crc32c(0, red, rlen));
	free(red);
	rc = runlog_io_append(rl, rl->trace_fd, RUNLOG_TRACE, line.buf, line.len);
	if (rc == 0)
		rl->seq++;
	strbuf_free(&line);
	return rc;
}

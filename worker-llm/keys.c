/* Private key store; see keys.h for why the environment is emptied. */
#include "worker-llm/keys.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/xmalloc.h"

struct llm_key {
	char *name;
	char *value;
};

static struct llm_key *keys;
static size_t nkeys;
static pthread_mutex_t keys_lock = PTHREAD_MUTEX_INITIALIZER;

static int
keys_kept(const char *name, size_t len, const char *const *keep)
{
	for (; keep != NULL && *keep != NULL; keep++)
		if (strlen(*keep) == len && memcmp(*keep, name, len) == 0)
			return 1;
	return 0;
}

/* Rationale: the environment block of a process is readable by the same
 * uid in /proc/PID/environ for the process lifetime, and unsetenv() or
 * clearenv() do not erase the original bytes. So each value is copied out
 * and its original bytes are overwritten in place; then the variable is
 * removed so getenv() cannot find it either. Every variable is treated so,
 * not only *_API_KEY: api_key_env may name any variable. */
void
llm_keys_load(char **envp, const char *const *keep)
{
	char *eq, **e;
	size_t nlen, first;

	pthread_mutex_lock(&keys_lock);
	first = nkeys;
	for (e = envp; e != NULL && *e != NULL; e++) {
		if ((eq = strchr(*e, '=')) == NULL)
			continue;
		nlen = (size_t)(eq - *e);
		keys = xreallocarray(keys, nkeys + 1, sizeof(*keys));
		keys[nkeys].name = xstrndup(*e, nlen);
		keys[nkeys].value = xstrdup(eq + 1);
		nkeys++;
		if (!keys_kept(*e, nlen, keep))
			explicit_bzero(eq + 1, strlen(eq + 1));
	}
	pthread_mutex_unlock(&keys_lock);
	for (; first < nkeys; first++)
		if (!keys_kept(keys[first].name, strlen(keys[first].name), keep))
			unsetenv(keys[first].name);
}

char *
llm_key_get(const char *name)
{
	char *v = NULL;
	size_t i;

	if (name == NULL)
		return NULL;
	pthread_mutex_lock(&keys_lock);
	for (i = nkeys; i-- > 0;) { /* the latest load wins */
		if (strcmp(keys[i].name, name) == 0) {
			if (keys[i].value[0] != '\0')
				v = xstrdup(keys[i].value);
			break;
		}
	}
	pthread_mutex_unlock(&keys_lock);
	return v;
}

void
llm_key_free(char *key)
{
	freezero_str(key);
}

void
llm_keys_clear(void)
{
	size_t i;

	pthread_mutex_lock(&keys_lock);
	for (i = 0; i < nkeys; i++) {
		free(keys[i].name);
		freezero_str(keys[i].value);
	}
	free(keys);
	keys = NULL;
	nkeys = 0;
	pthread_mutex_unlock(&keys_lock);
}

/* ---- the .env file beside the config (KYLECODE_DOTENV) ---- */

#define KEYS_DOTENV_MAX (1u << 20)

static int
keys_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/* The value after '=' (p), as shells and python-dotenv read it: 'single'
 * literal, "double" with \n \t \" \\ escapes, else bare up to a " #"
 * comment with surrounding blanks trimmed. Writes into out (as long as
 * the line); -1 for an unterminated quote. */
static int
keys_value_parse(const char *p, const char *end, char *out)
{
	char q = *p, *o = out;

	if (q == '\'' || q == '"') {
		for (p++; p < end && *p != q; p++) {
			if (q == '"' && *p == '\\' && p + 1 < end) {
				p++;
				*o++ = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == 'r' ? '\r' : *p;
			} else
				*o++ = *p;
		}
		*o = '\0'; /* also on error: the caller wipes up to it */
		return p >= end ? -1 : 0;
	}
	for (; p < end && !(*p == '#' && (o == out || o[-1] == ' ' || o[-1] == '\t')); p++)
		*o++ = *p;
	while (o > out && (o[-1] == ' ' || o[-1] == '\t' || o[-1] == '\r'))
		o--;
	*o = '\0';
	return 0;
}

static int
keys_have(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < nkeys; i++)
		if (strlen(keys[i].name) == len && memcmp(keys[i].name, name, len) == 0 &&
		    keys[i].value[0] != '\0')
			return 1;
	return 0;
}

/* One line; 0 (stored, skipped or blank) or -1 (malformed). */
static int
keys_dotenv_line(const char *p, const char *end)
{
	const char *name, *eq;
	char *val;
	size_t nlen;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p == '#' || (end - p == 1 && *p == '\r'))
		return 0;
	if (end - p > 7 && memcmp(p, "export", 6) == 0 && (p[6] == ' ' || p[6] == '\t'))
		for (p += 7; p < end && (*p == ' ' || *p == '\t');)
			p++;
	name = p;
	if ((eq = memchr(p, '=', (size_t)(end - p))) == NULL)
		return -1;
	for (nlen = (size_t)(eq - name);
	     nlen > 0 && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t');)
		nlen--;
	if (!keys_name_ok(name, nlen))
		return -1;
	for (p = eq + 1; p < end && (*p == ' ' || *p == '\t');)
		p++;
	val = xmalloc((size_t)(end - p) + 1);
	if (keys_value_parse(p, end, val) < 0) {
		freezero_str(val);
		return -1;
	}
	if (keys_have(name, nlen)) { /* the environment wins */
		freezero_str(val);
		return 0;
	}
	keys = xreallocarray(keys, nkeys + 1, sizeof(*keys));
	keys[nkeys].name = xstrndup(name, nlen);
	keys[nkeys].value = val;
	nkeys++;
	return 0;
}

/* Rationale: the file holds credentials, and whoever can write it decides
 * where they go (a planted OPENAI_API_KEY for a proxy, or a key for another
 * account). Like ssh with its config files, a file that another user could
 * have written is refused rather than trusted: owned by root or by us,
 * not writable by others, a regular file (opened without following a
 * symlink, checked on the descriptor that is then read). */
static int
keys_dotenv_open(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		snprintf(err, errlen, "%s: not a regular file; refusing to read keys from it",
		         path);
	else if (st.st_uid != 0 && st.st_uid != geteuid())
		snprintf(err, errlen,
		         "%s: owned by uid %u, not by you (uid %u) or root; refusing to read keys "
		         "from it",
		         path, (unsigned)st.st_uid, (unsigned)geteuid());
	else if (st.st_mode & S_IWOTH)
		snprintf(err, errlen,
		         "%s: writable by others (mode %03o); refusing to read keys from it "
		         "(chmod o-w %s)",
		         path, (unsigned)(st.st_mode & 0777), path);
	else if (st.st_size > (off_t)KEYS_DOTENV_MAX)
		snprintf(err, errlen, "%s: larger than %u bytes; refusing it", path,
		         KEYS_DOTENV_MAX);
	else
		return fd;
	close(fd);
	return -1;
}

int
llm_keys_load_dotenv(const char *path, char *err, size_t errlen)
{
	char *buf, *p, *nl, *end;
	ssize_t got;
	size_t len = 0;
	int fd, line = 1, rc = 0;

	if ((fd = keys_dotenv_open(path, err, errlen)) < 0)
		return -1;
	buf = xmalloc(KEYS_DOTENV_MAX + 1);
	while (len < KEYS_DOTENV_MAX && ((got = read(fd, buf + len, KEYS_DOTENV_MAX - len)) > 0 ||
	                                 (got < 0 && errno == EINTR)))
		if (got > 0)
			len += (size_t)got;
	close(fd);
	pthread_mutex_lock(&keys_lock);
	for (p = buf, end = buf + len; p < end && rc == 0; p = nl + 1, line++) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (keys_dotenv_line(p, nl) < 0) {
			/* line number only: the line may hold a key */
			snprintf(err, errlen, "%s:%d: not NAME=value (or an unterminated quote)",
			         path, line);
			rc = -1;
		}
	}
	pthread_mutex_unlock(&keys_lock);
	explicit_bzero(buf, len);
	free(buf);
	return rc;
}

/* kylecode prompts F [--mode M] [--model ID] [--out D]
 *
 * Compiles the system and per-turn prompts a run would send for one mode
 * and model (lib/tpsl) and writes them: D/compiled_system.md,
 * D/per_turn.md, D/catalog_manifest.json and D/provider_tools.json (the
 * native tool schemas). Without --out the two prompts go to stdout. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/config/config.h"
#include "lib/core/strbuf.h"
#include "lib/tpsl/tpsl.h"
#include "supervisor/cmd.h"

#define CMD_PROMPTS_USAGE "usage: kylecode prompts FILE [--mode M] [--model ID] [--out DIR]\n"

struct prompts_args {
	const char *file, *mode, *model, *out;
};

static void
cmd_prompts_help(void)
{
	printf(CMD_PROMPTS_USAGE
	       "\n"
	       "Compile the system prompt and the per-turn text for one mode (default: the\n"
	       "mode the loop starts in) and model (default: providers.default_model), from\n"
	       "the prompt packs and the Tool Prompt Synthesis templates the config names.\n"
	       "--out DIR writes compiled_system.md, per_turn.md, catalog_manifest.json and\n"
	       "provider_tools.json there; without it both prompts go to stdout.\n"
	       "\n"
	       "Exit: 0 done, 1 cannot write, 2 usage, 3 config or template error.\n");
}

static int
cmd_prompts_usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "kylecode prompts: %s%s\n" CMD_PROMPTS_USAGE, what, arg ? arg : "");
	return KC_EXIT_USAGE;
}

/* Makes the renames in dir durable. */
static int
cmd_prompts_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0 || fsync(fd) != 0) {
		fprintf(stderr, "kylecode prompts: %s: %s\n", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rc = close(fd);
	return rc;
}

/* Whole file or nothing: temp file in the same directory, fsync, rename,
 * fsync the directory. */
static int
cmd_prompts_write(const char *dir, const char *name, const char *data, size_t len)
{
	char path[4096], tmp[4200];
	size_t off = 0;
	ssize_t w;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	/* O_EXCL | O_NOFOLLOW: never write through something planted there. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	while (off < len) {
		w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail_fd;
		off += (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail_fd;
	if (close(fd) != 0) {
		fd = -1;
		goto fail_fd;
	}
	if (rename(tmp, path) != 0)
		goto fail_fd;
	return cmd_prompts_fsync_dir(dir);
fail_fd:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
fail:
	fprintf(stderr, "kylecode prompts: %s: %s\n", path, strerror(errno));
	return -1;
}

static int
cmd_prompts_write_json(const char *dir, const char *name, const cJSON *j)
{
	char *s = cJSON_Print(j);
	struct strbuf sb = STRBUF_INIT;
	int rc;

	strbuf_adds(&sb, s ? s : "null");
	strbuf_addc(&sb, '\n');
	rc = cmd_prompts_write(dir, name, sb.buf, sb.len);
	free(s);
	strbuf_free(&sb);
	return rc;
}

/* mkdir -p: the output directory and its missing parents. */
static int
cmd_prompts_mkdirs(const char *dir)
{
	char path[4096];
	char *p;

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int
cmd_prompts_emit(const struct prompts_args *a, const struct kc_prompts *p)
{
	if (a->out == NULL) {
		printf("%s\n", p->system);
		if (p->per_turn[0] != '\0')
			printf("\n----- per turn (mode %s) -----\n%s\n", p->mode, p->per_turn);
		return fflush(stdout) == 0 ? KC_EXIT_OK : KC_EXIT_FAIL;
	}
	if (cmd_prompts_mkdirs(a->out) != 0) {
		fprintf(stderr, "kylecode prompts: %s: %s\n", a->out, strerror(errno));
		return KC_EXIT_FAIL;
	}
	if (cmd_prompts_write(a->out, "compiled_system.md", p->system, strlen(p->system)) != 0 ||
	    cmd_prompts_write(a->out, "per_turn.md", p->per_turn, strlen(p->per_turn)) != 0 ||
	    cmd_prompts_write_json(a->out, "catalog_manifest.json", p->catalog_manifest) != 0 ||
	    cmd_prompts_write_json(a->out, "provider_tools.json", p->native_tools) != 0)
		return KC_EXIT_FAIL;
	printf("%s: mode %s, family %s, cache key %s\n", a->out, p->mode,
	       p->tpsl_dialect[0] ? p->tpsl_dialect : "(none)", p->cache_key);
	return KC_EXIT_OK;
}

static int
cmd_prompts_run(const struct prompts_args *a)
{
	struct kc_diag_list d = {0};
	struct kc_prompts p = {0};
	struct kc_config *c;
	char err[4096];
	int rc = KC_EXIT_CONFIG;

	c = kc_config_load(a->file, &d);
	if (c == NULL || kc_config_validate(c, &d) != 0)
		goto out;
	if (kc_prompts_compile(c, a->mode, a->model, &p, err, sizeof(err)) != 0) {
		kc_diag_add(&d, KC_DIAG_ERROR, "%s", err);
		goto out;
	}
	rc = cmd_prompts_emit(a, &p);
out:
	/* Warnings are for `config check`; here only what stopped us. */
	if (rc == KC_EXIT_CONFIG)
		kc_diag_print(&d, stderr);
	kc_prompts_free(&p);
	kc_diag_list_free(&d);
	kc_config_free(c);
	return rc;
}

int
cmd_prompts(int argc, char **argv)
{
	struct prompts_args a = {NULL, NULL, NULL, NULL};
	const char **slot;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			cmd_prompts_help();
			return KC_EXIT_OK;
		}
		slot = strcmp(argv[i], "--mode") == 0    ? &a.mode
		       : strcmp(argv[i], "--model") == 0 ? &a.model
		       : strcmp(argv[i], "--out") == 0   ? &a.out
		                                         : NULL;
		if (slot != NULL) {
			if (i + 1 >= argc)
				return cmd_prompts_usage_error("missing value for ", argv[i]);
			*slot = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return cmd_prompts_usage_error("unknown option ", argv[i]);
		} else if (a.file != NULL) {
			return cmd_prompts_usage_error("one FILE only; extra argument ", argv[i]);
		} else {
			a.file = argv[i];
		}
	}
	if (a.file == NULL)
		return cmd_prompts_usage_error("no FILE given", NULL);
	return cmd_prompts_run(&a);
}

/* Path normalization and confinement beneath the workspace root. */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "edit_testutil.h"

static char err[1024];

Test(fs_path, relative_and_absolute_inside_are_normalized)
{
	struct tws w;
	char abs[256], *r;

	tws_init(&w);
	r = tool_fs_path_normalize(&w.fs, "./a//b/../c/", err, sizeof(err));
	cr_assert_str_eq(r, "a/c");
	free(r);
	snprintf(abs, sizeof(abs), "%s/x/y.txt", w.path);
	r = tool_fs_path_normalize(&w.fs, abs, err, sizeof(err));
	cr_assert_str_eq(r, "x/y.txt");
	free(r);
	r = tool_fs_path_normalize(&w.fs, w.path, err, sizeof(err));
	cr_assert_str_eq(r, ".");
	free(r);
	r = tool_fs_path_normalize(&w.fs, "", err, sizeof(err));
	cr_assert_str_eq(r, ".");
	free(r);
	tws_fini(&w);
}

Test(fs_path, escapes_are_refused)
{
	struct tws w;
	char sib[256];

	tws_init(&w);
	cr_assert_null(tool_fs_path_normalize(&w.fs, "../x", err, sizeof(err)));
	cr_assert(strstr(err, "leaves the workspace"));
	cr_assert_null(tool_fs_path_normalize(&w.fs, "a/../../x", err, sizeof(err)));
	cr_assert_null(tool_fs_path_normalize(&w.fs, "/etc/passwd", err, sizeof(err)));
	cr_assert(strstr(err, "outside the workspace"));
	/* a sibling whose name starts with the root's name is outside */
	snprintf(sib, sizeof(sib), "%sX/f", w.path);
	cr_assert_null(tool_fs_path_normalize(&w.fs, sib, err, sizeof(err)));
	tws_fini(&w);
}

Test(fs_path, symlink_out_of_root_refused_by_open)
{
	struct tws w;
	char p[256];
	int fd;

	tws_init(&w);
	snprintf(p, sizeof(p), "%s/out", w.path);
	cr_assert_eq(symlink("/etc", p), 0);
	snprintf(p, sizeof(p), "%s/abs", w.path);
	cr_assert_eq(symlink("/etc/passwd", p), 0);
	snprintf(p, sizeof(p), "%s/rel", w.path);
	cr_assert_eq(symlink("../../../../../../etc/passwd", p), 0);
	cr_assert_eq(tool_fs_open(&w.fs, "out/passwd", O_RDONLY), -1);
	cr_assert_eq(tool_fs_open(&w.fs, "abs", O_RDONLY), -1);
	cr_assert_eq(tool_fs_open(&w.fs, "rel", O_RDONLY), -1);
	tws_puts(&w, "in.txt", "x");
	snprintf(p, sizeof(p), "%s/inlink", w.path);
	cr_assert_eq(symlink("in.txt", p), 0);
	fd = tool_fs_open(&w.fs, "inlink", O_RDONLY);
	if (syscall(SYS_openat2, -1, "", NULL, 0) == -1 && errno == ENOSYS)
		/* No openat2 (old kernel, valgrind 3.19): the component walk
		 * refuses every symlink, inside the root too. */
		cr_assert_eq(fd, -1);
	else /* a symlink inside the root is followed */
		cr_assert(fd >= 0);
	if (fd >= 0)
		close(fd);
	tws_fini(&w);
}

Test(fs_path, git_paths_detected_case_insensitively)
{
	cr_assert(tool_fs_path_is_git(".git"));
	cr_assert(tool_fs_path_is_git(".git/hooks/pre-commit"));
	cr_assert(tool_fs_path_is_git("sub/.GIT/config"));
	cr_assert(!tool_fs_path_is_git(".gitignore"));
	cr_assert(!tool_fs_path_is_git("a/git/x"));
}

Test(fs_path, non_utf8_names_displayed_escaped)
{
	char *d = tool_fs_name_display("caf\xe9\n\xc3\xa9.txt");

	cr_assert_str_eq(d, "caf\\xe9\\x0a\xc3\xa9.txt");
	free(d);
}

Test(fs_path, open_parent_creates_directories_beneath)
{
	struct tws w;
	const char *base;
	int fd;

	tws_init(&w);
	fd = tool_fs_open_parent(&w.fs, "a/b/c/file.txt", 1, &base, err, sizeof(err));
	cr_assert(fd >= 0, "%s", err);
	cr_assert_str_eq(base, "file.txt");
	close(fd);
	cr_assert(tool_fs_exists(&w.fs, "a/b/c"));
	tws_fini(&w);
}

Test(fs_path, fallback_walk_refuses_every_symlink_and_opens_the_rest)
{
	struct tws w;
	char p[256];
	int fd;

	tws_init(&w);
	tool_fs_force_walk = 1;
	tws_puts(&w, "d/e/f.txt", "x");
	fd = tool_fs_open(&w.fs, "d/e/f.txt", O_RDONLY);
	cr_assert(fd >= 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/out", w.path);
	cr_assert_eq(symlink("/etc", p), 0);
	snprintf(p, sizeof(p), "%s/d/in", w.path);
	cr_assert_eq(symlink("e/f.txt", p), 0);
	cr_assert_eq(tool_fs_open(&w.fs, "out/passwd", O_RDONLY), -1);
	cr_assert_eq(tool_fs_open(&w.fs, "d/in", O_RDONLY), -1, "stricter: no symlink at all");
	tool_fs_force_walk = 0;
	tws_fini(&w);
}

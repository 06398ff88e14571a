/* Atomic, all-or-none writes; refusal of links; size cap. */
#include <errno.h>

#include "edit_testutil.h"

static char err[1024];

static void
txn_put(struct tool_fs_txn *t, const char *rel, const char *data)
{
	tool_fs_txn_write(t, rel, strdup(data), strlen(data), 0);
}

Test(fs_txn, commits_all_files)
{
	struct tws w;
	struct tool_fs_txn t = {0};

	tws_init(&w);
	tws_puts(&w, "a.txt", "old");
	txn_put(&t, "a.txt", "new");
	txn_put(&t, "d/b.txt", "bee");
	cr_assert_eq(tool_fs_txn_commit(&w.fs, &t, err, sizeof(err)), 0, "%s", err);
	tws_expect(&w, "a.txt", "new");
	tws_expect(&w, "d/b.txt", "bee");
	tool_fs_txn_free(&t);
	tws_fini(&w);
}

Test(fs_txn, failure_midway_restores_every_file)
{
	struct tws w;
	struct tool_fs_txn t = {0};
	char cmd[256];

	tws_init(&w);
	tws_puts(&w, "a.txt", "A0");
	tws_puts(&w, "b.txt", "B0");
	tws_puts(&w, "gone.txt", "G0");
	txn_put(&t, "a.txt", "A1");
	txn_put(&t, "new.txt", "N1");
	tool_fs_txn_delete(&t, "gone.txt");
	txn_put(&t, "b.txt", "B1");
	tool_fs_fail_rename_at = 4; /* the 4th step (b.txt) fails */
	cr_assert_eq(tool_fs_txn_commit(&w.fs, &t, err, sizeof(err)), -1);
	tool_fs_fail_rename_at = 0;
	cr_assert(strstr(err, "restored"), "%s", err);
	tws_expect(&w, "a.txt", "A0");
	tws_expect(&w, "b.txt", "B0");
	tws_expect(&w, "gone.txt", "G0");
	cr_assert_null(tws_get(&w, "new.txt"));
	/* no temporary file is left behind */
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s' | grep '^\\.kc\\.')\"", w.path);
	cr_assert_eq(system(cmd), 0);
	tool_fs_txn_free(&t);
	tws_fini(&w);
}

Test(fs_txn, hardlinked_file_refused)
{
	struct tws w;
	struct tool_fs_txn t = {0};
	char a[256], b[256];

	tws_init(&w);
	tws_puts(&w, "h.txt", "secret");
	snprintf(a, sizeof(a), "%s/h.txt", w.path);
	snprintf(b, sizeof(b), "%s/h2.txt", w.path);
	cr_assert_eq(link(a, b), 0);
	txn_put(&t, "h.txt", "changed");
	cr_assert_eq(tool_fs_txn_commit(&w.fs, &t, err, sizeof(err)), -1);
	cr_assert(strstr(err, "hard links"), "%s", err);
	tws_expect(&w, "h2.txt", "secret");
	tool_fs_txn_free(&t);
	tws_fini(&w);
}

Test(fs_txn, symlink_target_never_written)
{
	struct tws w;
	struct tool_fs_txn t = {0};
	char p[256];

	tws_init(&w);
	tws_puts(&w, "real.txt", "real");
	snprintf(p, sizeof(p), "%s/link.txt", w.path);
	cr_assert_eq(symlink("real.txt", p), 0);
	txn_put(&t, "link.txt", "through");
	cr_assert_eq(tool_fs_txn_commit(&w.fs, &t, err, sizeof(err)), -1);
	cr_assert(strstr(err, "symlink"), "%s", err);
	tws_expect(&w, "real.txt", "real");
	tool_fs_txn_free(&t);
	tws_fini(&w);
}

Test(fs_txn, git_dir_read_only_unless_allowed)
{
	struct tws w;
	struct tool_fs_txn t = {0};

	tws_init(&w);
	txn_put(&t, ".git/hooks/pre-commit", "#!/bin/sh\n");
	cr_assert_eq(tool_fs_txn_commit(&w.fs, &t, err, sizeof(err)), -1);
	cr_assert(strstr(err, "read-only"), "%s", err);
	w.fs.git_writable = 1;
	cr_assert_eq(tool_fs_txn_commit(&w.fs, &t, err, sizeof(err)), 0, "%s", err);
	tool_fs_txn_free(&t);
	tws_fini(&w);
}

Test(fs_txn, mode_of_replaced_file_kept)
{
	struct tws w;
	struct tool_fs_txn t = {0};
	struct stat st;
	char p[256];

	tws_init(&w);
	tws_puts(&w, "run.sh", "#!/bin/sh\n");
	snprintf(p, sizeof(p), "%s/run.sh", w.path);
	cr_assert_eq(chmod(p, 0750), 0);
	txn_put(&t, "run.sh", "#!/bin/sh\necho\n");
	cr_assert_eq(tool_fs_txn_commit(&w.fs, &t, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0750);
	tool_fs_txn_free(&t);
	tws_fini(&w);
}

Test(fs_txn, file_of_100mb_refused_for_reading)
{
	struct tws w;
	struct tool_fs_file f;
	char p[256];
	int fd, missing;

	tws_init(&w);
	snprintf(p, sizeof(p), "%s/big.bin", w.path);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	cr_assert(fd >= 0);
	cr_assert_eq(ftruncate(fd, 100L * 1024 * 1024), 0); /* sparse: no disk used */
	close(fd);
	cr_assert_eq(tool_fs_file_read(&w.fs, "big.bin", &f, &missing, err, sizeof(err)), -1);
	cr_assert(strstr(err, "100 MB"), "%s", err);
	tws_fini(&w);
}

Test(fs_txn, binary_detected)
{
	struct tws w;
	struct tool_fs_file f;

	tws_init(&w);
	tws_put(&w, "b.bin", "ab\0cd", 5);
	cr_assert_eq(tool_fs_file_read(&w.fs, "b.bin", &f, NULL, err, sizeof(err)), 0);
	cr_assert(f.binary);
	cr_assert_eq(f.len, 5);
	tool_fs_file_free(&f);
	tws_fini(&w);
}

Test(fs_txn, fifo_does_not_hang_reads)
{
	struct tws w;
	struct tool_fs_file f;
	char p[256];

	tws_init(&w);
	snprintf(p, sizeof(p), "%s/fifo", w.path);
	cr_assert_eq(mkfifo(p, 0600), 0);
	cr_assert_eq(tool_fs_file_read(&w.fs, "fifo", &f, NULL, err, sizeof(err)), -1);
	cr_assert(strstr(err, "not a regular file"), "%s", err);
	tws_fini(&w);
}

/* Safe file operations beneath the workspace root (tools worker).
 *
 * Every path a model names is first normalized to a relative path with no
 * "." or ".." components (tool_fs_path_normalize); every open then goes
 * through the root's directory fd with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS), so a symlink or ".." that points out of the root
 * is refused by the kernel, race-free. Where openat2 is missing the walk is
 * done one component at a time with O_NOFOLLOW (symlinks then refused).
 * Writes are atomic (temp file in the same directory, fsync, renameat,
 * fsync of the directory) and several files can be committed together
 * (struct tool_fs_txn): all or none. */
#ifndef KC_WORKER_TOOLS_FS_FS_H
#define KC_WORKER_TOOLS_FS_FS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TOOL_FS_MAX_FILE (100u * 1024 * 1024) /* files this big are refused */
#define TOOL_FS_MAX_OUTPUT (256u * 1024)      /* bytes of text given to the model */
#define TOOL_FS_ERRLEN 1024

struct tool_fs {
	int root_fd;           /* directory fd of the workspace root */
	const char *root_path; /* its absolute path (for absolute arguments) */
	int git_writable;      /* .git/ may be written */
	int64_t deadline_ms;   /* kc_mono_ms() at which walks stop (0: none) */
};

/* A file read whole. data is NUL-terminated (data[len] == 0). */
struct tool_fs_file {
	char *data;
	size_t len;
	mode_t mode;
	int binary; /* a NUL byte in the first 8 KiB, as git decides */
};

/* Normalizes a model-given path to a relative one beneath the root:
 * relative or absolute-inside-root accepted, "." and ".." folded; a path
 * that leaves the root is refused. Returns a new string ("." for the root)
 * or NULL with a message in err. */
char *tool_fs_path_normalize(const struct tool_fs *fs, const char *in, char *err, size_t errlen);
/* 1 when rel (normalized) is .git or beneath a .git directory. */
int tool_fs_path_is_git(const char *rel);

/* Opens rel (normalized) beneath the root. flags as openat(2); O_CREAT is
 * not allowed here (files are created by the atomic writer). Returns an fd
 * or -1 with errno set (EXDEV/ELOOP for escapes). */
int tool_fs_open(const struct tool_fs *fs, const char *rel, int flags);
/* Opens the directory containing rel; with mkdirs, creates the missing
 * directories (each one beneath the root). *base points into rel. */
int tool_fs_open_parent(const struct tool_fs *fs, const char *rel, int mkdirs, const char **base,
                        char *err, size_t errlen);

/* Reads rel whole (regular files only, size-capped). 0, or -1 with a
 * message; *missing is set to 1 when the file does not exist. */
int tool_fs_file_read(const struct tool_fs *fs, const char *rel, struct tool_fs_file *out,
                      int *missing, char *err, size_t errlen);
void tool_fs_file_free(struct tool_fs_file *f);
/* 1 when rel exists (any type, symlinks not followed). */
int tool_fs_exists(const struct tool_fs *fs, const char *rel);

/* A set of writes committed together. */
enum tool_fs_op_kind { TOOL_FS_OP_WRITE, TOOL_FS_OP_DELETE };
struct tool_fs_op {
	enum tool_fs_op_kind kind;
	char *rel;  /* normalized path */
	char *data; /* new content (WRITE) */
	size_t len;
	mode_t mode;    /* 0: keep the existing mode, or 0644 */
	int must_exist; /* DELETE/overwrite: the file must still be there */
};
struct tool_fs_txn {
	struct tool_fs_op *ops;
	size_t n, cap;
};
/* Takes ownership of data. */
void tool_fs_txn_write(struct tool_fs_txn *t, const char *rel, char *data, size_t len, mode_t mode);
void tool_fs_txn_delete(struct tool_fs_txn *t, const char *rel);
/* Commits every op or none: checks all targets first (write permission,
 * no symlink, no hardlink, .git policy), writes all temp files, then
 * renames; a failure midway restores the files already replaced from the
 * originals kept in memory. 0, or -1 with a message. */
int tool_fs_txn_commit(const struct tool_fs *fs, struct tool_fs_txn *t, char *err, size_t errlen);
void tool_fs_txn_free(struct tool_fs_txn *t);

/* Checks that rel may be written (policy, final component). 0 or -1. */
int tool_fs_check_writable(const struct tool_fs *fs, const char *rel, char *err, size_t errlen);

/* Text for the model: invalid UTF-8 bytes of a name become \xNN. */
char *tool_fs_name_display(const char *name);
/* Text for the model and JSON: invalid UTF-8 bytes become U+FFFD, and at
 * most about max bytes are kept (a note says how much was cut). */
char *tool_fs_text_display(const char *s, size_t max);

#ifdef UNITTEST
/* Makes the Nth rename of the next commits fail (testing rollback);
 * 0 disables. */
extern int tool_fs_fail_rename_at;
/* Uses the component walk as if the kernel had no openat2. */
extern int tool_fs_force_walk;
#endif

#endif

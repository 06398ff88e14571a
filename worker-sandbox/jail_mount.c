/*
 * jail_mount.c — the jail's filesystem, built by its pid 1 inside the new
 * user and mount namespaces, then pivoted into.
 *
 * Rationale (what the command sees, and why):
 * - a fresh tmpfs root, read-only at the end: nothing of the host exists
 *   unless it is listed here;
 * - /usr, /bin, /sbin, /lib* read-only, nosuid, nodev: programs run, none
 *   can be modified, no setuid binary gains anything;
 * - /etc holds only what the dynamic loader, locale, alternatives and name
 *   lookup need, plus passwd/group/hosts stubs written here (no shadow, no
 *   host users, no host names);
 * - /workspace read-write (the only persistent write), with .git re-bound
 *   read-only so no hook or core.fsmonitor can be planted for the user's
 *   next git command outside the jail;
 * - a private size-capped /tmp, a minimal /dev (no disks, no kmsg, no
 *   mem), a fresh /proc of the jail's own pid namespace with /proc/sys and
 *   friends read-only and kcore/keys/timer_list/... masked; no /sys.
 * The child cannot allocate: every path is a literal or comes from the plan.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "worker-sandbox/sbx_int.h"

#define NR_(x) SYS_##x

static const char *const mount_sysdirs[] = {"bin", "sbin", "lib", "lib32", "lib64", "libx32"};
static const char *const mount_etc_files[] = {
    "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives",    "nsswitch.conf",
    "localtime",   "timezone",   "ssl",          "ca-certificates", "ca-certificates.conf",
    "mime.types",  "protocols",  "services",     "inputrc",         "bash.bashrc",
    "profile",     "gai.conf",   "locale.alias", "python3",         "python3.11",
    "perl",        "gitconfig",
};
static const char *const mount_dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
static const char *const mount_proc_ro[] = {"sys", "sysrq-trigger", "irq", "bus", "fs"};
static const char *const mount_proc_masked[] = {
    "kcore",    "keys",       "timer_list", "sched_debug", "latency_stats", "timer_stats",
    "kallsyms", "kpagecount", "kpageflags", "kpagecgroup", "vmallocinfo"};
static const char *const mount_proc_dirs_masked[] = {"acpi", "scsi", "asound", "driver"};

static int
mount_err(struct jail_msg *m, const char *what)
{
	jail_msg_set(m, JAIL_MSG_SETUP, errno, what);
	return -1;
}

/* Read-only, nosuid, nodev on a mount and everything beneath it, without
 * touching its other (possibly locked) flags such as atime. */
static int
mount_lock_down(const char *path, int extra)
{
	struct mount_attr a;

	memset(&a, 0, sizeof a);
	a.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (unsigned)extra;
	return (int)syscall(NR_(mount_setattr), AT_FDCWD, path, AT_RECURSIVE, &a, sizeof a);
}

static int
mount_bind_ro(const char *src, const char *dst, struct jail_msg *m)
{
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) != 0)
		return mount_err(m, dst);
	if (mount_lock_down(dst, 0) != 0)
		return mount_err(m, dst);
	return 0;
}

/* Creates dst like the host's src (dir, file or symlink) and binds it. */
static int
mount_mirror(const char *src, const char *dst, struct jail_msg *m)
{
	struct stat st;
	char link[4096];
	ssize_t n;
	int fd;

	if (lstat(src, &st) != 0)
		return 0; /* not on this host: nothing to show */
	if (S_ISLNK(st.st_mode)) {
		n = readlink(src, link, sizeof link - 1);
		if (n < 0)
			return 0;
		link[n] = '\0';
		return symlink(link, dst) == 0 ? 0 : mount_err(m, dst);
	}
	if (S_ISDIR(st.st_mode)) {
		if (mkdir(dst, 0755) != 0)
			return mount_err(m, dst);
	} else {
		fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0)
			return mount_err(m, dst);
		close(fd);
	}
	return mount_bind_ro(src, dst, m);
}

static int
mount_write_file(const char *path, const char *text, struct jail_msg *m)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(text);

	if (fd < 0)
		return mount_err(m, path);
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return mount_err(m, path);
	}
	close(fd);
	return 0;
}

static int
mount_etc(struct jail_msg *m)
{
	char src[128], dst[128];
	size_t i;

	if (mkdir("etc", 0755) != 0)
		return mount_err(m, "etc");
	for (i = 0; i < sizeof mount_etc_files / sizeof mount_etc_files[0]; i++) {
		strcpy(src, "/etc/");
		strcat(src, mount_etc_files[i]);
		strcpy(dst, "etc/");
		strcat(dst, mount_etc_files[i]);
		if (mount_mirror(src, dst, m) != 0)
			return -1;
	}
	if (mount_write_file("etc/passwd",
	                     "root:x:0:0:root:/root:/bin/sh\n"
	                     "agent:x:1000:1000:kylecode agent:/tmp:/bin/sh\n"
	                     "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
	                     m) != 0 ||
	    mount_write_file("etc/group", "root:x:0:\nagent:x:1000:\nnogroup:x:65534:\n", m) != 0 ||
	    mount_write_file("etc/hosts", "127.0.0.1\tlocalhost kylecode\n::1\tlocalhost\n", m) !=
	        0 ||
	    mount_write_file("etc/hostname", "kylecode\n", m) != 0 ||
	    mount_write_file("etc/resolv.conf", "# no network in the kylecode jail\n", m) != 0)
		return -1;
	return 0;
}

static int
mount_dev(struct jail_msg *m)
{
	char src[64], dst[64];
	size_t i;

	if (mkdir("dev", 0755) != 0 ||
	    mount("kcdev", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") != 0)
		return mount_err(m, "dev");
	for (i = 0; i < sizeof mount_dev_nodes / sizeof mount_dev_nodes[0]; i++) {
		strcpy(src, "/dev/");
		strcat(src, mount_dev_nodes[i]);
		strcpy(dst, "dev/");
		strcat(dst, mount_dev_nodes[i]);
		int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0)
			return mount_err(m, dst);
		close(fd);
		if (mount(src, dst, NULL, MS_BIND, NULL) != 0)
			return mount_err(m, dst);
	}
	if (mkdir("dev/pts", 0755) != 0 ||
	    mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	          "newinstance,ptmxmode=0666,mode=0620") != 0)
		return mount_err(m, "dev/pts");
	if (mkdir("dev/shm", 01777) != 0 ||
	    mount("kcshm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64m") != 0)
		return mount_err(m, "dev/shm");
	if (symlink("pts/ptmx", "dev/ptmx") != 0 || symlink("/proc/self/fd", "dev/fd") != 0 ||
	    symlink("/proc/self/fd/0", "dev/stdin") != 0 ||
	    symlink("/proc/self/fd/1", "dev/stdout") != 0 ||
	    symlink("/proc/self/fd/2", "dev/stderr") != 0)
		return mount_err(m, "dev links");
	return 0;
}

static int
mount_proc(struct jail_msg *m)
{
	char p[64];
	size_t i;

	if (mkdir("proc", 0555) != 0 ||
	    mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
		return mount_err(m, "proc");
	for (i = 0; i < sizeof mount_proc_ro / sizeof mount_proc_ro[0]; i++) {
		strcpy(p, "proc/");
		strcat(p, mount_proc_ro[i]);
		if (access(p, F_OK) == 0 && mount_bind_ro(p, p, m) != 0)
			return -1;
	}
	for (i = 0; i < sizeof mount_proc_masked / sizeof mount_proc_masked[0]; i++) {
		strcpy(p, "proc/");
		strcat(p, mount_proc_masked[i]);
		if (access(p, F_OK) == 0 && mount("dev/null", p, NULL, MS_BIND, NULL) != 0)
			return mount_err(m, p);
	}
	for (i = 0; i < sizeof mount_proc_dirs_masked / sizeof mount_proc_dirs_masked[0]; i++) {
		strcpy(p, "proc/");
		strcat(p, mount_proc_dirs_masked[i]);
		if (access(p, F_OK) == 0 &&
		    mount("kcmask", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		          "size=0") != 0)
			return mount_err(m, p);
	}
	return 0;
}

static int
mount_workspace(const struct jail_plan *p, struct jail_msg *m)
{
	struct stat st;

	if (mkdir("workspace", 0755) != 0)
		return mount_err(m, "workspace");
	if (syscall(NR_(move_mount), p->ws_mnt_fd, "", AT_FDCWD, "workspace",
	            MOVE_MOUNT_F_EMPTY_PATH) != 0)
		return mount_err(m, "workspace (move_mount)");
	/* .git read-only: a planted hook or core.fsmonitor would run on the
	 * user's next git command, outside any jail. */
	if (p->git_ro && lstat("workspace/.git", &st) == 0 && !S_ISLNK(st.st_mode) &&
	    mount_bind_ro("workspace/.git", "workspace/.git", m) != 0)
		return -1;
	return 0;
}

static int
mount_tree(const struct jail_plan *p, struct jail_msg *m)
{
	char dst[64];
	size_t i;

	if (mkdir("usr", 0755) != 0 || mount_bind_ro("/usr", "usr", m) != 0)
		return m->kind ? -1 : mount_err(m, "usr");
	for (i = 0; i < sizeof mount_sysdirs / sizeof mount_sysdirs[0]; i++) {
		strcpy(dst, "/");
		strcat(dst, mount_sysdirs[i]);
		if (mount_mirror(dst, dst + 1, m) != 0)
			return -1;
	}
	if (mount_etc(m) != 0 || mount_dev(m) != 0 || mount_proc(m) != 0)
		return -1;
	if (mkdir("tmp", 01777) != 0 ||
	    mount("kctmp", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, p->tmp_opts) != 0)
		return mount_err(m, "tmp");
	if (mkdir("var", 0755) != 0 || symlink("../tmp", "var/tmp") != 0 || mkdir("run", 0755) != 0)
		return mount_err(m, "var");
	return mount_workspace(p, m);
}

int
jail_mount_root(const struct jail_plan *p, struct jail_msg *m)
{
	/* Nothing we mount may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		return mount_err(m, "make / private");
	/* Staging at /tmp is safe: this mount namespace is private, and the
	 * workspace was opened (open_tree) before, by descriptor. */
	if (mount("kcroot", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") != 0 ||
	    chdir("/tmp") != 0)
		return mount_err(m, "root tmpfs");
	if (mount_tree(p, m) != 0)
		return -1;
	if (syscall(NR_(pivot_root), ".", ".") != 0)
		return mount_err(m, "pivot_root");
	if (umount2(".", MNT_DETACH) != 0 || chdir("/") != 0)
		return mount_err(m, "detach old root");
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) !=
	    0)
		return mount_err(m, "read-only root");
	return 0;
}

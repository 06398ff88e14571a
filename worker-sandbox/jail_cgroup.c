/*
 * jail_cgroup.c — per-command cgroups for memory, pids and CPU limits.
 *
 * Rationale: rlimits are per process (RLIMIT_AS) or per user (NPROC), so a
 * command can still exhaust the host's memory with many processes; a
 * cgroup bounds the whole tree. We create one cgroup per command beneath
 * the worker's own, for each controller the host gives us: cgroup v1
 * "memory" and "pids" hierarchies, or the v2 unified hierarchy when its
 * controllers are enabled for us. Where neither is writable the command
 * still runs, with rlimits only (doctor reports it).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "worker-sandbox/sbx_int.h"

#define CG_ROOT "/sys/fs/cgroup"

/* The worker's own path in the hierarchy that holds controller ctrl
 * ("" for the v2 line "0::"). */
/* CFS period for the CPU quota: 100 ms, the kernel default. */
#define CG_CPU_PERIOD 100000u
#define CG_SWEEP_MIN_AGE_S 120 /* seconds: older than any jail's setup */

static int
cg_self_path(const char *ctrl, char *out, size_t n)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[1024], *c1, *c2, *tok, *save;
	int found = 0;

	if (f == NULL)
		return -1;
	while (!found && fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		c1 = strchr(line, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 == NULL)
			continue;
		*c2 = '\0';
		if (*ctrl == '\0') {
			found = c1[1] == '\0';
		} else {
			for (tok = strtok_r(c1 + 1, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save))
				if (strcmp(tok, ctrl) == 0)
					found = 1;
		}
		if (found)
			snprintf(out, n, "%s", c2 + 1);
	}
	fclose(f);
	return found ? 0 : -1;
}

static int
cg_write(const char *dir, const char *file, const char *val)
{
	char path[512];
	int fd, rc;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return rc;
}

static long long
cg_read_key(const char *dir, const char *file, const char *key)
{
	char path[512], line[256];
	long long v = -1;
	size_t kl = strlen(key);
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if ((kl == 0 || (strncmp(line, key, kl) == 0 && line[kl] == ' ')))
			v = strtoll(line + kl, NULL, 10);
	fclose(f);
	return v;
}

/*
 * The parent of our per-command cgroups: <hierarchy>/<worker's cgroup>/
 * kylecode. Made by jail_cgroup_prepare() while the worker still has its
 * capabilities (a hierarchy root such as /sys/fs/cgroup/pids is mode 0555
 * here), owned by root with mode 0755, so per-command cgroups beneath it
 * need no capability afterwards.
 */
static int
cg_base(const char *hier, const char *ctrl, char *out, size_t n)
{
	char self[512], path[700];

	out[0] = '\0';
	if (cg_self_path(ctrl, self, sizeof self) != 0)
		return -1;
	if ((size_t)snprintf(out, n, "%s%s/kylecode", hier, strcmp(self, "/") == 0 ? "" : self) >=
	    n) {
		out[0] = '\0';
		return -1;
	}
	if (mkdir(out, 0755) != 0 && errno != EEXIST) {
		out[0] = '\0';
		return -1;
	}
	if (*ctrl == '\0') { /* v2: our children need the controllers too */
		snprintf(path, sizeof path, "%s", out);
		cg_write(path, "cgroup.subtree_control", "+memory +pids +cpu");
	}
	return 0;
}

/* Makes <base>/<name>; "" in out when not possible. */
static int
cg_make(const char *hier, const char *ctrl, const char *name, char *out, size_t n)
{
	char base[800];

	out[0] = '\0';
	if (cg_base(hier, ctrl, base, sizeof base) != 0)
		return -1;
	/* A truncated path would name another cgroup: refuse it. */
	if ((size_t)snprintf(out, n, "%s/%s", base, name) >= n) {
		out[0] = '\0';
		return -1;
	}
	if (mkdir(out, 0700) != 0 && errno != EEXIST) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

static int
cg_v2_usable(char *hier, size_t n)
{
	char self[512], path[600], buf[256] = "";
	FILE *f;

	if (cg_self_path("", self, sizeof self) != 0)
		return 0;
	snprintf(hier, n, "%s",
	         access(CG_ROOT "/cgroup.controllers", F_OK) == 0 ? CG_ROOT : CG_ROOT "/unified");
	snprintf(path, sizeof path, "%s%s/cgroup.subtree_control", hier, self);
	f = fopen(path, "re");
	if (f == NULL)
		return 0;
	if (fgets(buf, sizeof buf, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	return strstr(buf, "memory") != NULL && strstr(buf, "pids") != NULL;
}

int
jail_cgroup_create(struct jail_cgroup *cg, const char *name, const struct sbx_limits *lim)
{
	char val[32], hier[256];

	memset(cg, 0, sizeof *cg);
	if (cg_v2_usable(hier, sizeof hier)) {
		if (cg_make(hier, "", name, cg->mem, sizeof cg->mem) != 0)
			return -1;
		snprintf(val, sizeof val, "%llu", (unsigned long long)lim->memory_bytes);
		cg->have_mem = cg_write(cg->mem, "memory.max", val) == 0;
		cg_write(cg->mem, "memory.swap.max", "0");
		snprintf(val, sizeof val, "%u", lim->pids);
		cg->have_pids = cg_write(cg->mem, "pids.max", val) == 0;
		snprintf(cg->pids, sizeof cg->pids, "%s", cg->mem);
		if (lim->cpu_milli > 0) {
			snprintf(val, sizeof val, "%u %u", lim->cpu_milli * CG_CPU_PERIOD / 1000,
			         CG_CPU_PERIOD);
			cg->have_cpu = cg_write(cg->mem, "cpu.max", val) == 0;
		}
		return 0;
	}
	if (cg_make(CG_ROOT "/memory", "memory", name, cg->mem, sizeof cg->mem) == 0) {
		snprintf(val, sizeof val, "%llu", (unsigned long long)lim->memory_bytes);
		cg->have_mem = cg_write(cg->mem, "memory.limit_in_bytes", val) == 0;
		cg_write(cg->mem, "memory.memsw.limit_in_bytes",
		         val); /* absent without swap accounting */
	}
	if (cg_make(CG_ROOT "/pids", "pids", name, cg->pids, sizeof cg->pids) == 0) {
		snprintf(val, sizeof val, "%u", lim->pids);
		cg->have_pids = cg_write(cg->pids, "pids.max", val) == 0;
	}
	/* CPU: a CFS quota per period, so a spinning command gets at most
	 * cpu_milli/1000 of a core however many threads it runs (RLIMIT_CPU
	 * only bounds the total, per process). */
	if (lim->cpu_milli > 0 &&
	    cg_make(CG_ROOT "/cpu", "cpu", name, cg->cpu, sizeof cg->cpu) == 0) {
		snprintf(val, sizeof val, "%u", CG_CPU_PERIOD);
		cg_write(cg->cpu, "cpu.cfs_period_us", val);
		snprintf(val, sizeof val, "%u", lim->cpu_milli * CG_CPU_PERIOD / 1000);
		cg->have_cpu = cg_write(cg->cpu, "cpu.cfs_quota_us", val) == 0;
	}
	return 0;
}

int
jail_cgroup_attach(const struct jail_cgroup *cg, pid_t pid)
{
	char val[32];
	int rc = 0;

	snprintf(val, sizeof val, "%d", (int)pid);
	if (cg->mem[0] != '\0' && cg_write(cg->mem, "cgroup.procs", val) != 0)
		rc = -1;
	if (cg->pids[0] != '\0' && strcmp(cg->pids, cg->mem) != 0 &&
	    cg_write(cg->pids, "cgroup.procs", val) != 0)
		rc = -1;
	if (cg->cpu[0] != '\0' && cg_write(cg->cpu, "cgroup.procs", val) != 0)
		rc = -1;
	return rc;
}

const char *
jail_cgroup_reason(const struct jail_cgroup *cg)
{
	if (cg->have_mem && (cg_read_key(cg->mem, "memory.events", "oom_kill") > 0 ||
	                     cg_read_key(cg->mem, "memory.oom_control", "oom_kill") > 0))
		return "memory";
	if (cg->have_pids && cg_read_key(cg->pids, "pids.events", "max") > 0)
		return "pids";
	return "";
}

void
jail_cgroup_destroy(struct jail_cgroup *cg)
{
	int i;

	/* init has been reaped, so the pid namespace is empty; the kernel
	 * may still be releasing the last tasks for a moment, and cgroup v1
	 * offers no event to wait on for that: retry briefly (<= 100 ms). */
	for (i = 0; i < 50; i++) {
		int busy = 0;

		if (cg->mem[0] != '\0' && rmdir(cg->mem) != 0 && errno == EBUSY)
			busy = 1;
		if (cg->pids[0] != '\0' && strcmp(cg->pids, cg->mem) != 0 && rmdir(cg->pids) != 0 &&
		    errno == EBUSY)
			busy = 1;
		if (cg->cpu[0] != '\0' && rmdir(cg->cpu) != 0 && errno == EBUSY)
			busy = 1;
		if (!busy)
			break;
		usleep(2000);
	}
	cg->mem[0] = cg->pids[0] = cg->cpu[0] = '\0';
}

/* Removes the empty per-command cgroups of workers that are gone (a worker
 * killed mid-command leaves its cgroup behind; its jail died with it). A
 * live worker's cgroups are never touched, and rmdir refuses a busy one. */
static void
cg_sweep_path(const char *dir)
{
	char path[1100];
	struct dirent *e;
	struct stat st;
	DIR *d;
	int pid;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (sscanf(e->d_name, "kc-%d-", &pid) != 1 || pid <= 0)
			continue;
		if (kill(pid, 0) == 0 || errno != ESRCH)
			continue; /* its worker may still be running */
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		/* A worker in another pid namespace (a container, the security
		 * suite's baseline) sees a live worker's pid as ESRCH too, and a
		 * cgroup a live worker has just made is still empty, so rmdir
		 * would succeed under its feet. Only cgroups older than any jail
		 * setup are swept; a busy one fails rmdir (EBUSY) anyway. */
		if (stat(path, &st) != 0 || time(NULL) - st.st_mtime < CG_SWEEP_MIN_AGE_S)
			continue;
		rmdir(path);
	}
	closedir(d);
}

static void
cg_sweep_dir(const char *hier, const char *ctrl)
{
	char dir[800];

	if (cg_base(hier, ctrl, dir, sizeof dir) == 0)
		cg_sweep_path(dir);
}

/* runsc names its per-container cgroups after our container ids
 * (kc-<worker pid>-<n>) at the root of every hierarchy. */
static void
cg_sweep_runsc(void)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir(CG_ROOT);

	if (d == NULL)
		return;
	cg_sweep_path(CG_ROOT);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", CG_ROOT, e->d_name);
		cg_sweep_path(path);
	}
	closedir(d);
}

/* Sweeping also makes the bases: call it before dropping capabilities. */
void
jail_cgroup_sweep(void)
{
	char hier[256];

	cg_sweep_runsc();
	if (cg_v2_usable(hier, sizeof hier)) {
		cg_sweep_dir(hier, "");
		return;
	}
	cg_sweep_dir(CG_ROOT "/memory", "memory");
	cg_sweep_dir(CG_ROOT "/pids", "pids");
	cg_sweep_dir(CG_ROOT "/cpu", "cpu");
}

int
jail_cgroup_available(char *why, size_t whylen)
{
	struct jail_cgroup cg;
	struct sbx_limits lim = {.memory_bytes = SBX_DEF_MEMORY, .pids = SBX_DEF_PIDS};
	char name[64];

	snprintf(name, sizeof name, "kc-probe-%d", (int)getpid());
	jail_cgroup_create(&cg, name, &lim);
	snprintf(why, whylen, "memory limit: %s; pids limit: %s",
	         cg.have_mem ? "yes" : "no (rlimits only)",
	         cg.have_pids ? "yes" : "no (RLIMIT_NPROC only)");
	jail_cgroup_destroy(&cg);
	return cg.have_mem && cg.have_pids;
}

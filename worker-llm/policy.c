/* worker-llm confinement. The LLM worker talks HTTP(S) to model providers
 * and IPC to the supervisor; it never starts programs, never writes files
 * and never needs privileges. Everything else is taken away here, with
 * lib/harden's ordered drop, before the first request is read. */
#include "worker-llm/policy.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/prctl.h>
#include <netdb.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "lib/harden/harden.h"

/* Beyond harden_sys_base and harden_sys_nng: libcurl and the resolver
 * (sendmmsg for parallel A/AAAA queries, socketpair for the threaded
 * resolver's wake-up, select/poll flavours), OpenSSL reading the CA bundle,
 * stdio. execve/execveat, ptrace, mount, bpf, keyctl, unshare, seccomp
 * itself and everything not listed kill the process. */
static const char *const llm_syscalls[] = {
    "mlock",          "munlock",         "membarrier", "sysinfo",
    "time",           "futex_waitv",     "stat",       "lstat",
    "fstatfs",        "statfs",          "access",     "faccessat",
    "faccessat2",     "readlink",        "readlinkat", "getcwd",
    "getdents64",     "select",          "pselect6",   "epoll_pwait2",
    "timerfd_create", "timerfd_settime", "accept",     "sendmmsg",
    "recvmmsg",       "socketpair",      "unlinkat",   NULL,
};

/* Rationale, rule by rule:
 * - socket families: AF_INET/AF_INET6 reach providers; AF_UNIX is NNG's
 *   ipc:// transport (and nscd); AF_NETLINK is what getaddrinfo uses for
 *   AI_ADDRCONFIG. Raw sockets, AF_PACKET, AF_ALG, AF_VSOCK and the rest are
 *   kernel attack surface this worker never needs.
 * - open/openat are allowed here and narrowed by llm_open_policy below.
 * - the rows every worker shares (lib/harden's harden_rules_worker): no
 *   PROT_EXEC in mmap/mprotect, so with no exec either a parser bug cannot
 *   be turned into newly loaded code (the NSS and TLS libraries are loaded
 *   before the filter); only the ioctls stdio and curl make; prctl for
 *   thread names, the death signal and the dumpable query. */
static const struct harden_rule llm_rules[] = {
    {"socket", 1, {SCMP_A0(SCMP_CMP_EQ, AF_INET, 0)}},
    {"socket", 1, {SCMP_A0(SCMP_CMP_EQ, AF_INET6, 0)}},
    {"socket", 1, {SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0)}},
    {"socket", 1, {SCMP_A0(SCMP_CMP_EQ, AF_NETLINK, 0)}},
    {"openat", 0, {{0}}},
    {"open", 0, {{0}}},
};

static const struct harden_policy llm_allow_policy = {
    .role = "llm",
    .mode = HARDEN_ALLOWLIST,
    .lists = {harden_sys_base, harden_sys_nng, llm_syscalls},
    .rules = llm_rules,
    .nrules = sizeof(llm_rules) / sizeof(llm_rules[0]),
    .shared_rules = harden_rules_worker, /* no exec mappings, ioctl, prctl */
#ifdef KC_SANITIZE
    /* ASan/LSan make calls a release build never does (ptrace for the
     * leak check, /proc reads): sanitizer builds log instead of kill. */
    .deny_action = HARDEN_DENY_LOG,
#else
    .deny_action = HARDEN_DENY_KILL,
#endif
    .ignore_unknown = 1,
    .allow_threads = 1,
};

/* Rationale: files are opened read-only (CA bundle, resolv.conf, hosts).
 * An open for writing, creating or truncating fails with EACCES rather than
 * killing the worker, because NNG names its threads by writing
 * /proc/self/task/N/comm and copes with failure. A second, stacked filter
 * (a deny-list) does it: for a call both filters see, the kernel takes the
 * stricter answer, so EACCES beats the allowlist's "allow". */
static const struct harden_rule llm_open_rules[] = {
    {"openat", 1, {SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE, O_WRONLY)}},
    {"openat", 1, {SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE, O_RDWR)}},
    {"openat", 1, {SCMP_A2(SCMP_CMP_MASKED_EQ, O_CREAT, O_CREAT)}},
    {"openat", 1, {SCMP_A2(SCMP_CMP_MASKED_EQ, O_TRUNC, O_TRUNC)}},
    {"open", 1, {SCMP_A1(SCMP_CMP_MASKED_EQ, O_ACCMODE, O_WRONLY)}},
    {"open", 1, {SCMP_A1(SCMP_CMP_MASKED_EQ, O_ACCMODE, O_RDWR)}},
    {"open", 1, {SCMP_A1(SCMP_CMP_MASKED_EQ, O_CREAT, O_CREAT)}},
    {"open", 1, {SCMP_A1(SCMP_CMP_MASKED_EQ, O_TRUNC, O_TRUNC)}},
};

static const struct harden_policy llm_open_policy = {
    .role = "llm-open",
    .mode = HARDEN_DENYLIST,
    .rules = llm_open_rules,
    .nrules = sizeof(llm_open_rules) / sizeof(llm_open_rules[0]),
    .deny_action = HARDEN_DENY_ERRNO,
    .deny_errno = EACCES,
    .ignore_unknown = 1,
};

int
llm_policy_install_seccomp(void)
{
	char err[256];

	/* The deny-list first: once the allowlist is in, seccomp() itself is
	 * forbidden. */
	if (harden_seccomp_install(&llm_open_policy, err, sizeof(err)) < 0 ||
	    harden_seccomp_install(&llm_allow_policy, err, sizeof(err)) < 0) {
		log_warnx("llm: %s", err);
		return -EINVAL;
	}
	return 0;
}

size_t
llm_policy_nss_hosts(const char *line, char names[][32], size_t max)
{
	size_t n = 0, k;

	while (*line == ' ' || *line == '\t')
		line++;
	if (strncmp(line, "hosts:", 6) != 0)
		return 0;
	for (line += 6; *line != '\0' && *line != '\n' && *line != '#' && n < max; line += k) {
		line += strspn(line, " \t");
		if (*line == '[') { /* [NOTFOUND=return] */
			k = strcspn(line, "]\n");
			k += line[k] == ']';
			continue;
		}
		k = strcspn(line, " \t\n#");
		if (k == 0 || k >= 32 || (k == 5 && strncmp(line, "files", 5) == 0) ||
		    (k == 3 && strncmp(line, "dns", 3) == 0))
			continue;
		memcpy(names[n], line, k);
		names[n++][k] = '\0';
	}
	return n;
}

/* Load, before the filter forbids new executable mappings, every shared
 * object a first request would pull in: the NSS modules of the "hosts:"
 * line (a name found in /etc/hosts would never reach them, so they are
 * loaded by name and kept loaded; glibc's NSS then finds them in memory),
 * and what resolving "localhost" touches. */
static void
policy_preload(void)
{
	struct addrinfo hints = {0}, *res = NULL;
	char line[512], names[8][32], so[64];
	FILE *f = fopen("/etc/nsswitch.conf", "r");
	size_t i, n;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		n = llm_policy_nss_hosts(line, names, 8);
		for (i = 0; i < n; i++) {
			snprintf(so, sizeof(so), "libnss_%s.so.2", names[i]);
			if (dlopen(so, RTLD_NOW | RTLD_NODELETE) == NULL)
				log_debug("llm: NSS module %s: %s", so, dlerror());
		}
	}
	if (f != NULL)
		fclose(f);
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo("localhost", "80", &hints, &res) == 0)
		freeaddrinfo(res);
}

/* The directory of an ipc:// URL (where NNG creates its socket file), or
 * --rundir. NULL when the worker listens on something else. */
static char *
policy_rundir(const struct worker_args *wa)
{
	char *copy, *dir;

	if (wa->rundir != NULL)
		return strdup(wa->rundir);
	if (wa->req_url == NULL || strncmp(wa->req_url, "ipc://", 6) != 0)
		return NULL;
	copy = strdup(wa->req_url + 6);
	dir = copy ? strdup(dirname(copy)) : NULL;
	free(copy);
	return dir;
}

/* Rationale: filesystem reach (Landlock, where the kernel has it). Read
 * beneath /etc (resolver files, CA bundle), /usr (CA certificates, OpenSSL
 * config) and the CPU list glibc reads; read-write only beneath the runtime
 * directory, where NNG makes its socket. The workspace, $HOME and the
 * supervisor's run logs are out of reach: a compromised parser cannot read
 * the project and send it anywhere. */
#define LLM_NRO_EXTRA 1 /* the directory of SSL_CERT_FILE, if set */
static const char *const llm_ro_dirs[] = {
    "/etc", "/usr", "/sys/devices/system/cpu",
#ifdef KC_SANITIZE
    "/proc", /* LeakSanitizer lists /proc/PID/task at exit */
#endif
};
#define LLM_NRO (sizeof(llm_ro_dirs) / sizeof(llm_ro_dirs[0]) + LLM_NRO_EXTRA)

static int
policy_landlock_fds(const struct worker_args *wa, int *rw, int ro[LLM_NRO], size_t *nro)
{
	char *dir = policy_rundir(wa);
	size_t i;

	*rw = dir ? open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dir != NULL && *rw < 0)
		fatal("llm: runtime directory %s", dir);
	free(dir);
	for (*nro = 0, i = 0; i < LLM_NRO - LLM_NRO_EXTRA; i++)
		if ((ro[*nro] = open(llm_ro_dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC)) >= 0)
			(*nro)++;
	/* A private CA bundle (SSL_CERT_FILE) is read at each handshake. */
	if ((dir = getenv("SSL_CERT_FILE") ? strdup(getenv("SSL_CERT_FILE")) : NULL) != NULL) {
		if ((ro[*nro] = open(dirname(dir), O_PATH | O_DIRECTORY | O_CLOEXEC)) >= 0)
			(*nro)++;
		free(dir);
	}
	return *rw;
}

const char *const llm_env_keep[] = {"SSL_CERT_FILE",       "SSL_CERT_DIR",        "TZ",
                                    "KYLECODE_FAILPOINTS", "KYLECODE_FAULT_SEED", NULL};

void
llm_policy_apply(const struct worker_args *wa)
{
	int ro[LLM_NRO], keep[LLM_NRO + 1], rw, rc;
	size_t nro, i, nkeep = 0;
	struct harden_ll_rule rules[LLM_NRO + 1];
	struct harden_landlock ll;
	struct harden_opts ho;

	pid_t parent = getppid();

	/* Die with the supervisor rather than linger holding keys; if it died
	 * before the prctl took effect, we were reparented: leave now. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
		fatal("llm: PR_SET_PDEATHSIG");
	if (getppid() != parent)
		fatalx("llm: the supervisor is already gone");
	policy_preload();
#ifndef KC_SANITIZE
	/* Keys are in this memory: not ptrace-attachable, /proc/PID/mem not
	 * readable by the same uid (harden sets RLIMIT_CORE=0 as well). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("llm: PR_SET_DUMPABLE");
#endif
	policy_landlock_fds(wa, &rw, ro, &nro);
	for (i = 0; i < nro; i++)
		keep[nkeep++] = ro[i];
	if (rw >= 0)
		keep[nkeep++] = rw;
	memset(&ll, 0, sizeof(ll));
	/* device ioctls stay unhandled: stdio's terminal queries */
	ll.handled = HARDEN_LL_ALL & ~HARDEN_LL_IOCTL_DEV;
	ll.rules = rules;
	if (rw >= 0)
		rules[ll.nrules++] = (struct harden_ll_rule){rw, NULL, HARDEN_LL_ALL};
	for (i = 0; i < nro; i++)
		rules[ll.nrules++] = (struct harden_ll_rule){ro[i], NULL, HARDEN_LL_READ};
	memset(&ho, 0, sizeof(ho));
	ho.keep_fds = keep;
	ho.nkeep = nkeep;
	ho.keep_env = llm_env_keep; /* keys were moved out by llm_keys_load */
	ho.landlock = &ll;
	harden_apply(&ho); /* fds, env, caps, rlimits, no_new_privs, Landlock */
	for (i = 0; i < nkeep; i++)
		close(keep[i]);
	if ((rc = llm_policy_install_seccomp()) < 0) {
		errno = -rc;
		fatal("llm: seccomp filter");
	}
	log_debug("llm: confined (no caps, no_new_privs, Landlock, seccomp allowlist)");
}

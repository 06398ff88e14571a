/*
 * capture.c — drive one started command to its end: drain stdout/stderr
 * with a per-stream cap (bytes past it are counted and dropped, never
 * buffered), stream chunks to the caller, kill at the wall-clock deadline,
 * reap, and turn what happened into a struct sbx_result.
 *
 * The loop waits on the pipes, the jail's status pipe and a pidfd of the
 * process, so a command that closes its output and keeps running is still
 * seen to end (or killed at the deadline), and one that exits while a
 * daemonized child keeps the pipes open is not waited for past a short
 * grace period.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/clock.h"
#include "lib/core/xmalloc.h"
#include "worker-sandbox/sbx_int.h"

#define CAP_GRACE_MS 2000 /* draining after the process is gone or killed */
#define CAP_CHUNK 65536

struct cap_state {
	struct sbx_proc *p;
	const struct sbx_req *req;
	struct sbx_result *res;
	struct sbx_limits lim;
	int fds[4]; /* out, err, status, pidfd; -1 when closed */
	char st_buf[sizeof(struct jail_msg)];
	size_t st_len;
	int have_status, status; /* from a JAIL_MSG_STATUS record */
	int reaped, wstatus, killed;
	int64_t deadline, grace;
	char *chunk;
};


void
sbx_fail(struct sbx_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->error, sizeof res->error, fmt, ap);
	va_end(ap);
	res->setup_failed = 1;
	res->exit_code = 125;
}

static void
cap_close(struct cap_state *c, int i)
{
	if (c->fds[i] >= 0)
		close(c->fds[i]);
	c->fds[i] = -1;
}

static void
cap_output(struct cap_state *c, int stream, const char *buf, size_t n)
{
	struct strbuf *sb = stream == 1 ? &c->res->out : &c->res->err;
	uint64_t *dropped = stream == 1 ? &c->res->out_dropped : &c->res->err_dropped;
	size_t room = sb->len < c->lim.output_bytes ? c->lim.output_bytes - sb->len : 0;
	size_t keep = n < room ? n : room;

	if (keep > 0) {
		strbuf_add(sb, buf, keep);
		if (c->req->on_output != NULL)
			c->req->on_output(stream, buf, keep, c->req->arg);
	}
	*dropped += n - keep;
}

static void
cap_status_record(struct cap_state *c, const struct jail_msg *m)
{
	struct sbx_result *res = c->res;
	char line[300];

	switch (m->kind) {
	case JAIL_MSG_SETUP:
		sbx_fail(res, "jail setup: %.*s", (int)sizeof m->text, m->text);
		break;
	case JAIL_MSG_EXEC:
		res->exit_code = (m->code == ENOENT) ? 127 : 126;
		snprintf(line, sizeof line, "kylecode: %.*s\n", (int)sizeof m->text, m->text);
		cap_output(c, 2, line, strlen(line));
		c->have_status = 2; /* the exec failed: no command status follows */
		break;
	case JAIL_MSG_STATUS:
		c->have_status = 1;
		c->status = m->code;
		break;
	}
}

static void
cap_read_status(struct cap_state *c)
{
	ssize_t n = read(c->fds[2], c->st_buf + c->st_len, sizeof c->st_buf - c->st_len);
	struct jail_msg m;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		cap_close(c, 2);
		return;
	}
	c->st_len += (size_t)n;
	if (c->st_len == sizeof c->st_buf) {
		memcpy(&m, c->st_buf, sizeof m);
		c->st_len = 0;
		cap_status_record(c, &m);
	}
}

static void
cap_read_stream(struct cap_state *c, int i)
{
	ssize_t n = read(c->fds[i], c->chunk, CAP_CHUNK);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		cap_close(c, i);
		return;
	}
	cap_output(c, i + 1, c->chunk, (size_t)n);
}

static void
cap_reap(struct cap_state *c)
{
	if (waitpid(c->p->pid, &c->wstatus, WNOHANG) == c->p->pid) {
		c->reaped = 1;
		c->fds[3] = -1; /* stays open in p->pidfd: no more polling */
		c->grace = kc_mono_ms() + CAP_GRACE_MS;
	}
}

static int
cap_poll_once(struct cap_state *c)
{
	struct pollfd pf[4];
	int64_t now = kc_mono_ms(), until = c->reaped || c->killed ? c->grace : c->deadline;
	int i, n = 0, idx[4];

	if (now >= until) {
		/* Grace over: something the command left behind still holds
		 * the pipes (the jail's namespace teardown never lets it
		 * come to this). Kill it and stop draining. */
		if (c->reaped && !c->killed && c->p->kill != NULL)
			c->p->kill(c->p, c->p->kill_arg);
		if (c->reaped || c->killed)
			return -1;
		if (c->p->kill != NULL)
			c->p->kill(c->p, c->p->kill_arg);
		c->killed = 1;
		c->res->timed_out = 1;
		c->grace = now + CAP_GRACE_MS;
		return 0;
	}
	for (i = 0; i < 4; i++)
		if (c->fds[i] >= 0) {
			pf[n].fd = c->fds[i];
			pf[n].events = POLLIN;
			idx[n++] = i;
		}
	if (n == 0)
		return -1;
	if (poll(pf, (nfds_t)n, (int)(until - now)) < 0)
		return errno == EINTR ? 0 : -1;
	for (i = 0; i < n; i++) {
		if ((pf[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0)
			continue;
		if (idx[i] == 3)
			cap_reap(c);
		else if (idx[i] == 2)
			cap_read_status(c);
		else
			cap_read_stream(c, idx[i]);
	}
	return 0;
}

static void
cap_finish(struct cap_state *c)
{
	struct sbx_result *res = c->res;
	int ws;

	if (!c->reaped) {
		if (c->p->kill != NULL)
			c->p->kill(c->p, c->p->kill_arg);
		while (waitpid(c->p->pid, &c->wstatus, 0) < 0 && errno == EINTR)
			;
	}
	if (res->setup_failed || c->have_status == 2)
		return;
	ws = c->have_status == 1 ? c->status : c->wstatus;
	if (WIFEXITED(ws)) {
		res->exit_code = WEXITSTATUS(ws);
	} else if (WIFSIGNALED(ws)) {
		res->signal = WTERMSIG(ws);
		res->exit_code = 128 + res->signal;
	}
	if (res->timed_out) {
		res->exit_code = 124;
		snprintf(res->killed_reason, sizeof res->killed_reason, "timeout");
	}
}

int
sbx_capture_run(struct sbx_proc *p, const struct sbx_req *req, struct sbx_result *res)
{
	struct cap_state c;
	int64_t start = kc_mono_ms();
	int i;

	memset(&c, 0, sizeof c);
	c.p = p;
	c.req = req;
	c.res = res;
	sbx_limits_resolve(&req->lim, &c.lim);
	c.fds[0] = p->out_fd;
	c.fds[1] = p->err_fd;
	c.fds[2] = p->status_fd;
	p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	c.fds[3] = p->pidfd;
	c.deadline = start + sbx_timeout_ms(req);
	c.chunk = xmalloc(CAP_CHUNK);
	while (cap_poll_once(&c) == 0)
		if (c.reaped && c.fds[0] < 0 && c.fds[1] < 0 && c.fds[2] < 0)
			break;
	/* Without a pidfd (old kernel) the loop ends on EOF: reap below. */
	for (i = 0; i < 3; i++)
		cap_close(&c, i);
	cap_finish(&c);
	if (p->pidfd >= 0)
		close(p->pidfd);
	p->pidfd = -1;
	free(c.chunk);
	res->duration_ms = kc_mono_ms() - start;
	return res->setup_failed ? -1 : 0;
}

/* Races: a symlink swapped in while the tools write. A thread keeps
 * replacing a directory (and a file) of the workspace with a symlink to a
 * directory outside it, while the main thread writes through tool_run;
 * nothing outside may ever change. */
#include <pthread.h>
#include <stdatomic.h>

#include "edit_testutil.h"

struct swapper {
	char ws[64], outside[64];
	atomic_int stop;
	atomic_long swaps;
};

/* Flips ws/dir between a real directory and a symlink to outside, and
 * ws/file.txt between a regular file and a symlink to outside/victim. */
static void *
swap_loop(void *arg)
{
	struct swapper *s = arg;
	char dir[128], tmpdir[128], link[128], file[128], tmpf[128], victim[128];

	snprintf(dir, sizeof(dir), "%s/dir", s->ws);
	snprintf(tmpdir, sizeof(tmpdir), "%s/dir.real", s->ws);
	snprintf(link, sizeof(link), "%s/dir.link", s->ws);
	snprintf(file, sizeof(file), "%s/file.txt", s->ws);
	snprintf(tmpf, sizeof(tmpf), "%s/file.link", s->ws);
	snprintf(victim, sizeof(victim), "%s/victim", s->outside);
	while (!atomic_load(&s->stop)) {
		unlink(link);
		if (symlink(s->outside, link) == 0 && rename(dir, tmpdir) == 0) {
			rename(link, dir); /* dir -> outside */
			sched_yield();
			rename(dir, link);
			rename(tmpdir, dir); /* dir is real again */
		}
		unlink(tmpf);
		if (symlink(victim, tmpf) == 0)
			rename(tmpf, file); /* file.txt -> outside/victim */
		sched_yield();
		atomic_fetch_add(&s->swaps, 1);
	}
	return NULL;
}

Test(fs_race, symlink_swapped_in_during_writes_never_escapes, .timeout = 120)
{
	struct tws w;
	struct swapper s;
	pthread_t th;
	char path[128], cmd[256];
	cJSON *r;
	int i, ok = 0;

	tws_init(&w);
	memset(&s, 0, sizeof(s));
	strcpy(s.ws, w.path);
	strcpy(s.outside, "/tmp/kc-race-out.XXXXXX");
	cr_assert_not_null(mkdtemp(s.outside));
	snprintf(path, sizeof(path), "%s/victim", s.outside);
	{
		FILE *f = fopen(path, "w");
		fputs("untouched\n", f);
		fclose(f);
	}
	tws_puts(&w, "dir/keep", "k");
	cr_assert_eq(pthread_create(&th, NULL, swap_loop, &s), 0);
	/* until the swapper has flipped the names many times while we wrote */
	for (i = 0; i < 1500 || (atomic_load(&s.swaps) < 3000 && i < 300000); i++) {
		r = tws_run(&w, NULL, i % 2 ? "write" : "create_file_from_block",
		            i % 2 ? "{\"filePath\":\"dir/new.txt\",\"content\":\"x\"}"
		                  : "{\"file_name\":\"file.txt\",\"content\":\"pwned\\n\"}");
		ok += res_ok(r);
		cJSON_Delete(r);
	}
	atomic_store(&s.stop, 1);
	pthread_join(th, NULL);
	cr_assert_geq(atomic_load(&s.swaps), 3000, "the swapper must have run");
	cr_assert_gt(ok, 0, "some writes must have succeeded");
	snprintf(cmd, sizeof(cmd),
	         "test \"$(ls -A '%s')\" = victim && grep -qx untouched '%s/victim'", s.outside,
	         s.outside);
	cr_assert_eq(system(cmd), 0, "something outside the workspace changed");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s.outside);
	cr_assert_eq(system(cmd), 0);
	tws_fini(&w);
}

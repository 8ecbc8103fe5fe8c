// SPDX-License-Identifier: GPL-2.0
/*
 * winsync selftest: kill and fault tests.
 *
 * - Owners and waiters SIGKILLed at random points (seeded: WS_KILL_SEED,
 *   bounded: WS_KILL_SECONDS), processes exiting with waits in flight, every
 *   descriptor of an object closed while threads wait on it: afterwards the
 *   objects are consistent, nobody waits, and live_objects is back at its
 *   baseline.
 * - Module unload is refused while any handle exists; 100 unload/load
 *   cycles are clean when none does (root, and the module file the test VM
 *   keeps at /lib/modules/winsync.ko, or $WINSYNC_KO).
 * - Allocation failures injected with failslab into the module's call
 *   chains (a kernel with CONFIG_FAILSLAB and debugfs, root): every failure
 *   is a documented errno, nothing leaks, no half-created object or name.
 * - Regression tests for bugs the fuzzer found.
 *
 * Tests that need root, the module file or fault injection skip otherwise.
 * See Documentation/reliability.rst.
 */
#include <dirent.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "winsync_test.h"

#define KO_DEFAULT	"/lib/modules/winsync.ko"
/*
 * The regression test of the timer_fire() livelock hangs the whole machine
 * on a module without the fix (commit "kernel: a periodic timer with slack
 * no longer fires forever"); build with -DWS_TIMER_SLACK_FIXED=0 to skip it
 * against an older module.
 */
#ifndef WS_TIMER_SLACK_FIXED
#define WS_TIMER_SLACK_FIXED 1
#endif
/* An EXPECT failed already: stop a long loop (6.1's harness field). */
#define HAS_FAILED_SINCE_SETUP()	(!_metadata->passed)
#define FAILSLAB	"/sys/kernel/debug/failslab"

static long long live_objects(int dev)
{
	struct winsync_info info;

	return ws_get_info(dev, &info) ? -1 : (long long)info.live_objects;
}

/* live_objects back to @want within @ms (file releases may be deferred). */
static long long await_live(int dev, long long want, unsigned int ms)
{
	__u64 end = ws_deadline_ms(ms);
	long long n;

	do {
		n = live_objects(dev);
		if (n == want)
			return n;
		ws_sleep_ms(10);
	} while (ws_now(CLOCK_MONOTONIC) < end);
	return n;
}

/* xorshift, seeded per test from WS_KILL_SEED (or the clock). */
static __u64 rng_state;

static __u64 seed_from_env(void)
{
	const char *s = getenv("WS_KILL_SEED");

	if (s && *s)
		return strtoull(s, NULL, 0);
	return ws_now(CLOCK_REALTIME) ^ ((__u64)getpid() << 32);
}

static __u32 rnd(__u32 n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? (__u32)(rng_state % n) : 0;
}

static unsigned int kill_seconds(void)
{
	const char *s = getenv("WS_KILL_SECONDS");

	return s && atoi(s) > 0 ? (unsigned int)atoi(s) : 8;
}

static int named(int dev, __u32 type, __u32 flags, const char *name, __u32 *status)
{
	struct winsync_create_args a;
	int err;

	ws_create_init(&a, type, flags, WINSYNC_ACCESS_ALL);
	a.mode = 0600;
	a.name = (uintptr_t)name;
	a.name_len = (__u32)strlen(name);
	if (type == WINSYNC_TYPE_SEM)
		a.sem_max = 100;
	err = ws_create(dev, &a);
	if (status)
		*status = a.status;
	return err ? -err : a.fd;
}

static int timer_new(int dev)
{
	return ws_new(dev, WINSYNC_TYPE_TIMER, 0, WINSYNC_ACCESS_ALL, 0, 0);
}

/* ------------------------------------------------------------ killing */

/*
 * What a victim does before it is killed: one of several things, picked
 * by the parent's seeded generator so that a seed replays the same plan.
 */
static void victim_body(int dev, const int *objs, int nobjs, unsigned int plan,
			int ready)
{
	struct winsync_wait_args a;
	char name[64];
	int i, fd;

	ws_write_byte(ready);
	switch (plan % 6) {
	case 0:		/* own the mutex, then wait forever on everything */
		ws_wait1(dev, objs[0], ws_deadline_ms(WS_LONG_MS), NULL);
		/* fall through */
	case 1:		/* wait-any forever */
		ws_wait(dev, objs, (__u32)nobjs, 0, WINSYNC_TIMEOUT_INFINITE, &a);
		break;
	case 2:		/* wait-all forever */
		ws_wait(dev, objs, (__u32)nobjs, WINSYNC_WAIT_ALL, WINSYNC_TIMEOUT_INFINITE, &a);
		break;
	case 3:		/* create and close in a loop (killed mid-create) */
		for (i = 0;; i++) {
			snprintf(name, sizeof(name), "Global\\ws-kill-%d-%d", (int)getppid(), i % 8);
			fd = named(dev, WINSYNC_TYPE_EVENT, 0, name, NULL);
			if (fd >= 0 && (i & 1))
				close(fd);
		}
		break;
	case 4:		/* take the mutex, signal-and-wait forever */
		ws_wait1(dev, objs[0], ws_deadline_ms(WS_LONG_MS), NULL);
		ws_wait_ex(dev, objs + 1, 1, WINSYNC_WAIT_SIGNAL, WINSYNC_TIMEOUT_INFINITE,
			   0, objs[0], &a);
		break;
	default:	/* acquire and release the mutex in a loop */
		for (;;) {
			__u32 prev;

			if (!ws_wait1(dev, objs[0], ws_deadline_ms(WS_LONG_MS), NULL))
				ws_mutex_release(objs[0], &prev);
		}
	}
	for (;;)
		pause();
}

TEST(sigkill_owners_and_waiters)
{
	int dev, objs[4], i, round = 0, pipefd[2];
	unsigned int secs = kill_seconds();
	__u64 seed = seed_from_env(), end;
	long long before;
	struct winsync_obj_info info;

	rng_state = seed | 1;
	TH_LOG("seed 0x%llx (WS_KILL_SEED replays it), %u s", (unsigned long long)seed, secs);
	WS_OPEN_DEV(dev);
	before = live_objects(dev);
	objs[0] = ws_mutex(dev, false);
	objs[1] = ws_sem(dev, 0, 10);
	objs[2] = ws_event(dev, false, false);
	objs[3] = timer_new(dev);
	for (i = 0; i < 4; i++)
		ASSERT_LE(0, objs[i]);
	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC | O_NONBLOCK));

	end = ws_deadline_ms(secs * 1000);
	while (ws_now(CLOCK_MONOTONIC) < end) {
		pid_t pids[6];
		int n = 1 + (int)rnd(6);

		for (i = 0; i < n; i++) {
			unsigned int plan = rnd(1000);

			pids[i] = fork();
			ASSERT_LE(0, pids[i]);
			if (!pids[i]) {
				close(pipefd[0]);
				victim_body(dev, objs, 1 + (int)(plan % 4), plan / 7, pipefd[1]);
				_exit(0);
			}
		}
		/* Kill each at a random point: before it starts, mid-call, or
		 * while it sleeps in the kernel. */
		for (i = 0; i < n; i++) {
			if (rnd(3))
				ws_read_byte(pipefd[0], 200);
			usleep(rnd(20000));
			kill(pids[i], SIGKILL);
		}
		for (i = 0; i < n; i++)
			ASSERT_EQ(-1, ws_reap(pids[i], WS_LONG_MS * 3))
				TH_LOG("round %d: victim %d did not die of SIGKILL", round, i);
		while (ws_read_byte(pipefd[0], 0))
			;
		/* Whatever happened, the objects are consistent again. */
		memset(&info, 0, sizeof(info));
		ASSERT_EQ(0, ws_query(objs[0], &info));
		EXPECT_EQ(0, info.count) TH_LOG("round %d: mutex still owned by a dead process (owner %u)",
						round, info.owner_tid);
		EXPECT_EQ(0, info.owner_tid);
		for (i = 0; i < 4; i++)
			EXPECT_EQ(0, WS_QUERY_FIELD(objs[i], waiters))
				TH_LOG("round %d: object %d has waiters after all died", round, i);
		/* Names the dead created are gone with their handles. */
		for (i = 0; i < 8; i++) {
			char name[64];

			snprintf(name, sizeof(name), "Global\\ws-kill-%d-%d", (int)getpid(), i);
			EXPECT_EQ(-ENOENT, ws_open_name(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name));
		}
		round++;
		if (HAS_FAILED_SINCE_SETUP())
			break;
	}
	TH_LOG("%d rounds", round);
	for (i = 0; i < 4; i++)
		close(objs[i]);
	EXPECT_EQ(before, await_live(dev, before, WS_LONG_MS));
	close(dev);
}

struct inflight {
	int dev;
	int fd;
	int flags;
};

static void *wait_forever(void *arg)
{
	struct inflight *w = arg;
	struct winsync_wait_args a;

	ws_wait(w->dev, &w->fd, 1, (__u32)w->flags, WINSYNC_TIMEOUT_INFINITE, &a);
	return NULL;
}

/* A process exits (exit_group from main) while its threads wait. */
TEST(exit_with_waits_in_flight)
{
	int dev, mtx, sem, ev, i, pipefd[2];
	long long before;
	pid_t pid;

	WS_OPEN_DEV(dev);
	before = live_objects(dev);
	mtx = ws_mutex(dev, false);
	sem = ws_sem(dev, 0, 5);
	ev = ws_event(dev, true, false);
	ASSERT_LE(0, mtx);
	ASSERT_LE(0, sem);
	ASSERT_LE(0, ev);
	ASSERT_EQ(0, pipe(pipefd));

	for (i = 0; i < 3; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			static struct inflight w[6];
			pthread_t t;
			int k;

			/* Own the mutex, then leave threads waiting on all. */
			if (ws_wait1(dev, mtx, ws_deadline_ms(WS_LONG_MS), NULL))
				_exit(2);
			for (k = 0; k < 6; k++) {
				w[k].dev = dev;
				w[k].fd = k % 3 == 0 ? sem : k % 3 == 1 ? ev : mtx;
				w[k].flags = k >= 3 ? WINSYNC_WAIT_ALL : 0;
				pthread_create(&t, NULL, wait_forever, &w[k]);
			}
			ws_await_waiters(sem, 2);
			ws_await_waiters(ev, 2);
			ws_write_byte(pipefd[1]);
			if (i == 2)
				kill(getpid(), SIGKILL);
			exit(0);	/* exit_group with waits in flight */
		}
		ASSERT_TRUE(ws_read_byte(pipefd[0], WS_LONG_MS));
		ASSERT_NE(-2, ws_reap(pid, WS_LONG_MS * 3));
		EXPECT_EQ(0, WS_QUERY_FIELD(sem, waiters));
		EXPECT_EQ(0, WS_QUERY_FIELD(ev, waiters));
		EXPECT_EQ(0, WS_QUERY_FIELD(mtx, waiters));
		/* The exited owner's mutex is abandoned, and usable. */
		{
			__u32 status = ~0U, prev;

			ASSERT_EQ(0, ws_wait1(dev, mtx, ws_deadline_ms(WS_LONG_MS), &status));
			EXPECT_EQ(WINSYNC_WAIT_STATUS_ABANDONED, status);
			EXPECT_EQ(0, ws_mutex_release(mtx, &prev));
		}
	}
	close(mtx);
	close(sem);
	close(ev);
	EXPECT_EQ(before, await_live(dev, before, WS_LONG_MS));
	close(dev);
}

/*
 * Every descriptor of the objects is closed while threads wait on them:
 * the waits go on; a timed one times out, and one on a named object is
 * completed through a handle reopened by name (the waits keep the object,
 * hence its name).  Afterwards everything is freed.
 */
TEST(close_all_fds_while_waiting)
{
	char name[64];
	struct ws_waiter w[4];
	int dev, ev, sem, up[2], down[2], fd, objs[2];
	long long before;
	__u32 prev;

	WS_OPEN_DEV(dev);
	before = live_objects(dev);
	snprintf(name, sizeof(name), "Global\\ws-killclose-%d", (int)getpid());
	ev = named(dev, WINSYNC_TYPE_EVENT, 0, name, NULL);
	sem = ws_sem(dev, 0, 1);
	ASSERT_LE(0, ev);
	ASSERT_LE(0, sem);

	ws_waiter_init(&w[0], dev, &ev, 1, 0, WINSYNC_TIMEOUT_INFINITE);
	ws_waiter_init(&w[1], dev, &sem, 1, 0, ws_deadline_ms(800));
	objs[0] = ev;
	objs[1] = sem;
	ws_waiter_init(&w[2], dev, objs, 2, WINSYNC_WAIT_ALL, ws_deadline_ms(900));
	ws_waiter_init(&w[3], dev, objs, 2, 0, WINSYNC_TIMEOUT_INFINITE);
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, ws_waiter_start(&w[i]));
	ASSERT_TRUE(ws_await_waiters(ev, 3));
	ASSERT_TRUE(ws_await_waiters(sem, 3));
	/* The only descriptors. */
	close(ev);
	close(sem);
	ws_sleep_ms(50);
	EXPECT_FALSE(ws_waiter_done(&w[0]));
	/* The timed ones time out normally. */
	ASSERT_TRUE(ws_waiter_finish(&w[1], WS_LONG_MS));
	EXPECT_EQ(ETIMEDOUT, w[1].ret);
	ASSERT_TRUE(ws_waiter_finish(&w[2], WS_LONG_MS));
	EXPECT_EQ(ETIMEDOUT, w[2].ret);
	/* The name lives as long as a wait holds the object. */
	fd = ws_open_name(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name);
	ASSERT_LE(0, fd);
	EXPECT_EQ(2, WS_QUERY_FIELD(fd, waiters));
	EXPECT_EQ(0, ws_event_set(fd, &prev));
	EXPECT_EQ(0, ws_event_set(fd, &prev));
	ASSERT_TRUE(ws_waiter_finish(&w[0], WS_LONG_MS));
	ASSERT_TRUE(ws_waiter_finish(&w[3], WS_LONG_MS));
	EXPECT_EQ(0, w[0].ret);
	EXPECT_EQ(0, w[3].ret);
	EXPECT_EQ(0, w[3].args.index);
	close(fd);
	EXPECT_EQ(-ENOENT, ws_open_name(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name));
	EXPECT_EQ(before, await_live(dev, before, WS_LONG_MS));

	/* A mutex owner that closes all its handles still owns it; its
	 * exit abandons it to the waiter, who holds the last reference. */
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	{
		int mtx = ws_mutex(dev, false), mfd;
		pid_t pid;

		ASSERT_LE(0, mtx);
		mfd = ws_reopen(mtx, WINSYNC_ACCESS_ALL, 0);
		ASSERT_LE(0, mfd);
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			close(mtx);
			if (ws_wait1(dev, mfd, ws_deadline_ms(WS_LONG_MS), NULL))
				_exit(2);
			close(mfd);
			ws_write_byte(up[1]);
			ws_read_byte(down[0], WS_LONG_MS * 2);
			_exit(0);
		}
		close(mfd);
		ASSERT_TRUE(ws_read_byte(up[0], WS_LONG_MS));
		ws_waiter_init(&w[0], dev, &mtx, 1, 0, WINSYNC_TIMEOUT_INFINITE);
		ASSERT_EQ(0, ws_waiter_start(&w[0]));
		ASSERT_TRUE(ws_await_waiters(mtx, 1));
		close(mtx);	/* the wait holds the only reference */
		ws_sleep_ms(50);
		EXPECT_FALSE(ws_waiter_done(&w[0]));
		ws_write_byte(down[1]);
		EXPECT_EQ(0, ws_reap(pid, WS_LONG_MS));
		ASSERT_TRUE(ws_waiter_finish(&w[0], WS_LONG_MS));
		EXPECT_EQ(0, w[0].ret);
		EXPECT_EQ(WINSYNC_WAIT_STATUS_ABANDONED, w[0].args.status);
	}
	EXPECT_EQ(before, await_live(dev, before, WS_LONG_MS));
	close(dev);
}

/* ---------------------------------------------------- module unloading */

static int delete_module(const char *name, unsigned int flags)
{
	return (int)syscall(SYS_delete_module, name, flags);
}

static const char *ko_path(void)
{
	const char *p = getenv("WINSYNC_KO");

	return p && *p ? p : KO_DEFAULT;
}

static int load_module(void)
{
	int fd = open(ko_path(), O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = (int)syscall(SYS_finit_module, fd, "", 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

static bool module_loaded(void)
{
	struct stat st;

	return !stat("/sys/module/winsync/refcnt", &st);
}

/* Wait for /dev/winsync after a load. */
static bool await_dev(void)
{
	__u64 end = ws_deadline_ms(WS_LONG_MS);
	int fd;

	do {
		fd = ws_open_dev();
		if (fd >= 0) {
			close(fd);
			return true;
		}
		ws_sleep_ms(5);
	} while (ws_now(CLOCK_MONOTONIC) < end);
	return false;
}

TEST(unload_refused_while_handles_exist)
{
	int dev, fd, err;

	if (geteuid() != 0 || !module_loaded())
		SKIP(return, "needs root and winsync as a loadable module");
	WS_OPEN_DEV(dev);
	/* The device descriptor alone pins the module. */
	err = delete_module("winsync", O_NONBLOCK) ? errno : 0;
	if (!err) {
		load_module();
		ASSERT_TRUE(0) TH_LOG("winsync unloaded while /dev/winsync was open");
	}
	EXPECT_TRUE(err == EWOULDBLOCK || err == EBUSY) TH_LOG("delete_module: %s", strerror(err));
	/* An object handle alone pins it too. */
	fd = ws_event(dev, true, false);
	ASSERT_LE(0, fd);
	close(dev);
	err = delete_module("winsync", O_NONBLOCK) ? errno : 0;
	if (!err) {
		load_module();
		ASSERT_TRUE(0) TH_LOG("winsync unloaded while an event handle was open");
	}
	EXPECT_TRUE(err == EWOULDBLOCK || err == EBUSY) TH_LOG("delete_module: %s", strerror(err));
	/* So does a wait that holds the last reference to its object. */
	{
		int d2 = ws_open_dev(), sem;
		struct ws_waiter w;

		ASSERT_LE(0, d2);
		sem = ws_sem(d2, 0, 1);
		ASSERT_LE(0, sem);
		ws_waiter_init(&w, d2, &sem, 1, 0, ws_deadline_ms(1500));
		ASSERT_EQ(0, ws_waiter_start(&w));
		ASSERT_TRUE(ws_await_waiters(sem, 1));
		close(sem);
		err = delete_module("winsync", O_NONBLOCK) ? errno : 0;
		EXPECT_NE(0, err);
		ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
		EXPECT_EQ(ETIMEDOUT, w.ret);
		close(d2);
	}
	close(fd);
	EXPECT_TRUE(module_loaded());
}

/* No handle anywhere in the system (this test's parent holds none). */
static bool handles_elsewhere(void)
{
	char path[600], link[128];
	struct dirent *d, *f;
	DIR *proc = opendir("/proc"), *fds;
	bool found = false;

	if (!proc)
		return false;
	while (!found && (d = readdir(proc))) {
		if (atoi(d->d_name) <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", d->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((f = readdir(fds))) {
			ssize_t l;

			snprintf(path, sizeof(path), "/proc/%s/fd/%s", d->d_name, f->d_name);
			l = readlink(path, link, sizeof(link) - 1);
			if (l > 0) {
				link[l] = 0;
				if (!strcmp(link, WS_DEV_PATH) ||
				    strstr(link, "anon_inode:[winsync-")) {
					found = true;
					break;
				}
			}
		}
		closedir(fds);
	}
	closedir(proc);
	return found;
}

/*
 * Tests that take long on a KASAN/lockdep kernel under emulation get a
 * longer harness timeout than the default 30 s (a fixture is the only way
 * the 6.1 harness offers).  Their loops stop on their own well before it:
 * a test killed by the timeout could leave the module unloaded.
 */
#define SLOW_TIMEOUT	900
#define SLOW_BUDGET_MS	600000

FIXTURE(slow) {
	int unused;
};

FIXTURE_SETUP(slow)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(slow)
{
}

TEST_F_TIMEOUT(slow, load_unload_cycles, SLOW_TIMEOUT)
{
	int i, err = 0, cycles = 100, dev, fd;
	__u64 budget = ws_deadline_ms(SLOW_BUDGET_MS);
	struct stat st;

	if (geteuid() != 0 || !module_loaded())
		SKIP(return, "needs root and winsync as a loadable module");
	if (stat(ko_path(), &st))
		SKIP(return, "no module file at %s (set WINSYNC_KO)", ko_path());
	if (handles_elsewhere())
		SKIP(return, "another process holds /dev/winsync or a handle");

	for (i = 0; i < cycles; i++) {
		__u64 end = ws_deadline_ms(WS_LONG_MS);

		if (ws_now(CLOCK_MONOTONIC) > budget) {
			TH_LOG("only %d cycles in %d s", i, SLOW_BUDGET_MS / 1000);
			break;
		}

		/* Deferred file releases of the previous round may lag. */
		do {
			err = delete_module("winsync", O_NONBLOCK) ? errno : 0;
			if (err != EWOULDBLOCK && err != EBUSY)
				break;
			ws_sleep_ms(5);
		} while (ws_now(CLOCK_MONOTONIC) < end);
		if (err) {
			TH_LOG("cycle %d: delete_module: %s", i, strerror(err));
			break;
		}
		EXPECT_FALSE(module_loaded());
		err = load_module();
		if (err) {
			TH_LOG("cycle %d: finit_module(%s): %s", i, ko_path(), strerror(-err));
			break;
		}
		if (!await_dev()) {
			err = ENODEV;
			TH_LOG("cycle %d: /dev/winsync did not come back", i);
			break;
		}
		/* Use it a little: one object of each type, a wait, a name. */
		dev = ws_open_dev();
		if (dev < 0) {
			err = errno;
			break;
		}
		EXPECT_EQ(0, live_objects(dev)) TH_LOG("cycle %d: a fresh module has live objects", i);
		for (int t = WINSYNC_TYPE_SEM; t <= WINSYNC_TYPE_TIMER; t++) {
			fd = ws_new(dev, (__u32)t, 0, WINSYNC_ACCESS_ALL, t == 1 ? 1 : 0, t == 1 ? 1 : 0);
			EXPECT_LE(0, fd);
			if (t == WINSYNC_TYPE_MUTEX || t == WINSYNC_TYPE_SEM)
				EXPECT_EQ(0, ws_wait1(dev, fd, 0, NULL));
			if (fd >= 0)
				close(fd);
		}
		fd = named(dev, WINSYNC_TYPE_EVENT, 0, "Global\\ws-cycle", NULL);
		EXPECT_LE(0, fd);
		close(fd);
		close(dev);
	}
	/* Whatever happened, leave the module loaded. */
	if (!module_loaded())
		load_module();
	ASSERT_TRUE(await_dev());
	EXPECT_EQ(0, err);
	EXPECT_EQ(cycles, i);
}

/* ------------------------------------------------------------ failslab */

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int fs_set(const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), FAILSLAB "/%s", file);
	return write_str(path, val);
}

static unsigned long long read_hex(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return strtoull(buf, NULL, 0);
}

static void make_it_fail(int on)
{
	write_str("/proc/thread-self/make-it-fail", on ? "1" : "0");
}

static bool documented(int err, const int *set)
{
	if (!err)
		return true;
	for (; *set; set++)
		if (*set == err)
			return true;
	return false;
}

TEST_F_TIMEOUT(slow, failslab_clean_errors_no_leak, SLOW_TIMEOUT)
{
	static const int e_create[] = { ENOMEM, EMFILE, ENFILE, EBUSY, ENOSPC, 0 };
	static const int e_open[] = { ENOMEM, EMFILE, ENFILE, ENOENT, 0 };
	static const int e_wait[] = { ENOMEM, ETIMEDOUT, 0 };
	static const int e_list[] = { ENOMEM, 0 };
	static const int e_reopen[] = { ENOMEM, EMFILE, ENFILE, 0 };
	unsigned long long text, size;
	char buf[64], name[64];
	int dev, i, fds[64], nfds = 0, failures = 0, successes = 0, iters = 2000;
	__u64 budget;
	long long before;
	struct stat st;

	if (geteuid() != 0 || stat(FAILSLAB, &st))
		SKIP(return, "needs root and %s (CONFIG_FAILSLAB, debugfs)", FAILSLAB);
	if (stat(FAILSLAB "/require-start", &st))
		SKIP(return, "no stack trace filter (CONFIG_FAULT_INJECTION_STACKTRACE_FILTER)");
	text = read_hex("/sys/module/winsync/sections/.text");
	size = read_hex("/sys/module/winsync/coresize");
	if (!text || !size)
		SKIP(return, "cannot find the module's text");

	WS_OPEN_DEV(dev);
	before = live_objects(dev);
	/* Fail allocations of tasks that ask, whose call chain passes through
	 * the module's code; sleeping allocations too. */
	snprintf(buf, sizeof(buf), "0x%llx", text);
	ASSERT_EQ(0, fs_set("require-start", buf));
	snprintf(buf, sizeof(buf), "0x%llx", text + size);
	ASSERT_EQ(0, fs_set("require-end", buf));
	ASSERT_EQ(0, fs_set("stacktrace-depth", "32"));
	ASSERT_EQ(0, fs_set("task-filter", "Y"));
	ASSERT_EQ(0, fs_set("ignore-gfp-wait", "N"));
	ASSERT_EQ(0, fs_set("verbose", "0"));
	ASSERT_EQ(0, fs_set("interval", "1"));
	ASSERT_EQ(0, fs_set("times", "-1"));
	ASSERT_EQ(0, fs_set("probability", "25"));

	rng_state = seed_from_env() | 1;
	budget = ws_deadline_ms(SLOW_BUDGET_MS);
	for (i = 0; i < iters; i++) {
		int err, fd, k = (int)rnd(8);
		__u32 type = 1 + rnd(4), status = 0;

		if (ws_now(CLOCK_MONOTONIC) > budget) {
			iters = i;
			break;
		}

		snprintf(name, sizeof(name), "Global\\ws-fs-%d-%d", (int)getpid(), i);
		make_it_fail(1);
		switch (k) {
		case 0:
		case 1:
		case 2: {	/* CREATE, named (new name) or not; mutex OWNED */
			struct winsync_create_args a;

			ws_create_init(&a, type, type == WINSYNC_TYPE_MUTEX ? WINSYNC_CREATE_OWNED : 0,
				       WINSYNC_ACCESS_ALL);
			if (type == WINSYNC_TYPE_SEM)
				a.sem_max = 1;
			if (k) {
				a.name = (uintptr_t)name;
				a.name_len = (__u32)strlen(name);
				a.mode = 0600;
			}
			err = ws_create(dev, &a);
			make_it_fail(0);
			EXPECT_TRUE(documented(err, e_create)) TH_LOG("CREATE: %s", strerror(err));
			if (err) {
				failures++;
				/* No half-created name. */
				if (k)
					EXPECT_EQ(-ENOENT, ws_open_name(dev, type, WINSYNC_ACCESS_ALL, name))
						TH_LOG("a failed CREATE left the name %s", name);
			} else {
				successes++;
				EXPECT_EQ(WINSYNC_CREATED, a.status);
				status = WS_QUERY_FIELD(a.fd, type);
				EXPECT_EQ(type, status);
				if (nfds < 64)
					fds[nfds++] = a.fd;
				else
					close(a.fd);
			}
			break;
		}
		case 3: {	/* OPEN of an existing name */
			if (!nfds)
				break;
			err = 0;
			fd = ws_reopen(fds[rnd((__u32)nfds)], WINSYNC_ACCESS_ALL, 0);
			make_it_fail(0);
			if (fd < 0) {
				err = -fd;
				failures++;
			} else {
				successes++;
				close(fd);
			}
			EXPECT_TRUE(documented(err, e_reopen)) TH_LOG("REOPEN: %s", strerror(err));
			break;
		}
		case 4: {	/* OPEN by name */
			snprintf(name, sizeof(name), "Global\\ws-fs-%d-%d", (int)getpid(), (int)rnd((__u32)i + 1));
			fd = ws_open_name(dev, type, WINSYNC_ACCESS_ALL, name);
			make_it_fail(0);
			err = fd < 0 ? -fd : 0;
			if (err == EMEDIUMTYPE)
				err = 0;
			EXPECT_TRUE(documented(err, e_open)) TH_LOG("OPEN: %s", strerror(err));
			if (fd >= 0)
				close(fd);
			else if (err == ENOMEM || err == EMFILE || err == ENFILE)
				failures++;
			break;
		}
		case 5:
		case 6: {	/* WAIT on what we have (owner records, queues) */
			struct winsync_wait_args a;
			int objs[4], n = 0;

			while (n < 4 && n < nfds) {
				objs[n] = fds[rnd((__u32)nfds)];
				n++;
			}
			if (!n) {
				make_it_fail(0);
				break;
			}
			err = ws_wait(dev, objs, (__u32)n, 0, 0, &a);
			make_it_fail(0);
			if (err == ENOMEM)
				failures++;
			EXPECT_TRUE(documented(err, e_wait)) TH_LOG("WAIT: %s", strerror(err));
			break;
		}
		default: {	/* LIST */
			struct winsync_list_args la;

			memset(&la, 0, sizeof(la));
			err = ws_ioctl(dev, WINSYNC_IOC_LIST, &la);
			make_it_fail(0);
			if (err == ENOMEM)
				failures++;
			EXPECT_TRUE(documented(err, e_list)) TH_LOG("LIST: %s", strerror(err));
			break;
		}
		}
		/* Now and then drop everything. */
		if (nfds == 64 || !rnd(50)) {
			while (nfds)
				close(fds[--nfds]);
		}
		if (HAS_FAILED_SINCE_SETUP())
			break;
	}
	make_it_fail(0);
	fs_set("probability", "0");
	fs_set("times", "1");
	fs_set("require-start", "0");
	fs_set("require-end", "0xffffffffffffffff");
	while (nfds)
		close(fds[--nfds]);
	TH_LOG("%d injected failures, %d successes", failures, successes);
	EXPECT_LT(0, failures) TH_LOG("failslab injected nothing: is the filter right?");
	EXPECT_LT(0, successes);
	/* No leak, and no name survives its handles. */
	EXPECT_EQ(before, await_live(dev, before, WS_LONG_MS));
	for (i = 0; i < iters; i++) {
		snprintf(name, sizeof(name), "Global\\ws-fs-%d-%d", (int)getpid(), i);
		if (ws_open_name(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name) != -ENOENT) {
			EXPECT_EQ(-ENOENT, ws_open_name(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name))
				TH_LOG("name %s survives", name);
			break;
		}
	}
	close(dev);
}

/* ------------------------------------------------ regressions (fuzzer) */

/*
 * A periodic timer armed with slack (here: "may be late forever") used to
 * re-arm itself from its hard expiry: run at its soft expiry it did not
 * move, returned HRTIMER_RESTART and ran again at once, forever, in hard
 * interrupt context (found by winsync-fuzz --seed 2).  The first fix moved
 * it by one period per run, which still re-ran it (now - due) / period
 * times for a due time far in the past (case 3, due at the epoch: 10^13
 * runs; found by winsync-fuzz on the debug kernel).  Without the fixes
 * this test hangs the machine; with them the timer just fires, and counts
 * every due time it passed in one run.
 *
 * Since the timer redesign the hrtimer is armed only while somebody waits
 * (and never re-arms itself); waiting threads catch the timer up and arm
 * it for the next due time.  The same livelock would now be a waiter that
 * arms the hrtimer for a due time that has passed, forever: so each case
 * also waits on the timer and polls it, and must come back.
 */
TEST(timer_periodic_slack_no_livelock)
{
#if !WS_TIMER_SLACK_FIXED || defined(WS_NO_TIMER_SLACK_TEST)
	SKIP(return, "hangs the machine until kernel/timer.c re-arms from the soft expiry "
		     "(set WS_TIMER_SLACK_FIXED with the fix)");
#endif
	struct winsync_timer_args t;
	int dev, tm, k, w;
	__u32 prev;

	WS_OPEN_DEV(dev);
	/*
	 * 0: absolute, 1 ms period, unlimited slack; 1: relative, 3 ms slack;
	 * 2: due at the epoch, minimum period, unlimited slack; 3: the same
	 * without slack, which must fire at once.
	 */
	for (k = 0; k < 4; k++) {
		struct winsync_obj_info info;
		__u64 set_at;

		tm = timer_new(dev);
		ASSERT_LE(0, tm);
		memset(&t, 0, sizeof(t));
		t.flags = k == 1 ? 0 : WINSYNC_TIMER_ABSOLUTE;
		t.due = k == 0 ? (__s64)ws_now(CLOCK_REALTIME) + 1000000 : k == 1 ? 1000000 : 0;
		t.period_ns = k >= 2 ? WINSYNC_TIMER_MIN_PERIOD_NS : 1000000;
		t.slack_ns = k == 1 ? 3000000 : k == 3 ? 0 : INT64_MAX;
		set_at = ws_now(CLOCK_REALTIME);
		ASSERT_EQ(0, ws_ioctl(tm, WINSYNC_IOC_TIMER_SET, &t));
		ws_sleep_ms(300);
		EXPECT_EQ(0, ws_query(tm, &info));
		EXPECT_NE(0, info.flags & WINSYNC_INFO_ACTIVE);
		/*
		 * With unlimited slack the timer fires whenever the clock base
		 * is serviced, maybe not yet; once it has, it has counted every
		 * due time since the epoch.
		 */
		TH_LOG("case %d: %llu expirations", k, (unsigned long long)info.timer_expirations);
		if (k == 3 || (k == 2 && info.timer_expirations))
			EXPECT_LE(set_at / WINSYNC_TIMER_MIN_PERIOD_NS, info.timer_expirations);
		/*
		 * Observed: a query has caught it up, so the first wait takes
		 * it; the others arm the hrtimer (with the case's slack) for
		 * the next due time, which may come late but must not spin.
		 */
		for (w = 0; w < 4; w++) {
			struct pollfd pfd = { .fd = tm, .events = POLLIN };
			int err = ws_wait1(dev, tm, ws_deadline_ms(50), NULL);

			EXPECT_TRUE(err == 0 || err == ETIMEDOUT)
				TH_LOG("case %d wait %d: %s", k, w, strerror(err));
			EXPECT_LE(0, poll(&pfd, 1, 20));
		}
		EXPECT_EQ(0, ws_u32_ioctl(tm, WINSYNC_IOC_TIMER_CANCEL, 0, &prev));
		EXPECT_EQ(1, prev);
		close(tm);
	}
	close(dev);
}

/*
 * LIST used to copy entries out while holding the global names lock: a user
 * whose buffer faults and stalls (userfaultfd here; FUSE from a user
 * namespace for an unprivileged one) blocked every named CREATE and OPEN
 * in the system, uninterruptibly.  Fixed in "kernel: LIST copies out after
 * dropping the names lock"; without it, the CREATE below waits until the
 * fault is resolved (4 s).
 */
struct uffd_lister {
	int dev;
	void *page;
	int ret;
};

static void *uffd_list_fn(void *arg)
{
	struct uffd_lister *l = arg;
	struct winsync_list_args a;

	memset(&a, 0, sizeof(a));
	a.entries = (uintptr_t)l->page;
	a.capacity = 1;
	l->ret = ws_ioctl(l->dev, WINSYNC_IOC_LIST, &a);
	return NULL;
}

TEST(list_fault_does_not_block_names)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct uffdio_zeropage zp;
	struct uffd_lister l;
	char name[64], other[64];
	pthread_t t;
	int dev, fd, fd2, uffd;
	__u64 t0, took;

	if (geteuid() != 0)
		SKIP(return, "needs root (userfaultfd on kernel faults)");
	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
		SKIP(return, "no userfaultfd: %s", strerror(errno));
	WS_OPEN_DEV(dev);
	snprintf(name, sizeof(name), "Global\\ws-uffd-%d", (int)getpid());
	snprintf(other, sizeof(other), "Global\\ws-uffd-other-%d", (int)getpid());
	fd = named(dev, WINSYNC_TYPE_EVENT, 0, name, NULL);
	ASSERT_LE(0, fd);
	l.dev = dev;
	l.page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, l.page);
	reg.range.start = (uintptr_t)l.page;
	reg.range.len = 4096;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));
	ASSERT_EQ(0, pthread_create(&t, NULL, uffd_list_fn, &l));
	ws_sleep_ms(500);	/* the lister sleeps in the fault now */

	t0 = ws_now(CLOCK_MONOTONIC);
	if (fork() == 0) {	/* resolve the fault in 4 s, whatever happens */
		ws_sleep_ms(4000);
		zp.range.start = (uintptr_t)l.page;
		zp.range.len = 4096;
		zp.mode = 0;
		ioctl(uffd, UFFDIO_ZEROPAGE, &zp);
		_exit(0);
	}
	fd2 = named(dev, WINSYNC_TYPE_EVENT, 0, other, NULL);
	took = (ws_now(CLOCK_MONOTONIC) - t0) / WS_NS_PER_MS;
	EXPECT_LE(0, fd2);
	EXPECT_GT(2000, took) TH_LOG("a named CREATE waited %llu ms for a LIST stalled in a user fault",
				     (unsigned long long)took);
	pthread_join(t, NULL);
	EXPECT_EQ(0, l.ret);
	while (waitpid(-1, NULL, 0) > 0)
		;
	close(fd2);
	close(fd);
	close(uffd);
	close(dev);
}

#define main ws_harness_main
TEST_HARNESS_MAIN
#undef main
WS_MAIN

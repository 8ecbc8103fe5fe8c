// SPDX-License-Identifier: GPL-2.0
/*
 * winsync selftest: mutexes: ownership, recursion, release by a non-owner,
 * and abandonment when the owning thread dies (thread return, pthread_exit,
 * process exit, SIGKILL, exec).
 */
#include <sched.h>

#include "winsync_test.h"

/* Poll until QUERY shows the mutex abandoned; false after WS_LONG_MS. */
static bool await_abandoned(int fd)
{
	__u64 end = ws_deadline_ms(WS_LONG_MS);

	do {
		long long flags = WS_QUERY_FIELD(fd, flags);

		if (flags >= 0 && (flags & WINSYNC_INFO_ABANDONED))
			return true;
		ws_sleep_ms(1);
	} while (ws_now(CLOCK_MONOTONIC) < end);
	return false;
}

/* The state QUERY must show for a mutex abandoned and not yet re-taken. */
#define EXPECT_ABANDONED_STATE(fd) do {					\
	struct winsync_obj_info __i;					\
	ASSERT_EQ(0, ws_query((fd), &__i));				\
	EXPECT_EQ(WINSYNC_INFO_ABANDONED, __i.flags & (WINSYNC_INFO_ABANDONED | \
					  WINSYNC_INFO_OWNED_BY_CALLER)); \
	EXPECT_EQ(0, __i.owner_tid);					\
	EXPECT_EQ(1, __i.signaled);					\
} while (0)

/* The state after the caller acquired it with recursion @n. */
#define EXPECT_OWNED_BY_ME(fd, n) do {					\
	struct winsync_obj_info __i;					\
	ASSERT_EQ(0, ws_query((fd), &__i));				\
	EXPECT_EQ(WINSYNC_INFO_OWNED_BY_CALLER, __i.flags &		\
		  (WINSYNC_INFO_ABANDONED | WINSYNC_INFO_OWNED_BY_CALLER)); \
	EXPECT_EQ(ws_gettid(), (pid_t)__i.owner_tid);			\
	EXPECT_EQ((n), __i.count);					\
	EXPECT_EQ(0, __i.signaled);					\
} while (0)

/*
 * Take an abandoned mutex: the first acquisition reports ABANDONED and
 * clears the flag, the next one is ordinary.
 */
#define EXPECT_TAKE_ABANDONED(dev, fd) do {				\
	__u32 __st, __prev;						\
	EXPECT_EQ(0, ws_wait1((dev), (fd), 0, &__st));			\
	EXPECT_EQ(WINSYNC_WAIT_STATUS_ABANDONED, __st);			\
	EXPECT_OWNED_BY_ME((fd), 1);					\
	EXPECT_EQ(0, ws_mutex_release((fd), &__prev));			\
	EXPECT_EQ(1, __prev);						\
	EXPECT_EQ(0, WS_QUERY_FIELD((fd), flags) & WINSYNC_INFO_ABANDONED); \
	EXPECT_EQ(0, ws_wait1((dev), (fd), 0, &__st));			\
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, __st);			\
	EXPECT_EQ(0, ws_mutex_release((fd), &__prev));			\
	EXPECT_EQ(1, __prev);						\
} while (0)

TEST(create_owned)
{
	struct winsync_obj_info info;
	int dev, m;
	__u32 prev;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, true);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, ws_query(m, &info));
	EXPECT_EQ(ws_gettid(), (pid_t)info.owner_tid);
	EXPECT_EQ(1, info.count);
	EXPECT_EQ(0, info.signaled);
	EXPECT_EQ(WINSYNC_INFO_OWNED_BY_CALLER, info.flags);
	EXPECT_EQ(0, ws_mutex_release(m, &prev));
	EXPECT_EQ(1, prev);
	ASSERT_EQ(0, ws_query(m, &info));
	EXPECT_EQ(0, info.owner_tid);
	EXPECT_EQ(0, info.count);
	EXPECT_EQ(1, info.signaled);
	EXPECT_EQ(0, info.flags);
	close(m);
	close(dev);
}

TEST(recursion)
{
	int dev, m;
	__u32 prev, st;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, true);
	ASSERT_LE(0, m);
	/* The owner's waits succeed at once and nest. */
	EXPECT_EQ(0, ws_wait1(dev, m, 0, &st));
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, st);
	EXPECT_EQ(0, ws_wait1(dev, m, 0, &st));
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, st);
	EXPECT_OWNED_BY_ME(m, 3);

	EXPECT_EQ(0, ws_mutex_release(m, &prev));
	EXPECT_EQ(3, prev);
	EXPECT_OWNED_BY_ME(m, 2);
	EXPECT_EQ(0, ws_mutex_release(m, &prev));
	EXPECT_EQ(2, prev);
	EXPECT_EQ(0, ws_mutex_release(m, &prev));
	EXPECT_EQ(1, prev);
	EXPECT_EQ(EPERM, ws_mutex_release(m, &prev));
	EXPECT_EQ(0, WS_QUERY_FIELD(m, owner_tid));
	EXPECT_EQ(0, WS_QUERY_FIELD(m, count));
	EXPECT_EQ(1, WS_QUERY_FIELD(m, signaled));
	close(m);
	close(dev);
}

/* The owner's recursive wait succeeds at once even with others queued. */
TEST(recursion_with_waiters_queued)
{
	struct ws_waiter w[2];
	int dev, m, ev, objs[2], i;
	__u32 st;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, true);
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, m);
	ASSERT_LE(0, ev);
	for (i = 0; i < 2; i++) {
		ws_waiter_init(&w[i], dev, &m, 1, 0, WINSYNC_TIMEOUT_INFINITE);
		ASSERT_EQ(0, ws_waiter_start(&w[i]));
		ASSERT_TRUE(ws_await_waiters(m, i + 1));
	}
	EXPECT_EQ(0, ws_wait1(dev, m, 0, &st));
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, st);
	EXPECT_EQ(0, ws_wait1(dev, m, ws_deadline_ms(WS_LONG_MS), &st));
	/* In a wait-any behind an unsignaled event, too. */
	objs[0] = ev;
	objs[1] = m;
	EXPECT_EQ(0, ws_wait(dev, objs, 2, 0, 0, NULL));
	EXPECT_OWNED_BY_ME(m, 4);
	EXPECT_EQ(2, WS_QUERY_FIELD(m, waiters));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, ws_mutex_release(m, NULL));
	/* The mutex goes to one waiter, then the other when it exits. */
	for (i = 0; i < 2; i++)
		ASSERT_TRUE(ws_waiter_finish(&w[i], WS_LONG_MS));
	close(m);
	close(ev);
	close(dev);
}

TEST(wait_acquires)
{
	int dev, m;
	__u32 st;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, false);
	ASSERT_LE(0, m);
	EXPECT_EQ(0, ws_wait1(dev, m, 0, &st));
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, st);
	EXPECT_OWNED_BY_ME(m, 1);
	EXPECT_EQ(0, ws_mutex_release(m, NULL));
	close(m);
	close(dev);
}

TEST(release_unowned)
{
	int dev, m;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, false);
	ASSERT_LE(0, m);
	EXPECT_EQ(EPERM, ws_mutex_release(m, NULL));
	EXPECT_EQ(0, WS_QUERY_FIELD(m, count));
	EXPECT_EQ(1, WS_QUERY_FIELD(m, signaled));
	close(m);
	close(dev);
}

struct other_thread {
	int dev, m;
	int release_err, wait_err;
	struct winsync_obj_info info;
	int query_err;
};

static void *other_thread_fn(void *arg)
{
	struct other_thread *o = arg;

	o->release_err = ws_mutex_release(o->m, NULL);
	o->wait_err = ws_wait1(o->dev, o->m, 0, NULL);
	o->query_err = ws_query(o->m, &o->info);
	return NULL;
}

TEST(release_by_other_thread)
{
	struct other_thread o = { 0 };
	pthread_t t;
	int dev, m;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, true);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, ws_wait1(dev, m, 0, NULL));
	o.dev = dev;
	o.m = m;
	ASSERT_EQ(0, pthread_create(&t, NULL, other_thread_fn, &o));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(EPERM, o.release_err);
	EXPECT_EQ(ETIMEDOUT, o.wait_err);
	EXPECT_EQ(0, o.query_err);
	EXPECT_EQ(0, o.info.flags & WINSYNC_INFO_OWNED_BY_CALLER);
	EXPECT_EQ(ws_gettid(), (pid_t)o.info.owner_tid);
	EXPECT_EQ(2, o.info.count);
	/* Nothing changed, and the other thread's exit abandoned nothing. */
	EXPECT_OWNED_BY_ME(m, 2);
	close(m);
	close(dev);
}

TEST(release_by_other_process)
{
	int dev, m, status;
	pid_t pid;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, true);
	ASSERT_LE(0, m);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct winsync_obj_info info;

		if (ws_mutex_release(m, NULL) != EPERM)
			_exit(1);
		if (ws_wait1(dev, m, 0, NULL) != ETIMEDOUT)
			_exit(2);
		if (ws_query(m, &info) || (info.flags & WINSYNC_INFO_OWNED_BY_CALLER) ||
		    info.count != 1 || info.signaled)
			_exit(3);
		_exit(0);
	}
	status = ws_reap(pid, WS_LONG_MS);
	EXPECT_EQ(0, status);
	EXPECT_OWNED_BY_ME(m, 1);
	EXPECT_EQ(0, WS_QUERY_FIELD(m, flags) & WINSYNC_INFO_ABANDONED);
	close(m);
	close(dev);
}

TEST(release_needs_no_access)
{
	int dev, m, weak;
	__u32 prev;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, true);
	ASSERT_LE(0, m);
	weak = ws_reopen(m, WINSYNC_ACCESS_READ_CONTROL, 0);
	ASSERT_LE(0, weak);
	EXPECT_EQ(0, ws_mutex_release(weak, &prev));
	EXPECT_EQ(1, prev);
	EXPECT_EQ(1, WS_QUERY_FIELD(m, signaled));
	close(weak);

	/* A handle with SYNCHRONIZE only can take and release it. */
	weak = ws_reopen(m, WINSYNC_ACCESS_SYNCHRONIZE, 0);
	ASSERT_LE(0, weak);
	EXPECT_EQ(0, ws_wait1(dev, weak, 0, NULL));
	EXPECT_OWNED_BY_ME(m, 1);
	EXPECT_EQ(0, ws_mutex_release(weak, &prev));
	EXPECT_EQ(1, prev);
	close(weak);
	close(m);
	close(dev);
}

TEST(handoff_to_waiter)
{
	struct winsync_obj_info info;
	struct ws_waiter w;
	int dev, m;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, true);
	ASSERT_LE(0, m);
	ws_waiter_init(&w, dev, &m, 1, 0, WINSYNC_TIMEOUT_INFINITE);
	w.hold = true;
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(m, 1));
	ws_sleep_ms(WS_BLOCK_MS);
	EXPECT_FALSE(ws_waiter_done(&w));

	EXPECT_EQ(0, ws_mutex_release(m, NULL));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, w.args.status);
	ASSERT_EQ(0, ws_query(m, &info));
	EXPECT_EQ(w.tid, (pid_t)info.owner_tid);
	EXPECT_EQ(1, info.count);
	EXPECT_EQ(0, info.signaled);
	EXPECT_EQ(0, info.flags & (WINSYNC_INFO_OWNED_BY_CALLER |
				   WINSYNC_INFO_ABANDONED));
	/* The waiter exits while owning it: it is abandoned then. */
	ws_waiter_let_go(&w);
	ASSERT_TRUE(await_abandoned(m));
	EXPECT_ABANDONED_STATE(m);
	close(m);
	close(dev);
}

/* ---- owner death: threads ---- */

enum death { DEATH_RETURN, DEATH_PTHREAD_EXIT };

struct owner_thread {
	int dev, m;
	enum death how;
	int recursion;		/* acquisitions */
	int wait_for_waiter;	/* exit only once someone waits on m */
	int err;
	pid_t tid;
	atomic_int owned;
};

static void owner_die(struct owner_thread *o)
{
	if (o->how == DEATH_PTHREAD_EXIT)
		pthread_exit(NULL);
}

static void *owner_thread_fn(void *arg)
{
	struct owner_thread *o = arg;
	int i;

	o->tid = ws_gettid();
	for (i = 0; i < o->recursion; i++) {
		o->err = ws_wait1(o->dev, o->m, ws_deadline_ms(WS_LONG_MS), NULL);
		if (o->err)
			return NULL;
	}
	atomic_store(&o->owned, 1);
	if (o->wait_for_waiter && !ws_await_waiters(o->m, 1))
		o->err = -1;
	owner_die(o);
	return NULL;
}

static int run_owner_thread(struct owner_thread *o, int dev, int m,
			    enum death how, int recursion, int wait_for_waiter,
			    pthread_t *t)
{
	memset(o, 0, sizeof(*o));
	o->dev = dev;
	o->m = m;
	o->how = how;
	o->recursion = recursion;
	o->wait_for_waiter = wait_for_waiter;
	atomic_init(&o->owned, 0);
	return pthread_create(t, NULL, owner_thread_fn, o);
}

static void thread_death(struct __test_metadata *_metadata, enum death how)
{
	struct owner_thread o;
	pthread_t t;
	int dev, m;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, false);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, run_owner_thread(&o, dev, m, how, 3, 0, &t));
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_EQ(0, o.err);
	ASSERT_TRUE(await_abandoned(m));
	EXPECT_ABANDONED_STATE(m);
	EXPECT_TAKE_ABANDONED(dev, m);
	close(m);
	close(dev);
}

TEST(abandoned_by_thread_return)
{
	thread_death(_metadata, DEATH_RETURN);
}

TEST(abandoned_by_pthread_exit)
{
	thread_death(_metadata, DEATH_PTHREAD_EXIT);
}

/*
 * Once pthread_join() has returned, the owner is gone: the mutex must show
 * as abandoned at once, and a zero-timeout wait must get it.  (The
 * kernel's exit hook has to run before the thread's exit wakes the joiner.)
 */
TEST(abandoned_visible_after_join)
{
	struct owner_thread o;
	int dev, m, i, late = 0;
	pthread_t t;
	__u32 st;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, false);
	ASSERT_LE(0, m);
	for (i = 0; i < 50; i++) {
		ASSERT_EQ(0, run_owner_thread(&o, dev, m, DEATH_RETURN, 1, 0, &t));
		ASSERT_EQ(0, pthread_join(t, NULL));
		ASSERT_EQ(0, o.err);
		if (!(WS_QUERY_FIELD(m, flags) & WINSYNC_INFO_ABANDONED))
			late++;
		ASSERT_TRUE(await_abandoned(m));
		ASSERT_EQ(0, ws_wait1(dev, m, 0, &st));
		ASSERT_EQ(WINSYNC_WAIT_STATUS_ABANDONED, st);
		ASSERT_EQ(0, ws_mutex_release(m, NULL));
	}
	EXPECT_EQ(0, late) TH_LOG("%d of 50 joins returned before the mutex was abandoned", late);
	close(m);
	close(dev);
}

/* A waiter asleep when the owner dies wakes with ABANDONED and owns it. */
TEST(abandoned_wakes_waiter)
{
	struct owner_thread o;
	struct ws_waiter w;
	pthread_t t;
	int dev, m;
	__u32 prev, st;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, false);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, run_owner_thread(&o, dev, m, DEATH_RETURN, 2, 1, &t));
	ASSERT_TRUE(ws_await_atomic(&o.owned, 1, WS_LONG_MS));
	ASSERT_EQ(0, o.err);

	/* This thread waits itself: it must get ownership with count 1. */
	EXPECT_EQ(0, ws_wait1(dev, m, ws_deadline_ms(WS_LONG_MS), &st));
	EXPECT_EQ(WINSYNC_WAIT_STATUS_ABANDONED, st);
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, o.err);
	EXPECT_OWNED_BY_ME(m, 1);
	EXPECT_EQ(0, ws_mutex_release(m, &prev));
	EXPECT_EQ(1, prev);
	EXPECT_EQ(0, ws_wait1(dev, m, 0, &st));
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, st);
	EXPECT_EQ(0, ws_mutex_release(m, NULL));

	/* Again, with the waiter in another thread. */
	ASSERT_EQ(0, run_owner_thread(&o, dev, m, DEATH_PTHREAD_EXIT, 1, 1, &t));
	ASSERT_TRUE(ws_await_atomic(&o.owned, 1, WS_LONG_MS));
	ws_waiter_init(&w, dev, &m, 1, 0, WINSYNC_TIMEOUT_INFINITE);
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, o.err);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_ABANDONED, w.args.status);
	EXPECT_EQ(0, w.args.index);
	/* The waiter thread has exited in turn. */
	ASSERT_TRUE(await_abandoned(m));
	close(m);
	close(dev);
}

/* A wait-all blocked on the dying owner's mutex completes ABANDONED. */
TEST(abandoned_wakes_wait_all)
{
	struct owner_thread o;
	struct ws_waiter w;
	int dev, objs[2];
	pthread_t t;

	WS_OPEN_DEV(dev);
	objs[0] = ws_event(dev, true, true);
	objs[1] = ws_mutex(dev, false);
	ASSERT_LE(0, objs[0]);
	ASSERT_LE(0, objs[1]);
	ASSERT_EQ(0, run_owner_thread(&o, dev, objs[1], DEATH_RETURN, 1, 1, &t));
	ASSERT_TRUE(ws_await_atomic(&o.owned, 1, WS_LONG_MS));
	ws_waiter_init(&w, dev, objs, 2, WINSYNC_WAIT_ALL, WINSYNC_TIMEOUT_INFINITE);
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, o.err);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_ABANDONED, w.args.status);
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[0], signaled));
	close(objs[0]);
	close(objs[1]);
	close(dev);
}

/* A thread that exits without owning anything abandons nothing. */
TEST(non_owner_exit_abandons_nothing)
{
	struct owner_thread o;
	pthread_t t;
	int dev, m;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, false);
	ASSERT_LE(0, m);
	/* The thread takes and releases nothing of this mutex... */
	ASSERT_EQ(0, run_owner_thread(&o, dev, m, DEATH_RETURN, 0, 0, &t));
	ASSERT_EQ(0, pthread_join(t, NULL));
	/* ...and one that took it and released it again. */
	ASSERT_EQ(0, ws_wait1(dev, m, 0, NULL));
	ASSERT_EQ(0, ws_mutex_release(m, NULL));
	ws_sleep_ms(WS_BLOCK_MS);
	EXPECT_EQ(0, WS_QUERY_FIELD(m, flags));
	EXPECT_EQ(1, WS_QUERY_FIELD(m, signaled));
	close(m);
	close(dev);
}

/* ---- owner death: processes ---- */

/* Fork a child that takes @m (@recursion times), reports on @pipefd... */
static pid_t fork_owner(int dev, int m, int recursion, int report_fd)
{
	pid_t pid = fork();
	int i;

	if (pid)
		return pid;
	for (i = 0; i < recursion; i++)
		if (ws_wait1(dev, m, ws_deadline_ms(WS_LONG_MS), NULL))
			_exit(10);
	if (report_fd >= 0 && !ws_write_byte(report_fd))
		_exit(11);
	return 0;
}

TEST(abandoned_by_process_exit)
{
	int dev, m, status;
	pid_t pid;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, false);
	ASSERT_LE(0, m);
	pid = fork_owner(dev, m, 2, -1);
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	status = ws_reap(pid, WS_LONG_MS);
	ASSERT_EQ(0, status);
	/* Reaped means dead: the abandonment is visible at once. */
	EXPECT_ABANDONED_STATE(m);
	EXPECT_TAKE_ABANDONED(dev, m);
	close(m);
	close(dev);
}

TEST(abandoned_by_sigkill)
{
	struct ws_waiter w;
	int dev, m, p[2];
	pid_t pid;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, false);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, pipe2(p, O_NONBLOCK));
	pid = fork_owner(dev, m, 1, p[1]);
	ASSERT_LE(0, pid);
	if (pid == 0)
		for (;;)
			pause();
	ASSERT_TRUE(ws_read_byte(p[0], WS_LONG_MS));
	EXPECT_EQ(pid, WS_QUERY_FIELD(m, owner_tid));

	ws_waiter_init(&w, dev, &m, 1, 0, WINSYNC_TIMEOUT_INFINITE);
	w.hold = true;
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(m, 1));
	ws_sleep_ms(WS_BLOCK_MS);
	EXPECT_FALSE(ws_waiter_done(&w));

	EXPECT_EQ(0, kill(pid, SIGKILL));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_ABANDONED, w.args.status);
	EXPECT_EQ(w.tid, WS_QUERY_FIELD(m, owner_tid));
	EXPECT_EQ(1, WS_QUERY_FIELD(m, count));
	EXPECT_EQ(0, WS_QUERY_FIELD(m, flags) & WINSYNC_INFO_ABANDONED);
	ws_waiter_let_go(&w);
	EXPECT_EQ(-1, ws_reap(pid, WS_LONG_MS));
	close(p[0]);
	close(p[1]);
	close(m);
	close(dev);
}

static void *sleeper_owner_fn(void *arg)
{
	int *a = arg;

	/* a[0] = dev, a[1] = mutex, a[2] = report fd */
	if (ws_wait1(a[0], a[1], ws_deadline_ms(WS_LONG_MS), NULL))
		_exit(12);
	ws_write_byte(a[2]);
	for (;;)
		pause();
	return NULL;
}

/* Exit of a process abandons the mutexes of all its threads. */
TEST(abandoned_by_exit_group)
{
	int dev, m[3], p[2], i, status;
	pid_t pid;

	WS_OPEN_DEV(dev);
	for (i = 0; i < 3; i++) {
		m[i] = ws_mutex(dev, false);
		ASSERT_LE(0, m[i]);
	}
	ASSERT_EQ(0, pipe2(p, O_NONBLOCK));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static int args[2][3];
		pthread_t t;

		for (i = 0; i < 2; i++) {
			args[i][0] = dev;
			args[i][1] = m[i];
			args[i][2] = p[1];
			if (pthread_create(&t, NULL, sleeper_owner_fn, args[i]))
				_exit(13);
		}
		if (ws_wait1(dev, m[2], ws_deadline_ms(WS_LONG_MS), NULL))
			_exit(14);
		ws_write_byte(p[1]);
		/* Wait for the signal to die. */
		for (;;)
			pause();
	}
	for (i = 0; i < 3; i++)
		ASSERT_TRUE(ws_read_byte(p[0], WS_LONG_MS));
	for (i = 0; i < 3; i++) {
		EXPECT_LT(0, WS_QUERY_FIELD(m[i], owner_tid));
		EXPECT_EQ(0, WS_QUERY_FIELD(m[i], signaled));
	}
	/* SIGTERM without handler: the whole thread group exits. */
	EXPECT_EQ(0, kill(pid, SIGTERM));
	status = ws_reap(pid, WS_LONG_MS);
	EXPECT_EQ(-1, status);
	for (i = 0; i < 3; i++) {
		EXPECT_ABANDONED_STATE(m[i]);
		EXPECT_TAKE_ABANDONED(dev, m[i]);
	}
	close(p[0]);
	close(p[1]);
	for (i = 0; i < 3; i++)
		close(m[i]);
	close(dev);
}

/* exit() from a non-main thread while the main thread owns the mutex. */
static void *exit_thread_fn(void *arg)
{
	(void)arg;
	_exit(0);
	return NULL;
}

TEST(abandoned_by_exit_from_other_thread)
{
	int dev, m, status;
	pid_t pid;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, false);
	ASSERT_LE(0, m);
	pid = fork_owner(dev, m, 1, -1);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pthread_t t;

		if (pthread_create(&t, NULL, exit_thread_fn, NULL))
			_exit(15);
		for (;;)
			pause();
	}
	status = ws_reap(pid, WS_LONG_MS);
	ASSERT_EQ(0, status);
	EXPECT_ABANDONED_STATE(m);
	EXPECT_TAKE_ABANDONED(dev, m);
	close(m);
	close(dev);
}

/*
 * exec by the owning thread abandons the mutex while the process lives on.
 * The child takes the mutex, waits for the go, then execs this program as
 * "--ws-exec-helper FD", which writes a byte to FD and sleeps.
 */
TEST(abandoned_by_exec)
{
	int dev, m, owned[2], go[2], alive[2];
	struct ws_waiter w;
	char fdarg[16];
	pid_t pid;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, false);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, pipe2(owned, O_NONBLOCK | O_CLOEXEC));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(alive, O_NONBLOCK));
	snprintf(fdarg, sizeof(fdarg), "%d", alive[1]);

	pid = fork_owner(dev, m, 2, owned[1]);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char c;

		if (read(go[0], &c, 1) != 1)
			_exit(16);
		execl("/proc/self/exe", ws_argv0, "--ws-exec-helper", fdarg,
		      (char *)NULL);
		execl(ws_argv0, ws_argv0, "--ws-exec-helper", fdarg,
		      (char *)NULL);
		_exit(17);
	}
	close(alive[1]);
	ASSERT_TRUE(ws_read_byte(owned[0], WS_LONG_MS));
	EXPECT_EQ(pid, WS_QUERY_FIELD(m, owner_tid));
	EXPECT_EQ(2, WS_QUERY_FIELD(m, count));

	ws_waiter_init(&w, dev, &m, 1, 0, WINSYNC_TIMEOUT_INFINITE);
	w.hold = true;
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(m, 1));
	ASSERT_TRUE(ws_write_byte(go[1]));

	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_ABANDONED, w.args.status);
	/* The exec'd image runs: the abandonment came from exec, not exit. */
	EXPECT_TRUE(ws_read_byte(alive[0], WS_LONG_MS));
	EXPECT_EQ(0, waitpid(pid, NULL, WNOHANG));
	EXPECT_EQ(w.tid, WS_QUERY_FIELD(m, owner_tid));
	EXPECT_EQ(1, WS_QUERY_FIELD(m, count));
	EXPECT_EQ(0, WS_QUERY_FIELD(m, flags) & WINSYNC_INFO_ABANDONED);
	ws_waiter_let_go(&w);

	kill(pid, SIGKILL);
	ws_reap(pid, WS_LONG_MS);
	close(owned[0]);
	close(owned[1]);
	close(go[0]);
	close(go[1]);
	close(alive[0]);
	close(m);
	close(dev);
}

/*
 * The last handle of an owned mutex goes away before its owner dies: the
 * owner's exit (or exec) must not touch the freed object.  A kernel report
 * in dmesg fails the VM run.
 */
static void *create_owned_and_close(void *arg)
{
	int dev = *(int *)arg, m = ws_mutex(dev, true);

	if (m >= 0) {
		ws_wait1(dev, m, 0, NULL);
		close(m);
	}
	return NULL;
}

TEST(owned_mutex_freed_before_owner_exit)
{
	int dev, i, ev;
	pthread_t t;

	WS_OPEN_DEV(dev);
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, pthread_create(&t, NULL, create_owned_and_close, &dev));
		ASSERT_EQ(0, pthread_join(t, NULL));
		/* Reuse the memory. */
		ev = ws_event(dev, false, false);
		ASSERT_LE(0, ev);
		close(ev);
	}
	close(dev);
}

TEST(owned_mutex_freed_by_exec)
{
	int dev, alive[2];
	char fdarg[16];
	pid_t pid;

	WS_OPEN_DEV(dev);
	ASSERT_EQ(0, pipe2(alive, O_NONBLOCK));
	snprintf(fdarg, sizeof(fdarg), "%d", alive[1]);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The only handle is close-on-exec: exec frees the object. */
		if (ws_mutex(dev, true) < 0)
			_exit(1);
		execl("/proc/self/exe", ws_argv0, "--ws-exec-helper", fdarg,
		      (char *)NULL);
		execl(ws_argv0, ws_argv0, "--ws-exec-helper", fdarg, (char *)NULL);
		_exit(2);
	}
	close(alive[1]);
	EXPECT_TRUE(ws_read_byte(alive[0], WS_LONG_MS));
	kill(pid, SIGKILL);
	ws_reap(pid, WS_LONG_MS);
	close(alive[0]);
	close(dev);
}

/* owner_tid is given in the caller's pid namespace, 0 if not visible there. */
TEST(owner_tid_pid_namespace)
{
	int dev, m, mine, p[2], go[2], status;
	pid_t pid;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, false);
	mine = ws_mutex(dev, true);
	ASSERT_LE(0, m);
	ASSERT_LE(0, mine);
	ASSERT_EQ(0, pipe2(p, O_NONBLOCK));
	ASSERT_EQ(0, pipe(go));
	if (unshare(CLONE_NEWPID))
		SKIP(return, "unshare(CLONE_NEWPID): %s", strerror(errno));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char c;

		/* pid 1 here; this process's owner is invisible in it. */
		if (getpid() != 1)
			_exit(1);
		if (WS_QUERY_FIELD(mine, owner_tid) != 0)
			_exit(2);
		if (WS_QUERY_FIELD(mine, signaled) != 0)
			_exit(3);
		if (ws_wait1(dev, m, 0, NULL))
			_exit(4);
		if (WS_QUERY_FIELD(m, owner_tid) != 1)
			_exit(5);
		ws_write_byte(p[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(6);
		_exit(0);
	}
	ASSERT_TRUE(ws_read_byte(p[0], WS_LONG_MS));
	/* Seen from here, the owner is the child's pid in this namespace. */
	EXPECT_EQ(pid, WS_QUERY_FIELD(m, owner_tid));
	ASSERT_TRUE(ws_write_byte(go[1]));
	status = ws_reap(pid, WS_LONG_MS);
	EXPECT_EQ(0, status);
	EXPECT_ABANDONED_STATE(m);
	close(p[0]);
	close(p[1]);
	close(go[0]);
	close(go[1]);
	close(m);
	close(mine);
	close(dev);
}

/* An abandoned mutex in a wait-any reports its own index. */
TEST(abandoned_index_in_wait_any)
{
	struct winsync_wait_args args;
	int dev, objs[3];
	pid_t pid;

	WS_OPEN_DEV(dev);
	objs[0] = ws_event(dev, false, false);
	objs[1] = ws_sem(dev, 0, 1);
	objs[2] = ws_mutex(dev, false);
	ASSERT_LE(0, objs[0]);
	ASSERT_LE(0, objs[1]);
	ASSERT_LE(0, objs[2]);
	pid = fork_owner(dev, objs[2], 1, -1);
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	ASSERT_EQ(0, ws_reap(pid, WS_LONG_MS));
	EXPECT_EQ(0, ws_wait(dev, objs, 3, 0, 0, &args));
	EXPECT_EQ(2, args.index);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_ABANDONED, args.status);
	EXPECT_OWNED_BY_ME(objs[2], 1);
	close(objs[0]);
	close(objs[1]);
	close(objs[2]);
	close(dev);
}

#define main ws_harness_main
TEST_HARNESS_MAIN
#undef main
WS_MAIN

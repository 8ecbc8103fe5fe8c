// SPDX-License-Identifier: GPL-2.0
/*
 * winsync selftest: WINSYNC_IOC_WAIT: argument checking, wait-any and
 * wait-all, timeouts on both clocks, signals, alerts, signal-and-wait, and
 * closing handles during a wait.
 */
#include <sched.h>

#include "winsync_test.h"

#define NOSYNC_ACCESS (WINSYNC_ACCESS_ALL & ~WINSYNC_ACCESS_SYNCHRONIZE)
#define NOMODIFY_ACCESS (WINSYNC_ACCESS_ALL & ~WINSYNC_ACCESS_MODIFY_STATE)

/* ---- argument checking ---- */

TEST(count_limits)
{
	int dev, objs[WINSYNC_MAX_WAIT_OBJECTS + 1], sem, i;
	struct winsync_wait_args args;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 0, 100);
	ASSERT_LE(0, sem);
	for (i = 0; i <= WINSYNC_MAX_WAIT_OBJECTS; i++)
		objs[i] = sem;
	EXPECT_EQ(EINVAL, ws_wait(dev, objs, 0, 0, 0, NULL));
	EXPECT_EQ(EINVAL, ws_wait(dev, objs, 0, WINSYNC_WAIT_ALL, 0, NULL));
	EXPECT_EQ(EINVAL, ws_wait(dev, objs, 65, 0, 0, NULL));
	EXPECT_EQ(EINVAL, ws_wait(dev, objs, 1000, 0, 0, NULL));
	EXPECT_EQ(EINVAL, ws_wait(dev, objs, UINT32_MAX, 0, 0, NULL));
	/* 64 copies of one semaphore in a wait-any are fine. */
	EXPECT_EQ(ETIMEDOUT, ws_wait(dev, objs, 64, 0, 0, NULL));
	EXPECT_EQ(0, ws_sem_release(sem, 1, NULL));
	EXPECT_EQ(0, ws_wait(dev, objs, 64, 0, 0, &args));
	EXPECT_EQ(0, args.index);
	EXPECT_EQ(0, WS_QUERY_FIELD(sem, count));
	close(sem);
	close(dev);
}

TEST(bad_flags_and_reserved)
{
	struct winsync_wait_args a;
	int dev, sem;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 1, 1);
	ASSERT_LE(0, sem);
	EXPECT_EQ(EINVAL, ws_wait(dev, &sem, 1, 0x10, 0, NULL));
	EXPECT_EQ(EINVAL, ws_wait(dev, &sem, 1, 0x100, 0, NULL));
	EXPECT_EQ(EINVAL, ws_wait(dev, &sem, 1, 0x80000000, 0, NULL));
	EXPECT_EQ(EINVAL, ws_wait(dev, &sem, 1, WINSYNC_WAIT_ALL | 0x20, 0, NULL));

	memset(&a, 0, sizeof(a));
	a.objs = (uintptr_t)&sem;
	a.count = 1;
	a.reserved[0] = 1;
	EXPECT_EQ(EINVAL, ws_ioctl(dev, WINSYNC_IOC_WAIT, &a));
	a.reserved[0] = 0;
	a.reserved[1] = 1ULL << 40;
	EXPECT_EQ(EINVAL, ws_ioctl(dev, WINSYNC_IOC_WAIT, &a));
	/* None of these took the count. */
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, count));
	close(sem);
	close(dev);
}

TEST(bad_fds)
{
	int dev, sem, pipefd[2], objs[2], closed, flags;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 2, 2);
	ASSERT_LE(0, sem);
	ASSERT_EQ(0, pipe(pipefd));
	closed = dup(pipefd[0]);
	ASSERT_LE(0, closed);
	close(closed);

	for (flags = 0; flags <= WINSYNC_WAIT_ALL; flags += WINSYNC_WAIT_ALL) {
		int bad[] = { pipefd[0], dev, closed, -1, 100000 };
		unsigned int i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			EXPECT_EQ(EBADF, ws_wait(dev, &bad[i], 1, flags, 0, NULL))
				TH_LOG("fd %d flags %d", bad[i], flags);
			/* A bad fd after a signaled object: nothing acquired. */
			objs[0] = sem;
			objs[1] = bad[i];
			EXPECT_EQ(EBADF, ws_wait(dev, objs, 2, flags, 0, NULL))
				TH_LOG("fd %d flags %d", bad[i], flags);
			EXPECT_EQ(2, WS_QUERY_FIELD(sem, count));
		}
	}
	close(pipefd[0]);
	close(pipefd[1]);
	close(sem);
	close(dev);
}

TEST(bad_pointers)
{
	struct winsync_wait_args a;
	int dev;

	WS_OPEN_DEV(dev);
	memset(&a, 0, sizeof(a));
	a.count = 1;
	a.objs = 0;
	EXPECT_EQ(EFAULT, ws_ioctl(dev, WINSYNC_IOC_WAIT, &a));
	a.objs = 8;
	EXPECT_EQ(EFAULT, ws_ioctl(dev, WINSYNC_IOC_WAIT, &a));
	a.objs = ~0ULL - 3;
	EXPECT_EQ(EFAULT, ws_ioctl(dev, WINSYNC_IOC_WAIT, &a));
	close(dev);
}

TEST(needs_synchronize)
{
	int dev, sem, nosync, objs[2], flags;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 2, 2);
	ASSERT_LE(0, sem);
	nosync = ws_reopen(sem, NOSYNC_ACCESS, 0);
	ASSERT_LE(0, nosync);
	EXPECT_EQ(EACCES, ws_wait(dev, &nosync, 1, 0, 0, NULL));
	for (flags = 0; flags <= WINSYNC_WAIT_ALL; flags += WINSYNC_WAIT_ALL) {
		int ev = ws_event(dev, true, true);

		ASSERT_LE(0, ev);
		objs[0] = ev;
		objs[1] = ws_reopen(sem, NOSYNC_ACCESS, 0);
		ASSERT_LE(0, objs[1]);
		EXPECT_EQ(EACCES, ws_wait(dev, objs, 2, flags, 0, NULL));
		close(objs[1]);
		close(ev);
	}
	objs[0] = sem;
	objs[1] = nosync;
	EXPECT_EQ(EACCES, ws_wait(dev, objs, 2, 0, 0, NULL));
	EXPECT_EQ(2, WS_QUERY_FIELD(sem, count));
	close(nosync);
	close(sem);
	close(dev);
}

/* ---- wait-any ---- */

TEST(any_lowest_index_only)
{
	struct winsync_wait_args args;
	int dev, objs[4], i;

	WS_OPEN_DEV(dev);
	objs[0] = ws_event(dev, false, false);
	objs[1] = ws_sem(dev, 1, 2);
	objs[2] = ws_sem(dev, 1, 2);
	objs[3] = ws_event(dev, false, true);
	for (i = 0; i < 4; i++)
		ASSERT_LE(0, objs[i]);
	EXPECT_EQ(0, ws_wait(dev, objs, 4, 0, 0, &args));
	EXPECT_EQ(1, args.index);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, args.status);
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[1], count));
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[2], count));
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[3], signaled));
	EXPECT_EQ(0, ws_wait(dev, objs, 4, 0, 0, &args));
	EXPECT_EQ(2, args.index);
	EXPECT_EQ(0, ws_wait(dev, objs, 4, 0, 0, &args));
	EXPECT_EQ(3, args.index);
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[3], signaled));
	EXPECT_EQ(ETIMEDOUT, ws_wait(dev, objs, 4, 0, 0, &args));
	for (i = 0; i < 4; i++)
		close(objs[i]);
	close(dev);
}

TEST(any_duplicates)
{
	struct winsync_wait_args args;
	int dev, sem, ev, d, objs[4];

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 1, 2);
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, sem);
	ASSERT_LE(0, ev);
	/* Listed twice, decremented once. */
	objs[0] = sem;
	objs[1] = sem;
	EXPECT_EQ(0, ws_wait(dev, objs, 2, 0, 0, &args));
	EXPECT_EQ(0, args.index);
	EXPECT_EQ(0, WS_QUERY_FIELD(sem, count));

	EXPECT_EQ(0, ws_sem_release(sem, 1, NULL));
	d = dup(sem);
	ASSERT_LE(0, d);
	objs[0] = ev;
	objs[1] = d;
	objs[2] = sem;
	objs[3] = d;
	EXPECT_EQ(0, ws_wait(dev, objs, 4, 0, 0, &args));
	EXPECT_EQ(1, args.index);
	EXPECT_EQ(0, WS_QUERY_FIELD(sem, count));
	EXPECT_EQ(ETIMEDOUT, ws_wait(dev, objs, 4, 0, 0, &args));
	close(d);
	close(sem);
	close(ev);
	close(dev);
}

/* The Windows test: 64 events, [0] manual, the rest auto, all set. */
TEST(any_64_events)
{
	struct winsync_wait_args args;
	int dev, objs[64], i;

	WS_OPEN_DEV(dev);
	for (i = 0; i < 64; i++) {
		objs[i] = ws_event(dev, i == 0, true);
		ASSERT_LE(0, objs[i]);
	}
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, ws_wait(dev, objs, 64, 0, 0, &args));
		EXPECT_EQ(0, args.index);
	}
	EXPECT_EQ(0, ws_event_reset(objs[0], NULL));
	for (i = 1; i < 64; i++) {
		EXPECT_EQ(0, ws_wait(dev, objs, 64, 0, 0, &args));
		EXPECT_EQ(i, args.index);
		EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, args.status);
	}
	EXPECT_EQ(ETIMEDOUT, ws_wait(dev, objs, 64, 0, 0, &args));
	for (i = 0; i < 64; i++)
		close(objs[i]);
	close(dev);
}

TEST(any_wakes_on_highest_index)
{
	struct ws_waiter w;
	int dev, objs[64], i;

	WS_OPEN_DEV(dev);
	for (i = 0; i < 64; i++) {
		objs[i] = ws_event(dev, false, false);
		ASSERT_LE(0, objs[i]);
	}
	ws_waiter_init(&w, dev, objs, 64, 0, WINSYNC_TIMEOUT_INFINITE);
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(objs[63], 1));
	EXPECT_EQ(0, ws_event_set(objs[63], NULL));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(63, w.args.index);
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[63], signaled));
	/* The waiter left every queue. */
	for (i = 0; i < 64; i++)
		EXPECT_EQ(0, WS_QUERY_FIELD(objs[i], waiters));
	for (i = 0; i < 64; i++)
		close(objs[i]);
	close(dev);
}

/* ---- wait-all ---- */

TEST(all_acquires_atomically)
{
	struct winsync_wait_args args;
	int dev, objs[3];

	WS_OPEN_DEV(dev);
	objs[0] = ws_sem(dev, 2, 2);
	objs[1] = ws_event(dev, false, true);
	objs[2] = ws_mutex(dev, false);
	ASSERT_LE(0, objs[0]);
	ASSERT_LE(0, objs[1]);
	ASSERT_LE(0, objs[2]);
	EXPECT_EQ(0, ws_wait(dev, objs, 3, WINSYNC_WAIT_ALL, 0, &args));
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, args.status);
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[0], count));
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[1], signaled));
	EXPECT_EQ(ws_gettid(), WS_QUERY_FIELD(objs[2], owner_tid));
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[2], count));

	/* The event is gone now: a second wait-all modifies nothing. */
	EXPECT_EQ(ETIMEDOUT, ws_wait(dev, objs, 3, WINSYNC_WAIT_ALL, 0, &args));
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[0], count));
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[2], count));
	close(objs[0]);
	close(objs[1]);
	close(objs[2]);
	close(dev);
}

/* A mutex the caller owns counts as signaled for it, also in a wait-all. */
TEST(all_with_owned_mutex)
{
	struct winsync_wait_args args;
	int dev, objs[2];

	WS_OPEN_DEV(dev);
	objs[0] = ws_mutex(dev, true);
	objs[1] = ws_sem(dev, 1, 1);
	ASSERT_LE(0, objs[0]);
	ASSERT_LE(0, objs[1]);
	EXPECT_EQ(0, ws_wait(dev, objs, 2, WINSYNC_WAIT_ALL, 0, &args));
	EXPECT_EQ(2, WS_QUERY_FIELD(objs[0], count));
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[1], count));
	/* Wait-any: the owned mutex at index 0 wins again. */
	EXPECT_EQ(0, ws_wait(dev, objs, 2, 0, 0, &args));
	EXPECT_EQ(0, args.index);
	EXPECT_EQ(3, WS_QUERY_FIELD(objs[0], count));
	close(objs[0]);
	close(objs[1]);
	close(dev);
}

/* A mutex owned by another thread blocks a wait-all. */
TEST(all_with_foreign_mutex)
{
	struct ws_waiter w;
	int dev, objs[2];

	WS_OPEN_DEV(dev);
	objs[0] = ws_sem(dev, 1, 1);
	objs[1] = ws_mutex(dev, true);
	ASSERT_LE(0, objs[0]);
	ASSERT_LE(0, objs[1]);
	ws_waiter_init(&w, dev, objs, 2, WINSYNC_WAIT_ALL, WINSYNC_TIMEOUT_INFINITE);
	w.hold = true;
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(objs[1], 1));
	ws_sleep_ms(WS_BLOCK_MS);
	EXPECT_FALSE(ws_waiter_done(&w));
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[0], count));
	EXPECT_EQ(0, ws_mutex_release(objs[1], NULL));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[0], count));
	EXPECT_EQ(w.tid, WS_QUERY_FIELD(objs[1], owner_tid));
	ws_waiter_let_go(&w);
	close(objs[0]);
	close(objs[1]);
	close(dev);
}

/* Until everything is signaled, a wait-all takes nothing. */
TEST(all_takes_nothing_early)
{
	struct ws_waiter w;
	int dev, objs[2];
	__u32 prev;

	WS_OPEN_DEV(dev);
	objs[0] = ws_mutex(dev, false);
	objs[1] = ws_event(dev, false, false);
	ASSERT_LE(0, objs[0]);
	ASSERT_LE(0, objs[1]);
	EXPECT_EQ(ETIMEDOUT, ws_wait(dev, objs, 2, WINSYNC_WAIT_ALL, 0, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[0], signaled));
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[0], owner_tid));

	ws_waiter_init(&w, dev, objs, 2, WINSYNC_WAIT_ALL, WINSYNC_TIMEOUT_INFINITE);
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(objs[1], 1));
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[0], waiters));
	/* The mutex is still free: this thread takes it meanwhile. */
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[0], owner_tid));
	EXPECT_EQ(0, ws_wait1(dev, objs[0], 0, NULL));
	EXPECT_EQ(0, ws_event_set(objs[1], NULL));
	ws_sleep_ms(WS_BLOCK_MS);
	EXPECT_FALSE(ws_waiter_done(&w));
	/* The event stays set for the waiter, which still lacks the mutex. */
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[1], signaled));

	EXPECT_EQ(0, ws_mutex_release(objs[0], &prev));
	EXPECT_EQ(1, prev);
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, w.args.status);
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[1], signaled));
	close(objs[0]);
	close(objs[1]);
	close(dev);
}

/* The wait-all completes only when all objects are signaled at once. */
TEST(all_needs_simultaneous)
{
	struct ws_waiter w;
	int dev, objs[2];

	WS_OPEN_DEV(dev);
	objs[0] = ws_event(dev, true, false);
	objs[1] = ws_sem(dev, 0, 1);
	ASSERT_LE(0, objs[0]);
	ASSERT_LE(0, objs[1]);
	ws_waiter_init(&w, dev, objs, 2, WINSYNC_WAIT_ALL, WINSYNC_TIMEOUT_INFINITE);
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(objs[0], 1));
	EXPECT_EQ(0, ws_event_set(objs[0], NULL));
	EXPECT_EQ(0, ws_event_reset(objs[0], NULL));
	EXPECT_EQ(0, ws_sem_release(objs[1], 1, NULL));
	ws_sleep_ms(WS_BLOCK_MS);
	EXPECT_FALSE(ws_waiter_done(&w));
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[1], count));
	EXPECT_EQ(0, ws_event_set(objs[0], NULL));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[1], count));
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[0], signaled));
	close(objs[0]);
	close(objs[1]);
	close(dev);
}

TEST(all_duplicates_invalid)
{
	int dev, sem, ev, d, r, objs[3];

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 2, 2);
	ev = ws_event(dev, true, true);
	ASSERT_LE(0, sem);
	ASSERT_LE(0, ev);
	d = dup(sem);
	ASSERT_LE(0, d);
	r = ws_reopen(sem, WINSYNC_ACCESS_SYNCHRONIZE, 0);
	ASSERT_LE(0, r);

	objs[0] = ev;
	objs[1] = sem;
	objs[2] = sem;
	EXPECT_EQ(EINVAL, ws_wait(dev, objs, 3, WINSYNC_WAIT_ALL, 0, NULL));
	objs[2] = d;
	EXPECT_EQ(EINVAL, ws_wait(dev, objs, 3, WINSYNC_WAIT_ALL, 0, NULL));
	objs[2] = r;
	EXPECT_EQ(EINVAL, ws_wait(dev, objs, 3, WINSYNC_WAIT_ALL, 0, NULL));
	EXPECT_EQ(2, WS_QUERY_FIELD(sem, count));
	/* The same lists are fine for wait-any. */
	EXPECT_EQ(0, ws_wait(dev, objs, 3, 0, 0, NULL));
	EXPECT_EQ(2, WS_QUERY_FIELD(sem, count));
	close(r);
	close(d);
	close(sem);
	close(ev);
	close(dev);
}

TEST(all_64_objects)
{
	int dev, objs[64], i;

	WS_OPEN_DEV(dev);
	for (i = 0; i < 64; i++) {
		objs[i] = i % 2 ? ws_sem(dev, 1, 1) : ws_event(dev, false, true);
		ASSERT_LE(0, objs[i]);
	}
	EXPECT_EQ(0, ws_event_reset(objs[62], NULL));
	EXPECT_EQ(ETIMEDOUT, ws_wait(dev, objs, 64, WINSYNC_WAIT_ALL, 0, NULL));
	for (i = 0; i < 64; i++)
		EXPECT_EQ(i != 62, WS_QUERY_FIELD(objs[i], signaled));
	EXPECT_EQ(0, ws_event_set(objs[62], NULL));
	EXPECT_EQ(0, ws_wait(dev, objs, 64, WINSYNC_WAIT_ALL, 0, NULL));
	for (i = 0; i < 64; i++)
		EXPECT_EQ(0, WS_QUERY_FIELD(objs[i], signaled));
	for (i = 0; i < 64; i++)
		close(objs[i]);
	close(dev);
}

/* ---- timeouts ---- */

TEST(timeout_poll)
{
	int dev, ev;
	__u64 past;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, true, false);
	ASSERT_LE(0, ev);
	past = ws_now(CLOCK_MONOTONIC) - WS_NS_PER_SEC;
	EXPECT_EQ(ETIMEDOUT, ws_wait(dev, &ev, 1, 0, 0, NULL));
	EXPECT_EQ(ETIMEDOUT, ws_wait(dev, &ev, 1, 0, 1, NULL));
	EXPECT_EQ(ETIMEDOUT, ws_wait(dev, &ev, 1, 0, past, NULL));
	EXPECT_EQ(ETIMEDOUT, ws_wait(dev, &ev, 1, WINSYNC_WAIT_REALTIME, 0, NULL));
	EXPECT_EQ(ETIMEDOUT, ws_wait(dev, &ev, 1, WINSYNC_WAIT_ALL, past, NULL));
	/* A realtime-clock time that is past on CLOCK_REALTIME. */
	EXPECT_EQ(ETIMEDOUT, ws_wait(dev, &ev, 1, WINSYNC_WAIT_REALTIME,
				     ws_now(CLOCK_REALTIME) - WS_NS_PER_SEC, NULL));
	EXPECT_EQ(0, ws_event_set(ev, NULL));
	EXPECT_EQ(0, ws_wait(dev, &ev, 1, 0, 0, NULL));
	EXPECT_EQ(0, ws_wait(dev, &ev, 1, 0, past, NULL));
	EXPECT_EQ(0, ws_wait(dev, &ev, 1, WINSYNC_WAIT_REALTIME, 0, NULL));
	EXPECT_EQ(0, ws_wait(dev, &ev, 1, WINSYNC_WAIT_ALL, 0, NULL));
	close(ev);
	close(dev);
}

static void timed_wait(struct __test_metadata *_metadata, int dev, int fd,
		       __u32 flags, clockid_t clock)
{
	__u64 start = ws_now(CLOCK_MONOTONIC);
	__u64 deadline = ws_now(clock) + 200 * WS_NS_PER_MS;

	EXPECT_EQ(ETIMEDOUT, ws_wait(dev, &fd, 1, flags, deadline, NULL));
	EXPECT_LE(deadline, ws_now(clock));
	EXPECT_GT(start + WS_LONG_MS * WS_NS_PER_MS, ws_now(CLOCK_MONOTONIC));
}

TEST(timeout_monotonic)
{
	int dev, ev;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, ev);
	timed_wait(_metadata, dev, ev, 0, CLOCK_MONOTONIC);
	timed_wait(_metadata, dev, ev, WINSYNC_WAIT_ALL, CLOCK_MONOTONIC);
	close(ev);
	close(dev);
}

TEST(timeout_realtime)
{
	int dev, ev;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, ev);
	timed_wait(_metadata, dev, ev, WINSYNC_WAIT_REALTIME, CLOCK_REALTIME);
	timed_wait(_metadata, dev, ev, WINSYNC_WAIT_REALTIME | WINSYNC_WAIT_ALL,
		   CLOCK_REALTIME);
	close(ev);
	close(dev);
}

TEST(timeout_not_reached)
{
	struct ws_waiter w;
	int dev, ev, flags;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, ev);
	for (flags = 0; flags <= WINSYNC_WAIT_REALTIME; flags += WINSYNC_WAIT_REALTIME) {
		__u64 timeout = (flags ? ws_now(CLOCK_REALTIME) : ws_now(CLOCK_MONOTONIC)) +
				60 * WS_NS_PER_SEC;

		ws_waiter_init(&w, dev, &ev, 1, flags, timeout);
		ASSERT_EQ(0, ws_waiter_start(&w));
		ASSERT_TRUE(ws_await_waiters(ev, 1));
		ws_sleep_ms(WS_BLOCK_MS);
		EXPECT_FALSE(ws_waiter_done(&w));
		EXPECT_EQ(0, ws_event_set(ev, NULL));
		ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
		EXPECT_EQ(0, w.ret);
	}
	close(ev);
	close(dev);
}

TEST(timeout_infinite)
{
	struct ws_waiter w;
	int dev, ev, flags;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, ev);
	for (flags = 0; flags <= WINSYNC_WAIT_REALTIME; flags += WINSYNC_WAIT_REALTIME) {
		ws_waiter_init(&w, dev, &ev, 1, flags, WINSYNC_TIMEOUT_INFINITE);
		ASSERT_EQ(0, ws_waiter_start(&w));
		ASSERT_TRUE(ws_await_waiters(ev, 1));
		ws_sleep_ms(WS_BLOCK_MS);
		EXPECT_FALSE(ws_waiter_done(&w));
		EXPECT_EQ(0, ws_event_set(ev, NULL));
		ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
		EXPECT_EQ(0, w.ret);
	}
	close(ev);
	close(dev);
}

/* ---- signals ---- */

static atomic_int sig_count;

static void sig_handler(int sig)
{
	(void)sig;
	atomic_fetch_add(&sig_count, 1);
}

static void set_handler(bool restart)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_handler;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

TEST(signal_restart)
{
	struct ws_waiter w;
	int dev, ev;

	WS_OPEN_DEV(dev);
	set_handler(true);
	atomic_store(&sig_count, 0);
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, ev);
	ws_waiter_init(&w, dev, &ev, 1, 0, WINSYNC_TIMEOUT_INFINITE);
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(ev, 1));
	EXPECT_EQ(0, pthread_kill(w.thread, SIGUSR1));
	ASSERT_TRUE(ws_await_atomic(&sig_count, 1, WS_LONG_MS));
	EXPECT_EQ(0, pthread_kill(w.thread, SIGUSR1));
	ASSERT_TRUE(ws_await_atomic(&sig_count, 2, WS_LONG_MS));
	ws_sleep_ms(WS_BLOCK_MS);
	EXPECT_FALSE(ws_waiter_done(&w));
	ASSERT_TRUE(ws_await_waiters(ev, 1));
	EXPECT_EQ(0, ws_event_set(ev, NULL));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, w.args.status);
	EXPECT_EQ(0, WS_QUERY_FIELD(ev, signaled));
	close(ev);
	close(dev);
}

TEST(signal_restart_timeout_kept)
{
	struct ws_waiter w;
	int dev, ev;
	__u64 deadline;

	WS_OPEN_DEV(dev);
	set_handler(true);
	atomic_store(&sig_count, 0);
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, ev);
	deadline = ws_deadline_ms(2000);
	ws_waiter_init(&w, dev, &ev, 1, 0, deadline);
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(ev, 1));
	EXPECT_EQ(0, pthread_kill(w.thread, SIGUSR1));
	/* The restarted wait keeps the absolute deadline. */
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(ETIMEDOUT, w.ret);
	EXPECT_LE(deadline, ws_now(CLOCK_MONOTONIC));
	EXPECT_EQ(1, atomic_load(&sig_count));
	close(ev);
	close(dev);
}

TEST(signal_eintr)
{
	struct ws_waiter w;
	int dev, objs[2];

	WS_OPEN_DEV(dev);
	set_handler(false);
	atomic_store(&sig_count, 0);
	objs[0] = ws_sem(dev, 1, 1);
	objs[1] = ws_event(dev, false, false);
	ASSERT_LE(0, objs[0]);
	ASSERT_LE(0, objs[1]);

	/* Wait-all: the free semaphore must not be taken. */
	ws_waiter_init(&w, dev, objs, 2, WINSYNC_WAIT_ALL, WINSYNC_TIMEOUT_INFINITE);
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(objs[1], 1));
	EXPECT_EQ(0, pthread_kill(w.thread, SIGUSR1));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(EINTR, w.ret);
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[0], count));
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[0], waiters));
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[1], waiters));

	/* Wait-any: an event set after the interruption stays set. */
	ws_waiter_init(&w, dev, &objs[1], 1, 0, ws_deadline_ms(60000));
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(objs[1], 1));
	EXPECT_EQ(0, pthread_kill(w.thread, SIGUSR1));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(EINTR, w.ret);
	EXPECT_EQ(0, ws_event_set(objs[1], NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[1], signaled));
	EXPECT_EQ(2, atomic_load(&sig_count));
	close(objs[0]);
	close(objs[1]);
	close(dev);
}

/*
 * A signal-and-wait interrupted by a signal (with SA_RESTART) signals only
 * once, whether the wait restarts or ends with EINTR.
 */
TEST(signal_soaw_signals_once)
{
	struct ws_waiter w;
	int dev, sem, ev;

	WS_OPEN_DEV(dev);
	set_handler(true);
	atomic_store(&sig_count, 0);
	sem = ws_sem(dev, 0, 5);
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, sem);
	ASSERT_LE(0, ev);
	ws_waiter_init(&w, dev, &ev, 1, WINSYNC_WAIT_SIGNAL, WINSYNC_TIMEOUT_INFINITE);
	w.signal = sem;
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(ev, 1));
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, count));
	EXPECT_EQ(0, pthread_kill(w.thread, SIGUSR1));
	ASSERT_TRUE(ws_await_atomic(&sig_count, 1, WS_LONG_MS));
	ws_sleep_ms(WS_BLOCK_MS);
	if (!ws_waiter_done(&w))
		EXPECT_EQ(0, ws_event_set(ev, NULL));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_TRUE(w.ret == 0 || w.ret == EINTR) TH_LOG("ret %d", w.ret);
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, count));
	close(sem);
	close(ev);
	close(dev);
}

/* The monotonic timeout is read in the caller's time namespace. */
TEST(timeout_time_namespace)
{
	int dev, ev, fd, status;
	pid_t pid;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, ev);
	if (unshare(CLONE_NEWTIME))
		SKIP(return, "unshare(CLONE_NEWTIME): %s", strerror(errno));
	fd = open("/proc/self/timens_offsets", O_WRONLY);
	ASSERT_LE(0, fd);
	/* The child's CLOCK_MONOTONIC runs 1000 s ahead of this one. */
	ASSERT_LT(0, write(fd, "monotonic 1000 0", 16));
	close(fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u64 deadline = ws_deadline_ms(200);

		if (ws_wait(dev, &ev, 1, 0, deadline, NULL) != ETIMEDOUT)
			_exit(1);
		if (ws_now(CLOCK_MONOTONIC) < deadline)
			_exit(2);
		/* A time 500 s in the past here is in the host's future. */
		if (ws_wait(dev, &ev, 1, 0, deadline - 500 * WS_NS_PER_SEC, NULL) !=
		    ETIMEDOUT)
			_exit(3);
		_exit(0);
	}
	status = ws_reap(pid, WS_LONG_MS);
	EXPECT_EQ(0, status);
	close(ev);
	close(dev);
}

/* A fatal signal ends a blocked wait (the process can be killed). */
TEST(sigkill_ends_wait)
{
	int dev, ev;
	pid_t pid;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, ev);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ws_wait(dev, &ev, 1, 0, WINSYNC_TIMEOUT_INFINITE, NULL);
		_exit(1);
	}
	ASSERT_TRUE(ws_await_waiters(ev, 1));
	EXPECT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(-1, ws_reap(pid, WS_LONG_MS));
	EXPECT_EQ(0, WS_QUERY_FIELD(ev, waiters));
	/* A later set is not consumed by the dead waiter. */
	EXPECT_EQ(0, ws_event_set(ev, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(ev, signaled));
	close(ev);
	close(dev);
}

/* ---- alert ---- */

TEST(alert_basic)
{
	struct winsync_wait_args args;
	int dev, objs[2], alert, flags;

	WS_OPEN_DEV(dev);
	objs[0] = ws_event(dev, false, false);
	objs[1] = ws_sem(dev, 1, 1);
	alert = ws_event(dev, false, true);
	ASSERT_LE(0, objs[0]);
	ASSERT_LE(0, objs[1]);
	ASSERT_LE(0, alert);
	flags = WINSYNC_WAIT_ALERT;

	/* Wait-any: objects first. */
	EXPECT_EQ(0, ws_wait_ex(dev, objs, 2, flags, 0, alert, 0, &args));
	EXPECT_EQ(1, args.index);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, args.status);
	EXPECT_EQ(1, WS_QUERY_FIELD(alert, signaled));
	/* Nothing else signaled: the alert ends it and is consumed. */
	EXPECT_EQ(0, ws_wait_ex(dev, objs, 2, flags, 0, alert, 0, &args));
	EXPECT_EQ(2, args.index);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_ALERTED, args.status);
	EXPECT_EQ(0, WS_QUERY_FIELD(alert, signaled));
	EXPECT_EQ(ETIMEDOUT, ws_wait_ex(dev, objs, 2, flags, 0, alert, 0, &args));

	/* Wait-all: the semaphore is not taken by an alerted wait. */
	EXPECT_EQ(0, ws_sem_release(objs[1], 1, NULL));
	EXPECT_EQ(0, ws_event_set(alert, NULL));
	flags |= WINSYNC_WAIT_ALL;
	EXPECT_EQ(0, ws_wait_ex(dev, objs, 2, flags, 0, alert, 0, &args));
	EXPECT_EQ(2, args.index);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_ALERTED, args.status);
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[1], count));
	EXPECT_EQ(0, WS_QUERY_FIELD(alert, signaled));
	/* Wait-all satisfied and alert set: the objects win. */
	EXPECT_EQ(0, ws_event_set(alert, NULL));
	EXPECT_EQ(0, ws_event_set(objs[0], NULL));
	EXPECT_EQ(0, ws_wait_ex(dev, objs, 2, flags, 0, alert, 0, &args));
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, args.status);
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[1], count));
	EXPECT_EQ(1, WS_QUERY_FIELD(alert, signaled));
	close(objs[0]);
	close(objs[1]);
	close(alert);
	close(dev);
}

TEST(alert_manual_stays_set)
{
	struct winsync_wait_args args;
	int dev, ev, alert;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, false);
	alert = ws_event(dev, true, true);
	ASSERT_LE(0, ev);
	ASSERT_LE(0, alert);
	EXPECT_EQ(0, ws_wait_ex(dev, &ev, 1, WINSYNC_WAIT_ALERT, 0, alert, 0, &args));
	EXPECT_EQ(1, args.index);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_ALERTED, args.status);
	EXPECT_EQ(1, WS_QUERY_FIELD(alert, signaled));
	close(ev);
	close(alert);
	close(dev);
}

TEST(alert_count_zero)
{
	struct winsync_wait_args args;
	int dev, alert, dummy = -1;

	WS_OPEN_DEV(dev);
	alert = ws_event(dev, false, false);
	ASSERT_LE(0, alert);
	EXPECT_EQ(ETIMEDOUT, ws_wait_ex(dev, &dummy, 0, WINSYNC_WAIT_ALERT, 0,
					alert, 0, &args));
	EXPECT_EQ(0, ws_event_set(alert, NULL));
	EXPECT_EQ(0, ws_wait_ex(dev, &dummy, 0, WINSYNC_WAIT_ALERT, 0, alert, 0,
				&args));
	EXPECT_EQ(0, args.index);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_ALERTED, args.status);
	EXPECT_EQ(0, WS_QUERY_FIELD(alert, signaled));
	close(alert);
	close(dev);
}

TEST(alert_wakes_blocked_wait)
{
	struct ws_waiter w;
	int dev, objs[2], alert, flags;

	WS_OPEN_DEV(dev);
	objs[0] = ws_event(dev, false, false);
	objs[1] = ws_sem(dev, 1, 1);
	alert = ws_event(dev, false, false);
	ASSERT_LE(0, objs[0]);
	ASSERT_LE(0, objs[1]);
	ASSERT_LE(0, alert);
	for (flags = 0; flags <= WINSYNC_WAIT_ALL; flags += WINSYNC_WAIT_ALL) {
		/* Wait-any on the event only; wait-all on event + sem. */
		ws_waiter_init(&w, dev, objs, flags ? 2 : 1,
			       flags | WINSYNC_WAIT_ALERT, WINSYNC_TIMEOUT_INFINITE);
		w.alert = alert;
		ASSERT_EQ(0, ws_waiter_start(&w));
		ASSERT_TRUE(ws_await_waiters(objs[0], 1));
		ws_sleep_ms(WS_BLOCK_MS);
		EXPECT_FALSE(ws_waiter_done(&w));
		EXPECT_EQ(0, ws_event_set(alert, NULL));
		ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
		EXPECT_EQ(0, w.ret);
		EXPECT_EQ(WINSYNC_WAIT_STATUS_ALERTED, w.args.status);
		EXPECT_EQ(w.count, w.args.index);
		EXPECT_EQ(0, WS_QUERY_FIELD(alert, signaled));
		EXPECT_EQ(1, WS_QUERY_FIELD(objs[1], count));
	}
	close(objs[0]);
	close(objs[1]);
	close(alert);
	close(dev);
}

TEST(alert_index_64)
{
	struct winsync_wait_args args;
	int dev, objs[64], alert, i;

	WS_OPEN_DEV(dev);
	for (i = 0; i < 64; i++) {
		objs[i] = ws_event(dev, false, false);
		ASSERT_LE(0, objs[i]);
	}
	alert = ws_event(dev, false, true);
	ASSERT_LE(0, alert);
	EXPECT_EQ(0, ws_wait_ex(dev, objs, 64, WINSYNC_WAIT_ALERT, 0, alert, 0, &args));
	EXPECT_EQ(64, args.index);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_ALERTED, args.status);
	EXPECT_EQ(0, ws_event_set(objs[63], NULL));
	EXPECT_EQ(0, ws_event_set(alert, NULL));
	EXPECT_EQ(0, ws_wait_ex(dev, objs, 64, WINSYNC_WAIT_ALERT, 0, alert, 0, &args));
	EXPECT_EQ(63, args.index);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, args.status);
	EXPECT_EQ(1, WS_QUERY_FIELD(alert, signaled));
	for (i = 0; i < 64; i++)
		close(objs[i]);
	close(alert);
	close(dev);
}

TEST(alert_not_an_event)
{
	int dev, ev, sem, mutex, pipefd[2];

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, false);
	sem = ws_sem(dev, 1, 1);
	mutex = ws_mutex(dev, false);
	ASSERT_LE(0, ev);
	ASSERT_LE(0, sem);
	ASSERT_LE(0, mutex);
	EXPECT_EQ(EINVAL, ws_wait_ex(dev, &ev, 1, WINSYNC_WAIT_ALERT, 0, sem, 0, NULL));
	EXPECT_EQ(EINVAL, ws_wait_ex(dev, &ev, 1, WINSYNC_WAIT_ALERT, 0, mutex, 0, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, count));
	EXPECT_EQ(0, WS_QUERY_FIELD(mutex, owner_tid));
	ASSERT_EQ(0, pipe(pipefd));
	EXPECT_EQ(EBADF, ws_wait_ex(dev, &ev, 1, WINSYNC_WAIT_ALERT, 0, pipefd[0], 0, NULL));
	close(pipefd[0]);
	close(pipefd[1]);
	close(ev);
	close(sem);
	close(mutex);
	close(dev);
}

/* ---- signal-and-wait ---- */

static int soaw(int dev, int signal, int wait_fd, __u64 timeout,
		struct winsync_wait_args *out)
{
	return ws_wait_ex(dev, &wait_fd, 1, WINSYNC_WAIT_SIGNAL, timeout, 0,
			  signal, out);
}

/* The Windows test cases of SignalObjectAndWait with events. */
TEST(soaw_events)
{
	struct winsync_wait_args args;
	int dev, e0, e1, i;

	WS_OPEN_DEV(dev);
	e0 = ws_event(dev, false, false);
	e1 = ws_event(dev, true, true);
	ASSERT_LE(0, e0);
	ASSERT_LE(0, e1);
	EXPECT_EQ(0, soaw(dev, e0, e1, 0, &args));
	EXPECT_EQ(0, args.index);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, args.status);
	EXPECT_EQ(1, WS_QUERY_FIELD(e0, signaled));

	/* Signaling the event waited on: its own wait consumes it. */
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, soaw(dev, e0, e0, 0, &args));
		ASSERT_EQ(0, WS_QUERY_FIELD(e0, signaled));
	}

	EXPECT_EQ(0, ws_event_reset(e1, NULL));
	EXPECT_EQ(ETIMEDOUT, soaw(dev, e0, e1, 0, &args));
	/* The signal happened before the wait timed out. */
	EXPECT_EQ(1, WS_QUERY_FIELD(e0, signaled));
	close(e0);
	close(e1);
	close(dev);
}

/* Signaling the object waited on, for each type. */
TEST(soaw_same_object)
{
	struct winsync_wait_args args;
	int dev, sem, m;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 0, 1);
	m = ws_mutex(dev, true);
	ASSERT_LE(0, sem);
	ASSERT_LE(0, m);
	EXPECT_EQ(0, soaw(dev, sem, sem, 0, &args));
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, args.status);
	EXPECT_EQ(0, WS_QUERY_FIELD(sem, count));
	/* The mutex is released, then taken again by the same thread. */
	EXPECT_EQ(0, soaw(dev, m, m, 0, &args));
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, args.status);
	EXPECT_EQ(ws_gettid(), WS_QUERY_FIELD(m, owner_tid));
	EXPECT_EQ(1, WS_QUERY_FIELD(m, count));
	close(sem);
	close(m);
	close(dev);
}

/* Signal-and-wait with wait-all: the signal can complete the wait-all. */
TEST(soaw_wait_all)
{
	struct winsync_wait_args args;
	int dev, objs[2];

	WS_OPEN_DEV(dev);
	objs[0] = ws_sem(dev, 0, 1);
	objs[1] = ws_event(dev, true, true);
	ASSERT_LE(0, objs[0]);
	ASSERT_LE(0, objs[1]);
	EXPECT_EQ(0, ws_wait_ex(dev, objs, 2, WINSYNC_WAIT_SIGNAL | WINSYNC_WAIT_ALL,
				0, 0, objs[0], &args));
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, args.status);
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[0], count));
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[1], signaled));
	/* Event reset: the signal still happens, the wait times out. */
	EXPECT_EQ(0, ws_event_reset(objs[1], NULL));
	EXPECT_EQ(ETIMEDOUT, ws_wait_ex(dev, objs, 2, WINSYNC_WAIT_SIGNAL | WINSYNC_WAIT_ALL,
					0, 0, objs[0], &args));
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[0], count));
	close(objs[0]);
	close(objs[1]);
	close(dev);
}

TEST(soaw_semaphores)
{
	struct winsync_wait_args args;
	int dev, s0, s1;

	WS_OPEN_DEV(dev);
	s0 = ws_sem(dev, 0, 1);
	s1 = ws_sem(dev, 1, 1);
	ASSERT_LE(0, s0);
	ASSERT_LE(0, s1);
	EXPECT_EQ(0, soaw(dev, s0, s1, 0, &args));
	EXPECT_EQ(1, WS_QUERY_FIELD(s0, count));
	EXPECT_EQ(0, WS_QUERY_FIELD(s1, count));
	/* S0 is at its maximum: fails before waiting, nothing changes. */
	EXPECT_EQ(0, ws_sem_release(s1, 1, NULL));
	EXPECT_EQ(EOVERFLOW, soaw(dev, s0, s1, 0, &args));
	EXPECT_EQ(1, WS_QUERY_FIELD(s0, count));
	EXPECT_EQ(1, WS_QUERY_FIELD(s1, count));
	EXPECT_EQ(EOVERFLOW, ws_sem_release(s0, 1, NULL));
	EXPECT_EQ(EOVERFLOW, ws_sem_release(s1, 1, NULL));
	close(s0);
	close(s1);
	close(dev);
}

TEST(soaw_mutex)
{
	struct winsync_wait_args args;
	int dev, m, ev, weak;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, true);
	ev = ws_event(dev, false, true);
	ASSERT_LE(0, m);
	ASSERT_LE(0, ev);
	ASSERT_EQ(0, ws_wait1(dev, m, 0, NULL));
	/* Count 2: one level is released. */
	EXPECT_EQ(0, soaw(dev, m, ev, 0, &args));
	EXPECT_EQ(1, WS_QUERY_FIELD(m, count));
	EXPECT_EQ(ws_gettid(), WS_QUERY_FIELD(m, owner_tid));
	EXPECT_EQ(0, WS_QUERY_FIELD(ev, signaled));
	/* Through a handle without any access right. */
	weak = ws_reopen(m, WINSYNC_ACCESS_READ_CONTROL, 0);
	ASSERT_LE(0, weak);
	EXPECT_EQ(0, ws_event_set(ev, NULL));
	EXPECT_EQ(0, soaw(dev, weak, ev, 0, &args));
	EXPECT_EQ(0, WS_QUERY_FIELD(m, owner_tid));
	EXPECT_EQ(1, WS_QUERY_FIELD(m, signaled));
	/* Not owned: EPERM, and the event is not consumed. */
	EXPECT_EQ(0, ws_event_set(ev, NULL));
	EXPECT_EQ(EPERM, soaw(dev, m, ev, 0, &args));
	EXPECT_EQ(1, WS_QUERY_FIELD(ev, signaled));
	close(weak);
	close(m);
	close(ev);
	close(dev);
}

TEST(soaw_mutex_other_owner)
{
	struct winsync_wait_args args;
	int dev, m, ev, status;
	pid_t pid;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, true);
	ev = ws_event(dev, true, true);
	ASSERT_LE(0, m);
	ASSERT_LE(0, ev);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(soaw(dev, m, ev, 0, &args) == EPERM ? 0 : 1);
	status = ws_reap(pid, WS_LONG_MS);
	EXPECT_EQ(0, status);
	EXPECT_EQ(ws_gettid(), WS_QUERY_FIELD(m, owner_tid));
	EXPECT_EQ(1, WS_QUERY_FIELD(m, count));
	close(m);
	close(ev);
	close(dev);
}

TEST(soaw_access)
{
	struct winsync_wait_args args;
	int dev, sem, ev, target, ro;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 0, 2);
	ev = ws_event(dev, false, false);
	target = ws_event(dev, true, true);
	ASSERT_LE(0, sem);
	ASSERT_LE(0, ev);
	ASSERT_LE(0, target);

	ro = ws_reopen(sem, NOMODIFY_ACCESS, 0);
	ASSERT_LE(0, ro);
	EXPECT_EQ(EACCES, soaw(dev, ro, target, 0, &args));
	EXPECT_EQ(0, WS_QUERY_FIELD(sem, count));
	close(ro);
	ro = ws_reopen(ev, NOMODIFY_ACCESS, 0);
	ASSERT_LE(0, ro);
	EXPECT_EQ(EACCES, soaw(dev, ro, target, 0, &args));
	EXPECT_EQ(0, WS_QUERY_FIELD(ev, signaled));
	close(ro);
	/* MODIFY_STATE alone is enough to signal. */
	ro = ws_reopen(sem, WINSYNC_ACCESS_MODIFY_STATE, 0);
	ASSERT_LE(0, ro);
	EXPECT_EQ(0, soaw(dev, ro, target, 0, &args));
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, count));
	close(ro);
	/* The waited handle still needs SYNCHRONIZE. */
	ro = ws_reopen(target, NOSYNC_ACCESS, 0);
	ASSERT_LE(0, ro);
	EXPECT_EQ(EACCES, soaw(dev, sem, ro, 0, &args));
	close(ro);
	close(sem);
	close(ev);
	close(target);
	close(dev);
}

/* The signal wakes another thread even when the wait times out. */
TEST(soaw_wakes_other)
{
	struct winsync_wait_args args;
	struct ws_waiter w;
	int dev, e0, e1;

	WS_OPEN_DEV(dev);
	e0 = ws_event(dev, false, false);
	e1 = ws_event(dev, false, false);
	ASSERT_LE(0, e0);
	ASSERT_LE(0, e1);
	ws_waiter_init(&w, dev, &e0, 1, 0, WINSYNC_TIMEOUT_INFINITE);
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(e0, 1));
	EXPECT_EQ(ETIMEDOUT, soaw(dev, e0, e1, ws_deadline_ms(200), &args));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(0, WS_QUERY_FIELD(e0, signaled));
	close(e0);
	close(e1);
	close(dev);
}

TEST(soaw_bad_signal_fd)
{
	struct winsync_wait_args args;
	int dev, ev, pipefd[2];

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, true, true);
	ASSERT_LE(0, ev);
	ASSERT_EQ(0, pipe(pipefd));
	EXPECT_EQ(EBADF, soaw(dev, pipefd[0], ev, 0, &args));
	EXPECT_EQ(EBADF, soaw(dev, -1, ev, 0, &args));
	close(pipefd[0]);
	close(pipefd[1]);
	close(ev);
	close(dev);
}

/* ---- closing handles during a wait ---- */

TEST(close_during_wait)
{
	struct ws_waiter w;
	int dev, ev, d;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, ev);
	d = dup(ev);
	ASSERT_LE(0, d);
	ws_waiter_init(&w, dev, &ev, 1, 0, WINSYNC_TIMEOUT_INFINITE);
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(d, 1));
	EXPECT_EQ(0, close(ev));
	ws_sleep_ms(WS_BLOCK_MS);
	EXPECT_FALSE(ws_waiter_done(&w));
	EXPECT_EQ(0, ws_event_set(d, NULL));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(0, WS_QUERY_FIELD(d, signaled));
	close(d);
	close(dev);
}

TEST(close_reopened_during_wait)
{
	struct ws_waiter w;
	int dev, ev, r;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, ev);
	r = ws_reopen(ev, WINSYNC_ACCESS_SYNCHRONIZE, 0);
	ASSERT_LE(0, r);
	ws_waiter_init(&w, dev, &r, 1, 0, WINSYNC_TIMEOUT_INFINITE);
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(ev, 1));
	EXPECT_EQ(0, close(r));
	EXPECT_EQ(0, ws_event_set(ev, NULL));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(0, w.ret);
	close(ev);
	close(dev);
}

/* Every handle and the device closed during a wait: it just times out. */
TEST(close_all_during_wait)
{
	struct ws_waiter w;
	int dev, objs[2];

	WS_OPEN_DEV(dev);
	objs[0] = ws_event(dev, false, false);
	objs[1] = ws_mutex(dev, false);
	ASSERT_LE(0, objs[0]);
	ASSERT_LE(0, objs[1]);
	ws_waiter_init(&w, dev, objs, 2, WINSYNC_WAIT_ALL, ws_deadline_ms(2000));
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(objs[0], 1));
	EXPECT_EQ(0, close(objs[0]));
	EXPECT_EQ(0, close(objs[1]));
	EXPECT_EQ(0, close(dev));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(ETIMEDOUT, w.ret);
}

/* Waits on objects shared with a child process. */
TEST(wait_in_child)
{
	int dev, ev, sem, status;
	pid_t pid;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, false);
	sem = ws_sem(dev, 0, 1);
	ASSERT_LE(0, ev);
	ASSERT_LE(0, sem);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct winsync_wait_args args;
		int objs[2] = { sem, ev };

		if (ws_wait(dev, objs, 2, 0, ws_deadline_ms(WS_LONG_MS), &args))
			_exit(1);
		_exit(args.index == 1 ? 0 : 2);
	}
	ASSERT_TRUE(ws_await_waiters(ev, 1));
	EXPECT_EQ(0, ws_event_set(ev, NULL));
	status = ws_reap(pid, WS_LONG_MS);
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, WS_QUERY_FIELD(ev, signaled));
	close(ev);
	close(sem);
	close(dev);
}

#define main ws_harness_main
TEST_HARNESS_MAIN
#undef main
WS_MAIN

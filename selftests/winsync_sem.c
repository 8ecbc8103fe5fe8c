// SPDX-License-Identifier: GPL-2.0
/*
 * winsync selftest: semaphores.
 */
#include "winsync_test.h"

TEST(release_returns_previous)
{
	int dev, sem;
	__u32 prev;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 0, 3);
	ASSERT_LE(0, sem);
	EXPECT_EQ(0, ws_sem_release(sem, 1, &prev));
	EXPECT_EQ(0, prev);
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, count));
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, signaled));
	EXPECT_EQ(0, ws_sem_release(sem, 2, &prev));
	EXPECT_EQ(1, prev);
	EXPECT_EQ(3, WS_QUERY_FIELD(sem, count));
	close(sem);
	close(dev);
}

TEST(release_past_max)
{
	int dev, sem;
	__u32 prev;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 1, 3);
	ASSERT_LE(0, sem);
	EXPECT_EQ(EOVERFLOW, ws_sem_release(sem, 3, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, count));
	EXPECT_EQ(0, ws_sem_release(sem, 2, &prev));
	EXPECT_EQ(1, prev);
	EXPECT_EQ(3, WS_QUERY_FIELD(sem, count));
	EXPECT_EQ(EOVERFLOW, ws_sem_release(sem, 1, NULL));
	EXPECT_EQ(3, WS_QUERY_FIELD(sem, count));
	close(sem);
	close(dev);
}

TEST(release_zero)
{
	int dev, sem;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 1, 3);
	ASSERT_LE(0, sem);
	EXPECT_EQ(EINVAL, ws_sem_release(sem, 0, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, count));
	close(sem);
	close(dev);
}

/* count + n must not wrap around 2^32 into an acceptable value. */
TEST(release_no_wraparound)
{
	int dev, sem;
	__u32 prev;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 1, 3);
	ASSERT_LE(0, sem);
	EXPECT_EQ(EOVERFLOW, ws_sem_release(sem, UINT32_MAX, NULL));
	EXPECT_EQ(EOVERFLOW, ws_sem_release(sem, UINT32_MAX - 1, NULL));
	EXPECT_EQ(EOVERFLOW, ws_sem_release(sem, UINT32_MAX - 2, NULL));
	EXPECT_EQ(EOVERFLOW, ws_sem_release(sem, 0x80000000, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, count));
	close(sem);

	sem = ws_sem(dev, 5, UINT32_MAX);
	ASSERT_LE(0, sem);
	EXPECT_EQ(EOVERFLOW, ws_sem_release(sem, UINT32_MAX - 4, NULL));
	EXPECT_EQ(EOVERFLOW, ws_sem_release(sem, UINT32_MAX, NULL));
	EXPECT_EQ(5, WS_QUERY_FIELD(sem, count));
	EXPECT_EQ(0, ws_sem_release(sem, UINT32_MAX - 5, &prev));
	EXPECT_EQ(5, prev);
	EXPECT_EQ(UINT32_MAX, (__u32)WS_QUERY_FIELD(sem, count));
	EXPECT_EQ(EOVERFLOW, ws_sem_release(sem, 1, NULL));
	EXPECT_EQ(UINT32_MAX, (__u32)WS_QUERY_FIELD(sem, count));
	close(sem);
	close(dev);
}

TEST(release_needs_modify_state)
{
	int dev, sem, ro;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 1, 3);
	ASSERT_LE(0, sem);
	ro = ws_reopen(sem, WINSYNC_ACCESS_ALL & ~WINSYNC_ACCESS_MODIFY_STATE, 0);
	ASSERT_LE(0, ro);
	EXPECT_EQ(EACCES, ws_sem_release(ro, 1, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, count));
	/* MODIFY_STATE alone is enough. */
	close(ro);
	ro = ws_reopen(sem, WINSYNC_ACCESS_MODIFY_STATE, 0);
	ASSERT_LE(0, ro);
	EXPECT_EQ(0, ws_sem_release(ro, 1, NULL));
	EXPECT_EQ(2, WS_QUERY_FIELD(sem, count));
	close(ro);
	close(sem);
	close(dev);
}

TEST(release_bad_pointer)
{
	int dev, sem;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 1, 3);
	ASSERT_LE(0, sem);
	EXPECT_EQ(EFAULT, ws_ioctl(sem, WINSYNC_IOC_SEM_RELEASE, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, count));
	close(sem);
	close(dev);
}

TEST(wait_decrements)
{
	struct winsync_wait_args args;
	int dev, sem;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 2, 2);
	ASSERT_LE(0, sem);
	EXPECT_EQ(0, ws_wait(dev, &sem, 1, 0, 0, &args));
	EXPECT_EQ(0, args.index);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, args.status);
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, count));
	/* The same thread may take several counts. */
	EXPECT_EQ(0, ws_wait(dev, &sem, 1, 0, 0, &args));
	EXPECT_EQ(0, WS_QUERY_FIELD(sem, count));
	EXPECT_EQ(0, WS_QUERY_FIELD(sem, signaled));
	EXPECT_EQ(ETIMEDOUT, ws_wait(dev, &sem, 1, 0, 0, &args));
	EXPECT_EQ(0, WS_QUERY_FIELD(sem, count));
	close(sem);
	close(dev);
}

TEST(wait_needs_synchronize)
{
	int dev, sem, nosync;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 1, 1);
	ASSERT_LE(0, sem);
	nosync = ws_reopen(sem, WINSYNC_ACCESS_ALL & ~WINSYNC_ACCESS_SYNCHRONIZE, 0);
	ASSERT_LE(0, nosync);
	EXPECT_EQ(EACCES, ws_wait1(dev, nosync, 0, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, count));
	close(nosync);
	/* SYNCHRONIZE alone is enough. */
	nosync = ws_reopen(sem, WINSYNC_ACCESS_SYNCHRONIZE, 0);
	ASSERT_LE(0, nosync);
	EXPECT_EQ(0, ws_wait1(dev, nosync, 0, NULL));
	EXPECT_EQ(0, WS_QUERY_FIELD(sem, count));
	close(nosync);
	close(sem);
	close(dev);
}

TEST(release_wakes_waiter)
{
	struct ws_waiter w;
	int dev, sem;
	__u32 prev;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 0, 1);
	ASSERT_LE(0, sem);
	ws_waiter_init(&w, dev, &sem, 1, 0, WINSYNC_TIMEOUT_INFINITE);
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(sem, 1));
	ws_sleep_ms(WS_BLOCK_MS);
	EXPECT_FALSE(ws_waiter_done(&w));
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, waiters));

	EXPECT_EQ(0, ws_sem_release(sem, 1, &prev));
	EXPECT_EQ(0, prev);
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(0, w.args.index);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, w.args.status);
	/* The waiter took the count. */
	EXPECT_EQ(0, WS_QUERY_FIELD(sem, count));
	EXPECT_EQ(0, WS_QUERY_FIELD(sem, waiters));
	close(sem);
	close(dev);
}

static int count_done(struct ws_waiter *w, int n)
{
	int i, done = 0;

	for (i = 0; i < n; i++)
		done += ws_waiter_done(&w[i]);
	return done;
}

static bool await_done(struct ws_waiter *w, int n, int want)
{
	__u64 end = ws_deadline_ms(WS_LONG_MS);

	while (count_done(w, n) < want) {
		if (ws_now(CLOCK_MONOTONIC) >= end)
			return false;
		ws_sleep_ms(1);
	}
	return true;
}

TEST(release_n_wakes_n)
{
	struct ws_waiter w[3];
	int dev, sem, i;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 0, 5);
	ASSERT_LE(0, sem);
	for (i = 0; i < 3; i++) {
		ws_waiter_init(&w[i], dev, &sem, 1, 0, WINSYNC_TIMEOUT_INFINITE);
		ASSERT_EQ(0, ws_waiter_start(&w[i]));
	}
	ASSERT_TRUE(ws_await_waiters(sem, 3));

	EXPECT_EQ(0, ws_sem_release(sem, 2, NULL));
	ASSERT_TRUE(await_done(w, 3, 2));
	ws_sleep_ms(WS_BLOCK_MS);
	EXPECT_EQ(2, count_done(w, 3));
	EXPECT_EQ(0, WS_QUERY_FIELD(sem, count));
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, waiters));

	EXPECT_EQ(0, ws_sem_release(sem, 2, NULL));
	ASSERT_TRUE(await_done(w, 3, 3));
	for (i = 0; i < 3; i++) {
		ASSERT_TRUE(ws_waiter_finish(&w[i], WS_LONG_MS));
		EXPECT_EQ(0, w[i].ret);
		EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, w[i].args.status);
	}
	/* Three counts taken out of four released. */
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, count));
	close(sem);
	close(dev);
}

TEST(waiter_in_other_process)
{
	int dev, sem, status;
	pid_t pid;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 0, 2);
	ASSERT_LE(0, sem);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u32 st;
		int err = ws_wait1(dev, sem, ws_deadline_ms(WS_LONG_MS), &st);

		_exit(err ? 1 : st != WINSYNC_WAIT_STATUS_OBJECT ? 2 : 0);
	}
	ASSERT_TRUE(ws_await_waiters(sem, 1));
	EXPECT_EQ(0, ws_sem_release(sem, 2, NULL));
	status = ws_reap(pid, WS_LONG_MS);
	EXPECT_EQ(0, status);
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, count));
	close(sem);
	close(dev);
}

TEST(wait_timeout_leaves_count)
{
	struct ws_waiter w;
	int dev, sem;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 0, 1);
	ASSERT_LE(0, sem);
	ws_waiter_init(&w, dev, &sem, 1, 0, ws_deadline_ms(200));
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(ETIMEDOUT, w.ret);
	EXPECT_EQ(0, WS_QUERY_FIELD(sem, waiters));
	/* A release after the timed-out wait is not lost. */
	EXPECT_EQ(0, ws_sem_release(sem, 1, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, count));
	close(sem);
	close(dev);
}

#define main ws_harness_main
TEST_HARNESS_MAIN
#undef main
WS_MAIN

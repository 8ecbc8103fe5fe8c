// SPDX-License-Identifier: GPL-2.0
/*
 * winsync selftest: events: set, reset, pulse, auto-reset and manual-reset
 * wake-ups.
 */
#include "winsync_test.h"

#define NWAITERS 3

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

/* Start @n waiters on @fd and wait until they all sleep on it. */
static bool start_waiters(struct ws_waiter *w, int n, int dev, int fd)
{
	int i;

	for (i = 0; i < n; i++) {
		ws_waiter_init(&w[i], dev, &fd, 1, 0, WINSYNC_TIMEOUT_INFINITE);
		if (ws_waiter_start(&w[i]))
			return false;
	}
	return ws_await_waiters(fd, n);
}

TEST(previous_state)
{
	int dev, ev, manual;
	__u32 prev;

	WS_OPEN_DEV(dev);
	for (manual = 0; manual < 2; manual++) {
		ev = ws_event(dev, manual, false);
		ASSERT_LE(0, ev);
		EXPECT_EQ(0, ws_event_set(ev, &prev));
		EXPECT_EQ(0, prev);
		EXPECT_EQ(1, WS_QUERY_FIELD(ev, signaled));
		EXPECT_EQ(0, ws_event_set(ev, &prev));
		EXPECT_EQ(1, prev);
		EXPECT_EQ(0, ws_event_reset(ev, &prev));
		EXPECT_EQ(1, prev);
		EXPECT_EQ(0, WS_QUERY_FIELD(ev, signaled));
		EXPECT_EQ(0, ws_event_reset(ev, &prev));
		EXPECT_EQ(0, prev);
		/* Pulse with no waiter: just ends non-signaled. */
		EXPECT_EQ(0, ws_event_pulse(ev, &prev));
		EXPECT_EQ(0, prev);
		EXPECT_EQ(0, WS_QUERY_FIELD(ev, signaled));
		EXPECT_EQ(0, ws_event_set(ev, NULL));
		EXPECT_EQ(0, ws_event_pulse(ev, &prev));
		EXPECT_EQ(1, prev);
		EXPECT_EQ(0, WS_QUERY_FIELD(ev, signaled));
		close(ev);
	}
	close(dev);
}

TEST(auto_reset_consumed_by_wait)
{
	struct winsync_wait_args args;
	int dev, ev;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, true);
	ASSERT_LE(0, ev);
	EXPECT_EQ(0, ws_wait(dev, &ev, 1, 0, 0, &args));
	EXPECT_EQ(0, args.index);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, args.status);
	EXPECT_EQ(0, WS_QUERY_FIELD(ev, signaled));
	EXPECT_EQ(ETIMEDOUT, ws_wait(dev, &ev, 1, 0, 0, NULL));
	EXPECT_EQ(0, ws_event_set(ev, NULL));
	EXPECT_EQ(0, ws_wait(dev, &ev, 1, 0, 0, NULL));
	EXPECT_EQ(0, WS_QUERY_FIELD(ev, signaled));
	close(ev);
	close(dev);
}

TEST(manual_reset_stays_set)
{
	int dev, ev, i;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, true, true);
	ASSERT_LE(0, ev);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, ws_wait(dev, &ev, 1, 0, 0, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(ev, signaled));
	EXPECT_EQ(0, ws_event_reset(ev, NULL));
	EXPECT_EQ(ETIMEDOUT, ws_wait(dev, &ev, 1, 0, 0, NULL));
	close(ev);
	close(dev);
}

TEST(auto_set_wakes_exactly_one)
{
	struct ws_waiter w[NWAITERS];
	int dev, ev, i;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, ev);
	ASSERT_TRUE(start_waiters(w, NWAITERS, dev, ev));
	ws_sleep_ms(WS_BLOCK_MS);
	EXPECT_EQ(0, count_done(w, NWAITERS));

	for (i = 1; i <= NWAITERS; i++) {
		EXPECT_EQ(0, ws_event_set(ev, NULL));
		ASSERT_TRUE(await_done(w, NWAITERS, i));
		ws_sleep_ms(WS_BLOCK_MS);
		EXPECT_EQ(i, count_done(w, NWAITERS));
		EXPECT_EQ(0, WS_QUERY_FIELD(ev, signaled));
	}
	for (i = 0; i < NWAITERS; i++) {
		ASSERT_TRUE(ws_waiter_finish(&w[i], WS_LONG_MS));
		EXPECT_EQ(0, w[i].ret);
		EXPECT_EQ(0, w[i].args.index);
		EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, w[i].args.status);
	}
	close(ev);
	close(dev);
}

TEST(manual_set_wakes_all)
{
	struct ws_waiter w[NWAITERS];
	int dev, ev, i;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, true, false);
	ASSERT_LE(0, ev);
	ASSERT_TRUE(start_waiters(w, NWAITERS, dev, ev));
	EXPECT_EQ(0, ws_event_set(ev, NULL));
	for (i = 0; i < NWAITERS; i++) {
		ASSERT_TRUE(ws_waiter_finish(&w[i], WS_LONG_MS));
		EXPECT_EQ(0, w[i].ret);
		EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, w[i].args.status);
	}
	EXPECT_EQ(1, WS_QUERY_FIELD(ev, signaled));
	EXPECT_EQ(0, WS_QUERY_FIELD(ev, waiters));
	close(ev);
	close(dev);
}

TEST(reset_wakes_nobody)
{
	struct ws_waiter w;
	int dev, ev;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, true, false);
	ASSERT_LE(0, ev);
	ASSERT_TRUE(start_waiters(&w, 1, dev, ev));
	EXPECT_EQ(0, ws_event_reset(ev, NULL));
	ws_sleep_ms(WS_BLOCK_MS);
	EXPECT_FALSE(ws_waiter_done(&w));
	EXPECT_EQ(0, ws_event_set(ev, NULL));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(0, w.ret);
	close(ev);
	close(dev);
}

TEST(pulse_manual_wakes_all)
{
	struct ws_waiter w[NWAITERS];
	int dev, ev, i;
	__u32 prev;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, true, false);
	ASSERT_LE(0, ev);
	ASSERT_TRUE(start_waiters(w, NWAITERS, dev, ev));
	EXPECT_EQ(0, ws_event_pulse(ev, &prev));
	EXPECT_EQ(0, prev);
	EXPECT_EQ(0, WS_QUERY_FIELD(ev, signaled));
	for (i = 0; i < NWAITERS; i++) {
		ASSERT_TRUE(ws_waiter_finish(&w[i], WS_LONG_MS));
		EXPECT_EQ(0, w[i].ret);
		EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, w[i].args.status);
	}
	EXPECT_EQ(0, WS_QUERY_FIELD(ev, signaled));
	EXPECT_EQ(ETIMEDOUT, ws_wait(dev, &ev, 1, 0, 0, NULL));
	close(ev);
	close(dev);
}

TEST(pulse_auto_wakes_one)
{
	struct ws_waiter w[NWAITERS];
	int dev, ev, i;
	__u32 prev;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, ev);
	ASSERT_TRUE(start_waiters(w, NWAITERS, dev, ev));
	EXPECT_EQ(0, ws_event_pulse(ev, &prev));
	EXPECT_EQ(0, prev);
	ASSERT_TRUE(await_done(w, NWAITERS, 1));
	ws_sleep_ms(WS_BLOCK_MS);
	EXPECT_EQ(1, count_done(w, NWAITERS));
	EXPECT_EQ(0, WS_QUERY_FIELD(ev, signaled));
	EXPECT_EQ(NWAITERS - 1, WS_QUERY_FIELD(ev, waiters));

	/* The rest are still waiting: wake them one set at a time. */
	for (i = 2; i <= NWAITERS; i++) {
		EXPECT_EQ(0, ws_event_set(ev, NULL));
		ASSERT_TRUE(await_done(w, NWAITERS, i));
	}
	for (i = 0; i < NWAITERS; i++) {
		ASSERT_TRUE(ws_waiter_finish(&w[i], WS_LONG_MS));
		EXPECT_EQ(0, w[i].ret);
	}
	EXPECT_EQ(0, WS_QUERY_FIELD(ev, signaled));
	close(ev);
	close(dev);
}

/* A wait-all whose other object is not signaled is not released. */
TEST(pulse_skips_unsatisfiable_wait_all)
{
	struct ws_waiter all, any;
	int dev, objs[2], manual;
	__u32 prev;

	WS_OPEN_DEV(dev);
	for (manual = 0; manual < 2; manual++) {
		objs[0] = ws_event(dev, manual, false);
		objs[1] = ws_event(dev, true, false);
		ASSERT_LE(0, objs[0]);
		ASSERT_LE(0, objs[1]);
		ws_waiter_init(&all, dev, objs, 2, WINSYNC_WAIT_ALL,
			       WINSYNC_TIMEOUT_INFINITE);
		ASSERT_EQ(0, ws_waiter_start(&all));
		ASSERT_TRUE(ws_await_waiters(objs[0], 1));

		EXPECT_EQ(0, ws_event_pulse(objs[0], &prev));
		EXPECT_EQ(0, prev);
		ws_sleep_ms(WS_BLOCK_MS);
		EXPECT_FALSE(ws_waiter_done(&all));
		EXPECT_EQ(0, WS_QUERY_FIELD(objs[0], signaled));

		/* A wait-any waiter alongside is released by the next pulse. */
		ws_waiter_init(&any, dev, objs, 1, 0, WINSYNC_TIMEOUT_INFINITE);
		ASSERT_EQ(0, ws_waiter_start(&any));
		ASSERT_TRUE(ws_await_waiters(objs[0], 2));
		EXPECT_EQ(0, ws_event_pulse(objs[0], NULL));
		ASSERT_TRUE(ws_waiter_finish(&any, WS_LONG_MS));
		EXPECT_EQ(0, any.ret);
		ws_sleep_ms(WS_BLOCK_MS);
		EXPECT_FALSE(ws_waiter_done(&all));
		EXPECT_EQ(0, WS_QUERY_FIELD(objs[0], signaled));

		/* Both signaled: the wait-all completes. */
		EXPECT_EQ(0, ws_event_set(objs[1], NULL));
		ws_sleep_ms(WS_BLOCK_MS);
		EXPECT_FALSE(ws_waiter_done(&all));
		EXPECT_EQ(0, ws_event_set(objs[0], NULL));
		ASSERT_TRUE(ws_waiter_finish(&all, WS_LONG_MS));
		EXPECT_EQ(0, all.ret);
		EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, all.args.status);
		EXPECT_EQ(manual, WS_QUERY_FIELD(objs[0], signaled));
		close(objs[0]);
		close(objs[1]);
	}
	close(dev);
}

/* A wait-all whose other object is signaled is released by a pulse. */
TEST(pulse_releases_satisfiable_wait_all)
{
	struct ws_waiter all;
	int dev, objs[2];

	WS_OPEN_DEV(dev);
	objs[0] = ws_event(dev, false, false);
	objs[1] = ws_sem(dev, 1, 1);
	ASSERT_LE(0, objs[0]);
	ASSERT_LE(0, objs[1]);
	ws_waiter_init(&all, dev, objs, 2, WINSYNC_WAIT_ALL, WINSYNC_TIMEOUT_INFINITE);
	ASSERT_EQ(0, ws_waiter_start(&all));
	ASSERT_TRUE(ws_await_waiters(objs[0], 1));
	EXPECT_EQ(0, ws_event_pulse(objs[0], NULL));
	ASSERT_TRUE(ws_waiter_finish(&all, WS_LONG_MS));
	EXPECT_EQ(0, all.ret);
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[0], signaled));
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[1], count));
	close(objs[0]);
	close(objs[1]);
	close(dev);
}

TEST(modify_needs_modify_state)
{
	int dev, ev, ro;
	__u32 prev;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, true, false);
	ASSERT_LE(0, ev);
	ro = ws_reopen(ev, WINSYNC_ACCESS_ALL & ~WINSYNC_ACCESS_MODIFY_STATE, 0);
	ASSERT_LE(0, ro);
	EXPECT_EQ(EACCES, ws_event_set(ro, NULL));
	EXPECT_EQ(0, WS_QUERY_FIELD(ev, signaled));
	EXPECT_EQ(0, ws_event_set(ev, NULL));
	EXPECT_EQ(EACCES, ws_event_reset(ro, NULL));
	EXPECT_EQ(EACCES, ws_event_pulse(ro, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(ev, signaled));
	close(ro);
	ro = ws_reopen(ev, WINSYNC_ACCESS_MODIFY_STATE, 0);
	ASSERT_LE(0, ro);
	EXPECT_EQ(0, ws_event_reset(ro, &prev));
	EXPECT_EQ(1, prev);
	EXPECT_EQ(0, ws_event_set(ro, &prev));
	EXPECT_EQ(0, prev);
	EXPECT_EQ(0, ws_event_pulse(ro, &prev));
	EXPECT_EQ(1, prev);
	close(ro);
	close(ev);
	close(dev);
}

TEST(bad_pointer)
{
	int dev, ev;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, true, false);
	ASSERT_LE(0, ev);
	EXPECT_EQ(EFAULT, ws_ioctl(ev, WINSYNC_IOC_EVENT_SET, NULL));
	EXPECT_EQ(EFAULT, ws_ioctl(ev, WINSYNC_IOC_QUERY, NULL));
	close(ev);
	close(dev);
}

TEST(set_from_other_process)
{
	struct ws_waiter w;
	int dev, ev;
	pid_t pid;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, ev);
	ASSERT_TRUE(start_waiters(&w, 1, dev, ev));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(ws_event_set(ev, NULL) ? 1 : 0);
	EXPECT_EQ(0, ws_reap(pid, WS_LONG_MS));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(0, WS_QUERY_FIELD(ev, signaled));
	close(ev);
	close(dev);
}

#define main ws_harness_main
TEST_HARNESS_MAIN
#undef main
WS_MAIN

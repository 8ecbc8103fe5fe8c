// SPDX-License-Identifier: GPL-2.0
/*
 * winsync selftest: waitable timers.  Creation, TIMER_SET and TIMER_CANCEL
 * arguments and rights, one-shot and periodic expiry of notification
 * (manual-reset) and synchronization (auto-reset) timers, timers in waits,
 * poll, epoll and fdinfo, absolute timers across clock_settime(), teardown
 * races, and the expiry latency (printed, bounded generously).
 *
 * Timing under emulation: lower bounds are exact (a timer never fires
 * before its due time, measured on the same clock from before the set);
 * upper bounds allow SLOW_NS of lateness.
 */
#include <dirent.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "winsync_test.h"

/* Lateness allowed for anything that must happen. */
#define SLOW_NS		(2 * WS_NS_PER_SEC)
#define MS		WS_NS_PER_MS

static int tm_new(int dev, bool manual)
{
	return ws_new(dev, WINSYNC_TYPE_TIMER,
		      manual ? WINSYNC_CREATE_MANUAL_RESET : 0,
		      WINSYNC_ACCESS_ALL, 0, 0);
}

static int tm_set_ex(int fd, __s64 due, __s64 period, __s64 slack,
		     __u32 flags)
{
	struct winsync_timer_args a;

	memset(&a, 0, sizeof(a));
	a.due = due;
	a.period_ns = period;
	a.slack_ns = slack;
	a.flags = flags;
	return ws_ioctl(fd, WINSYNC_IOC_TIMER_SET, &a);
}

/* Relative, no slack. */
static int tm_set(int fd, __s64 due, __s64 period)
{
	return tm_set_ex(fd, due, period, 0, 0);
}

static int tm_cancel(int fd, __u32 *was_active)
{
	return ws_u32_ioctl(fd, WINSYNC_IOC_TIMER_CANCEL, 0xdeadbeef, was_active);
}

static long long tm_active(int fd)
{
	long long flags = WS_QUERY_FIELD(fd, flags);

	return flags < 0 ? -1 : !!(flags & WINSYNC_INFO_ACTIVE);
}

static __u64 now_mono(void)
{
	return ws_now(CLOCK_MONOTONIC);
}

/* Wait for @fd up to @ms from now: 0 or errno. */
static int wait_ms(int dev, int fd, unsigned int ms)
{
	return ws_wait1(dev, fd, ws_deadline_ms(ms), NULL);
}

/* Poll QUERY until @fd is signaled; false after @ms. */
static bool await_signaled(int fd, unsigned int ms)
{
	__u64 end = ws_deadline_ms(ms);

	do {
		if (WS_QUERY_FIELD(fd, signaled) == 1)
			return true;
		ws_sleep_ms(1);
	} while (now_mono() < end);
	return WS_QUERY_FIELD(fd, signaled) == 1;
}

static long long live_objects(int dev)
{
	struct winsync_info info;

	return ws_get_info(dev, &info) ? -1 : (long long)info.live_objects;
}

static int count_done(struct ws_waiter *w, int n)
{
	int i, done = 0;

	for (i = 0; i < n; i++)
		done += ws_waiter_done(&w[i]);
	return done;
}

static bool await_done(struct ws_waiter *w, int n, int want, unsigned int ms)
{
	__u64 end = ws_deadline_ms(ms);

	while (count_done(w, n) < want) {
		if (now_mono() >= end)
			return false;
		ws_sleep_ms(1);
	}
	return true;
}

/* Start @n waiters on @fd (infinite waits) and wait until all sleep. */
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

/* ---- creation and arguments ---- */

TEST(created_inactive_and_not_signaled)
{
	struct winsync_obj_info info;
	int dev, fd, manual;

	WS_OPEN_DEV(dev);
	for (manual = 0; manual < 2; manual++) {
		fd = tm_new(dev, manual);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ws_query(fd, &info));
		EXPECT_EQ(WINSYNC_TYPE_TIMER, info.type);
		EXPECT_EQ(WINSYNC_ACCESS_ALL, info.access);
		EXPECT_EQ(0, info.signaled);
		EXPECT_EQ(manual ? WINSYNC_INFO_MANUAL_RESET : 0, info.flags);
		EXPECT_EQ(0, info.timer_remaining_ns);
		EXPECT_EQ(0, info.timer_period_ns);
		EXPECT_EQ(0, info.timer_expirations);
		EXPECT_EQ(0, info.waiters);
		EXPECT_EQ(ETIMEDOUT, ws_wait1(dev, fd, 0, NULL));
		close(fd);
	}
	/* Flags of other types are invalid for a timer. */
	EXPECT_EQ(-EINVAL, ws_new(dev, WINSYNC_TYPE_TIMER, WINSYNC_CREATE_SIGNALED,
				  WINSYNC_ACCESS_ALL, 0, 0));
	EXPECT_EQ(-EINVAL, ws_new(dev, WINSYNC_TYPE_TIMER, WINSYNC_CREATE_OWNED,
				  WINSYNC_ACCESS_ALL, 0, 0));
	EXPECT_EQ(-EINVAL, ws_new(dev, WINSYNC_TYPE_TIMER, 0, WINSYNC_ACCESS_ALL,
				  0, 1));
	close(dev);
}

TEST(set_argument_errors)
{
	struct winsync_timer_args a;
	int dev, fd;

	WS_OPEN_DEV(dev);
	fd = tm_new(dev, true);
	ASSERT_LE(0, fd);

#define SET_EINVAL(field, value) do {					\
	memset(&a, 0, sizeof(a));					\
	a.due = 10 * WS_NS_PER_SEC;					\
	a.field = (value);						\
	EXPECT_EQ(EINVAL, ws_ioctl(fd, WINSYNC_IOC_TIMER_SET, &a))	\
		TH_LOG(#field " = " #value);				\
} while (0)
	SET_EINVAL(due, -1);
	SET_EINVAL(due, INT64_MIN);
	SET_EINVAL(period_ns, -1);
	SET_EINVAL(period_ns, INT64_MIN);
	SET_EINVAL(period_ns, 1);
	SET_EINVAL(period_ns, WINSYNC_TIMER_MIN_PERIOD_NS - 1);
	/* The minimum was 100 us once; (0, 1 ms) is invalid now. */
	EXPECT_EQ(1000000, WINSYNC_TIMER_MIN_PERIOD_NS);
	SET_EINVAL(period_ns, 100000);
	SET_EINVAL(period_ns, 999999);
	SET_EINVAL(slack_ns, -1);
	SET_EINVAL(flags, 0x2);
	SET_EINVAL(flags, 0x80000000);
	SET_EINVAL(flags, WINSYNC_TIMER_ABSOLUTE | 0x4);
	SET_EINVAL(pad, 1);
	SET_EINVAL(reserved[0], 1);
	SET_EINVAL(reserved[1], 1ULL << 63);
#undef SET_EINVAL
	/* None of them armed it. */
	EXPECT_EQ(0, tm_active(fd));
	EXPECT_EQ(0, WS_QUERY_FIELD(fd, timer_period_ns));

	/* The limits themselves are fine. */
	EXPECT_EQ(0, tm_set(fd, 10 * WS_NS_PER_SEC, WINSYNC_TIMER_MIN_PERIOD_NS));
	EXPECT_EQ(WINSYNC_TIMER_MIN_PERIOD_NS, WS_QUERY_FIELD(fd, timer_period_ns));
	EXPECT_EQ(0, tm_set_ex(fd, INT64_MAX, 0, INT64_MAX, 0));
	EXPECT_EQ(0, WS_QUERY_FIELD(fd, timer_period_ns));
	EXPECT_EQ(1, tm_active(fd));
	EXPECT_EQ(0, tm_set_ex(fd, 10 * WS_NS_PER_SEC, INT64_MAX, 0, 0));
	EXPECT_EQ(0, tm_cancel(fd, NULL));

	/* A rejected set changes nothing: a signaled timer stays signaled. */
	EXPECT_EQ(0, tm_set(fd, 0, 0));
	ASSERT_TRUE(await_signaled(fd, WS_LONG_MS));
	EXPECT_EQ(EINVAL, tm_set(fd, -5, 0));
	EXPECT_EQ(EINVAL, tm_set(fd, 10 * WS_NS_PER_SEC, 5));
	EXPECT_EQ(1, WS_QUERY_FIELD(fd, signaled));
	EXPECT_EQ(0, tm_active(fd));

	/* Unreadable arguments. */
	EXPECT_EQ(EFAULT, ws_ioctl(fd, WINSYNC_IOC_TIMER_SET, NULL));
	EXPECT_EQ(EFAULT, ws_ioctl(fd, WINSYNC_IOC_TIMER_SET, (void *)8));
	EXPECT_EQ(1, WS_QUERY_FIELD(fd, signaled));
	close(fd);
	close(dev);
}

TEST(rights)
{
	struct pollfd pfd;
	int dev, fd, ro, mod;
	__u32 was;

	WS_OPEN_DEV(dev);
	fd = tm_new(dev, true);
	ASSERT_LE(0, fd);
	ro = ws_reopen(fd, WINSYNC_ACCESS_ALL & ~WINSYNC_ACCESS_MODIFY_STATE, 0);
	ASSERT_LE(0, ro);
	EXPECT_EQ(EACCES, tm_set(ro, 0, 0));
	EXPECT_EQ(EACCES, tm_set(ro, -1, 0));
	EXPECT_EQ(0, tm_set(fd, 10 * WS_NS_PER_SEC, 0));
	EXPECT_EQ(EACCES, tm_cancel(ro, &was));
	EXPECT_EQ(1, tm_active(fd));
	EXPECT_EQ(EACCES, ws_ioctl(ro, WINSYNC_IOC_TIMER_CANCEL, NULL));
	close(ro);

	mod = ws_reopen(fd, WINSYNC_ACCESS_MODIFY_STATE, 0);
	ASSERT_LE(0, mod);
	EXPECT_EQ(0, tm_cancel(mod, &was));
	EXPECT_EQ(1, was);
	EXPECT_EQ(0, tm_set(mod, 0, 0));
	ASSERT_TRUE(await_signaled(fd, WS_LONG_MS));
	/* No QUERY_STATE, no SYNCHRONIZE. */
	EXPECT_EQ(EACCES, ws_query(mod, &(struct winsync_obj_info){}));
	EXPECT_EQ(EACCES, ws_wait1(dev, mod, 0, NULL));
	pfd.fd = mod;
	pfd.events = POLLIN;
	pfd.revents = 0;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLERR, pfd.revents & (POLLERR | POLLIN));
	close(mod);

	/* SYNCHRONIZE alone may wait. */
	ro = ws_reopen(fd, WINSYNC_ACCESS_SYNCHRONIZE, 0);
	ASSERT_LE(0, ro);
	EXPECT_EQ(0, ws_wait1(dev, ro, 0, NULL));
	EXPECT_EQ(EACCES, tm_set(ro, 0, 0));
	close(ro);
	close(fd);
	close(dev);
}

TEST(wrong_type_ioctls)
{
	int dev, objs[3], tm, i;
	__u32 v;

	WS_OPEN_DEV(dev);
	objs[0] = ws_sem(dev, 0, 1);
	objs[1] = ws_mutex(dev, false);
	objs[2] = ws_event(dev, true, false);
	for (i = 0; i < 3; i++) {
		ASSERT_LE(0, objs[i]);
		EXPECT_EQ(ENOTTY, tm_set(objs[i], 0, 0));
		EXPECT_EQ(ENOTTY, tm_cancel(objs[i], NULL));
	}
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[2], signaled));
	tm = tm_new(dev, true);
	ASSERT_LE(0, tm);
	EXPECT_EQ(ENOTTY, ws_event_set(tm, NULL));
	EXPECT_EQ(ENOTTY, ws_event_reset(tm, NULL));
	EXPECT_EQ(ENOTTY, ws_event_pulse(tm, NULL));
	EXPECT_EQ(ENOTTY, ws_sem_release(tm, 1, NULL));
	EXPECT_EQ(ENOTTY, ws_mutex_release(tm, NULL));
	EXPECT_EQ(0, WS_QUERY_FIELD(tm, signaled));
	/* Timer ioctls on the device itself. */
	v = 0;
	EXPECT_EQ(ENOTTY, ws_ioctl(dev, WINSYNC_IOC_TIMER_CANCEL, &v));
	for (i = 0; i < 3; i++)
		close(objs[i]);
	close(tm);
	close(dev);
}

/* ---- one-shot expiry ---- */

TEST(never_fires_early)
{
	const __u64 due = 200 * MS;
	int dev, fd, manual;
	__u64 t0, tq, t1;
	long long sig;
	int polls;

	WS_OPEN_DEV(dev);
	for (manual = 0; manual < 2; manual++) {
		fd = tm_new(dev, manual);
		ASSERT_LE(0, fd);
		t0 = now_mono();
		ASSERT_EQ(0, tm_set(fd, due, 0));
		/* Every look strictly before t0 + due sees it not signaled. */
		polls = 0;
		for (;;) {
			sig = WS_QUERY_FIELD(fd, signaled);
			tq = now_mono();
			if (tq >= t0 + due)
				break;
			EXPECT_EQ(0, sig) TH_LOG("signaled %llu ns after set",
						 (unsigned long long)(tq - t0));
			EXPECT_EQ(0, WS_QUERY_FIELD(fd, timer_expirations));
			polls++;
			ws_sleep_ms(5);
		}
		EXPECT_LT(0, polls);
		/* And a waiter wakes at due or later, within the bound. */
		EXPECT_EQ(0, ws_wait1(dev, fd, t0 + due + SLOW_NS + WS_LONG_MS * MS,
				      NULL));
		t1 = now_mono();
		EXPECT_LE(t0 + due, t1);
		EXPECT_GE(t0 + due + SLOW_NS, t1)
			TH_LOG("fired %llu ms late", (unsigned long long)
			       ((t1 - t0 - due) / MS));
		close(fd);
	}
	close(dev);
}

TEST(notification_wakes_all_and_stays_signaled)
{
	const __u64 due = 100 * MS;
	struct winsync_obj_info info;
	struct ws_waiter w[3];
	int dev, fd, i;
	__u64 t0, t1;

	WS_OPEN_DEV(dev);
	fd = tm_new(dev, true);
	ASSERT_LE(0, fd);
	ASSERT_TRUE(start_waiters(w, 3, dev, fd));
	t0 = now_mono();
	ASSERT_EQ(0, tm_set(fd, due, 0));
	ASSERT_EQ(0, ws_query(fd, &info));
	EXPECT_EQ(WINSYNC_INFO_ACTIVE | WINSYNC_INFO_MANUAL_RESET, info.flags);
	EXPECT_GE(due, info.timer_remaining_ns);
	EXPECT_EQ(0, info.timer_period_ns);
	for (i = 0; i < 3; i++) {
		ASSERT_TRUE(ws_waiter_finish(&w[i], WS_LONG_MS));
		EXPECT_EQ(0, w[i].ret);
		EXPECT_EQ(0, w[i].args.index);
		EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, w[i].args.status);
	}
	t1 = now_mono();
	EXPECT_LE(t0 + due, t1);
	EXPECT_GE(t0 + due + SLOW_NS, t1);
	/* One-shot: inactive now, signaled until set again. */
	ASSERT_EQ(0, ws_query(fd, &info));
	EXPECT_EQ(1, info.signaled);
	EXPECT_EQ(WINSYNC_INFO_MANUAL_RESET, info.flags);
	EXPECT_EQ(0, info.timer_remaining_ns);
	EXPECT_EQ(0, info.timer_period_ns);
	EXPECT_EQ(1, info.timer_expirations);
	EXPECT_EQ(0, info.waiters);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, ws_wait1(dev, fd, 0, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(fd, signaled));
	/* Setting again makes it non-signaled; expirations keep counting. */
	EXPECT_EQ(0, tm_set(fd, 30 * MS, 0));
	EXPECT_EQ(0, WS_QUERY_FIELD(fd, signaled));
	EXPECT_EQ(0, wait_ms(dev, fd, WS_LONG_MS));
	EXPECT_EQ(2, WS_QUERY_FIELD(fd, timer_expirations));
	EXPECT_EQ(0, tm_active(fd));
	close(fd);
	close(dev);
}

TEST(synchronization_wakes_one_per_expiry)
{
	struct ws_waiter w[3];
	int dev, fd, i;

	WS_OPEN_DEV(dev);
	fd = tm_new(dev, false);
	ASSERT_LE(0, fd);
	ASSERT_TRUE(start_waiters(w, 3, dev, fd));
	for (i = 1; i <= 3; i++) {
		ASSERT_EQ(0, tm_set(fd, 20 * MS, 0));
		ASSERT_TRUE(await_done(w, 3, i, WS_LONG_MS));
		/* Exactly one more, and the expiry was consumed. */
		ws_sleep_ms(WS_BLOCK_MS);
		EXPECT_EQ(i, count_done(w, 3));
		EXPECT_EQ(0, WS_QUERY_FIELD(fd, signaled));
		EXPECT_EQ(i, WS_QUERY_FIELD(fd, timer_expirations));
		EXPECT_EQ(3 - i, WS_QUERY_FIELD(fd, waiters));
	}
	for (i = 0; i < 3; i++) {
		ASSERT_TRUE(ws_waiter_finish(&w[i], WS_LONG_MS));
		EXPECT_EQ(0, w[i].ret);
	}

	/* Without a waiter it stays signaled until one wait takes it. */
	ASSERT_EQ(0, tm_set(fd, 0, 0));
	ASSERT_TRUE(await_signaled(fd, WS_LONG_MS));
	EXPECT_EQ(0, tm_active(fd));
	EXPECT_EQ(0, ws_wait1(dev, fd, 0, NULL));
	EXPECT_EQ(0, WS_QUERY_FIELD(fd, signaled));
	EXPECT_EQ(ETIMEDOUT, ws_wait1(dev, fd, 0, NULL));
	EXPECT_EQ(4, WS_QUERY_FIELD(fd, timer_expirations));
	close(fd);
	close(dev);
}

TEST(set_resets_and_wakes_nobody)
{
	struct ws_waiter w;
	int dev, fd, manual;
	__u32 was;

	WS_OPEN_DEV(dev);
	for (manual = 0; manual < 2; manual++) {
		fd = tm_new(dev, manual);
		ASSERT_LE(0, fd);
		/* Signaled, then set: non-signaled at once, nobody woken. */
		ASSERT_EQ(0, tm_set(fd, 0, 0));
		ASSERT_TRUE(await_signaled(fd, WS_LONG_MS));
		ASSERT_EQ(0, tm_set(fd, 10 * WS_NS_PER_SEC, 0));
		EXPECT_EQ(0, WS_QUERY_FIELD(fd, signaled));
		EXPECT_EQ(1, tm_active(fd));
		EXPECT_EQ(1, WS_QUERY_FIELD(fd, timer_expirations));

		/* Re-setting an active timer does not release its waiters. */
		ASSERT_TRUE(start_waiters(&w, 1, dev, fd));
		ASSERT_EQ(0, tm_set(fd, 10 * WS_NS_PER_SEC, 0));
		ws_sleep_ms(WS_BLOCK_MS);
		EXPECT_FALSE(ws_waiter_done(&w));
		ASSERT_EQ(0, tm_set(fd, 5 * WS_NS_PER_SEC, 100 * MS));
		ws_sleep_ms(WS_BLOCK_MS);
		EXPECT_FALSE(ws_waiter_done(&w));
		/* Nor does cancelling it. */
		ASSERT_EQ(0, tm_cancel(fd, &was));
		EXPECT_EQ(1, was);
		ws_sleep_ms(WS_BLOCK_MS);
		EXPECT_FALSE(ws_waiter_done(&w));
		EXPECT_EQ(1, WS_QUERY_FIELD(fd, waiters));
		EXPECT_EQ(1, WS_QUERY_FIELD(fd, timer_expirations));
		/* Only an expiry does. */
		ASSERT_EQ(0, tm_set(fd, 0, 0));
		ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
		EXPECT_EQ(0, w.ret);
		EXPECT_EQ(manual, WS_QUERY_FIELD(fd, signaled));
		close(fd);
	}
	close(dev);
}

TEST(zero_and_past_due_fire_at_once)
{
	struct timespec ts;
	int dev, fd;
	__u64 t0;

	WS_OPEN_DEV(dev);
	fd = tm_new(dev, true);
	ASSERT_LE(0, fd);
	t0 = now_mono();
	ASSERT_EQ(0, tm_set(fd, 0, 0));
	EXPECT_EQ(0, wait_ms(dev, fd, WS_LONG_MS));
	EXPECT_GE(t0 + SLOW_NS, now_mono());

	/* Absolute times in the past: long ago, a second ago, negative. */
	ASSERT_EQ(0, tm_set_ex(fd, 1, 0, 0, WINSYNC_TIMER_ABSOLUTE));
	EXPECT_EQ(0, wait_ms(dev, fd, WS_LONG_MS));
	clock_gettime(CLOCK_REALTIME, &ts);
	ASSERT_EQ(0, tm_set_ex(fd, (ts.tv_sec - 1) * (__s64)WS_NS_PER_SEC, 0, 0,
			       WINSYNC_TIMER_ABSOLUTE));
	EXPECT_EQ(0, wait_ms(dev, fd, WS_LONG_MS));
	ASSERT_EQ(0, tm_set_ex(fd, -1, 0, 0, WINSYNC_TIMER_ABSOLUTE));
	EXPECT_EQ(0, wait_ms(dev, fd, WS_LONG_MS));
	ASSERT_EQ(0, tm_set_ex(fd, INT64_MIN, 0, 0, WINSYNC_TIMER_ABSOLUTE));
	EXPECT_EQ(0, wait_ms(dev, fd, WS_LONG_MS));
	EXPECT_EQ(5, WS_QUERY_FIELD(fd, timer_expirations));
	EXPECT_EQ(0, tm_active(fd));
	close(fd);
	close(dev);
}

TEST(absolute_due)
{
	const __u64 due = 200 * MS;
	long long sig, active;
	__u64 target;
	int dev, fd;

	WS_OPEN_DEV(dev);
	fd = tm_new(dev, false);
	ASSERT_LE(0, fd);
	target = ws_now(CLOCK_REALTIME) + due;
	ASSERT_EQ(0, tm_set_ex(fd, target, 0, 0, WINSYNC_TIMER_ABSOLUTE));
	active = tm_active(fd);
	EXPECT_GE(due, WS_QUERY_FIELD(fd, timer_remaining_ns));
	sig = WS_QUERY_FIELD(fd, signaled);
	/* Only a query made before the due time must see it armed. */
	if (ws_now(CLOCK_REALTIME) < target) {
		EXPECT_EQ(1, active);
		EXPECT_EQ(0, sig);
	}
	EXPECT_EQ(0, wait_ms(dev, fd, 200 + 2000 + WS_LONG_MS));
	EXPECT_EQ(0, WS_QUERY_FIELD(fd, signaled));
	close(fd);

	/* Measured on CLOCK_REALTIME: at or after the target. */
	fd = tm_new(dev, false);
	ASSERT_LE(0, fd);
	target = ws_now(CLOCK_REALTIME) + due;
	ASSERT_EQ(0, tm_set_ex(fd, target, 0, 0, WINSYNC_TIMER_ABSOLUTE));
	EXPECT_EQ(0, wait_ms(dev, fd, 200 + 2000 + WS_LONG_MS));
	EXPECT_LE(target, ws_now(CLOCK_REALTIME));
	EXPECT_GE(target + SLOW_NS, ws_now(CLOCK_REALTIME));
	EXPECT_EQ(0, tm_active(fd));
	EXPECT_EQ(1, WS_QUERY_FIELD(fd, timer_expirations));
	close(fd);
	close(dev);
}

TEST(remaining_time)
{
	const __u64 due = 10 * WS_NS_PER_SEC;
	struct winsync_obj_info info;
	int dev, fd;
	__u64 t0, q1;

	WS_OPEN_DEV(dev);
	fd = tm_new(dev, true);
	ASSERT_LE(0, fd);
	t0 = now_mono();
	ASSERT_EQ(0, tm_set(fd, due, 0));
	ASSERT_EQ(0, ws_query(fd, &info));
	q1 = now_mono();
	EXPECT_EQ(WINSYNC_INFO_ACTIVE | WINSYNC_INFO_MANUAL_RESET, info.flags);
	/* Expiry at t0 + due or later, queried before q1. */
	EXPECT_GE(due, info.timer_remaining_ns);
	EXPECT_LE(t0 + due - q1, info.timer_remaining_ns);
	EXPECT_EQ(0, info.timer_period_ns);
	EXPECT_EQ(0, info.signaled);
	EXPECT_EQ(0, tm_cancel(fd, NULL));
	ASSERT_EQ(0, ws_query(fd, &info));
	EXPECT_EQ(0, info.timer_remaining_ns);
	EXPECT_EQ(WINSYNC_INFO_MANUAL_RESET, info.flags);
	close(fd);
	close(dev);
}

/* ---- cancel ---- */

TEST(cancel)
{
	struct winsync_obj_info info;
	int dev, fd;
	__u32 was;

	WS_OPEN_DEV(dev);
	fd = tm_new(dev, true);
	ASSERT_LE(0, fd);
	/* Inactive: 0. */
	EXPECT_EQ(0, tm_cancel(fd, &was));
	EXPECT_EQ(0, was);
	/* Armed: 1, and it never fires. */
	ASSERT_EQ(0, tm_set(fd, 50 * MS, 10 * MS));
	EXPECT_EQ(0, tm_cancel(fd, &was));
	EXPECT_EQ(1, was);
	ASSERT_EQ(0, ws_query(fd, &info));
	EXPECT_EQ(0, info.flags & WINSYNC_INFO_ACTIVE);
	EXPECT_EQ(0, info.timer_remaining_ns);
	/* The period of the last set is still reported. */
	EXPECT_EQ(10 * MS, info.timer_period_ns);
	EXPECT_EQ(ETIMEDOUT, wait_ms(dev, fd, 300));
	EXPECT_EQ(0, WS_QUERY_FIELD(fd, timer_expirations));
	EXPECT_EQ(0, tm_cancel(fd, &was));
	EXPECT_EQ(0, was);

	/* A fired one-shot: inactive, cancel leaves it signaled. */
	ASSERT_EQ(0, tm_set(fd, 0, 0));
	ASSERT_TRUE(await_signaled(fd, WS_LONG_MS));
	EXPECT_EQ(0, tm_cancel(fd, &was));
	EXPECT_EQ(0, was);
	EXPECT_EQ(1, WS_QUERY_FIELD(fd, signaled));
	close(fd);

	/* A running periodic synchronization timer, signaled: stays so. */
	fd = tm_new(dev, false);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, tm_set(fd, 0, 20 * MS));
	ASSERT_TRUE(await_signaled(fd, WS_LONG_MS));
	EXPECT_EQ(0, tm_cancel(fd, &was));
	EXPECT_EQ(1, was);
	EXPECT_EQ(1, WS_QUERY_FIELD(fd, signaled));
	EXPECT_EQ(0, tm_active(fd));
	/* Consumed once, then nothing more comes. */
	EXPECT_EQ(0, ws_wait1(dev, fd, 0, NULL));
	EXPECT_EQ(ETIMEDOUT, wait_ms(dev, fd, 100));
	close(fd);

	/* The result cannot be written: cancelled anyway. */
	fd = tm_new(dev, false);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, tm_set(fd, 50 * MS, 0));
	EXPECT_EQ(EFAULT, ws_ioctl(fd, WINSYNC_IOC_TIMER_CANCEL, NULL));
	EXPECT_EQ(0, tm_active(fd));
	EXPECT_EQ(ETIMEDOUT, wait_ms(dev, fd, 200));
	close(fd);
	close(dev);
}

/* ---- periodic ---- */

TEST(periodic_notification)
{
	const __u64 due = 50 * MS, period = 50 * MS, run = WS_NS_PER_SEC;
	struct winsync_obj_info info;
	__u64 t0, t1, q0, q1, x, d, r, tol, elapsed;
	int dev, fd, tries;
	unsigned long long bound;

	WS_OPEN_DEV(dev);
	fd = tm_new(dev, true);
	ASSERT_LE(0, fd);
	t0 = now_mono();
	ASSERT_EQ(0, tm_set(fd, due, period));
	t1 = now_mono();
	EXPECT_EQ(0, wait_ms(dev, fd, WS_LONG_MS));
	EXPECT_LE(t0 + due, now_mono());
	ws_sleep_ms((run - due) / MS);

	/*
	 * No drift: each expiry is the previous due time + period, so the
	 * next one is t_set + due + k * period for an integer k, t_set being
	 * when the kernel read the clock in TIMER_SET, within [t0, t1].
	 */
	for (tries = 0; tries < 20; tries++) {
		q0 = now_mono();
		ASSERT_EQ(0, ws_query(fd, &info));
		q1 = now_mono();
		if (info.timer_remaining_ns)
			break;
	}
	EXPECT_NE(0, info.timer_remaining_ns);
	EXPECT_EQ(WINSYNC_INFO_ACTIVE | WINSYNC_INFO_MANUAL_RESET, info.flags);
	EXPECT_EQ(period, info.timer_period_ns);
	EXPECT_EQ(1, info.signaled);
	EXPECT_GE(period, info.timer_remaining_ns);
	elapsed = q1 - t0;
	/* Never more than the due times passed; at least a fair share. */
	bound = (elapsed - due) / period + 1;
	EXPECT_GE(bound, info.timer_expirations)
		TH_LOG("%llu expirations in %llu ms", info.timer_expirations,
		       (unsigned long long)(elapsed / MS));
	EXPECT_LE(10, info.timer_expirations)
		TH_LOG("%llu expirations in %llu ms", info.timer_expirations,
		       (unsigned long long)(elapsed / MS));
	/* About 1 s: at most 25, unless the VM stalled for longer. */
	if (elapsed < 1250 * MS)
		EXPECT_GE(25, info.timer_expirations);

	x = q0 + info.timer_remaining_ns;	/* true expiry in [x, x + q1 - q0] */
	d = x - t0 - due;
	r = d % period;
	tol = (t1 - t0) + (q1 - q0) + 1000;
	EXPECT_TRUE(r <= tol || period - r <= tol)
		TH_LOG("next expiry off the grid by %llu ns (tolerance %llu ns)",
		       (unsigned long long)(r <= period / 2 ? r : period - r),
		       (unsigned long long)tol);

	/* A wait never consumes a notification timer. */
	EXPECT_EQ(0, ws_wait1(dev, fd, 0, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(fd, signaled));
	EXPECT_EQ(0, tm_cancel(fd, NULL));
	close(fd);
	close(dev);
}

TEST(periodic_synchronization)
{
	const __u64 due = 20 * MS, period = 20 * MS;
	const int n = 10;
	int dev, fd, i;
	__u64 t0, t1 = 0;

	WS_OPEN_DEV(dev);
	fd = tm_new(dev, false);
	ASSERT_LE(0, fd);
	t0 = now_mono();
	ASSERT_EQ(0, tm_set(fd, due, period));
	/* The k-th wait needs the k-th expiry, at t0 + due + (k-1) period. */
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, wait_ms(dev, fd, WS_LONG_MS)) TH_LOG("wait %d", i);
		t1 = now_mono();
		EXPECT_LE(t0 + due + i * period, t1) TH_LOG("wait %d", i);
	}
	EXPECT_GE(t0 + due + (n - 1) * period + SLOW_NS, t1);
	EXPECT_EQ(1, tm_active(fd));
	EXPECT_LE(n, WS_QUERY_FIELD(fd, timer_expirations));
	EXPECT_EQ(0, tm_cancel(fd, NULL));
	close(fd);
	close(dev);
}

TEST(expiries_while_signaled_coalesce)
{
	const __u64 period = 1 * MS;
	__u64 t0, t1;
	long long n;
	int dev, fd;

	WS_OPEN_DEV(dev);
	fd = tm_new(dev, false);
	ASSERT_LE(0, fd);
	t0 = now_mono();
	ASSERT_EQ(0, tm_set(fd, 0, period));
	ws_sleep_ms(200);
	EXPECT_EQ(0, tm_cancel(fd, NULL));
	t1 = now_mono();
	/* Many expiries were counted (missed ones included)... */
	n = WS_QUERY_FIELD(fd, timer_expirations);
	EXPECT_LE(20, n);
	EXPECT_GE((long long)((t1 - t0) / period + 1), n);
	/* ... but they signaled it once: one wait, then none. */
	EXPECT_EQ(0, ws_wait1(dev, fd, 0, NULL));
	EXPECT_EQ(ETIMEDOUT, ws_wait1(dev, fd, 0, NULL));
	EXPECT_EQ(n, WS_QUERY_FIELD(fd, timer_expirations));
	close(fd);
	close(dev);
}

/* ---- timers in waits ---- */

TEST(wait_any_with_timer)
{
	struct winsync_wait_args args;
	int dev, objs[3];

	WS_OPEN_DEV(dev);
	objs[0] = ws_event(dev, true, false);
	objs[1] = ws_sem(dev, 0, 1);
	objs[2] = tm_new(dev, false);
	ASSERT_LE(0, objs[0]);
	ASSERT_LE(0, objs[1]);
	ASSERT_LE(0, objs[2]);
	ASSERT_EQ(0, tm_set(objs[2], 30 * MS, 0));
	EXPECT_EQ(0, ws_wait(dev, objs, 3, 0, ws_deadline_ms(WS_LONG_MS), &args));
	EXPECT_EQ(2, args.index);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, args.status);
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[2], signaled));
	/* A signaled timer at a lower index wins. */
	ASSERT_EQ(0, tm_set(objs[2], 0, 0));
	ASSERT_TRUE(await_signaled(objs[2], WS_LONG_MS));
	close(objs[1]);
	objs[1] = objs[2];
	objs[2] = ws_event(dev, true, true);
	ASSERT_LE(0, objs[2]);
	EXPECT_EQ(0, ws_wait(dev, objs, 3, 0, 0, &args));
	EXPECT_EQ(1, args.index);
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[1], signaled));
	close(objs[0]);
	close(objs[1]);
	close(objs[2]);
	close(dev);
}

TEST(wait_all_with_events)
{
	struct ws_waiter w;
	int dev, objs[2], ev_auto;

	WS_OPEN_DEV(dev);
	/* Timer + signaled manual event: done when the timer fires. */
	objs[0] = tm_new(dev, false);
	objs[1] = ws_event(dev, true, true);
	ASSERT_LE(0, objs[0]);
	ASSERT_LE(0, objs[1]);
	ws_waiter_init(&w, dev, objs, 2, WINSYNC_WAIT_ALL, WINSYNC_TIMEOUT_INFINITE);
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(objs[0], 1));
	ws_sleep_ms(WS_BLOCK_MS);
	EXPECT_FALSE(ws_waiter_done(&w));
	ASSERT_EQ(0, tm_set(objs[0], 20 * MS, 0));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, w.args.status);
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[0], signaled));
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[1], signaled));
	close(objs[1]);

	/* Timer + auto event: the fired timer waits for the event, then both go. */
	ev_auto = ws_event(dev, false, false);
	ASSERT_LE(0, ev_auto);
	objs[1] = ev_auto;
	ws_waiter_init(&w, dev, objs, 2, WINSYNC_WAIT_ALL, WINSYNC_TIMEOUT_INFINITE);
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(objs[0], 1));
	ASSERT_EQ(0, tm_set(objs[0], 0, 0));
	ASSERT_TRUE(await_signaled(objs[0], WS_LONG_MS));
	ws_sleep_ms(WS_BLOCK_MS);
	EXPECT_FALSE(ws_waiter_done(&w));
	EXPECT_EQ(1, WS_QUERY_FIELD(objs[0], signaled));
	EXPECT_EQ(0, ws_event_set(ev_auto, NULL));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[0], signaled));
	EXPECT_EQ(0, WS_QUERY_FIELD(ev_auto, signaled));
	close(objs[0]);
	close(ev_auto);
	close(dev);
}

TEST(signal_and_wait)
{
	struct winsync_wait_args args;
	int dev, ev, tm, target;
	__u64 t0;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, false);
	tm = tm_new(dev, false);
	ASSERT_LE(0, ev);
	ASSERT_LE(0, tm);
	/* The timer as the wait target. */
	t0 = now_mono();
	ASSERT_EQ(0, tm_set(tm, 50 * MS, 0));
	EXPECT_EQ(0, ws_wait_ex(dev, &tm, 1, WINSYNC_WAIT_SIGNAL,
				ws_deadline_ms(WS_LONG_MS), 0, ev, &args));
	EXPECT_LE(t0 + 50 * MS, now_mono());
	EXPECT_EQ(0, args.index);
	EXPECT_EQ(1, WS_QUERY_FIELD(ev, signaled));
	EXPECT_EQ(0, WS_QUERY_FIELD(tm, signaled));

	/* The timer as the signal object: EINVAL, nothing done. */
	target = ev;
	ASSERT_EQ(0, tm_set(tm, 10 * WS_NS_PER_SEC, 0));
	EXPECT_EQ(EINVAL, ws_wait_ex(dev, &target, 1, WINSYNC_WAIT_SIGNAL, 0, 0,
				     tm, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(ev, signaled));
	EXPECT_EQ(0, WS_QUERY_FIELD(tm, signaled));
	EXPECT_EQ(1, tm_active(tm));
	EXPECT_EQ(0, tm_cancel(tm, NULL));
	close(ev);
	close(tm);
	close(dev);
}

/* ---- poll, epoll, fdinfo ---- */

TEST(poll_and_epoll)
{
	struct epoll_event ev, out;
	struct pollfd pfd;
	int dev, fd, ep;

	WS_OPEN_DEV(dev);
	fd = tm_new(dev, false);
	ASSERT_LE(0, fd);
	pfd.fd = fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, tm_set(fd, 50 * MS, 0));
	EXPECT_EQ(1, poll(&pfd, 1, 50 + 2000 + WS_LONG_MS));
	EXPECT_EQ(POLLIN, pfd.revents & (POLLIN | POLLERR));
	/* Polling does not consume the auto-reset timer. */
	EXPECT_EQ(1, WS_QUERY_FIELD(fd, signaled));
	EXPECT_EQ(1, poll(&pfd, 1, 0));

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u32 = 42;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 0));
	/* Set again: not signaled, then ready at the expiry. */
	ASSERT_EQ(0, tm_set(fd, 50 * MS, 0));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	memset(&out, 0, sizeof(out));
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 50 + 2000 + WS_LONG_MS));
	EXPECT_EQ(42, out.data.u32);
	EXPECT_TRUE(out.events & EPOLLIN);
	/* A wait takes it; then not ready. */
	EXPECT_EQ(0, ws_wait1(dev, fd, 0, NULL));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	/* A periodic timer keeps coming back. */
	ASSERT_EQ(0, tm_set(fd, 0, 20 * MS));
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, WS_LONG_MS));
	EXPECT_EQ(0, ws_wait1(dev, fd, 0, NULL));
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, WS_LONG_MS));
	EXPECT_EQ(0, tm_cancel(fd, NULL));
	close(ep);
	close(fd);
	close(dev);
}

TEST(fdinfo_timer)
{
	char val[64];
	int dev, fd;

	WS_OPEN_DEV(dev);
	fd = tm_new(dev, true);
	ASSERT_LE(0, fd);
	EXPECT_FDINFO(fd, "winsync-type", "timer");
	EXPECT_FDINFO(fd, "winsync-manual", "1");
	EXPECT_FDINFO(fd, "winsync-active", "0");
	EXPECT_FDINFO(fd, "winsync-signaled", "0");
	EXPECT_FDINFO(fd, "winsync-remaining-ns", "0");
	EXPECT_FDINFO(fd, "winsync-period-ns", "0");
	EXPECT_FDINFO(fd, "winsync-expirations", "0");
	ASSERT_EQ(0, tm_set(fd, 10 * WS_NS_PER_SEC, 50 * MS));
	EXPECT_FDINFO(fd, "winsync-active", "1");
	EXPECT_FDINFO(fd, "winsync-period-ns", "50000000");
	ASSERT_TRUE(ws_fdinfo_get(fd, "winsync-remaining-ns", val, sizeof(val)));
	EXPECT_LT(0, strtoull(val, NULL, 10));
	EXPECT_GE(10 * WS_NS_PER_SEC, strtoull(val, NULL, 10));
	ASSERT_EQ(0, tm_set(fd, 0, 0));
	ASSERT_TRUE(await_signaled(fd, WS_LONG_MS));
	EXPECT_FDINFO(fd, "winsync-active", "0");
	EXPECT_FDINFO(fd, "winsync-signaled", "1");
	EXPECT_FDINFO(fd, "winsync-remaining-ns", "0");
	EXPECT_FDINFO(fd, "winsync-expirations", "1");
	close(fd);
	fd = tm_new(dev, false);
	ASSERT_LE(0, fd);
	EXPECT_FDINFO(fd, "winsync-manual", "0");
	close(fd);
	close(dev);
}

/* ---- clock changes (root) ---- */

/* Move CLOCK_REALTIME by @delta_ns; 0 or errno. */
static int clock_jump(__s64 delta_ns)
{
	struct timespec ts;
	__s64 t;

	clock_gettime(CLOCK_REALTIME, &ts);
	t = ts.tv_sec * (__s64)WS_NS_PER_SEC + ts.tv_nsec + delta_ns;
	ts.tv_sec = t / (__s64)WS_NS_PER_SEC;
	ts.tv_nsec = t % (__s64)WS_NS_PER_SEC;
	return clock_settime(CLOCK_REALTIME, &ts) ? errno : 0;
}

/* Put CLOCK_REALTIME back to @r0 + the monotonic time since @m0. */
static void clock_restore(__u64 r0, __u64 m0)
{
	__u64 t = r0 + (now_mono() - m0);
	struct timespec ts = {
		.tv_sec = (time_t)(t / WS_NS_PER_SEC),
		.tv_nsec = (long)(t % WS_NS_PER_SEC),
	};

	clock_settime(CLOCK_REALTIME, &ts);
}

TEST(absolute_follows_clock_change)
{
	struct ws_waiter w;
	__u64 r0, m0, jumped, woke;
	int dev, fd, err;
	bool early, done;

	WS_OPEN_DEV(dev);
	fd = tm_new(dev, true);
	ASSERT_LE(0, fd);
	m0 = now_mono();
	r0 = ws_now(CLOCK_REALTIME);
	ASSERT_EQ(0, tm_set_ex(fd, r0 + 60 * WS_NS_PER_SEC, 0, 0,
			       WINSYNC_TIMER_ABSOLUTE));
	ASSERT_TRUE(start_waiters(&w, 1, dev, fd));
	ws_sleep_ms(WS_BLOCK_MS);
	early = ws_waiter_done(&w);
	err = clock_jump(61 * (__s64)WS_NS_PER_SEC);
	if (err) {
		tm_set(fd, 0, 0);
		ws_waiter_finish(&w, WS_LONG_MS);
		close(fd);
		close(dev);
		SKIP(return, "clock_settime: %s", strerror(err));
	}
	jumped = now_mono();
	done = ws_waiter_finish(&w, WS_LONG_MS);
	woke = now_mono();
	clock_restore(r0, m0);
	EXPECT_FALSE(early);
	if (!done)
		tm_set(fd, 0, 0);
	ASSERT_TRUE(done);
	EXPECT_EQ(0, w.ret);
	/* Promptly: nowhere near the 60 s it had left before the jump. */
	EXPECT_GE(jumped + SLOW_NS, woke)
		TH_LOG("woke %llu ms after the jump",
		       (unsigned long long)((woke - jumped) / MS));
	EXPECT_EQ(1, WS_QUERY_FIELD(fd, timer_expirations));
	/* The clock is back within a second of where it should be. */
	EXPECT_GE(r0 + (now_mono() - m0) + WS_NS_PER_SEC, ws_now(CLOCK_REALTIME));
	EXPECT_LE(r0 + (now_mono() - m0), ws_now(CLOCK_REALTIME) + WS_NS_PER_SEC);
	close(fd);
	close(dev);
}

TEST(relative_ignores_clock_change)
{
	const __u64 due = 3 * WS_NS_PER_SEC;
	struct winsync_obj_info info;
	__u64 r0, m0, t0, q1, t1;
	int dev, fd, err, qerr;

	WS_OPEN_DEV(dev);
	fd = tm_new(dev, true);
	ASSERT_LE(0, fd);
	m0 = now_mono();
	r0 = ws_now(CLOCK_REALTIME);
	t0 = now_mono();
	ASSERT_EQ(0, tm_set(fd, due, 0));
	err = clock_jump(10 * (__s64)WS_NS_PER_SEC);
	if (err) {
		close(fd);
		close(dev);
		SKIP(return, "clock_settime: %s", strerror(err));
	}
	ws_sleep_ms(1000);
	qerr = ws_query(fd, &info);
	q1 = now_mono();
	clock_restore(r0, m0);
	ASSERT_EQ(0, qerr);
	EXPECT_EQ(0, info.signaled);
	EXPECT_EQ(0, info.timer_expirations);
	EXPECT_EQ(WINSYNC_INFO_ACTIVE | WINSYNC_INFO_MANUAL_RESET, info.flags);
	if (q1 < t0 + due)
		EXPECT_LE(t0 + due - q1, info.timer_remaining_ns);
	/* It still fires, on the monotonic schedule. */
	EXPECT_EQ(0, wait_ms(dev, fd, 3000 + 2000 + WS_LONG_MS));
	t1 = now_mono();
	EXPECT_LE(t0 + due, t1);
	EXPECT_GE(t0 + due + SLOW_NS, t1);
	close(fd);
	close(dev);
}

/* ---- teardown and races ---- */

struct race_shared {
	atomic_int stop;
	atomic_long iters, waits_ok, waits_timedout, handed;
	atomic_int errors;
	atomic_int have_msg;
	char msg[200];
	/* A dup'd handle passed from a worker to a waiter, or -1. */
	atomic_int slot[4];
};

struct race_worker {
	struct race_shared *sh;
	int dev;
	int id;
	uint64_t rng;
};

static unsigned int rnd(struct race_worker *w, unsigned int n)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return (unsigned int)(w->rng % n);
}

static void race_error(struct race_shared *sh, const char *what, int err)
{
	atomic_fetch_add(&sh->errors, 1);
	if (!atomic_exchange(&sh->have_msg, 1))
		snprintf(sh->msg, sizeof(sh->msg), "%s: %s", what, strerror(err));
}

#define CHECK(sh, what, expr) do {					\
	int __e = (expr);						\
	if (__e)							\
		race_error((sh), (what), __e);				\
} while (0)

/* Create, arm at the minimum period, and close in many ways, as fast as possible. */
static void *churn_fn(void *arg)
{
	struct race_worker *w = arg;
	struct race_shared *sh = w->sh;
	int fd, err, old;

	while (!atomic_load(&sh->stop)) {
		fd = tm_new(w->dev, rnd(w, 2));
		if (fd < 0) {
			race_error(sh, "create", -fd);
			continue;
		}
		CHECK(sh, "set", tm_set(fd, rnd(w, 200) * 1000,
					WINSYNC_TIMER_MIN_PERIOD_NS));
		switch (rnd(w, 7)) {
		case 0:
			break;
		case 1:
			CHECK(sh, "cancel", tm_cancel(fd, NULL));
			break;
		case 2:
			CHECK(sh, "re-set", tm_set(fd, 0, 0));
			break;
		case 3:
			CHECK(sh, "re-set periodic",
			      tm_set_ex(fd, rnd(w, 100) * 1000,
					WINSYNC_TIMER_MIN_PERIOD_NS, rnd(w, 2) * 50000, 0));
			break;
		case 4:
			if (ws_query(fd, &(struct winsync_obj_info){}))
				race_error(sh, "query", errno);
			break;
		case 5:
			err = ws_wait1(w->dev, fd, ws_now(CLOCK_MONOTONIC) + MS, NULL);
			if (!err)
				atomic_fetch_add(&sh->waits_ok, 1);
			else if (err == ETIMEDOUT)
				atomic_fetch_add(&sh->waits_timedout, 1);
			else
				race_error(sh, "wait", err);
			break;
		case 6: {
			/* A waiter elsewhere holds the last handle. */
			int d = dup(fd);

			if (d < 0)
				break;
			old = atomic_exchange(&sh->slot[w->id], d);
			if (old >= 0)
				close(old);
			atomic_fetch_add(&sh->handed, 1);
			break;
		}
		}
		close(fd);
		atomic_fetch_add(&sh->iters, 1);
	}
	return NULL;
}

/* Take handed-over handles, wait on them briefly, close them. */
static void *taker_fn(void *arg)
{
	struct race_worker *w = arg;
	struct race_shared *sh = w->sh;
	int fd, err;

	for (;;) {
		fd = atomic_exchange(&sh->slot[w->id + rnd(w, 2)], -1);
		if (fd < 0) {
			if (atomic_load(&sh->stop))
				break;
			sched_yield();
			continue;
		}
		err = ws_wait1(w->dev, fd, ws_now(CLOCK_MONOTONIC) + 2 * MS, NULL);
		if (err && err != ETIMEDOUT)
			race_error(sh, "taker wait", err);
		close(fd);
	}
	return NULL;
}

static struct race_shared *race_shared_new(void)
{
	struct race_shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int i;

	if (sh == MAP_FAILED)
		return NULL;
	memset(sh, 0, sizeof(*sh));
	for (i = 0; i < 4; i++)
		atomic_init(&sh->slot[i], -1);
	return sh;
}

/* Two churners and a taker per process: ids 2p and 2p+1. */
static int run_churn_group(struct race_shared *sh, int dev, int p)
{
	struct race_worker w[3];
	pthread_t t[3];
	int i, n = 0;

	for (i = 0; i < 3; i++) {
		w[i].sh = sh;
		w[i].dev = dev;
		w[i].id = 2 * p + (i == 2 ? 0 : i);
		w[i].rng = 0x9e3779b97f4a7c15ULL * (2 * p + i + 1);
	}
	for (i = 0; i < 3; i++) {
		if (pthread_create(&t[i], NULL, i < 2 ? churn_fn : taker_fn, &w[i]))
			break;
		n++;
	}
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	/* Handed-over handles left behind, in this process. */
	for (i = 2 * p; i < 2 * p + 2; i++) {
		int fd = atomic_exchange(&sh->slot[i], -1);

		if (fd >= 0)
			close(fd);
	}
	return n == 3 ? 0 : 1;
}

static void *stopper_fn(void *arg)
{
	struct race_shared *sh = arg;

	ws_sleep_ms(1500);
	atomic_store(&sh->stop, 1);
	return NULL;
}

TEST(teardown_while_firing)
{
	struct race_shared *sh;
	pthread_t stopper;
	long long before;
	int dev, rc;
	pid_t pid;

	WS_OPEN_DEV(dev);
	sh = race_shared_new();
	ASSERT_NE(NULL, sh);
	before = live_objects(dev);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(run_churn_group(sh, dev, 1));
	/* The parent's group; everybody stops after 1.5 s. */
	if (pthread_create(&stopper, NULL, stopper_fn, sh))
		atomic_store(&sh->stop, 1);
	rc = run_churn_group(sh, dev, 0);
	pthread_join(stopper, NULL);
	EXPECT_EQ(0, rc);
	EXPECT_EQ(0, ws_reap(pid, WS_LONG_MS));
	TH_LOG("%ld timers, %ld handed over, waits %ld ok / %ld timed out",
	       atomic_load(&sh->iters), atomic_load(&sh->handed),
	       atomic_load(&sh->waits_ok), atomic_load(&sh->waits_timedout));
	if (atomic_load(&sh->have_msg))
		TH_LOG("first error: %s", sh->msg);
	EXPECT_EQ(0, atomic_load(&sh->errors));
	EXPECT_LT(100, atomic_load(&sh->iters));
	EXPECT_EQ(before, live_objects(dev));
	munmap(sh, sizeof(*sh));
	close(dev);
}

/* One timer shared by threads that set, cancel, wait, query and reopen. */
struct shared_timer {
	struct race_shared *sh;
	int dev;
	int fd;
	int role;
	uint64_t rng;
};

static void *shared_fn(void *arg)
{
	struct shared_timer *s = arg;
	struct race_shared *sh = s->sh;
	struct race_worker r = { .rng = s->rng };
	int fd = s->fd, h, err;

	while (!atomic_load(&sh->stop)) {
		switch (s->role) {
		case 0:
			CHECK(sh, "shared set", tm_set(fd, rnd(&r, 300) * 1000,
						       rnd(&r, 2) ? WINSYNC_TIMER_MIN_PERIOD_NS : 0));
			break;
		case 1:
			CHECK(sh, "shared cancel", tm_cancel(fd, NULL));
			break;
		case 2:
			err = ws_wait1(s->dev, fd, ws_now(CLOCK_MONOTONIC) + MS, NULL);
			if (err && err != ETIMEDOUT)
				race_error(sh, "shared wait", err);
			break;
		case 3:
			h = ws_reopen(fd, WINSYNC_ACCESS_ALL, 0);
			if (h < 0) {
				race_error(sh, "reopen", -h);
				break;
			}
			if (ws_query(h, &(struct winsync_obj_info){}))
				race_error(sh, "shared query", errno);
			close(h);
			break;
		}
		atomic_fetch_add(&sh->iters, 1);
	}
	close(fd);
	return NULL;
}

TEST(set_cancel_close_races)
{
	struct shared_timer s[4];
	struct race_shared *sh;
	pthread_t t[4];
	long long before;
	int dev, round, i, fd, n;

	WS_OPEN_DEV(dev);
	sh = race_shared_new();
	ASSERT_NE(NULL, sh);
	before = live_objects(dev);
	for (round = 0; round < 10; round++) {
		atomic_store(&sh->stop, 0);
		fd = tm_new(dev, round % 2);
		ASSERT_LE(0, fd);
		for (i = 0; i < 4; i++) {
			s[i].sh = sh;
			s[i].dev = dev;
			s[i].fd = dup(fd);
			s[i].role = i;
			s[i].rng = 0x9e3779b97f4a7c15ULL * (round * 4 + i + 1);
			ASSERT_LE(0, s[i].fd);
		}
		/* Each thread closes its own handle; the last close races. */
		close(fd);
		n = 0;
		for (i = 0; i < 4; i++) {
			if (pthread_create(&t[i], NULL, shared_fn, &s[i]))
				break;
			n++;
		}
		ws_sleep_ms(100);
		atomic_store(&sh->stop, 1);
		for (i = 0; i < n; i++)
			pthread_join(t[i], NULL);
		for (i = n; i < 4; i++)
			close(s[i].fd);
		ASSERT_EQ(4, n);
	}
	if (atomic_load(&sh->have_msg))
		TH_LOG("first error: %s", sh->msg);
	EXPECT_EQ(0, atomic_load(&sh->errors));
	EXPECT_EQ(before, live_objects(dev));
	munmap(sh, sizeof(*sh));
	close(dev);
}

/* ---- latency ---- */

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

TEST(expiry_latency)
{
	enum { N = 50 };
	const __u64 due = 10 * MS;
	__u64 lat[N], t0, t1, sum = 0;
	int dev, fd, i;

	WS_OPEN_DEV(dev);
	fd = tm_new(dev, false);
	ASSERT_LE(0, fd);
	for (i = 0; i < N; i++) {
		t0 = now_mono();
		ASSERT_EQ(0, tm_set(fd, due, 0));
		ASSERT_EQ(0, ws_wait1(dev, fd, t0 + due + SLOW_NS + WS_LONG_MS * MS,
				      NULL));
		t1 = now_mono();
		/* Never early. */
		ASSERT_LE(t0 + due, t1) TH_LOG("timer %d", i);
		lat[i] = t1 - (t0 + due);
		sum += lat[i];
	}
	qsort(lat, N, sizeof(lat[0]), cmp_u64);
	ksft_print_msg("timer expiry latency over %d one-shot %llu ms timers: "
		       "median %llu us, mean %llu us, worst %llu us, best %llu us\n",
		       N, (unsigned long long)(due / MS),
		       (unsigned long long)(lat[N / 2] / 1000),
		       (unsigned long long)(sum / N / 1000),
		       (unsigned long long)(lat[N - 1] / 1000),
		       (unsigned long long)(lat[0] / 1000));
	fflush(stdout);
	EXPECT_GE(SLOW_NS, lat[N - 1]);
	close(fd);
	close(dev);
}

/* ---- lazy expiry: who arms the wake-up ---- */

/*
 * The hrtimer runs only while somebody sleeps on a non-signaled timer.  A
 * wait-all sleeping while its timer is signaled arms nothing; when another
 * wait consumes the timer, that wait must arm it for the sleeper, or the
 * wait-all would never see the next expiry.
 */
TEST(lazy_wait_all_rearmed_when_consumed)
{
	struct ws_waiter w;
	int dev, objs[2];

	WS_OPEN_DEV(dev);
	objs[0] = tm_new(dev, false);
	objs[1] = ws_event(dev, false, false);
	ASSERT_LE(0, objs[0]);
	ASSERT_LE(0, objs[1]);
	ASSERT_EQ(0, tm_set(objs[0], 0, 100 * MS));
	ASSERT_TRUE(await_signaled(objs[0], WS_LONG_MS));
	ws_waiter_init(&w, dev, objs, 2, WINSYNC_WAIT_ALL, WINSYNC_TIMEOUT_INFINITE);
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(objs[0], 1));
	/* Consume the expiry the wait-all holds on to, then set the event. */
	ASSERT_EQ(0, wait_ms(dev, objs[0], 0));
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[0], signaled));
	EXPECT_EQ(0, ws_event_set(objs[1], NULL));
	/* The next expiry, within a period, completes the wait-all. */
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(0, WS_QUERY_FIELD(objs[1], signaled));
	close(objs[0]);
	close(objs[1]);
	close(dev);
}

/*
 * The same for epoll, level and edge triggered: a timer in an epoll set
 * that a wait consumed is reported again at its next period (armed by the
 * consuming wait, or by epoll's re-poll of the timer).
 */
TEST(lazy_epoll_rearmed_when_consumed)
{
	int dev, fd, ep, i, et;

	WS_OPEN_DEV(dev);
	for (et = 0; et < 2; et++) {
		struct epoll_event ev = { .events = EPOLLIN | (et ? EPOLLET : 0) }, out;

		fd = tm_new(dev, false);
		ASSERT_LE(0, fd);
		ep = epoll_create1(EPOLL_CLOEXEC);
		ASSERT_LE(0, ep);
		ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
		ASSERT_EQ(0, tm_set(fd, 20 * MS, 50 * MS));
		for (i = 0; i < 4; i++) {
			EXPECT_EQ(1, epoll_wait(ep, &out, 1, WS_LONG_MS))
				TH_LOG("%s round %d", et ? "EPOLLET" : "level", i);
			/* Consumed by a wait: not readable until the next period. */
			EXPECT_EQ(0, wait_ms(dev, fd, 0)) TH_LOG("round %d", i);
			EXPECT_EQ(0, WS_QUERY_FIELD(fd, signaled));
		}
		EXPECT_LE(4, WS_QUERY_FIELD(fd, timer_expirations));
		close(ep);
		close(fd);
	}
	close(dev);
}

/* ---- cost of unobserved timers (issue 13) ---- */

/* The system's interrupt and kworker time, and its LOC interrupts. */
struct sys_cost {
	unsigned long long busy;		/* USER_HZ ticks not idle */
	unsigned long long irq, softirq;	/* USER_HZ ticks, all CPUs */
	unsigned long long loc;			/* local timer interrupts */
	unsigned long long kworker;		/* USER_HZ ticks, kworkers */
	unsigned long long ksoftirqd;		/* USER_HZ ticks */
};

static bool sys_cost_read(struct sys_cost *c)
{
	unsigned long long v[8] = { 0 };
	char line[4096], *p;
	struct dirent *de;
	FILE *f;
	DIR *d;

	memset(c, 0, sizeof(*c));
	f = fopen("/proc/stat", "r");
	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f) ||
	    sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8) {
		fclose(f);
		return false;
	}
	fclose(f);
	c->irq = v[5];
	c->softirq = v[6];
	c->busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];

	f = fopen("/proc/interrupts", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		p = line + strspn(line, " ");
		if (strncmp(p, "LOC:", 4))
			continue;
		p += 4;
		for (;;) {
			char *end;
			unsigned long long n = strtoull(p, &end, 10);

			if (end == p)
				break;
			c->loc += n;
			p = end;
		}
	}
	fclose(f);

	d = opendir("/proc");
	if (!d)
		return false;
	while ((de = readdir(d))) {
		unsigned long long ut, st;
		char path[300], *comm_end;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		p = fgets(line, sizeof(line), f);
		fclose(f);
		if (!p)
			continue;
		comm_end = strrchr(line, ')');
		/* Fields after the comm: state is field 3, utime 14, stime 15. */
		if (!comm_end || sscanf(comm_end + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
					&ut, &st) != 2)
			continue;
		if (strstr(line, "(kworker"))
			c->kworker += ut + st;
		else if (strstr(line, "(ksoftirqd"))
			c->ksoftirqd += ut + st;
	}
	closedir(d);
	return true;
}

/*
 * hrtimer callbacks run, counted by the timer:hrtimer_expire_entry event in
 * a tracefs instance of our own (entries + overruns of every CPU's buffer);
 * -1 without tracefs.
 */
#define COST_INSTANCE "/sys/kernel/tracing/instances/ws-timer-cost"

static bool cost_trace_start(void)
{
	FILE *f;

	if (access("/sys/kernel/tracing/instances", F_OK))
		mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL);
	rmdir(COST_INSTANCE);
	if (mkdir(COST_INSTANCE, 0700))
		return false;
	f = fopen(COST_INSTANCE "/buffer_size_kb", "w");
	if (f) {
		fprintf(f, "64\n");
		fclose(f);
	}
	f = fopen(COST_INSTANCE "/events/timer/hrtimer_expire_entry/enable", "w");
	if (!f)
		return false;
	fprintf(f, "1\n");
	return !fclose(f);
}

static long long cost_trace_count(void)
{
	long long total = 0, v;
	char path[256], line[256];
	int cpu;
	FILE *f;

	for (cpu = 0; ; cpu++) {
		snprintf(path, sizeof(path), COST_INSTANCE "/per_cpu/cpu%d/stats", cpu);
		f = fopen(path, "r");
		if (!f)
			break;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "entries: %lld", &v) == 1 ||
			    sscanf(line, "overrun: %lld", &v) == 1)
				total += v;
		fclose(f);
	}
	return cpu ? total : -1;
}

static void cost_trace_stop(void)
{
	FILE *f = fopen(COST_INSTANCE "/events/timer/hrtimer_expire_entry/enable", "w");

	if (f) {
		fprintf(f, "0\n");
		fclose(f);
	}
	rmdir(COST_INSTANCE);
}

static long long read_sysctl(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static bool write_sysctl(const char *path, long long v)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%lld\n", v) > 0;
	return !fclose(f) && ok;
}

static long long read_param(const char *name)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/winsync/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static bool write_param(const char *name, long long v)
{
	char path[128];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/sys/module/winsync/parameters/%s", name);
	f = fopen(path, "w");
	if (!f)
		return false;
	ok = fprintf(f, "%lld\n", v) > 0;
	return !fclose(f) && ok;
}

/*
 * One user (uid 65534, not exempt from max_user_objects) arms as many 1 ms
 * periodic timers as it may have, and nobody waits on them: over 10 s the
 * system's interrupt and kworker time must stay close to nothing.  Before
 * the lazy timers every one of them ran its hrtimer in hard irq context
 * and queued a work item every period (>10M callbacks/s at 100 us).
 *
 * WS_UNOBSERVED_TIMERS=N lowers max_user_objects to N for the run (the old
 * module cannot survive 131072 of them).  Bounds on the excess over the
 * idle system's own figures (measured for 5 s first, doubled: a PREEMPT_RT
 * kernel ticks and runs ksoftirqd when idle), over 10 s, generous for
 * an emulated machine: irq + softirq + ksoftirqd time below 5% of one CPU
 * (PREEMPT_RT runs timer softirqs in ksoftirqd, 2-4% of a CPU when idle
 * there, and varying), kworker time below 1% of one CPU (the old module
 * signaled every expiry in a kworker), busy (non-idle) time of the whole
 * system below 10% of one CPU, local timer interrupts below 500/s per CPU
 * (1 ms timers firing would need 1000/s on the arming CPU), hrtimer
 * callbacks (tracefs, if available) below 1000/s per CPU.  Debian's
 * kernels account irq time by the tick, which hardly ever sees it, and an
 * hrtimer interrupt flooded past its budget is deferred by the kernel's
 * hang detection, so the callback count and the kworker and busy times are
 * what shows the old cost.
 */
FIXTURE(cost) {
	int unused;
};

FIXTURE_SETUP(cost)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(cost)
{
}

/* Creating and freeing 131072 timers takes a while on emulated RT kernels. */
TEST_F_TIMEOUT(cost, unobserved_timers_cost_nothing, 240)
{
	const unsigned int secs = 10;
	long long max_user = read_param("max_user_objects"), want = max_user;
	unsigned long long irq, kw, loc, hz = sysconf(_SC_CLK_TCK);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct sys_cost b0, b1, c0, c1;
	unsigned long long base_irq, base_kw, base_busy, base_loc;
	long long base_cb;
	int pipefd[2], status;
	long long armed = -1, file_max, cb0 = -1, cb1 = -1;
	bool traced = false;
	char *env = getenv("WS_UNOBSERVED_TIMERS");
	long long live0, live;
	__u64 t0, t1, t2;
	int dev;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root: raises RLIMIT_NOFILE, sets max_user_objects");
	ASSERT_LT(0, max_user) TH_LOG("max_user_objects unreadable or unlimited");
	if (env) {
		want = atoll(env);
		ASSERT_TRUE(write_param("max_user_objects", want));
	}
	/* The system-wide file limit of a small machine is below 131072. */
	file_max = read_sysctl("/proc/sys/fs/file-max");
	if (file_max >= 0 && file_max < want + 4096)
		write_sysctl("/proc/sys/fs/file-max", want + 4096);
	WS_OPEN_DEV(dev);
	live0 = live_objects(dev);
	/* The idle system's own figures, over half the time (RT kernels tick). */
	traced = cost_trace_start();
	ASSERT_TRUE(sys_cost_read(&b0));
	cb0 = traced ? cost_trace_count() : -1;
	ws_sleep_ms(secs * 500);
	ASSERT_TRUE(sys_cost_read(&b1));
	cb1 = traced ? cost_trace_count() : -1;
	base_cb = 2 * (cb1 - cb0);
	ASSERT_EQ(0, pipe(pipefd));
	t0 = now_mono();
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct rlimit rl = { want + 64, want + 64 };
		struct winsync_timer_args a = { .due = MS, .period_ns = MS };
		long long n = 0;
		int dev, fd;

		close(pipefd[0]);
		if (setrlimit(RLIMIT_NOFILE, &rl) || setgid(65534) || setuid(65534))
			_exit(2);
		dev = ws_open_dev();
		if (dev < 0)
			_exit(3);
		for (;;) {
			fd = ws_new(dev, WINSYNC_TYPE_TIMER, 0, WINSYNC_ACCESS_ALL, 0, 0);
			if (fd < 0)
				break;
			if (ws_ioctl(fd, WINSYNC_IOC_TIMER_SET, &a))
				_exit(4);
			n++;
		}
		/* The user's limit, or a descriptor limit: say which. */
		n = n << 16 | -fd;
		if (write(pipefd[1], &n, sizeof(n)) != sizeof(n))
			_exit(6);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &armed, sizeof(armed)) != sizeof(armed))
		armed = -1;
	close(pipefd[0]);
	t1 = now_mono();
	if (armed > 0) {
		ksft_print_msg("the user armed %lld timers; the next create failed with %s\n",
			       armed >> 16, strerror(armed & 0xffff));
		armed >>= 16;
	}
	if (armed > 0) {
		ws_sleep_ms(500);
		ASSERT_TRUE(sys_cost_read(&c0));
		cb0 = traced ? cost_trace_count() : -1;
		ws_sleep_ms(secs * 1000);
		ASSERT_TRUE(sys_cost_read(&c1));
		cb1 = traced ? cost_trace_count() : -1;
		cost_trace_stop();
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	/* Freed with the child's descriptors; wait for them, for later tests. */
	t2 = now_mono();
	while ((live = live_objects(dev)) > live0 && now_mono() < t2 + 120 * WS_NS_PER_SEC)
		ws_sleep_ms(100);
	ksft_print_msg("created and armed in %llu ms, freed in %llu ms\n",
		       (unsigned long long)((t1 - t0) / MS),
		       (unsigned long long)((now_mono() - t2) / MS));
	EXPECT_GE(live0, live);
	close(dev);
	if (env)
		write_param("max_user_objects", max_user);
	if (file_max >= 0 && file_max < want + 4096)
		write_sysctl("/proc/sys/fs/file-max", file_max);
	ASSERT_LT(0, armed) TH_LOG("the user's child failed: status 0x%x", status);
	EXPECT_LE(want - 8, armed) TH_LOG("armed only %lld of %lld", armed, want);

	/* ksoftirqd counts with the interrupts: RT kernels run timers there. */
	irq = c1.irq + c1.softirq + c1.ksoftirqd - c0.irq - c0.softirq - c0.ksoftirqd;
	kw = c1.kworker - c0.kworker;
	loc = c1.loc - c0.loc;
	base_irq = 2 * (b1.irq + b1.softirq + b1.ksoftirqd - b0.irq - b0.softirq - b0.ksoftirqd);
	base_kw = 2 * (b1.kworker - b0.kworker);
	base_busy = 2 * (b1.busy - b0.busy);
	base_loc = 2 * (b1.loc - b0.loc);
	ksft_print_msg("idle baseline, scaled to %u s: busy %llu ms, irq+softirq+ksoftirqd %llu ms, "
		       "kworker %llu ms, LOC %llu, hrtimer callbacks %lld\n",
		       secs, base_busy * 1000 / hz, base_irq * 1000 / hz,
		       base_kw * 1000 / hz, base_loc, base_cb);
	ksft_print_msg("%lld unobserved 1 ms periodic timers, %u s, %ld CPUs: "
		       "busy %llu ms, irq %llu ms, softirq %llu ms, kworker %llu ms, "
		       "ksoftirqd %llu ms, LOC %llu (%llu/s per CPU), "
		       "hrtimer callbacks %lld (%lld/s per CPU)\n",
		       armed, secs, ncpu, (c1.busy - c0.busy) * 1000 / hz,
		       (c1.irq - c0.irq) * 1000 / hz, (c1.softirq - c0.softirq) * 1000 / hz,
		       (c1.kworker - c0.kworker) * 1000 / hz,
		       (c1.ksoftirqd - c0.ksoftirqd) * 1000 / hz,
		       loc, loc / secs / ncpu, cb1 - cb0,
		       cb0 < 0 ? -1LL : (cb1 - cb0) / (long long)secs / ncpu);
	fflush(stdout);
	/* Bounds on the excess over the idle baseline. */
	EXPECT_GE(base_irq + secs * hz / 20, irq) TH_LOG("irq + softirq + ksoftirqd time");
	EXPECT_GE(base_kw + secs * hz / 100, kw) TH_LOG("kworker time");
	EXPECT_GE(base_busy + secs * hz / 10, c1.busy - c0.busy) TH_LOG("busy time");
	EXPECT_GE(base_loc + 500ULL * secs * ncpu, loc) TH_LOG("local timer interrupts");
	if (cb0 >= 0 && base_cb >= 0)
		EXPECT_GE(base_cb + 1000LL * secs * ncpu, cb1 - cb0) TH_LOG("hrtimer callbacks");
}

/* ---- RT waiters against an RT hog (issue 19) ---- */

struct rt_hog {
	int cpu;
	unsigned int ms;
	atomic_int done;
};

static bool pin_fifo(int cpu, int prio)
{
	struct sched_param sp = { .sched_priority = prio };
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return !pthread_setaffinity_np(pthread_self(), sizeof(set), &set) &&
	       !pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
}

/* SCHED_FIFO 50: spin on the waiter's CPU for a bounded time, then say so. */
static void *hog_fn(void *arg)
{
	struct rt_hog *h = arg;
	__u64 end;

	if (!pin_fifo(h->cpu, 50)) {
		atomic_store(&h->done, -1);
		return NULL;
	}
	end = now_mono() + h->ms * MS;
	while (now_mono() < end)
		;
	atomic_store(&h->done, 1);
	return NULL;
}

struct rt_waiter {
	int dev, timer, event;
	bool all;
	int err;
	int hog_done_at_wake;
	__u64 late_ns;
	struct rt_hog hog;
};

/*
 * SCHED_FIFO 80 on CPU 0: arm a one-shot timer due in 10 ms, start the
 * hog (it runs once this thread sleeps) and wait on the timer.
 */
static void *rt_waiter_fn(void *arg)
{
	struct rt_waiter *w = arg;
	int objs[2] = { w->timer, w->event };
	pthread_t hog;
	__u64 due;

	w->err = -1;
	if (!pin_fifo(0, 80))
		return NULL;
	due = now_mono() + 10 * MS;
	if (tm_set(w->timer, 10 * MS, 0))
		return NULL;
	if (pthread_create(&hog, NULL, hog_fn, &w->hog))
		return NULL;
	w->err = ws_wait(w->dev, objs, w->all ? 2 : 1, w->all ? WINSYNC_WAIT_ALL : 0,
			 ws_deadline_ms(5000), NULL);
	w->hog_done_at_wake = atomic_load(&w->hog.done);
	w->late_ns = now_mono() - due;
	pthread_join(hog, NULL);
	return NULL;
}

/*
 * A timer's waiters are woken from the expiry's hard interrupt context: an
 * RT thread hogging the waiter's CPU, even at a lower priority than the
 * waiter, must not delay them.  The timer used to be signaled by a normal
 * priority kworker, which ran only once the hog was done (or RT throttling
 * let it), so the waiter woke after the hog.  Not a timing assertion: the
 * hog spins for 700 ms, with RT throttling and the fair server turned off
 * for the test (restored after), and the waiter must wake while it spins.
 * Wait-any and wait-all (the latter needs the sleeping wait-all lock, taken
 * by the woken waiter itself).
 */
TEST(rt_waiter_not_starved_by_rt_hog)
{
	static const char fair0[] = "/sys/kernel/debug/sched/fair_server/cpu0/runtime";
	struct sched_param sp = { .sched_priority = 1 };
	long long rt_runtime, fair_runtime;
	int dev, k;

	if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
		if (errno == EPERM)
			SKIP(return, "needs CAP_SYS_NICE for SCHED_FIFO");
	} else {
		sp.sched_priority = 0;
		sched_setscheduler(0, SCHED_OTHER, &sp);
	}
	/*
	 * Without RT throttling (6.1) or the fair server (6.12 on), as RT
	 * systems run: a kworker would never run during the hog.
	 */
	rt_runtime = read_sysctl("/proc/sys/kernel/sched_rt_runtime_us");
	if (access(fair0, F_OK))
		mount("nodev", "/sys/kernel/debug", "debugfs", 0, NULL);
	fair_runtime = read_sysctl(fair0);
	write_sysctl("/proc/sys/kernel/sched_rt_runtime_us", -1);
	if (fair_runtime > 0)
		write_sysctl(fair0, 0);
	WS_OPEN_DEV(dev);
	for (k = 0; k < 2; k++) {
		struct rt_waiter w = {
			.dev = dev, .all = k,
			.hog = { .cpu = 0, .ms = 700 },
		};
		pthread_t th;

		w.timer = tm_new(dev, false);
		ASSERT_LE(0, w.timer);
		w.event = ws_event(dev, true, true);
		ASSERT_LE(0, w.event);
		ASSERT_EQ(0, pthread_create(&th, NULL, rt_waiter_fn, &w));
		ASSERT_EQ(0, pthread_join(th, NULL));
		ksft_print_msg("%s: woken %llu us after the due time, hog %s\n",
			       k ? "wait-all" : "wait-any",
			       (unsigned long long)(w.late_ns / 1000),
			       w.hog_done_at_wake ? "done" : "still spinning");
		fflush(stdout);
		EXPECT_EQ(0, w.err);
		EXPECT_EQ(0, w.hog_done_at_wake)
			TH_LOG("%s waiter woken only after the hog finished",
			       k ? "wait-all" : "wait-any");
		close(w.timer);
		close(w.event);
	}
	close(dev);
	if (fair_runtime > 0)
		write_sysctl(fair0, fair_runtime);
	if (rt_runtime != -1)
		write_sysctl("/proc/sys/kernel/sched_rt_runtime_us", rt_runtime);
}

#define main ws_harness_main
TEST_HARNESS_MAIN
#undef main
WS_MAIN

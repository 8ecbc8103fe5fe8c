// SPDX-License-Identifier: GPL-2.0
/*
 * winsync selftest: poll() and epoll on object handles, and the fdinfo
 * lines of a handle.
 */
#include <poll.h>
#include <sys/epoll.h>

#include "winsync_test.h"

/* revents of a poll(POLLIN) on @fd with @ms timeout, or -1 on error. */
static int poll_in(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r = poll(&p, 1, ms);

	if (r < 0)
		return -1;
	return r ? p.revents : 0;
}

static bool readable(int fd)
{
	return poll_in(fd, 0) & POLLIN;
}

TEST(poll_semaphore)
{
	int dev, sem;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 0, 2);
	ASSERT_LE(0, sem);
	EXPECT_EQ(0, poll_in(sem, 0));
	EXPECT_EQ(0, ws_sem_release(sem, 1, NULL));
	EXPECT_TRUE(readable(sem));
	/* Polling consumes nothing. */
	EXPECT_TRUE(readable(sem));
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, count));
	EXPECT_EQ(0, ws_wait1(dev, sem, 0, NULL));
	EXPECT_FALSE(readable(sem));
	close(sem);
	close(dev);
}

TEST(poll_event)
{
	int dev, ev, manual;

	WS_OPEN_DEV(dev);
	for (manual = 0; manual < 2; manual++) {
		ev = ws_event(dev, manual, false);
		ASSERT_LE(0, ev);
		EXPECT_EQ(0, poll_in(ev, 0));
		EXPECT_EQ(0, ws_event_set(ev, NULL));
		EXPECT_TRUE(readable(ev));
		EXPECT_TRUE(readable(ev));
		/* An auto-reset event is not consumed by poll. */
		EXPECT_EQ(1, WS_QUERY_FIELD(ev, signaled));
		EXPECT_EQ(0, ws_wait1(dev, ev, 0, NULL));
		EXPECT_EQ(manual, readable(ev));
		EXPECT_EQ(0, ws_event_reset(ev, NULL));
		EXPECT_FALSE(readable(ev));
		close(ev);
	}
	close(dev);
}

TEST(poll_mutex)
{
	int dev, m;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, false);
	ASSERT_LE(0, m);
	EXPECT_TRUE(readable(m));
	EXPECT_EQ(0, WS_QUERY_FIELD(m, owner_tid));
	EXPECT_EQ(0, ws_wait1(dev, m, 0, NULL));
	/* Owned, even by the caller: not signaled. */
	EXPECT_FALSE(readable(m));
	EXPECT_EQ(0, ws_mutex_release(m, NULL));
	EXPECT_TRUE(readable(m));
	close(m);
	close(dev);
}

TEST(poll_reduced_handle)
{
	int dev, ev, r;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, true, true);
	ASSERT_LE(0, ev);
	r = ws_reopen(ev, WINSYNC_ACCESS_SYNCHRONIZE, 0);
	ASSERT_LE(0, r);
	EXPECT_TRUE(readable(r));
	close(r);
	close(ev);
	close(dev);
}

struct poller {
	int fd;
	int ms;
	int revents;
	atomic_int done;
};

static void *poller_fn(void *arg)
{
	struct poller *p = arg;

	p->revents = poll_in(p->fd, p->ms);
	atomic_store(&p->done, 1);
	return NULL;
}

static int start_poller(struct poller *p, pthread_t *t, int fd)
{
	memset(p, 0, sizeof(*p));
	p->fd = fd;
	p->ms = 60000;
	atomic_init(&p->done, 0);
	return pthread_create(t, NULL, poller_fn, p);
}

/* A poll sleeps until another thread makes the object signaled. */
TEST(poll_blocks_until_signaled)
{
	struct poller p;
	pthread_t t;
	int dev, fd, type;

	WS_OPEN_DEV(dev);
	for (type = 0; type < 3; type++) {
		fd = type == 0 ? ws_event(dev, false, false) :
		     type == 1 ? ws_sem(dev, 0, 1) : ws_mutex(dev, true);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, start_poller(&p, &t, fd));
		ws_sleep_ms(WS_BLOCK_MS);
		EXPECT_FALSE(atomic_load(&p.done));
		if (type == 0) {
			EXPECT_EQ(0, ws_event_set(fd, NULL));
		} else if (type == 1) {
			EXPECT_EQ(0, ws_sem_release(fd, 1, NULL));
		} else {
			EXPECT_EQ(0, ws_mutex_release(fd, NULL));
		}
		ASSERT_TRUE(ws_await_atomic(&p.done, 1, WS_LONG_MS));
		pthread_join(t, NULL);
		EXPECT_TRUE(p.revents & POLLIN) TH_LOG("type %d", type);
		/* Nothing consumed. */
		EXPECT_EQ(1, WS_QUERY_FIELD(fd, signaled));
		close(fd);
	}
	close(dev);
}

/* An auto-reset event consumed by a wait is no longer readable. */
TEST(poll_after_consumed)
{
	int dev, ev;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, true);
	ASSERT_LE(0, ev);
	EXPECT_TRUE(readable(ev));
	EXPECT_EQ(0, ws_wait1(dev, ev, 0, NULL));
	EXPECT_EQ(0, poll_in(ev, 50));
	close(ev);
	close(dev);
}

TEST(epoll_level_triggered)
{
	struct epoll_event e = { .events = EPOLLIN };
	int dev, ev, sem, ep;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, true, false);
	sem = ws_sem(dev, 0, 3);
	ASSERT_LE(0, ev);
	ASSERT_LE(0, sem);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	e.data.fd = ev;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e));
	e.data.fd = sem;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, sem, &e));

	EXPECT_EQ(0, epoll_wait(ep, &e, 1, 0));
	EXPECT_EQ(0, ws_event_set(ev, NULL));
	EXPECT_EQ(1, epoll_wait(ep, &e, 1, 0));
	EXPECT_EQ(ev, e.data.fd);
	EXPECT_TRUE(e.events & EPOLLIN);
	/* Level-triggered: still reported while set. */
	EXPECT_EQ(1, epoll_wait(ep, &e, 1, 0));
	EXPECT_EQ(ev, e.data.fd);
	EXPECT_EQ(0, ws_event_reset(ev, NULL));
	EXPECT_EQ(0, epoll_wait(ep, &e, 1, 0));

	EXPECT_EQ(0, ws_sem_release(sem, 2, NULL));
	EXPECT_EQ(1, epoll_wait(ep, &e, 1, 0));
	EXPECT_EQ(sem, e.data.fd);
	EXPECT_EQ(0, ws_wait1(dev, sem, 0, NULL));
	EXPECT_EQ(1, epoll_wait(ep, &e, 1, 0));
	EXPECT_EQ(0, ws_wait1(dev, sem, 0, NULL));
	EXPECT_EQ(0, epoll_wait(ep, &e, 1, 0));
	close(ep);
	close(ev);
	close(sem);
	close(dev);
}

struct epoller {
	int ep;
	int n;
	struct epoll_event e;
	atomic_int done;
};

static void *epoller_fn(void *arg)
{
	struct epoller *p = arg;

	p->n = epoll_wait(p->ep, &p->e, 1, 60000);
	atomic_store(&p->done, 1);
	return NULL;
}

TEST(epoll_blocks_until_signaled)
{
	struct epoll_event e = { .events = EPOLLIN };
	struct epoller p;
	pthread_t t;
	int dev, ev, ep;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, ev);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	e.data.fd = ev;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e));
	memset(&p, 0, sizeof(p));
	p.ep = ep;
	atomic_init(&p.done, 0);
	ASSERT_EQ(0, pthread_create(&t, NULL, epoller_fn, &p));
	ws_sleep_ms(WS_BLOCK_MS);
	EXPECT_FALSE(atomic_load(&p.done));
	EXPECT_EQ(0, ws_event_set(ev, NULL));
	ASSERT_TRUE(ws_await_atomic(&p.done, 1, WS_LONG_MS));
	pthread_join(t, NULL);
	EXPECT_EQ(1, p.n);
	EXPECT_EQ(ev, p.e.data.fd);
	EXPECT_TRUE(p.e.events & EPOLLIN);
	EXPECT_EQ(1, WS_QUERY_FIELD(ev, signaled));
	close(ep);
	close(ev);
	close(dev);
}

/* Closing the handle removes it from the epoll set without trouble. */
TEST(epoll_close_handle)
{
	struct epoll_event e = { .events = EPOLLIN };
	int dev, ev, ep;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, true, true);
	ASSERT_LE(0, ev);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	e.data.fd = ev;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e));
	EXPECT_EQ(1, epoll_wait(ep, &e, 1, 0));
	close(ev);
	EXPECT_EQ(0, epoll_wait(ep, &e, 1, 0));
	close(ep);
	close(dev);
}

/* ---- fdinfo ---- */

TEST(fdinfo_semaphore)
{
	int dev, sem, r;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 2, 7);
	ASSERT_LE(0, sem);
	EXPECT_FDINFO(sem, "winsync-type", "semaphore");
	EXPECT_FDINFO(sem, "winsync-access", "0x001f0003");
	EXPECT_FDINFO(sem, "winsync-signaled", "1");
	EXPECT_FDINFO(sem, "winsync-count", "2");
	EXPECT_FDINFO(sem, "winsync-max", "7");
	EXPECT_EQ(0, ws_wait1(dev, sem, 0, NULL));
	EXPECT_EQ(0, ws_wait1(dev, sem, 0, NULL));
	EXPECT_FDINFO(sem, "winsync-signaled", "0");
	EXPECT_FDINFO(sem, "winsync-count", "0");

	r = ws_reopen(sem, WINSYNC_ACCESS_SYNCHRONIZE | WINSYNC_ACCESS_QUERY_STATE, 0);
	ASSERT_LE(0, r);
	EXPECT_FDINFO(r, "winsync-access", "0x00100001");
	EXPECT_FDINFO(r, "winsync-max", "7");
	close(r);
	close(sem);
	close(dev);
}

TEST(fdinfo_mutex)
{
	char tid[32];
	int dev, m, status;
	pid_t pid;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, false);
	ASSERT_LE(0, m);
	EXPECT_FDINFO(m, "winsync-type", "mutex");
	EXPECT_FDINFO(m, "winsync-access", "0x001f0001");
	EXPECT_FDINFO(m, "winsync-signaled", "1");
	EXPECT_FDINFO(m, "winsync-owner", "0");
	EXPECT_FDINFO(m, "winsync-count", "0");
	EXPECT_FDINFO(m, "winsync-abandoned", "0");

	EXPECT_EQ(0, ws_wait1(dev, m, 0, NULL));
	EXPECT_EQ(0, ws_wait1(dev, m, 0, NULL));
	snprintf(tid, sizeof(tid), "%d", ws_gettid());
	EXPECT_FDINFO(m, "winsync-signaled", "0");
	EXPECT_FDINFO(m, "winsync-owner", tid);
	EXPECT_FDINFO(m, "winsync-count", "2");
	EXPECT_EQ(0, ws_mutex_release(m, NULL));
	EXPECT_EQ(0, ws_mutex_release(m, NULL));

	/* Abandoned by a child that exits owning it. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(ws_wait1(dev, m, 0, NULL) ? 1 : 0);
	status = ws_reap(pid, WS_LONG_MS);
	ASSERT_EQ(0, status);
	EXPECT_FDINFO(m, "winsync-abandoned", "1");
	EXPECT_FDINFO(m, "winsync-owner", "0");
	EXPECT_FDINFO(m, "winsync-signaled", "1");
	close(m);
	close(dev);
}

TEST(fdinfo_event)
{
	int dev, ev, manual;

	WS_OPEN_DEV(dev);
	for (manual = 0; manual < 2; manual++) {
		ev = ws_event(dev, manual, true);
		ASSERT_LE(0, ev);
		EXPECT_FDINFO(ev, "winsync-type", "event");
		EXPECT_FDINFO(ev, "winsync-access", "0x001f0003");
		EXPECT_FDINFO(ev, "winsync-signaled", "1");
		EXPECT_FDINFO(ev, "winsync-manual", manual ? "1" : "0");
		EXPECT_EQ(0, ws_event_reset(ev, NULL));
		EXPECT_FDINFO(ev, "winsync-signaled", "0");
		close(ev);
	}
	close(dev);
}

#define main ws_harness_main
TEST_HARNESS_MAIN
#undef main
WS_MAIN

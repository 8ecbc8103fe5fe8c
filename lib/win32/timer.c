// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwinsync-win32: waitable timers' operations and completion routines.
 *
 * SetWaitableTimer() converts the due time (a negative relative time in
 * 100 ns units, or an absolute FILETIME) and arms the kernel timer.  With a
 * completion routine, the timer is "bound": a shadow timerfd armed with the
 * same due time and period stands for it in a library service thread,
 * which sleeps in epoll_wait() on all shadows and, at each expiry, queues
 * the routine as an APC to the thread that set the timer (thread.c),
 * unless one is still queued (at most one outstanding per timer).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <urcu/list.h>

#include "internal.h"

/* A timer with a completion routine. */
struct ws32_binding {
	uint64_t id;
	int fd;			/* the application's handle */
	int dup;		/* our dup of it, to cancel at thread exit */
	int tfd;		/* the shadow timerfd */
	struct ws32_thread *t;	/* the setting thread (a reference) */
	PTIMERAPCROUTINE routine;
	void *arg;
	atomic_int outstanding;
	atomic_int dead;
	atomic_long refs;	/* the service's list, queued APCs */
	struct cds_list_head link;
};

static pthread_mutex_t svc_lock = PTHREAD_MUTEX_INITIALIZER;
static CDS_LIST_HEAD(bindings);
static atomic_long binding_count;
static uint64_t next_binding_id = 1;
static int svc_epfd = -1;

/* ------------------------------------------------------ the timer calls */

static int64_t sat_mul100(int64_t v)
{
	if (v > INT64_MAX / 100)
		return INT64_MAX;
	return v * 100;
}

static DWORD timer_set(HANDLE h, const LARGE_INTEGER *due, LONG period,
		      PTIMERAPCROUTINE routine, LPVOID arg, ULONG delay_ms)
{
	struct winsync_timer_args args;
	int fd = winsync_handle_to_fd(h);
	int64_t d;
	int ret;

	if (fd < 0)
		return ERROR_INVALID_HANDLE;
	if (!due || period < 0)
		return ERROR_INVALID_PARAMETER;
	memset(&args, 0, sizeof(args));
	d = due->QuadPart;
	if (d >= 0) {
		/* Absolute FILETIME (UTC, 1601) -> CLOCK_REALTIME ns. */
		args.flags = WINSYNC_TIMER_ABSOLUTE;
		args.due = d < FILETIME_UNIX_EPOCH ? 0 :
			   sat_mul100(d - FILETIME_UNIX_EPOCH);
	} else {
		args.due = d == INT64_MIN ? INT64_MAX : sat_mul100(-d);
	}
	args.period_ns = (int64_t)period * 1000000;
	args.slack_ns = (int64_t)delay_ms * 1000000;

	if (routine) {
		ret = ws32_timer_bind(fd, &args, routine, arg);
	} else {
		ret = winsync_timer_set(fd, &args);
		if (!ret)
			ws32_timer_unbind(fd);
	}
	return ret < 0 ? ws32_map_errno(ret) : 0;
}

WS32_EXPORT BOOL WINAPI SetWaitableTimer(HANDLE h, const LARGE_INTEGER *due,
					 LONG period, PTIMERAPCROUTINE routine,
					 LPVOID arg, BOOL resume)
{
	DWORD err = timer_set(h, due, period, routine, arg, 0);

	if (err)
		return ws32_fail(err);
	/* No power management: resuming the system is not supported. */
	if (resume)
		ws32_set_error(ERROR_NOT_SUPPORTED);
	return TRUE;
}

WS32_EXPORT BOOL WINAPI SetWaitableTimerEx(HANDLE h, const LARGE_INTEGER *due,
					   LONG period,
					   PTIMERAPCROUTINE routine,
					   LPVOID arg, PREASON_CONTEXT context,
					   ULONG delay)
{
	(void)context;
	return ws32_bool(timer_set(h, due, period, routine, arg, delay));
}

static DWORD timer_cancel(HANDLE h)
{
	int fd = winsync_handle_to_fd(h);
	int ret;

	if (fd < 0)
		return ERROR_INVALID_HANDLE;
	ret = winsync_timer_cancel(fd, NULL);
	if (ret < 0)
		return ws32_map_errno(ret);
	ws32_timer_unbind(fd);
	return 0;
}

WS32_EXPORT BOOL WINAPI CancelWaitableTimer(HANDLE h)
{
	return ws32_bool(timer_cancel(h));
}

/* --------------------------------------------------- completion routines */

void ws32_binding_unref(struct ws32_binding *b)
{
	if (atomic_fetch_sub(&b->refs, 1) == 1) {
		ws32_thread_unref(b->t);
		free(b);
	}
}

/* Take b out of service; its queued APC, if any, will not run.  svc_lock. */
static void kill_binding(struct ws32_binding *b)
{
	cds_list_del(&b->link);
	atomic_fetch_sub(&binding_count, 1);
	atomic_store(&b->dead, 1);
	if (svc_epfd >= 0)
		epoll_ctl(svc_epfd, EPOLL_CTL_DEL, b->tfd, NULL);
	ws32_internal_close(b->tfd);
	ws32_internal_close(b->dup);
	ws32_binding_unref(b);
}

static struct ws32_binding *find_binding_fd(int fd)
{
	struct ws32_binding *b;

	cds_list_for_each_entry(b, &bindings, link)
		if (b->fd == fd)
			return b;
	return NULL;
}

static void expired(uint64_t id)
{
	struct ws32_binding *b, *found = NULL;
	struct timespec ts;
	uint64_t count;
	DWORD lo, hi;

	pthread_mutex_lock(&svc_lock);
	cds_list_for_each_entry(b, &bindings, link) {
		if (b->id == id) {
			found = b;
			break;
		}
	}
	if (!found || read(found->tfd, &count, sizeof(count)) != sizeof(count))
		goto out;
	if (atomic_load(&found->outstanding))
		goto out;
	clock_gettime(CLOCK_REALTIME, &ts);
	ws32_unix_to_filetime((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec,
			      &lo, &hi);
	/* The queued APC's reference, taken before the owner can run it. */
	atomic_fetch_add(&found->refs, 1);
	atomic_store(&found->outstanding, 1);
	if (ws32_post_timer_apc(found->t, found, lo, hi) < 0) {
		/* No memory: this expiry is lost (the list keeps b alive). */
		atomic_store(&found->outstanding, 0);
		atomic_fetch_sub(&found->refs, 1);
	}
out:
	pthread_mutex_unlock(&svc_lock);
}

static void *service(void *arg)
{
	int epfd = (int)(intptr_t)arg;
	struct epoll_event ev[16];

	/* No RCU here: the service never drops a last reference. */
	for (;;) {
		int i, n = epoll_wait(epfd, ev, 16, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (i = 0; i < n; i++)
			expired(ev[i].data.u64);
	}
	return NULL;
}

/* Start the service thread if it is not running.  svc_lock. */
static int service_start(void)
{
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t thr;
	int fd, err;

	if (svc_epfd >= 0)
		return 0;
	fd = epoll_create1(EPOLL_CLOEXEC);
	if (fd < 0)
		return -errno;
	fd = ws32_internal_fd(fd);
	/* The service takes no signals meant for the application. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&thr, &attr, service, (void *)(intptr_t)fd);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		ws32_internal_close(fd);
		return -err;
	}
	svc_epfd = fd;
	return 0;
}

int ws32_timer_bind(int fd, const struct winsync_timer_args *args,
		    PTIMERAPCROUTINE routine, void *arg)
{
	bool abs = args->flags & WINSYNC_TIMER_ABSOLUTE;
	struct itimerspec its;
	struct epoll_event ev;
	struct ws32_thread *t;
	struct ws32_binding *b, *old;
	int64_t due;
	int err;

	t = ws32_self(&err);
	if (!t)
		return err;
	err = winsync_timer_set(fd, args);
	if (err)
		return err;

	b = calloc(1, sizeof(*b));
	if (!b) {
		err = -ENOMEM;
		goto cancel;
	}
	b->fd = fd;
	b->routine = routine;
	b->arg = arg;
	b->t = t;
	atomic_init(&b->outstanding, 0);
	atomic_init(&b->dead, 0);
	atomic_init(&b->refs, 1);
	b->dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	b->tfd = timerfd_create(abs ? CLOCK_REALTIME : CLOCK_MONOTONIC,
				TFD_CLOEXEC | TFD_NONBLOCK);
	if (b->dup < 0 || b->tfd < 0) {
		err = -errno;
		if (b->dup >= 0)
			close(b->dup);
		if (b->tfd >= 0)
			close(b->tfd);
		free(b);
		goto cancel;
	}
	b->dup = ws32_internal_fd(b->dup);
	b->tfd = ws32_internal_fd(b->tfd);
	ws32_thread_ref(t);

	/* 0 would disarm the timerfd: "now" is 1 ns. */
	due = args->due > 0 ? args->due : 1;
	its.it_value.tv_sec = due / 1000000000;
	its.it_value.tv_nsec = due % 1000000000;
	its.it_interval.tv_sec = args->period_ns / 1000000000;
	its.it_interval.tv_nsec = args->period_ns % 1000000000;

	pthread_mutex_lock(&svc_lock);
	err = service_start();
	if (!err) {
		b->id = next_binding_id++;
		old = find_binding_fd(fd);
		if (old)
			kill_binding(old);
		cds_list_add(&b->link, &bindings);
		atomic_fetch_add(&binding_count, 1);
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.u64 = b->id;
		if (epoll_ctl(svc_epfd, EPOLL_CTL_ADD, b->tfd, &ev) < 0 ||
		    timerfd_settime(b->tfd, abs ? TFD_TIMER_ABSTIME : 0,
				    &its, NULL) < 0) {
			err = -errno;
			kill_binding(b);
		}
	} else {
		ws32_internal_close(b->tfd);
		ws32_internal_close(b->dup);
		ws32_binding_unref(b);
	}
	pthread_mutex_unlock(&svc_lock);
	if (!err)
		return 0;
cancel:
	/* No routine could be attached: do not leave the timer armed. */
	winsync_timer_cancel(fd, NULL);
	return err;
}

void ws32_timer_unbind(int fd)
{
	struct ws32_binding *b;

	if (!atomic_load(&binding_count))
		return;
	pthread_mutex_lock(&svc_lock);
	b = find_binding_fd(fd);
	if (b)
		kill_binding(b);
	pthread_mutex_unlock(&svc_lock);
}

/* The setting thread exits: its timers with a routine are cancelled. */
void ws32_timers_thread_exit(struct ws32_thread *t)
{
	struct ws32_binding *b, *tmp;

	if (!atomic_load(&binding_count))
		return;
	pthread_mutex_lock(&svc_lock);
	cds_list_for_each_entry_safe(b, tmp, &bindings, link) {
		if (b->t != t)
			continue;
		winsync_timer_cancel(b->dup, NULL);
		kill_binding(b);
	}
	pthread_mutex_unlock(&svc_lock);
}

/* ------------------------------------------ thread.c's hooks: APCs, fork */

/* Run b's routine for a queued APC, unless b was cancelled since. */
bool ws32_binding_run(struct ws32_binding *b, DWORD lo, DWORD hi)
{
	if (atomic_load(&b->dead))
		return false;
	atomic_store(&b->outstanding, 0);
	b->routine(b->arg, lo, hi);
	return true;
}

void ws32_timers_lock(void)
{
	pthread_mutex_lock(&svc_lock);
}

void ws32_timers_unlock(void)
{
	pthread_mutex_unlock(&svc_lock);
}

/*
 * In the child (svc_lock held): no service thread.  The epoll instance and
 * the timerfds are shared with the parent: close the child's descriptors,
 * but never epoll_ctl() them, which would change the parent's service too.
 */
void ws32_timers_fork_child(void)
{
	struct ws32_binding *b, *tb;

	if (svc_epfd >= 0) {
		ws32_internal_close(svc_epfd);
		svc_epfd = -1;
	}
	cds_list_for_each_entry_safe(b, tb, &bindings, link)
		kill_binding(b);
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwinsync's Win32 layer: threads, APCs and timer completion routines.
 *
 * Thread records.  A thread that waits alertably, is the target of
 * QueueUserAPC() or sets a timer with a completion routine gets a record:
 * an auto-reset winsync event, its "alert event", and a wait-free queue of
 * APCs (liburcu's wfcqueue: any thread enqueues, only the owner dequeues).
 * Queueing an APC enqueues it and sets the alert event; an alertable wait
 * passes the alert event to the kernel (WINSYNC_WAIT_ALERT), which checks
 * the waited objects first, and when the alert ends the wait, the thread
 * runs every queued APC in FIFO order and returns WAIT_IO_COMPLETION.
 *
 * Thread handles.  DuplicateHandle(GetCurrentProcess(), GetCurrentThread(),
 * ...) gives a descriptor that is a dup of the thread's "handle base": a
 * SYNCHRONIZE|QUERY_STATE handle to a manual-reset event set when the thread
 * exits, so waiting on a thread handle waits for the thread's end.  A
 * lock-free RCU hash table (liburcu's rculfhash, urcu-bp flavor: no
 * signals) maps such descriptors to records; kcmp(2) checks that the
 * descriptor still is the one registered.
 *
 * Registration rules (winsync-win32(7)): liburcu-bp registers a thread as
 * an RCU reader on its first read-side section and forgets it at exit; a
 * thread gets its record on first use, and a pthread key destructor, at
 * thread exit, marks the record dead, drops the APCs still queued, cancels
 * the timers it set with a completion routine, and sets its exit event.
 * Records are freed after an RCU grace period (call_rcu), once no thread
 * handle refers to them.
 *
 * Timer completion routines.  The kernel timer is armed as usual; a shadow
 * timerfd armed with the same due time and period stands for it in a
 * library service thread, which sleeps in epoll_wait() on all shadows and,
 * at each expiry, queues the routine as an APC to the thread that set the
 * timer, unless one is still queued (at most one outstanding per timer).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define _LGPL_SOURCE	/* liburcu's inline fast paths (LGPL, like us) */

#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/*
 * The urcu-bp flavor: no signals (membarrier(2) or barriers), readers
 * registered automatically, and the only flavor that survives fork()
 * without an exec, which POSIX programs do (urcu-memb would keep the
 * parent's threads registered in the child, where a new thread reusing a
 * dead one's stack corrupts its reader registry).
 */
#include <urcu-bp.h>
#include <urcu/rculfhash.h>
#include <urcu/wfcqueue.h>
#include <urcu/list.h>

#include "internal.h"

#define PSEUDO_PROCESS	((HANDLE)(intptr_t)-1)
#define PSEUDO_THREAD	((HANDLE)(intptr_t)-2)

struct binding;

struct ws32_thread {
	struct __cds_wfcq_head qhead;
	struct cds_wfcq_tail qtail;
	int alert_fd;		/* auto-reset event */
	int exit_fd;		/* manual-reset event, set at exit; or -1 */
	int base_fd;		/* SYNCHRONIZE|QUERY_STATE handle to it; or -1 */
	atomic_int dead;
	atomic_long refs;	/* the thread, thread handles, timer bindings */
	struct cds_list_head link;	/* all_threads */
	struct rcu_head rcu;
};

struct apc {
	struct cds_wfcq_node node;
	PAPCFUNC fn;
	ULONG_PTR data;
	struct binding *b;	/* a timer completion routine */
	DWORD lo, hi;		/* its expiry, as a FILETIME */
};

/* A thread handle in the registry. */
struct th_node {
	struct cds_lfht_node node;
	int fd;
	struct ws32_thread *t;
	struct rcu_head rcu;
};

/* A timer with a completion routine. */
struct binding {
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

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;
static struct cds_lfht *registry;
static atomic_long registry_count;

static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;
static CDS_LIST_HEAD(all_threads);

static pthread_mutex_t svc_lock = PTHREAD_MUTEX_INITIALIZER;
static CDS_LIST_HEAD(bindings);
static atomic_long binding_count;
static uint64_t next_binding_id = 1;
static int svc_epfd = -1;

static _Thread_local struct ws32_thread *self_rec;
static _Thread_local bool key_set;

static void fork_prepare(void);
static void fork_parent(void);
static void fork_child(void);
static void thread_exit(void *unused);

static void global_init(void)
{
	pthread_key_create(&exit_key, thread_exit);
	registry = cds_lfht_new(64, 64, 0, 0, NULL);
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

static int init(void)
{
	pthread_once(&once, global_init);
	return registry ? 0 : -ENOMEM;
}

static void mark_key(void)
{
	if (!key_set) {
		pthread_setspecific(exit_key, (void *)1);
		key_set = true;
	}
}

/* liburcu-bp registers readers itself, on their first read-side section. */
static void rcu_enter(void)
{
}

/* ---------------------------------------------------------- thread records */

static void binding_unref(struct binding *b);

/* Drop every queued APC, running none.  Only the owner, or nobody, dequeues. */
static void drain(struct ws32_thread *t)
{
	struct cds_wfcq_node *qn;

	while ((qn = __cds_wfcq_dequeue_blocking(&t->qhead, &t->qtail))) {
		struct apc *a = caa_container_of(qn, struct apc, node);

		if (a->b)
			binding_unref(a->b);
		free(a);
	}
}

static void thread_free_rcu(struct rcu_head *head)
{
	struct ws32_thread *t = caa_container_of(head, struct ws32_thread, rcu);

	drain(t);
	ws32_internal_close(t->alert_fd);
	ws32_internal_close(t->exit_fd);
	ws32_internal_close(t->base_fd);
	free(t);
}

static void thread_unref(struct ws32_thread *t)
{
	if (atomic_fetch_sub(&t->refs, 1) == 1) {
		rcu_enter();
		call_rcu(&t->rcu, thread_free_rcu);
	}
}

/* The calling thread's record, made on first use; NULL with *err set. */
struct ws32_thread *ws32_self(int *err)
{
	struct ws32_thread *t = self_rec;
	int dev, fd;

	if (t)
		return t;
	*err = init();
	if (*err)
		return NULL;
	dev = ws32_dev();
	if (dev < 0) {
		*err = dev;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		*err = -ENOMEM;
		return NULL;
	}
	fd = winsync_event_create(dev, 0);
	if (fd < 0) {
		free(t);
		*err = fd;
		return NULL;
	}
	rcu_enter();
	t->alert_fd = ws32_internal_fd(fd);
	t->exit_fd = -1;
	t->base_fd = -1;
	__cds_wfcq_init(&t->qhead, &t->qtail);
	atomic_init(&t->dead, 0);
	atomic_init(&t->refs, 1);
	pthread_mutex_lock(&all_lock);
	cds_list_add(&t->link, &all_threads);
	pthread_mutex_unlock(&all_lock);
	self_rec = t;
	mark_key();
	return t;
}

int ws32_thread_alert_fd(const struct ws32_thread *t)
{
	return t->alert_fd;
}

/* Queue an APC to a live record and wake it; the caller keeps t alive. */
static void post(struct ws32_thread *t, struct apc *a)
{
	cds_wfcq_node_init(&a->node);
	cds_wfcq_enqueue(&t->qhead, &t->qtail, &a->node);
	winsync_event_set(t->alert_fd, NULL);
}

int ws32_run_apcs(struct ws32_thread *t)
{
	struct cds_wfcq_node *qn;
	int n = 0;

	/* Until the queue is empty: APCs that APCs queue run too. */
	while ((qn = __cds_wfcq_dequeue_blocking(&t->qhead, &t->qtail))) {
		struct apc *a = caa_container_of(qn, struct apc, node);
		struct binding *b = a->b;

		if (b) {
			/* A cancelled timer's routine no longer runs. */
			if (!atomic_load(&b->dead)) {
				atomic_store(&b->outstanding, 0);
				b->routine(b->arg, a->lo, a->hi);
				n++;
			}
			binding_unref(b);
		} else {
			a->fn(a->data);
			n++;
		}
		free(a);
	}
	return n;
}

/* ----------------------------------------------------------- thread handles */

static unsigned long fd_hash(int fd)
{
	return (unsigned long)((uint64_t)(unsigned int)fd * 0x9E3779B97F4A7C15ULL >> 16);
}

static int fd_match(struct cds_lfht_node *node, const void *key)
{
	return caa_container_of(node, struct th_node, node)->fd == *(const int *)key;
}

static void node_free_rcu(struct rcu_head *head)
{
	struct th_node *n = caa_container_of(head, struct th_node, rcu);

	thread_unref(n->t);
	free(n);
}

/* The record a thread handle stands for; call within rcu_read_lock(). */
static struct ws32_thread *lookup(int fd)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;
	struct ws32_thread *t;
	pid_t pid = getpid();
	long r;

	cds_lfht_lookup(registry, fd_hash(fd), fd_match, &fd, &iter);
	node = cds_lfht_iter_get_node(&iter);
	if (!node)
		return NULL;
	t = caa_container_of(node, struct th_node, node)->t;
	/* Still the descriptor we registered (not closed with close(2))? */
	r = syscall(SYS_kcmp, pid, pid, KCMP_FILE, fd, t->base_fd);
	if (r == 0 || (r < 0 && (errno == ENOSYS || errno == EPERM)))
		return t;
	return NULL;
}

static int register_handle(int fd, struct ws32_thread *t)
{
	struct cds_lfht_node *old;
	struct th_node *n = calloc(1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	n->fd = fd;
	n->t = t;
	atomic_fetch_add(&t->refs, 1);
	cds_lfht_node_init(&n->node);
	rcu_enter();
	rcu_read_lock();
	old = cds_lfht_add_replace(registry, fd_hash(fd), fd_match, &fd,
				   &n->node);
	rcu_read_unlock();
	if (old)
		call_rcu(&caa_container_of(old, struct th_node, node)->rcu,
			 node_free_rcu);
	else
		atomic_fetch_add(&registry_count, 1);
	return 0;
}

int ws32_thread_handle_new(bool inherit)
{
	struct ws32_thread *t;
	int err, fd, dev;

	t = ws32_self(&err);
	if (!t)
		return err;
	if (t->base_fd < 0) {
		/* Only the thread itself gets here: no race on its fields. */
		dev = ws32_dev();
		fd = winsync_event_create(dev, WINSYNC_CREATE_MANUAL_RESET);
		if (fd < 0)
			return fd;
		t->exit_fd = ws32_internal_fd(fd);
		fd = winsync_reopen(t->exit_fd, WINSYNC_ACCESS_SYNCHRONIZE |
				    WINSYNC_ACCESS_QUERY_STATE |
				    WINSYNC_ACCESS_READ_CONTROL, 0);
		if (fd < 0) {
			ws32_internal_close(t->exit_fd);
			t->exit_fd = -1;
			return fd;
		}
		t->base_fd = ws32_internal_fd(fd);
	}
	fd = fcntl(t->base_fd, inherit ? F_DUPFD : F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	err = register_handle(fd, t);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

bool ws32_thread_handle_dup(int src, int dst)
{
	struct ws32_thread *t;
	bool ok = false;

	if (!atomic_load(&registry_count))
		return false;
	rcu_enter();
	rcu_read_lock();
	t = lookup(src);
	if (t) {
		atomic_fetch_add(&t->refs, 1);	/* across the unlock */
		ok = true;
	}
	rcu_read_unlock();
	if (ok) {
		ok = !register_handle(dst, t);
		thread_unref(t);
	}
	return ok;
}

void ws32_thread_handle_closed(int fd)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;

	if (!atomic_load(&registry_count))
		return;
	rcu_enter();
	rcu_read_lock();
	cds_lfht_lookup(registry, fd_hash(fd), fd_match, &fd, &iter);
	node = cds_lfht_iter_get_node(&iter);
	if (node && !cds_lfht_del(registry, node)) {
		atomic_fetch_sub(&registry_count, 1);
		call_rcu(&caa_container_of(node, struct th_node, node)->rcu,
			 node_free_rcu);
	}
	rcu_read_unlock();
}

WS32_EXPORT DWORD WINAPI QueueUserAPC(PAPCFUNC fn, HANDLE h, ULONG_PTR data)
{
	struct ws32_thread *t;
	struct apc *a;
	DWORD err = 0;
	int fd, e;

	if (!fn) {
		ws32_set_error(ERROR_INVALID_PARAMETER);
		return 0;
	}
	fd = winsync_handle_to_fd(h);
	if (h != PSEUDO_THREAD && (fd < 0 || !atomic_load(&registry_count))) {
		ws32_set_error(ERROR_INVALID_HANDLE);
		return 0;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		ws32_set_error(ERROR_NOT_ENOUGH_MEMORY);
		return 0;
	}
	a->fn = fn;
	a->data = data;
	if (h == PSEUDO_THREAD) {
		t = ws32_self(&e);
		if (!t) {
			free(a);
			ws32_set_error(ws32_map_errno(e));
			return 0;
		}
		post(t, a);
		return 1;
	}
	rcu_enter();
	rcu_read_lock();
	t = lookup(fd);
	if (!t)
		err = ERROR_INVALID_HANDLE;
	else if (atomic_load(&t->dead))
		err = ERROR_GEN_FAILURE;	/* the thread has exited */
	else
		post(t, a);
	rcu_read_unlock();
	if (err) {
		free(a);
		ws32_set_error(err);
		return 0;
	}
	return 1;
}

/* ----------------------------------------------------- completion routines */

static void binding_unref(struct binding *b)
{
	if (atomic_fetch_sub(&b->refs, 1) == 1) {
		thread_unref(b->t);
		free(b);
	}
}

/* Take b out of service; its queued APC, if any, will not run.  svc_lock. */
static void kill_binding(struct binding *b)
{
	cds_list_del(&b->link);
	atomic_fetch_sub(&binding_count, 1);
	atomic_store(&b->dead, 1);
	if (svc_epfd >= 0)
		epoll_ctl(svc_epfd, EPOLL_CTL_DEL, b->tfd, NULL);
	ws32_internal_close(b->tfd);
	ws32_internal_close(b->dup);
	binding_unref(b);
}

static struct binding *find_binding_fd(int fd)
{
	struct binding *b;

	cds_list_for_each_entry(b, &bindings, link)
		if (b->fd == fd)
			return b;
	return NULL;
}

static void expired(uint64_t id)
{
	struct binding *b, *found = NULL;
	struct timespec ts;
	uint64_t count;
	struct apc *a;

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
	a = calloc(1, sizeof(*a));
	if (!a)
		goto out;
	clock_gettime(CLOCK_REALTIME, &ts);
	ws32_unix_to_filetime((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec,
			      &a->lo, &a->hi);
	a->b = found;
	atomic_fetch_add(&found->refs, 1);
	atomic_store(&found->outstanding, 1);
	post(found->t, a);
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
	struct binding *b, *old;
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
	atomic_fetch_add(&t->refs, 1);

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
		binding_unref(b);
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
	struct binding *b;

	if (!atomic_load(&binding_count))
		return;
	rcu_enter();	/* dropping the last reference may call_rcu() */
	pthread_mutex_lock(&svc_lock);
	b = find_binding_fd(fd);
	if (b)
		kill_binding(b);
	pthread_mutex_unlock(&svc_lock);
}

/* The setting thread exits: its timers with a routine are cancelled. */
static void timers_thread_exit(struct ws32_thread *t)
{
	struct binding *b, *tmp;

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

/* ------------------------------------------------------------- thread exit */

static void thread_exit(void *unused)
{
	struct ws32_thread *t = self_rec;

	(void)unused;
	if (t) {
		rcu_enter();
		timers_thread_exit(t);
		atomic_store(&t->dead, 1);
		if (t->exit_fd >= 0)
			winsync_event_set(t->exit_fd, NULL);
		pthread_mutex_lock(&all_lock);
		cds_list_del(&t->link);
		pthread_mutex_unlock(&all_lock);
		drain(t);
		self_rec = NULL;
		thread_unref(t);
	}
	key_set = false;
}

/* -------------------------------------------------------------------- fork */

static void fork_prepare(void)
{
	pthread_mutex_lock(&svc_lock);
	pthread_mutex_lock(&all_lock);
	call_rcu_before_fork();
	rcu_bp_before_fork();
}

static void fork_parent(void)
{
	rcu_bp_after_fork_parent();
	call_rcu_after_fork_parent();
	pthread_mutex_unlock(&all_lock);
	pthread_mutex_unlock(&svc_lock);
}

/*
 * The child has one thread and no service thread.  It starts with no
 * thread records (no queued APCs, no timer routines): the records it
 * inherited describe the parent's threads, and their events are the
 * parent's objects.  The descriptors are closed; the kernel objects are
 * left alone.
 */
static void fork_child(void)
{
	struct ws32_thread *t, *tt;
	struct binding *b, *tb;

	rcu_bp_after_fork_child();
	call_rcu_after_fork_child();
	/*
	 * The epoll instance and the timerfds are shared with the parent:
	 * close the child's descriptors, but never epoll_ctl() them, which
	 * would change the parent's service too.
	 */
	if (svc_epfd >= 0) {
		ws32_internal_close(svc_epfd);
		svc_epfd = -1;
	}
	cds_list_for_each_entry(t, &all_threads, link)
		drain(t);
	cds_list_for_each_entry_safe(b, tb, &bindings, link)
		kill_binding(b);
	cds_list_for_each_entry_safe(t, tt, &all_threads, link) {
		cds_list_del(&t->link);
		atomic_store(&t->dead, 1);
		thread_unref(t);
	}
	self_rec = NULL;
	pthread_mutex_unlock(&all_lock);
	pthread_mutex_unlock(&svc_lock);
}

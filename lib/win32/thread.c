// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwinsync-win32: threads, their APC queues and thread handles.
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
 * Timer completion routines (timer.c) reach a thread as APCs that carry
 * their timer's binding instead of a function.
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
	struct ws32_binding *b;	/* a timer completion routine */
	DWORD lo, hi;		/* its expiry, as a FILETIME */
};

/* A thread handle in the registry. */
struct th_node {
	struct cds_lfht_node node;
	int fd;
	struct ws32_thread *t;
	struct rcu_head rcu;
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;
static struct cds_lfht *registry;
static atomic_long registry_count;

static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;
static CDS_LIST_HEAD(all_threads);

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

/* Drop every queued APC, running none.  Only the owner, or nobody, dequeues. */
static void drain(struct ws32_thread *t)
{
	struct cds_wfcq_node *qn;

	while ((qn = __cds_wfcq_dequeue_blocking(&t->qhead, &t->qtail))) {
		struct apc *a = caa_container_of(qn, struct apc, node);

		if (a->b)
			ws32_binding_unref(a->b);
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

void ws32_thread_ref(struct ws32_thread *t)
{
	atomic_fetch_add(&t->refs, 1);
}

void ws32_thread_unref(struct ws32_thread *t)
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
	dev = ws32_dev_fd();
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
		struct ws32_binding *b = a->b;

		if (b) {
			/* A cancelled timer's routine no longer runs. */
			if (ws32_binding_run(b, a->lo, a->hi))
				n++;
			ws32_binding_unref(b);
		} else {
			a->fn(a->data);
			n++;
		}
		free(a);
	}
	return n;
}

int ws32_post_timer_apc(struct ws32_thread *t, struct ws32_binding *b,
			DWORD lo, DWORD hi)
{
	struct apc *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	a->b = b;
	a->lo = lo;
	a->hi = hi;
	post(t, a);
	return 0;
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

	ws32_thread_unref(n->t);
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
	ws32_thread_ref(t);
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

/* The descriptor or -errno. */
static int thread_handle_new(bool inherit)
{
	struct ws32_thread *t;
	int err, fd, dev;

	t = ws32_self(&err);
	if (!t)
		return err;
	if (t->base_fd < 0) {
		/* Only the thread itself gets here: no race on its fields. */
		dev = ws32_dev_fd();
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

/* A new thread handle of the calling thread: 0 with *out set, or an error. */
DWORD ws32_thread_handle_new(bool inherit, int *out)
{
	int fd = thread_handle_new(inherit);

	if (fd < 0)
		return ws32_map_errno(fd);
	*out = fd;
	return 0;
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
		ws32_thread_ref(t);	/* across the unlock */
		ok = true;
	}
	rcu_read_unlock();
	if (ok) {
		ok = !register_handle(dst, t);
		ws32_thread_unref(t);
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

/* ---------------------------------------------------------------- APCs */

static DWORD queue_apc(PAPCFUNC fn, HANDLE h, ULONG_PTR data)
{
	struct ws32_thread *t;
	struct apc *a;
	DWORD err = 0;
	int fd, e;

	if (!fn)
		return ERROR_INVALID_PARAMETER;
	fd = winsync_handle_to_fd(h);
	if (h != PSEUDO_THREAD && (fd < 0 || !atomic_load(&registry_count)))
		return ERROR_INVALID_HANDLE;
	a = calloc(1, sizeof(*a));
	if (!a)
		return ERROR_NOT_ENOUGH_MEMORY;
	a->fn = fn;
	a->data = data;
	if (h == PSEUDO_THREAD) {
		t = ws32_self(&e);
		if (!t) {
			free(a);
			return ws32_map_errno(e);
		}
		post(t, a);
		return 0;
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
	if (err)
		free(a);
	return err;
}

WS32_EXPORT DWORD WINAPI QueueUserAPC(PAPCFUNC fn, HANDLE h, ULONG_PTR data)
{
	return ws32_bool(queue_apc(fn, h, data));
}

/* ------------------------------------------------------------- thread exit */

static void thread_exit(void *unused)
{
	struct ws32_thread *t = self_rec;

	(void)unused;
	if (t) {
		rcu_enter();
		ws32_timers_thread_exit(t);
		atomic_store(&t->dead, 1);
		if (t->exit_fd >= 0)
			winsync_event_set(t->exit_fd, NULL);
		pthread_mutex_lock(&all_lock);
		cds_list_del(&t->link);
		pthread_mutex_unlock(&all_lock);
		drain(t);
		self_rec = NULL;
		ws32_thread_unref(t);
	}
	key_set = false;
}

/* -------------------------------------------------------------------- fork */

static void fork_prepare(void)
{
	ws32_timers_lock();
	pthread_mutex_lock(&all_lock);
	call_rcu_before_fork();
	rcu_bp_before_fork();
}

static void fork_parent(void)
{
	rcu_bp_after_fork_parent();
	call_rcu_after_fork_parent();
	pthread_mutex_unlock(&all_lock);
	ws32_timers_unlock();
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

	rcu_bp_after_fork_child();
	call_rcu_after_fork_child();
	cds_list_for_each_entry(t, &all_threads, link)
		drain(t);
	ws32_timers_fork_child();
	cds_list_for_each_entry_safe(t, tt, &all_threads, link) {
		cds_list_del(&t->link);
		atomic_store(&t->dead, 1);
		ws32_thread_unref(t);
	}
	self_rec = NULL;
	pthread_mutex_unlock(&all_lock);
	ws32_timers_unlock();
}

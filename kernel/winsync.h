/* SPDX-License-Identifier: GPL-2.0 */
/*
 * winsync internals shared by the module's files.
 *
 * Object model
 * ------------
 * A struct winsync_obj is one semaphore, mutex, event or timer.  Userspace
 * never sees it directly: it holds handles, anonymous-inode files whose
 * private_data is a struct winsync_handle (the object plus the handle's
 * access mask).  Every handle file holds one reference on its object; a wait
 * holds the files of the handles it waits on (fget), so closing descriptors
 * during a wait frees nothing.  The object is freed when the last reference
 * goes.
 *
 * Locking
 * -------
 * Each object has a spinlock, obj->lock.  A wait-all needs a consistent view
 * of up to 64 objects; holding 64 spinlocks would keep preemption off for
 * too long, so wait-all uses a sleeping mutex and "device-locks" each
 * object: under obj->lock it sets obj->dev_locked, then drops obj->lock.
 * While dev_locked is set, whoever takes obj->lock must drop it and wait for
 * that mutex (see winsync_obj_lock()).  So "holding an object" means either
 * holding obj->lock with dev_locked clear, or holding the object's wait-all
 * lock with dev_locked set.
 *
 * The wait-all lock is not global: it belongs to a wait-all domain (struct
 * winsync_domain), the set of objects that wait-alls have tied together.
 * An object joins a domain at its first wait-all; a wait-all over objects of
 * several domains merges them (union by rank: the root of one becomes the
 * child of the other's root).  Domains never split while their objects live,
 * so objects once waited on together stay together, and the lock of a
 * domain is the mutex of its root.  Wait-alls on objects that no wait-all
 * ever combined never share a lock.
 *
 * An object with wait-all waiters has all_hint > 0; any operation on it then
 * takes its domain's lock too, because changing its state can complete a
 * wait-all.  Objects without wait-all waiters never touch a domain, so
 * single-object and wait-any traffic is not serialized.
 *
 * A timer's state is evaluated lazily under its object (see timer.c); its
 * hrtimer callback runs in hard irq context and takes only the timer's raw
 * spinlock t->wlock, which is innermost and never held with another
 * winsync lock.  t->set_lock (set and cancel) is taken before the object.
 *
 * Lock order:
 *   t->set_lock -> domain root lock (two only while merging: lower
 *     address first) -> obj->lock -> owner->lock
 *   obj->lock -> hrtimer base lock (hrtimer_start())
 *   t->wlock -> scheduler locks (wake_up_process())
 * No path holds two obj->lock spinlocks at once.
 */
#ifndef _WINSYNC_INTERNAL_H
#define _WINSYNC_INTERNAL_H

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/task_work.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/winsync.h>

struct file;
struct ipc_namespace;
struct pid;
struct task_struct;
struct winsync_owner;

/* Access rights meaningful for each type; index by WINSYNC_TYPE_*. */
#define WINSYNC_ACCESS_MUTEX_ALL	(WINSYNC_ACCESS_ALL & ~WINSYNC_ACCESS_MODIFY_STATE)

/*
 * Field order keeps the 32-bit fields together: on a production kernel the
 * object fits the 128-byte slab class.
 */
struct winsync_obj {
	/* Protects the state (u), the waiter lists and dev_locked. */
	spinlock_t lock;
	/* Set under lock while the holder of the domain's lock owns the object. */
	int dev_locked;

	/* Immutable after creation. */
	u32 type;
	/* The user charged for the object; immutable. */
	kuid_t charged_uid;

	struct kref ref;

	/* Wait-all waiters queued on the object; read without any lock. */
	atomic_t all_hint;

	/* Immutable after creation. */
	u64 id;

	/* struct winsync_q_entry, protected by lock. */
	struct list_head any_waiters;
	/* struct winsync_q_entry, protected by the domain's lock. */
	struct list_head all_waiters;

	/*
	 * The wait-all domain, NULL until the first wait-all on the object.
	 * Set once under lock, then immutable; a reference is held.
	 */
	struct winsync_domain *domain;

	/* poll() and epoll waiters; its own lock. */
	wait_queue_head_t poll_wq;

	/* Immutable once the object is reachable; NULL if unnamed. */
	struct winsync_name *name;

	/* Protected by lock (or by the dev-lock, see above). */
	union {
		struct {
			u32 count;
			u32 max;
		} sem;
		struct {
			/* Owning thread, or NULL. */
			struct winsync_owner *owner;
			/* Recursion count; 0 iff unowned. */
			u32 count;
			bool abandoned;
			/* In owner->mutexes; also protected by owner->lock. */
			struct list_head owner_link;
		} mutex;
		struct {
			bool manual;
			bool signaled;
		} event;
		struct {
			bool manual;
			bool signaled;
			/* Armed: due times still to come. */
			bool active;
			/* Due times passed, counted lazily (timer.c). */
			u64 expirations;
			/* Immutable pointer. */
			struct winsync_timer *t;
		} timer;
	} u;
};

/*
 * A wait-all domain (domain.c): objects that wait-alls have tied together,
 * and the lock that serializes their wait-alls.
 */
struct winsync_domain {
	/* Held by whoever device-locks objects of the domain; see above. */
	struct mutex lock;
	/*
	 * NULL for a root.  Set once, under the locks of both roots, when
	 * this domain is merged into another; a reference is then held.
	 */
	struct winsync_domain *parent;
	/* One per object and child domain, plus transient ones. */
	refcount_t ref;
	/* Union by rank; protected by lock while a root. */
	u32 rank;
};

/*
 * The clock side of a waitable timer (timer.c).  Its state is evaluated
 * lazily by whoever holds the object; the hrtimer only wakes observers.
 */
struct winsync_timer {
	/* Armed only while observed; started only by a holder of the object. */
	struct hrtimer hrtimer;
	/* Wakes poll() and epoll waiters after the hrtimer fired. */
	struct irq_work poll_work;
	/* poll_work was queued once; set by the hrtimer callback. */
	bool poll_work_used;
	/* Protects waiters; taken in hard irq context, innermost. */
	raw_spinlock_t wlock;
	/* Sleeping waits on the timer: struct winsync_q_entry, by tnode. */
	struct list_head waiters;
	/* Entries in waiters; written under wlock, read without a lock. */
	unsigned int nr_waiters;
	/* Serializes set and cancel, which re-initialize the hrtimer. */
	struct mutex set_lock;
	/* Protected by the object (obj->lock or the device lock). */
	ktime_t due;		/* next due time (soft expiry) on clock */
	u64 period;		/* nanoseconds; 0 for a one-shot timer */
	u64 slack;		/* nanoseconds */
	clockid_t clock;	/* CLOCK_MONOTONIC or CLOCK_REALTIME */
	/* Immutable. */
	struct winsync_obj *obj;
};

struct winsync_ns;

/* The name of a named object (names.c). */
struct winsync_name {
	/* In its namespace's name table; protected by wns->lock. */
	struct rhash_head node;
	/* In its namespace's list of names, for listing; same lock. */
	struct list_head all_node;
	/* Protected by wns->lock. */
	bool hashed;
	/* The names of ns; set when published, then immutable; a reference. */
	struct winsync_ns *wns;
	/* The rest is immutable. */
	struct winsync_obj *obj;
	/* A reference is held. */
	struct ipc_namespace *ns;
	/* Local names: the creator's euid; global names: INVALID_UID. */
	kuid_t session;
	bool global;
	/* Owner and permission bits, checked on open. */
	kuid_t uid;
	kgid_t gid;
	u32 mode;
	/* The bytes after the prefix. */
	u32 len;
	char bytes[];
};

/* private_data of a handle file. */
struct winsync_handle {
	struct winsync_obj *obj;
	/* WINSYNC_ACCESS_* rights of this handle; immutable. */
	u32 access;
};

/*
 * A thread that owns, or waits for, mutexes.  Each record belongs to one
 * task and is created and destroyed only by that task (in an ioctl, or when
 * it exits or execs), so the task may use its own record without a lock or
 * reference.  Others reach it only through a mutex that it owns (under that
 * mutex's lock) or through a wait queue it sleeps on.
 */
struct winsync_owner {
	/* In the owner table; writers hold the bucket lock, readers use RCU. */
	struct hlist_node node;
	/*
	 * Lookup key.  The task removes its record before it is freed, so
	 * the task is alive while its record owns a mutex.
	 */
	const struct task_struct *task;
	/* The thread's pid, to report its id in a caller's pid namespace. */
	struct pid *pid;
	/* Protects mutexes. */
	spinlock_t lock;
	/* Owned mutexes, through winsync_obj.u.mutex.owner_link. */
	struct list_head mutexes;
	/* Abandons the mutexes in task context after exit or exec. */
	struct callback_head twork;
	/* Only the task itself touches it. */
	bool twork_pending;
	struct rcu_head rcu;
};

/* One waiter: the waiting thread and one entry per object it waits on. */
struct winsync_q_entry {
	/* In obj->any_waiters or obj->all_waiters. */
	struct list_head node;
	struct winsync_q *q;
	struct winsync_obj *obj;
	/* The handle's file, held for the wait. */
	struct file *file;
	/* Timers: in t->waiters while the wait may sleep; t->wlock. */
	struct list_head tnode;
	u32 index;
};

struct winsync_q {
	struct task_struct *task;
	/* The waiting thread's owner record, or NULL if it waits on no mutex. */
	struct winsync_owner *owner;
	/*
	 * -1 while waiting; set once, by cmpxchg, to the index of the entry
	 * that satisfied the wait.  Whoever sets it acquires for the waiter.
	 */
	atomic_t signaled;
	/* Written only by the thread that set signaled. */
	bool abandoned;
	u32 abandoned_index;
	bool all;
	/* Set by a timer's hrtimer callback, cleared by the waiter. */
	int timer_kick;
	/* Entries below this index may be registered timers (timer.c). */
	u32 timers;
	u32 count;
	struct winsync_q_entry entries[];
};

extern atomic64_t winsync_live_objects;

/* domain.c */
struct winsync_domain *winsync_domain_root(struct winsync_domain *d);
struct winsync_domain *winsync_domain_lock(struct winsync_obj *obj);
int winsync_domain_join(struct winsync_obj *x, struct winsync_obj *y);
void winsync_domain_put(struct winsync_domain *d);

/* The caller holds @obj, by its spinlock or by the device lock. */
static inline void winsync_assert_obj_held(struct winsync_obj *obj)
{
	if (obj->dev_locked)
		lockdep_assert_held(&winsync_domain_root(obj->domain)->lock);
	else
		lockdep_assert_held(&obj->lock);
}

/* object.c */
bool winsync_obj_lock_slow(struct winsync_obj *obj);
void winsync_obj_unlock_all(struct winsync_obj *obj) __releases(&obj->lock);
void winsync_dev_lock_obj(struct winsync_obj *obj);
void winsync_dev_unlock_obj(struct winsync_obj *obj);

/*
 * Hold @obj for a state change.  Returns true if the caller also holds the
 * lock of @obj's wait-all domain, because wait-all waiters are queued on
 * @obj and must be considered too.  The common case, no wait-all in sight,
 * is one spinlock.
 *
 * For sparse, holding the object either way counts as holding obj->lock:
 * the device-locked path says so with __acquire()/__release(), so that
 * every caller's lock and unlock balance on all paths.
 */
static inline bool winsync_obj_lock(struct winsync_obj *obj)
	__acquires(&obj->lock)
{
	spin_lock(&obj->lock);
	if (likely(!obj->dev_locked && !atomic_read(&obj->all_hint)))
		return false;
	return winsync_obj_lock_slow(obj);
}

static inline void winsync_obj_unlock(struct winsync_obj *obj, bool all)
	__releases(&obj->lock)
{
	if (likely(!all))
		spin_unlock(&obj->lock);
	else
		winsync_obj_unlock_all(obj);
}

/*
 * Objects whose state can change without an operation on them: a mutex
 * whose owner is exiting, a timer whose due time passed.  See
 * winsync_obj_refresh().
 */
static inline bool winsync_obj_has_lazy_state(const struct winsync_obj *obj)
{
	return obj->type == WINSYNC_TYPE_MUTEX || obj->type == WINSYNC_TYPE_TIMER;
}

bool winsync_obj_is_signaled(struct winsync_obj *obj,
			     const struct winsync_owner *owner);
void winsync_obj_acquire(struct winsync_obj *obj, struct winsync_q *q,
			 u32 index);
void winsync_wake_obj(struct winsync_obj *obj, bool all);
void winsync_obj_put(struct winsync_obj *obj);
struct winsync_handle *winsync_handle_from_file(struct file *file);
long winsync_ioctl_create(void __user *argp);
long winsync_ioctl_open(void __user *argp);
int winsync_obj_signal(struct winsync_handle *handle);
void winsync_obj_fill_info(struct winsync_obj *obj, struct winsync_obj_info *info);
void winsync_mutex_abandon(struct winsync_obj *obj, struct winsync_owner *owner);
bool winsync_mutex_reap(struct winsync_obj *obj, bool all);
bool winsync_obj_refresh(struct winsync_obj *obj, bool all);
void winsync_obj_notify_poll(struct winsync_obj *obj);

/* timer.c */
int winsync_timer_init(struct winsync_obj *obj);
void winsync_timer_destroy(struct winsync_obj *obj);
long winsync_timer_ioctl_set(struct winsync_handle *handle, void __user *argp);
long winsync_timer_ioctl_cancel(struct winsync_handle *handle, u32 __user *argp);
void winsync_timer_fill_info(struct winsync_obj *obj, struct winsync_obj_info *info);
bool winsync_timer_update(struct winsync_obj *obj, bool all);
void winsync_timer_consumed(struct winsync_obj *obj, const struct winsync_q *q,
			    u32 index);
void winsync_timer_poll(struct winsync_obj *obj);
void winsync_timer_wait_start(struct winsync_q *q, u32 n);
void winsync_timer_wait_prepare(struct winsync_q *q, bool sleep);
void winsync_timer_wait_end(struct winsync_q *q);

/* names.c */
int winsync_names_init(void);
long winsync_ioctl_list(void __user *argp);
void winsync_names_exit(void);
struct winsync_name *winsync_name_new(u64 uname, u32 len, u32 mode);
void winsync_name_free(struct winsync_name *n);
struct winsync_obj *winsync_name_publish(struct winsync_name *n,
					 struct winsync_obj *obj);
struct winsync_obj *winsync_name_open(const struct winsync_name *n);
void winsync_name_unpublish(struct winsync_obj *obj);
bool winsync_name_permits(const struct winsync_name *n, u32 access);
int winsync_user_charge(kuid_t *uidp);
void winsync_user_uncharge(kuid_t uid);
u64 winsync_user_objects(void);
unsigned int winsync_max_user_objects(void);

/* wait.c */
long winsync_ioctl_wait(void __user *argp);
void winsync_try_wake_any(struct winsync_obj *obj);
void winsync_try_wake_all_obj(struct winsync_obj *obj);

/* owner.c */
int winsync_owner_init(void);
void winsync_owner_exit(void);
struct winsync_owner *winsync_owner_current(bool create);
void winsync_owner_link(struct winsync_owner *owner, struct winsync_obj *obj);
void winsync_owner_unlink(struct winsync_owner *owner, struct winsync_obj *obj);
pid_t winsync_owner_tid(const struct winsync_owner *owner);

#endif /* _WINSYNC_INTERNAL_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * winsync waits: wait-any, wait-all, alerts and signal-and-wait.
 *
 * A waiting thread queues one entry per object and sleeps.  Whoever makes an
 * object signaled hands it to the queued waiters (oldest first): it claims a
 * waiter by setting q->signaled with cmpxchg, performs the acquisition on
 * the waiter's behalf while holding the object, and wakes the thread.  So a
 * woken waiter never races for the object it was given, and a wait-all
 * acquires all its objects at one instant, under its domain's lock.
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "winsync.h"
#include "winsync_trace.h"

void winsync_try_wake_any(struct winsync_obj *obj)
{
	struct winsync_q_entry *entry;

	winsync_assert_obj_held(obj);

	list_for_each_entry(entry, &obj->any_waiters, node) {
		struct winsync_q *q = entry->q;

		if (!winsync_obj_is_signaled(obj, q->owner)) {
			/*
			 * An owned mutex is signaled for its owner alone, whose
			 * recursive wait may be queued behind sleepers.
			 */
			if (obj->type != WINSYNC_TYPE_MUTEX)
				break;
			continue;
		}
		if (atomic_cmpxchg(&q->signaled, -1, entry->index) == -1) {
			winsync_obj_acquire(obj, q, entry->index);
			wake_up_process(q->task);
		}
	}
}

/*
 * Complete @q's wait-all if all its objects are signaled.  @locked_obj is
 * already device-locked by the caller (or NULL).
 */
static void try_wake_all(struct winsync_q *q, struct winsync_obj *locked_obj)
{
	bool can_wake = true;
	u32 i;

	lockdep_assert_held(&winsync_domain_root(q->entries[0].obj->domain)->lock);

	if (atomic_read(&q->signaled) != -1)
		return;

	for (i = 0; i < q->count; i++)
		if (q->entries[i].obj != locked_obj)
			winsync_dev_lock_obj(q->entries[i].obj);

	for (i = 0; i < q->count; i++) {
		if (!winsync_obj_is_signaled(q->entries[i].obj, q->owner)) {
			can_wake = false;
			break;
		}
	}

	if (can_wake && atomic_cmpxchg(&q->signaled, -1, 0) == -1) {
		for (i = 0; i < q->count; i++)
			winsync_obj_acquire(q->entries[i].obj, q, i);
		wake_up_process(q->task);
	}

	for (i = 0; i < q->count; i++)
		if (q->entries[i].obj != locked_obj)
			winsync_dev_unlock_obj(q->entries[i].obj);
}

void winsync_try_wake_all_obj(struct winsync_obj *obj)
{
	struct winsync_q_entry *entry;

	winsync_assert_obj_held(obj);

	list_for_each_entry(entry, &obj->all_waiters, node)
		try_wake_all(entry->q, obj);
}

/*
 * Sleep until @q is signaled, the timeout passes (returns 0) or a signal
 * arrives (returns -ERESTARTSYS).  The timeout is absolute, so a restarted
 * call waits for the same deadline.
 */
static int wait_schedule(struct winsync_q *q,
			 const struct winsync_wait_args *args)
{
	clockid_t clock = CLOCK_MONOTONIC;
	ktime_t timeout, *timeout_ptr = NULL;
	int ret = 0;

	/* Past KTIME_MAX nanoseconds is as good as forever. */
	if (args->timeout <= KTIME_MAX) {
		timeout = ns_to_ktime(args->timeout);
		if (args->flags & WINSYNC_WAIT_REALTIME)
			clock = CLOCK_REALTIME;
		else
			timeout = winsync_timens_to_host(timeout);
		timeout_ptr = &timeout;
	}

	do {
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		/* Timers are caught up by their waiters; see timer.c. */
		if (q->timers && atomic_read(&q->signaled) == -1)
			winsync_timer_wait_prepare(q, true);
		set_current_state(TASK_INTERRUPTIBLE);
		if (atomic_read(&q->signaled) != -1) {
			ret = 0;
			break;
		}
		/* A timer fired since it was caught up: look again. */
		if (READ_ONCE(q->timer_kick)) {
			__set_current_state(TASK_RUNNING);
			ret = -EINTR;
			continue;
		}
		ret = schedule_hrtimeout_range_clock(timeout_ptr, 0,
						     HRTIMER_MODE_ABS, clock);
	} while (ret < 0);
	__set_current_state(TASK_RUNNING);

	/* Timed out: a timer due by the deadline still satisfies the wait. */
	if (!ret && q->timers && atomic_read(&q->signaled) == -1)
		winsync_timer_wait_prepare(q, false);
	return ret;
}

static struct winsync_handle *handle_fget(s32 fd, struct file **filep)
{
	struct winsync_handle *handle;
	struct file *file;

	file = fget(fd);
	if (!file)
		return NULL;
	handle = winsync_handle_from_file(file);
	if (!handle) {
		fput(file);
		return NULL;
	}
	*filep = file;
	return handle;
}

/* Drop the file references of the first @n entries, and @q. */
static void q_put(struct winsync_q *q, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		fput(q->entries[i].file);
	kfree(q);
}

static int wait_check_args(const struct winsync_wait_args *args)
{
	if (args->flags & ~(WINSYNC_WAIT_ALL | WINSYNC_WAIT_REALTIME |
			    WINSYNC_WAIT_ALERT | WINSYNC_WAIT_SIGNAL))
		return -EINVAL;
	if (args->count > WINSYNC_MAX_WAIT_OBJECTS)
		return -EINVAL;
	/* Only a wait-any may wait for nothing but its alert. */
	if (!args->count &&
	    (!(args->flags & WINSYNC_WAIT_ALERT) || args->flags & WINSYNC_WAIT_ALL))
		return -EINVAL;
	if (args->reserved[0] || args->reserved[1])
		return -EINVAL;
	if (!(args->flags & WINSYNC_WAIT_ALERT) && args->alert)
		return -EINVAL;
	if (!(args->flags & WINSYNC_WAIT_SIGNAL) && args->signal)
		return -EINVAL;
	return 0;
}

/*
 * Build the wait queue: take a reference on every handle's file and check
 * types and rights.  The alert, if any, is entry @count.
 */
static int wait_setup(const struct winsync_wait_args *args,
		      struct winsync_q **qp)
{
	bool alert = args->flags & WINSYNC_WAIT_ALERT;
	u32 total = args->count + alert;
	s32 fds[WINSYNC_MAX_WAIT_OBJECTS + 1];
	bool need_owner = false;
	struct winsync_q *q;
	u32 i, j;
	int ret;

	if (copy_from_user(fds, u64_to_user_ptr(args->objs),
			   array_size(args->count, sizeof(*fds))))
		return -EFAULT;
	if (alert)
		fds[args->count] = args->alert;

	q = kmalloc(struct_size(q, entries, total), GFP_KERNEL_ACCOUNT);
	if (!q)
		return -ENOMEM;
	q->task = current;
	q->owner = NULL;
	atomic_set(&q->signaled, -1);
	q->abandoned = false;
	q->abandoned_index = 0;
	q->all = args->flags & WINSYNC_WAIT_ALL;
	q->timer_kick = 0;
	q->timers = 0;
	q->count = args->count;

	for (i = 0; i < total; i++) {
		struct winsync_q_entry *entry = &q->entries[i];
		struct winsync_handle *handle;

		handle = handle_fget(fds[i], &entry->file);
		if (!handle) {
			ret = -EBADF;
			goto err;
		}
		if (!(handle->access & WINSYNC_ACCESS_SYNCHRONIZE)) {
			ret = -EACCES;
			i++;
			goto err;
		}
		if (i == args->count && handle->obj->type != WINSYNC_TYPE_EVENT) {
			ret = -EINVAL;
			i++;
			goto err;
		}
		entry->obj = handle->obj;
		entry->q = q;
		entry->index = i;
		if (handle->obj->type == WINSYNC_TYPE_MUTEX)
			need_owner = true;
	}

	/* Wait-all on one object twice could never be satisfied atomically. */
	if (q->all) {
		for (i = 0; i < q->count; i++) {
			for (j = i + 1; j < q->count; j++) {
				if (q->entries[i].obj == q->entries[j].obj) {
					ret = -EINVAL;
					i = total;
					goto err;
				}
			}
		}
		/* One lock for all the objects: put them in one domain. */
		for (i = 0; i < q->count; i++) {
			ret = winsync_domain_join(q->entries[0].obj,
						  q->entries[i].obj);
			if (ret) {
				i = total;
				goto err;
			}
		}
	}

	if (need_owner) {
		q->owner = winsync_owner_current(true);
		if (!q->owner) {
			ret = -ENOMEM;
			i = total;
			goto err;
		}
	}

	*qp = q;
	return 0;

err:
	q_put(q, i);
	return ret;
}

/*
 * Queue entries @first..@end-1 for wait-any, in index order, and look at
 * each object at once, so that the lowest signaled index wins.  Stops once
 * the wait is satisfied; returns how many entries were queued.  An object
 * that is signaled when looked at is taken without being queued: it has no
 * waiter that it could satisfy first.
 */
static u32 wait_any_queue(struct winsync_q *q, u32 first, u32 end)
{
	u32 i;

	for (i = first; i < end; i++) {
		struct winsync_obj *obj = q->entries[i].obj;
		bool all = winsync_obj_lock(obj);
		bool reaped = false, taken = false;

		/* A reaped mutex or expired timer goes to earlier waiters first. */
		reaped = winsync_obj_refresh(obj, all);
		if (winsync_obj_is_signaled(obj, q->owner)) {
			/* An earlier object may have been given to @q meanwhile. */
			if (atomic_cmpxchg(&q->signaled, -1, i) == -1)
				winsync_obj_acquire(obj, q, i);
			taken = true;
		} else {
			list_add_tail(&q->entries[i].node, &obj->any_waiters);
		}
		winsync_obj_unlock(obj, all);
		if (reaped)
			winsync_obj_notify_poll(obj);

		if (taken)
			return i - first;
		if (atomic_read(&q->signaled) != -1)
			return i + 1 - first;
	}
	return end - first;
}

static void wait_any_dequeue(struct winsync_q *q, u32 first, u32 n)
{
	u32 i;

	for (i = first; i < first + n; i++) {
		struct winsync_obj *obj = q->entries[i].obj;
		bool all = winsync_obj_lock(obj);

		list_del(&q->entries[i].node);
		winsync_obj_unlock(obj, all);
	}
}

static void wait_all_queue(struct winsync_q *q)
{
	struct winsync_domain *root = winsync_domain_lock(q->entries[0].obj);
	u32 i;

	for (i = 0; i < q->count; i++) {
		struct winsync_obj *obj = q->entries[i].obj;

		atomic_inc(&obj->all_hint);
		list_add_tail(&q->entries[i].node, &obj->all_waiters);
	}
	for (i = 0; i < q->count; i++) {
		struct winsync_obj *obj = q->entries[i].obj;

		if (!winsync_obj_has_lazy_state(obj))
			continue;
		winsync_dev_lock_obj(obj);
		if (winsync_obj_refresh(obj, true))
			winsync_obj_notify_poll(obj);
		winsync_dev_unlock_obj(obj);
	}
	try_wake_all(q, NULL);
	mutex_unlock(&root->lock);
}

static void wait_all_dequeue(struct winsync_q *q)
{
	struct winsync_domain *root = winsync_domain_lock(q->entries[0].obj);
	u32 i;

	for (i = 0; i < q->count; i++) {
		list_del(&q->entries[i].node);
		atomic_dec(&q->entries[i].obj->all_hint);
	}
	mutex_unlock(&root->lock);
}

long winsync_ioctl_wait(void __user *argp)
{
	struct winsync_wait_args __user *uargs = argp;
	struct winsync_wait_args args;
	struct winsync_q *q;
	u32 total, queued;
	int signaled;
	bool alert;
	int ret;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	/* Output fields: ignored on input. */
	args.index = 0;
	args.status = 0;
	ret = wait_check_args(&args);
	if (ret)
		return ret;
	trace_winsync_wait_begin(args.count, args.flags, args.timeout);
	ret = wait_setup(&args, &q);
	if (ret)
		goto out_trace;
	alert = args.flags & WINSYNC_WAIT_ALERT;
	total = args.count + alert;

	/* Signal-and-wait: signal first; an error means nothing was waited. */
	if (args.flags & WINSYNC_WAIT_SIGNAL) {
		struct winsync_handle *handle;
		struct file *file;

		handle = handle_fget(args.signal, &file);
		if (!handle) {
			ret = -EBADF;
		} else {
			ret = winsync_obj_signal(handle);
			fput(file);
		}
		if (ret)
			goto out;
	}

	if (q->all) {
		wait_all_queue(q);
		queued = 0;
		/* Objects before the alert: it is looked at only now. */
		if (alert && atomic_read(&q->signaled) == -1)
			queued = wait_any_queue(q, args.count, total);
	} else {
		queued = wait_any_queue(q, 0, total);
	}

	winsync_timer_wait_start(q, q->all ? q->count : queued);
	ret = wait_schedule(q, &args);

	if (q->all) {
		wait_all_dequeue(q);
		if (queued)
			wait_any_dequeue(q, args.count, 1);
	} else {
		wait_any_dequeue(q, 0, queued);
	}
	/* Dequeued first: nobody acquires for @q now (see timer.c). */
	winsync_timer_wait_end(q);

	signaled = atomic_read(&q->signaled);
	if (signaled == -1) {
		if (!ret)
			ret = -ETIMEDOUT;
		/* Restarting would signal a second time. */
		else if (args.flags & WINSYNC_WAIT_SIGNAL)
			ret = -EINTR;
		goto out;
	}

	if (alert && signaled == args.count) {
		args.status = WINSYNC_WAIT_STATUS_ALERTED;
		args.index = args.count;
	} else if (q->abandoned) {
		args.status = WINSYNC_WAIT_STATUS_ABANDONED;
		args.index = q->abandoned_index;
	} else {
		args.status = WINSYNC_WAIT_STATUS_OBJECT;
		args.index = signaled;
	}
	ret = 0;
	if (put_user(args.index, &uargs->index) ||
	    put_user(args.status, &uargs->status))
		ret = -EFAULT;

out:
	q_put(q, total);
out_trace:
	trace_winsync_wait_end(ret, args.index, args.status);
	return ret;
}

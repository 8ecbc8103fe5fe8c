// SPDX-License-Identifier: GPL-2.0
/*
 * winsync waitable timers.
 *
 * The timer's state (active, signaled, expirations, the next due time, the
 * period) lives under the object's lock and is evaluated lazily, the way
 * timerfd counts expirations: whoever looks at the timer -- a query, poll,
 * a wait queueing on it or woken for it, set and cancel -- first "catches
 * up" (timer_update()): if the due time has passed, the timer becomes
 * signaled, counts every due time it passed in one division, and moves to
 * its next due time (or becomes inactive, if one-shot).  Nothing happens
 * at the due time itself.
 *
 * The hrtimer is only a wake-up source for observers: it is armed while a
 * non-signaled active timer has a sleeping waiter or a poll/epoll waiter,
 * and never re-armed by its callback.  A timer that nobody observes costs
 * nothing, however short its period.
 *
 * The callback runs in hard interrupt context, on PREEMPT_RT too
 * (HRTIMER_MODE_ABS_HARD).  It takes only t->wlock, a raw spinlock, and
 * wakes the waits registered on the timer with wake_up_process(); each
 * woken waiter catches the timer up itself, at its own priority and in
 * its own context (taking the object's locks, the wait-all lock
 * included), so no worker thread stands between the expiry and an RT
 * waiter.  poll() and epoll waiters are woken through an irq_work, because
 * a wait queue's lock sleeps on PREEMPT_RT: in hard interrupt context on
 * other kernels, in the irq_work thread on PREEMPT_RT.
 *
 * Locking: the state is protected by the object (obj->lock, or the device
 * lock, see winsync.h); the hrtimer is started only by a holder of the
 * object, and only while the timer is active.  t->set_lock serializes set
 * and cancel: set re-initializes the hrtimer (its clock may change), which
 * it does while the timer is inactive and the hrtimer cancelled, so nobody
 * starts it meanwhile.  t->wlock is innermost: nothing else is taken under
 * it but the scheduler's locks (wake_up_process()).
 *
 *   t->set_lock -> obj->lock (-> hrtimer base lock);  t->wlock alone
 */

#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "winsync.h"
#include "winsync_trace.h"

#define TIMER_MODE	HRTIMER_MODE_ABS_HARD

static ktime_t timer_now(const struct winsync_timer *t)
{
	return t->clock == CLOCK_REALTIME ? ktime_get_real() : ktime_get();
}

/*
 * Catch @obj up with its clock: count the due times that passed and
 * signal it.  The caller holds @obj; if this returns true it handed @obj
 * to its waiters, and wakes poll waiters after releasing it.
 */
bool winsync_timer_update(struct winsync_obj *obj, bool all)
{
	struct winsync_timer *t = obj->u.timer.t;
	ktime_t now;
	u64 n = 1;

	winsync_assert_obj_held(obj);

	if (!obj->u.timer.active)
		return false;
	now = timer_now(t);
	if (now < t->due)
		return false;

	if (t->period) {
		u64 step;

		/* Every due time up to now, in one step; due stays > now. */
		n += div64_u64(ktime_to_ns(ktime_sub(now, t->due)), t->period);
		/* No overflow: now - due + period < 2^64, due >= 0. */
		step = n * t->period;
		/* Saturates: a timer due past KTIME_MAX never fires again. */
		if (step > (u64)(KTIME_MAX - t->due))
			t->due = KTIME_MAX;
		else
			t->due = ktime_add_ns(t->due, step);
	} else {
		obj->u.timer.active = false;
	}
	trace_winsync_timer_expire(obj->id, n);
	obj->u.timer.expirations += n;
	obj->u.timer.signaled = true;
	winsync_wake_obj(obj, all);
	return true;
}

/*
 * Start the hrtimer for the next due time if @obj is active and not
 * signaled and @observed; the caller holds @obj.
 */
static void timer_arm(struct winsync_obj *obj, bool observed)
{
	struct winsync_timer *t = obj->u.timer.t;

	winsync_assert_obj_held(obj);

	if (!observed || !obj->u.timer.active || obj->u.timer.signaled)
		return;
	/* Started only under the object: the expiry is stable here. */
	if (hrtimer_is_queued(&t->hrtimer) &&
	    hrtimer_get_softexpires(&t->hrtimer) == t->due)
		return;
	hrtimer_start_range_ns(&t->hrtimer, t->due, t->slack, TIMER_MODE);
}

/* Someone sleeps on @t, in a wait or in poll()/epoll. */
static bool timer_observed(struct winsync_timer *t)
{
	return READ_ONCE(t->nr_waiters) || wq_has_sleeper(&t->obj->poll_wq);
}

/*
 * Called by winsync_obj_acquire() when @q's entry @index consumed the
 * signaled state: arm for whoever else observes the timer.  @q itself,
 * which is leaving its wait, arms it again if it waits again; so a thread
 * that waits on a periodic timer in a loop does not start the hrtimer
 * between its wake-up and its return to userspace.
 */
void winsync_timer_consumed(struct winsync_obj *obj, const struct winsync_q *q,
			    u32 index)
{
	struct winsync_timer *t = obj->u.timer.t;
	/*
	 * @q's timer entries below q->timers are registered: it grows after
	 * each registration, and is reset only after @q left every queue.
	 * Read first: nr_waiters then counts @q's registration.
	 */
	bool self = index < smp_load_acquire(&q->timers);
	unsigned int others = READ_ONCE(t->nr_waiters);

	if (others && self)
		others--;
	timer_arm(obj, others || wq_has_sleeper(&obj->poll_wq));
}

static enum hrtimer_restart timer_fire(struct hrtimer *hrtimer)
{
	struct winsync_timer *t = container_of(hrtimer, struct winsync_timer,
					       hrtimer);
	struct winsync_q_entry *entry;
	unsigned long flags;

	/* Hard interrupt context, on PREEMPT_RT too: irqs are off. */
	raw_spin_lock_irqsave(&t->wlock, flags);
	list_for_each_entry(entry, &t->waiters, tnode) {
		WRITE_ONCE(entry->q->timer_kick, 1);
		wake_up_process(entry->q->task);
	}
	raw_spin_unlock_irqrestore(&t->wlock, flags);

	if (wq_has_sleeper(&t->obj->poll_wq)) {
		WRITE_ONCE(t->poll_work_used, true);
		irq_work_queue(&t->poll_work);
	}
	return HRTIMER_NORESTART;
}

/* poll() and epoll waiters re-poll, which catches the timer up. */
static void timer_poll_work(struct irq_work *work)
{
	struct winsync_timer *t = container_of(work, struct winsync_timer,
					       poll_work);

	winsync_obj_notify_poll(t->obj);
}

/*
 * Hooks of a wait (wait.c).  A wait that is about to sleep registers its
 * timer entries (winsync_timer_wait_start()); before each sleep it catches
 * its timers up and arms them (winsync_timer_wait_prepare()); it sleeps
 * unless q->timer_kick says that a timer fired meanwhile.
 */
void winsync_timer_wait_start(struct winsync_q *q, u32 n)
{
	unsigned long flags;
	u32 i;

	/* Already satisfied: it will not sleep. */
	if (atomic_read(&q->signaled) != -1)
		return;
	for (i = 0; i < n; i++) {
		struct winsync_q_entry *entry = &q->entries[i];
		struct winsync_timer *t;

		if (entry->obj->type != WINSYNC_TYPE_TIMER)
			continue;
		t = entry->obj->u.timer.t;
		raw_spin_lock_irqsave(&t->wlock, flags);
		list_add_tail(&entry->tnode, &t->waiters);
		WRITE_ONCE(t->nr_waiters, t->nr_waiters + 1);
		raw_spin_unlock_irqrestore(&t->wlock, flags);
		/* Pairs with winsync_timer_consumed(). */
		smp_store_release(&q->timers, i + 1);
	}
}

void winsync_timer_wait_end(struct winsync_q *q)
{
	unsigned long flags;
	u32 i;

	for (i = 0; i < q->timers; i++) {
		struct winsync_q_entry *entry = &q->entries[i];
		struct winsync_timer *t;

		if (entry->obj->type != WINSYNC_TYPE_TIMER)
			continue;
		t = entry->obj->u.timer.t;
		raw_spin_lock_irqsave(&t->wlock, flags);
		list_del(&entry->tnode);
		WRITE_ONCE(t->nr_waiters, t->nr_waiters - 1);
		raw_spin_unlock_irqrestore(&t->wlock, flags);
	}
	q->timers = 0;
}

/*
 * Called in TASK_RUNNING before each sleep: catch the timers up (which may
 * satisfy @q, or anyone) and, if @q is to @sleep, arm them for their next
 * due time.  Also called once after a timeout, not to sleep.
 */
void winsync_timer_wait_prepare(struct winsync_q *q, bool sleep)
{
	u32 i;

	/* Ordered before reading the clocks; pairs with timer_fire(). */
	smp_store_mb(q->timer_kick, 0);
	for (i = 0; i < q->timers; i++) {
		struct winsync_obj *obj = q->entries[i].obj;
		bool all, changed;

		if (obj->type != WINSYNC_TYPE_TIMER)
			continue;
		all = winsync_obj_lock(obj);
		changed = winsync_timer_update(obj, all);
		/* Satisfied: it will not sleep, others arm for themselves. */
		if (sleep && atomic_read(&q->signaled) == -1)
			timer_arm(obj, true);
		winsync_obj_unlock(obj, all);
		if (changed)
			winsync_obj_notify_poll(obj);
		if (atomic_read(&q->signaled) != -1)
			break;
	}
}

/* poll(): catch up, and arm the hrtimer for poll and epoll waiters. */
void winsync_timer_poll(struct winsync_obj *obj)
{
	bool all, changed;

	all = winsync_obj_lock(obj);
	changed = winsync_timer_update(obj, all);
	timer_arm(obj, wq_has_sleeper(&obj->poll_wq));
	winsync_obj_unlock(obj, all);
	if (changed)
		winsync_obj_notify_poll(obj);
}

int winsync_timer_init(struct winsync_obj *obj)
{
	struct winsync_timer *t;

	t = kzalloc_obj(*t, GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	winsync_hrtimer_setup(&t->hrtimer, timer_fire, CLOCK_MONOTONIC,
			      TIMER_MODE);
	init_irq_work(&t->poll_work, timer_poll_work);
	raw_spin_lock_init(&t->wlock);
	INIT_LIST_HEAD(&t->waiters);
	mutex_init(&t->set_lock);
	t->clock = CLOCK_MONOTONIC;
	t->obj = obj;
	obj->u.timer.t = t;
	return 0;
}

void winsync_timer_destroy(struct winsync_obj *obj)
{
	struct winsync_timer *t = obj->u.timer.t;

	if (!t)
		return;
	/* No handle and no wait is left: nobody starts the hrtimer again. */
	hrtimer_cancel(&t->hrtimer);
	/*
	 * On PREEMPT_RT irq_work_sync() always waits for an RCU grace period:
	 * only for a timer whose irq_work was ever queued (seen here, since
	 * the callback is done).
	 */
	if (READ_ONCE(t->poll_work_used))
		irq_work_sync(&t->poll_work);
	mutex_destroy(&t->set_lock);
	kfree(t);
}

/*
 * Catch up (expirations that already happened are signaled, and handed to
 * waiters) and deactivate.  Returns whether the timer was active.
 */
static bool timer_stop(struct winsync_obj *obj)
{
	struct winsync_timer *t = obj->u.timer.t;
	bool all, changed, was_active;

	lockdep_assert_held(&t->set_lock);

	all = winsync_obj_lock(obj);
	changed = winsync_timer_update(obj, all);
	was_active = obj->u.timer.active;
	obj->u.timer.active = false;
	winsync_obj_unlock(obj, all);

	if (changed)
		winsync_obj_notify_poll(obj);
	/* Inactive: only set starts it again, under set_lock. */
	hrtimer_cancel(&t->hrtimer);
	return was_active;
}

static int timer_check_args(const struct winsync_timer_args *args)
{
	if (args->flags & ~WINSYNC_TIMER_ABSOLUTE)
		return -EINVAL;
	if (args->pad || args->reserved[0] || args->reserved[1])
		return -EINVAL;
	if (args->period_ns < 0 ||
	    (args->period_ns && args->period_ns < WINSYNC_TIMER_MIN_PERIOD_NS))
		return -EINVAL;
	if (args->slack_ns < 0)
		return -EINVAL;
	if (!(args->flags & WINSYNC_TIMER_ABSOLUTE) && args->due < 0)
		return -EINVAL;
	return 0;
}

long winsync_timer_ioctl_set(struct winsync_handle *handle, void __user *argp)
{
	struct winsync_obj *obj = handle->obj;
	struct winsync_timer *t = obj->u.timer.t;
	struct winsync_timer_args args;
	clockid_t clock;
	ktime_t due;
	bool all;
	int ret;

	if (!(handle->access & WINSYNC_ACCESS_MODIFY_STATE))
		return -EACCES;
	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	ret = timer_check_args(&args);
	if (ret)
		return ret;

	mutex_lock(&t->set_lock);
	timer_stop(obj);

	if (args.flags & WINSYNC_TIMER_ABSOLUTE) {
		/* CLOCK_REALTIME follows clock changes, as Windows' due times do. */
		clock = CLOCK_REALTIME;
		due = max_t(s64, args.due, 0);
	} else {
		clock = CLOCK_MONOTONIC;
		due = ktime_add_safe(ktime_get(), ns_to_ktime(args.due));
	}
	/* Inactive and cancelled: nobody starts the hrtimer meanwhile. */
	if (clock != t->clock)
		winsync_hrtimer_setup(&t->hrtimer, timer_fire, clock, TIMER_MODE);

	/* Setting makes the timer non-signaled and wakes nobody. */
	all = winsync_obj_lock(obj);
	t->clock = clock;
	t->due = due;
	t->period = args.period_ns;
	t->slack = args.slack_ns;
	obj->u.timer.signaled = false;
	obj->u.timer.active = true;
	timer_arm(obj, timer_observed(t));
	winsync_obj_unlock(obj, all);

	mutex_unlock(&t->set_lock);
	return 0;
}

long winsync_timer_ioctl_cancel(struct winsync_handle *handle, u32 __user *argp)
{
	struct winsync_obj *obj = handle->obj;
	struct winsync_timer *t = obj->u.timer.t;
	u32 was_active;

	if (!(handle->access & WINSYNC_ACCESS_MODIFY_STATE))
		return -EACCES;

	/* Cancelling leaves the signaled state alone. */
	mutex_lock(&t->set_lock);
	was_active = timer_stop(obj);
	mutex_unlock(&t->set_lock);

	return put_user(was_active, argp);
}

/* The clock side of a query; the caller holds @obj, caught up. */
void winsync_timer_fill_info(struct winsync_obj *obj,
			     struct winsync_obj_info *info)
{
	struct winsync_timer *t = obj->u.timer.t;

	winsync_assert_obj_held(obj);

	info->timer_period_ns = t->period;
	if (obj->u.timer.active) {
		s64 remaining = ktime_to_ns(ktime_sub(t->due, timer_now(t)));

		info->timer_remaining_ns = max_t(s64, remaining, 0);
	}
}

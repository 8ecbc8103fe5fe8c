// SPDX-License-Identifier: GPL-2.0
/*
 * winsync waitable timers.
 *
 * The signaled state lives in the object like an event's; the clock side is
 * an hrtimer.  Signaling takes the object's locks, and with wait-all waiters
 * a sleeping mutex, which hard interrupt context cannot do: the hrtimer
 * callback only counts the expirations, re-arms a periodic timer (forwarding
 * from the previous due time, so periods do not drift) and queues a work
 * item that signals the object and wakes waiters in process context.
 *
 * t->set_lock serializes set, cancel and query; set and cancel first stop
 * the hrtimer and flush the work, so an expiration that happened before
 * them is counted, and none signals after them.  Teardown needs no lock:
 * nobody else holds the object any more.
 */

#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "winsync.h"
#include "winsync_trace.h"

/*
 * Move a periodic timer to its first due time after now and return how many
 * due times it passed.  With slack the hrtimer runs from its soft expiry on,
 * while hrtimer_forward() measures from the hard one (soft + slack): inside
 * the slack window it would not move the timer, and one period at a time
 * from a soft expiry far in the past (a due time at the epoch) it would run
 * again (now - due) / period times.  So forward from the soft expiry, in one
 * step.
 */
static u64 timer_forward(struct winsync_timer *t)
{
	struct hrtimer *hrtimer = &t->hrtimer;
	ktime_t soft = hrtimer_get_softexpires(hrtimer);
	ktime_t now = hrtimer_cb_get_time(hrtimer);
	/* Less than the slack asked for only where soft + slack saturated. */
	u64 slack = ktime_to_ns(ktime_sub(hrtimer_get_expires(hrtimer), soft));
	u64 period = ktime_to_ns(t->period), n = 0;

	/* now < soft only if CLOCK_REALTIME was just set back. */
	if (now >= soft) {
		n = div64_u64(ktime_to_ns(ktime_sub(now, soft)), period);
		soft = ktime_add_ns(soft, n * period);	/* still <= now */
	}
	/* Saturates: a timer due past KTIME_MAX never fires again. */
	soft = ktime_add_safe(soft, t->period);
	hrtimer_set_expires_range_ns(hrtimer, soft, slack);
	return n + 1;
}

static enum hrtimer_restart timer_fire(struct hrtimer *hrtimer)
{
	struct winsync_timer *t = container_of(hrtimer, struct winsync_timer,
					       hrtimer);
	u64 n = 1;

	if (t->period)
		n = timer_forward(t);
	atomic64_add(n, &t->pending);
	queue_work(system_highpri_wq, &t->work);
	return t->period ? HRTIMER_RESTART : HRTIMER_NORESTART;
}

static void timer_work(struct work_struct *work)
{
	struct winsync_timer *t = container_of(work, struct winsync_timer, work);
	struct winsync_obj *obj = t->obj;
	u64 n = atomic64_xchg(&t->pending, 0);
	bool all;

	if (!n)
		return;

	trace_winsync_timer_expire(obj->id, n);
	all = winsync_obj_lock(obj);
	obj->u.timer.expirations += n;
	obj->u.timer.signaled = true;
	/* set and cancel flush this work before they change the period. */
	if (!t->period)
		obj->u.timer.active = false;
	winsync_wake_obj(obj, all);
	winsync_obj_unlock(obj, all);

	winsync_obj_notify_poll(obj);
}

int winsync_timer_init(struct winsync_obj *obj)
{
	struct winsync_timer *t;

	t = kzalloc_obj(*t, GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	winsync_hrtimer_setup(&t->hrtimer, timer_fire, CLOCK_MONOTONIC,
			      HRTIMER_MODE_ABS);
	INIT_WORK(&t->work, timer_work);
	mutex_init(&t->set_lock);
	atomic64_set(&t->pending, 0);
	t->obj = obj;
	obj->u.timer.t = t;
	return 0;
}

void winsync_timer_destroy(struct winsync_obj *obj)
{
	struct winsync_timer *t = obj->u.timer.t;

	if (!t)
		return;
	hrtimer_cancel(&t->hrtimer);
	cancel_work_sync(&t->work);
	mutex_destroy(&t->set_lock);
	kfree(t);
}

/* Stop the clock side; expirations that already happened are signaled. */
static void timer_stop(struct winsync_timer *t)
{
	lockdep_assert_held(&t->set_lock);
	hrtimer_cancel(&t->hrtimer);
	flush_work(&t->work);
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
	ktime_t expires;
	bool all;
	int ret;

	if (!(handle->access & WINSYNC_ACCESS_MODIFY_STATE))
		return -EACCES;
	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	ret = timer_check_args(&args);
	if (ret)
		return ret;

	if (args.flags & WINSYNC_TIMER_ABSOLUTE) {
		/* CLOCK_REALTIME follows clock changes, as Windows' due times do. */
		clock = CLOCK_REALTIME;
		expires = max_t(s64, args.due, 0);
	} else {
		clock = CLOCK_MONOTONIC;
		expires = ktime_add_safe(ktime_get(), ns_to_ktime(args.due));
	}

	mutex_lock(&t->set_lock);
	timer_stop(t);
	winsync_hrtimer_setup(&t->hrtimer, timer_fire, clock, HRTIMER_MODE_ABS);
	t->period = ns_to_ktime(args.period_ns);

	/* Setting makes the timer non-signaled and wakes nobody. */
	all = winsync_obj_lock(obj);
	obj->u.timer.signaled = false;
	obj->u.timer.active = true;
	winsync_obj_unlock(obj, all);

	hrtimer_start_range_ns(&t->hrtimer, expires, args.slack_ns,
			       HRTIMER_MODE_ABS);
	mutex_unlock(&t->set_lock);
	return 0;
}

long winsync_timer_ioctl_cancel(struct winsync_handle *handle, u32 __user *argp)
{
	struct winsync_obj *obj = handle->obj;
	struct winsync_timer *t = obj->u.timer.t;
	u32 was_active;
	bool all;

	if (!(handle->access & WINSYNC_ACCESS_MODIFY_STATE))
		return -EACCES;

	mutex_lock(&t->set_lock);
	timer_stop(t);
	/* Cancelling leaves the signaled state alone. */
	all = winsync_obj_lock(obj);
	was_active = obj->u.timer.active;
	obj->u.timer.active = false;
	winsync_obj_unlock(obj, all);
	mutex_unlock(&t->set_lock);

	return put_user(was_active, argp);
}

/* The clock side of a query; the caller does not hold the object. */
void winsync_timer_fill_info(struct winsync_obj *obj,
			     struct winsync_obj_info *info)
{
	struct winsync_timer *t = obj->u.timer.t;
	ktime_t remaining;

	mutex_lock(&t->set_lock);
	info->timer_period_ns = ktime_to_ns(t->period);
	if (hrtimer_active(&t->hrtimer)) {
		remaining = hrtimer_get_remaining(&t->hrtimer);
		info->timer_remaining_ns = max_t(s64, ktime_to_ns(remaining), 0);
	}
	mutex_unlock(&t->set_lock);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the supported kernels (Debian's 6.1, 6.12 and 7.x).
 *
 * Differences are detected from the target kernel's own headers by Kbuild
 * where a version number would be a guess; each one is named here.
 */
#ifndef _WINSYNC_COMPAT_H
#define _WINSYNC_COMPAT_H

#include <linux/hrtimer.h>
#include <linux/ipc_namespace.h>
#include <linux/ktime.h>
#include <linux/nsproxy.h>
#include <linux/proc_ns.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/time_namespace.h>

/*
 * The sched_process_exit tracepoint gained a "group_dead" argument in 6.16.
 * A probe must match the prototype exactly, so Kbuild reads
 * include/trace/events/sched.h and defines WINSYNC_EXIT_TP_GROUP_DEAD.
 */
#ifdef WINSYNC_EXIT_TP_GROUP_DEAD
#define WINSYNC_EXIT_PROBE_ARGS	void *data, struct task_struct *p, bool group_dead
#else
#define WINSYNC_EXIT_PROBE_ARGS	void *data, struct task_struct *p
#endif

/*
 * hrtimer_setup() replaced hrtimer_init() + setting ->function in 6.13, and
 * 7.x has only hrtimer_setup(); Kbuild looks for it in hrtimer.h and defines
 * WINSYNC_HAVE_HRTIMER_SETUP.
 */
static inline void winsync_hrtimer_setup(struct hrtimer *timer,
					 enum hrtimer_restart (*fn)(struct hrtimer *),
					 clockid_t clock, enum hrtimer_mode mode)
{
#ifdef WINSYNC_HAVE_HRTIMER_SETUP
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

/*
 * kmalloc_obj() and kzalloc_obj() (7.x) allocate one object of the type of
 * their first argument; on older kernels they are kmalloc() and kzalloc().
 */
#ifndef kmalloc_obj
/* checkpatch-ignore: ALLOC_WITH_SIZEOF: the fallback for kernels without it */
#define kmalloc_obj(P, GFP)	kmalloc(sizeof(P), GFP)
#endif
#ifndef kzalloc_obj
/* checkpatch-ignore: ALLOC_WITH_SIZEOF: the fallback for kernels without it */
#define kzalloc_obj(P, GFP)	kzalloc(sizeof(P), GFP)
#endif

/*
 * An absolute CLOCK_MONOTONIC time given by a task in a time namespace, on
 * the host's clock.  timens_ktime_to_host() does this but relies on symbols
 * that 6.1 does not export; the offsets themselves are public.
 */
static inline ktime_t winsync_timens_to_host(ktime_t tim)
{
#ifdef CONFIG_TIME_NS
	struct time_namespace *ns = current->nsproxy->time_ns;
	ktime_t offset = timespec64_to_ktime(ns->offsets.monotonic);

	/* A deadline before the namespace's start has passed already. */
	if (tim < offset)
		return 0;
	/* A negative offset must not push a far deadline past KTIME_MAX. */
	if (offset < 0 && tim > KTIME_MAX + offset)
		return KTIME_MAX;
	return ktime_sub(tim, offset);
#else
	return tim;
#endif
}

/*
 * Drop a reference taken with get_ipc_ns().  put_ipc_ns() is exported from
 * 6.12 on; the namespace's own put operation reaches it on every kernel.
 * Without CONFIG_IPC_NS there is one namespace and no counting.
 */
static inline void winsync_put_ipc_ns(struct ipc_namespace *ns)
{
#ifdef CONFIG_IPC_NS
	ns->ns.ops->put(&ns->ns);
#endif
}

#endif /* _WINSYNC_COMPAT_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * Mutex owners: which thread owns which mutexes, and abandonment when an
 * owning thread exits or execs.
 *
 * A module cannot extend task_struct or register a task-exit notifier, so
 * owners live in a hash table keyed by the task pointer, and the module
 * attaches probes to the sched_process_exit and sched_process_exec
 * tracepoints (found with for_each_kernel_tracepoint()).  The probes run in
 * the exiting or exec'ing task itself, where sleeping is not allowed on
 * every kernel; they queue a task_work that abandons the task's mutexes
 * before the task returns to userspace or finishes exiting (so before its
 * parent can reap it).  Either way the record goes: after an exec from a
 * secondary thread the task has another tid, and a later record must
 * report that one.
 *
 * The exit tracepoint fires after the kernel has woken pthread_join()
 * (CLONE_CHILD_CLEARTID happens earlier in do_exit()).  So that a joiner
 * never sees the dead thread's mutexes still owned, waits and queries also
 * abandon a mutex whose owner is exiting (winsync_mutex_reap()).
 */

#include <linux/hash.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/task_work.h>
#include <linux/tracepoint.h>

#include "compat.h"
#include "winsync.h"

#define OWNER_HASH_BITS	8

static struct owner_bucket {
	/* Protects writers of head; readers use RCU. */
	spinlock_t lock;
	struct hlist_head head;
} owner_table[1 << OWNER_HASH_BITS];

/* Records in the table; lets the exit probe return at once when zero. */
static atomic_t owner_records = ATOMIC_INIT(0);

static struct tracepoint *tp_exit, *tp_exec;

static struct owner_bucket *owner_bucket(const struct task_struct *task)
{
	return &owner_table[hash_ptr(task, OWNER_HASH_BITS)];
}

static struct winsync_owner *owner_lookup(const struct task_struct *task)
{
	struct owner_bucket *b = owner_bucket(task);
	struct winsync_owner *owner;

	rcu_read_lock();
	hlist_for_each_entry_rcu(owner, &b->head, node) {
		if (owner->task == task) {
			rcu_read_unlock();
			return owner;
		}
	}
	rcu_read_unlock();
	return NULL;
}

/*
 * The calling thread's record, created if @create.  Only the thread itself
 * adds or removes its record, so the result stays valid while it runs.
 */
struct winsync_owner *winsync_owner_current(bool create)
{
	struct winsync_owner *owner = owner_lookup(current);
	struct owner_bucket *b;

	if (owner || !create)
		return owner;

	owner = kzalloc_obj(*owner, GFP_KERNEL_ACCOUNT);
	if (!owner)
		return NULL;
	owner->task = current;
	owner->pid = get_task_pid(current, PIDTYPE_PID);
	spin_lock_init(&owner->lock);
	INIT_LIST_HEAD(&owner->mutexes);

	b = owner_bucket(current);
	spin_lock(&b->lock);
	hlist_add_head_rcu(&owner->node, &b->head);
	spin_unlock(&b->lock);
	atomic_inc(&owner_records);
	return owner;
}

static void owner_unhash(struct winsync_owner *owner)
{
	struct owner_bucket *b = owner_bucket(owner->task);

	spin_lock(&b->lock);
	hlist_del_rcu(&owner->node);
	spin_unlock(&b->lock);
	atomic_dec(&owner_records);
	put_pid(owner->pid);
}

static void owner_remove(struct winsync_owner *owner)
{
	owner_unhash(owner);
	kfree_rcu(owner, rcu);
}

/* @obj is held and becomes owned by @owner. */
void winsync_owner_link(struct winsync_owner *owner, struct winsync_obj *obj)
{
	spin_lock(&owner->lock);
	list_add_tail(&obj->u.mutex.owner_link, &owner->mutexes);
	spin_unlock(&owner->lock);
}

void winsync_owner_unlink(struct winsync_owner *owner, struct winsync_obj *obj)
{
	spin_lock(&owner->lock);
	list_del_init(&obj->u.mutex.owner_link);
	spin_unlock(&owner->lock);
}

pid_t winsync_owner_tid(const struct winsync_owner *owner)
{
	return pid_vnr(owner->pid);
}

/* Abandon every mutex @owner holds; runs in the owner's task. */
static void owner_abandon_all(struct winsync_owner *owner)
{
	struct winsync_obj *obj;

	for (;;) {
		spin_lock(&owner->lock);
		obj = list_first_entry_or_null(&owner->mutexes,
					       struct winsync_obj,
					       u.mutex.owner_link);
		if (!obj) {
			spin_unlock(&owner->lock);
			return;
		}
		/*
		 * A mutex whose last handle is going away unlinks itself
		 * under owner->lock; let it.
		 */
		if (!kref_get_unless_zero(&obj->ref)) {
			spin_unlock(&owner->lock);
			/* Sleep: the releaser may be preempted on this CPU. */
			schedule_timeout_uninterruptible(1);
			continue;
		}
		spin_unlock(&owner->lock);

		winsync_mutex_abandon(obj, owner);
		winsync_obj_put(obj);
	}
}

/*
 * The end of a task work: free the record and drop the module reference
 * that the work held.  The RCU core calls this and regains control after
 * it returns, and the module's exit waits for pending callbacks with
 * rcu_barrier(), so no module text runs after the reference is dropped.
 */
static void owner_free_put_module(struct rcu_head *head)
{
	kfree(container_of(head, struct winsync_owner, rcu));
	module_put(THIS_MODULE);
}

static void owner_twork(struct callback_head *head)
{
	struct winsync_owner *owner = container_of(head, struct winsync_owner,
						   twork);

	owner_abandon_all(owner);
	owner_unhash(owner);
	/*
	 * The module reference taken when the work was queued is dropped by
	 * the RCU callback, not here: this function still has to return.
	 */
	call_rcu(&owner->rcu, owner_free_put_module);
}

static bool owner_has_mutexes(struct winsync_owner *owner)
{
	bool ret;

	spin_lock(&owner->lock);
	ret = !list_empty(&owner->mutexes);
	spin_unlock(&owner->lock);
	return ret;
}

/*
 * The current task exits or execs: retire its record, abandoning its
 * mutexes in task context.  Probe context: possibly atomic.
 */
static void owner_task_gone(void)
{
	struct winsync_owner *owner;

	if (!atomic_read(&owner_records))
		return;
	owner = owner_lookup(current);
	/* An exec, then the exit, before the task work ran: nothing new. */
	if (!owner || owner->twork_pending)
		return;
	if (!owner_has_mutexes(owner)) {
		owner_remove(owner);
		return;
	}

	/*
	 * An owned mutex pins the module, unless it is being unloaded while
	 * the last handle closes; then there is nothing left to abandon.
	 */
	if (!try_module_get(THIS_MODULE))
		return;
	init_task_work(&owner->twork, owner_twork);
	if (task_work_add(current, &owner->twork, TWA_RESUME)) {
		/* Past exit_task_work(): the probes fire before it. */
		WARN_ON_ONCE(1);
		module_put(THIS_MODULE);
		return;
	}
	owner->twork_pending = true;
}

static void probe_exit(WINSYNC_EXIT_PROBE_ARGS)
{
	if (p == current)
		owner_task_gone();
}

static void probe_exec(void *data, struct task_struct *p, pid_t old_pid,
		       struct linux_binprm *bprm)
{
	if (p == current)
		owner_task_gone();
}

static void find_tracepoint(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_process_exit"))
		tp_exit = tp;
	else if (!strcmp(tp->name, "sched_process_exec"))
		tp_exec = tp;
}

int winsync_owner_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(owner_table); i++) {
		spin_lock_init(&owner_table[i].lock);
		INIT_HLIST_HEAD(&owner_table[i].head);
	}

	for_each_kernel_tracepoint(find_tracepoint, NULL);
	if (!tp_exit || !tp_exec) {
		pr_err("winsync: sched_process_exit/exec tracepoints not found\n");
		return -ENOENT;
	}
	ret = tracepoint_probe_register(tp_exit, probe_exit, NULL);
	if (ret)
		return ret;
	ret = tracepoint_probe_register(tp_exec, probe_exec, NULL);
	if (ret) {
		tracepoint_probe_unregister(tp_exit, probe_exit, NULL);
		tracepoint_synchronize_unregister();
	}
	return ret;
}

/* No object exists any more; threads that once owned mutexes may. */
void winsync_owner_exit(void)
{
	struct winsync_owner *owner;
	struct hlist_node *tmp;
	unsigned int i;

	tracepoint_probe_unregister(tp_exec, probe_exec, NULL);
	tracepoint_probe_unregister(tp_exit, probe_exit, NULL);
	tracepoint_synchronize_unregister();

	for (i = 0; i < ARRAY_SIZE(owner_table); i++)
		hlist_for_each_entry_safe(owner, tmp, &owner_table[i].head, node)
			owner_remove(owner);
	/*
	 * Let the RCU callbacks finish before the module goes: kfree_rcu()'s,
	 * and the last owner_free_put_module(), which dropped the reference
	 * that let this exit run and may not have returned yet.
	 */
	rcu_barrier();
}

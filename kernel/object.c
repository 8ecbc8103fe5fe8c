// SPDX-License-Identifier: GPL-2.0
/*
 * winsync objects: creation, handles, per-type state and object ioctls.
 */

#include <linux/anon_inodes.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/lockdep.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "winsync.h"
#include "winsync_trace.h"

atomic64_t winsync_live_objects = ATOMIC64_INIT(0);

static const struct file_operations winsync_obj_fops;

static const char * const winsync_type_names[] = {
	[WINSYNC_TYPE_SEM] = "semaphore",
	[WINSYNC_TYPE_MUTEX] = "mutex",
	[WINSYNC_TYPE_EVENT] = "event",
	[WINSYNC_TYPE_TIMER] = "timer",
};

/*
 * Lock helpers; the protocol is described in winsync.h.
 */

/* The caller holds the lock of @obj's domain. */
void winsync_dev_lock_obj(struct winsync_obj *obj)
{
	lockdep_assert_held(&winsync_domain_root(obj->domain)->lock);
	spin_lock(&obj->lock);
	/* Set under obj->lock, so every later holder of obj->lock sees it. */
	obj->dev_locked = 1;
	spin_unlock(&obj->lock);
}

void winsync_dev_unlock_obj(struct winsync_obj *obj)
{
	lockdep_assert_held(&winsync_domain_root(obj->domain)->lock);
	spin_lock(&obj->lock);
	obj->dev_locked = 0;
	spin_unlock(&obj->lock);
}

/*
 * The rest of winsync_obj_lock(), entered with obj->lock held when a
 * holder of the domain's lock owns the object or wait-all waiters are
 * queued: both mean that the object has a domain.  Returns with the
 * domain locked and the object device-locked, or, if neither holds any
 * more, with obj->lock held.
 */
bool winsync_obj_lock_slow(struct winsync_obj *obj)
{
	if (!obj->dev_locked && !atomic_read(&obj->all_hint))
		return false;
	spin_unlock(&obj->lock);
	/* dev_locked is set and cleared within one hold of the domain lock. */
	winsync_domain_lock(obj);
	winsync_dev_lock_obj(obj);
	/* The object is held again, by the device lock; see winsync_obj_lock(). */
	__acquire(&obj->lock);
	return true;
}

void winsync_obj_unlock_all(struct winsync_obj *obj)
	__releases(&obj->lock)
{
	struct winsync_domain *root = winsync_domain_root(obj->domain);

	winsync_dev_unlock_obj(obj);
	mutex_unlock(&root->lock);
	__release(&obj->lock);
}

/*
 * Pure state helpers.  They run with the object held and change nothing but
 * the object (and, for a mutex, its owner's list).
 */

bool winsync_obj_is_signaled(struct winsync_obj *obj,
			     const struct winsync_owner *owner)
{
	winsync_assert_obj_held(obj);

	switch (obj->type) {
	case WINSYNC_TYPE_SEM:
		return obj->u.sem.count > 0;
	case WINSYNC_TYPE_MUTEX:
		if (obj->u.mutex.owner && obj->u.mutex.owner != owner)
			return false;
		return obj->u.mutex.count < U32_MAX;
	case WINSYNC_TYPE_EVENT:
		return obj->u.event.signaled;
	case WINSYNC_TYPE_TIMER:
		return obj->u.timer.signaled;
	}
	WARN_ON_ONCE(1);
	return false;
}

/* Take one acquisition of a signaled @obj for @q's thread. */
void winsync_obj_acquire(struct winsync_obj *obj, struct winsync_q *q,
			 u32 index)
{
	winsync_assert_obj_held(obj);
	trace_winsync_wake(obj->id, task_pid_nr(q->task), index);

	switch (obj->type) {
	case WINSYNC_TYPE_SEM:
		obj->u.sem.count--;
		break;
	case WINSYNC_TYPE_MUTEX:
		if (obj->u.mutex.abandoned) {
			obj->u.mutex.abandoned = false;
			/* Entries are acquired in index order: keep the lowest. */
			if (!q->abandoned) {
				q->abandoned = true;
				q->abandoned_index = index;
			}
		}
		if (!obj->u.mutex.owner) {
			obj->u.mutex.owner = q->owner;
			winsync_owner_link(q->owner, obj);
		}
		obj->u.mutex.count++;
		break;
	case WINSYNC_TYPE_EVENT:
		if (!obj->u.event.manual)
			obj->u.event.signaled = false;
		break;
	case WINSYNC_TYPE_TIMER:
		if (!obj->u.timer.manual) {
			obj->u.timer.signaled = false;
			winsync_timer_consumed(obj, q, index);
		}
		break;
	}
}

/* After a change that may have signaled @obj: hand it to waiters. */
void winsync_wake_obj(struct winsync_obj *obj, bool all)
{
	if (all)
		winsync_try_wake_all_obj(obj);
	winsync_try_wake_any(obj);
}

/* Wake poll()/epoll waiters; called after the object was released. */
void winsync_obj_notify_poll(struct winsync_obj *obj)
{
	if (wq_has_sleeper(&obj->poll_wq))
		wake_up_interruptible_poll(&obj->poll_wq, EPOLLIN | EPOLLRDNORM);
}

/* A lockless snapshot, good enough for poll(). */
static bool obj_signaled_snapshot(struct winsync_obj *obj)
{
	switch (obj->type) {
	case WINSYNC_TYPE_SEM:
		return READ_ONCE(obj->u.sem.count) > 0;
	case WINSYNC_TYPE_MUTEX:
		return !READ_ONCE(obj->u.mutex.owner);
	case WINSYNC_TYPE_EVENT:
		return READ_ONCE(obj->u.event.signaled);
	case WINSYNC_TYPE_TIMER:
		return READ_ONCE(obj->u.timer.signaled);
	}
	return false;
}

/*
 * Operations shared by the ioctls and by signal-and-wait.
 */

static int obj_sem_release(struct winsync_obj *obj, u32 count, u32 *prev)
{
	bool all = winsync_obj_lock(obj);
	u32 cur = obj->u.sem.count;
	int ret = 0;

	if (count > obj->u.sem.max - cur) {
		ret = -EOVERFLOW;
	} else {
		*prev = cur;
		obj->u.sem.count = cur + count;
		winsync_wake_obj(obj, all);
	}
	winsync_obj_unlock(obj, all);

	if (!ret)
		winsync_obj_notify_poll(obj);
	return ret;
}

static int obj_mutex_release(struct winsync_obj *obj, u32 *prev)
{
	struct winsync_owner *owner;
	bool all;
	int ret = 0;

	all = winsync_obj_lock(obj);
	owner = obj->u.mutex.owner;
	/* An owner's task is alive while it owns; see struct winsync_owner. */
	if (!owner || owner->task != current) {
		ret = -EPERM;
	} else {
		*prev = obj->u.mutex.count;
		if (!--obj->u.mutex.count) {
			winsync_owner_unlink(owner, obj);
			obj->u.mutex.owner = NULL;
			winsync_wake_obj(obj, all);
		}
	}
	winsync_obj_unlock(obj, all);

	/* The last release made it signaled. */
	if (!ret && *prev == 1)
		winsync_obj_notify_poll(obj);
	return ret;
}

enum event_op { EVENT_SET, EVENT_RESET, EVENT_PULSE };

static u32 obj_event_change(struct winsync_obj *obj, enum event_op op)
{
	bool all = winsync_obj_lock(obj);
	u32 prev = obj->u.event.signaled;

	obj->u.event.signaled = op != EVENT_RESET;
	if (op != EVENT_RESET)
		winsync_wake_obj(obj, all);
	if (op == EVENT_PULSE)
		obj->u.event.signaled = false;
	winsync_obj_unlock(obj, all);

	if (op == EVENT_SET)
		winsync_obj_notify_poll(obj);
	return prev;
}

/* Called from the owner's exit or exec: give up @owner's ownership. */
void winsync_mutex_abandon(struct winsync_obj *obj, struct winsync_owner *owner)
{
	bool abandoned = false;
	bool all;

	all = winsync_obj_lock(obj);
	if (obj->u.mutex.owner == owner) {
		trace_winsync_abandon(obj->id, pid_nr(owner->pid));
		winsync_owner_unlink(owner, obj);
		obj->u.mutex.owner = NULL;
		obj->u.mutex.count = 0;
		obj->u.mutex.abandoned = true;
		winsync_wake_obj(obj, all);
		abandoned = true;
	}
	winsync_obj_unlock(obj, all);

	if (abandoned)
		winsync_obj_notify_poll(obj);
}

/*
 * If @obj is a mutex whose owning thread is exiting, abandon it now.  The
 * exit hook does so too, but it runs after the kernel has woken
 * pthread_join(), while PF_EXITING is set before that: a thread that saw
 * the owner joined must find the mutex abandoned.  Returns true if it
 * abandoned; the caller holds @obj and wakes poll waiters after releasing.
 */
bool winsync_mutex_reap(struct winsync_obj *obj, bool all)
{
	struct winsync_owner *owner;

	winsync_assert_obj_held(obj);

	if (obj->type != WINSYNC_TYPE_MUTEX)
		return false;
	owner = obj->u.mutex.owner;
	if (!owner || !(READ_ONCE(owner->task->flags) & PF_EXITING))
		return false;

	trace_winsync_abandon(obj->id, pid_nr(owner->pid));
	winsync_owner_unlink(owner, obj);
	obj->u.mutex.owner = NULL;
	obj->u.mutex.count = 0;
	obj->u.mutex.abandoned = true;
	winsync_wake_obj(obj, all);
	return true;
}

/*
 * Bring @obj's lazily evaluated state up to date before looking at it: an
 * exiting owner's mutex is abandoned, a timer counts the due times that
 * passed.  Returns true if that signaled @obj (it was handed to waiters);
 * the caller holds @obj and wakes poll waiters after releasing it.
 */
bool winsync_obj_refresh(struct winsync_obj *obj, bool all)
{
	switch (obj->type) {
	case WINSYNC_TYPE_MUTEX:
		return winsync_mutex_reap(obj, all);
	case WINSYNC_TYPE_TIMER:
		return winsync_timer_update(obj, all);
	}
	return false;
}

/* The signal step of signal-and-wait. */
int winsync_obj_signal(struct winsync_handle *handle)
{
	struct winsync_obj *obj = handle->obj;
	u32 prev;

	switch (obj->type) {
	case WINSYNC_TYPE_SEM:
		if (!(handle->access & WINSYNC_ACCESS_MODIFY_STATE))
			return -EACCES;
		return obj_sem_release(obj, 1, &prev);
	case WINSYNC_TYPE_MUTEX:
		return obj_mutex_release(obj, &prev);
	case WINSYNC_TYPE_EVENT:
		if (!(handle->access & WINSYNC_ACCESS_MODIFY_STATE))
			return -EACCES;
		obj_event_change(obj, EVENT_SET);
		return 0;
	}
	return -EINVAL;
}

/*
 * Object lifetime and handles.
 */

static void obj_release(struct kref *ref)
{
	struct winsync_obj *obj = container_of(ref, struct winsync_obj, ref);

	trace_winsync_destroy(obj->id, obj->type);

	/*
	 * The name goes first: until then a listing may be reading the
	 * object under its namespace's wns->lock, and it must find it whole.
	 */
	if (obj->name)
		winsync_name_unpublish(obj);
	/* Nobody else can reach the object now; the owner still can. */
	if (obj->type == WINSYNC_TYPE_MUTEX && obj->u.mutex.owner)
		winsync_owner_unlink(obj->u.mutex.owner, obj);
	if (obj->type == WINSYNC_TYPE_TIMER)
		winsync_timer_destroy(obj);
	winsync_domain_put(obj->domain);
	winsync_user_uncharge(obj->charged_uid);
	atomic64_dec(&winsync_live_objects);
	kfree(obj);
}

void winsync_obj_put(struct winsync_obj *obj)
{
	kref_put(&obj->ref, obj_release);
}

struct winsync_handle *winsync_handle_from_file(struct file *file)
{
	if (file->f_op != &winsync_obj_fops)
		return NULL;
	return file->private_data;
}

static u32 type_access_mask(u32 type)
{
	if (type == WINSYNC_TYPE_MUTEX)
		return WINSYNC_ACCESS_MUTEX_ALL;
	return WINSYNC_ACCESS_ALL;
}

/*
 * Make a handle to @obj and reserve a descriptor for it; on success the
 * handle owns the caller's reference on @obj.  See handle_publish().
 */
static int handle_prepare(struct winsync_obj *obj, u32 access, u32 flags,
			  struct file **filep)
{
	struct winsync_handle *handle;
	char name[24];
	struct file *file;
	int fd;

	handle = kmalloc_obj(*handle, GFP_KERNEL_ACCOUNT);
	if (!handle)
		return -ENOMEM;
	handle->obj = obj;
	handle->access = access & type_access_mask(obj->type);

	fd = get_unused_fd_flags(O_RDWR |
				 (flags & WINSYNC_CREATE_INHERIT ? 0 : O_CLOEXEC));
	if (fd < 0) {
		kfree(handle);
		return fd;
	}

	snprintf(name, sizeof(name), "[winsync-%s]", winsync_type_names[obj->type]);
	file = anon_inode_getfile(name, &winsync_obj_fops, handle, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		kfree(handle);
		return PTR_ERR(file);
	}
	*filep = file;
	return fd;
}

/*
 * Give the caller a handle to @obj, whose reference passes to the handle,
 * and report the descriptor (and @status, if @ustatus) to userspace.  The
 * descriptor is installed only once userspace has been told of it.
 */
static int handle_publish(struct winsync_obj *obj, u32 access, u32 flags,
			  s32 __user *ufd, u32 __user *ustatus, u32 status)
{
	struct file *file;
	int fd;

	fd = handle_prepare(obj, access, flags, &file);
	if (fd < 0) {
		winsync_obj_put(obj);
		return fd;
	}
	if (put_user(fd, ufd) || (ustatus && put_user(status, ustatus))) {
		put_unused_fd(fd);
		/* Releasing the file drops the reference. */
		fput(file);
		return -EFAULT;
	}
	fd_install(fd, file);
	return 0;
}

static struct winsync_obj *obj_alloc(u32 type)
{
	static atomic64_t next_id = ATOMIC64_INIT(0);
	struct winsync_obj *obj;
	int ret;

	obj = kzalloc_obj(*obj, GFP_KERNEL_ACCOUNT);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	ret = winsync_user_charge(&obj->charged_uid);
	if (ret) {
		kfree(obj);
		return ERR_PTR(ret);
	}
	spin_lock_init(&obj->lock);
	obj->type = type;
	obj->id = atomic64_inc_return(&next_id);
	kref_init(&obj->ref);
	atomic_set(&obj->all_hint, 0);
	INIT_LIST_HEAD(&obj->any_waiters);
	INIT_LIST_HEAD(&obj->all_waiters);
	init_waitqueue_head(&obj->poll_wq);
	atomic64_inc(&winsync_live_objects);
	return obj;
}

/* A new, unnamed object in the state @args asks for. */
static struct winsync_obj *obj_create(const struct winsync_create_args *args)
{
	struct winsync_owner *owner = NULL;
	struct winsync_obj *obj;
	int ret;

	if (args->flags & WINSYNC_CREATE_OWNED) {
		owner = winsync_owner_current(true);
		if (!owner)
			return ERR_PTR(-ENOMEM);
	}

	obj = obj_alloc(args->type);
	if (IS_ERR(obj))
		return obj;

	switch (args->type) {
	case WINSYNC_TYPE_SEM:
		obj->u.sem.count = args->sem_count;
		obj->u.sem.max = args->sem_max;
		break;
	case WINSYNC_TYPE_MUTEX:
		INIT_LIST_HEAD(&obj->u.mutex.owner_link);
		if (owner) {
			/* Not visible to anyone yet: no lock needed but owner's. */
			obj->u.mutex.owner = owner;
			obj->u.mutex.count = 1;
			winsync_owner_link(owner, obj);
		}
		break;
	case WINSYNC_TYPE_EVENT:
		obj->u.event.manual = args->flags & WINSYNC_CREATE_MANUAL_RESET;
		obj->u.event.signaled = args->flags & WINSYNC_CREATE_SIGNALED;
		break;
	case WINSYNC_TYPE_TIMER:
		/* Created inactive and non-signaled. */
		obj->u.timer.manual = args->flags & WINSYNC_CREATE_MANUAL_RESET;
		ret = winsync_timer_init(obj);
		if (ret) {
			winsync_obj_put(obj);
			return ERR_PTR(ret);
		}
		break;
	}
	return obj;
}

static u32 create_valid_flags(u32 type)
{
	switch (type) {
	case WINSYNC_TYPE_SEM:
		return WINSYNC_CREATE_INHERIT;
	case WINSYNC_TYPE_MUTEX:
		return WINSYNC_CREATE_INHERIT | WINSYNC_CREATE_OWNED;
	case WINSYNC_TYPE_EVENT:
		return WINSYNC_CREATE_INHERIT | WINSYNC_CREATE_MANUAL_RESET |
		       WINSYNC_CREATE_SIGNALED;
	case WINSYNC_TYPE_TIMER:
		return WINSYNC_CREATE_INHERIT | WINSYNC_CREATE_MANUAL_RESET;
	}
	return 0;
}

static bool type_valid(u32 type)
{
	return type >= WINSYNC_TYPE_SEM && type <= WINSYNC_TYPE_TIMER;
}

static int create_check(const struct winsync_create_args *args)
{
	unsigned int i;

	if (!type_valid(args->type))
		return -EINVAL;
	if (args->flags & ~create_valid_flags(args->type))
		return -EINVAL;
	if (args->access & ~WINSYNC_ACCESS_ALL)
		return -EINVAL;
	if (args->mode & ~0777)
		return -EINVAL;
	if (args->pad)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(args->reserved); i++)
		if (args->reserved[i])
			return -EINVAL;
	if (args->type == WINSYNC_TYPE_SEM) {
		if (!args->sem_max || args->sem_count > args->sem_max)
			return -EINVAL;
	} else if (args->sem_count || args->sem_max) {
		return -EINVAL;
	}
	if (!args->name && args->name_len)
		return -EINVAL;
	return 0;
}

/*
 * May the caller open @obj, found by name, as @type with @access?  A request
 * for no right of the type is refused, as Windows refuses it: such a handle
 * could do nothing but keep the object, and its name, alive.
 */
static int check_named(struct winsync_obj *obj, u32 type, u32 access)
{
	if (obj->type != type)
		return -EMEDIUMTYPE;
	access &= type_access_mask(type);
	if (!access || !winsync_name_permits(obj->name, access))
		return -EACCES;
	return 0;
}

long winsync_ioctl_create(void __user *argp)
{
	struct winsync_create_args __user *uargs = argp;
	struct winsync_create_args args;
	struct winsync_obj *obj, *existing;
	struct winsync_name *name = NULL;
	int ret;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	ret = create_check(&args);
	if (ret)
		return ret;

	if (args.name) {
		name = winsync_name_new(args.name, args.name_len, args.mode);
		if (IS_ERR(name))
			return PTR_ERR(name);
	}

	obj = obj_create(&args);
	if (IS_ERR(obj)) {
		existing = NULL;
		/* A user at the object limit may still open an existing name. */
		if (name && PTR_ERR(obj) == -ENOSPC)
			existing = winsync_name_open(name);
		if (name)
			winsync_name_free(name);
		if (!existing)
			return PTR_ERR(obj);
		obj = existing;
		goto opened;
	}

	if (name) {
		existing = winsync_name_publish(name, obj);
		if (existing) {
			/* The name is taken: open that object instead. */
			winsync_name_free(name);
			winsync_obj_put(obj);
			if (IS_ERR(existing))
				return PTR_ERR(existing);
			obj = existing;
			goto opened;
		}
	}
	trace_winsync_create(obj->id, obj->type, obj->name, false);
	return handle_publish(obj, args.access, args.flags, &uargs->fd,
			      &uargs->status, WINSYNC_CREATED);

opened:
	ret = check_named(obj, args.type, args.access);
	if (ret) {
		winsync_obj_put(obj);
		return ret;
	}
	trace_winsync_create(obj->id, obj->type, true, true);
	return handle_publish(obj, args.access, args.flags, &uargs->fd,
			      &uargs->status, WINSYNC_OPENED_EXISTING);
}

long winsync_ioctl_open(void __user *argp)
{
	struct winsync_open_args __user *uargs = argp;
	struct winsync_open_args args;
	struct winsync_name *name;
	struct winsync_obj *obj;
	int ret;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	if (!type_valid(args.type) || args.flags & ~WINSYNC_CREATE_INHERIT ||
	    args.access & ~WINSYNC_ACCESS_ALL || args.pad ||
	    args.reserved[0] || args.reserved[1] || !args.name)
		return -EINVAL;

	name = winsync_name_new(args.name, args.name_len, 0);
	if (IS_ERR(name))
		return PTR_ERR(name);
	obj = winsync_name_open(name);
	winsync_name_free(name);
	if (!obj)
		return -ENOENT;

	ret = check_named(obj, args.type, args.access);
	if (ret) {
		winsync_obj_put(obj);
		return ret;
	}
	trace_winsync_open(obj->id, obj->type, args.access);
	return handle_publish(obj, args.access, args.flags, &uargs->fd, NULL, 0);
}

static long obj_reopen(struct winsync_handle *handle, void __user *argp)
{
	struct winsync_reopen_args __user *uargs = argp;
	struct winsync_reopen_args args;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	if (args.access & ~WINSYNC_ACCESS_ALL ||
	    args.flags & ~WINSYNC_CREATE_INHERIT ||
	    args.pad || args.reserved[0] || args.reserved[1])
		return -EINVAL;
	args.access &= type_access_mask(handle->obj->type);
	/* As for an open by name: a handle must carry some right. */
	if (!args.access || args.access & ~handle->access)
		return -EACCES;

	trace_winsync_open(handle->obj->id, handle->obj->type, args.access);
	kref_get(&handle->obj->ref);
	return handle_publish(handle->obj, args.access, args.flags, &uargs->fd,
			      NULL, 0);
}

/* Waiters queued on @obj; for information only. */
static u32 obj_count_waiters(struct winsync_obj *obj)
{
	struct winsync_q_entry *entry;
	u32 n = atomic_read(&obj->all_hint);

	winsync_assert_obj_held(obj);
	list_for_each_entry(entry, &obj->any_waiters, node)
		n++;
	return n;
}

/* Fill @info with @obj's state as the calling thread sees it; no access. */
void winsync_obj_fill_info(struct winsync_obj *obj,
			   struct winsync_obj_info *info)
{
	bool all, reaped;

	memset(info, 0, sizeof(*info));
	info->type = obj->type;
	info->id = obj->id;
	if (obj->name) {
		info->flags |= WINSYNC_INFO_NAMED;
		if (obj->name->global)
			info->flags |= WINSYNC_INFO_GLOBAL;
		info->uid = from_kuid_munged(current_user_ns(), obj->name->uid);
		info->gid = from_kgid_munged(current_user_ns(), obj->name->gid);
		info->mode = obj->name->mode;
	}

	all = winsync_obj_lock(obj);
	reaped = winsync_obj_refresh(obj, all);
	info->signaled = winsync_obj_is_signaled(obj, NULL);
	info->waiters = obj_count_waiters(obj);
	switch (obj->type) {
	case WINSYNC_TYPE_SEM:
		info->count = obj->u.sem.count;
		info->max = obj->u.sem.max;
		break;
	case WINSYNC_TYPE_MUTEX:
		info->count = obj->u.mutex.count;
		if (obj->u.mutex.owner)
			info->owner_tid = winsync_owner_tid(obj->u.mutex.owner);
		if (obj->u.mutex.abandoned)
			info->flags |= WINSYNC_INFO_ABANDONED;
		if (obj->u.mutex.owner && obj->u.mutex.owner->task == current)
			info->flags |= WINSYNC_INFO_OWNED_BY_CALLER;
		break;
	case WINSYNC_TYPE_EVENT:
		if (obj->u.event.manual)
			info->flags |= WINSYNC_INFO_MANUAL_RESET;
		break;
	case WINSYNC_TYPE_TIMER:
		if (obj->u.timer.manual)
			info->flags |= WINSYNC_INFO_MANUAL_RESET;
		if (obj->u.timer.active)
			info->flags |= WINSYNC_INFO_ACTIVE;
		info->timer_expirations = obj->u.timer.expirations;
		winsync_timer_fill_info(obj, info);
		break;
	}
	winsync_obj_unlock(obj, all);

	if (reaped)
		winsync_obj_notify_poll(obj);
}

static long obj_query(struct winsync_handle *handle, void __user *argp)
{
	struct winsync_obj_info info;

	if (!(handle->access & WINSYNC_ACCESS_QUERY_STATE))
		return -EACCES;
	winsync_obj_fill_info(handle->obj, &info);
	info.access = handle->access;
	if (copy_to_user(argp, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long obj_ioctl_sem_release(struct winsync_handle *handle,
				  u32 __user *argp)
{
	u32 count, prev;
	int ret;

	if (!(handle->access & WINSYNC_ACCESS_MODIFY_STATE))
		return -EACCES;
	if (get_user(count, argp))
		return -EFAULT;
	if (!count)
		return -EINVAL;
	ret = obj_sem_release(handle->obj, count, &prev);
	if (ret)
		return ret;
	return put_user(prev, argp);
}

static long obj_ioctl_mutex_release(struct winsync_handle *handle,
				    u32 __user *argp)
{
	u32 prev;
	int ret;

	ret = obj_mutex_release(handle->obj, &prev);
	if (ret)
		return ret;
	return put_user(prev, argp);
}

static long obj_ioctl_event(struct winsync_handle *handle, u32 __user *argp,
			    enum event_op op)
{
	if (!(handle->access & WINSYNC_ACCESS_MODIFY_STATE))
		return -EACCES;
	return put_user(obj_event_change(handle->obj, op), argp);
}

/* Object ioctls that do not belong to the handle's type fail with ENOTTY. */
static long winsync_obj_ioctl(struct file *file, unsigned int cmd,
			      unsigned long parm)
{
	struct winsync_handle *handle = file->private_data;
	void __user *argp = (void __user *)parm;
	u32 type = handle->obj->type;

	switch (cmd) {
	case WINSYNC_IOC_QUERY:
		return obj_query(handle, argp);
	case WINSYNC_IOC_REOPEN:
		return obj_reopen(handle, argp);
	case WINSYNC_IOC_SEM_RELEASE:
		if (type != WINSYNC_TYPE_SEM)
			return -ENOTTY;
		return obj_ioctl_sem_release(handle, argp);
	case WINSYNC_IOC_MUTEX_RELEASE:
		if (type != WINSYNC_TYPE_MUTEX)
			return -ENOTTY;
		return obj_ioctl_mutex_release(handle, argp);
	case WINSYNC_IOC_EVENT_SET:
	case WINSYNC_IOC_EVENT_RESET:
	case WINSYNC_IOC_EVENT_PULSE:
		if (type != WINSYNC_TYPE_EVENT)
			return -ENOTTY;
		return obj_ioctl_event(handle, argp,
				       cmd == WINSYNC_IOC_EVENT_SET ? EVENT_SET :
				       cmd == WINSYNC_IOC_EVENT_RESET ? EVENT_RESET :
				       EVENT_PULSE);
	case WINSYNC_IOC_TIMER_SET:
		if (type != WINSYNC_TYPE_TIMER)
			return -ENOTTY;
		return winsync_timer_ioctl_set(handle, argp);
	case WINSYNC_IOC_TIMER_CANCEL:
		if (type != WINSYNC_TYPE_TIMER)
			return -ENOTTY;
		return winsync_timer_ioctl_cancel(handle, argp);
	}
	return -ENOTTY;
}

/* Readable while signaled; a handle without SYNCHRONIZE may not wait. */
static __poll_t winsync_obj_poll(struct file *file, poll_table *wait)
{
	struct winsync_handle *handle = file->private_data;
	struct winsync_obj *obj = handle->obj;

	if (!(handle->access & WINSYNC_ACCESS_SYNCHRONIZE))
		return EPOLLERR;
	poll_wait(file, &obj->poll_wq, wait);
	/* Pairs with wq_has_sleeper() in winsync_obj_notify_poll(). */
	smp_mb();
	/* Catches up, and arms the timer's wake-up while poll waiters sleep. */
	if (obj->type == WINSYNC_TYPE_TIMER)
		winsync_timer_poll(obj);
	return obj_signaled_snapshot(obj) ? EPOLLIN | EPOLLRDNORM : 0;
}

/*
 * The state, the name and its owner are shown only through a handle that
 * may query them: /proc's ptrace check is about the process holding the
 * handle, not about the object.
 */
static void winsync_obj_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct winsync_handle *handle = file->private_data;
	struct winsync_obj_info info;

	seq_printf(m, "winsync-type:\t%s\n", winsync_type_names[handle->obj->type]);
	seq_printf(m, "winsync-access:\t0x%08x\n", handle->access);
	if (!(handle->access & WINSYNC_ACCESS_QUERY_STATE)) {
		seq_printf(m, "winsync-id:\t%llu\n", handle->obj->id);
		return;
	}

	winsync_obj_fill_info(handle->obj, &info);
	seq_printf(m, "winsync-signaled:\t%u\n", info.signaled);
	seq_printf(m, "winsync-waiters:\t%u\n", info.waiters);
	if (handle->obj->name) {
		const struct winsync_name *n = handle->obj->name;

		seq_printf(m, "winsync-name:\t%s%*pE\n",
			   n->global ? "Global\\" : "Local\\", n->len, n->bytes);
		seq_printf(m, "winsync-owner-uid:\t%u\n", info.uid);
		seq_printf(m, "winsync-owner-gid:\t%u\n", info.gid);
		seq_printf(m, "winsync-mode:\t%04o\n", info.mode);
	}
	switch (info.type) {
	case WINSYNC_TYPE_SEM:
		seq_printf(m, "winsync-count:\t%u\n", info.count);
		seq_printf(m, "winsync-max:\t%u\n", info.max);
		break;
	case WINSYNC_TYPE_MUTEX:
		seq_printf(m, "winsync-owner:\t%u\n", info.owner_tid);
		seq_printf(m, "winsync-count:\t%u\n", info.count);
		seq_printf(m, "winsync-abandoned:\t%u\n",
			   !!(info.flags & WINSYNC_INFO_ABANDONED));
		break;
	case WINSYNC_TYPE_EVENT:
		seq_printf(m, "winsync-manual:\t%u\n",
			   !!(info.flags & WINSYNC_INFO_MANUAL_RESET));
		break;
	case WINSYNC_TYPE_TIMER:
		seq_printf(m, "winsync-manual:\t%u\n",
			   !!(info.flags & WINSYNC_INFO_MANUAL_RESET));
		seq_printf(m, "winsync-active:\t%u\n",
			   !!(info.flags & WINSYNC_INFO_ACTIVE));
		seq_printf(m, "winsync-remaining-ns:\t%llu\n",
			   info.timer_remaining_ns);
		seq_printf(m, "winsync-period-ns:\t%llu\n", info.timer_period_ns);
		seq_printf(m, "winsync-expirations:\t%llu\n",
			   info.timer_expirations);
		break;
	}
	seq_printf(m, "winsync-id:\t%llu\n", info.id);
}

static int winsync_obj_release(struct inode *inode, struct file *file)
{
	struct winsync_handle *handle = file->private_data;

	trace_winsync_close(handle->obj->id, handle->obj->type, handle->access);
	winsync_obj_put(handle->obj);
	kfree(handle);
	return 0;
}

static const struct file_operations winsync_obj_fops = {
	.owner		= THIS_MODULE,
	.release	= winsync_obj_release,
	.unlocked_ioctl	= winsync_obj_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.poll		= winsync_obj_poll,
	.show_fdinfo	= winsync_obj_show_fdinfo,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * winsync names: the namespace of named objects, and per-user limits.
 *
 * A name lives in the IPC namespace of the task that created it, like SysV
 * IPC and POSIX message queues.  "Global\" names are shared by every user of
 * that namespace; "Local\" names, and names without a prefix, are private to
 * a session, which is the creator's effective uid.  So the key of a name is
 * (IPC namespace, session or global, bytes after the prefix).
 *
 * Each IPC namespace with names has a struct winsync_ns: its own mutex, its
 * own name table (an rhashtable: O(1) average lookups, resized as names come
 * and go) and its own list for LIST.  The mutex serializes create-or-open,
 * open, removal and listing in that namespace only, which makes
 * create-or-open atomic: one name never has two objects.  A name is removed
 * when its object is freed, i.e. when the last handle is closed; an object
 * whose last reference is going may still be in the table for a moment, and
 * a concurrent create then unhashes it first.
 *
 * The struct winsync_ns of a namespace is found in winsync_ns_table, keyed
 * by the namespace pointer, under RCU.  It is created by the first named
 * create in the namespace.  Each name holds a reference on it, and so does
 * each create, open or LIST while it works on the table.  When the last one
 * goes, the struct stays in the table, idle, for WNS_IDLE_JIFFIES more: a
 * namespace whose only name comes and goes (a single-instance mutex) does
 * not build and tear down a table each time.  A named create revives an
 * idle struct; winsync_ns_reaper frees those idle for longer.
 * winsync_ns_lock, a spinlock, covers inserting and removing a struct, the
 * drop of its last reference, reviving it and the idle list: each hold does
 * a bounded amount of work, whatever users do.
 *
 * Each struct winsync_ns holds a reference on its IPC namespace, so the
 * namespace's memory cannot be reused for another one while a stale entry
 * could still match it; each name holds one too, for its whole life.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/hash.h>
#include <linux/ipc_namespace.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/nsproxy.h>
#include <linux/proc_ns.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "winsync.h"

/* The names of one IPC namespace. */
struct winsync_ns {
	/* In winsync_ns_table: changed under winsync_ns_lock, read under RCU. */
	struct rhash_head node;
	/* The key; immutable, and a reference is held. */
	struct ipc_namespace *ns;
	/*
	 * One per name and one per operation working on the table.  It goes
	 * to zero, and back to one, only under winsync_ns_lock; zero means
	 * idle: no name, in winsync_ns_idle.
	 */
	refcount_t ref;
	/* In winsync_ns_idle while ref is 0, and when; winsync_ns_lock. */
	struct list_head idle_node;
	unsigned long idle_since;
	/* Serializes create-or-open, open, removal and listing here. */
	struct mutex lock;
	/* struct winsync_name by key; protected by lock. */
	struct rhashtable names;
	/* Every hashed name, for listing, and their number; lock. */
	struct list_head all;
	unsigned int count;
	struct rcu_head rcu;
};

/* Protects winsync_ns_table changes, idle transitions, winsync_ns_idle. */
static DEFINE_SPINLOCK(winsync_ns_lock);
static struct rhashtable winsync_ns_table;
/* Idle structs, oldest first; winsync_ns_lock. */
static LIST_HEAD(winsync_ns_idle);

/* How long a namespace's names outlive its last name. */
#define WNS_IDLE_JIFFIES	HZ
/* Idle structs freed per hold of winsync_ns_lock. */
#define WNS_REAP_BATCH		32

static void wns_reap(struct work_struct *work);
static DECLARE_DELAYED_WORK(winsync_ns_reaper, wns_reap);

static const struct rhashtable_params ns_params = {
	.head_offset		= offsetof(struct winsync_ns, node),
	.key_offset		= offsetof(struct winsync_ns, ns),
	.key_len		= sizeof(struct ipc_namespace *),
	.automatic_shrinking	= true,
};

static unsigned int max_user_objects = 131072;
module_param(max_user_objects, uint, 0644);
MODULE_PARM_DESC(max_user_objects,
		 "Live objects one user may have (0: no limit; CAP_SYS_RESOURCE is exempt)");

/* What a name is looked up by, within its namespace. */
struct name_key {
	kuid_t session;
	bool global;
	u32 len;
	const char *bytes;
};

static u32 name_hash(kuid_t session, bool global, const char *bytes, u32 len,
		     u32 seed)
{
	return jhash(bytes, len, jhash_2words(__kuid_val(session), global, seed));
}

static u32 name_key_hashfn(const void *data, u32 len, u32 seed)
{
	const struct name_key *k = data;

	return name_hash(k->session, k->global, k->bytes, k->len, seed);
}

static u32 name_obj_hashfn(const void *data, u32 len, u32 seed)
{
	const struct winsync_name *n = data;

	return name_hash(n->session, n->global, n->bytes, n->len, seed);
}

static int name_obj_cmpfn(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct name_key *k = arg->key;
	const struct winsync_name *n = obj;

	return !(uid_eq(k->session, n->session) && k->global == n->global &&
		 k->len == n->len && !memcmp(k->bytes, n->bytes, n->len));
}

static const struct rhashtable_params name_params = {
	.head_offset		= offsetof(struct winsync_name, node),
	.hashfn			= name_key_hashfn,
	.obj_hashfn		= name_obj_hashfn,
	.obj_cmpfn		= name_obj_cmpfn,
	.automatic_shrinking	= true,
};

static void name_key_of(const struct winsync_name *n, struct name_key *k)
{
	k->session = n->session;
	k->global = n->global;
	k->len = n->len;
	k->bytes = n->bytes;
}

/* A struct winsync_ns that was never visible, or is no longer. */
static void wns_free(struct winsync_ns *wns)
{
	WARN_ON_ONCE(wns->count || !list_empty(&wns->all));
	rhashtable_destroy(&wns->names);
	winsync_put_ipc_ns(wns->ns);
	/* RCU lookups may still be comparing its key. */
	kfree_rcu(wns, rcu);
}

static struct winsync_ns *wns_alloc(struct ipc_namespace *ns)
{
	struct winsync_ns *wns;
	int ret;

	wns = kzalloc_obj(*wns, GFP_KERNEL_ACCOUNT);
	if (!wns)
		return ERR_PTR(-ENOMEM);
	ret = rhashtable_init(&wns->names, &name_params);
	if (ret) {
		kfree(wns);
		return ERR_PTR(ret);
	}
	wns->ns = get_ipc_ns(ns);
	refcount_set(&wns->ref, 1);
	mutex_init(&wns->lock);
	INIT_LIST_HEAD(&wns->all);
	INIT_LIST_HEAD(&wns->idle_node);
	return wns;
}

/* Take a reference on @wns, found under winsync_ns_lock, idle or not. */
static void wns_revive(struct winsync_ns *wns)
{
	lockdep_assert_held(&winsync_ns_lock);

	if (refcount_inc_not_zero(&wns->ref))
		return;
	list_del_init(&wns->idle_node);
	refcount_set(&wns->ref, 1);
}

/*
 * The names of @ns, with a new reference.  If it has none: NULL, or with
 * @create a new, empty struct (or an ERR_PTR).
 */
static struct winsync_ns *wns_get(struct ipc_namespace *ns, bool create)
{
	struct winsync_ns *wns, *new;

	rcu_read_lock();
	wns = rhashtable_lookup(&winsync_ns_table, &ns, ns_params);
	/* An idle struct has no names. */
	if (wns && !refcount_inc_not_zero(&wns->ref))
		wns = NULL;
	rcu_read_unlock();
	if (wns || !create)
		return wns;

	/* Revive an idle struct, which is still hashed. */
	spin_lock(&winsync_ns_lock);
	wns = rhashtable_lookup_fast(&winsync_ns_table, &ns, ns_params);
	if (wns)
		wns_revive(wns);
	spin_unlock(&winsync_ns_lock);
	if (wns)
		return wns;

	new = wns_alloc(ns);
	if (IS_ERR(new))
		return new;
	spin_lock(&winsync_ns_lock);
	wns = rhashtable_lookup_get_insert_fast(&winsync_ns_table, &new->node,
						ns_params);
	if (!IS_ERR_OR_NULL(wns))
		wns_revive(wns);
	spin_unlock(&winsync_ns_lock);
	if (!wns)
		return new;
	wns_free(new);
	return wns;
}

/* Drop a reference; after the last one the struct idles, then goes. */
static void wns_put(struct winsync_ns *wns)
{
	bool idle;

	/* refcount_dec_and_lock(), spelt out so that sparse sees it balance. */
	if (refcount_dec_not_one(&wns->ref))
		return;
	spin_lock(&winsync_ns_lock);
	idle = refcount_dec_and_test(&wns->ref);
	if (idle) {
		wns->idle_since = jiffies;
		list_add_tail(&wns->idle_node, &winsync_ns_idle);
	}
	spin_unlock(&winsync_ns_lock);
	if (idle)
		schedule_delayed_work(&winsync_ns_reaper, WNS_IDLE_JIFFIES);
}

/*
 * Unhash up to WNS_REAP_BATCH structs idle for WNS_IDLE_JIFFIES (all idle
 * ones with @all) onto @dead.  Returns how many; *@more tells whether idle
 * structs are left.
 */
static unsigned int wns_reap_batch(struct list_head *dead, bool all, bool *more)
{
	struct winsync_ns *wns, *tmp;
	unsigned int n = 0;

	spin_lock(&winsync_ns_lock);
	list_for_each_entry_safe(wns, tmp, &winsync_ns_idle, idle_node) {
		if (n == WNS_REAP_BATCH ||
		    (!all && time_before(jiffies, wns->idle_since + WNS_IDLE_JIFFIES)))
			break;
		rhashtable_remove_fast(&winsync_ns_table, &wns->node, ns_params);
		list_move_tail(&wns->idle_node, dead);
		n++;
	}
	*more = !list_empty(&winsync_ns_idle);
	spin_unlock(&winsync_ns_lock);
	return n;
}

static void wns_reap_all(bool all)
{
	struct winsync_ns *wns, *tmp;
	unsigned int n;
	bool more;

	do {
		LIST_HEAD(dead);

		n = wns_reap_batch(&dead, all, &more);
		list_for_each_entry_safe(wns, tmp, &dead, idle_node)
			wns_free(wns);
		cond_resched();
	} while (n == WNS_REAP_BATCH);
	if (more && !all)
		schedule_delayed_work(&winsync_ns_reaper, WNS_IDLE_JIFFIES);
}

static void wns_reap(struct work_struct *work)
{
	wns_reap_all(false);
}

/* Split off the prefix and check the rest; see Documentation/winsync.rst. */
static int name_parse(const char *buf, u32 len, bool *global, u32 *skip)
{
	static const char global_prefix[] = "Global\\";
	static const char local_prefix[] = "Local\\";

	*global = false;
	*skip = 0;
	if (len >= sizeof(global_prefix) - 1 &&
	    !memcmp(buf, global_prefix, sizeof(global_prefix) - 1)) {
		*global = true;
		*skip = sizeof(global_prefix) - 1;
	} else if (len >= sizeof(local_prefix) - 1 &&
		   !memcmp(buf, local_prefix, sizeof(local_prefix) - 1)) {
		*skip = sizeof(local_prefix) - 1;
	}
	buf += *skip;
	len -= *skip;

	if (!len || memchr(buf, '\\', len) || memchr(buf, '\0', len))
		return -EINVAL;
	return 0;
}

/*
 * Copy a name from userspace and resolve its scope for the calling task.
 * The result holds a reference on the caller's IPC namespace.
 */
struct winsync_name *winsync_name_new(u64 uname, u32 len, u32 mode)
{
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;
	struct winsync_name *n;
	char *buf;
	bool global;
	u32 skip;
	int ret;

	if (!len)
		return ERR_PTR(-EINVAL);
	if (len > WINSYNC_NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);

	buf = memdup_user(u64_to_user_ptr(uname), len);
	if (IS_ERR(buf))
		return ERR_CAST(buf);
	ret = name_parse(buf, len, &global, &skip);
	if (ret) {
		kfree(buf);
		return ERR_PTR(ret);
	}

	n = kzalloc(struct_size(n, bytes, len - skip), GFP_KERNEL_ACCOUNT);
	if (!n) {
		kfree(buf);
		return ERR_PTR(-ENOMEM);
	}
	n->ns = get_ipc_ns(ns);
	n->global = global;
	n->session = global ? INVALID_UID : current_euid();
	n->uid = current_euid();
	n->gid = current_egid();
	n->mode = mode;
	n->len = len - skip;
	memcpy(n->bytes, buf + skip, n->len);
	kfree(buf);
	return n;
}

/* Free a name that is not, or no longer, in a table. */
void winsync_name_free(struct winsync_name *n)
{
	if (n->wns)
		wns_put(n->wns);
	winsync_put_ipc_ns(n->ns);
	kfree(n);
}

/* Take @n out of its namespace's table; its reference on @wns stays. */
static void name_unhash(struct winsync_ns *wns, struct winsync_name *n)
{
	lockdep_assert_held(&wns->lock);

	rhashtable_remove_fast(&wns->names, &n->node, name_params);
	list_del(&n->all_node);
	wns->count--;
	n->hashed = false;
}

/*
 * The live object named @key's name, with a new reference, or NULL.  A
 * dying object is unhashed on the way.
 */
static struct winsync_obj *name_find(struct winsync_ns *wns,
				     const struct name_key *key)
{
	struct winsync_name *n;

	lockdep_assert_held(&wns->lock);

	n = rhashtable_lookup_fast(&wns->names, key, name_params);
	if (!n)
		return NULL;
	if (kref_get_unless_zero(&n->obj->ref))
		return n->obj;
	name_unhash(wns, n);
	return NULL;
}

/*
 * Give @obj the name @n, unless the name already has a live object: then
 * return that object with a new reference, and @n stays the caller's.
 */
struct winsync_obj *winsync_name_publish(struct winsync_name *n,
					 struct winsync_obj *obj)
{
	struct winsync_obj *existing;
	struct winsync_ns *wns;
	struct name_key key;
	int ret;

	wns = wns_get(n->ns, true);
	if (IS_ERR(wns))
		return ERR_CAST(wns);
	name_key_of(n, &key);
	mutex_lock(&wns->lock);
	existing = name_find(wns, &key);
	if (existing) {
		mutex_unlock(&wns->lock);
		wns_put(wns);
		return existing;
	}
	n->obj = obj;
	ret = rhashtable_insert_fast(&wns->names, &n->node, name_params);
	if (ret) {
		mutex_unlock(&wns->lock);
		wns_put(wns);
		return ERR_PTR(ret);
	}
	n->hashed = true;
	list_add_tail(&n->all_node, &wns->all);
	wns->count++;
	/* The name keeps the reference until it is freed. */
	n->wns = wns;
	obj->name = n;
	mutex_unlock(&wns->lock);
	return NULL;
}

/* The object named like @n, with a new reference, or NULL. */
struct winsync_obj *winsync_name_open(const struct winsync_name *n)
{
	struct winsync_obj *obj;
	struct winsync_ns *wns;
	struct name_key key;

	wns = wns_get(n->ns, false);
	if (!wns)
		return NULL;
	name_key_of(n, &key);
	mutex_lock(&wns->lock);
	obj = name_find(wns, &key);
	mutex_unlock(&wns->lock);
	wns_put(wns);
	return obj;
}

/* The object is being freed: its name goes. */
void winsync_name_unpublish(struct winsync_obj *obj)
{
	struct winsync_name *n = obj->name;
	struct winsync_ns *wns = n->wns;

	mutex_lock(&wns->lock);
	if (n->hashed)
		name_unhash(wns, n);
	mutex_unlock(&wns->lock);
	/* Drops the name's reference on its namespace's names. */
	winsync_name_free(n);
}

/*
 * May the caller open a handle with @access to the object named @n?  Read
 * permission grants waiting and reading (SYNCHRONIZE, QUERY_STATE,
 * READ_CONTROL), write permission grants changing (MODIFY_STATE, DELETE,
 * WRITE_DAC, WRITE_OWNER).  As for SysV IPC, CAP_IPC_OWNER in the user
 * namespace that owns the IPC namespace overrides.
 */
static bool name_permits(const struct winsync_name *n, u32 access, bool audit)
{
	int requested = 0, granted = n->mode;

	if (access & (WINSYNC_ACCESS_SYNCHRONIZE | WINSYNC_ACCESS_QUERY_STATE |
		      WINSYNC_ACCESS_READ_CONTROL))
		requested |= 04;
	if (access & (WINSYNC_ACCESS_MODIFY_STATE | WINSYNC_ACCESS_DELETE |
		      WINSYNC_ACCESS_WRITE_DAC | WINSYNC_ACCESS_WRITE_OWNER))
		requested |= 02;

	if (uid_eq(current_euid(), n->uid))
		granted >>= 6;
	else if (in_group_p(n->gid))
		granted >>= 3;
	if (!(requested & ~granted & 07))
		return true;
	if (!audit)
		return ns_capable_noaudit(n->ns->user_ns, CAP_IPC_OWNER);
	return ns_capable(n->ns->user_ns, CAP_IPC_OWNER);
}

bool winsync_name_permits(const struct winsync_name *n, u32 access)
{
	return name_permits(n, access, true);
}

/*
 * Could the caller, in @n's IPC namespace, open @n for waiting?  Then it may
 * see it listed.
 */
static bool name_visible(const struct winsync_name *n)
{
	if (!n->global && !uid_eq(n->session, current_euid()))
		return false;
	/* Looking is not an access attempt: nothing to audit. */
	return name_permits(n, WINSYNC_ACCESS_SYNCHRONIZE, false);
}

/* @obj is pinned, so its name is alive too. */
static void list_fill(struct winsync_obj *obj, struct winsync_list_entry *e)
{
	const struct winsync_name *n = obj->name;
	struct winsync_obj_info info;

	winsync_obj_fill_info(obj, &info);
	memset(e, 0, sizeof(*e));
	e->id = info.id;
	e->type = info.type;
	e->flags = info.flags;
	e->signaled = info.signaled;
	e->count = info.count;
	e->max = info.max;
	e->owner_tid = info.owner_tid;
	e->waiters = info.waiters;
	/* Less the listing's own reference. */
	e->refs = kref_read(&obj->ref) - 1;
	e->uid = info.uid;
	e->gid = info.gid;
	e->mode = info.mode;
	e->timer_expirations = info.timer_expirations;
	e->name_len = n->len;
	memcpy(e->name, n->bytes, n->len);
}

/* Names walked by LIST per hold of its namespace's lock. */
#define LIST_BATCH	128

/*
 * Only the caller's IPC namespace is walked, under that namespace's lock,
 * held only to count the visible names and pin up to @capacity of their
 * objects: the state is read and copied out after it is released, so a slow
 * user buffer (say, one mapped from FUSE) holds up nobody's named create or
 * open, and a namespace with many names slows only its own users.  Even
 * those only by LIST_BATCH names at a time: the walk lets the lock go
 * between batches, keeping its place by pinning the object of the name it
 * stopped at (a name stays listed while its object lives).
 */
long winsync_ioctl_list(void __user *argp)
{
	struct winsync_list_args __user *uargs = argp;
	struct winsync_list_entry __user *uentries;
	struct winsync_list_args args;
	struct winsync_list_entry *e;
	struct winsync_obj **objs = NULL, *cursor = NULL;
	struct winsync_ns *wns;
	struct winsync_name *n;
	u32 max, pinned = 0, total = 0, walked = 0, i;
	int ret = 0;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	if (args.flags || args.reserved[0] || args.reserved[1])
		return -EINVAL;
	uentries = u64_to_user_ptr(args.entries);

	e = kmalloc_obj(*e, GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	wns = wns_get(current->nsproxy->ipc_ns, false);
	if (!wns)
		goto out_counts;

	/* Names created meanwhile count in total, but may not fit. */
	max = min(args.capacity, READ_ONCE(wns->count));
	objs = kvmalloc_array(max ?: 1, sizeof(*objs), GFP_KERNEL_ACCOUNT);
	if (!objs) {
		wns_put(wns);
		ret = -ENOMEM;
		goto out_free;
	}

	mutex_lock(&wns->lock);
	list_for_each_entry(n, &wns->all, all_node) {
		if (++walked % LIST_BATCH == 0 &&
		    kref_get_unless_zero(&n->obj->ref)) {
			mutex_unlock(&wns->lock);
			/* Putting may free an object, which takes the lock. */
			if (cursor)
				winsync_obj_put(cursor);
			cursor = n->obj;
			cond_resched();
			mutex_lock(&wns->lock);
		}
		if (!name_visible(n))
			continue;
		/* A dying object is as good as gone. */
		if (pinned < max && kref_get_unless_zero(&n->obj->ref))
			objs[pinned++] = n->obj;
		total++;
	}
	mutex_unlock(&wns->lock);
	if (cursor)
		winsync_obj_put(cursor);
	wns_put(wns);

	for (i = 0; i < pinned; i++) {
		if (!ret) {
			list_fill(objs[i], e);
			if (copy_to_user(&uentries[i], e, sizeof(*e)))
				ret = -EFAULT;
		}
		winsync_obj_put(objs[i]);
	}
out_counts:
	if (!ret && (put_user(pinned, &uargs->count) ||
		     put_user(total, &uargs->total)))
		ret = -EFAULT;

out_free:
	kfree(e);
	kvfree(objs);
	return ret;
}

/*
 * Per-user accounting of live objects, named or not.
 *
 * Objects are counted per user as the initial user namespace sees users: a
 * task in the initial user namespace is charged to its effective uid, a task
 * in a user namespace to the owner of the outermost non-initial namespace of
 * its chain, the real user who created it (as the kernel's ucounts charge up
 * the hierarchy).  So the ids a user namespace maps, however many, share
 * their creator's limit.
 */

#define USER_HASH_BITS	6

struct user_count {
	struct hlist_node node;
	kuid_t uid;
	unsigned int count;
};

static struct user_bucket {
	/* Protects head and the counts in it. */
	spinlock_t lock;
	struct hlist_head head;
} user_table[1 << USER_HASH_BITS];

static struct user_bucket *user_bucket(kuid_t uid)
{
	return &user_table[hash_32(__kuid_val(uid), USER_HASH_BITS)];
}

static struct user_count *user_find(struct user_bucket *b, kuid_t uid)
{
	struct user_count *uc;

	lockdep_assert_held(&b->lock);
	hlist_for_each_entry(uc, &b->head, node)
		if (uid_eq(uc->uid, uid))
			return uc;
	return NULL;
}

/* The user the caller's objects are charged to; see above. */
static kuid_t user_charged(void)
{
	const struct cred *cred = current_cred();
	const struct user_namespace *ns;
	kuid_t uid = cred->euid;

	for (ns = cred->user_ns; ns != &init_user_ns; ns = ns->parent)
		uid = ns->owner;
	return uid;
}

/* Count a new object for the caller's user; -ENOSPC past the limit. */
int winsync_user_charge(kuid_t *uidp)
{
	unsigned int limit = READ_ONCE(max_user_objects);
	kuid_t uid = user_charged();
	struct user_bucket *b = user_bucket(uid);
	struct user_count *uc, *new = NULL;
	bool exempt;

	exempt = !limit || ns_capable_noaudit(&init_user_ns, CAP_SYS_RESOURCE);
	*uidp = uid;

	spin_lock(&b->lock);
	uc = user_find(b, uid);
	if (!uc) {
		/* The uid's first object: allocate outside the lock. */
		spin_unlock(&b->lock);
		new = kzalloc_obj(*new, GFP_KERNEL_ACCOUNT);
		if (!new)
			return -ENOMEM;
		new->uid = uid;
		spin_lock(&b->lock);
		uc = user_find(b, uid);
		if (!uc) {
			uc = new;
			new = NULL;
			hlist_add_head(&uc->node, &b->head);
		}
	}
	if (!exempt && uc->count >= limit) {
		spin_unlock(&b->lock);
		kfree(new);
		return -ENOSPC;
	}
	uc->count++;
	spin_unlock(&b->lock);
	kfree(new);
	return 0;
}

void winsync_user_uncharge(kuid_t uid)
{
	struct user_bucket *b = user_bucket(uid);
	struct user_count *uc;

	spin_lock(&b->lock);
	hlist_for_each_entry(uc, &b->head, node) {
		if (uid_eq(uc->uid, uid)) {
			if (!--uc->count) {
				hlist_del(&uc->node);
				kfree(uc);
			}
			break;
		}
	}
	spin_unlock(&b->lock);
}

/* Live objects charged to the caller's user. */
u64 winsync_user_objects(void)
{
	kuid_t uid = user_charged();
	struct user_bucket *b = user_bucket(uid);
	struct user_count *uc;
	u64 n = 0;

	spin_lock(&b->lock);
	uc = user_find(b, uid);
	if (uc)
		n = uc->count;
	spin_unlock(&b->lock);
	return n;
}

unsigned int winsync_max_user_objects(void)
{
	return READ_ONCE(max_user_objects);
}

int winsync_names_init(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(user_table); i++) {
		spin_lock_init(&user_table[i].lock);
		INIT_HLIST_HEAD(&user_table[i].head);
	}
	return rhashtable_init(&winsync_ns_table, &ns_params);
}

/* No object, hence no name and no charge, is left; namespaces may idle. */
void winsync_names_exit(void)
{
	cancel_delayed_work_sync(&winsync_ns_reaper);
	wns_reap_all(true);
	WARN_ON_ONCE(atomic_read(&winsync_ns_table.nelems));
	rhashtable_destroy(&winsync_ns_table);
}

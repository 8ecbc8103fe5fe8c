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
 * Each name holds a reference on its IPC namespace, so a namespace with
 * names cannot be freed and its memory cannot be reused for another one
 * while a name could still match it.
 *
 * The name table is an rhashtable (O(1) average lookups, resized as names
 * come and go).  winsync_names_lock serializes create-or-open, open and
 * removal, which makes create-or-open atomic: one name never has two
 * objects.  A name is removed when its object is freed, i.e. when the last
 * handle is closed; an object whose last reference is going may still be in
 * the table for a moment, and a concurrent create then unhashes it first.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/hash.h>
#include <linux/ipc_namespace.h>
#include <linux/jhash.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/nsproxy.h>
#include <linux/proc_ns.h>
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>

#include "compat.h"
#include "winsync.h"

static DEFINE_MUTEX(winsync_names_lock);
static struct rhashtable winsync_names;
/* Every hashed name, for listing, and their number; winsync_names_lock. */
static LIST_HEAD(winsync_all_names);
static unsigned int winsync_names_count;

static unsigned int max_user_objects = 131072;
module_param(max_user_objects, uint, 0644);
MODULE_PARM_DESC(max_user_objects,
		 "Live objects one user may have (0: no limit; CAP_SYS_RESOURCE is exempt)");

/* What a name is looked up by. */
struct name_key {
	const struct ipc_namespace *ns;
	kuid_t session;
	bool global;
	u32 len;
	const char *bytes;
};

static u32 name_hash(const struct ipc_namespace *ns, kuid_t session,
		     bool global, const char *bytes, u32 len, u32 seed)
{
	return jhash(bytes, len,
		     jhash_3words(hash_ptr(ns, 32), __kuid_val(session),
				  global, seed));
}

static u32 name_key_hashfn(const void *data, u32 len, u32 seed)
{
	const struct name_key *k = data;

	return name_hash(k->ns, k->session, k->global, k->bytes, k->len, seed);
}

static u32 name_obj_hashfn(const void *data, u32 len, u32 seed)
{
	const struct winsync_name *n = data;

	return name_hash(n->ns, n->session, n->global, n->bytes, n->len, seed);
}

static int name_obj_cmpfn(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct name_key *k = arg->key;
	const struct winsync_name *n = obj;

	return !(k->ns == n->ns && uid_eq(k->session, n->session) &&
		 k->global == n->global && k->len == n->len &&
		 !memcmp(k->bytes, n->bytes, n->len));
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
	k->ns = n->ns;
	k->session = n->session;
	k->global = n->global;
	k->len = n->len;
	k->bytes = n->bytes;
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

void winsync_name_free(struct winsync_name *n)
{
	winsync_put_ipc_ns(n->ns);
	kfree(n);
}

/*
 * The live object named @key's name, with a new reference, or NULL.  A
 * dying object is unhashed on the way.
 */
static struct winsync_obj *name_find(const struct name_key *key)
{
	struct winsync_name *n;

	lockdep_assert_held(&winsync_names_lock);

	n = rhashtable_lookup_fast(&winsync_names, key, name_params);
	if (!n)
		return NULL;
	if (kref_get_unless_zero(&n->obj->ref))
		return n->obj;
	rhashtable_remove_fast(&winsync_names, &n->node, name_params);
	list_del(&n->all_node);
	winsync_names_count--;
	n->hashed = false;
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
	struct name_key key;
	int ret;

	name_key_of(n, &key);
	mutex_lock(&winsync_names_lock);
	existing = name_find(&key);
	if (existing) {
		mutex_unlock(&winsync_names_lock);
		return existing;
	}
	n->obj = obj;
	ret = rhashtable_insert_fast(&winsync_names, &n->node, name_params);
	if (ret) {
		mutex_unlock(&winsync_names_lock);
		return ERR_PTR(ret);
	}
	n->hashed = true;
	list_add_tail(&n->all_node, &winsync_all_names);
	winsync_names_count++;
	obj->name = n;
	mutex_unlock(&winsync_names_lock);
	return NULL;
}

/* The object named like @n, with a new reference, or NULL. */
struct winsync_obj *winsync_name_open(const struct winsync_name *n)
{
	struct winsync_obj *obj;
	struct name_key key;

	name_key_of(n, &key);
	mutex_lock(&winsync_names_lock);
	obj = name_find(&key);
	mutex_unlock(&winsync_names_lock);
	return obj;
}

/* The object is being freed: its name goes. */
void winsync_name_unpublish(struct winsync_obj *obj)
{
	struct winsync_name *n = obj->name;

	mutex_lock(&winsync_names_lock);
	if (n->hashed) {
		rhashtable_remove_fast(&winsync_names, &n->node, name_params);
		list_del(&n->all_node);
		winsync_names_count--;
	}
	mutex_unlock(&winsync_names_lock);
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

/* Could the caller open @n for waiting?  Then it may see it listed. */
static bool name_visible(const struct winsync_name *n)
{
	if (n->ns != current->nsproxy->ipc_ns)
		return false;
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

/*
 * The names lock is held only to count the visible names and pin up to
 * @capacity of their objects: the state is read and copied out after it is
 * released, so a slow user buffer (say, one mapped from FUSE) cannot hold
 * up every named create and open in the system.
 */
long winsync_ioctl_list(void __user *argp)
{
	struct winsync_list_args __user *uargs = argp;
	struct winsync_list_entry __user *uentries;
	struct winsync_list_args args;
	struct winsync_list_entry *e;
	struct winsync_obj **objs;
	struct winsync_name *n;
	u32 max, pinned = 0, total = 0, i;
	int ret = 0;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	if (args.flags || args.reserved[0] || args.reserved[1])
		return -EINVAL;
	uentries = u64_to_user_ptr(args.entries);

	/* Names created meanwhile count in total, but may not fit. */
	max = min(args.capacity, READ_ONCE(winsync_names_count));
	objs = kvmalloc_array(max ?: 1, sizeof(*objs), GFP_KERNEL);
	e = kmalloc_obj(*e, GFP_KERNEL);
	if (!objs || !e) {
		ret = -ENOMEM;
		goto out_free;
	}

	mutex_lock(&winsync_names_lock);
	list_for_each_entry(n, &winsync_all_names, all_node) {
		if (!name_visible(n))
			continue;
		/* A dying object is as good as gone. */
		if (pinned < max && kref_get_unless_zero(&n->obj->ref))
			objs[pinned++] = n->obj;
		total++;
	}
	mutex_unlock(&winsync_names_lock);

	for (i = 0; i < pinned; i++) {
		if (!ret) {
			list_fill(objs[i], e);
			if (copy_to_user(&uentries[i], e, sizeof(*e)))
				ret = -EFAULT;
		}
		winsync_obj_put(objs[i]);
	}
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

/* Count a new object for the caller's real uid; -ENOSPC past the limit. */
int winsync_user_charge(kuid_t *uidp)
{
	unsigned int limit = READ_ONCE(max_user_objects);
	kuid_t uid = current_uid();
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
	return rhashtable_init(&winsync_names, &name_params);
}

/* No object, hence no name and no charge, is left. */
void winsync_names_exit(void)
{
	rhashtable_destroy(&winsync_names);
}

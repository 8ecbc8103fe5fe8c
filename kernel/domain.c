// SPDX-License-Identifier: GPL-2.0
/*
 * winsync wait-all domains.
 *
 * A wait-all examines and acquires up to 64 objects at one instant, so it
 * needs a lock that every state change of those objects respects.  One
 * global lock would let any user stall every other user's wait-alls; instead
 * each object joins a domain at its first wait-all, and a wait-all over
 * objects of several domains merges them into one.  The domains form a
 * union-find forest: a merge makes the root of lower rank a child of the
 * other root, and the lock of a domain is the mutex of its root.  Domains
 * never split while their objects live, so objects that a wait-all once tied
 * together stay under one lock, and a waiter's objects stay together for the
 * whole wait.  Objects that no wait-all ever combined (directly or through
 * other objects) never share a lock.
 *
 * Rules:
 * - obj->domain goes from NULL to a domain once, under obj->lock, and
 *   never changes again; the object holds a reference on it.
 * - d->parent goes from NULL to a root once, while both roots' locks are
 *   held; the child then holds a reference on its parent.  So a domain and
 *   all its ancestors live as long as any object of the domain.
 * - A root stays a root while its lock is held: whoever locks a domain
 *   checks, under the lock, that it is still a root, and else retries.
 * - Only a merge holds two domain locks, taken in address order.
 * All of this runs in process context.
 */

#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "compat.h"
#include "winsync.h"

static struct lock_class_key domain_lock_key;

/* The root of @d's tree; it may stop being a root unless its lock is held. */
struct winsync_domain *winsync_domain_root(struct winsync_domain *d)
{
	struct winsync_domain *parent;

	while ((parent = READ_ONCE(d->parent)))
		d = parent;
	return d;
}

/*
 * Lock the domain of @obj, which has one, and return its root.  The caller
 * holds a reference on @obj, which keeps the whole tree alive.
 */
struct winsync_domain *winsync_domain_lock(struct winsync_obj *obj)
{
	struct winsync_domain *root;

	for (;;) {
		root = winsync_domain_root(READ_ONCE(obj->domain));
		mutex_lock(&root->lock);
		if (!READ_ONCE(root->parent))
			return root;
		/* Merged into another domain meanwhile: climb on. */
		mutex_unlock(&root->lock);
	}
}

void winsync_domain_put(struct winsync_domain *d)
{
	struct winsync_domain *parent;

	while (d && refcount_dec_and_test(&d->ref)) {
		parent = d->parent;
		mutex_destroy(&d->lock);
		kfree(d);
		d = parent;
	}
}

/* @obj's domain, made if it has none yet. */
static struct winsync_domain *obj_domain(struct winsync_obj *obj)
{
	struct winsync_domain *d = READ_ONCE(obj->domain);

	if (d)
		return d;

	d = kmalloc_obj(*d, GFP_KERNEL_ACCOUNT);
	if (!d)
		return NULL;
	__mutex_init(&d->lock, "winsync_domain->lock", &domain_lock_key);
	d->parent = NULL;
	refcount_set(&d->ref, 1);
	d->rank = 0;

	spin_lock(&obj->lock);
	if (!obj->domain) {
		WRITE_ONCE(obj->domain, d);
		d = NULL;
	}
	spin_unlock(&obj->lock);
	/* Another wait-all gave it one first. */
	if (d) {
		mutex_destroy(&d->lock);
		kfree(d);
	}
	return obj->domain;
}

/*
 * Put @x and @y into one domain.  Afterwards they stay in one domain for as
 * long as they live.  Returns 0 or -ENOMEM.
 */
int winsync_domain_join(struct winsync_obj *x, struct winsync_obj *y)
{
	struct winsync_domain *dx, *dy, *a, *b, *child, *parent;

	dx = obj_domain(x);
	dy = obj_domain(y);
	if (!dx || !dy)
		return -ENOMEM;

	for (;;) {
		a = winsync_domain_root(dx);
		b = winsync_domain_root(dy);
		if (a == b)
			return 0;
		if (a > b)
			swap(a, b);
		mutex_lock(&a->lock);
		mutex_lock_nested(&b->lock, SINGLE_DEPTH_NESTING);
		if (!a->parent && !b->parent)
			break;
		/* One was merged meanwhile; look again. */
		mutex_unlock(&b->lock);
		mutex_unlock(&a->lock);
	}

	if (a->rank < b->rank) {
		child = a;
		parent = b;
	} else {
		child = b;
		parent = a;
		if (a->rank == b->rank)
			a->rank++;
	}
	refcount_inc(&parent->ref);
	WRITE_ONCE(child->parent, parent);

	mutex_unlock(&b->lock);
	mutex_unlock(&a->lock);
	return 0;
}

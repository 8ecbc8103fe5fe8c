// SPDX-License-Identifier: GPL-2.0
/*
 * winsync-bench: the mechanisms compared, behind one table of operations.
 *
 *  winsync  /dev/winsync (this project), raw ioctls
 *  ntsync   /dev/ntsync (upstream Linux), raw ioctls, see ntsync-abi.h
 *  futex    futex words in MAP_SHARED memory, the "fsync" way: semaphores
 *           and events as counters with a waiter count, process-shared
 *           pthread mutexes, futex_waitv (syscall 449) for wait-any
 *  eventfd  the "esync" way: eventfd in semaphore mode for semaphores,
 *           plain eventfd for events, poll() then read() to wait
 *  posix    named POSIX semaphores (sem_open), glibc's futex-based sem_t
 *
 * Every object is usable across fork(), so each mechanism is measured with
 * objects that could be shared between processes (no private futexes).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/winsync.h>

#include "bench.h"
#include "ntsync-abi.h"

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
#ifndef FUTEX_32
#define FUTEX_32 2
#endif

/* Our own copy of the futex_waitv layout (Linux 5.16+). */
struct fwaitv {
	uint64_t val;
	uint64_t uaddr;
	uint32_t flags;
	uint32_t reserved;
};

int ws_dev = -1, nts_dev = -1;
bool have_futex_waitv;
volatile sig_atomic_t alarm_fired;

/* Thread id, for ntsync mutex owners; refreshed in forked children. */
static __thread uint32_t tid_cache;
static __thread pid_t tid_pid;

static uint32_t my_tid(void)
{
	pid_t p = getpid();

	if (!tid_cache || tid_pid != p) {
		tid_cache = (uint32_t)gettid();
		tid_pid = p;
	}
	return tid_cache;
}

/* -------------------------------------------------------------------------
 * winsync
 */

static int ws_create(uint32_t type, uint32_t flags, unsigned count,
		     unsigned max, struct mobj *o)
{
	struct winsync_create_args a = {
		.type = type,
		.flags = flags,
		.access = WINSYNC_ACCESS_ALL,
		.sem_count = count,
		.sem_max = max,
	};

	if (ioctl(ws_dev, WINSYNC_IOC_CREATE, &a) < 0)
		return -errno;
	o->fd = a.fd;
	return 0;
}

int ws_create_sem_fd(void)
{
	struct mobj o = { .fd = -1 };
	int ret = ws_create(WINSYNC_TYPE_SEM, 0, 0, 1, &o);

	return ret < 0 ? ret : o.fd;
}

int ws_create_named(const char *name, size_t len, int *status)
{
	struct winsync_create_args a = {
		.type = WINSYNC_TYPE_SEM,
		.access = WINSYNC_ACCESS_ALL,
		.mode = 0600,
		.name = (uintptr_t)name,
		.name_len = (uint32_t)len,
		.sem_count = 0,
		.sem_max = 1,
	};

	if (ioctl(ws_dev, WINSYNC_IOC_CREATE, &a) < 0)
		return -errno;
	if (status)
		*status = (int)a.status;
	return a.fd;
}

int ws_open_named(const char *name, size_t len)
{
	struct winsync_open_args a = {
		.type = WINSYNC_TYPE_SEM,
		.access = WINSYNC_ACCESS_ALL,
		.name_len = (uint32_t)len,
		.name = (uintptr_t)name,
	};

	if (ioctl(ws_dev, WINSYNC_IOC_OPEN, &a) < 0)
		return -errno;
	return a.fd;
}

static int ws_wait_fds(const int *fds, unsigned n, uint32_t flags,
		       int signal_fd)
{
	struct winsync_wait_args a = {
		.objs = (uintptr_t)fds,
		.count = n,
		.flags = flags,
		.timeout = WINSYNC_TIMEOUT_INFINITE,
		.signal = signal_fd,
	};

	if (ioctl(ws_dev, WINSYNC_IOC_WAIT, &a) < 0)
		return -errno;
	return (int)a.index;
}

static int ws_sem_create(struct mobj *o, unsigned count, unsigned max)
{
	return ws_create(WINSYNC_TYPE_SEM, 0, count, max, o);
}

static int ws_wait1(struct mobj *o)
{
	int r = ws_wait_fds(&o->fd, 1, 0, 0);

	return r < 0 ? r : 0;
}

static int ws_sem_release(struct mobj *o)
{
	uint32_t n = 1;

	return ioctl(o->fd, WINSYNC_IOC_SEM_RELEASE, &n) < 0 ? -errno : 0;
}

static int ws_mutex_create(struct mobj *o)
{
	return ws_create(WINSYNC_TYPE_MUTEX, 0, 0, 0, o);
}

static int ws_mutex_unlock(struct mobj *o)
{
	uint32_t prev;

	return ioctl(o->fd, WINSYNC_IOC_MUTEX_RELEASE, &prev) < 0 ? -errno : 0;
}

static int ws_event_create(struct mobj *o, bool manual, bool signaled)
{
	o->manual = manual;
	return ws_create(WINSYNC_TYPE_EVENT,
			 (manual ? WINSYNC_CREATE_MANUAL_RESET : 0) |
			 (signaled ? WINSYNC_CREATE_SIGNALED : 0), 0, 0, o);
}

static int ws_event_set(struct mobj *o)
{
	uint32_t prev;

	return ioctl(o->fd, WINSYNC_IOC_EVENT_SET, &prev) < 0 ? -errno : 0;
}

static int ws_signal_wait(struct mobj *sig, struct mobj *w)
{
	int r = ws_wait_fds(&w->fd, 1, WINSYNC_WAIT_SIGNAL, sig->fd);

	return r < 0 ? r : 0;
}

static void fd_destroy(struct mobj *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
}

static int fds_prepare(struct wset *ws)
{
	for (int i = 0; i < ws->n; i++) {
		ws->fds[i] = ws->objs[i].fd;
		ws->ufds[i] = (uint32_t)ws->objs[i].fd;
	}
	return 0;
}

static int ws_wait_any(struct wset *ws)
{
	return ws_wait_fds(ws->fds, (unsigned)ws->n, 0, 0);
}

static int ws_wait_all(struct wset *ws)
{
	return ws_wait_fds(ws->fds, (unsigned)ws->n, WINSYNC_WAIT_ALL, 0);
}

static int ws_probe(char *why, size_t len)
{
	struct winsync_info info;
	struct mobj s;
	int r;

	ws_dev = open("/dev/winsync", O_RDWR | O_CLOEXEC);
	if (ws_dev < 0) {
		snprintf(why, len, "/dev/winsync: %s", strerror(errno));
		return 1;
	}
	memset(&info, 0, sizeof(info));
	if (ioctl(ws_dev, WINSYNC_IOC_GET_INFO, &info) < 0) {
		snprintf(why, len, "GET_INFO: %s", strerror(errno));
		return -1;
	}
	if (info.abi_version != WINSYNC_ABI_VERSION) {
		snprintf(why, len, "ABI version %u, expected %u",
			 info.abi_version, (unsigned int)WINSYNC_ABI_VERSION);
		return -1;
	}
	r = ws_sem_create(&s, 1, 2);
	if (!r)
		r = ws_wait1(&s);
	if (!r)
		r = ws_sem_release(&s);
	if (r) {
		snprintf(why, len, "semaphore create/wait/release: %s",
			 strerror(-r));
		return -1;
	}
	close(s.fd);
	return 0;
}

static struct mech mech_winsync = {
	.id = M_WINSYNC, .name = "winsync",
	.what = "/dev/winsync ioctls",
	.sem_create = ws_sem_create, .sem_acquire = ws_wait1,
	.sem_release = ws_sem_release,
	.mutex_create = ws_mutex_create, .mutex_lock = ws_wait1,
	.mutex_unlock = ws_mutex_unlock,
	.event_create = ws_event_create, .event_set = ws_event_set,
	.event_wait = ws_wait1, .signal_wait = ws_signal_wait,
	.destroy = fd_destroy,
	.wset_prepare = fds_prepare, .wait_any = ws_wait_any,
	.wait_all = ws_wait_all,
};

/* -------------------------------------------------------------------------
 * ntsync
 */

static int nts_wait_fds(const uint32_t *fds, unsigned n, bool all)
{
	struct nts_wait a = {
		.timeout = UINT64_MAX,
		.objs = (uintptr_t)fds,
		.count = n,
		.owner = my_tid(),
	};

	if (ioctl(nts_dev, all ? NTS_IOC_WAIT_ALL : NTS_IOC_WAIT_ANY, &a) < 0)
		return -errno;
	return (int)a.index;
}

static int nts_sem_create(struct mobj *o, unsigned count, unsigned max)
{
	struct nts_sem a = { .count = count, .max = max };
	int fd = ioctl(nts_dev, NTS_IOC_CREATE_SEM, &a);

	if (fd < 0)
		return -errno;
	o->fd = fd;
	return 0;
}

int nts_create_sem_fd(void)
{
	struct mobj o = { .fd = -1 };
	int r = nts_sem_create(&o, 0, 1);

	return r < 0 ? r : o.fd;
}

static int nts_wait1(struct mobj *o)
{
	uint32_t fd = (uint32_t)o->fd;
	int r = nts_wait_fds(&fd, 1, false);

	return r < 0 ? r : 0;
}

static int nts_sem_release(struct mobj *o)
{
	uint32_t n = 1;

	return ioctl(o->fd, NTS_IOC_SEM_RELEASE, &n) < 0 ? -errno : 0;
}

static int nts_mutex_create(struct mobj *o)
{
	struct nts_mutex a = { 0, 0 };
	int fd = ioctl(nts_dev, NTS_IOC_CREATE_MUTEX, &a);

	if (fd < 0)
		return -errno;
	o->fd = fd;
	return 0;
}

static int nts_mutex_unlock(struct mobj *o)
{
	struct nts_mutex a = { .owner = my_tid() };

	return ioctl(o->fd, NTS_IOC_MUTEX_UNLOCK, &a) < 0 ? -errno : 0;
}

static int nts_event_create(struct mobj *o, bool manual, bool signaled)
{
	struct nts_event a = { .manual = manual, .signaled = signaled };
	int fd = ioctl(nts_dev, NTS_IOC_CREATE_EVENT, &a);

	if (fd < 0)
		return -errno;
	o->fd = fd;
	o->manual = manual;
	return 0;
}

static int nts_event_set(struct mobj *o)
{
	uint32_t prev;

	return ioctl(o->fd, NTS_IOC_EVENT_SET, &prev) < 0 ? -errno : 0;
}

static int nts_wait_any(struct wset *ws)
{
	return nts_wait_fds(ws->ufds, (unsigned)ws->n, false);
}

static int nts_wait_all(struct wset *ws)
{
	return nts_wait_fds(ws->ufds, (unsigned)ws->n, true);
}

#define NTS_CHECK(cond, ...) do {					\
	if (!(cond)) {							\
		snprintf(why, len, __VA_ARGS__);			\
		goto out;						\
	}								\
} while (0)

/*
 * Does every ioctl we use behave as ntsync-abi.h says?  A wrong number or
 * layout shows up here as EINVAL/ENOTTY or as wrong values.
 */
static int nts_selftest(char *why, size_t len)
{
	struct mobj s = { .fd = -1 }, m = { .fd = -1 }, e = { .fd = -1 };
	struct nts_sem sr;
	struct nts_mutex mr;
	struct nts_event er;
	struct nts_wait w;
	uint32_t v, fd;
	int r, ret = -1;

	r = nts_sem_create(&s, 0, 2);
	NTS_CHECK(!r, "CREATE_SEM: %s", strerror(-r));
	v = 1;
	NTS_CHECK(!ioctl(s.fd, NTS_IOC_SEM_RELEASE, &v) && v == 0,
		  "SEM_RELEASE: %s, prev %u", strerror(errno), v);
	memset(&sr, 0, sizeof(sr));
	NTS_CHECK(!ioctl(s.fd, NTS_IOC_SEM_READ, &sr) && sr.count == 1 &&
		  sr.max == 2, "SEM_READ: %s, %u/%u", strerror(errno),
		  sr.count, sr.max);
	r = nts_wait1(&s);
	NTS_CHECK(!r, "WAIT_ANY: %s", strerror(-r));
	fd = (uint32_t)s.fd;
	memset(&w, 0, sizeof(w));
	w.objs = (uintptr_t)&fd;
	w.count = 1;
	w.owner = my_tid();
	w.timeout = 0;	/* in the past: poll */
	NTS_CHECK(ioctl(nts_dev, NTS_IOC_WAIT_ANY, &w) < 0 &&
		  errno == ETIMEDOUT, "WAIT_ANY on an empty semaphore: %s",
		  strerror(errno));

	r = nts_mutex_create(&m);
	NTS_CHECK(!r, "CREATE_MUTEX: %s", strerror(-r));
	r = nts_wait1(&m);
	NTS_CHECK(!r, "WAIT_ANY on a mutex: %s", strerror(-r));
	memset(&mr, 0, sizeof(mr));
	NTS_CHECK(!ioctl(m.fd, NTS_IOC_MUTEX_READ, &mr) &&
		  mr.owner == my_tid() && mr.count == 1,
		  "MUTEX_READ: %s, owner %u count %u", strerror(errno),
		  mr.owner, mr.count);
	mr.owner = my_tid();
	mr.count = 0;
	NTS_CHECK(!ioctl(m.fd, NTS_IOC_MUTEX_UNLOCK, &mr) && mr.count == 1,
		  "MUTEX_UNLOCK: %s, prev %u", strerror(errno), mr.count);

	r = nts_event_create(&e, false, false);
	NTS_CHECK(!r, "CREATE_EVENT: %s", strerror(-r));
	v = 7;
	NTS_CHECK(!ioctl(e.fd, NTS_IOC_EVENT_SET, &v) && v == 0,
		  "EVENT_SET: %s, prev %u", strerror(errno), v);
	memset(&er, 0, sizeof(er));
	NTS_CHECK(!ioctl(e.fd, NTS_IOC_EVENT_READ, &er) && er.signaled == 1 &&
		  er.manual == 0, "EVENT_READ: %s, %u/%u", strerror(errno),
		  er.manual, er.signaled);
	{
		uint32_t two[2] = { (uint32_t)s.fd, (uint32_t)e.fd };

		r = nts_wait_fds(two, 2, false);
		NTS_CHECK(r == 1, "WAIT_ANY over 2: %d", r);
	}
	v = 7;
	NTS_CHECK(!ioctl(e.fd, NTS_IOC_EVENT_RESET, &v) && v == 0,
		  "EVENT_RESET: %s, prev %u (auto-reset not consumed?)",
		  strerror(errno), v);
	{
		uint32_t two[2] = { (uint32_t)s.fd, (uint32_t)e.fd };

		v = 1;
		ioctl(s.fd, NTS_IOC_SEM_RELEASE, &v);
		ioctl(e.fd, NTS_IOC_EVENT_SET, &v);
		r = nts_wait_fds(two, 2, true);
		NTS_CHECK(r == 0, "WAIT_ALL over 2: %d", r);
	}
	ret = 0;
out:
	fd_destroy(&s);
	fd_destroy(&m);
	fd_destroy(&e);
	return ret;
}

static int nts_probe(char *why, size_t len)
{
	nts_dev = open("/dev/ntsync", O_RDWR | O_CLOEXEC);
	if (nts_dev < 0) {
		snprintf(why, len, "/dev/ntsync: %s (kernel without ntsync, "
			 "or module not loaded)", strerror(errno));
		return 1;
	}
	return nts_selftest(why, len);
}

static struct mech mech_ntsync = {
	.id = M_NTSYNC, .name = "ntsync",
	.what = "/dev/ntsync ioctls (upstream Linux driver)",
	.sem_create = nts_sem_create, .sem_acquire = nts_wait1,
	.sem_release = nts_sem_release,
	.mutex_create = nts_mutex_create, .mutex_lock = nts_wait1,
	.mutex_unlock = nts_mutex_unlock,
	.event_create = nts_event_create, .event_set = nts_event_set,
	.event_wait = nts_wait1,
	.destroy = fd_destroy,
	.wset_prepare = fds_prepare, .wait_any = nts_wait_any,
	.wait_all = nts_wait_all,
};

/* -------------------------------------------------------------------------
 * futex
 */

/* Shared (MAP_SHARED) arena, made before any fork, for futex objects. */
static char *arena;
static size_t arena_used;
#define ARENA_SIZE (4u << 20)
#define SLOT 128

struct fx_word {
	_Atomic uint32_t val;	/* sem: count; event: signaled */
	_Atomic uint32_t waiters;
	uint32_t manual;
};

static void *arena_alloc(void)
{
	void *p;

	if (arena_used + SLOT > ARENA_SIZE)
		arena_used = 0;	/* objects are short-lived; wrap */
	p = arena + arena_used;
	arena_used += SLOT;
	memset(p, 0, SLOT);
	return p;
}

static long futex(void *addr, int op, uint32_t val)
{
	return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

static int fx_sem_create(struct mobj *o, unsigned count, unsigned max)
{
	struct fx_word *w = arena_alloc();

	(void)max;
	atomic_store(&w->val, count);
	o->shm = w;
	return 0;
}

static int fx_sem_acquire(struct mobj *o)
{
	struct fx_word *w = o->shm;

	for (;;) {
		uint32_t c = atomic_load(&w->val);

		while (c > 0)
			if (atomic_compare_exchange_weak(&w->val, &c, c - 1))
				return 0;
		atomic_fetch_add(&w->waiters, 1);
		if (futex(&w->val, FUTEX_WAIT, 0) < 0 && errno != EAGAIN &&
		    (errno != EINTR || alarm_fired)) {
			atomic_fetch_sub(&w->waiters, 1);
			return alarm_fired ? -ETIMEDOUT : -errno;
		}
		atomic_fetch_sub(&w->waiters, 1);
	}
}

static int fx_sem_release(struct mobj *o)
{
	struct fx_word *w = o->shm;

	atomic_fetch_add(&w->val, 1);
	if (atomic_load(&w->waiters))
		futex(&w->val, FUTEX_WAKE, 1);
	return 0;
}

static int fx_mutex_create(struct mobj *o)
{
	pthread_mutex_t *m = arena_alloc();
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	o->shm = m;
	return 0;
}

static int fx_mutex_lock(struct mobj *o)
{
	return -pthread_mutex_lock(o->shm);
}

static int fx_mutex_unlock(struct mobj *o)
{
	return -pthread_mutex_unlock(o->shm);
}

static int fx_event_create(struct mobj *o, bool manual, bool signaled)
{
	struct fx_word *w = arena_alloc();

	w->manual = manual;
	atomic_store(&w->val, signaled);
	o->shm = w;
	o->manual = manual;
	return 0;
}

static int fx_event_set(struct mobj *o)
{
	struct fx_word *w = o->shm;

	atomic_store(&w->val, 1);
	if (atomic_load(&w->waiters))
		futex(&w->val, FUTEX_WAKE, w->manual ? INT_MAX : 1);
	return 0;
}

static int fx_event_wait(struct mobj *o)
{
	struct fx_word *w = o->shm;

	for (;;) {
		uint32_t one = 1;

		if (w->manual ? atomic_load(&w->val) != 0 :
		    atomic_compare_exchange_strong(&w->val, &one, 0))
			return 0;
		atomic_fetch_add(&w->waiters, 1);
		if (futex(&w->val, FUTEX_WAIT, 0) < 0 && errno != EAGAIN &&
		    (errno != EINTR || alarm_fired)) {
			atomic_fetch_sub(&w->waiters, 1);
			return alarm_fired ? -ETIMEDOUT : -errno;
		}
		atomic_fetch_sub(&w->waiters, 1);
	}
}

static void fx_destroy(struct mobj *o)
{
	o->shm = NULL;
}

static int fx_wset_prepare(struct wset *ws)
{
	struct fwaitv *v = calloc((size_t)ws->n, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (int i = 0; i < ws->n; i++) {
		v[i].uaddr = (uintptr_t)&((struct fx_word *)ws->objs[i].shm)->val;
		v[i].val = 0;		/* sleep while the word is 0 */
		v[i].flags = FUTEX_32;	/* shared, not FUTEX_PRIVATE_FLAG */
	}
	ws->fwv = v;
	return 0;
}

/*
 * Wait for any word to become nonzero.  The kernel checks every word under
 * its hash-bucket lock and returns EAGAIN at once if one is already
 * nonzero: that is the kernel's part of a wait-any whose object is already
 * signaled, which is what this measures.  (fsync would first scan the words
 * in userspace and not enter the kernel at all.)  The lowest nonzero index
 * is then found in userspace; manual-reset events need no acquisition.
 */
static int fx_wait_any(struct wset *ws)
{
	for (;;) {
		long r = syscall(SYS_futex_waitv, ws->fwv, ws->n, 0, NULL,
				 CLOCK_MONOTONIC);

		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		for (int i = 0; i < ws->n; i++) {
			struct fx_word *w = ws->objs[i].shm;

			if (atomic_load(&w->val))
				return i;
		}
	}
}

static struct mech mech_futex = {
	.id = M_FUTEX, .name = "futex",
	.what = "futex words in shared memory (fsync-like), process-shared "
		"pthread mutex, futex_waitv",
	.sem_create = fx_sem_create, .sem_acquire = fx_sem_acquire,
	.sem_release = fx_sem_release,
	.mutex_create = fx_mutex_create, .mutex_lock = fx_mutex_lock,
	.mutex_unlock = fx_mutex_unlock,
	.event_create = fx_event_create, .event_set = fx_event_set,
	.event_wait = fx_event_wait,
	.destroy = fx_destroy,
	.wset_prepare = fx_wset_prepare, .wait_any = fx_wait_any,
	.note_mutex = "process-shared pthread_mutex_t",
	.note_wait_any = "futex_waitv; the kernel finds the set word and "
			 "returns EAGAIN (fsync would not enter the kernel)",
	.no_wait_all = "no atomic wait-all on futexes (fsync emulates it in "
		       "userspace)",
};

/* -------------------------------------------------------------------------
 * eventfd (esync)
 */

static int efd_wait_read(int fd, bool consume)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t v;

	for (;;) {
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR && !alarm_fired)
				continue;
			return -errno;
		}
		if (!consume)
			return 0;
		if (read(fd, &v, sizeof(v)) == sizeof(v))
			return 0;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
	}
}

static int efd_sem_create(struct mobj *o, unsigned count, unsigned max)
{
	(void)max;
	o->fd = eventfd(count, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
	return o->fd < 0 ? -errno : 0;
}

static int efd_acquire(struct mobj *o)
{
	return efd_wait_read(o->fd, true);
}

static int efd_post(struct mobj *o)
{
	uint64_t one = 1;

	return write(o->fd, &one, sizeof(one)) == sizeof(one) ? 0 : -errno;
}

static int efd_mutex_create(struct mobj *o)
{
	return efd_sem_create(o, 1, 1);
}

static int efd_event_create(struct mobj *o, bool manual, bool signaled)
{
	o->manual = manual;
	o->fd = eventfd(signaled, EFD_NONBLOCK | EFD_CLOEXEC);
	return o->fd < 0 ? -errno : 0;
}

static int efd_event_wait(struct mobj *o)
{
	return efd_wait_read(o->fd, !o->manual);
}

static int efd_wset_prepare(struct wset *ws)
{
	struct pollfd *p = calloc((size_t)ws->n, sizeof(*p));

	if (!p)
		return -ENOMEM;
	for (int i = 0; i < ws->n; i++) {
		p[i].fd = ws->objs[i].fd;
		p[i].events = POLLIN;
	}
	ws->pfds = p;
	return 0;
}

static int efd_wait_any(struct wset *ws)
{
	struct pollfd *p = ws->pfds;
	uint64_t v;

	for (;;) {
		if (poll(p, (nfds_t)ws->n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < ws->n; i++) {
			if (!(p[i].revents & POLLIN))
				continue;
			if (ws->objs[i].manual)
				return i;
			if (read(p[i].fd, &v, sizeof(v)) == sizeof(v))
				return i;
		}
	}
}

static struct mech mech_eventfd = {
	.id = M_EVENTFD, .name = "eventfd",
	.what = "eventfd objects waited with poll() then read() (esync-like)",
	.sem_create = efd_sem_create, .sem_acquire = efd_acquire,
	.sem_release = efd_post,
	.mutex_create = efd_mutex_create, .mutex_lock = efd_acquire,
	.mutex_unlock = efd_post,
	.event_create = efd_event_create, .event_set = efd_post,
	.event_wait = efd_event_wait,
	.destroy = fd_destroy,
	.wset_prepare = efd_wset_prepare, .wait_any = efd_wait_any,
	.note_mutex = "eventfd semaphore of count 1 (esync keeps owner and "
		      "recursion in shared memory; not done here)",
	.note_wait_any = "poll() over the eventfds",
	.no_wait_all = "no atomic wait-all on eventfds (esync emulates it in "
		       "userspace)",
};

/* -------------------------------------------------------------------------
 * POSIX named semaphores
 */

static unsigned posix_seq;

static int px_sem_create(struct mobj *o, unsigned count, unsigned max)
{
	char name[64];

	(void)max;
	snprintf(name, sizeof(name), "/wsbench-%d-%u", (int)getpid(),
		 posix_seq++);
	o->psem = sem_open(name, O_CREAT | O_EXCL, 0600, count);
	if (o->psem == SEM_FAILED)
		return -errno;
	/* The mapping stays; the name is not needed any more. */
	sem_unlink(name);
	return 0;
}

static int px_wait(struct mobj *o)
{
	while (sem_wait(o->psem) < 0)
		if (errno != EINTR || alarm_fired)
			return -errno;
	return 0;
}

static int px_post(struct mobj *o)
{
	return sem_post(o->psem) < 0 ? -errno : 0;
}

static int px_mutex_create(struct mobj *o)
{
	return px_sem_create(o, 1, 1);
}

static int px_event_create(struct mobj *o, bool manual, bool signaled)
{
	if (manual)
		return -EOPNOTSUPP;
	o->manual = false;
	return px_sem_create(o, signaled, 1);
}

static void px_destroy(struct mobj *o)
{
	if (o->psem && o->psem != SEM_FAILED)
		sem_close(o->psem);
	o->psem = NULL;
}

static int px_probe(char *why, size_t len)
{
	struct mobj o = { .fd = -1 };
	int r = px_sem_create(&o, 1, 1);

	if (r) {
		snprintf(why, len, "sem_open: %s (no /dev/shm?)", strerror(-r));
		return 1;
	}
	r = px_wait(&o);
	if (!r)
		r = px_post(&o);
	px_destroy(&o);
	if (r) {
		snprintf(why, len, "sem_wait/sem_post: %s", strerror(-r));
		return -1;
	}
	return 0;
}

static struct mech mech_posix = {
	.id = M_POSIX, .name = "posix",
	.what = "named POSIX semaphores (sem_open), glibc futex-based",
	.sem_create = px_sem_create, .sem_acquire = px_wait,
	.sem_release = px_post,
	.mutex_create = px_mutex_create, .mutex_lock = px_wait,
	.mutex_unlock = px_post,
	.event_create = px_event_create, .event_set = px_post,
	.event_wait = px_wait,
	.destroy = px_destroy,
	.note_mutex = "binary semaphore (no owner, no recursion)",
	.note_event = "auto-reset event as a binary semaphore",
	.no_wait_any = "POSIX semaphores have no wait-any",
	.no_wait_all = "POSIX semaphores have no wait-all",
};

/* -------------------------------------------------------------------------
 */

struct mech *mechs[M_COUNT] = {
	&mech_winsync, &mech_ntsync, &mech_futex, &mech_eventfd, &mech_posix,
};

void wset_free(struct wset *ws)
{
	free(ws->pfds);
	free(ws->fwv);
	ws->pfds = ws->fwv = NULL;
}

static int futex_probe(char *why, size_t len)
{
	struct fx_word *w;
	struct fwaitv v;
	long r;

	arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED) {
		snprintf(why, len, "mmap: %s", strerror(errno));
		arena = NULL;
		return -1;
	}
	/* A word that is already 1: futex_waitv must say EAGAIN. */
	w = arena_alloc();
	atomic_store(&w->val, 1);
	v = (struct fwaitv){ .val = 0, .uaddr = (uintptr_t)&w->val,
			     .flags = FUTEX_32 };
	r = syscall(SYS_futex_waitv, &v, 1, 0, NULL, CLOCK_MONOTONIC);
	have_futex_waitv = r < 0 && errno == EAGAIN;
	if (!have_futex_waitv) {
		mech_futex.wait_any = NULL;
		mech_futex.no_wait_any = "futex_waitv (syscall 449) not "
					 "available on this kernel";
	}
	return 0;
}

void mech_probe_all(void)
{
	struct mech *m;

	m = &mech_winsync;
	m->state = ws_probe(m->why, sizeof(m->why));
	m = &mech_ntsync;
	m->state = nts_probe(m->why, sizeof(m->why));
	m = &mech_futex;
	m->state = futex_probe(m->why, sizeof(m->why));
	m = &mech_eventfd;
	m->state = 0;
	m = &mech_posix;
	m->state = px_probe(m->why, sizeof(m->why));
}

// SPDX-License-Identifier: GPL-2.0
/*
 * winsync-fuzz: a seeded ioctl fuzzer for /dev/winsync.
 *
 * Several worker processes, each with several threads, issue random
 * sequences of every winsync ioctl with random and hostile arguments: bad
 * pointers (NULL, unmapped, kernel, non-canonical, straddling a guard page,
 * read-only), huge and unaligned counts, garbage flags and padding, fds of
 * the wrong type or of other files, closed fds, odd names, every kind of
 * timeout, signal-and-wait and alerts.  Handles are shared between the
 * threads through a slot table and closed at random, also while others wait
 * on them; waits are interrupted by signals; short-lived children are
 * forked and SIGKILLed mid-wait and mid-create, some after unshare(IPC) or
 * after dropping root; threads exit owning mutexes; the master SIGKILLs and
 * respawns whole workers.
 *
 * Checks (cheap, on every call): the errno is in the documented set of the
 * ioctl; where the contract fixes the outcome (argument validation in the
 * documented order, EFAULT for every bad pointer, ENOTTY for foreign files,
 * EACCES for missing rights and for a request for no right, rights that
 * cannot be regained) the exact result; state invariants read back with
 * QUERY and LIST (a semaphore's count never exceeds its max, a mutex's
 * owner and count agree, ...);
 * IPC-namespace isolation; fdinfo shows no state through a handle without
 * QUERY_STATE; a joined thread's mutexes are not owned by it.
 * At the end: live_objects back to its baseline, no name left.  Kernel
 * reports (KASAN, lockdep, ...) are the test bed's to find.
 *
 * Reproducibility: every thread (and every forked child) draws its choices
 * from its own generator, seeded from --seed and its position, so a seed
 * gives each thread the same sequence of operations; the interleaving of
 * threads is up to the scheduler.  See Documentation/reliability.rst.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/winsync.h>

#define PROG "winsync-fuzz"

#define MAX_PROCS	16
#define MAX_THREADS	16
#define RING		48
#define NSLOTS		96
#define PAGE		4096UL
#define NS_PER_MS	1000000ULL
#define NS_PER_SEC	1000000000ULL

/* ------------------------------------------------------------ options */

static struct {
	uint64_t seed;
	double seconds;
	uint64_t iterations;
	int procs;
	int threads;
	const char *dev;
	int verbose;
	int worker_kills;
	int victims;
	int ns;
	int setuid;
	int leak_check;
	int progress;
	int user_limit;
	unsigned int slow;
} opt = {
	.seconds = 10,
	.procs = 2,
	.threads = 4,
	.dev = "/dev/winsync",
	.worker_kills = 1,
	.victims = 1,
	.ns = 1,
	.setuid = 1,
	.leak_check = 1,
	.progress = 10,
	.user_limit = 48,
	.slow = 1,
};

/* ------------------------------------------------------------- random */

struct rng {
	uint64_t s;
};

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd64(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix64(r->s);
}

static uint32_t rnd(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rnd64(r) % n) : 0;
}

static bool chance(struct rng *r, unsigned int pct)
{
	return rnd(r, 100) < pct;
}

static uint64_t derive_seed(uint64_t master, uint64_t a, uint64_t b, uint64_t c)
{
	return mix64(master ^ mix64(a * 0x100000001b3ULL + mix64(b + 0x51ed27ULL) +
				    mix64(c ^ 0xabcdefULL)));
}

/* ----------------------------------------------- shared with the master */

enum op {
	OP_NONE, OP_GET_INFO, OP_CREATE, OP_OPEN, OP_WAIT, OP_LIST, OP_QUERY,
	OP_REOPEN, OP_SEM_RELEASE, OP_MUTEX_RELEASE, OP_EVENT_SET,
	OP_EVENT_RESET, OP_EVENT_PULSE, OP_TIMER_SET, OP_TIMER_CANCEL,
	OP_UNKNOWN, OP_CLOSE, OP_DUP, OP_SCM, OP_POLL, OP_EPOLL, OP_FDINFO,
	OP_VICTIM, OP_THREAD_EXIT, OP_NS_CHECK, OP_CONTRACT, OP_MAX
};

static const char *const op_names[OP_MAX] = {
	[OP_NONE] = "-", [OP_GET_INFO] = "GET_INFO", [OP_CREATE] = "CREATE",
	[OP_OPEN] = "OPEN", [OP_WAIT] = "WAIT", [OP_LIST] = "LIST",
	[OP_QUERY] = "QUERY", [OP_REOPEN] = "REOPEN",
	[OP_SEM_RELEASE] = "SEM_RELEASE", [OP_MUTEX_RELEASE] = "MUTEX_RELEASE",
	[OP_EVENT_SET] = "EVENT_SET", [OP_EVENT_RESET] = "EVENT_RESET",
	[OP_EVENT_PULSE] = "EVENT_PULSE", [OP_TIMER_SET] = "TIMER_SET",
	[OP_TIMER_CANCEL] = "TIMER_CANCEL", [OP_UNKNOWN] = "UNKNOWN_IOCTL",
	[OP_CLOSE] = "close", [OP_DUP] = "dup", [OP_SCM] = "SCM_RIGHTS",
	[OP_POLL] = "poll", [OP_EPOLL] = "epoll", [OP_FDINFO] = "fdinfo",
	[OP_VICTIM] = "fork-victim", [OP_THREAD_EXIT] = "thread-exit",
	[OP_NS_CHECK] = "ipcns-check", [OP_CONTRACT] = "contract",
};

struct op_rec {
	uint16_t op;
	uint16_t ptr;		/* pointer kind */
	int32_t fd;
	uint64_t a, b;		/* op-specific (flags, count, cmd, ...) */
	int32_t ret;
	int32_t err;
};

struct tstat {
	_Atomic uint64_t iters;
	_Atomic uint32_t pos;
	_Atomic int64_t wait_since;	/* CLOCK_MONOTONIC ns, 0 if not waiting */
	_Atomic int tid;
	_Atomic int cur_op;		/* the operation in progress */
	uint64_t seed;
	struct op_rec ring[RING];
};

struct shared {
	_Atomic int stop;
	_Atomic int failed;
	_Atomic int fail_ready;		/* the report below is complete */
	char fail_msg[2048];
	int fail_proc, fail_thread;
	uint64_t fail_seed;
	struct op_rec fail_ring[RING];
	uint32_t fail_pos;
	_Atomic uint64_t victims, victims_killed, ns_children, setuid_children;
	_Atomic uint64_t thread_exits, exec_victims, eintr, etimedout, wait_ok;
	_Atomic uint64_t efault_checks, contract_checks;
	struct tstat t[MAX_PROCS][MAX_THREADS + 1];	/* +1: victims */
};

static struct shared *sh;

/* ----------------------------------------------------------- the names */

#define NPOOL 48
static char pool[NPOOL][WINSYNC_NAME_MAX + 16];
static uint32_t pool_len[NPOOL];
static bool pool_nsonly[NPOOL];
static int npool;

static void pool_add(const char *s, uint32_t len, bool nsonly)
{
	memcpy(pool[npool], s, len);
	pool_len[npool] = len;
	pool_nsonly[npool] = nsonly;
	npool++;
}

static void pool_adds(const char *s)
{
	pool_add(s, (uint32_t)strlen(s), false);
}

static void pool_init(void)
{
	char buf[WINSYNC_NAME_MAX + 16];
	int i;

	for (i = 0; i < 10; i++) {
		snprintf(buf, sizeof(buf), "fz%d", i);
		pool_adds(buf);
	}
	for (i = 0; i < 8; i++) {
		snprintf(buf, sizeof(buf), "Global\\fz%d", i);
		pool_adds(buf);
	}
	for (i = 0; i < 3; i++) {
		snprintf(buf, sizeof(buf), "Local\\fz%d", i);	/* = "fz%d" */
		pool_adds(buf);
	}
	/* The longest names, and one byte more. */
	memcpy(buf, "Global\\", 7);
	memset(buf + 7, 'g', sizeof(buf) - 7);
	pool_add(buf, WINSYNC_NAME_MAX, false);
	pool_add(buf, WINSYNC_NAME_MAX + 1, false);
	memset(buf, 'L', sizeof(buf));
	pool_add(buf, WINSYNC_NAME_MAX, false);
	pool_add(buf, WINSYNC_NAME_MAX + 1, false);
	/* Odd bytes. */
	pool_add("\xff\xfe\x01\x7f", 4, false);
	pool_add("Global\\\xff", 8, false);
	pool_adds("a b\t\n%s%n");
	pool_adds("Global");
	pool_adds("Local");
	pool_adds("global\\lower");		/* invalid: a backslash, no prefix */
	pool_adds("Global\\");			/* invalid: nothing after it */
	pool_adds("Local\\");
	pool_adds("\\");
	pool_adds("Global\\\\x");		/* invalid: backslash after prefix */
	pool_adds("Global\\a\\b");
	pool_add("nul\0byte", 8, false);	/* invalid: NUL */
	pool_add("Global\\nul\0", 11, false);
	pool_adds("Local\\Global\\x");		/* invalid */
	pool_adds("x");
	pool_adds("Global\\x");
	/* Created only inside new IPC namespaces; never outside. */
	for (i = 0; i < 3; i++) {
		snprintf(buf, sizeof(buf), "Global\\nsonly%d", i);
		pool_add(buf, (uint32_t)strlen(buf), true);
		snprintf(buf, sizeof(buf), "nsonly%d", i);
		pool_add(buf, (uint32_t)strlen(buf), true);
	}
}

/* The documented rules: 1..1024 bytes; after an optional prefix, non-empty
 * and without backslash or NUL.  Returns 0 or the errno. */
static int name_check(const char *s, uint32_t len)
{
	uint32_t skip = 0, i;

	if (!len)
		return EINVAL;
	if (len > WINSYNC_NAME_MAX)
		return ENAMETOOLONG;
	if (len >= 7 && !memcmp(s, "Global\\", 7))
		skip = 7;
	else if (len >= 6 && !memcmp(s, "Local\\", 6))
		skip = 6;
	if (len == skip)
		return EINVAL;
	for (i = skip; i < len; i++)
		if (s[i] == '\\' || s[i] == '\0')
			return EINVAL;
	return 0;
}

/* ------------------------------------------------------- worker state */

/* Slot: 0 empty, else (fd + 1) | type << 32 | access << 40 (access bits
 * 0, 1 and 16..20 packed into 7 bits). */
static _Atomic uint64_t slots[NSLOTS];
static int dev_fds[3];
static int foreign_fds[8];	/* pipe r/w, /dev/null, eventfd, memfd: ENOTTY */
static int nforeign_enotty;
static int other_fds[4];	/* epoll, socket: any error, never success */
static int nother;
static int epfd = -1;
static int scm[2] = { -1, -1 };
static pthread_mutex_t scm_lock = PTHREAD_MUTEX_INITIALIZER;
static int proc_index;
static uint64_t proc_seed;
static int am_root;
static pthread_t thread_ids[MAX_THREADS];

static uint32_t acc_pack(uint32_t a)
{
	return (a & 3) | ((a >> 16) & 0x1f) << 2;
}

static uint32_t acc_unpack(uint32_t p)
{
	return (p & 3) | ((p >> 2) & 0x1f) << 16;
}

static uint64_t slot_val(int fd, uint32_t type, uint32_t access)
{
	return (uint64_t)(uint32_t)(fd + 1) | (uint64_t)(type & 0xff) << 32 |
	       (uint64_t)acc_pack(access) << 40;
}

static int slot_fd(uint64_t v)
{
	return (int)(uint32_t)v - 1;
}

static uint32_t slot_type(uint64_t v)
{
	return (uint32_t)(v >> 32) & 0xff;
}

static uint32_t slot_access(uint64_t v)
{
	return acc_unpack((uint32_t)(v >> 40));
}

/* --------------------------------------------------------- the thread */

enum ptrkind {
	PK_GOOD, PK_UNALIGNED, PK_RO, PK_NULL, PK_LOW, PK_UNMAPPED,
	PK_STRADDLE, PK_KERNEL, PK_KTEXT, PK_NONCANON, PK_MINUS1, PK_MAX
};

static const char *const pk_names[PK_MAX] = {
	"good", "unaligned", "read-only", "NULL", "low", "unmapped",
	"straddle", "kernel", "ktext", "non-canonical", "-1",
};

struct priv {
	int fd;
	uint32_t type;
	uint32_t access;
};

#define NPRIV 8

struct ctx {
	struct rng r;
	int proc, thr;
	uint64_t seed;
	struct tstat *st;
	bool victim;
	/* Memory: [rw 2 pages][guard][...]; ro is a read-only view of rwv. */
	char *rw;		/* 2 pages, then a PROT_NONE guard page */
	char *guard;
	char *rwv;		/* 1 page, shared with ro */
	char *ro;
	/* Private handles: never in the slot table, closed only here. */
	struct priv priv[NPRIV];
	int npriv;
	int cur_op;
	int fdkind;		/* what the last pick_fd() returned */
};

enum fdkind { FK_SLOT, FK_PRIV, FK_FOREIGN, FK_DEV, FK_CLOSED, FK_RANDOM };

static __thread struct ctx *tctx;

static int64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * (int64_t)NS_PER_SEC + ts.tv_nsec;
}

static void rec(struct ctx *c, int op, int fd, uint64_t a, uint64_t b,
		int ptr, int ret, int err)
{
	uint32_t p = atomic_fetch_add(&c->st->pos, 1) % RING;
	struct op_rec *o = &c->st->ring[p];

	o->op = (uint16_t)op;
	o->fd = fd;
	o->a = a;
	o->b = b;
	o->ptr = (uint16_t)ptr;
	o->ret = ret;
	o->err = err;
}

static void print_ring(FILE *f, const struct op_rec *ring, uint32_t pos)
{
	uint32_t i, n = pos < RING ? pos : RING;

	for (i = 0; i < n; i++) {
		const struct op_rec *o = &ring[(pos - n + i) % RING];

		fprintf(f, "  %3u: %-13s fd=%-5d a=0x%" PRIx64 " b=0x%" PRIx64
			" ptr=%s -> %d%s%s\n", i,
			o->op < OP_MAX && op_names[o->op] ? op_names[o->op] : "?",
			o->fd, o->a, o->b, o->ptr < PK_MAX ? pk_names[o->ptr] : "?",
			o->ret, o->err ? " errno=" : "",
			o->err ? strerrorname_np(o->err) ?: "?" : "");
	}
}

static void fail(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct ctx *c, const char *fmt, ...)
{
	int zero = 0;
	va_list ap;

	if (!atomic_compare_exchange_strong(&sh->failed, &zero, 1)) {
		atomic_store(&sh->stop, 1);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(sh->fail_msg, sizeof(sh->fail_msg), fmt, ap);
	va_end(ap);
	sh->fail_proc = c->proc;
	sh->fail_thread = c->thr;
	sh->fail_seed = c->seed;
	sh->fail_pos = atomic_load(&c->st->pos);
	memcpy(sh->fail_ring, c->st->ring, sizeof(sh->fail_ring));
	atomic_store(&sh->fail_ready, 1);
	atomic_store(&sh->stop, 1);
}

static const char *en(int e)
{
	const char *s;

	if (!e)
		return "success";
	s = strerrorname_np(e);
	return s ? s : "?";
}

static bool stopping(void)
{
	return atomic_load(&sh->stop);
}

/* ioctl: 0 or errno; a positive return value is a failure. */
static int xioctl(struct ctx *c, int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	if (ret > 0) {
		fail(c, "ioctl 0x%lx on fd %d returned %d (ioctls return 0 or -1)",
		     cmd, fd, ret);
		return 0;
	}
	return ret < 0 ? errno : 0;
}

static bool in_set(int e, const int *set)
{
	for (; *set; set++)
		if (*set == e)
			return true;
	return false;
}

/* Documented errnos per ioctl (success is always allowed here). */
static const int E_CREATE[] = { EFAULT, EINVAL, ENAMETOOLONG, ENOMEM, ENOSPC,
				EBUSY, EMEDIUMTYPE, EACCES, EMFILE, ENFILE, 0 };
static const int E_OPEN[] = { EFAULT, EINVAL, ENAMETOOLONG, ENOMEM, ENOENT,
			      EMEDIUMTYPE, EACCES, EMFILE, ENFILE, 0 };
static const int E_WAIT[] = { EFAULT, EINVAL, ENOMEM, EBADF, EACCES, EOVERFLOW,
			      EPERM, ETIMEDOUT, EINTR, 0 };
static const int E_LIST[] = { EFAULT, EINVAL, ENOMEM, 0 };
/* Handle ioctls through a slot: the number may have been closed and reused
 * by now (EBADF, ENOTTY), but nothing else. */
static const int E_QUERY[] = { EACCES, EFAULT, EBADF, ENOTTY, 0 };
static const int E_REOPEN[] = { EFAULT, EINVAL, EACCES, ENOMEM, EMFILE, ENFILE,
				EBADF, ENOTTY, 0 };
static const int E_SEM[] = { EACCES, EFAULT, EINVAL, EOVERFLOW, EBADF, ENOTTY, 0 };
static const int E_MUTEX[] = { EPERM, EFAULT, EBADF, ENOTTY, 0 };
static const int E_EVENT[] = { EACCES, EFAULT, EBADF, ENOTTY, 0 };
static const int E_TSET[] = { EACCES, EFAULT, EINVAL, EBADF, ENOTTY, 0 };
static const int E_TCANCEL[] = { EACCES, EFAULT, EBADF, ENOTTY, 0 };

static void check_set(struct ctx *c, const char *what, int e, const int *set,
		      int fd)
{
	if (e && !in_set(e, set))
		fail(c, "%s on fd %d failed with %s, which is not a documented error",
		     what, fd, en(e));
}

/* ------------------------------------------------------------ pointers */

/* Where a block of @size bytes is put for pointer kind @k.  The content
 * (if any) is copied in by the caller through the returned writable
 * address *@wr (NULL when the kind has no backing).  *@rd tells whether the
 * kernel can read the whole block, *@wrok whether it can write it. */
struct uptr {
	uint64_t addr;
	void *w;	/* where to write the content, or NULL */
	bool readable;
	bool writable;
	int kind;
};

static struct uptr mkptr(struct ctx *c, int kind, size_t size)
{
	struct uptr u = { .kind = kind };
	size_t k;

	switch (kind) {
	case PK_GOOD:
		u.w = c->rw + PAGE - 64 - ((size + 7) & ~7UL);
		u.addr = (uintptr_t)u.w;
		u.readable = u.writable = true;
		break;
	case PK_UNALIGNED:
		u.w = c->rw + 1 + rnd(&c->r, 7) + 128;
		u.addr = (uintptr_t)u.w;
		u.readable = u.writable = true;
		break;
	case PK_RO:
		u.w = c->rwv + 256;
		u.addr = (uintptr_t)(c->ro + 256);
		u.readable = true;
		break;
	case PK_NULL:
		u.addr = 0;
		break;
	case PK_LOW:
		u.addr = 0x10 + rnd(&c->r, 4096);
		break;
	case PK_UNMAPPED:
		u.addr = (uintptr_t)c->guard + rnd(&c->r, PAGE - 8);
		break;
	case PK_STRADDLE:
		if (size < 2) {
			u.addr = (uintptr_t)c->guard;
			break;
		}
		k = 1 + rnd(&c->r, (uint32_t)size - 1);	/* bytes in the guard */
		u.w = c->guard - (size - k);
		u.addr = (uintptr_t)u.w;
		break;
	case PK_KERNEL:
		u.addr = 0xffff888000000000ULL + rnd(&c->r, 1 << 20) * 8;
		break;
	case PK_KTEXT:
		u.addr = 0xffffffff81000000ULL;
		break;
	case PK_NONCANON:
		u.addr = chance(&c->r, 50) ? 0x0000800000000000ULL : 0x8000000000000000ULL;
		break;
	default:
		u.addr = ~0ULL - rnd(&c->r, 16);
		break;
	}
	return u;
}

/* Copy @size bytes of @src into @u (the readable part for a straddle). */
static void fill(struct ctx *c, struct uptr *u, const void *src, size_t size)
{
	if (!u->w)
		return;
	if (u->kind == PK_STRADDLE) {
		size_t n = (size_t)(c->guard - (char *)u->w);

		memcpy(u->w, src, n < size ? n : size);
		return;
	}
	memcpy(u->w, src, size);
}

static void readback(const struct uptr *u, void *dst, size_t size)
{
	if (u->w && u->readable)
		memcpy(dst, u->kind == PK_RO ? (void *)(uintptr_t)u->addr : u->w, size);
}

/* Mostly good pointers; sometimes hostile ones. */
static int pick_pk(struct ctx *c)
{
	if (chance(&c->r, 80))
		return chance(&c->r, 85) ? PK_GOOD : PK_UNALIGNED;
	return (int)rnd(&c->r, PK_MAX);
}

/* --------------------------------------------------------------- fds */

static int pick_dev(struct ctx *c)
{
	return dev_fds[rnd(&c->r, 3)];
}

/* A handle for a chaos call: usually from the slots, sometimes anything. */
static int pick_fd(struct ctx *c, uint32_t *type, uint32_t *access)
{
	uint32_t k = rnd(&c->r, 100);
	uint64_t v;
	int tries;

	*type = 0;
	*access = 0;
	c->fdkind = FK_SLOT;
	if (k < 82) {
		for (tries = 0; tries < 4; tries++) {
			v = atomic_load(&slots[rnd(&c->r, NSLOTS)]);
			if (v) {
				*type = slot_type(v);
				*access = slot_access(v);
				return slot_fd(v);
			}
		}
		c->fdkind = FK_CLOSED;
		return 100000 + (int)rnd(&c->r, 1000);
	}
	if (k < 87 && c->npriv) {
		struct priv *p = &c->priv[rnd(&c->r, (uint32_t)c->npriv)];

		*type = p->type;
		*access = p->access;
		c->fdkind = FK_PRIV;
		return p->fd;
	}
	if (k < 91) {
		c->fdkind = FK_FOREIGN;
		return foreign_fds[rnd(&c->r, (uint32_t)nforeign_enotty)];
	}
	if (k < 94) {
		c->fdkind = FK_DEV;
		return pick_dev(c);
	}
	c->fdkind = FK_CLOSED;
	if (k < 96)
		return 100000 + (int)rnd(&c->r, 1000);
	if (k < 98)
		return -1 - (int)rnd(&c->r, 3);
	/* Any number at all: another thread's private handle, the epoll fd,
	 * a socket...  Nothing is checked but the kernel's health. */
	c->fdkind = FK_RANDOM;
	return (int)rnd(&c->r, 64);
}

/* A slot handle that can be waited on (and is of @type, and has @need). */
static int pick_sync(struct ctx *c, uint32_t type, uint32_t need)
{
	int tries;

	for (tries = 0; tries < 12; tries++) {
		uint64_t v = atomic_load(&slots[rnd(&c->r, NSLOTS)]);

		if (!v || !(slot_access(v) & WINSYNC_ACCESS_SYNCHRONIZE))
			continue;
		if (type && slot_type(v) != type)
			continue;
		if (need && slot_type(v) != WINSYNC_TYPE_MUTEX && (slot_access(v) & need) != need)
			continue;
		if (need && slot_type(v) == WINSYNC_TYPE_TIMER)
			continue;
		return slot_fd(v);
	}
	return -1;
}

static bool is_foreign(int fd)
{
	int i;

	for (i = 0; i < nforeign_enotty; i++)
		if (foreign_fds[i] == fd)
			return true;
	return false;
}

static bool is_dev(int fd)
{
	return fd == dev_fds[0] || fd == dev_fds[1] || fd == dev_fds[2];
}

static void slot_put(struct ctx *c, int fd, uint32_t type, uint32_t access)
{
	uint32_t i = rnd(&c->r, NSLOTS);
	uint64_t old = atomic_exchange(&slots[i], slot_val(fd, type, access));

	if (old)
		close(slot_fd(old));
}

static void slot_close(struct ctx *c)
{
	uint64_t old = atomic_exchange(&slots[rnd(&c->r, NSLOTS)], 0);

	if (old) {
		rec(c, OP_CLOSE, slot_fd(old), 0, 0, 0, close(slot_fd(old)), 0);
	}
}

/* ---------------------------------------------------------- args gen */

static uint32_t rand_access(struct ctx *c)
{
	static const uint32_t bits[] = {
		WINSYNC_ACCESS_QUERY_STATE, WINSYNC_ACCESS_MODIFY_STATE,
		WINSYNC_ACCESS_DELETE, WINSYNC_ACCESS_READ_CONTROL,
		WINSYNC_ACCESS_WRITE_DAC, WINSYNC_ACCESS_WRITE_OWNER,
		WINSYNC_ACCESS_SYNCHRONIZE,
	};
	uint32_t a = 0;
	unsigned int i;

	switch (rnd(&c->r, 6)) {
	case 0:
	case 1:
	case 2:
		return WINSYNC_ACCESS_ALL;
	case 3:
		for (i = 0; i < 7; i++)
			if (chance(&c->r, 50))
				a |= bits[i];
		return a;
	case 4:
		return WINSYNC_ACCESS_SYNCHRONIZE | WINSYNC_ACCESS_QUERY_STATE;
	default:
		return chance(&c->r, 50) ? 0 : (uint32_t)rnd64(&c->r);
	}
}

static uint32_t type_mask(uint32_t type)
{
	return type == WINSYNC_TYPE_MUTEX ?
	       (WINSYNC_ACCESS_ALL & ~WINSYNC_ACCESS_MODIFY_STATE) : WINSYNC_ACCESS_ALL;
}

static uint32_t create_valid_flags(uint32_t type)
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

/* Flip one field of a structure to garbage now and then. */
static bool garble(struct ctx *c)
{
	return chance(&c->r, 6);
}

/* ------------------------------------------------------------- checks */

static void check_info(struct ctx *c, const struct winsync_obj_info *i, int fd,
		       bool strict)
{
	const char *bad = NULL;
	unsigned int k;

	if (i->type < WINSYNC_TYPE_SEM || i->type > WINSYNC_TYPE_TIMER)
		bad = "type out of range";
	else if (i->access & ~WINSYNC_ACCESS_ALL)
		bad = "access has unknown bits";
	else if (i->type == WINSYNC_TYPE_MUTEX && (i->access & WINSYNC_ACCESS_MODIFY_STATE))
		bad = "mutex handle with MODIFY_STATE";
	else if (i->signaled > 1)
		bad = "signaled not 0/1";
	else if (i->flags & ~0x3fU)
		bad = "unknown flags";
	else if ((i->flags & WINSYNC_INFO_GLOBAL) && !(i->flags & WINSYNC_INFO_NAMED))
		bad = "GLOBAL without NAMED";
	else if (!(i->flags & WINSYNC_INFO_NAMED) && (i->uid || i->gid || i->mode))
		bad = "unnamed object with uid/gid/mode";
	else if (i->mode & ~0777U)
		bad = "mode beyond 0777";
	else if (i->pad)
		bad = "pad not 0";
	else if (!i->id)
		bad = "id 0";
	for (k = 0; !bad && k < 3; k++)
		if (i->reserved[k])
			bad = "reserved not 0";
	if (!bad) {
		switch (i->type) {
		case WINSYNC_TYPE_SEM:
			if (!i->max)
				bad = "semaphore max 0";
			else if (i->count > i->max)
				bad = "semaphore count > max";
			else if (i->signaled != (i->count > 0))
				bad = "semaphore signaled != (count > 0)";
			else if (i->owner_tid || i->timer_expirations || i->timer_period_ns ||
				 (i->flags & (WINSYNC_INFO_MANUAL_RESET | WINSYNC_INFO_ABANDONED |
					      WINSYNC_INFO_OWNED_BY_CALLER | WINSYNC_INFO_ACTIVE)))
				bad = "semaphore with mutex/event/timer fields";
			break;
		case WINSYNC_TYPE_MUTEX:
			if (i->max)
				bad = "mutex max not 0";
			else if (!i->count && (i->owner_tid || (i->flags & WINSYNC_INFO_OWNED_BY_CALLER)))
				bad = "mutex with count 0 but an owner";
			else if (i->count && (i->flags & WINSYNC_INFO_ABANDONED))
				bad = "owned mutex flagged abandoned";
			else if (i->signaled != (i->count == 0))
				bad = "mutex signaled != unowned";
			else if ((i->flags & WINSYNC_INFO_OWNED_BY_CALLER) && i->owner_tid != (uint32_t)gettid())
				bad = "OWNED_BY_CALLER but owner_tid is another thread";
			else if (strict && i->owner_tid == (uint32_t)gettid() &&
				 !(i->flags & WINSYNC_INFO_OWNED_BY_CALLER))
				bad = "owner_tid is the caller but not OWNED_BY_CALLER";
			break;
		case WINSYNC_TYPE_EVENT:
			if (i->count || i->max || i->owner_tid || i->timer_expirations ||
			    (i->flags & (WINSYNC_INFO_ABANDONED | WINSYNC_INFO_OWNED_BY_CALLER |
					 WINSYNC_INFO_ACTIVE)))
				bad = "event with foreign fields";
			break;
		case WINSYNC_TYPE_TIMER:
			if (i->count || i->max || i->owner_tid ||
			    (i->flags & (WINSYNC_INFO_ABANDONED | WINSYNC_INFO_OWNED_BY_CALLER)))
				bad = "timer with foreign fields";
			else if (i->timer_period_ns && i->timer_period_ns < WINSYNC_TIMER_MIN_PERIOD_NS)
				bad = "timer period below the minimum";
			break;
		}
	}
	if (bad)
		fail(c, "QUERY on fd %d: %s (type %u access 0x%x signaled %u flags 0x%x count %u max %u owner %u waiters %u mode 0%o)",
		     fd, bad, i->type, i->access, i->signaled, i->flags, i->count,
		     i->max, i->owner_tid, i->waiters, i->mode);
}

/* ------------------------------------------------------------- the ops */

static void op_get_info(struct ctx *c)
{
	struct winsync_info info;
	int pk = pick_pk(c), dev = pick_dev(c), e;
	struct uptr u = mkptr(c, pk, sizeof(info));

	memset(&info, 0x5a, sizeof(info));
	fill(c, &u, &info, sizeof(info));
	e = xioctl(c, dev, WINSYNC_IOC_GET_INFO, (void *)(uintptr_t)u.addr);
	rec(c, OP_GET_INFO, dev, 0, 0, pk, e ? -1 : 0, e);
	if (!u.writable) {
		atomic_fetch_add(&sh->efault_checks, 1);
		if (e != EFAULT)
			fail(c, "GET_INFO to a %s pointer gave %s, not EFAULT", pk_names[pk], en(e));
		return;
	}
	if (e) {
		fail(c, "GET_INFO gave %s", en(e));
		return;
	}
	readback(&u, &info, sizeof(info));
	if (info.abi_version != WINSYNC_ABI_VERSION ||
	    info.max_wait_objects != WINSYNC_MAX_WAIT_OBJECTS ||
	    info.max_name_len != WINSYNC_NAME_MAX || info.pad ||
	    info.reserved[0] || info.reserved[1] || info.reserved[2] || info.reserved[3] ||
	    (info.features & 0xff) != 0xff || info.live_objects > 100000000ULL)
		fail(c, "GET_INFO: implausible answer (abi %u max_wait %u max_name %u features 0x%llx live %llu)",
		     info.abi_version, info.max_wait_objects, info.max_name_len,
		     (unsigned long long)info.features,
		     (unsigned long long)info.live_objects);
}

/* The name to use: from the pool (not ns-only unless @nsonly ok). */
static int pick_name(struct ctx *c, bool nsonly_ok)
{
	int i;

	do {
		i = (int)rnd(&c->r, (uint32_t)npool);
	} while (pool_nsonly[i] && !nsonly_ok);
	return i;
}

/*
 * Put a name for a create/open: returns its user address; *@nexp is the
 * errno the name step must give (0: fine).  Names go at the end of the
 * writable area right before the guard page, so one byte more faults.
 */
static uint64_t put_name(struct ctx *c, int idx, uint32_t *len, int *nexp)
{
	uint32_t l = pool_len[idx];
	char *dst;

	*nexp = name_check(pool[idx], l);
	if (chance(&c->r, 5) && l <= WINSYNC_NAME_MAX) {
		/* One byte more than is mapped. */
		dst = c->guard - l;
		memcpy(dst, pool[idx], l);
		*len = l + 1;
		*nexp = l + 1 > WINSYNC_NAME_MAX ? ENAMETOOLONG : EFAULT;
		return (uintptr_t)dst;
	}
	if (chance(&c->r, 3)) {
		int k = (int)rnd(&c->r, 4);

		*len = l;
		/* Lengths are checked before the name is read, the bytes after. */
		*nexp = l > WINSYNC_NAME_MAX ? ENAMETOOLONG : EFAULT;
		return k == 0 ? 0x10 : k == 1 ? (uintptr_t)c->guard :
		       k == 2 ? 0xffff888000001000ULL : 0x8000000000000000ULL;
	}
	dst = c->guard - l;
	if (l > PAGE * 2)
		dst = c->rw;
	memcpy(dst, pool[idx], l);
	*len = l;
	return (uintptr_t)dst;
}

/*
 * A handle just returned to this thread: nobody else knows its number yet
 * (every close goes through the slot table), so its identity is exact.
 */
static void check_new_handle(struct ctx *c, int fd, uint32_t type,
			     uint32_t access, const struct winsync_create_args *a,
			     bool created, bool named)
{
	struct winsync_obj_info info;
	int e, fdfl;

	if (fd < 0) {
		fail(c, "a successful call returned fd %d", fd);
		return;
	}
	fdfl = fcntl(fd, F_GETFD);
	if (a && fdfl >= 0 && !!(fdfl & FD_CLOEXEC) != !(a->flags & WINSYNC_CREATE_INHERIT))
		fail(c, "new handle fd %d: close-on-exec %d with flags 0x%x", fd,
		     !!(fdfl & FD_CLOEXEC), a->flags);
	if (!(access & WINSYNC_ACCESS_QUERY_STATE))
		return;
	memset(&info, 0xa5, sizeof(info));
	e = xioctl(c, fd, WINSYNC_IOC_QUERY, &info);
	if (e) {
		fail(c, "QUERY of a new handle (fd %d, access 0x%x) gave %s", fd, access, en(e));
		return;
	}
	check_info(c, &info, fd, true);
	if (info.type != type || info.access != (access & type_mask(type))) {
		fail(c, "new handle fd %d: type %u access 0x%x, expected %u 0x%x", fd,
		     info.type, info.access, type, access & type_mask(type));
		return;
	}
	if (named != !!(info.flags & WINSYNC_INFO_NAMED))
		fail(c, "new handle fd %d: NAMED flag %s", fd, named ? "missing" : "set on an unnamed object");
	if (created && a && named) {
		if (info.uid != geteuid() || info.gid != getegid() || info.mode != a->mode)
			fail(c, "created named object: uid %u gid %u mode 0%o, expected %u %u 0%o",
			     info.uid, info.gid, info.mode, geteuid(), getegid(), a->mode);
	}
	if (created && a) {
		if (type == WINSYNC_TYPE_SEM && info.max != a->sem_max)
			fail(c, "created semaphore: max %u, asked %u", info.max, a->sem_max);
		if (type == WINSYNC_TYPE_MUTEX && (a->flags & WINSYNC_CREATE_OWNED) &&
		    !(info.flags & WINSYNC_INFO_OWNED_BY_CALLER))
			fail(c, "mutex created OWNED is not owned by the caller");
		if ((type == WINSYNC_TYPE_EVENT || type == WINSYNC_TYPE_TIMER) &&
		    !!(info.flags & WINSYNC_INFO_MANUAL_RESET) != !!(a->flags & WINSYNC_CREATE_MANUAL_RESET))
			fail(c, "created event/timer: MANUAL_RESET differs from the request");
	}
}

static void op_create(struct ctx *c, bool nsonly_ok, bool fresh_ns)
{
	struct winsync_create_args a, out;
	int pk = pick_pk(c), dev = pick_dev(c), e, exp = 0, nexp = 0, nidx = -1;
	struct uptr u = mkptr(c, pk, sizeof(a));
	uint32_t vf;

	memset(&a, 0, sizeof(a));
	a.type = 1 + rnd(&c->r, 4);
	vf = create_valid_flags(a.type);
	a.flags = (uint32_t)rnd64(&c->r) & vf;
	if (chance(&c->r, 30))
		a.flags &= ~WINSYNC_CREATE_OWNED;
	a.access = rand_access(c);
	a.mode = chance(&c->r, 70) ? 0600 + rnd(&c->r, 0200) : rnd(&c->r, 01000);
	if (a.type == WINSYNC_TYPE_SEM) {
		a.sem_max = chance(&c->r, 20) ? 0xffffffffU : 1 + rnd(&c->r, 10);
		a.sem_count = rnd(&c->r, a.sem_max < 20 ? a.sem_max + 1 : 20);
	}
	a.fd = (int)rnd64(&c->r);
	a.status = (uint32_t)rnd64(&c->r);
	if (chance(&c->r, 45)) {
		nidx = pick_name(c, nsonly_ok);
		a.name = put_name(c, nidx, &a.name_len, &nexp);
	}
	if (garble(c)) {
		switch (rnd(&c->r, 9)) {
		case 0: a.type = (uint32_t)rnd64(&c->r) % 8; break;
		case 1: a.flags = (uint32_t)rnd64(&c->r); break;
		case 2: a.access |= 1U << rnd(&c->r, 32); break;
		case 3: a.mode = (uint32_t)rnd64(&c->r); break;
		case 4: a.pad = 1 + rnd(&c->r, 100); break;
		case 5: a.reserved[rnd(&c->r, 4)] = rnd64(&c->r) | 1; break;
		case 6: a.sem_count = (uint32_t)rnd64(&c->r); break;
		case 7: a.sem_max = chance(&c->r, 50) ? 0 : (uint32_t)rnd64(&c->r); break;
		default:
			a.name = 0;
			a.name_len = 1 + rnd(&c->r, 2000);
			nidx = -1;
			break;
		}
	}
	/* The documented order of checks. */
	if (!u.readable) {
		exp = EFAULT;
	} else if (a.type < 1 || a.type > 4 || (a.flags & ~create_valid_flags(a.type)) ||
		   (a.access & ~WINSYNC_ACCESS_ALL) || (a.mode & ~0777U) || a.pad ||
		   a.reserved[0] || a.reserved[1] || a.reserved[2] || a.reserved[3] ||
		   (a.type == WINSYNC_TYPE_SEM ? (!a.sem_max || a.sem_count > a.sem_max) :
		    (a.sem_count || a.sem_max)) ||
		   (!a.name && a.name_len)) {
		exp = EINVAL;
	} else if (a.name) {
		exp = nexp;
	}
	fill(c, &u, &a, sizeof(a));
	e = xioctl(c, dev, WINSYNC_IOC_CREATE, (void *)(uintptr_t)u.addr);
	rec(c, OP_CREATE, dev, a.type | (uint64_t)a.flags << 8 | (uint64_t)a.access << 32,
	    (uint64_t)(nidx + 1) | (uint64_t)a.name_len << 16, pk, e ? -1 : 0, e);
	if (exp == EFAULT)
		atomic_fetch_add(&sh->efault_checks, 1);
	if (exp) {
		if (e != exp)
			fail(c, "CREATE (type %u flags 0x%x access 0x%x mode 0%o name %d len %u ptr %s): %s, expected %s",
			     a.type, a.flags, a.access, a.mode, nidx, a.name_len,
			     pk_names[pk], en(e), en(exp));
		if (!e) {
			readback(&u, &out, sizeof(out));
			if (out.fd >= 0)
				close(out.fd);
		}
		return;
	}
	if (!u.writable) {
		if (e != EFAULT && !in_set(e, E_CREATE))
			fail(c, "CREATE with a read-only block: %s", en(e));
		if (!e)
			fail(c, "CREATE with a read-only block succeeded (fd cannot be written)");
		return;
	}
	check_set(c, "CREATE", e, E_CREATE, dev);
	if (e == EINVAL || e == ENAMETOOLONG || (e == EFAULT))
		fail(c, "CREATE with valid arguments (type %u flags 0x%x name %d) gave %s",
		     a.type, a.flags, nidx, en(e));
	if (e == EMEDIUMTYPE && !a.name)
		fail(c, "CREATE of an unnamed object gave EMEDIUMTYPE");
	if (e == EACCES && !a.name)
		fail(c, "CREATE of an unnamed object gave EACCES");
	if (e)
		return;
	readback(&u, &out, sizeof(out));
	if (out.status != WINSYNC_CREATED && out.status != WINSYNC_OPENED_EXISTING)
		fail(c, "CREATE: status %u", out.status);
	if (out.status == WINSYNC_OPENED_EXISTING && !a.name)
		fail(c, "CREATE of an unnamed object reported OPENED_EXISTING");
	/* Only the creator of a new object may ask for no right. */
	if (out.status == WINSYNC_OPENED_EXISTING && !(a.access & type_mask(a.type)))
		fail(c, "CREATE (type %u access 0x%x) opened an existing object for no right",
		     a.type, a.access);
	if (fresh_ns && out.status == WINSYNC_OPENED_EXISTING && nidx >= 0 && c->victim) {
		/* In a new IPC namespace only this process creates names; it
		 * holds none of them at this point (see ns_child). */
	}
	check_new_handle(c, out.fd, a.type, a.access, &a,
			 out.status == WINSYNC_CREATED, a.name != 0);
	if (chance(&c->r, 85))
		slot_put(c, out.fd, a.type, a.access & type_mask(a.type));
	else
		close(out.fd);
}

static void op_open(struct ctx *c, bool nsonly_ok)
{
	struct winsync_open_args a, out;
	int pk = pick_pk(c), dev = pick_dev(c), e, exp = 0, nexp = 0, nidx;
	struct uptr u = mkptr(c, pk, sizeof(a));

	memset(&a, 0, sizeof(a));
	a.type = 1 + rnd(&c->r, 4);
	a.flags = chance(&c->r, 30) ? WINSYNC_CREATE_INHERIT : 0;
	a.access = rand_access(c);
	a.fd = (int)rnd64(&c->r);
	nidx = pick_name(c, true);
	a.name = put_name(c, nidx, &a.name_len, &nexp);
	if (garble(c)) {
		switch (rnd(&c->r, 6)) {
		case 0: a.type = (uint32_t)rnd64(&c->r) % 8; break;
		case 1: a.flags = (uint32_t)rnd64(&c->r); break;
		case 2: a.access |= 1U << rnd(&c->r, 32); break;
		case 3: a.pad = 1; break;
		case 4: a.reserved[rnd(&c->r, 2)] = rnd64(&c->r) | 1; break;
		default: a.name = 0; break;
		}
	}
	if (!u.readable)
		exp = EFAULT;
	else if (a.type < 1 || a.type > 4 || (a.flags & ~WINSYNC_CREATE_INHERIT) ||
		 (a.access & ~WINSYNC_ACCESS_ALL) || a.pad || a.reserved[0] ||
		 a.reserved[1] || !a.name)
		exp = EINVAL;
	else
		exp = nexp;
	fill(c, &u, &a, sizeof(a));
	e = xioctl(c, dev, WINSYNC_IOC_OPEN, (void *)(uintptr_t)u.addr);
	rec(c, OP_OPEN, dev, a.type | (uint64_t)a.access << 32,
	    (uint64_t)(nidx + 1) | (uint64_t)a.name_len << 16, pk, e ? -1 : 0, e);
	if (exp == EFAULT)
		atomic_fetch_add(&sh->efault_checks, 1);
	if (exp) {
		if (e != exp)
			fail(c, "OPEN (type %u flags 0x%x access 0x%x name %d len %u ptr %s): %s, expected %s",
			     a.type, a.flags, a.access, nidx, a.name_len, pk_names[pk],
			     en(e), en(exp));
		if (!e) {
			readback(&u, &out, sizeof(out));
			close(out.fd);
		}
		return;
	}
	if (pool_nsonly[nidx] && !nsonly_ok && !e)
		fail(c, "OPEN of \"%.*s\", created only in other IPC namespaces, succeeded outside them",
		     (int)pool_len[nidx], pool[nidx]);
	if (!u.writable) {
		if (!e)
			fail(c, "OPEN with a read-only block succeeded");
		else if (e != EFAULT)
			check_set(c, "OPEN", e, E_OPEN, dev);
		return;
	}
	check_set(c, "OPEN", e, E_OPEN, dev);
	if (e == EINVAL || e == ENAMETOOLONG || e == EFAULT)
		fail(c, "OPEN with valid arguments (name %d) gave %s", nidx, en(e));
	/* A request for no right is EACCES once the name and type match. */
	if (!(a.access & type_mask(a.type)) && e != EACCES && e != ENOENT &&
	    e != EMEDIUMTYPE && e != ENOMEM)
		fail(c, "OPEN (type %u) for no right (access 0x%x) gave %s, expected EACCES",
		     a.type, a.access, en(e));
	if (e)
		return;
	readback(&u, &out, sizeof(out));
	check_new_handle(c, out.fd, a.type, a.access, NULL, false, true);
	if (chance(&c->r, 80))
		slot_put(c, out.fd, a.type, a.access & type_mask(a.type));
	else
		close(out.fd);
}

static void op_reopen(struct ctx *c)
{
	struct winsync_reopen_args a, out;
	uint32_t type, access;
	int fd = pick_fd(c, &type, &access), pk = pick_pk(c), e;
	struct uptr u = mkptr(c, pk, sizeof(a));

	bool garbled;

	memset(&a, 0, sizeof(a));
	a.access = chance(&c->r, 60) ? access & (uint32_t)rnd64(&c->r) : rand_access(c);
	a.flags = chance(&c->r, 30) ? WINSYNC_CREATE_INHERIT : 0;
	a.fd = -7;
	garbled = garble(c);
	if (garbled) {
		switch (rnd(&c->r, 3)) {
		case 0: a.flags = (uint32_t)rnd64(&c->r); break;
		case 1: a.pad = 1; break;
		default: a.reserved[rnd(&c->r, 2)] = 1; break;
		}
	}
	fill(c, &u, &a, sizeof(a));
	e = xioctl(c, fd, WINSYNC_IOC_REOPEN, (void *)(uintptr_t)u.addr);
	rec(c, OP_REOPEN, fd, a.access, a.flags, pk, e ? -1 : 0, e);
	if (is_foreign(fd) || is_dev(fd)) {
		if (e != ENOTTY)
			fail(c, "REOPEN on a %s gave %s, not ENOTTY",
			     is_dev(fd) ? "device fd" : "foreign file", en(e));
		return;
	}
	if (fd >= 100000 || fd < 0) {
		if (e != EBADF)
			fail(c, "REOPEN on closed fd %d gave %s", fd, en(e));
		return;
	}
	if (c->fdkind == FK_RANDOM)
		return;
	check_set(c, "REOPEN", e, E_REOPEN, fd);
	/*
	 * A request for no right is EACCES, for any handle.  (Only 0 is
	 * judged: the slot's number may have been reused for another type,
	 * and MODIFY_STATE alone is no right only for a mutex.)
	 */
	if (u.readable && !garbled && !a.access && e != EACCES && e != EBADF &&
	    e != ENOTTY)
		fail(c, "REOPEN for no right gave %s, expected EACCES", en(e));
	if (!e && !a.access)
		fail(c, "REOPEN for no right succeeded");
	if (e)
		return;
	if (!u.writable)
		fail(c, "REOPEN through a %s pointer succeeded", pk_names[pk]);
	readback(&u, &out, sizeof(out));
	if (!type) {
		close(out.fd);
		return;
	}
	if (chance(&c->r, 70))
		slot_put(c, out.fd, type, a.access & type_mask(type) & access);
	else
		close(out.fd);
}

static void op_query(struct ctx *c)
{
	struct winsync_obj_info info;
	uint32_t type, access;
	int fd = pick_fd(c, &type, &access), pk = pick_pk(c), e;
	struct uptr u = mkptr(c, pk, sizeof(info));

	memset(&info, 0x5a, sizeof(info));
	fill(c, &u, &info, sizeof(info));
	e = xioctl(c, fd, WINSYNC_IOC_QUERY, (void *)(uintptr_t)u.addr);
	rec(c, OP_QUERY, fd, type, access, pk, e ? -1 : 0, e);
	if (is_foreign(fd) || is_dev(fd)) {
		if (e != ENOTTY)
			fail(c, "QUERY on a %s gave %s, not ENOTTY",
			     is_dev(fd) ? "device fd" : "foreign file", en(e));
		return;
	}
	if (c->fdkind == FK_RANDOM)
		return;
	check_set(c, "QUERY", e, E_QUERY, fd);
	if (e)
		return;
	if (!u.writable) {
		fail(c, "QUERY into a %s pointer succeeded", pk_names[pk]);
		return;
	}
	readback(&u, &info, sizeof(info));
	check_info(c, &info, fd, false);
}

static void op_u32(struct ctx *c, int op)
{
	static const unsigned long cmds[] = {
		[OP_SEM_RELEASE] = WINSYNC_IOC_SEM_RELEASE,
		[OP_MUTEX_RELEASE] = WINSYNC_IOC_MUTEX_RELEASE,
		[OP_EVENT_SET] = WINSYNC_IOC_EVENT_SET,
		[OP_EVENT_RESET] = WINSYNC_IOC_EVENT_RESET,
		[OP_EVENT_PULSE] = WINSYNC_IOC_EVENT_PULSE,
		[OP_TIMER_CANCEL] = WINSYNC_IOC_TIMER_CANCEL,
	};
	uint32_t type, access, v, in;
	int fd = pick_fd(c, &type, &access), pk = pick_pk(c), e;
	struct uptr u = mkptr(c, pk, 4);
	const int *set;

	switch (rnd(&c->r, 5)) {
	case 0: in = 0; break;
	case 1: in = 0xffffffffU - rnd(&c->r, 3); break;
	case 2: in = 0x80000000U; break;
	default: in = 1 + rnd(&c->r, 3); break;
	}
	v = in;
	fill(c, &u, &v, 4);
	e = xioctl(c, fd, cmds[op], (void *)(uintptr_t)u.addr);
	rec(c, op, fd, in, type, pk, e ? -1 : 0, e);
	if (is_foreign(fd) || is_dev(fd)) {
		if (e != ENOTTY)
			fail(c, "%s on a %s gave %s, not ENOTTY", op_names[op],
			     is_dev(fd) ? "device fd" : "foreign file", en(e));
		return;
	}
	set = op == OP_SEM_RELEASE ? E_SEM : op == OP_MUTEX_RELEASE ? E_MUTEX :
	      op == OP_TIMER_CANCEL ? E_TCANCEL : E_EVENT;
	if (c->fdkind == FK_RANDOM)
		return;
	check_set(c, op_names[op], e, set, fd);
	if (e)
		return;
	if (!u.writable) {
		fail(c, "%s with a %s pointer succeeded", op_names[op], pk_names[pk]);
		return;
	}
	readback(&u, &v, 4);
	switch (op) {
	case OP_SEM_RELEASE:
		if (!in)
			fail(c, "SEM_RELEASE of 0 succeeded");
		else if ((uint64_t)v + in > 0xffffffffULL)
			fail(c, "SEM_RELEASE of %u succeeded from count %u (overflow)", in, v);
		break;
	case OP_MUTEX_RELEASE:
		if (!v)
			fail(c, "MUTEX_RELEASE returned a previous count of 0");
		break;
	default:
		if (v > 1)
			fail(c, "%s returned previous state %u", op_names[op], v);
		break;
	}
}

static void op_timer_set(struct ctx *c)
{
	struct winsync_timer_args a;
	uint32_t type, access;
	int fd = pick_fd(c, &type, &access), pk = pick_pk(c), e;
	struct uptr u = mkptr(c, pk, sizeof(a));

	memset(&a, 0, sizeof(a));
	switch (rnd(&c->r, 8)) {
	case 0: a.due = 0; break;
	case 1: a.due = (int64_t)rnd(&c->r, 5) * (int64_t)NS_PER_MS; break;
	case 2: a.due = (int64_t)rnd(&c->r, 100000); break;
	case 3: a.due = INT64_MAX - (int64_t)rnd(&c->r, 10); break;
	case 4: a.due = -(int64_t)rnd(&c->r, 1000) - 1; break;
	case 5:
		a.flags = WINSYNC_TIMER_ABSOLUTE;
		a.due = now_ns(CLOCK_REALTIME) + (int64_t)rnd(&c->r, 20) * (int64_t)NS_PER_MS -
			10 * (int64_t)NS_PER_MS;
		break;
	case 6:
		a.flags = WINSYNC_TIMER_ABSOLUTE;
		a.due = chance(&c->r, 50) ? INT64_MIN : -1;
		break;
	default:
		a.flags = WINSYNC_TIMER_ABSOLUTE;
		a.due = INT64_MAX;
		break;
	}
	switch (rnd(&c->r, 8)) {
	case 0: a.period_ns = WINSYNC_TIMER_MIN_PERIOD_NS; break;
	case 1: a.period_ns = WINSYNC_TIMER_MIN_PERIOD_NS - 1; break;
	/* Below the 1 ms minimum (100 us was the minimum once): EINVAL. */
	case 5: a.period_ns = 1 + (int64_t)rnd(&c->r, WINSYNC_TIMER_MIN_PERIOD_NS - 1); break;
	case 2: a.period_ns = -1; break;
	case 3: a.period_ns = (int64_t)(1 + rnd(&c->r, 20)) * (int64_t)NS_PER_MS; break;
	case 4: a.period_ns = INT64_MAX; break;
	default: a.period_ns = 0; break;
	}
	/*
	 * Unobserved timers cost nothing, but waits on fast ones wake every
	 * period: keep them few under emulation.
	 */
	if (a.period_ns == WINSYNC_TIMER_MIN_PERIOD_NS && chance(&c->r, 80))
		a.period_ns = 5 * NS_PER_MS;
	a.slack_ns = chance(&c->r, 80) ? (int64_t)rnd(&c->r, 1000000) :
		     chance(&c->r, 50) ? -1 : INT64_MAX;
	if (garble(c)) {
		switch (rnd(&c->r, 3)) {
		case 0: a.flags = (uint32_t)rnd64(&c->r); break;
		case 1: a.pad = 1; break;
		default: a.reserved[rnd(&c->r, 2)] = 1; break;
		}
	}
	fill(c, &u, &a, sizeof(a));
	e = xioctl(c, fd, WINSYNC_IOC_TIMER_SET, (void *)(uintptr_t)u.addr);
	rec(c, OP_TIMER_SET, fd, (uint64_t)a.due, (uint64_t)a.period_ns, pk, e ? -1 : 0, e);
	if (is_foreign(fd) || is_dev(fd)) {
		if (e != ENOTTY)
			fail(c, "TIMER_SET on a %s gave %s, not ENOTTY",
			     is_dev(fd) ? "device fd" : "foreign file", en(e));
		return;
	}
	if (c->fdkind == FK_RANDOM)
		return;
	check_set(c, "TIMER_SET", e, E_TSET, fd);
	if (!e && !u.readable)
		fail(c, "TIMER_SET from a %s pointer succeeded", pk_names[pk]);
}

/* Deadlines of every kind; @flags gets WINSYNC_WAIT_REALTIME if chosen. */
static uint64_t pick_timeout(struct ctx *c, uint32_t *flags)
{
	uint64_t now;

	if (chance(&c->r, 10))
		*flags |= WINSYNC_WAIT_REALTIME;
	now = (uint64_t)now_ns(*flags & WINSYNC_WAIT_REALTIME ? CLOCK_REALTIME : CLOCK_MONOTONIC);
	switch (rnd(&c->r, 12)) {
	case 0: return 0;
	case 1: return now - rnd(&c->r, 1000000);
	case 2: return (uint64_t)INT64_MAX;		/* as good as forever */
	case 3: return WINSYNC_TIMEOUT_INFINITE;
	case 4: return (uint64_t)INT64_MIN + rnd(&c->r, 100);	/* "negative": forever */
	case 5: return now + (10 + rnd(&c->r, 200)) * NS_PER_MS;
	default: return now + rnd(&c->r, 3 * NS_PER_MS);
	}
}

static void wait_begin(struct ctx *c)
{
	atomic_store(&c->st->wait_since, now_ns(CLOCK_MONOTONIC));
}

static void wait_end(struct ctx *c)
{
	atomic_store(&c->st->wait_since, 0);
}

static void op_wait(struct ctx *c)
{
	struct winsync_wait_args a, out;
	int fds[WINSYNC_MAX_WAIT_OBJECTS + 8];
	uint32_t n, i, t, acc;
	int pk = pick_pk(c), opk = PK_GOOD, dev = pick_dev(c), e, exp = 0;
	struct uptr u = mkptr(c, pk, sizeof(a)), uo;

	bool clean = chance(&c->r, 50);

	memset(&a, 0, sizeof(a));
	n = chance(&c->r, 60) || clean ? 1 + rnd(&c->r, 3) : rnd(&c->r, WINSYNC_MAX_WAIT_OBJECTS + 1);
	for (i = 0; i < n; i++) {
		fds[i] = clean ? pick_sync(c, 0, 0) : pick_fd(c, &t, &acc);
		if (fds[i] < 0)
			fds[i] = pick_fd(c, &t, &acc);
	}
	if (chance(&c->r, 25))
		a.flags |= WINSYNC_WAIT_ALL;
	if (chance(&c->r, 20)) {
		a.flags |= WINSYNC_WAIT_ALERT;
		a.alert = clean ? pick_sync(c, WINSYNC_TYPE_EVENT, 0) : pick_fd(c, &t, &acc);
		if (a.alert < 0)
			a.alert = pick_fd(c, &t, &acc);
	}
	if (chance(&c->r, 20)) {
		a.flags |= WINSYNC_WAIT_SIGNAL;
		a.signal = clean ? pick_sync(c, 0, WINSYNC_ACCESS_MODIFY_STATE) : pick_fd(c, &t, &acc);
		if (a.signal < 0)
			a.signal = pick_fd(c, &t, &acc);
	}
	a.timeout = pick_timeout(c, &a.flags);
	a.count = n;
	a.index = (uint32_t)rnd64(&c->r);
	a.status = (uint32_t)rnd64(&c->r);
	if (!clean && garble(c)) {
		switch (rnd(&c->r, 6)) {
		case 0: a.flags |= 1U << rnd(&c->r, 32); break;
		case 1: a.count = chance(&c->r, 50) ? 65 + rnd(&c->r, 100) : 0xffffffffU - rnd(&c->r, 2); break;
		case 2: a.reserved[rnd(&c->r, 2)] = 1; break;
		case 3: a.alert = chance(&c->r, 50) ? 3 : -1; break;
		case 4: a.signal = chance(&c->r, 50) ? 3 : -1; break;
		default: a.count = 0; break;
		}
	}
	/* The objs array: good, or hostile. */
	opk = chance(&c->r, 90) ? PK_GOOD : (int)rnd(&c->r, PK_MAX);
	if (opk == PK_GOOD && chance(&c->r, 30))
		opk = PK_UNALIGNED;
	uo = mkptr(c, opk, (a.count <= 64 ? a.count : 64) * sizeof(int));
	if (opk == PK_GOOD || opk == PK_UNALIGNED) {
		uo.w = c->rw + PAGE + 8 + (opk == PK_UNALIGNED ? 1 + rnd(&c->r, 3) : 0);
		uo.addr = (uintptr_t)uo.w;
	}
	fill(c, &uo, fds, (a.count <= 64 ? a.count : 64) * sizeof(int));
	a.objs = uo.addr;

	if (!u.readable)
		exp = EFAULT;
	else if ((a.flags & ~0xfU) || a.count > WINSYNC_MAX_WAIT_OBJECTS ||
		 (!a.count && (!(a.flags & WINSYNC_WAIT_ALERT) || (a.flags & WINSYNC_WAIT_ALL))) ||
		 a.reserved[0] || a.reserved[1] ||
		 (!(a.flags & WINSYNC_WAIT_ALERT) && a.alert) ||
		 (!(a.flags & WINSYNC_WAIT_SIGNAL) && a.signal))
		exp = EINVAL;
	else if (a.count && !uo.readable)
		exp = EFAULT;
	fill(c, &u, &a, sizeof(a));
	wait_begin(c);
	e = xioctl(c, dev, WINSYNC_IOC_WAIT, (void *)(uintptr_t)u.addr);
	wait_end(c);
	rec(c, OP_WAIT, dev, a.count | (uint64_t)a.flags << 32, a.timeout, pk, e ? -1 : 0, e);
	if (exp == EFAULT)
		atomic_fetch_add(&sh->efault_checks, 1);
	if (exp) {
		if (e != exp)
			fail(c, "WAIT (count %u flags 0x%x alert %d signal %d ptr %s objs %s): %s, expected %s",
			     a.count, a.flags, a.alert, a.signal, pk_names[pk],
			     pk_names[opk], en(e), en(exp));
		return;
	}
	check_set(c, "WAIT", e, E_WAIT, dev);
	if (e == EINTR)
		atomic_fetch_add(&sh->eintr, 1);
	if (e == ETIMEDOUT)
		atomic_fetch_add(&sh->etimedout, 1);
	if (e == ETIMEDOUT && a.timeout > (uint64_t)INT64_MAX)
		fail(c, "WAIT with timeout 0x%llx (forever) timed out",
		     (unsigned long long)a.timeout);
	if (e == ETIMEDOUT && a.timeout <= (uint64_t)INT64_MAX &&
	    (int64_t)a.timeout > now_ns(a.flags & WINSYNC_WAIT_REALTIME ?
					CLOCK_REALTIME : CLOCK_MONOTONIC) + 3600LL * (int64_t)NS_PER_SEC)
		fail(c, "WAIT with a deadline more than an hour away timed out");
	if (e)
		return;
	atomic_fetch_add(&sh->wait_ok, 1);
	if (!u.writable) {
		fail(c, "WAIT with a read-only block reported success");
		return;
	}
	readback(&u, &out, sizeof(out));
	switch (out.status) {
	case WINSYNC_WAIT_STATUS_ALERTED:
		if (!(a.flags & WINSYNC_WAIT_ALERT) || out.index != a.count)
			fail(c, "WAIT: ALERTED with index %u (count %u flags 0x%x)",
			     out.index, a.count, a.flags);
		break;
	case WINSYNC_WAIT_STATUS_OBJECT:
	case WINSYNC_WAIT_STATUS_ABANDONED:
		if (out.index >= a.count)
			fail(c, "WAIT: status %u index %u >= count %u", out.status,
			     out.index, a.count);
		else if ((a.flags & WINSYNC_WAIT_ALL) && out.status == WINSYNC_WAIT_STATUS_OBJECT &&
			 out.index)
			fail(c, "WAIT-all: index %u, expected 0", out.index);
		break;
	default:
		fail(c, "WAIT: status %u", out.status);
	}
}

static void op_list(struct ctx *c)
{
	struct winsync_list_args a, out;
	int pk = pick_pk(c), dev = pick_dev(c), e, exp = 0;
	struct uptr u = mkptr(c, pk, sizeof(a));
	uint32_t cap = rnd(&c->r, 3);
	struct winsync_list_entry *ents = NULL;
	uint32_t i;

	memset(&a, 0, sizeof(a));
	if (cap && chance(&c->r, 80)) {
		ents = mmap(NULL, cap * sizeof(*ents), PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (ents == MAP_FAILED)
			ents = NULL;
	}
	a.entries = ents ? (uintptr_t)ents : chance(&c->r, 50) ? 0 : (uintptr_t)c->guard;
	a.capacity = chance(&c->r, 5) ? 0xffffffffU : cap;
	if (ents)
		a.capacity = cap;
	a.count = (uint32_t)rnd64(&c->r);
	if (garble(c)) {
		if (chance(&c->r, 50))
			a.flags = 1 + rnd(&c->r, 100);
		else
			a.reserved[rnd(&c->r, 2)] = 1;
	}
	if (!u.readable)
		exp = EFAULT;
	else if (a.flags || a.reserved[0] || a.reserved[1])
		exp = EINVAL;
	fill(c, &u, &a, sizeof(a));
	e = xioctl(c, dev, WINSYNC_IOC_LIST, (void *)(uintptr_t)u.addr);
	rec(c, OP_LIST, dev, a.capacity, a.entries, pk, e ? -1 : 0, e);
	if (exp) {
		if (e != exp)
			fail(c, "LIST (flags 0x%x ptr %s): %s, expected %s", a.flags,
			     pk_names[pk], en(e), en(exp));
		goto out;
	}
	check_set(c, "LIST", e, E_LIST, dev);
	if (e)
		goto out;
	if (!u.writable) {
		fail(c, "LIST with a read-only block succeeded");
		goto out;
	}
	readback(&u, &out, sizeof(out));
	if (out.count > out.total || out.count > a.capacity)
		fail(c, "LIST: count %u total %u capacity %u", out.count, out.total, a.capacity);
	if (!ents && out.count)
		fail(c, "LIST reported %u entries written through a bad pointer", out.count);
	for (i = 0; ents && i < out.count && i < cap; i++) {
		struct winsync_list_entry *x = &ents[i];

		if (x->type < 1 || x->type > 4 || !(x->flags & WINSYNC_INFO_NAMED) ||
		    !x->name_len || x->name_len > WINSYNC_NAME_MAX ||
		    memchr(x->name, '\\', x->name_len) || memchr(x->name, 0, x->name_len) ||
		    (x->type == WINSYNC_TYPE_SEM && x->count > x->max) ||
		    x->mode > 0777 || x->reserved[0] || x->reserved[1])
			fail(c, "LIST entry %u implausible: type %u flags 0x%x len %u refs %u count %u max %u",
			     i, x->type, x->flags, x->name_len, x->refs, x->count, x->max);
	}
out:
	if (ents)
		munmap(ents, cap * sizeof(*ents));
}

/* Commands the module does not have, on every kind of fd: ENOTTY. */
static void op_unknown(struct ctx *c)
{
	static const unsigned long known[] = {
		WINSYNC_IOC_GET_INFO, WINSYNC_IOC_CREATE, WINSYNC_IOC_OPEN,
		WINSYNC_IOC_WAIT, WINSYNC_IOC_LIST, WINSYNC_IOC_QUERY,
		WINSYNC_IOC_REOPEN, WINSYNC_IOC_SEM_RELEASE,
		WINSYNC_IOC_MUTEX_RELEASE, WINSYNC_IOC_EVENT_SET,
		WINSYNC_IOC_EVENT_RESET, WINSYNC_IOC_EVENT_PULSE,
		WINSYNC_IOC_TIMER_SET, WINSYNC_IOC_TIMER_CANCEL,
	};
	unsigned long cmd;
	uint32_t type, access;
	int fd, e;
	unsigned int i;
	bool dev = chance(&c->r, 40);

	switch (rnd(&c->r, 4)) {
	case 0:	/* a known number with another size or direction */
		cmd = known[rnd(&c->r, 14)];
		cmd ^= (unsigned long)(1 + rnd(&c->r, 0x3fff)) << _IOC_SIZESHIFT;
		if (chance(&c->r, 30))
			cmd ^= (unsigned long)(1 + rnd(&c->r, 3)) << _IOC_DIRSHIFT;
		break;
	case 1:
		cmd = _IOC(rnd(&c->r, 4), WINSYNC_IOC_MAGIC, rnd(&c->r, 256), rnd(&c->r, 512));
		break;
	case 2:
		cmd = _IO(WINSYNC_IOC_MAGIC, 0x05 + rnd(&c->r, 0x0b));
		break;
	default:
		cmd = _IOC(rnd(&c->r, 4), WINSYNC_IOC_MAGIC, 0x27 + rnd(&c->r, 0xd9), rnd(&c->r, 64));
		break;
	}
	for (i = 0; i < 14; i++)
		if (cmd == known[i])
			return;
	fd = dev ? pick_dev(c) : pick_fd(c, &type, &access);
	e = xioctl(c, fd, cmd, c->rw + 64);
	rec(c, OP_UNKNOWN, fd, cmd, 0, 0, e ? -1 : 0, e);
	if (fd >= 100000 || fd < 0) {
		if (e != EBADF)
			fail(c, "ioctl 0x%lx on closed fd %d gave %s", cmd, fd, en(e));
	} else if (is_dev(fd) || is_foreign(fd)) {
		if (e != ENOTTY)
			fail(c, "unknown ioctl 0x%lx on %s gave %s, not ENOTTY", cmd,
			     is_dev(fd) ? "the device" : "a foreign file", en(e));
	} else if (!dev && c->fdkind != FK_RANDOM && e != ENOTTY && e != EBADF) {
		/* Generic VFS ioctls do not use magic 0xf7. */
		fail(c, "unknown ioctl 0x%lx on handle %d gave %s, not ENOTTY", cmd, fd, en(e));
	}
}

static void op_dup(struct ctx *c)
{
	uint64_t v = atomic_load(&slots[rnd(&c->r, NSLOTS)]);
	int nfd;

	if (!v)
		return;
	nfd = chance(&c->r, 50) ? fcntl(slot_fd(v), F_DUPFD_CLOEXEC, 3) : dup(slot_fd(v));
	rec(c, OP_DUP, slot_fd(v), 0, 0, 0, nfd, nfd < 0 ? errno : 0);
	if (nfd >= 0)
		slot_put(c, nfd, slot_type(v), slot_access(v));
}

static int scm_send(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char b = 'x';
	struct iovec iov = { &b, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &m, MSG_DONTWAIT | MSG_NOSIGNAL) == 1 ? 0 : -1;
}

static int scm_recv(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char b;
	struct iovec iov = { &b, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int fd = -1;

	if (recvmsg(sock, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&m);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* Pass a handle through a socket and back: same handle, same rights. */
static void op_scm(struct ctx *c)
{
	uint64_t v = atomic_load(&slots[rnd(&c->r, NSLOTS)]);
	int nfd = -1, ret;

	if (!v)
		return;
	pthread_mutex_lock(&scm_lock);
	ret = scm_send(scm[0], slot_fd(v));
	if (!ret && chance(&c->r, 90))
		nfd = scm_recv(scm[1]);
	pthread_mutex_unlock(&scm_lock);
	rec(c, OP_SCM, slot_fd(v), 0, 0, 0, nfd, 0);
	if (nfd >= 0)
		slot_put(c, nfd, slot_type(v), slot_access(v));
}

static void op_poll(struct ctx *c)
{
	uint32_t type, access;
	struct pollfd p[4];
	int n = 1 + (int)rnd(&c->r, 4), i, ret;

	for (i = 0; i < n; i++) {
		p[i].fd = pick_fd(c, &type, &access);
		p[i].events = POLLIN | (chance(&c->r, 20) ? POLLOUT : 0);
		p[i].revents = 0;
	}
	wait_begin(c);
	ret = poll(p, (nfds_t)n, chance(&c->r, 70) ? 0 : (int)rnd(&c->r, 5));
	wait_end(c);
	rec(c, OP_POLL, p[0].fd, (uint64_t)n, 0, 0, ret, ret < 0 ? errno : 0);
	if (ret < 0 && errno != EINTR)
		fail(c, "poll failed: %s", en(errno));
}

static void op_epoll(struct ctx *c)
{
	uint64_t v = atomic_load(&slots[rnd(&c->r, NSLOTS)]);
	struct epoll_event ev = { 0 }, evs[8];
	int ret;

	switch (rnd(&c->r, 3)) {
	case 0:
		if (!v)
			return;
		ev.events = EPOLLIN | (chance(&c->r, 30) ? EPOLLET : 0) |
			    (chance(&c->r, 20) ? EPOLLONESHOT : 0) |
			    (chance(&c->r, 10) ? EPOLLEXCLUSIVE : 0);
		ev.data.u64 = v;
		ret = epoll_ctl(epfd, EPOLL_CTL_ADD, slot_fd(v), &ev);
		break;
	case 1:
		if (!v)
			return;
		ret = epoll_ctl(epfd, EPOLL_CTL_DEL, slot_fd(v), NULL);
		break;
	default:
		wait_begin(c);
		ret = epoll_wait(epfd, evs, 8, chance(&c->r, 70) ? 0 : (int)rnd(&c->r, 5));
		wait_end(c);
		break;
	}
	rec(c, OP_EPOLL, v ? slot_fd(v) : -1, 0, 0, 0, ret, ret < 0 ? errno : 0);
}

/*
 * fdinfo of a winsync handle: without QUERY_STATE, only the type, access
 * and id lines.  Judged by the access line of the text itself, since the
 * slot's number may have been closed and reused meanwhile.
 */
static void check_fdinfo(struct ctx *c, int fd, const char *text)
{
	static const char * const allowed[] = {
		"winsync-type:", "winsync-access:", "winsync-id:",
	};
	const char *p = strstr(text, "winsync-access:\t");
	unsigned int access, i;
	bool ok;

	if (!p || sscanf(p, "winsync-access:\t%x", &access) != 1)
		return;
	if (access & WINSYNC_ACCESS_QUERY_STATE)
		return;
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, "winsync-", 8))
			continue;
		ok = false;
		for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
			ok |= !strncmp(p, allowed[i], strlen(allowed[i]));
		if (!ok) {
			fail(c, "fdinfo of fd %d (access 0x%x, no QUERY_STATE) shows \"%.*s\"",
			     fd, access, (int)strcspn(p, "\n"), p);
			return;
		}
	}
}

static void op_fdinfo(struct ctx *c)
{
	uint64_t v = atomic_load(&slots[rnd(&c->r, NSLOTS)]);
	char path[64], buf[4096];
	int fd;
	ssize_t n;

	if (!v)
		return;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", slot_fd(v));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	rec(c, OP_FDINFO, slot_fd(v), 0, 0, 0, (int)n, 0);
	if (n <= 0)
		return;
	buf[n] = 0;
	check_fdinfo(c, slot_fd(v), buf);
}

/* --------------------------------------------- private-handle contracts */

static int mk_priv(struct ctx *c, uint32_t type, uint32_t flags, uint32_t access)
{
	struct winsync_create_args a;
	int e;

	memset(&a, 0, sizeof(a));
	a.type = type;
	a.flags = flags;
	a.access = access;
	if (type == WINSYNC_TYPE_SEM) {
		a.sem_max = 3;
		a.sem_count = 1;
	}
	e = xioctl(c, dev_fds[0], WINSYNC_IOC_CREATE, &a);
	if (e) {
		if (e != ENOMEM && e != ENOSPC && e != EMFILE && e != ENFILE)
			fail(c, "creating a private %u failed: %s", type, en(e));
		return -1;
	}
	c->priv[c->npriv].fd = a.fd;
	c->priv[c->npriv].type = type;
	c->priv[c->npriv].access = access & type_mask(type);
	c->npriv++;
	return a.fd;
}

static void priv_setup(struct ctx *c)
{
	uint32_t t;

	c->npriv = 0;
	for (t = 1; t <= 4; t++)
		mk_priv(c, t, t == WINSYNC_TYPE_EVENT ? WINSYNC_CREATE_MANUAL_RESET : 0,
			WINSYNC_ACCESS_ALL);
	/* Reduced handles: REOPEN of the full ones. */
	for (t = 0; t < 4 && c->npriv < NPRIV && t < (uint32_t)c->npriv; t++) {
		struct winsync_reopen_args r;
		uint32_t acc = rand_access(c) & WINSYNC_ACCESS_ALL;

		memset(&r, 0, sizeof(r));
		r.access = acc;
		if (xioctl(c, c->priv[t].fd, WINSYNC_IOC_REOPEN, &r))
			continue;
		c->priv[c->npriv].fd = r.fd;
		c->priv[c->npriv].type = c->priv[t].type;
		c->priv[c->npriv].access = acc & type_mask(c->priv[t].type);
		c->npriv++;
	}
}

static void priv_close(struct ctx *c)
{
	int i;

	for (i = 0; i < c->npriv; i++)
		close(c->priv[i].fd);
	c->npriv = 0;
}

static const unsigned long obj_cmds[] = {
	WINSYNC_IOC_SEM_RELEASE, WINSYNC_IOC_MUTEX_RELEASE,
	WINSYNC_IOC_EVENT_SET, WINSYNC_IOC_EVENT_RESET, WINSYNC_IOC_EVENT_PULSE,
	WINSYNC_IOC_TIMER_SET, WINSYNC_IOC_TIMER_CANCEL,
};
static const uint32_t obj_cmd_type[] = {
	WINSYNC_TYPE_SEM, WINSYNC_TYPE_MUTEX, WINSYNC_TYPE_EVENT,
	WINSYNC_TYPE_EVENT, WINSYNC_TYPE_EVENT, WINSYNC_TYPE_TIMER,
	WINSYNC_TYPE_TIMER,
};

/*
 * Exact outcomes on handles whose identity (type, rights) is known: wrong
 * type -> ENOTTY; missing right -> EACCES; bad pointer -> EFAULT; foreign
 * files in a wait -> EBADF; no right regained by REOPEN.
 */
static void op_contract(struct ctx *c)
{
	struct priv *p;
	int pk, e, exp, k;
	struct uptr u;
	uint32_t v;

	if (!c->npriv)
		return;
	p = &c->priv[rnd(&c->r, (uint32_t)c->npriv)];
	pk = (int)rnd(&c->r, PK_MAX);
	k = (int)rnd(&c->r, 7);
	atomic_fetch_add(&sh->contract_checks, 1);

	switch (rnd(&c->r, 7)) {
	case 6: {	/* poll: EPOLLERR without SYNCHRONIZE, never POLLOUT */
		struct pollfd pf = { .fd = p->fd, .events = POLLIN | POLLOUT };

		e = poll(&pf, 1, 0);
		rec(c, OP_CONTRACT, p->fd, 0x9011, p->access, 0, e, e < 0 ? errno : 0);
		if (e < 0)
			break;
		if (!(p->access & WINSYNC_ACCESS_SYNCHRONIZE) ? pf.revents != POLLERR :
		    (pf.revents & ~(POLLIN | POLLRDNORM)) != 0)
			fail(c, "poll on a private type-%u handle (access 0x%x): revents 0x%x",
			     p->type, p->access, pf.revents);
		break;
	}
	case 0: {	/* a u32 object ioctl */
		unsigned long cmd = obj_cmds[k];
		bool modify = cmd != WINSYNC_IOC_MUTEX_RELEASE;
		bool owned = false;
		struct winsync_obj_info info;

		if (cmd == WINSYNC_IOC_TIMER_SET)
			return;
		if (p->type == WINSYNC_TYPE_MUTEX && (p->access & WINSYNC_ACCESS_QUERY_STATE)) {
			if (xioctl(c, p->fd, WINSYNC_IOC_QUERY, &info))
				return;
			owned = info.flags & WINSYNC_INFO_OWNED_BY_CALLER;
		} else if (p->type == WINSYNC_TYPE_MUTEX) {
			return;	/* ownership unknown */
		}
		u = mkptr(c, pk, 4);
		v = 1;
		fill(c, &u, &v, 4);
		e = xioctl(c, p->fd, cmd, (void *)(uintptr_t)u.addr);
		rec(c, OP_CONTRACT, p->fd, cmd, p->access, pk, e ? -1 : 0, e);
		if (obj_cmd_type[k] != p->type)
			exp = ENOTTY;
		else if (modify && !(p->access & WINSYNC_ACCESS_MODIFY_STATE))
			exp = EACCES;
		else if (cmd == WINSYNC_IOC_MUTEX_RELEASE && !owned)
			exp = EPERM;
		else if (cmd == WINSYNC_IOC_SEM_RELEASE && !u.readable)
			exp = EFAULT;
		else if (!u.writable)
			exp = cmd == WINSYNC_IOC_SEM_RELEASE ? -1 : EFAULT;
		else
			exp = cmd == WINSYNC_IOC_SEM_RELEASE ? -2 : 0;
		if (exp == -1) {	/* release done or overflow, then EFAULT */
			if (e != EFAULT && e != EOVERFLOW)
				fail(c, "SEM_RELEASE with a %s pointer: %s", pk_names[pk], en(e));
		} else if (exp == -2) {
			if (e && e != EOVERFLOW)
				fail(c, "SEM_RELEASE of 1: %s", en(e));
		} else if (e != exp) {
			fail(c, "ioctl 0x%lx on a private type-%u handle (access 0x%x) with a %s pointer: %s, expected %s",
			     cmd, p->type, p->access, pk_names[pk], en(e), en(exp));
		}
		if (exp == EFAULT || exp == -1)
			atomic_fetch_add(&sh->efault_checks, 1);
		break;
	}
	case 1: {	/* TIMER_SET model */
		struct winsync_timer_args a;

		memset(&a, 0, sizeof(a));
		a.due = chance(&c->r, 80) ? (int64_t)rnd(&c->r, 50) * (int64_t)NS_PER_MS :
			-(int64_t)rnd(&c->r, 3);
		a.period_ns = chance(&c->r, 70) ? 0 : chance(&c->r, 50) ?
			      (int64_t)(10 * NS_PER_MS) : (int64_t)rnd(&c->r, WINSYNC_TIMER_MIN_PERIOD_NS);
		a.slack_ns = chance(&c->r, 90) ? 0 : -1;
		a.flags = chance(&c->r, 90) ? 0 : chance(&c->r, 50) ? 2 : WINSYNC_TIMER_ABSOLUTE;
		if (chance(&c->r, 5))
			a.pad = 1;
		u = mkptr(c, pk, sizeof(a));
		fill(c, &u, &a, sizeof(a));
		e = xioctl(c, p->fd, WINSYNC_IOC_TIMER_SET, (void *)(uintptr_t)u.addr);
		rec(c, OP_CONTRACT, p->fd, WINSYNC_IOC_TIMER_SET, (uint64_t)a.due, pk, e ? -1 : 0, e);
		if (p->type != WINSYNC_TYPE_TIMER)
			exp = ENOTTY;
		else if (!(p->access & WINSYNC_ACCESS_MODIFY_STATE))
			exp = EACCES;
		else if (!u.readable)
			exp = EFAULT;
		else if ((a.flags & ~WINSYNC_TIMER_ABSOLUTE) || a.pad ||
			 a.period_ns < 0 || (a.period_ns && a.period_ns < WINSYNC_TIMER_MIN_PERIOD_NS) ||
			 a.slack_ns < 0 || (!(a.flags & WINSYNC_TIMER_ABSOLUTE) && a.due < 0))
			exp = EINVAL;
		else
			exp = 0;
		if (e != exp)
			fail(c, "TIMER_SET on a private type-%u handle (access 0x%x; due %lld period %lld slack %lld flags 0x%x pad %u, %s pointer): %s, expected %s",
			     p->type, p->access, (long long)a.due, (long long)a.period_ns,
			     (long long)a.slack_ns, a.flags, a.pad, pk_names[pk], en(e), en(exp));
		break;
	}
	case 2: {	/* QUERY */
		struct winsync_obj_info info;

		u = mkptr(c, pk, sizeof(info));
		e = xioctl(c, p->fd, WINSYNC_IOC_QUERY, (void *)(uintptr_t)u.addr);
		rec(c, OP_CONTRACT, p->fd, WINSYNC_IOC_QUERY, p->access, pk, e ? -1 : 0, e);
		exp = !(p->access & WINSYNC_ACCESS_QUERY_STATE) ? EACCES : !u.writable ? EFAULT : 0;
		if (e != exp) {
			fail(c, "QUERY on a private handle (access 0x%x) with a %s pointer: %s, expected %s",
			     p->access, pk_names[pk], en(e), en(exp));
			break;
		}
		if (!e) {
			readback(&u, &info, sizeof(info));
			check_info(c, &info, p->fd, true);
			if (info.type != p->type || info.access != p->access)
				fail(c, "QUERY on a private handle: type %u access 0x%x, expected %u 0x%x",
				     info.type, info.access, p->type, p->access);
		}
		break;
	}
	case 3: {	/* REOPEN: subset or more */
		struct winsync_reopen_args r;

		memset(&r, 0, sizeof(r));
		r.access = chance(&c->r, 50) ? p->access & (uint32_t)rnd64(&c->r) :
			   rand_access(c) & WINSYNC_ACCESS_ALL;
		u = mkptr(c, pk, sizeof(r));
		fill(c, &u, &r, sizeof(r));
		e = xioctl(c, p->fd, WINSYNC_IOC_REOPEN, (void *)(uintptr_t)u.addr);
		rec(c, OP_CONTRACT, p->fd, WINSYNC_IOC_REOPEN, r.access, pk, e ? -1 : 0, e);
		if (!u.readable)
			exp = EFAULT;
		else if (!(r.access & type_mask(p->type)) ||
			 ((r.access & type_mask(p->type)) & ~p->access))
			exp = EACCES;	/* no right, or one the handle lacks */
		else if (!u.writable)
			exp = EFAULT;
		else
			exp = 0;
		if (e != exp && !(exp == 0 && (e == EMFILE || e == ENFILE || e == ENOMEM)))
			fail(c, "REOPEN(0x%x) of a private handle with 0x%x, %s pointer: %s, expected %s",
			     r.access, p->access, pk_names[pk], en(e), en(exp));
		if (!e) {
			struct winsync_obj_info info;

			readback(&u, &r, sizeof(r));
			if ((r.access & WINSYNC_ACCESS_QUERY_STATE) &&
			    !xioctl(c, r.fd, WINSYNC_IOC_QUERY, &info) &&
			    info.access != (r.access & type_mask(p->type)))
				fail(c, "REOPEN(0x%x): the new handle has 0x%x", r.access, info.access);
			close(r.fd);
		}
		break;
	}
	case 4: {	/* WAIT argument checks with known handles */
		struct winsync_wait_args a;
		int objs[3];
		struct priv *q = &c->priv[rnd(&c->r, (uint32_t)c->npriv)];
		int which = (int)rnd(&c->r, 5);

		memset(&a, 0, sizeof(a));
		objs[0] = p->fd;
		objs[1] = q->fd;
		objs[2] = foreign_fds[rnd(&c->r, (uint32_t)nforeign_enotty)];
		a.objs = (uintptr_t)objs;
		a.count = 2;
		a.timeout = 0;
		switch (which) {
		case 0:	/* a foreign file among the handles */
			a.count = 3;
			break;
		case 1:	/* alert that is not an event */
			a.flags = WINSYNC_WAIT_ALERT;
			a.alert = p->fd;
			break;
		case 2:	/* wait-all on one object twice */
			objs[1] = p->fd;
			a.flags = WINSYNC_WAIT_ALL;
			break;
		case 3:	/* signal a timer or a handle without MODIFY_STATE */
			a.flags = WINSYNC_WAIT_SIGNAL;
			a.signal = q->fd;
			break;
		default:	/* objs through a bad pointer */
			a.objs = mkptr(c, pk, 8).addr;
			if (pk == PK_GOOD || pk == PK_UNALIGNED || pk == PK_RO)
				return;
			break;
		}
		wait_begin(c);
		e = xioctl(c, dev_fds[0], WINSYNC_IOC_WAIT, &a);
		wait_end(c);
		rec(c, OP_CONTRACT, dev_fds[0], WINSYNC_IOC_WAIT, (uint64_t)which, pk, e ? -1 : 0, e);
		/* The handle checks, in index order. */
		exp = 0;
		if (which == 4) {
			exp = EFAULT;
		} else {
			int i;

			for (i = 0; i < (int)a.count && !exp; i++) {
				struct priv *h = i == 0 ? p : i == 1 ? (which == 2 ? p : q) : NULL;

				if (!h)
					exp = EBADF;
				else if (!(h->access & WINSYNC_ACCESS_SYNCHRONIZE))
					exp = EACCES;
			}
			if (!exp && which == 1) {
				if (!(p->access & WINSYNC_ACCESS_SYNCHRONIZE))
					exp = EACCES;
				else if (p->type != WINSYNC_TYPE_EVENT)
					exp = EINVAL;
				else
					exp = -1;	/* state-dependent */
			} else if (!exp && which == 2) {
				exp = EINVAL;
			} else if (!exp && which == 3) {
				if (q->type == WINSYNC_TYPE_TIMER)
					exp = EINVAL;
				else if (q->type != WINSYNC_TYPE_MUTEX &&
					 !(q->access & WINSYNC_ACCESS_MODIFY_STATE))
					exp = EACCES;
				else
					exp = -1;
			} else if (!exp) {
				exp = -1;
			}
		}
		if (exp == EFAULT)
			atomic_fetch_add(&sh->efault_checks, 1);
		if (exp >= 0 && e != exp)
			fail(c, "WAIT case %d (handles %u/0x%x, %u/0x%x, ptr %s): %s, expected %s",
			     which, p->type, p->access, q->type, q->access, pk_names[pk],
			     en(e), en(exp));
		else if (exp < 0)
			check_set(c, "WAIT", e, E_WAIT, dev_fds[0]);
		break;
	}
	default: {	/* device ioctls on a handle, handle ioctls on the device */
		static const unsigned long dev_cmds[] = {
			WINSYNC_IOC_GET_INFO, WINSYNC_IOC_CREATE, WINSYNC_IOC_OPEN,
			WINSYNC_IOC_WAIT, WINSYNC_IOC_LIST,
		};
		unsigned long cmd;
		int fd;

		if (chance(&c->r, 50)) {
			cmd = dev_cmds[rnd(&c->r, 5)];
			fd = p->fd;
		} else {
			cmd = chance(&c->r, 30) ? WINSYNC_IOC_QUERY : obj_cmds[k];
			fd = chance(&c->r, 50) ? pick_dev(c) :
			     foreign_fds[rnd(&c->r, (uint32_t)nforeign_enotty)];
		}
		e = xioctl(c, fd, cmd, c->rw + 128);
		rec(c, OP_CONTRACT, fd, cmd, 0, 0, e ? -1 : 0, e);
		if (e != ENOTTY)
			fail(c, "ioctl 0x%lx on the wrong kind of fd (%d) gave %s, not ENOTTY",
			     cmd, fd, en(e));
		break;
	}
	}
}

/* --------------------------------------------------- thread-exit owner */

struct texit {
	struct ctx *c;
	int mtx_fd;		/* a private handle to a mutex it may own */
	pid_t tid;
	uint64_t seed;
};

static void *texit_fn(void *arg)
{
	struct texit *t = arg;
	struct winsync_wait_args a;
	struct rng r = { t->seed };
	int objs[4], n = 0, i;

	t->tid = gettid();
	memset(&a, 0, sizeof(a));
	objs[n++] = t->mtx_fd;
	for (i = 0; i < 3; i++) {
		uint64_t v = atomic_load(&slots[rnd(&r, NSLOTS)]);

		if (v && slot_type(v) == WINSYNC_TYPE_MUTEX)
			objs[n++] = slot_fd(v);
	}
	a.objs = (uintptr_t)objs;
	a.count = (uint32_t)n;
	a.flags = chance(&r, 30) ? WINSYNC_WAIT_ALL : 0;
	a.timeout = (uint64_t)now_ns(CLOCK_MONOTONIC) + rnd(&r, 2) * NS_PER_MS;
	ioctl(dev_fds[1], WINSYNC_IOC_WAIT, &a);
	if (chance(&r, 50))
		ioctl(dev_fds[1], WINSYNC_IOC_WAIT, &a);
	return NULL;	/* exits owning whatever it got */
}

/* A thread takes mutexes and exits; once joined, it must own none. */
static void op_thread_exit(struct ctx *c)
{
	struct winsync_reopen_args r;
	struct winsync_obj_info info;
	struct texit t = { .c = c, .seed = rnd64(&c->r) };
	pthread_t th;
	uint64_t v = 0;
	int tries, fd = -1, e;

	for (tries = 0; tries < 8 && !v; tries++) {
		v = atomic_load(&slots[rnd(&c->r, NSLOTS)]);
		if (v && slot_type(v) != WINSYNC_TYPE_MUTEX)
			v = 0;
	}
	/* A handle of our own to the mutex, whatever happens to the slot. */
	memset(&r, 0, sizeof(r));
	r.access = WINSYNC_ACCESS_SYNCHRONIZE | WINSYNC_ACCESS_QUERY_STATE;
	if (v && (slot_access(v) & r.access) == r.access &&
	    !xioctl(c, slot_fd(v), WINSYNC_IOC_REOPEN, &r)) {
		fd = r.fd;
		/* The slot's number may have been reused meanwhile. */
		if (xioctl(c, fd, WINSYNC_IOC_QUERY, &info) || info.type != WINSYNC_TYPE_MUTEX) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		struct winsync_create_args a;

		memset(&a, 0, sizeof(a));
		a.type = WINSYNC_TYPE_MUTEX;
		a.access = WINSYNC_ACCESS_ALL;
		if (xioctl(c, dev_fds[0], WINSYNC_IOC_CREATE, &a))
			return;
		fd = a.fd;
		if (chance(&c->r, 50)) {
			int d = dup(fd);

			if (d >= 0)
				slot_put(c, d, WINSYNC_TYPE_MUTEX, WINSYNC_ACCESS_ALL & type_mask(2));
		}
	}
	t.mtx_fd = fd;
	if (pthread_create(&th, NULL, texit_fn, &t)) {
		close(fd);
		return;
	}
	pthread_join(th, NULL);
	atomic_fetch_add(&sh->thread_exits, 1);
	memset(&info, 0, sizeof(info));
	e = xioctl(c, fd, WINSYNC_IOC_QUERY, &info);
	rec(c, OP_THREAD_EXIT, fd, (uint64_t)t.tid, info.owner_tid, 0, e ? -1 : 0, e);
	if (!e && info.type != WINSYNC_TYPE_MUTEX)
		fail(c, "thread-exit: our mutex handle %d has type %u", fd, info.type);
	if (!e && info.owner_tid && info.owner_tid == (uint32_t)t.tid) {
		char path[64];
		struct stat st;

		/* The tid may have been reused by a new thread that took it. */
		snprintf(path, sizeof(path), "/proc/self/task/%d", t.tid);
		if (stat(path, &st) != 0)
			fail(c, "a joined thread (tid %d) still owns a mutex (count %u, flags 0x%x)",
			     t.tid, info.count, info.flags);
	}
	close(fd);
}

/* -------------------------------------------------------- the victims */

static void child_ops(struct ctx *c, int n, bool nsonly_ok, bool fresh_ns);

/* In a fresh IPC namespace: no name from outside is visible. */
static void ns_child(struct ctx *c)
{
	struct winsync_open_args a;
	int i, e, mode = 0;

	if (unshare(CLONE_NEWIPC)) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWIPC))
			return;
		mode = 1;
	}
	atomic_fetch_add(&sh->ns_children, 1);
	for (i = 0; i < npool; i++) {
		if (name_check(pool[i], pool_len[i]))
			continue;
		memset(&a, 0, sizeof(a));
		a.type = 1 + rnd(&c->r, 4);
		a.name = (uintptr_t)pool[i];
		a.name_len = pool_len[i];
		e = xioctl(c, dev_fds[0], WINSYNC_IOC_OPEN, &a);
		rec(c, OP_NS_CHECK, dev_fds[0], (uint64_t)i, (uint64_t)mode, 0, e ? -1 : 0, e);
		if (e != ENOENT) {
			fail(c, "in a new IPC namespace%s, OPEN of \"%.*s\" gave %s, not ENOENT",
			     mode ? " (with a new user namespace)" : "",
			     (int)pool_len[i] > 40 ? 40 : (int)pool_len[i], pool[i], en(e));
			if (!e)
				close(a.fd);
			return;
		}
	}
	/* A fresh name space: the first create of a name creates it. */
	for (i = 0; i < 3; i++) {
		struct winsync_create_args cr;
		int idx = pick_name(c, true);

		if (name_check(pool[idx], pool_len[idx]))
			continue;
		memset(&cr, 0, sizeof(cr));
		cr.type = WINSYNC_TYPE_EVENT;
		cr.access = WINSYNC_ACCESS_ALL;
		cr.mode = 0666;
		cr.name = (uintptr_t)pool[idx];
		cr.name_len = pool_len[idx];
		e = xioctl(c, dev_fds[0], WINSYNC_IOC_CREATE, &cr);
		rec(c, OP_NS_CHECK, dev_fds[0], (uint64_t)idx, 100, 0, e ? -1 : 0, e);
		if (e)
			continue;
		/* Only this process lives in this namespace; it may have
		 * created the name a moment ago in this loop. */
		slot_put(c, cr.fd, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL);
	}
	child_ops(c, 30 + (int)rnd(&c->r, 60), true, true);
}

static void exec_child(struct ctx *c)
{
	static char *const argv[] = { "winsync-fuzz", "--exec-idle", NULL };
	struct winsync_wait_args a;
	int objs[4], n = 0, i;

	for (i = 0; i < 8 && n < 4; i++) {
		uint64_t v = atomic_load(&slots[rnd(&c->r, NSLOTS)]);

		if (v && slot_type(v) == WINSYNC_TYPE_MUTEX)
			objs[n++] = slot_fd(v);
	}
	if (n) {
		memset(&a, 0, sizeof(a));
		a.objs = (uintptr_t)objs;
		a.count = (uint32_t)n;
		a.timeout = (uint64_t)now_ns(CLOCK_MONOTONIC) + NS_PER_MS;
		ioctl(dev_fds[0], WINSYNC_IOC_WAIT, &a);
	}
	atomic_fetch_add(&sh->exec_victims, 1);
	execv("/proc/self/exe", argv);
	_exit(0);
}

static void victim(struct ctx *c)
{
	pid_t pid;
	uint64_t seed = rnd64(&c->r);
	int kind = (int)rnd(&c->r, 100), st, kill_after_us;
	bool killed = false;
	int64_t end, kill_at;

	/* Mostly killed within 20 ms (mid-create, mid-wait); otherwise let
	 * it run, and kill it if it is still there after a while. */
	if (kind < 70)
		kill_after_us = (int)rnd(&c->r, 20000);
	else
		kill_after_us = (int)(300000 + rnd(&c->r, 700000)) * (int)opt.slow;
	pid_t parent = getpid();

	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		struct ctx cc = *c;

		cc.r.s = seed;
		cc.seed = seed;
		cc.victim = true;
		cc.st = &sh->t[c->proc][MAX_THREADS];
		tctx = &cc;
		signal(SIGUSR1, SIG_DFL);
		signal(SIGUSR2, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* The worker may have been killed before the line above; a
		 * victim never outlives its bound either way. */
		if (getppid() != parent)
			_exit(0);
		alarm(30 * opt.slow);
		if (opt.ns && kind % 10 == 3) {
			ns_child(&cc);
		} else if (kind % 10 == 5) {
			exec_child(&cc);
		} else if (opt.setuid && am_root && kind % 10 == 7) {
			uid_t u = 1000 + rnd(&cc.r, 2);

			if (!setresgid(u, u, u) && !setresuid(u, u, u))
				atomic_fetch_add(&sh->setuid_children, 1);
			child_ops(&cc, 20 + (int)rnd(&cc.r, 60), false, false);
		} else {
			child_ops(&cc, 10 + (int)rnd(&cc.r, 80), false, false);
		}
		_exit(0);
	}
	atomic_fetch_add(&sh->victims, 1);
	rec(c, OP_VICTIM, pid, (uint64_t)kind, (uint64_t)kill_after_us, 0, 0, 0);
	kill_at = now_ns(CLOCK_MONOTONIC) + (int64_t)kill_after_us * 1000;
	end = INT64_MAX;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		int64_t now = now_ns(CLOCK_MONOTONIC);

		if (w == pid || (w < 0 && errno != EINTR))
			break;
		if (!killed && (now >= kill_at || stopping())) {
			kill(pid, SIGKILL);
			killed = true;
			atomic_fetch_add(&sh->victims_killed, 1);
			/* A SIGKILLed process must go, whatever it was doing
			 * in the kernel. */
			end = now + 60LL * opt.slow * (int64_t)NS_PER_SEC;
		}
		if (killed && now > end) {
			fail(c, "victim %d did not exit within %ds of SIGKILL (stuck in the kernel?)",
			     pid, 60 * opt.slow);
			return;
		}
		if (kill_after_us < 20000 && !killed)
			usleep((useconds_t)(kill_at - now > 0 ? (kill_at - now) / 1000 + 1 : 1));
		else
			usleep(killed ? 2000 : 5000);
	}
}

/* ------------------------------------------------------------ the loop */

static void one_op(struct ctx *c, bool in_child, bool nsonly_ok, bool fresh_ns)
{
	uint32_t k = rnd(&c->r, 1000);

	atomic_store(&c->st->cur_op, (int)k);

	if (k < 60)
		op_get_info(c);
	else if (k < 190)
		op_create(c, nsonly_ok, fresh_ns);
	else if (k < 240)
		op_open(c, nsonly_ok);
	else if (k < 390)
		op_wait(c);
	else if (k < 410)
		op_list(c);
	else if (k < 470)
		op_query(c);
	else if (k < 500)
		op_reopen(c);
	else if (k < 560)
		op_u32(c, OP_SEM_RELEASE);
	else if (k < 600)
		op_u32(c, OP_MUTEX_RELEASE);
	else if (k < 650)
		op_u32(c, OP_EVENT_SET + (int)rnd(&c->r, 3));
	else if (k < 680)
		op_timer_set(c);
	else if (k < 695)
		op_u32(c, OP_TIMER_CANCEL);
	else if (k < 715)
		op_unknown(c);
	else if (k < 790)
		slot_close(c);
	else if (k < 805)
		op_dup(c);
	else if (k < 815)
		op_scm(c);
	else if (k < 835)
		op_poll(c);
	else if (k < 850)
		op_epoll(c);
	else if (k < 860)
		op_fdinfo(c);
	else if (k < 965)
		op_contract(c);
	else if (k < 985 && !in_child)
		op_thread_exit(c);
	else if (!in_child && (opt.victims || chance(&c->r, 20)))
		victim(c);
}

static void child_ops(struct ctx *c, int n, bool nsonly_ok, bool fresh_ns)
{
	int i;

	for (i = 0; i < n && !stopping(); i++) {
		one_op(c, true, nsonly_ok, fresh_ns);
		atomic_fetch_add(&c->st->iters, 1);
	}
}

static uint64_t thread_budget;
#define USER_LIMIT_PARAM "/sys/module/winsync/parameters/max_user_objects"
static char saved_limit[32];

static void *thread_main(void *arg)
{
	struct ctx *c = arg;
	int memfd;

	tctx = c;
	atomic_store(&c->st->tid, gettid());
	c->rw = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memfd = memfd_create("winsync-fuzz", MFD_CLOEXEC);
	if (c->rw == MAP_FAILED || memfd < 0 || ftruncate(memfd, (off_t)PAGE)) {
		fail(c, "thread setup: %s", strerror(errno));
		return NULL;
	}
	c->guard = c->rw + 2 * PAGE;
	mprotect(c->guard, PAGE, PROT_NONE);
	c->rwv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	c->ro = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, memfd, 0);
	close(memfd);
	if (c->rwv == MAP_FAILED || c->ro == MAP_FAILED) {
		fail(c, "thread setup: %s", strerror(errno));
		return NULL;
	}
	priv_setup(c);
	while (!stopping()) {
		if (thread_budget && atomic_load(&c->st->iters) >= thread_budget)
			break;
		one_op(c, false, false, false);
		atomic_fetch_add(&c->st->iters, 1);
		/* Now and then, new private handles (the old ones closed). */
		if (chance(&c->r, 1)) {
			priv_close(c);
			priv_setup(c);
		}
	}
	priv_close(c);
	return NULL;
}

static void on_sig(int sig)
{
	(void)sig;
}

/* Interrupt waits that last: SIGUSR1 restarts (SA_RESTART), SIGUSR2 ends
 * them with EINTR.  Also ends every wait once the run stops. */
static void *watchdog_main(void *arg)
{
	int nthreads = *(int *)arg, i;
	struct rng r = { proc_seed ^ 0x77 };

	for (;;) {
		int64_t now = now_ns(CLOCK_MONOTONIC);
		bool stop = stopping();

		for (i = 0; i < nthreads; i++) {
			int64_t since = atomic_load(&sh->t[proc_index][i].wait_since);

			if (!since)
				continue;
			if (stop || now - since > 400 * (int64_t)NS_PER_MS * opt.slow)
				pthread_kill(thread_ids[i], SIGUSR2);
			else if (now - since > 50 * (int64_t)NS_PER_MS && chance(&r, 30))
				pthread_kill(thread_ids[i], SIGUSR1);
		}
		if (stop) {
			usleep(20000);
			continue;
		}
		usleep(20000 + rnd(&r, 30000));
	}
	return NULL;
}

static int worker(int idx, uint64_t gen)
{
	struct ctx ctxs[MAX_THREADS];
	struct sigaction sa;
	pthread_t wd;
	int i, fd, p[2];

	proc_index = idx;
	proc_seed = derive_seed(opt.seed, 1000 + (uint64_t)idx, gen, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_flags = 0;
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (i = 0; i < 3; i++) {
		dev_fds[i] = open(opt.dev, O_RDWR | O_CLOEXEC);
		if (dev_fds[i] < 0) {
			fprintf(stderr, PROG ": worker %d: %s: %s\n", idx, opt.dev, strerror(errno));
			return 2;
		}
	}
	nforeign_enotty = 0;
	if (!pipe2(p, O_CLOEXEC)) {
		foreign_fds[nforeign_enotty++] = p[0];
		foreign_fds[nforeign_enotty++] = p[1];
	}
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0)
		foreign_fds[nforeign_enotty++] = fd;
	fd = eventfd(0, EFD_CLOEXEC);
	if (fd >= 0)
		foreign_fds[nforeign_enotty++] = fd;
	fd = memfd_create("foreign", MFD_CLOEXEC);
	if (fd >= 0)
		foreign_fds[nforeign_enotty++] = fd;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	nother = 0;
	if (epfd >= 0)
		other_fds[nother++] = epfd;
	if (!socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, scm)) {
		other_fds[nother++] = scm[0];
		int sz = 64 * 1024;

		setsockopt(scm[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	}
	am_root = geteuid() == 0;

	for (i = 0; i < opt.threads; i++) {
		memset(&ctxs[i], 0, sizeof(ctxs[i]));
		ctxs[i].proc = idx;
		ctxs[i].thr = i;
		ctxs[i].seed = derive_seed(opt.seed, (uint64_t)idx, (uint64_t)i, gen);
		ctxs[i].r.s = ctxs[i].seed;
		ctxs[i].st = &sh->t[idx][i];
		ctxs[i].st->seed = ctxs[i].seed;
		if (pthread_create(&thread_ids[i], NULL, thread_main, &ctxs[i])) {
			fprintf(stderr, PROG ": pthread_create failed\n");
			return 2;
		}
	}
	pthread_create(&wd, NULL, watchdog_main, &opt.threads);
	for (i = 0; i < opt.threads; i++)
		pthread_join(thread_ids[i], NULL);
	return 0;
}

/* ------------------------------------------------------------ the master */

static int dev_info(struct winsync_info *info)
{
	int fd = open(opt.dev, O_RDWR | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	memset(info, 0, sizeof(*info));
	ret = ioctl(fd, WINSYNC_IOC_GET_INFO, info);
	close(fd);
	return ret;
}

/* SIGKILL every process whose parent is this one; how many. */
static int kill_children(void)
{
	struct dirent *d;
	DIR *proc = opendir("/proc");
	int n = 0;

	if (!proc)
		return -1;
	while ((d = readdir(proc))) {
		char path[300], buf[512], *p;
		int pid = atoi(d->d_name), fd, ppid;
		ssize_t l;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		l = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (l <= 0)
			continue;
		buf[l] = 0;
		p = strrchr(buf, ')');
		if (!p || sscanf(p + 2, "%*c %d", &ppid) != 1)
			continue;
		if (ppid == getpid()) {
			kill(pid, SIGKILL);
			n++;
		}
	}
	closedir(proc);
	return n;
}

/* Reap @pid within @secs; false if it is still there (stuck?). */
static bool reap_bounded(pid_t pid, int secs)
{
	int64_t end = now_ns(CLOCK_MONOTONIC) + (int64_t)secs * (int64_t)NS_PER_SEC;
	int st;

	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid || (w < 0 && errno != EINTR))
			return true;
		if (now_ns(CLOCK_MONOTONIC) > end)
			return false;
		usleep(10000);
	}
}

static pid_t spawn_worker(int idx, uint64_t gen)
{
	pid_t pid = fork();

	if (!pid)
		_exit(worker(idx, gen));
	return pid;
}

static uint64_t total_iters(void)
{
	uint64_t n = 0;
	int p, t;

	for (p = 0; p < opt.procs; p++)
		for (t = 0; t <= MAX_THREADS; t++)
			n += atomic_load(&sh->t[p][t].iters);
	return n;
}

/* What every thread is doing, with its kernel stack if readable. */
static void dump_threads(void)
{
	int p, t;

	for (p = 0; p < opt.procs; p++) {
		for (t = 0; t < opt.threads; t++) {
			struct tstat *s = &sh->t[p][t];
			char path[64], buf[2048];
			int fd, tid = atomic_load(&s->tid);
			ssize_t n;

			fprintf(stderr, PROG ": worker %d thread %d tid %d: op choice %d, waiting since %lld ms, seed 0x%016" PRIx64 "\n",
				p, t, tid, atomic_load(&s->cur_op),
				atomic_load(&s->wait_since) ?
				(long long)(now_ns(CLOCK_MONOTONIC) - atomic_load(&s->wait_since)) / 1000000 : 0LL,
				s->seed);
			print_ring(stderr, s->ring, atomic_load(&s->pos));
			snprintf(path, sizeof(path), "/proc/%d/stack", tid);
			fd = open(path, O_RDONLY);
			if (fd >= 0) {
				n = read(fd, buf, sizeof(buf) - 1);
				close(fd);
				if (n > 0) {
					buf[n] = 0;
					fprintf(stderr, "%s", buf);
				}
			}
		}
	}
}

static void print_failure(void)
{
	int i;

	for (i = 0; i < 200 && !atomic_load(&sh->fail_ready); i++)
		usleep(10000);
	fprintf(stderr, PROG ": FAILURE in worker %d thread %d (thread seed 0x%016" PRIx64
		", master seed 0x%016" PRIx64 "):\n  %s\n", sh->fail_proc, sh->fail_thread,
		sh->fail_seed, opt.seed, sh->fail_msg);
	fprintf(stderr, PROG ": its last operations (oldest first):\n");
	print_ring(stderr, sh->fail_ring, sh->fail_pos);
	fprintf(stderr, PROG ": reproduce with: winsync-fuzz --seed 0x%016" PRIx64
		" --procs %d --threads %d --seconds %g\n", opt.seed, opt.procs,
		opt.threads, opt.seconds);
}

/* Who still holds winsync handles: every process with such an fd. */
static int holders(void)
{
	char path[300], link[128], buf[512];
	int n = 0, pid;
	struct dirent *d, *f;
	DIR *proc = opendir("/proc"), *fds;

	if (!proc)
		return -1;
	while ((d = readdir(proc))) {
		int cnt = 0, fd;
		ssize_t l;

		pid = atoi(d->d_name);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((f = readdir(fds))) {
			snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, f->d_name);
			l = readlink(path, link, sizeof(link) - 1);
			if (l > 0) {
				link[l] = 0;
				if (strstr(link, "[winsync-"))
					cnt++;
			}
		}
		closedir(fds);
		if (!cnt)
			continue;
		n++;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		fd = open(path, O_RDONLY);
		l = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		buf[l > 0 ? l : 0] = 0;
		fprintf(stderr, PROG ": pid %d holds %d winsync handles: %.80s\n", pid, cnt, buf);
		snprintf(path, sizeof(path), "/proc/%d/stack", pid);
		fd = open(path, O_RDONLY);
		l = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (l > 0) {
			buf[l] = 0;
			fprintf(stderr, "%s", buf);
		}
	}
	closedir(proc);
	return n;
}

/* No name may be left once every handle is gone. */
static int names_left(int *checked)
{
	int fd = open(opt.dev, O_RDWR | O_CLOEXEC), i, left = 0;
	struct winsync_list_args la;

	*checked = 0;
	if (fd < 0)
		return -1;
	for (i = 0; i < npool; i++) {
		struct winsync_open_args a;

		if (name_check(pool[i], pool_len[i]))
			continue;
		memset(&a, 0, sizeof(a));
		a.type = WINSYNC_TYPE_EVENT;
		a.name = (uintptr_t)pool[i];
		a.name_len = pool_len[i];
		(*checked)++;
		if (ioctl(fd, WINSYNC_IOC_OPEN, &a) == 0) {
			close(a.fd);
			errno = 0;
		}
		if (errno != ENOENT) {
			fprintf(stderr, PROG ": name \"%.*s\" still exists after the run (OPEN: %s)\n",
				(int)(pool_len[i] > 40 ? 40 : pool_len[i]), pool[i],
				errno ? strerror(errno) : "success");
			left++;
		}
	}
	memset(&la, 0, sizeof(la));
	if (ioctl(fd, WINSYNC_IOC_LIST, &la) == 0 && la.total) {
		fprintf(stderr, PROG ": LIST still shows %u names after the run\n", la.total);
		left++;
	}
	close(fd);
	return left;
}

/*
 * Run as "winsync-leakcheck" (a link to this program), after a whole
 * selftest run: live_objects must be 0 and no name left, reported as a
 * one-test TAP program for tools/vm/run-selftests.
 */
static int leakcheck_main(void)
{
	struct winsync_info info;
	int64_t deadline = now_ns(CLOCK_MONOTONIC) + 30LL * (int64_t)NS_PER_SEC;
	struct winsync_list_args la;
	int fd, ok;

	printf("TAP version 13\n1..1\n");
	while (!dev_info(&info) && info.live_objects &&
	       now_ns(CLOCK_MONOTONIC) < deadline)
		usleep(100000);
	if (dev_info(&info)) {
		printf("not ok 1 leakcheck: %s: %s\n", opt.dev, strerror(errno));
		printf("# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0\n");
		return 1;
	}
	memset(&la, 0, sizeof(la));
	fd = open(opt.dev, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, WINSYNC_IOC_LIST, &la))
		la.total = 0;
	if (fd >= 0)
		close(fd);
	ok = !info.live_objects && !la.total;
	if (info.live_objects)
		holders();
	printf("%s 1 leakcheck: live_objects %llu, %u names visible after the selftests\n",
	       ok ? "ok" : "not ok", (unsigned long long)info.live_objects, la.total);
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n", ok, !ok);
	return !ok;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: winsync-fuzz [OPTIONS]\n"
		"  --seed N          master seed (decimal or 0x hex; default: time-based)\n"
		"  --seconds S       run time bound (default 10; 0 = until --iterations)\n"
		"  --iterations N    bound on the total number of operations (default none)\n"
		"  --procs P         worker processes (default 2, max %d)\n"
		"  --threads T       threads per worker (default 4, max %d)\n"
		"  --dev PATH        device (default /dev/winsync)\n"
		"  --no-victims      do not fork and SIGKILL short-lived children\n"
		"  --no-worker-kills do not SIGKILL and respawn whole workers\n"
		"  --no-ns           no children in new IPC namespaces\n"
		"  --no-setuid       no children that drop root\n"
		"  --no-leak-check   skip the final live_objects and name checks\n"
		"  --user-limit N    as root, set max_user_objects to N during the run, so\n"
		"                    that children that drop root hit ENOSPC (default 48;\n"
		"                    0: leave it)\n"
		"  --slow N          multiply internal time bounds (debug kernels: 4)\n"
		"  --progress S      print progress every S seconds (0: never; default 10)\n"
		"  -v                verbose\n"
		"Exit: 0 pass, 1 an invariant failed, 2 setup error.\n",
		MAX_PROCS, MAX_THREADS);
}

static uint64_t parse_u64(const char *s)
{
	return strtoull(s, NULL, 0);
}

int main(int argc, char **argv)
{
	pid_t pids[MAX_PROCS];
	uint64_t gens[MAX_PROCS] = { 0 }, last_iters = 0;
	struct winsync_info info;
	uint64_t baseline, worker_kills = 0;
	int64_t start, end, next_kill, next_progress, last_change;
	struct rng mr;
	int i, st, rc = 0, alive, checked;
	bool seeded = false;
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

	if (!strcmp(base, "winsync-leakcheck"))
		return leakcheck_main();
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--exec-idle"))
			return 0;
		if (!strcmp(a, "--seed") && v) {
			opt.seed = parse_u64(v);
			seeded = true;
			i++;
		} else if (!strcmp(a, "--seconds") && v) {
			opt.seconds = atof(v);
			i++;
		} else if (!strcmp(a, "--iterations") && v) {
			opt.iterations = parse_u64(v);
			i++;
		} else if (!strcmp(a, "--procs") && v) {
			opt.procs = atoi(v);
			i++;
		} else if (!strcmp(a, "--threads") && v) {
			opt.threads = atoi(v);
			i++;
		} else if (!strcmp(a, "--dev") && v) {
			opt.dev = v;
			i++;
		} else if (!strcmp(a, "--slow") && v) {
			opt.slow = (unsigned int)atoi(v);
			i++;
		} else if (!strcmp(a, "--progress") && v) {
			opt.progress = atoi(v);
			i++;
		} else if (!strcmp(a, "--no-victims")) {
			opt.victims = 0;
		} else if (!strcmp(a, "--no-worker-kills")) {
			opt.worker_kills = 0;
		} else if (!strcmp(a, "--no-ns")) {
			opt.ns = 0;
		} else if (!strcmp(a, "--no-setuid")) {
			opt.setuid = 0;
		} else if (!strcmp(a, "--user-limit") && v) {
			opt.user_limit = atoi(v);
			i++;
		} else if (!strcmp(a, "--no-leak-check")) {
			opt.leak_check = 0;
		} else if (!strcmp(a, "-v")) {
			opt.verbose = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (opt.procs < 1 || opt.procs > MAX_PROCS || opt.threads < 1 ||
	    opt.threads > MAX_THREADS || opt.slow < 1 ||
	    (opt.seconds <= 0 && !opt.iterations)) {
		usage(stderr);
		return 2;
	}
	if (!seeded)
		opt.seed = mix64((uint64_t)now_ns(CLOCK_REALTIME) ^ (uint64_t)getpid());
	if (opt.iterations)
		thread_budget = (opt.iterations + (uint64_t)(opt.procs * opt.threads) - 1) /
				(uint64_t)(opt.procs * opt.threads);

	setvbuf(stdout, NULL, _IOLBF, 0);
	pool_init();
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	if (dev_info(&info)) {
		fprintf(stderr, PROG ": %s: %s\n", opt.dev, strerror(errno));
		return 2;
	}
	baseline = info.live_objects;
	/* Enough descriptors for the slot tables. */
	{
		struct rlimit rl;

		if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < 1024 && rl.rlim_max >= 1024) {
			rl.rlim_cur = 1024;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	printf(PROG ": seed 0x%016" PRIx64 ", %d workers x %d threads, %g s%s%s, uid %d, baseline live_objects %" PRIu64 "\n",
	       opt.seed, opt.procs, opt.threads, opt.seconds,
	       opt.iterations ? ", iteration bound " : "",
	       opt.iterations ? "set" : "", (int)geteuid(), (uint64_t)baseline);

	/* A low per-user limit for the children that drop root. */
	if (opt.user_limit > 0 && geteuid() == 0) {
		int fd = open(USER_LIMIT_PARAM, O_RDWR | O_CLOEXEC);

		if (fd >= 0) {
			ssize_t n = read(fd, saved_limit, sizeof(saved_limit) - 1);
			char buf[32];

			if (n > 0) {
				saved_limit[n] = 0;
				snprintf(buf, sizeof(buf), "%d\n", opt.user_limit);
				if (pwrite(fd, buf, strlen(buf), 0) < 0)
					saved_limit[0] = 0;
			}
			close(fd);
		}
	}
	/* Orphaned victims of killed workers come back to us, to be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	mr.s = derive_seed(opt.seed, 0xfeed, 0, 0);
	for (i = 0; i < opt.procs; i++)
		pids[i] = spawn_worker(i, 0);

	start = now_ns(CLOCK_MONOTONIC);
	end = opt.seconds > 0 ? start + (int64_t)(opt.seconds * 1e9) : INT64_MAX;
	next_kill = start + (int64_t)(2 + rnd(&mr, 6)) * opt.slow * (int64_t)NS_PER_SEC;
	next_progress = start + (int64_t)opt.progress * (int64_t)NS_PER_SEC;
	last_change = start;
	for (;;) {
		int64_t now = now_ns(CLOCK_MONOTONIC);
		uint64_t it = total_iters();

		if (atomic_load(&sh->failed) || now >= end)
			break;
		alive = 0;
		for (i = 0; i < opt.procs; i++) {
			pid_t w;

			if (pids[i] <= 0)
				continue;
			w = waitpid(pids[i], &st, WNOHANG);
			if (w == pids[i]) {
				if (!WIFEXITED(st) || WEXITSTATUS(st)) {
					if (!atomic_load(&sh->failed)) {
						fprintf(stderr, PROG ": worker %d (pid %d) died: status 0x%x\n",
							i, pids[i], st);
						rc = 1;
					}
				}
				pids[i] = 0;
				continue;
			}
			alive++;
		}
		if (!alive || rc)
			break;
		if (it != last_iters) {
			last_iters = it;
			last_change = now;
		} else if (now - last_change > 180LL * opt.slow * (int64_t)NS_PER_SEC) {
			fprintf(stderr, PROG ": no progress for %us: hung?\n", 180 * opt.slow);
			dump_threads();
			rc = 1;
			break;
		}
		if (opt.worker_kills && now >= next_kill) {
			int k = (int)rnd(&mr, (uint32_t)opt.procs);

			if (pids[k] > 0) {
				kill(pids[k], SIGKILL);
				if (!reap_bounded(pids[k], 60 * (int)opt.slow)) {
					fprintf(stderr, PROG ": worker %d (pid %d) did not exit within %us of SIGKILL (stuck in the kernel?)\n",
						k, pids[k], 60 * opt.slow);
					rc = 1;
					break;
				}
				pids[k] = spawn_worker(k, ++gens[k]);
				worker_kills++;
			}
			next_kill = now + (int64_t)(2 + rnd(&mr, 8)) * opt.slow * (int64_t)NS_PER_SEC;
		}
		if (opt.progress && now >= next_progress) {
			printf(PROG ": %4.0f s: %" PRIu64 " iterations, %" PRIu64 " victims, %" PRIu64
			       " worker kills\n", (double)(now - start) / 1e9, it,
			       atomic_load(&sh->victims), worker_kills);
			next_progress = now + (int64_t)opt.progress * (int64_t)NS_PER_SEC;
		}
		usleep(50000);
	}

	/* Stop: threads finish their call; waits are interrupted. */
	atomic_store(&sh->stop, 1);
	{
		int64_t deadline = now_ns(CLOCK_MONOTONIC) + 60LL * opt.slow * (int64_t)NS_PER_SEC;

		for (i = 0; i < opt.procs; i++) {
			while (pids[i] > 0) {
				pid_t w = waitpid(pids[i], &st, WNOHANG);

				if (w == pids[i] || (w < 0 && errno != EINTR)) {
					pids[i] = 0;
					break;
				}
				if (now_ns(CLOCK_MONOTONIC) > deadline) {
					fprintf(stderr, PROG ": worker %d did not stop within %us; SIGKILL\n",
						i, 60 * opt.slow);
					kill(pids[i], SIGKILL);
					deadline = now_ns(CLOCK_MONOTONIC) + 60LL * opt.slow * (int64_t)NS_PER_SEC;
					rc = 1;
				}
				usleep(20000);
			}
		}
	}
	/* Victims of killed workers die with them (PDEATHSIG, alarm); any
	 * left over are ours now (subreaper): kill and reap them. */
	if (kill_children() > 0)
		fprintf(stderr, PROG ": killed leftover children\n");
	{
		int64_t deadline = now_ns(CLOCK_MONOTONIC) + 60LL * opt.slow * (int64_t)NS_PER_SEC;

		for (;;) {
			pid_t w = waitpid(-1, &st, WNOHANG);

			if (w < 0 && errno == ECHILD)
				break;
			if (w > 0)
				continue;
			if (now_ns(CLOCK_MONOTONIC) > deadline) {
				fprintf(stderr, PROG ": SIGKILLed children did not exit within %us (stuck in the kernel?)\n",
					60 * opt.slow);
				holders();
				rc = 1;
				break;
			}
			usleep(20000);
		}
	}

	printf(PROG ": %" PRIu64 " iterations in %.1f s (seed 0x%016" PRIx64 "); %" PRIu64
	       " victims (%" PRIu64 " SIGKILLed, %" PRIu64 " in new IPC namespaces, %" PRIu64
	       " setuid, %" PRIu64 " exec), %" PRIu64 " thread exits, %" PRIu64 " worker kills; waits: %"
	       PRIu64 " ok, %" PRIu64 " timed out, %" PRIu64 " interrupted; %" PRIu64
	       " EFAULT checks, %" PRIu64 " contract checks\n",
	       total_iters(), (double)(now_ns(CLOCK_MONOTONIC) - start) / 1e9, opt.seed,
	       atomic_load(&sh->victims), atomic_load(&sh->victims_killed),
	       atomic_load(&sh->ns_children), atomic_load(&sh->setuid_children),
	       atomic_load(&sh->exec_victims), atomic_load(&sh->thread_exits), worker_kills,
	       atomic_load(&sh->wait_ok), atomic_load(&sh->etimedout),
	       atomic_load(&sh->eintr), atomic_load(&sh->efault_checks),
	       atomic_load(&sh->contract_checks));

	if (atomic_load(&sh->failed)) {
		print_failure();
		rc = 1;
	}
	if (saved_limit[0]) {
		int fd = open(USER_LIMIT_PARAM, O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, saved_limit, strlen(saved_limit)) < 0)
			fprintf(stderr, PROG ": could not restore max_user_objects\n");
		if (fd >= 0)
			close(fd);
	}
	if (opt.leak_check) {
		int64_t deadline = now_ns(CLOCK_MONOTONIC) + 30LL * opt.slow * (int64_t)NS_PER_SEC;
		int left;

		/* Released files may still be on their way (deferred fput). */
		while (!dev_info(&info) && info.live_objects != baseline &&
		       now_ns(CLOCK_MONOTONIC) < deadline)
			usleep(100000);
		if (info.live_objects != baseline) {
			fprintf(stderr, PROG ": LEAK: live_objects %llu after the run, baseline %llu\n",
				(unsigned long long)info.live_objects, (unsigned long long)baseline);
			if (holders() == 0)
				fprintf(stderr, PROG ": no process holds a winsync handle: the objects are leaked in the kernel\n");
			rc = 1;
		} else {
			printf(PROG ": live_objects back to %llu\n", (unsigned long long)baseline);
		}
		left = names_left(&checked);
		if (left) {
			fprintf(stderr, PROG ": %d names left after the run\n", left);
			rc = 1;
		} else {
			printf(PROG ": %d names checked: none left\n", checked);
		}
	}
	printf(PROG ": %s (seed 0x%016" PRIx64 ")\n", rc ? "FAIL" : "PASS", opt.seed);
	return rc;
}

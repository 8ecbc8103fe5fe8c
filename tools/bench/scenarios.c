// SPDX-License-Identifier: GPL-2.0
/*
 * winsync-bench scenarios.  Each one builds its objects once, then lets the
 * harness (run_interleaved) time interleaved repetitions, or interleaves
 * its own repetitions where a figure is not "N operations in a loop".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/winsync.h>

#include "bench.h"

static bool mech_usable(const struct mech *m)
{
	return m->state == 0;
}

/* A skip row for a mechanism that is absent or broken. */
static bool check_usable(const char *scen, const char *casename,
			 const struct mech *m)
{
	struct result *r;

	if (mech_usable(m))
		return true;
	if (m->state > 0) {
		result_skip(scen, casename, m->name, "not available: %s",
			    m->why);
		return false;
	}
	/* Broken: already counted as a failure when probed. */
	r = result_new(scen, casename, m->name, "");
	snprintf(r->skipped, sizeof(r->skipped), "broken: %s", m->why);
	r->failed = true;
	return false;
}

/* -------------------------------------------------------------------------
 * floor
 */

#define WS_IOC_INVALID _IO(WINSYNC_IOC_MAGIC, 0xff)

static double floor_invalid(void *ctx, long n)
{
	int fd = *(int *)ctx;
	uint64_t t0 = now_ns();

	for (long i = 0; i < n; i++)
		if (ioctl(fd, WS_IOC_INVALID, 0) != -1 || errno != ENOTTY)
			return -EPROTO;
	return (double)(now_ns() - t0);
}

static double floor_get_info(void *ctx, long n)
{
	struct winsync_info info;
	uint64_t t0 = now_ns();

	(void)ctx;
	for (long i = 0; i < n; i++)
		if (ioctl(ws_dev, WINSYNC_IOC_GET_INFO, &info) < 0)
			return -errno;
	return (double)(now_ns() - t0);
}

static double floor_getppid(void *ctx, long n)
{
	uint64_t t0 = now_ns();

	(void)ctx;
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return (double)(now_ns() - t0);
}

void scen_floor(void)
{
	struct cand c[4];
	int n = 0;

	progress("floor");
	memset(c, 0, sizeof(c));
	c[n].r = result_new("floor", "invalid ioctl", "winsync", "ns/op");
	snprintf(c[n].r->note, sizeof(c[n].r->note),
		 "unknown ioctl number on /dev/winsync (ENOTTY): the floor");
	c[n].r->syscalls = 1;
	c[n].fn = floor_invalid;
	c[n++].ctx = &ws_dev;
	if (mech_usable(mechs[M_NTSYNC])) {
		c[n].r = result_new("floor", "invalid ioctl", "ntsync", "ns/op");
		snprintf(c[n].r->note, sizeof(c[n].r->note),
			 "unknown ioctl number on /dev/ntsync");
		c[n].fn = floor_invalid;
		c[n++].ctx = &nts_dev;
	} else {
		check_usable("floor", "invalid ioctl", mechs[M_NTSYNC]);
	}
	c[n].r = result_new("floor", "GET_INFO", "winsync", "ns/op");
	c[n].r->syscalls = 1;
	c[n++].fn = floor_get_info;
	c[n].r = result_new("floor", "getppid()", "libc", "ns/op");
	snprintf(c[n].r->note, sizeof(c[n].r->note),
		 "the cheapest system call, for scale");
	c[n++].fn = floor_getppid;
	run_interleaved(c, n);
}

/* -------------------------------------------------------------------------
 * uncontended
 */

struct uctx {
	struct mech *m;
	struct mobj o;
};

static double un_sem(void *p, long n)
{
	struct uctx *c = p;
	uint64_t t0 = now_ns();
	int r;

	for (long i = 0; i < n; i++) {
		if ((r = c->m->sem_acquire(&c->o)) ||
		    (r = c->m->sem_release(&c->o)))
			return r;
	}
	return (double)(now_ns() - t0);
}

static double un_mutex(void *p, long n)
{
	struct uctx *c = p;
	uint64_t t0 = now_ns();
	int r;

	for (long i = 0; i < n; i++) {
		if ((r = c->m->mutex_lock(&c->o)) ||
		    (r = c->m->mutex_unlock(&c->o)))
			return r;
	}
	return (double)(now_ns() - t0);
}

static double un_event(void *p, long n)
{
	struct uctx *c = p;
	uint64_t t0 = now_ns();
	int r;

	for (long i = 0; i < n; i++) {
		if ((r = c->m->event_set(&c->o)) ||
		    (r = c->m->event_wait(&c->o)))
			return r;
	}
	return (double)(now_ns() - t0);
}

/* The floor for two kernel entries: two bare ioctls per iteration. */
static double floor_x2(void *ctx, long n)
{
	uint64_t t0 = now_ns();

	(void)ctx;
	for (long i = 0; i < n; i++)
		if (ioctl(ws_dev, WS_IOC_INVALID, 0) != -1 || errno != ENOTTY ||
		    ioctl(ws_dev, WS_IOC_INVALID, 0) != -1 || errno != ENOTTY)
			return -EPROTO;
	return (double)(now_ns() - t0);
}

void scen_uncontended(void)
{
	static const char *const cases[] = {
		"sem wait+release", "mutex acquire+release", "event set+wait",
	};
	struct uctx ctx[M_COUNT];
	struct cand c[M_COUNT + 1];

	for (int k = 0; k < 3; k++) {
		int n = 0;

		progress("uncontended: %s", cases[k]);
		memset(c, 0, sizeof(c));
		/*
		 * The floor runs interleaved with the others, so that the
		 * ratio to it is taken repetition by repetition.
		 */
		c[M_COUNT].r = result_new("uncontended", cases[k], "floor",
					  "ns/op");
		snprintf(c[M_COUNT].r->note, sizeof(c[M_COUNT].r->note),
			 "two bare ioctls: the floor for two kernel entries");
		c[M_COUNT].r->syscalls = 2;
		c[M_COUNT].fn = floor_x2;
		for (int i = 0; i < M_COUNT; i++) {
			struct mech *m = mechs[i];
			struct result *r;
			const char *note = NULL;
			int ret;

			if (!check_usable("uncontended", cases[k], m))
				continue;
			memset(&ctx[n], 0, sizeof(ctx[n]));
			ctx[n].m = m;
			ctx[n].o.fd = -1;
			if (k == 0) {
				ret = m->sem_create(&ctx[n].o, 1, 2);
				c[n].fn = un_sem;
			} else if (k == 1) {
				ret = m->mutex_create(&ctx[n].o);
				c[n].fn = un_mutex;
				note = m->note_mutex;
			} else {
				ret = m->event_create(&ctx[n].o, false, false);
				c[n].fn = un_event;
				note = m->note_event;
			}
			r = result_new("uncontended", cases[k], m->name,
				       "ns/op");
			if (note)
				snprintf(r->note, sizeof(r->note), "%s", note);
			if (i == M_WINSYNC)
				r->syscalls = 2;
			if (ret) {
				result_fail(r, "create: %s", strerror(-ret));
				continue;
			}
			c[n].r = r;
			c[n].ctx = &ctx[n];
			n++;
		}
		c[n++] = c[M_COUNT];
		run_interleaved(c, n);
		for (int i = 0; i < n - 1; i++)
			ctx[i].m->destroy(&ctx[i].o);
	}
}

/* -------------------------------------------------------------------------
 * wait-any / wait-all
 */

struct wctx {
	struct mech *m;
	struct mobj objs[MAX_OBJS];
	struct wset ws;
	int expect;	/* index wait-any must report, -1 for wait-all */
};

static double w_any(void *p, long n)
{
	struct wctx *c = p;
	uint64_t t0 = now_ns();

	for (long i = 0; i < n; i++) {
		int r = c->m->wait_any(&c->ws);

		if (r < 0)
			return r;
		if (r != c->expect)
			return -EPROTO;
	}
	return (double)(now_ns() - t0);
}

static double w_all(void *p, long n)
{
	struct wctx *c = p;
	uint64_t t0 = now_ns();

	for (long i = 0; i < n; i++) {
		int r = c->m->wait_all(&c->ws);

		if (r < 0)
			return r;
	}
	return (double)(now_ns() - t0);
}

static void wait_scenario(const char *scen, bool all, const int *sizes,
			  int nsizes)
{
	static struct wctx ctx[M_COUNT];
	struct cand c[M_COUNT];

	for (int s = 0; s < nsizes; s++) {
		int nobj = sizes[s], n = 0;
		char casename[48];

		snprintf(casename, sizeof(casename), "%d object%s", nobj,
			 nobj > 1 ? "s" : "");
		progress("%s: %s", scen, casename);
		memset(c, 0, sizeof(c));
		for (int i = 0; i < M_COUNT; i++) {
			struct mech *m = mechs[i];
			struct wctx *x = &ctx[n];
			struct result *r;
			int ret = 0, made = 0;

			if (!check_usable(scen, casename, m))
				continue;
			if (!(all ? m->wait_all : m->wait_any)) {
				result_skip(scen, casename, m->name, "%s",
					    all ? m->no_wait_all :
					    m->no_wait_any);
				continue;
			}
			memset(x, 0, sizeof(*x));
			x->m = m;
			x->expect = all ? 0 : nobj - 1;
			/*
			 * Manual-reset events: waiting consumes nothing, so
			 * every iteration is the same wait.  Wait-any: only
			 * the last is signaled; wait-all: all are.
			 */
			for (; made < nobj && !ret; made++) {
				x->objs[made].fd = -1;
				ret = m->event_create(&x->objs[made], true,
						      all || made == nobj - 1);
			}
			r = result_new(scen, casename, m->name, "ns/op");
			if (i == M_WINSYNC)
				r->syscalls = 1;
			if (!all && m->note_wait_any)
				snprintf(r->note, sizeof(r->note), "%s",
					 m->note_wait_any);
			x->ws.n = nobj;
			x->ws.objs = x->objs;
			if (!ret)
				ret = m->wset_prepare(&x->ws);
			if (ret) {
				result_fail(r, "setup: %s", strerror(-ret));
				for (int k = 0; k < made; k++)
					m->destroy(&x->objs[k]);
				wset_free(&x->ws);
				continue;
			}
			c[n].r = r;
			c[n].fn = all ? w_all : w_any;
			c[n].ctx = x;
			n++;
		}
		run_interleaved(c, n);
		for (int i = 0; i < n; i++) {
			for (int k = 0; k < nobj; k++)
				ctx[i].m->destroy(&ctx[i].objs[k]);
			wset_free(&ctx[i].ws);
		}
	}
}

void scen_wait_any(void)
{
	static const int sizes[] = { 1, 8, 64 };

	wait_scenario("wait-any", false, sizes, 3);
}

void scen_wait_all(void)
{
	static const int sizes[] = { 8, 64 };

	wait_scenario("wait-all", true, sizes, 2);
}

/* -------------------------------------------------------------------------
 * cross-process ping-pong
 */

static void on_alarm(int sig)
{
	(void)sig;
	alarm_fired = 1;
}

struct pctx {
	struct mech *m;
	bool saw;		/* winsync signal-and-wait */
	int cpu[2];		/* parent's and child's CPU */
	struct mobj a, b;	/* a: parent -> child, b: child -> parent */
};

static int pp_child(struct pctx *c, long n)
{
	struct mech *m = c->m;
	int r;

	if (c->saw) {
		if ((r = m->event_wait(&c->a)))
			return r;
		for (long i = 0; i < n; i++)
			if ((r = m->signal_wait(&c->b, &c->a)))
				return r;
		return m->event_set(&c->b);
	}
	for (long i = 0; i <= n; i++)
		if ((r = m->event_wait(&c->a)) || (r = m->event_set(&c->b)))
			return r;
	return 0;
}

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* One measurement: the child answers n + 1 pings; the first is untimed. */
static double pp_run(void *p, long n)
{
	struct pctx *c = p;
	struct mech *m = c->m;
	struct sigaction sa = { .sa_handler = on_alarm };
	uint64_t t0, t1;
	int r, st;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		pin_cpu(c->cpu[1]);
		_exit(pp_child(c, n) ? 1 : 0);
	}

	sigaction(SIGALRM, &sa, NULL);
	alarm_fired = 0;
	alarm(opt.smoke ? 20 : 120);
	r = m->event_set(&c->a);
	if (!r)
		r = m->event_wait(&c->b);
	t0 = now_ns();
	for (long i = 0; i < n && !r; i++) {
		if (c->saw)
			r = m->signal_wait(&c->a, &c->b);
		else if (!(r = m->event_set(&c->a)))
			r = m->event_wait(&c->b);
	}
	t1 = now_ns();
	alarm(0);
	if (r) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return alarm_fired ? -ETIMEDOUT : r;
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return -ECHILD;
	return (double)(t1 - t0);
}

void scen_pingpong(void)
{
	static struct pctx ctx[M_COUNT + 1];
	struct cand c[M_COUNT + 1];
	cpu_set_t old;
	int cpus[2] = { -1, -1 }, found = 0;

	/* The first two CPUs we may run on. */
	sched_getaffinity(0, sizeof(old), &old);
	for (int i = 0; i < CPU_SETSIZE && found < 2; i++)
		if (CPU_ISSET(i, &old))
			cpus[found++] = i;
	for (int v = 0; v < 2; v++) {
		const char *casename = v ? "1 CPU" : "2 CPUs";
		int n = 0;

		if (v == 0 && found < 2) {
			for (int i = 0; i < M_COUNT; i++)
				result_skip("pingpong", casename,
					    mechs[i]->name, "one CPU only");
			continue;
		}
		progress("pingpong: %s", casename);
		/* Parent and child on two CPUs, or both on the first. */
		pin_cpu(cpus[0]);
		memset(c, 0, sizeof(c));
		for (int i = 0; i <= M_COUNT; i++) {
			struct mech *m = mechs[i == M_COUNT ? M_WINSYNC : i];
			struct pctx *x = &ctx[n];
			struct result *r;
			int ret;

			if (!check_usable("pingpong", casename, m))
				continue;
			memset(x, 0, sizeof(*x));
			x->m = m;
			x->saw = i == M_COUNT;
			x->cpu[0] = cpus[0];
			x->cpu[1] = v ? cpus[0] : cpus[1];
			x->a.fd = x->b.fd = -1;
			ret = m->event_create(&x->a, false, false);
			if (!ret)
				ret = m->event_create(&x->b, false, false);
			r = result_new("pingpong", casename,
				       x->saw ? "winsync-saw" : m->name,
				       "ns/op");
			snprintf(r->rate_unit, sizeof(r->rate_unit), " rt/s");
			if (x->saw)
				snprintf(r->note, sizeof(r->note),
					 "signal-and-wait: one ioctl per half "
					 "round trip (winsync only)");
			else if (m->note_event)
				snprintf(r->note, sizeof(r->note), "%s",
					 m->note_event);
			if (ret) {
				result_fail(r, "create: %s", strerror(-ret));
				m->destroy(&x->a);
				m->destroy(&x->b);
				continue;
			}
			c[n].r = r;
			c[n].fn = pp_run;
			c[n].ctx = x;
			n++;
		}
		run_interleaved(c, n);
		for (int i = 0; i < n; i++) {
			ctx[i].m->destroy(&ctx[i].a);
			ctx[i].m->destroy(&ctx[i].b);
		}
		sched_setaffinity(0, sizeof(old), &old);
	}
}

/* -------------------------------------------------------------------------
 * contended mutex
 */

struct cctx {
	struct mech *m;
	struct mobj mx;
	pthread_barrier_t start;
	atomic_bool stop;
	atomic_int err;
	long counter;		/* protected by the mutex under test */
	long counts[16];
};

struct cthread {
	struct cctx *c;
	int idx;
};

static void *contender(void *p)
{
	struct cthread *t = p;
	struct cctx *c = t->c;
	long mine = 0;
	int r = 0;

	pthread_barrier_wait(&c->start);
	while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
		if ((r = c->m->mutex_lock(&c->mx)))
			break;
		c->counter++;
		mine++;
		if ((r = c->m->mutex_unlock(&c->mx)))
			break;
	}
	if (r)
		atomic_store(&c->err, r);
	c->counts[t->idx] = mine;
	return NULL;
}

/* Run @nthreads for the target time; per-op cost, fairness, or -errno. */
static int contend_once(struct cctx *c, int nthreads, double secs,
			double *cost, double *fair)
{
	pthread_t th[16];
	struct cthread ta[16];
	struct timespec d;
	uint64_t t0, t1;
	long total = 0, mn = -1, mx = 0;

	c->counter = 0;
	atomic_store(&c->stop, false);
	atomic_store(&c->err, 0);
	pthread_barrier_init(&c->start, NULL, (unsigned)nthreads + 1);
	for (int i = 0; i < nthreads; i++) {
		ta[i] = (struct cthread){ c, i };
		if (pthread_create(&th[i], NULL, contender, &ta[i])) {
			fprintf(stderr, "pthread_create failed\n");
			exit(1);
		}
	}
	pthread_barrier_wait(&c->start);
	t0 = now_ns();
	d.tv_sec = (time_t)secs;
	d.tv_nsec = (long)((secs - (double)d.tv_sec) * 1e9);
	nanosleep(&d, NULL);
	atomic_store(&c->stop, true);
	t1 = now_ns();
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&c->start);
	if (atomic_load(&c->err))
		return atomic_load(&c->err);
	for (int i = 0; i < nthreads; i++) {
		total += c->counts[i];
		if (mn < 0 || c->counts[i] < mn)
			mn = c->counts[i];
		if (c->counts[i] > mx)
			mx = c->counts[i];
	}
	if (total != c->counter)
		return -EDEADLK;	/* mutual exclusion broken */
	if (!total)
		return -ETIME;
	*cost = (double)(t1 - t0) / (double)total;
	*fair = mx ? (double)mn / (double)mx : 0;
	return 0;
}

void scen_contended(void)
{
	static const int threads[] = { 2, 4, 8 };
	static struct cctx ctx[M_COUNT];
	struct result *res[M_COUNT];
	double secs = opt.smoke ? 0.01 : 2 * opt.target_s;

	for (int t = 0; t < 3; t++) {
		double fair[M_COUNT][MAX_REPS];
		char casename[48];
		int n = 0;

		snprintf(casename, sizeof(casename), "%d threads", threads[t]);
		progress("contended: %s", casename);
		for (int i = 0; i < M_COUNT; i++) {
			struct mech *m = mechs[i];
			struct result *r;
			int ret;

			if (!check_usable("contended", casename, m))
				continue;
			memset(&ctx[n], 0, sizeof(ctx[n]));
			ctx[n].m = m;
			ctx[n].mx.fd = -1;
			ret = m->mutex_create(&ctx[n].mx);
			r = result_new("contended", casename, m->name, "ns/op");
			snprintf(r->rate_unit, sizeof(r->rate_unit), " acq/s");
			if (m->note_mutex)
				snprintf(r->note, sizeof(r->note), "%s",
					 m->note_mutex);
			if (ret) {
				result_fail(r, "create: %s", strerror(-ret));
				continue;
			}
			res[n++] = r;
		}
		for (int rep = 0; rep < opt.reps; rep++) {
			for (int k = 0; k < n; k++) {
				int i = (k + rep) % n;
				struct result *r = res[i];
				double cost = 0, f = 0;
				int ret;

				if (r->failed)
					continue;
				ret = contend_once(&ctx[i], threads[t], secs,
						   &cost, &f);
				if (ret) {
					result_fail(r, "%s", ret == -EDEADLK ?
						    "mutual exclusion broken" :
						    strerror(-ret));
					continue;
				}
				fair[i][r->nsamp] = f;
				r->samp[r->nsamp++] = cost;
			}
		}
		for (int i = 0; i < n; i++) {
			struct result *r = res[i];

			result_finish(r);
			if (r->nsamp) {
				r->has_fair = true;
				r->fair_min = r->fair_max = fair[i][0];
				for (int k = 0; k < r->nsamp; k++) {
					if (fair[i][k] < r->fair_min)
						r->fair_min = fair[i][k];
					if (fair[i][k] > r->fair_max)
						r->fair_max = fair[i][k];
				}
				/* The fairness of the median-cost rep. */
				r->fair_med = fair[i][0];
				for (int k = 0; k < r->nsamp; k++)
					if (r->samp[k] == r->med)
						r->fair_med = fair[i][k];
			}
			ctx[i].m->destroy(&ctx[i].mx);
		}
	}
}

/* -------------------------------------------------------------------------
 * names
 */

/* Raise RLIMIT_NOFILE to @need (root may raise fs.nr_open first). */
static int raise_nofile(long need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -errno;
	if ((long)rl.rlim_cur >= need)
		return 0;
	if ((long)rl.rlim_max < need) {
		FILE *f = fopen("/proc/sys/fs/nr_open", "r+");
		long cur = 0;

		if (f) {
			if (fscanf(f, "%ld", &cur) == 1 && cur < need) {
				rewind(f);
				fprintf(f, "%ld\n", need + 1000);
			}
			fclose(f);
		}
		rl.rlim_max = (rlim_t)need;
	}
	rl.rlim_cur = (rlim_t)need;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return -errno;
	/* Grow the descriptor table now, not inside a measurement. */
	if (dup2(0, (int)need - 1) >= 0)
		close((int)need - 1);
	return 0;
}

struct nctx {
	bool posix;
	bool open;		/* open-by-name, else create */
	long live;		/* names 0..live-1 exist */
	unsigned long seq;	/* fresh names for create */
	uint64_t rnd;
};

static int ws_name(char *buf, size_t len, long i)
{
	return snprintf(buf, len, "bench-%d-%ld", (int)getpid(), i);
}

static int px_name(char *buf, size_t len, long i)
{
	return snprintf(buf, len, "/wsb-%d-%ld", (int)getpid(), i);
}

static long next_rand(struct nctx *c)
{
	c->rnd ^= c->rnd << 13;
	c->rnd ^= c->rnd >> 7;
	c->rnd ^= c->rnd << 17;
	return (long)(c->rnd % (uint64_t)c->live);
}

static double names_run(void *p, long n)
{
	struct nctx *c = p;
	char name[64];
	uint64_t t0 = now_ns();

	for (long i = 0; i < n; i++) {
		if (c->open) {
			long k = next_rand(c);

			if (c->posix) {
				sem_t *s;

				px_name(name, sizeof(name), k);
				s = sem_open(name, 0);
				if (s == SEM_FAILED)
					return -errno;
				sem_close(s);
			} else {
				int len = ws_name(name, sizeof(name), k);
				int fd = ws_open_named(name, (size_t)len);

				if (fd < 0)
					return fd;
				close(fd);
			}
		} else {
			/* A fresh name, gone again at once: the population
			 * stays the same. */
			long k = -1 - (long)c->seq++;

			if (c->posix) {
				sem_t *s;

				px_name(name, sizeof(name), k);
				s = sem_open(name, O_CREAT | O_EXCL, 0600, 0);
				if (s == SEM_FAILED)
					return -errno;
				sem_close(s);
				sem_unlink(name);
			} else {
				int len = ws_name(name, sizeof(name), k), st;
				int fd = ws_create_named(name, (size_t)len, &st);

				if (fd < 0)
					return fd;
				if (st != WINSYNC_CREATED)
					return -EEXIST;
				close(fd);
			}
		}
	}
	return (double)(now_ns() - t0);
}

void scen_names(void)
{
	long levels[3] = { opt.names_max / 100, opt.names_max / 10,
			   opt.names_max };
	bool px = mech_usable(mechs[M_POSIX]);
	long have_ws = 0, have_px = 0;
	int *fds;
	int ret;

	progress("names: up to %ld live names", opt.names_max);
	ret = raise_nofile(opt.names_max + 256);
	if (ret) {
		for (int l = 0; l < 3; l++) {
			char cn[48];

			snprintf(cn, sizeof(cn), "open, %ld names", levels[l]);
			result_skip("names", cn, "winsync", "RLIMIT_NOFILE "
				    "cannot be raised to %ld (%s): run as root",
				    opt.names_max + 256, strerror(-ret));
		}
		return;
	}
	fds = calloc((size_t)opt.names_max, sizeof(*fds));
	if (!fds)
		return;

	for (int l = 0; l < 3; l++) {
		static struct nctx ctx[4];
		struct cand c[4];
		char cn[2][48];
		uint64_t t0;
		int n = 0;

		/* Grow both populations to this level (winsync's names live
		 * as long as a handle does; POSIX names until unlinked). */
		t0 = now_ns();
		for (; have_ws < levels[l]; have_ws++) {
			char name[64];
			int len = ws_name(name, sizeof(name), have_ws), st;

			fds[have_ws] = ws_create_named(name, (size_t)len, &st);
			if (fds[have_ws] < 0) {
				struct result *r = result_new("names",
					"populate", "winsync", "");
				result_fail(r, "create name %ld: %s", have_ws,
					    strerror(-fds[have_ws]));
				goto out;
			}
		}
		progress("names: %ld winsync names (%.1f s)", have_ws,
			 (double)(now_ns() - t0) / 1e9);
		t0 = now_ns();
		for (; px && have_px < levels[l]; have_px++) {
			char name[64];
			sem_t *s;

			px_name(name, sizeof(name), have_px);
			s = sem_open(name, O_CREAT | O_EXCL, 0600, 0);
			if (s == SEM_FAILED) {
				struct result *r = result_new("names",
					"populate", "posix", "");
				result_fail(r, "sem_open %ld: %s", have_px,
					    strerror(errno));
				px = false;
				break;
			}
			sem_close(s);
		}
		if (px)
			progress("names: %ld POSIX names (%.1f s)", have_px,
				 (double)(now_ns() - t0) / 1e9);

		snprintf(cn[0], sizeof(cn[0]), "create, %ld names", levels[l]);
		snprintf(cn[1], sizeof(cn[1]), "open, %ld names", levels[l]);
		memset(c, 0, sizeof(c));
		for (int k = 0; k < 2; k++) {
			for (int p = 0; p < 2; p++) {
				struct result *r;

				if (p && !px) {
					check_usable("names", cn[k],
						     mechs[M_POSIX]);
					continue;
				}
				ctx[n] = (struct nctx){
					.posix = p, .open = k,
					.live = levels[l],
					.rnd = 0x9e3779b97f4a7c15ull + (uint64_t)n,
					.seq = (unsigned long)n << 40,
				};
				r = result_new("names", cn[k],
					       p ? "posix" : "winsync",
					       "ns/op");
				snprintf(r->note, sizeof(r->note), "%s",
					 k ? (p ? "sem_open(name, 0) + sem_close" :
					      "OPEN + close") :
					 (p ? "sem_open(O_CREAT|O_EXCL) + "
					      "sem_close + sem_unlink" :
					      "CREATE named + close"));
				c[n].r = r;
				c[n].fn = names_run;
				c[n].ctx = &ctx[n];
				n++;
			}
			result_skip("names", cn[k], "ntsync",
				    "ntsync has no names (Wine's server keeps "
				    "them)");
		}
		run_interleaved(c, n);
	}
out:
	progress("names: cleaning up");
	for (long i = 0; i < have_ws; i++)
		close(fds[i]);
	for (long i = 0; i < have_px; i++) {
		char name[64];

		px_name(name, sizeof(name), i);
		sem_unlink(name);
	}
	free(fds);
}

/* -------------------------------------------------------------------------
 * memory
 */

#define MAX_CACHES 1024

struct slab_snap {
	int n;
	char name[MAX_CACHES][40];
	double bytes[MAX_CACHES];	/* active objects x object size */
	double total;
	long meminfo_slab_kb;
	bool have_slabinfo;
};

static void snap_take(struct slab_snap *s)
{
	FILE *f;
	char line[512];

	memset(s, 0, sizeof(*s));
	f = fopen("/proc/slabinfo", "r");
	if (f) {
		s->have_slabinfo = true;
		while (fgets(line, sizeof(line), f)) {
			char name[64];
			long active, num, size;

			if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
				continue;
			if (sscanf(line, "%63s %ld %ld %ld", name, &active,
				   &num, &size) != 4 || s->n == MAX_CACHES)
				continue;
			snprintf(s->name[s->n], sizeof(s->name[0]), "%s", name);
			s->bytes[s->n] = (double)active * (double)size;
			s->total += s->bytes[s->n];
			s->n++;
		}
		fclose(f);
	}
	f = fopen("/proc/meminfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Slab: %ld kB",
				   &s->meminfo_slab_kb) == 1)
				break;
		fclose(f);
	}
}

/* Let RCU-deferred frees (files, dentries) finish. */
static void settle(void)
{
	struct timespec d = { 0, 20 * 1000 * 1000 };

	syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
	nanosleep(&d, NULL);
	syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
	nanosleep(&d, NULL);
}

static int mem_create(int id)
{
	switch (id) {
	case M_WINSYNC:
		return ws_create_sem_fd();
	case M_NTSYNC:
		return nts_create_sem_fd();
	case M_EVENTFD: {
		int fd = eventfd(0, EFD_SEMAPHORE | EFD_CLOEXEC);

		return fd < 0 ? -errno : fd;
	}
	}
	return -EINVAL;
}

void scen_memory(void)
{
	static const int ids[] = { M_WINSYNC, M_NTSYNC, M_EVENTFD };
	static struct slab_snap before, after;
	struct result *res[3] = { NULL, NULL, NULL };
	char top[3][200];
	long nobj = opt.mem_objects;
	int reps = opt.reps < 3 ? opt.reps : 3;
	char casename[48];
	int *fds, ret;

	snprintf(casename, sizeof(casename), "%ld semaphores", nobj);
	progress("memory: %s", casename);
	ret = raise_nofile(nobj + 256);
	if (ret) {
		result_skip("memory", casename, "winsync", "RLIMIT_NOFILE "
			    "cannot be raised to %ld (%s): run as root",
			    nobj + 256, strerror(-ret));
		return;
	}
	fds = calloc((size_t)nobj, sizeof(*fds));
	if (!fds)
		return;
	memset(top, 0, sizeof(top));
	for (int k = 0; k < 3; k++) {
		struct mech *m = mechs[ids[k]];

		if (!check_usable("memory", casename, m))
			continue;
		res[k] = result_new("memory", casename, m->name, "B/object");
	}
	for (int rep = 0; rep < reps; rep++) {
		for (int j = 0; j < 3; j++) {
			int k = (j + rep) % 3;
			struct result *r = res[k];
			long made = 0;
			double per;

			if (!r || r->failed)
				continue;
			settle();
			snap_take(&before);
			for (; made < nobj; made++) {
				fds[made] = mem_create(ids[k]);
				if (fds[made] < 0)
					break;
			}
			if (made < nobj) {
				result_fail(r, "object %ld: %s", made,
					    strerror(-fds[made]));
			} else {
				settle();
				snap_take(&after);
				if (after.have_slabinfo)
					per = (after.total - before.total) /
					      (double)nobj;
				else
					per = (double)(after.meminfo_slab_kb -
						       before.meminfo_slab_kb) *
					      1024 / (double)nobj;
				r->samp[r->nsamp++] = per;
				snprintf(r->extra, sizeof(r->extra),
					 "\"meminfo_slab_bytes_per_object\": "
					 "%.1f, \"source\": \"%s\"",
					 (double)(after.meminfo_slab_kb -
						  before.meminfo_slab_kb) *
					 1024 / (double)nobj,
					 after.have_slabinfo ?
					 "slabinfo" : "meminfo");
				/* The caches that grew most, last rep. */
				if (after.have_slabinfo) {
					char *o = top[k];
					size_t left = sizeof(top[k]);
					bool used[MAX_CACHES] = { false };

					o[0] = 0;
					for (int t = 0; t < 5; t++) {
						int best = -1;
						double bd = 0;

						for (int a = 0; a < after.n; a++) {
							double d = after.bytes[a];

							if (used[a])
								continue;
							for (int b = 0; b < before.n; b++)
								if (!strcmp(before.name[b], after.name[a])) {
									d -= before.bytes[b];
									break;
								}
							if (d > bd) {
								bd = d;
								best = a;
							}
						}
						if (best < 0 || bd / (double)nobj < 4)
							break;
						used[best] = true;
						int w = snprintf(o, left, "%s%s %.0f",
								 t ? ", " : "",
								 after.name[best],
								 bd / (double)nobj);
						if (w < 0 || (size_t)w >= left)
							break;
						o += w;
						left -= (size_t)w;
					}
				}
			}
			for (long i = 0; i < made; i++)
				close(fds[i]);
		}
	}
	for (int k = 0; k < 3; k++) {
		if (!res[k])
			continue;
		if (top[k][0])
			snprintf(res[k]->note, sizeof(res[k]->note), "%s",
				 top[k]);
		result_finish(res[k]);
	}
	free(fds);
}

/* -------------------------------------------------------------------------
 * wait-all beside another user's wait-all storm
 */

#define STORM_WAITERS	256

static int storm_fds[MAX_OBJS];
/* Sets done by the storm, in a shared mapping. */
static _Atomic long *storm_sets;

static void *storm_waiter(void *p)
{
	struct winsync_wait_args a = {
		.objs = (uintptr_t)storm_fds,
		.count = MAX_OBJS,
		.flags = WINSYNC_WAIT_ALL,
		.timeout = WINSYNC_TIMEOUT_INFINITE,
	};

	(void)p;
	/* Never satisfied: the storm sets only the first event. */
	ioctl(ws_dev, WINSYNC_IOC_WAIT, &a);
	return NULL;
}

/*
 * The storm: another user's 256 wait-all waiters on 64 events, and a loop
 * that sets and resets the first one, so that every set examines every
 * waiter under the lock of the storm's wait-all domain.  Returns the pid
 * once the waiters are queued, or -errno.
 */
static pid_t storm_start(void)
{
	int ready[2];
	pid_t pid;
	char c;

	if (pipe(ready))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		struct winsync_obj_info info;
		pthread_attr_t attr;
		pthread_t t;
		uint32_t prev;

		close(ready[0]);
		if (!geteuid() && setuid(65534))
			_exit(1);
		for (int i = 0; i < MAX_OBJS; i++) {
			struct winsync_create_args a = {
				.type = WINSYNC_TYPE_EVENT,
				.flags = WINSYNC_CREATE_MANUAL_RESET,
				.access = WINSYNC_ACCESS_ALL,
			};

			if (ioctl(ws_dev, WINSYNC_IOC_CREATE, &a) < 0)
				_exit(1);
			storm_fds[i] = a.fd;
		}
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 64 * 1024);
		for (int i = 0; i < STORM_WAITERS; i++)
			if (pthread_create(&t, &attr, storm_waiter, NULL))
				_exit(1);
		do {
			memset(&info, 0, sizeof(info));
			if (ioctl(storm_fds[0], WINSYNC_IOC_QUERY, &info) < 0)
				_exit(1);
		} while (info.waiters < STORM_WAITERS && !usleep(1000));
		pin_cpu(0);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;) {
			ioctl(storm_fds[0], WINSYNC_IOC_EVENT_SET, &prev);
			ioctl(storm_fds[0], WINSYNC_IOC_EVENT_RESET, &prev);
			atomic_fetch_add(storm_sets, 1);
		}
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1) {
		close(ready[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -EIO;
	}
	close(ready[0]);
	return pid;
}

/* The storm's cost per set/reset round over @secs, in ns. */
static double storm_round_ns(double secs)
{
	long n0 = atomic_load(storm_sets);
	uint64_t t0 = now_ns();
	long n;

	usleep((useconds_t)(secs * 1e6));
	n = atomic_load(storm_sets) - n0;
	return n > 0 ? (double)(now_ns() - t0) / (double)n : 0;
}

/*
 * User B's wait-all over two signaled events, alone and while user A's
 * storm runs on the other CPU, and A's set/reset rounds alone and beside B.
 * With one lock for every wait-all in the system the two serialize: one of
 * them waits for the other's critical sections (which one depends on how the
 * mutex hands over); with wait-all domains they share no lock.
 */
void scen_wait_all_storm(void)
{
	static const char *const cases[2] = { "2 objects, quiet",
					      "2 objects, beside a storm" };
	const char *scen = "wait-all-storm";
	struct mech *m = mechs[M_WINSYNC];
	struct result *r[2] = { NULL, NULL };
	static struct wctx x;
	double alone = 0, beside = 0;
	uint64_t t0 = 0;
	cpu_set_t saved;
	struct cand c;
	pid_t storm = 0;
	long n0 = 0;
	int ret = 0;

	if (!check_usable(scen, cases[0], m) || !check_usable(scen, cases[1], m))
		return;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		for (int k = 0; k < 2; k++)
			result_skip(scen, cases[k], m->name, "needs two CPUs");
		return;
	}
	storm_sets = mmap(NULL, sizeof(*storm_sets), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (storm_sets == MAP_FAILED) {
		for (int k = 0; k < 2; k++)
			result_skip(scen, cases[k], m->name, "mmap failed");
		return;
	}
	memset(&x, 0, sizeof(x));
	x.m = m;
	x.ws.n = 2;
	x.ws.objs = x.objs;
	for (int i = 0; i < 2 && !ret; i++)
		ret = m->event_create(&x.objs[i], true, true);
	if (!ret)
		ret = m->wset_prepare(&x.ws);
	sched_getaffinity(0, sizeof(saved), &saved);
	pin_cpu(1);
	for (int k = 0; k < 2; k++) {
		progress("%s: %s", scen, cases[k]);
		r[k] = result_new(scen, cases[k], m->name, "ns/op");
		r[k]->syscalls = 1;
		if (ret) {
			result_fail(r[k], "setup: %s", strerror(-ret));
			continue;
		}
		if (k == 1) {
			storm = storm_start();
			if (storm < 0) {
				result_fail(r[k], "storm: %s", strerror(-storm));
				continue;
			}
			alone = storm_round_ns(1.0);
		}
		memset(&c, 0, sizeof(c));
		c.r = r[k];
		c.fn = w_all;
		c.ctx = &x;
		if (k == 1)
			n0 = atomic_load(storm_sets), t0 = now_ns();
		run_interleaved(&c, 1);
		if (k == 1 && atomic_load(storm_sets) > n0)
			beside = (double)(now_ns() - t0) /
				 (double)(atomic_load(storm_sets) - n0);
		if (storm > 0) {
			kill(storm, SIGKILL);
			waitpid(storm, NULL, 0);
		}
	}
	if (r[0] && r[1] && r[0]->med > 0) {
		snprintf(r[1]->extra, sizeof(r[1]->extra),
			 "\"storm_over_quiet\":%.2f,\"storm_round_alone_ns\":%.0f,"
			 "\"storm_round_beside_ns\":%.0f",
			 r[1]->med / r[0]->med, alone, beside);
		snprintf(r[1]->note, sizeof(r[1]->note),
			 "the storm's set/reset round: %.0f us alone, %.0f us beside B",
			 alone / 1e3, beside / 1e3);
	}
	sched_setaffinity(0, sizeof(saved), &saved);
	munmap((void *)storm_sets, sizeof(*storm_sets));
	for (int i = 0; i < 2; i++)
		m->destroy(&x.objs[i]);
	wset_free(&x.ws);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * winsync-timer-latency: wake-up latency of a periodic winsync timer, in
 * the manner of cyclictest, against the kernel's own timers on the same
 * boot.
 *
 * A SCHED_FIFO 80 thread pinned to CPU 0 waits for N periods of a 1 ms
 * periodic timer and records, for each wake-up, the time it woke minus the
 * due time it woke for.  Mechanisms:
 *
 *   clock_nanosleep  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME) to
 *                    the next due time (the floor: a hard hrtimer waking
 *                    the sleeper)
 *   timerfd          read() of a periodic timerfd (CLOCK_MONOTONIC)
 *   winsync          WINSYNC_IOC_WAIT on a periodic auto-reset winsync
 *                    timer, armed on CLOCK_REALTIME (absolute due time,
 *                    so the due times are known exactly)
 *
 * each without and with a SCHED_FIFO 50 thread spinning on CPU 0 for the
 * whole run.  RT throttling and the fair server are turned off during the
 * runs (as on an RT system; restored after), so the hog really owns the
 * CPU below the waiter.
 *
 * The periods are run in rounds (default 10), each round running every
 * mechanism and hog setting in a rotating order, so that disturbances of a
 * shared, emulated machine fall on all of them alike.
 *
 * The hog of a round spins for the round's span plus 1.5 s at most: on
 * PREEMPT_RT, timerfd's hrtimer runs in the softirq thread (SCHED_FIFO 1),
 * which the hog starves, so timerfd's wake-ups wait for the hog to end.
 *
 * A wake-up later than a whole period counts for the due time it was for;
 * the next due time is then the first one after the wake-up (cyclictest
 * does the same).  Figures: min, median, p99, p99.9 and max in
 * microseconds, per mechanism and hog.  Targets (issue 19): with the hog,
 * winsync's p99.9 and max at most 1.2x clock_nanosleep's; without it,
 * winsync's median at most 1.2x clock_nanosleep's.
 *
 * Output: a table on stdout; with --emit also latency.txt and
 * latency.json between the @@BENCH-FILE markers that run-bench collects.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/winsync.h>

#define NS_PER_SEC	1000000000LL
#define PERIOD_NS	1000000LL

enum mech { M_NANOSLEEP, M_TIMERFD, M_WINSYNC, M_COUNT };
static const char *const mech_names[M_COUNT] = {
	"clock_nanosleep", "timerfd", "winsync",
};

struct stats {
	bool ok;
	long n, late;		/* samples; wake-ups past the next due time */
	double min, median, p99, p999, max;	/* us */
	char err[96];
};

static struct stats results[M_COUNT][2];
static long periods = 5000;
static atomic_int hog_stop;

static int64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static struct timespec ts_of(int64_t ns)
{
	struct timespec ts = { ns / NS_PER_SEC, ns % NS_PER_SEC };

	return ts;
}

static int pin_fifo(int cpu, int prio)
{
	struct sched_param sp = { .sched_priority = prio };
	cpu_set_t set;
	int err;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (!err)
		err = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	return err;
}

/*
 * Spin until told to stop, or for at most @arg nanoseconds: a mechanism
 * whose wake-ups need a lower-priority thread of CPU 0 (timerfd's softirq
 * thread on PREEMPT_RT) would otherwise never complete under the hog.
 */
static void *hog_fn(void *arg)
{
	int64_t end = now_ns(CLOCK_MONOTONIC) + (int64_t)(intptr_t)arg;

	if (pin_fifo(0, 50))
		return NULL;
	while (!atomic_load_explicit(&hog_stop, memory_order_relaxed) &&
	       now_ns(CLOCK_MONOTONIC) < end)
		;
	return NULL;
}

struct run {
	enum mech mech;
	bool hog;
	pthread_t hog_th;
	bool hog_started;
	int64_t *lat;
	long want, n, late;
	char err[96];
};

/*
 * Record a wake-up at @woke, expected for the k-th due time (first + k *
 * PERIOD_NS); returns the next k.  A periodic timer consumed by a wake-up
 * that came just before a due time may find that due time passed when it
 * waits again, and return at once: such a wake-up is for due time k - 1.
 */
static long record(struct run *r, long k, int64_t woke, int64_t first)
{
	int64_t due = first + k * PERIOD_NS;
	long passed;

	if (woke < due && k > 0) {
		r->lat[r->n++] = woke - (due - PERIOD_NS);
		return k;
	}
	r->lat[r->n++] = woke - due;
	passed = (woke - first) / PERIOD_NS + 1;
	if (passed > k + 1) {
		r->late++;
		return passed;
	}
	return k + 1;
}

static void *measure_fn(void *arg)
{
	struct run *r = arg;
	int64_t first, woke;
	int dev = -1, fd = -1, err;
	long k = 0;

	err = pin_fifo(0, 80);
	if (err) {
		snprintf(r->err, sizeof(r->err), "SCHED_FIFO 80: %s", strerror(err));
		return NULL;
	}
	/* The hog gets CPU 0 whenever this thread sleeps. */
	if (r->hog) {
		/* The chunk's due time span plus 1.5 s. */
		err = pthread_create(&r->hog_th, NULL, hog_fn,
				     (void *)(intptr_t)((r->want + 1500) * PERIOD_NS));
		if (err) {
			snprintf(r->err, sizeof(r->err), "hog: %s", strerror(err));
			return NULL;
		}
		r->hog_started = true;
	}

	switch (r->mech) {
	case M_NANOSLEEP:
		first = now_ns(CLOCK_MONOTONIC) + 2 * PERIOD_NS;
		while (r->n < r->want) {
			struct timespec ts = ts_of(first + k * PERIOD_NS);

			err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
			woke = now_ns(CLOCK_MONOTONIC);
			if (err && err != EINTR) {
				snprintf(r->err, sizeof(r->err), "clock_nanosleep: %s",
					 strerror(err));
				return NULL;
			}
			k = record(r, k, woke, first);
		}
		break;
	case M_TIMERFD: {
		struct itimerspec its;
		uint64_t ticks;

		fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
		if (fd < 0) {
			snprintf(r->err, sizeof(r->err), "timerfd_create: %s", strerror(errno));
			return NULL;
		}
		first = now_ns(CLOCK_MONOTONIC) + 2 * PERIOD_NS;
		its.it_value = ts_of(first);
		its.it_interval = ts_of(PERIOD_NS);
		if (timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL)) {
			snprintf(r->err, sizeof(r->err), "timerfd_settime: %s", strerror(errno));
			close(fd);
			return NULL;
		}
		while (r->n < r->want) {
			if (read(fd, &ticks, sizeof(ticks)) != sizeof(ticks)) {
				snprintf(r->err, sizeof(r->err), "timerfd read: %s",
					 strerror(errno));
				break;
			}
			woke = now_ns(CLOCK_MONOTONIC);
			k = record(r, k, woke, first);
		}
		close(fd);
		break;
	}
	case M_WINSYNC: {
		struct winsync_create_args ca;
		struct winsync_timer_args ta;
		struct winsync_wait_args wa;
		int objs[1];

		dev = open("/dev/winsync", O_RDWR | O_CLOEXEC);
		if (dev < 0) {
			snprintf(r->err, sizeof(r->err), "/dev/winsync: %s", strerror(errno));
			return NULL;
		}
		memset(&ca, 0, sizeof(ca));
		ca.type = WINSYNC_TYPE_TIMER;
		ca.access = WINSYNC_ACCESS_ALL;
		if (ioctl(dev, WINSYNC_IOC_CREATE, &ca)) {
			snprintf(r->err, sizeof(r->err), "CREATE: %s", strerror(errno));
			close(dev);
			return NULL;
		}
		fd = ca.fd;
		/* Absolute: the due times are exact on CLOCK_REALTIME. */
		first = now_ns(CLOCK_REALTIME) + 2 * PERIOD_NS;
		memset(&ta, 0, sizeof(ta));
		ta.due = first;
		ta.period_ns = PERIOD_NS;
		ta.flags = WINSYNC_TIMER_ABSOLUTE;
		if (ioctl(fd, WINSYNC_IOC_TIMER_SET, &ta)) {
			snprintf(r->err, sizeof(r->err), "TIMER_SET: %s", strerror(errno));
			goto out_ws;
		}
		objs[0] = fd;
		while (r->n < r->want) {
			memset(&wa, 0, sizeof(wa));
			wa.objs = (uintptr_t)objs;
			wa.count = 1;
			wa.timeout = WINSYNC_TIMEOUT_INFINITE;
			if (ioctl(dev, WINSYNC_IOC_WAIT, &wa)) {
				snprintf(r->err, sizeof(r->err), "WAIT: %s", strerror(errno));
				break;
			}
			woke = now_ns(CLOCK_REALTIME);
			k = record(r, k, woke, first);
		}
out_ws:
		close(fd);
		close(dev);
		break;
	}
	default:
		break;
	}
	return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(const int64_t *v, long n, double p)
{
	long i = (long)(p * (double)(n - 1) + 0.5);

	return (double)v[i < n ? i : n - 1] / 1000.0;
}

/* Samples of every mechanism and hog setting, filled round by round. */
static int64_t *samples[M_COUNT][2];
static long nsamples[M_COUNT][2], nlate[M_COUNT][2];
static long rounds = 10;

/* @want more wake-ups of @m, with or without the hog. */
static void run_chunk(enum mech m, bool hog, long want)
{
	struct stats *st = &results[m][hog];
	struct run r = { .mech = m, .hog = hog, .want = want };
	pthread_t th;
	int err;

	if (st->err[0])
		return;
	r.lat = samples[m][hog] + nsamples[m][hog];
	atomic_store(&hog_stop, 0);
	err = pthread_create(&th, NULL, measure_fn, &r);
	if (!err)
		pthread_join(th, NULL);
	/* This thread runs on another CPU than the hog's. */
	if (r.hog_started) {
		atomic_store(&hog_stop, 1);
		pthread_join(r.hog_th, NULL);
	}
	if (err)
		snprintf(r.err, sizeof(r.err), "thread: %s", strerror(err));
	nsamples[m][hog] += r.n;
	nlate[m][hog] += r.late;
	if (r.n < want)
		snprintf(st->err, sizeof(st->err), "%s", r.err[0] ? r.err : "incomplete");
}

static void finish(enum mech m, bool hog)
{
	struct stats *st = &results[m][hog];
	int64_t *v = samples[m][hog];
	long n = nsamples[m][hog];

	if (st->err[0] || !n)
		return;
	qsort(v, n, sizeof(*v), cmp_i64);
	st->ok = true;
	st->n = n;
	st->late = nlate[m][hog];
	st->min = pct(v, n, 0);
	st->median = pct(v, n, 0.5);
	st->p99 = pct(v, n, 0.99);
	st->p999 = pct(v, n, 0.999);
	st->max = pct(v, n, 1);
}

static long long read_ll(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static void write_ll(const char *path, long long v)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fprintf(f, "%lld\n", v);
		fclose(f);
	}
}

struct target {
	const char *what;
	double value, limit;
	bool ok;
};

static int targets(struct target *t)
{
	const struct stats *cn0 = &results[M_NANOSLEEP][0], *ws0 = &results[M_WINSYNC][0];
	const struct stats *cn1 = &results[M_NANOSLEEP][1], *ws1 = &results[M_WINSYNC][1];
	int n = 0;

	if (cn0->ok && ws0->ok)
		t[n++] = (struct target){ "no hog: winsync median <= 1.2x clock_nanosleep",
					  ws0->median, 1.2 * cn0->median, false };
	if (cn1->ok && ws1->ok) {
		t[n++] = (struct target){ "hog: winsync p99.9 <= 1.2x clock_nanosleep",
					  ws1->p999, 1.2 * cn1->p999, false };
		t[n++] = (struct target){ "hog: winsync max <= 1.2x clock_nanosleep",
					  ws1->max, 1.2 * cn1->max, false };
	}
	for (int i = 0; i < n; i++)
		t[i].ok = t[i].value <= t[i].limit;
	return n;
}

static void print_table(FILE *f, const char *kernel)
{
	struct target t[4];
	int nt;

	fprintf(f, "timer wake-up latency, us past the due time: %ld periods of 1 ms, "
		"SCHED_FIFO 80 waiter on CPU 0; hog = SCHED_FIFO 50 spinning on CPU 0\n",
		periods);
	fprintf(f, "kernel: %s\n\n", kernel);
	fprintf(f, "%-16s %-4s %9s %9s %9s %9s %9s %6s\n", "mechanism", "hog",
		"min", "median", "p99", "p99.9", "max", "late");
	for (int h = 0; h < 2; h++) {
		for (int m = 0; m < M_COUNT; m++) {
			const struct stats *s = &results[m][h];

			if (!s->ok) {
				fprintf(f, "%-16s %-4s skipped: %s\n", mech_names[m],
					h ? "yes" : "no", s->err);
				continue;
			}
			fprintf(f, "%-16s %-4s %9.1f %9.1f %9.1f %9.1f %9.1f %6ld\n",
				mech_names[m], h ? "yes" : "no", s->min, s->median,
				s->p99, s->p999, s->max, s->late);
		}
	}
	nt = targets(t);
	fprintf(f, "\n");
	for (int i = 0; i < nt; i++)
		fprintf(f, "%-48s %9.1f <= %9.1f  %s\n", t[i].what, t[i].value,
			t[i].limit, t[i].ok ? "MET" : "MISS");
}

static void print_json(FILE *f, const char *kernel)
{
	struct target t[4];
	int nt = targets(t);
	bool first = true;

	fprintf(f, "{\n  \"kernel\": \"%s\",\n  \"periods\": %ld,\n  \"period_ns\": %lld,\n"
		"  \"results\": [", kernel, periods, PERIOD_NS);
	for (int h = 0; h < 2; h++) {
		for (int m = 0; m < M_COUNT; m++) {
			const struct stats *s = &results[m][h];

			fprintf(f, "%s\n    {\"mech\": \"%s\", \"hog\": %s, ", first ? "" : ",",
				mech_names[m], h ? "true" : "false");
			first = false;
			if (!s->ok)
				fprintf(f, "\"skipped\": \"%s\"}", s->err);
			else
				fprintf(f, "\"n\": %ld, \"late\": %ld, \"min_us\": %.1f, "
					"\"median_us\": %.1f, \"p99_us\": %.1f, "
					"\"p999_us\": %.1f, \"max_us\": %.1f}",
					s->n, s->late, s->min, s->median, s->p99, s->p999,
					s->max);
		}
	}
	fprintf(f, "\n  ],\n  \"targets\": [");
	for (int i = 0; i < nt; i++)
		fprintf(f, "%s\n    {\"target\": \"%s\", \"value\": %.1f, \"limit\": %.1f, "
			"\"met\": %s}", i ? "," : "", t[i].what, t[i].value, t[i].limit,
			t[i].ok ? "true" : "false");
	fprintf(f, "\n  ]\n}\n");
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: winsync-timer-latency [--periods N] [--rounds R] [--smoke] [--emit]\n"
"  --periods N  wake-ups per mechanism and hog setting (default 5000)\n"
"  --rounds R   in R rounds, mechanisms interleaved (default 10)\n"
"  --smoke      200 periods\n"
"  --emit       also print latency.txt and latency.json between\n"
"               @@BENCH-FILE markers (for tools/bench/run-bench)\n");
}

int main(int argc, char **argv)
{
	static const char fair0[] = "/sys/kernel/debug/sched/fair_server/cpu0/runtime";
	static const char rt_rt[] = "/proc/sys/kernel/sched_rt_runtime_us";
	long long rt_runtime, fair_runtime;
	char kernel[256];
	struct utsname u;
	bool emit = false;
	cpu_set_t set;
	long ncpu;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--periods") && i + 1 < argc) {
			periods = atol(argv[++i]);
		} else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
			rounds = atol(argv[++i]);
		} else if (!strcmp(argv[i], "--smoke")) {
			periods = 200;
			rounds = 2;
		} else if (!strcmp(argv[i], "--emit")) {
			emit = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (periods < 10 || rounds < 1) {
		usage(stderr);
		return 2;
	}
	uname(&u);
	snprintf(kernel, sizeof(kernel), "%s %s", u.release, u.version);
	/* The hog owns CPU 0: this thread must be elsewhere to stop it. */
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 2) {
		fprintf(stderr, "winsync-timer-latency: needs 2 CPUs\n");
		return 1;
	}
	CPU_ZERO(&set);
	CPU_SET(ncpu - 1, &set);
	sched_setaffinity(0, sizeof(set), &set);

	/* As on an RT system: nothing takes the CPU from RT tasks. */
	rt_runtime = read_ll(rt_rt);
	if (access(fair0, F_OK))
		mount("nodev", "/sys/kernel/debug", "debugfs", 0, NULL);
	fair_runtime = read_ll(fair0);
	write_ll(rt_rt, -1);
	if (fair_runtime > 0)
		write_ll(fair0, 0);

	for (int m = 0; m < M_COUNT; m++) {
		for (int h = 0; h < 2; h++) {
			samples[m][h] = calloc(periods, sizeof(int64_t));
			if (!samples[m][h]) {
				fprintf(stderr, "winsync-timer-latency: out of memory\n");
				return 1;
			}
		}
	}
	/*
	 * Rounds, the mechanisms in a rotating order: a disturbance of the
	 * (emulated, shared) machine falls on all of them alike.
	 */
	if (rounds > periods)
		rounds = 1;
	for (long round = 0; round < rounds; round++) {
		long want = periods / rounds + (round < periods % rounds);

		fprintf(stderr, "timer-latency: round %ld of %ld\n", round + 1, rounds);
		for (int i = 0; i < 2 * M_COUNT; i++) {
			int k = (i + (int)round) % (2 * M_COUNT);

			run_chunk(k % M_COUNT, k / M_COUNT, want);
		}
	}
	for (int m = 0; m < M_COUNT; m++)
		for (int h = 0; h < 2; h++)
			finish(m, h);

	if (fair_runtime > 0)
		write_ll(fair0, fair_runtime);
	if (rt_runtime != -1)
		write_ll(rt_rt, rt_runtime);

	print_table(stdout, kernel);
	if (emit) {
		printf("@@BENCH-FILE latency.txt@@\n");
		print_table(stdout, kernel);
		printf("@@BENCH-END@@\n@@BENCH-FILE latency.json@@\n");
		print_json(stdout, kernel);
		printf("@@BENCH-END@@\n");
	}
	fflush(stdout);
	for (int h = 0; h < 2; h++)
		for (int m = 0; m < M_COUNT; m++)
			if (!results[m][h].ok)
				return 1;
	return 0;
}

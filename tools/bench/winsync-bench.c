// SPDX-License-Identifier: GPL-2.0
/*
 * winsync-bench: compare winsync with ntsync, futexes, eventfds and POSIX
 * semaphores, and with the floor (a bare ioctl round trip on /dev/winsync).
 *
 * Every figure is the median of several repetitions, with min and max; the
 * repetitions are interleaved across mechanisms (rep 1 of each, rep 2 of
 * each, ...) so that drift of the host hits all of them alike.  Only ratios
 * measured in one run mean much under emulation.
 *
 * Output: a readable table on stdout, and with --out DIR the files
 * results.json, results.txt and chart.dat in DIR (see
 * Documentation/benchmarks.rst and tools/bench/run-bench).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/winsync.h>
#include <sys/ioctl.h>

#include "bench.h"

struct opts opt = {
	.reps = 11,
	.target_s = 0.1,
	.names_max = 100000,
	.mem_objects = 100000,
};

#define MAX_RESULTS 512
static struct result results[MAX_RESULTS];
static int nresults;
static int nfailed;
static uint64_t t_start;
static double floor_cached = -1;

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void progress(const char *fmt, ...)
{
	va_list ap;

	if (opt.quiet)
		return;
	fprintf(stderr, "[%7.1fs] ", (double)(now_ns() - t_start) / 1e9);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* -------------------------------------------------------------------------
 * Results
 */

struct result *result_new(const char *scenario, const char *casename,
			  const char *mech, const char *unit)
{
	struct result *r;

	if (nresults == MAX_RESULTS) {
		fprintf(stderr, "winsync-bench: too many results\n");
		exit(2);
	}
	r = &results[nresults++];
	memset(r, 0, sizeof(*r));
	snprintf(r->scenario, sizeof(r->scenario), "%s", scenario);
	snprintf(r->casename, sizeof(r->casename), "%s", casename);
	snprintf(r->mech, sizeof(r->mech), "%s", mech);
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	r->is_ratio_base = true;
	return r;
}

void result_skip(const char *scenario, const char *casename,
		 const char *mech, const char *fmt, ...)
{
	struct result *r = result_new(scenario, casename, mech, "");
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->skipped, sizeof(r->skipped), fmt, ap);
	va_end(ap);
	progress("  %s / %s / %s: skipped: %s", scenario, casename, mech,
		 r->skipped);
}

void result_fail(struct result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->skipped, sizeof(r->skipped), fmt, ap);
	va_end(ap);
	if (!r->failed)
		nfailed++;
	r->failed = true;
	fprintf(stderr, "winsync-bench: FAILED %s / %s / %s: %s\n",
		r->scenario, r->casename, r->mech, r->skipped);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median_of(const double *v, int n)
{
	double s[MAX_REPS];

	memcpy(s, v, (size_t)n * sizeof(*v));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

void result_finish(struct result *r)
{
	if (r->failed || !r->nsamp)
		return;
	r->med = median_of(r->samp, r->nsamp);
	r->min = r->max = r->samp[0];
	for (int i = 1; i < r->nsamp; i++) {
		if (r->samp[i] < r->min)
			r->min = r->samp[i];
		if (r->samp[i] > r->max)
			r->max = r->samp[i];
	}
	if (r->rate_unit[0] && r->med > 0) {
		/* Rates per second from the cost per operation in ns. */
		r->rate_med = 1e9 / r->med;
		r->rate_min = 1e9 / r->max;
		r->rate_max = 1e9 / r->min;
	}
}

bool scenario_wanted(const char *name)
{
	const char *p = opt.only;
	size_t len = strlen(name);

	if (!p)
		return true;
	while (*p) {
		const char *e = strchrnul(p, ',');

		if ((size_t)(e - p) == len && !strncmp(p, name, len))
			return true;
		p = *e ? e + 1 : e;
	}
	return false;
}

/* -------------------------------------------------------------------------
 * The harness
 */

static double run_one(struct cand *c, long iters)
{
	double t = c->fn(c->ctx, iters);

	if (t < 0) {
		result_fail(c->r, "%s", strerror((int)-t));
		c->dead = true;
	}
	return t;
}

void run_interleaved(struct cand *c, int n)
{
	double target = opt.target_s * 1e9;

	for (int i = 0; i < n; i++) {
		long it;
		double t;

		if (c[i].dead)
			continue;
		if (c[i].per_op <= 0)
			c[i].per_op = 1;
		if (c[i].iters > 0)
			continue;	/* fixed by the scenario */
		if (opt.iters > 0 || opt.smoke) {
			c[i].iters = opt.iters > 0 ? opt.iters : 16;
			continue;
		}
		/* Warm up, then grow until a run takes a fifth of the target. */
		it = 4;
		for (;;) {
			t = run_one(&c[i], it);
			if (t < 0)
				break;
			if (t >= target / 5 || it >= (1L << 40))
				break;
			it *= t < target / 100 ? 8 : 2;
		}
		if (t < 0)
			continue;
		c[i].iters = (long)((double)it * target / (t > 1 ? t : 1));
		if (c[i].iters < 1)
			c[i].iters = 1;
	}

	for (int rep = 0; rep < opt.reps; rep++) {
		/* Rotate the order too, so no mechanism always goes first. */
		for (int k = 0; k < n; k++) {
			struct cand *x = &c[(k + rep) % n];
			double t;

			if (x->dead)
				continue;
			t = run_one(x, x->iters);
			if (t < 0)
				continue;
			x->r->samp[x->r->nsamp++] =
				t / ((double)x->iters * x->per_op);
		}
	}
	for (int i = 0; i < n; i++)
		result_finish(c[i].r);
}

static const struct result *find(const char *scenario, const char *casename,
				 const char *mech)
{
	for (int i = 0; i < nresults; i++) {
		const struct result *r = &results[i];

		if (!strcmp(r->scenario, scenario) &&
		    !strcmp(r->casename, casename) && !strcmp(r->mech, mech) &&
		    !r->skipped[0] && r->nsamp)
			return r;
	}
	return NULL;
}

double floor_ns(void)
{
	const struct result *r;

	if (floor_cached >= 0)
		return floor_cached;
	r = find("floor", "invalid ioctl", "winsync");
	return r ? r->med : 0;
}

static double vs_winsync(const struct result *r)
{
	const struct result *w = find(r->scenario, r->casename, "winsync");

	if (!w || !w->med || r->skipped[0] || !r->nsamp)
		return 0;
	return r->med / w->med;
}

/*
 * Median over repetitions of (this rep's figure / the same rep's figure of
 * @base): repetitions are interleaved, so a pair ran at nearly the same
 * time and slow drift of the host cancels out.  0 if not comparable.
 */
static double paired_ratio(const struct result *r, const struct result *base)
{
	double q[MAX_REPS];

	if (!base || r->nsamp != base->nsamp || !r->nsamp)
		return 0;
	for (int i = 0; i < r->nsamp; i++) {
		if (base->samp[i] <= 0)
			return 0;
		q[i] = r->samp[i] / base->samp[i];
	}
	return median_of(q, r->nsamp);
}

/* The ratio targets use: paired if possible, else of the medians. */
static double ratio_of(const struct result *r, const struct result *base)
{
	double p = paired_ratio(r, base);

	return p > 0 ? p : r->med / base->med;
}

static double vs_winsync_paired(const struct result *r)
{
	if (r->skipped[0] || !r->nsamp)
		return 0;
	return paired_ratio(r, find(r->scenario, r->casename, "winsync"));
}

static double vs_floor(const struct result *r)
{
	double f = floor_ns();

	if (!f || strcmp(r->unit, "ns/op") || r->skipped[0] || !r->nsamp)
		return 0;
	return r->med / f;
}

/* -------------------------------------------------------------------------
 * Targets
 */

struct target {
	char name[96];
	char detail[160];
	double value, limit;
	bool met, known;
};

#define MAX_TARGETS 64
static struct target targets[MAX_TARGETS];
static int ntargets;

static struct target *target_add(const char *name, double value, double limit)
{
	struct target *t;

	if (ntargets == MAX_TARGETS)
		return NULL;
	t = &targets[ntargets++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->value = value;
	t->limit = limit;
	t->known = value > 0;
	t->met = t->known && value <= limit;
	return t;
}

static void compute_targets(void)
{
	char name[96];

	/* 1. Every scenario both have: winsync time / ntsync time <= 1. */
	for (int i = 0; i < nresults; i++) {
		const struct result *n = &results[i], *w;
		struct target *t;

		if (strcmp(n->mech, "ntsync") || n->skipped[0] || !n->nsamp ||
		    !strcmp(n->scenario, "floor"))
			continue;
		w = find(n->scenario, n->casename, "winsync");
		if (!w)
			continue;
		snprintf(name, sizeof(name), "winsync/ntsync %s: %s",
			 n->scenario, n->casename);
		t = target_add(name, ratio_of(w, n), 1.0);
		if (t)
			snprintf(t->detail, sizeof(t->detail),
				 "medians %.4g / %.4g %s (%.2f); mins %.2f",
				 w->med, n->med, n->unit, w->med / n->med,
				 w->min / n->min);
	}

	/*
	 * 2. Uncontended within 1.3x of the floor, per kernel entry: against
	 * the "floor" row of the same case (as many bare ioctls as winsync
	 * makes, interleaved with it).
	 */
	for (int i = 0; i < nresults; i++) {
		const struct result *w = &results[i], *f;
		struct target *t;

		if (strcmp(w->scenario, "uncontended") ||
		    strcmp(w->mech, "winsync") || !w->nsamp)
			continue;
		f = find(w->scenario, w->casename, "floor");
		if (!f)
			continue;
		snprintf(name, sizeof(name), "winsync/floor uncontended: %s",
			 w->casename);
		t = target_add(name, ratio_of(w, f), 1.3);
		if (t)
			snprintf(t->detail, sizeof(t->detail),
				 "%d ioctls: medians %.4g / %.4g ns (%.2f); "
				 "mins %.2f", w->syscalls, w->med, f->med,
				 w->med / f->med, w->min / f->min);
	}

	/* 3. Wake latency within 1.2x of futex ping-pong. */
	for (int i = 0; i < nresults; i++) {
		const struct result *w = &results[i], *fx;
		struct target *t;

		if (strcmp(w->scenario, "pingpong") ||
		    strncmp(w->mech, "winsync", 7) || !w->nsamp)
			continue;
		fx = find(w->scenario, w->casename, "futex");
		if (!fx)
			continue;
		snprintf(name, sizeof(name), "%s/futex ping-pong: %s",
			 w->mech, w->casename);
		t = target_add(name, ratio_of(w, fx), 1.2);
		if (t)
			snprintf(t->detail, sizeof(t->detail),
				 "%.0f / %.0f round trips/s (%.2f); mins %.2f",
				 w->rate_med, fx->rate_med, w->med / fx->med,
				 w->min / fx->min);
	}

	/* 4. Open-by-name flat from the smallest to the largest population. */
	{
		const struct result *lo = NULL, *hi = NULL;
		long nlo = 0, nhi = 0;

		for (int i = 0; i < nresults; i++) {
			const struct result *r = &results[i];
			long n;

			if (strcmp(r->scenario, "names") ||
			    strcmp(r->mech, "winsync") || !r->nsamp ||
			    sscanf(r->casename, "open, %ld names", &n) != 1)
				continue;
			if (!lo || n < nlo) {
				lo = r;
				nlo = n;
			}
			if (!hi || n > nhi) {
				hi = r;
				nhi = n;
			}
		}
		if (lo && hi && lo != hi) {
			struct target *t;

			snprintf(name, sizeof(name),
				 "winsync open-by-name %ld / %ld names", nhi,
				 nlo);
			t = target_add(name, hi->med / lo->med, 1.25);
			if (t)
				snprintf(t->detail, sizeof(t->detail),
					 "medians %.4g ns at %ld, %.4g ns at %ld "
					 "(not interleaved); mins %.2f", hi->med,
					 nhi, lo->med, nlo, hi->min / lo->min);
		}
	}
}

/* -------------------------------------------------------------------------
 * Output
 */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double v)
{
	if (!isfinite(v))
		fputs("null", f);
	else
		fprintf(f, "%.6g", v);
}

static char sys_kernel[256], sys_cpu[256], sys_cmdline[512], sys_ws[64];
static int sys_ncpu;

static void read_line_match(const char *path, const char *key, char *out,
			    size_t len)
{
	FILE *f = fopen(path, "r");
	char line[1024];

	out[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p;

		if (key && strncmp(line, key, strlen(key)))
			continue;
		p = key ? strchr(line, ':') : line;
		if (!p)
			continue;
		if (key)
			p++;
		while (*p == ' ' || *p == '\t')
			p++;
		p[strcspn(p, "\n")] = 0;
		snprintf(out, len, "%s", p);
		break;
	}
	fclose(f);
}

static void collect_system(void)
{
	struct utsname u;
	struct winsync_info info;

	if (!uname(&u))
		snprintf(sys_kernel, sizeof(sys_kernel), "%s %s %s", u.sysname,
			 u.release, u.version);
	read_line_match("/proc/cpuinfo", "model name", sys_cpu,
			sizeof(sys_cpu));
	read_line_match("/proc/cmdline", NULL, sys_cmdline,
			sizeof(sys_cmdline));
	sys_ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	memset(&info, 0, sizeof(info));
	if (ws_dev >= 0 && !ioctl(ws_dev, WINSYNC_IOC_GET_INFO, &info))
		snprintf(sys_ws, sizeof(sys_ws), "%u.%u.%u (ABI %u)",
			 info.version_major, info.version_minor,
			 info.version_patch, info.abi_version);
}

static const char *scenario_title(const char *s)
{
	static const struct { const char *s, *t; } titles[] = {
		{ "floor", "floor: bare kernel round trips" },
		{ "uncontended", "uncontended: one thread, object always free" },
		{ "wait-any", "wait-any over N objects, the last one signaled" },
		{ "wait-all", "wait-all over N objects, all signaled" },
		{ "wait-all-storm", "wait-all beside another user's wait-all "
				    "storm (256 waiters, set/reset loop)" },
		{ "pingpong", "cross-process wake latency: two processes, two "
			      "auto-reset events" },
		{ "contended", "contended mutex: N threads, acquire + release "
			       "in a loop" },
		{ "names", "named objects: cost with N live names" },
		{ "memory", "kernel memory per object (slab)" },
	};

	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		if (!strcmp(titles[i].s, s))
			return titles[i].t;
	return s;
}

/* A cost in ns as a short string in a fitting unit. */
static void fmt_cost(char *buf, size_t len, double ns, const char *unit)
{
	if (strcmp(unit, "ns/op")) {
		snprintf(buf, len, "%.1f", ns);
		return;
	}
	if (ns < 1000)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.2fus", ns / 1e3);
	else
		snprintf(buf, len, "%.2fms", ns / 1e6);
}

static void write_table(FILE *f)
{
	const char *last = "";

	fprintf(f, "winsync-bench %s: %d repetitions per figure "
		"(median [min..max]), interleaved\n",
		opt.smoke ? "SMOKE (tiny counts, figures meaningless)" : "",
		opt.reps);
	fprintf(f, "kernel:  %s\ncpu:     %s x%d\ncmdline: %s\nwinsync: %s\n",
		sys_kernel, sys_cpu, sys_ncpu, sys_cmdline, sys_ws);
	fprintf(f, "floor:   %.0f ns (invalid ioctl on /dev/winsync)\n",
		floor_ns());
	fprintf(f, "x winsync = median over repetitions of (this "
		"mechanism's time / winsync's time\n            in the same "
		"repetition); > 1: winsync is faster\n"
		"x floor   = median time / the floor's median time\n"
		"targets use the same paired ratios where both sides ran "
		"interleaved\n");

	for (int i = 0; i < nresults; i++) {
		const struct result *r = &results[i];
		char med[32], mn[32], mx[32], rate[48] = "", ratio[16] = "",
		     fl[16] = "";

		if (strcmp(r->scenario, last)) {
			last = r->scenario;
			fprintf(f, "\n== %s\n", scenario_title(last));
			fprintf(f, "%-28s %-10s %9s %9s %9s  %-14s %9s %8s  %s\n",
				"case", "mech", "median", "min", "max", "rate",
				"x winsync", "x floor", "notes");
		}
		if (r->skipped[0] && !r->failed) {
			fprintf(f, "%-28s %-10s %9s %9s %9s  %-14s %9s %8s  "
				"skipped: %s\n", r->casename, r->mech, "-",
				"-", "-", "", "", "", r->skipped);
			continue;
		}
		if (r->failed) {
			fprintf(f, "%-28s %-10s FAILED: %s\n", r->casename,
				r->mech, r->skipped);
			continue;
		}
		fmt_cost(med, sizeof(med), r->med, r->unit);
		fmt_cost(mn, sizeof(mn), r->min, r->unit);
		fmt_cost(mx, sizeof(mx), r->max, r->unit);
		if (strcmp(r->unit, "ns/op")) {
			/* Not a time: say what the number is. */
			snprintf(rate, sizeof(rate), "%s", r->unit);
		} else if (r->rate_unit[0]) {
			snprintf(rate, sizeof(rate), "%.0f%s", r->rate_med,
				 r->rate_unit);
		}
		if (vs_winsync_paired(r) > 0)
			snprintf(ratio, sizeof(ratio), "%.2f",
				 vs_winsync_paired(r));
		else if (vs_winsync(r) > 0)
			snprintf(ratio, sizeof(ratio), "%.2f", vs_winsync(r));
		if (vs_floor(r) > 0)
			snprintf(fl, sizeof(fl), "%.2f", vs_floor(r));
		fprintf(f, "%-28s %-10s %9s %9s %9s  %-14s %9s %8s  ",
			r->casename, r->mech, med, mn, mx, rate, ratio, fl);
		if (r->has_fair)
			fprintf(f, "fairness min/max %.2f [%.2f..%.2f] ",
				r->fair_med, r->fair_min, r->fair_max);
		fprintf(f, "%s\n", r->note);
	}

	fprintf(f, "\n== targets (reported, not tuned for)\n");
	for (int i = 0; i < ntargets; i++) {
		const struct target *t = &targets[i];

		fprintf(f, "%-4s %-54s %5.2f <= %-4.2f  %s\n",
			!t->known ? "?" : t->met ? "MET" : "MISS", t->name,
			t->value, t->limit, t->detail);
	}
}

static void write_json(FILE *f, double elapsed)
{
	fprintf(f, "{\n  \"tool\": \"winsync-bench\",\n  \"format\": 1,\n");
	fprintf(f, "  \"mode\": \"%s\",\n", opt.smoke ? "smoke" : "full");
	fprintf(f, "  \"system\": {\"kernel\": ");
	json_str(f, sys_kernel);
	fprintf(f, ", \"cpu\": ");
	json_str(f, sys_cpu);
	fprintf(f, ", \"ncpu\": %d, \"cmdline\": ", sys_ncpu);
	json_str(f, sys_cmdline);
	fprintf(f, ", \"winsync\": ");
	json_str(f, sys_ws);
	fprintf(f, "},\n  \"mechanisms\": [");
	for (int i = 0; i < M_COUNT; i++) {
		const struct mech *m = mechs[i];

		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_str(f, m->name);
		fprintf(f, ", \"what\": ");
		json_str(f, m->what);
		fprintf(f, ", \"state\": \"%s\", \"why\": ",
			m->state == 0 ? "ok" : m->state > 0 ? "absent" :
			"broken");
		json_str(f, m->why);
		fputc('}', f);
	}
	fprintf(f, "\n  ],\n  \"config\": {\"reps\": %d, \"target_s\": %g, "
		"\"names_max\": %ld, \"mem_objects\": %ld},\n", opt.reps,
		opt.target_s, opt.names_max, opt.mem_objects);
	fprintf(f, "  \"floor_ns\": ");
	json_num(f, floor_ns());
	fprintf(f, ",\n  \"elapsed_s\": %.1f,\n  \"results\": [", elapsed);
	for (int i = 0; i < nresults; i++) {
		const struct result *r = &results[i];

		fprintf(f, "%s\n    {\"scenario\": ", i ? "," : "");
		json_str(f, r->scenario);
		fprintf(f, ", \"case\": ");
		json_str(f, r->casename);
		fprintf(f, ", \"mech\": ");
		json_str(f, r->mech);
		if (r->failed || r->skipped[0]) {
			fprintf(f, ", \"%s\": ", r->failed ? "failed" :
				"skipped");
			json_str(f, r->skipped);
			fputc('}', f);
			continue;
		}
		fprintf(f, ", \"unit\": ");
		json_str(f, r->unit);
		fprintf(f, ", \"median\": ");
		json_num(f, r->med);
		fprintf(f, ", \"min\": ");
		json_num(f, r->min);
		fprintf(f, ", \"max\": ");
		json_num(f, r->max);
		fprintf(f, ", \"samples\": [");
		for (int k = 0; k < r->nsamp; k++) {
			fprintf(f, "%s", k ? ", " : "");
			json_num(f, r->samp[k]);
		}
		fputc(']', f);
		if (r->rate_unit[0]) {
			fprintf(f, ", \"rate_unit\": ");
			json_str(f, r->rate_unit);
			fprintf(f, ", \"rate_median\": ");
			json_num(f, r->rate_med);
			fprintf(f, ", \"rate_min\": ");
			json_num(f, r->rate_min);
			fprintf(f, ", \"rate_max\": ");
			json_num(f, r->rate_max);
		}
		if (r->has_fair) {
			fprintf(f, ", \"fairness_median\": ");
			json_num(f, r->fair_med);
			fprintf(f, ", \"fairness_min\": ");
			json_num(f, r->fair_min);
			fprintf(f, ", \"fairness_max\": ");
			json_num(f, r->fair_max);
		}
		if (vs_winsync(r) > 0) {
			fprintf(f, ", \"vs_winsync\": ");
			json_num(f, vs_winsync(r));
		}
		if (vs_winsync_paired(r) > 0) {
			fprintf(f, ", \"vs_winsync_paired\": ");
			json_num(f, vs_winsync_paired(r));
		}
		if (vs_floor(r) > 0) {
			fprintf(f, ", \"vs_floor\": ");
			json_num(f, vs_floor(r));
		}
		if (r->syscalls)
			fprintf(f, ", \"syscalls_per_op\": %d", r->syscalls);
		if (r->note[0]) {
			fprintf(f, ", \"note\": ");
			json_str(f, r->note);
		}
		if (r->extra[0])
			fprintf(f, ", %s", r->extra);
		fputc('}', f);
	}
	fprintf(f, "\n  ],\n  \"targets\": [");
	for (int i = 0; i < ntargets; i++) {
		const struct target *t = &targets[i];

		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_str(f, t->name);
		fprintf(f, ", \"value\": ");
		json_num(f, t->value);
		fprintf(f, ", \"limit\": ");
		json_num(f, t->limit);
		fprintf(f, ", \"met\": %s, \"detail\": ",
			!t->known ? "null" : t->met ? "true" : "false");
		json_str(f, t->detail);
		fputc('}', f);
	}
	fprintf(f, "\n  ],\n  \"failures\": %d\n}\n", nfailed);
}

/*
 * chart.dat for gnuplot: one block per chart group, one line per case,
 * columns "label" then median/min/max in microseconds for each mechanism
 * ("-" where missing).  Memory and names go to their own blocks.
 */
static const char *const chart_mechs[] = {
	"winsync", "ntsync", "futex", "eventfd", "posix", "winsync-saw",
	"floor",
};
#define NCHART (sizeof(chart_mechs) / sizeof(chart_mechs[0]))

static void write_dat_block(FILE *f, const char *title, bool (*want)(const
			    struct result *), double scale)
{
	const struct result *seen[128];
	int nseen = 0;

	fprintf(f, "# %s\n# case", title);
	for (size_t m = 0; m < NCHART; m++)
		fprintf(f, " %s min max", chart_mechs[m]);
	fputc('\n', f);
	for (int i = 0; i < nresults; i++) {
		const struct result *r = &results[i];
		bool dup = false;

		if (!want(r))
			continue;
		for (int k = 0; k < nseen; k++)
			if (!strcmp(seen[k]->casename, r->casename) &&
			    !strcmp(seen[k]->scenario, r->scenario))
				dup = true;
		if (dup || nseen == 128)
			continue;
		/* Only cases that some charted mechanism has. */
		dup = true;
		for (size_t m = 0; m < NCHART; m++)
			if (find(r->scenario, r->casename, chart_mechs[m]))
				dup = false;
		if (dup)
			continue;
		seen[nseen++] = r;
		fprintf(f, "\"%s: %s\"", r->scenario, r->casename);
		for (size_t m = 0; m < NCHART; m++) {
			const struct result *x = find(r->scenario, r->casename,
						      chart_mechs[m]);

			if (x && x->med > 0)
				fprintf(f, " %.6g %.6g %.6g", x->med / scale,
					x->min / scale, x->max / scale);
			else
				fprintf(f, " - - -");
		}
		fputc('\n', f);
	}
	fprintf(f, "\n\n");
}

static bool dat_time(const struct result *r)
{
	return !strcmp(r->unit, "ns/op") && strcmp(r->scenario, "names") &&
	       !r->skipped[0];
}

static bool dat_names(const struct result *r)
{
	return !strcmp(r->scenario, "names") && !r->skipped[0];
}

static bool dat_memory(const struct result *r)
{
	return !strcmp(r->scenario, "memory") && !r->skipped[0];
}

static void write_dat(FILE *f)
{
	write_dat_block(f, "time per operation, us", dat_time, 1e3);
	write_dat_block(f, "names, us per operation", dat_names, 1e3);
	write_dat_block(f, "memory, bytes per object", dat_memory, 1);
}

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "winsync-bench: %s: %s\n", path,
			strerror(errno));
	return f;
}

/* -------------------------------------------------------------------------
 */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: winsync-bench [OPTIONS]\n"
"\n"
"Compare winsync with ntsync, futexes, eventfds and POSIX semaphores.\n"
"Needs /dev/winsync; uses /dev/ntsync when present.  Run as root for the\n"
"names and memory scenarios at full size (RLIMIT_NOFILE, /proc/slabinfo).\n"
"\n"
"  --smoke           every scenario with tiny counts (seconds); exit 0 iff\n"
"                    everything that should work ran\n"
"  --reps N          repetitions per figure (default 11)\n"
"  --time S          seconds per timed measurement (default 0.1)\n"
"  --iters N         N operations per measurement instead of calibrating\n"
"                    to --time (for tracing)\n"
"  --only LIST       scenarios, comma-separated: floor, uncontended,\n"
"                    wait-any, wait-all, wait-all-storm, pingpong, contended,\n"
"                    names, memory\n"
"  --names-max N     largest live-name population (default 100000)\n"
"  --mem-objects N   objects per memory measurement (default 100000)\n"
"  --require LIST    mechanisms whose absence is a failure (default\n"
"                    winsync; e.g. winsync,ntsync)\n"
"  --out DIR         write results.json, results.txt, chart.dat into DIR\n"
"  --emit            also print those files on stdout, each between\n"
"                    \"@@BENCH-FILE name@@\" and \"@@BENCH-END@@\" lines\n"
"  --quiet           no progress on stderr\n"
"\n"
"Exit status: 0 all ran, 1 a mechanism that should work failed, 2 usage.\n");
}

static unsigned parse_require(const char *s)
{
	unsigned mask = 0;

	while (*s) {
		const char *e = strchrnul(s, ',');
		bool found = false;

		for (int i = 0; i < M_COUNT; i++) {
			if (strlen(mechs[i]->name) == (size_t)(e - s) &&
			    !strncmp(mechs[i]->name, s, (size_t)(e - s))) {
				mask |= 1u << i;
				found = true;
			}
		}
		if (!found) {
			fprintf(stderr, "winsync-bench: unknown mechanism in "
				"--require: %.*s\n", (int)(e - s), s);
			exit(2);
		}
		s = *e ? e + 1 : e;
	}
	return mask;
}

/*
 * make check runs a copy of this program named winsync_bench_smoke in the
 * VM, on every kernel: the smoke run, reported as one TAP test, so that a
 * change that breaks the benchmark fails the suite.  No figure is judged.
 */
static int smoke_as_test(void)
{
	int status = -1;
	bool ok;
	pid_t pid;

	printf("TAP version 13\n1..1\n");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "winsync-bench", "--smoke", (char *)NULL);
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &status, 0) < 0)
		status = -1;
	ok = pid > 0 && status != -1 && WIFEXITED(status) &&
	     WEXITSTATUS(status) == 0;
	printf("%s 1 bench_smoke\n", ok ? "ok" : "not ok");
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
	       ok, !ok);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "smoke", no_argument, NULL, 's' },
		{ "reps", required_argument, NULL, 'r' },
		{ "time", required_argument, NULL, 't' },
		{ "only", required_argument, NULL, 'o' },
		{ "names-max", required_argument, NULL, 'n' },
		{ "mem-objects", required_argument, NULL, 'm' },
		{ "require", required_argument, NULL, 'R' },
		{ "out", required_argument, NULL, 'O' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "emit", no_argument, NULL, 'E' },
		{ "iters", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *require = "winsync", *out = NULL;
	bool reps_set = false, emit = false;
	double elapsed;
	int c;

	if (!strcmp(basename(argv[0]), "winsync_bench_smoke"))
		return smoke_as_test();

	t_start = now_ns();
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			opt.smoke = true;
			break;
		case 'r':
			opt.reps = atoi(optarg);
			reps_set = true;
			if (opt.reps < 1 || opt.reps > MAX_REPS) {
				fprintf(stderr, "winsync-bench: --reps 1..%d\n",
					MAX_REPS);
				return 2;
			}
			break;
		case 't':
			opt.target_s = atof(optarg);
			break;
		case 'o':
			opt.only = optarg;
			break;
		case 'n':
			opt.names_max = atol(optarg);
			break;
		case 'm':
			opt.mem_objects = atol(optarg);
			break;
		case 'R':
			require = optarg;
			break;
		case 'O':
			out = optarg;
			break;
		case 'q':
			opt.quiet = true;
			break;
		case 'E':
			emit = true;
			break;
		case 'I':
			opt.iters = atol(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (opt.smoke) {
		if (!reps_set)
			opt.reps = 3;
		opt.target_s = 0.002;
		if (opt.names_max > 1000)
			opt.names_max = 1000;
		if (opt.mem_objects > 1000)
			opt.mem_objects = 1000;
	}
	opt.require = parse_require(require);
	setvbuf(stdout, NULL, _IOLBF, 0);

	mech_probe_all();
	for (int i = 0; i < M_COUNT; i++) {
		struct mech *m = mechs[i];

		if (m->state < 0) {
			fprintf(stderr, "winsync-bench: %s is BROKEN: %s\n",
				m->name, m->why);
			nfailed++;
		} else if (m->state > 0) {
			progress("%s: not available: %s", m->name, m->why);
			if (opt.require & (1u << i)) {
				fprintf(stderr, "winsync-bench: %s is required "
					"but not available: %s\n", m->name,
					m->why);
				nfailed++;
			}
		}
	}
	if (mechs[M_WINSYNC]->state) {
		fprintf(stderr, "winsync-bench: cannot run without winsync\n");
		return 1;
	}
	collect_system();

	/* The floor first: every other figure is compared with it. */
	if (scenario_wanted("floor") || !opt.only)
		scen_floor();
	floor_cached = floor_ns();
	if (scenario_wanted("uncontended"))
		scen_uncontended();
	if (scenario_wanted("wait-any"))
		scen_wait_any();
	if (scenario_wanted("wait-all"))
		scen_wait_all();
	if (scenario_wanted("wait-all-storm"))
		scen_wait_all_storm();
	if (scenario_wanted("pingpong"))
		scen_pingpong();
	if (scenario_wanted("contended"))
		scen_contended();
	if (scenario_wanted("names"))
		scen_names();
	if (scenario_wanted("memory"))
		scen_memory();

	compute_targets();
	elapsed = (double)(now_ns() - t_start) / 1e9;
	write_table(stdout);
	printf("\nelapsed: %.1f s; failures: %d\n", elapsed, nfailed);

	if (out) {
		FILE *f;

		if ((f = open_out(out, "results.json"))) {
			write_json(f, elapsed);
			fclose(f);
		}
		if ((f = open_out(out, "results.txt"))) {
			write_table(f);
			fprintf(f, "\nelapsed in the guest: %.1f s; failures: "
				"%d\n", elapsed, nfailed);
			fclose(f);
		}
		if ((f = open_out(out, "chart.dat"))) {
			write_dat(f);
			fclose(f);
		}
	}
	if (emit) {
		printf("@@BENCH-FILE results.json@@\n");
		write_json(stdout, elapsed);
		printf("@@BENCH-END@@\n@@BENCH-FILE results.txt@@\n");
		write_table(stdout);
		printf("\nelapsed in the guest: %.1f s; failures: %d\n",
		       elapsed, nfailed);
		printf("@@BENCH-END@@\n@@BENCH-FILE chart.dat@@\n");
		write_dat(stdout);
		printf("@@BENCH-END@@\n");
	}
	return nfailed ? 1 : 0;
}

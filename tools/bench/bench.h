/* SPDX-License-Identifier: GPL-2.0 */
/*
 * winsync-bench: shared declarations.
 *
 * winsync-bench.c  options, the measurement harness, JSON/table/chart output
 * mech.c           the mechanisms (winsync, ntsync, futex, eventfd, POSIX
 *                  semaphores) behind one table of operations
 * scenarios.c      the scenarios, each a set of interleaved measurements
 */
#ifndef WINSYNC_BENCH_H
#define WINSYNC_BENCH_H

#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_REPS	31
#define MAX_OBJS	64

/* -------------------------------------------------------------------------
 * Mechanisms
 */

enum mech_id {
	M_WINSYNC,
	M_NTSYNC,
	M_FUTEX,
	M_EVENTFD,
	M_POSIX,
	M_COUNT
};

/* One synchronization object of some mechanism. */
struct mobj {
	int fd;			/* winsync, ntsync, eventfd */
	void *shm;		/* futex: state in the shared arena */
	sem_t *psem;		/* posix */
	bool manual;		/* event: manual reset */
};

/* A prepared wait set (built once, outside the timed loop). */
struct wset {
	int n;
	struct mobj *objs;
	int fds[MAX_OBJS];
	uint32_t ufds[MAX_OBJS];
	void *pfds;		/* struct pollfd[n] */
	void *fwv;		/* struct futex_waitv[n] */
};

struct mech {
	enum mech_id id;
	const char *name;
	const char *what;	/* one line: what it is */
	/* Set by mech_probe(): 0 usable, else why not. */
	int state;		/* 0 ok, 1 absent (skip), -1 broken (fail) */
	char why[200];

	int (*sem_create)(struct mobj *o, unsigned count, unsigned max);
	int (*sem_acquire)(struct mobj *o);
	int (*sem_release)(struct mobj *o);
	int (*mutex_create)(struct mobj *o);
	int (*mutex_lock)(struct mobj *o);
	int (*mutex_unlock)(struct mobj *o);
	int (*event_create)(struct mobj *o, bool manual, bool signaled);
	int (*event_set)(struct mobj *o);
	int (*event_wait)(struct mobj *o);
	/* Signal @sig and wait for @w in one call (winsync only). */
	int (*signal_wait)(struct mobj *sig, struct mobj *w);
	void (*destroy)(struct mobj *o);

	int (*wset_prepare)(struct wset *ws);
	/* Returns the index that satisfied the wait, or -errno. */
	int (*wait_any)(struct wset *ws);
	int (*wait_all)(struct wset *ws);

	/* Why an operation is missing (or approximated), for the report. */
	const char *no_mutex, *no_event, *no_wait_any, *no_wait_all;
	const char *note_mutex, *note_event, *note_wait_any;
};

extern struct mech *mechs[M_COUNT];
void mech_probe_all(void);
void wset_free(struct wset *ws);

/* Raw winsync helpers used by the floor, names and memory scenarios. */
extern int ws_dev, nts_dev;
int ws_create_named(const char *name, size_t len, int *status);
int ws_open_named(const char *name, size_t len);
int ws_create_sem_fd(void);
int nts_create_sem_fd(void);

/* Set by SIGALRM: waits that loop on EINTR give up with -ETIMEDOUT. */
extern volatile sig_atomic_t alarm_fired;

/* futex_waitv availability (syscall 449), set by mech_probe_all(). */
extern bool have_futex_waitv;

/* -------------------------------------------------------------------------
 * Harness
 */

struct opts {
	bool smoke;
	int reps;
	double target_s;	/* seconds per timed measurement */
	const char *only;	/* comma-separated scenario names, or NULL */
	const char *json_path;
	const char *text_path;
	const char *dat_path;
	bool quiet;
	unsigned require;	/* mechanisms that must work (bit per mech_id) */
	long names_max;		/* largest name population */
	long mem_objects;
	long iters;		/* fixed iterations per measurement, 0 = calibrate */
};
extern struct opts opt;

/* A measured figure: one (scenario, case, mechanism). */
struct result {
	char scenario[24];
	char casename[48];
	char mech[16];
	char unit[16];		/* of the figure: "ns/op", "kB", ... */
	char rate_unit[16];	/* of the rate, "" if none */
	int nsamp;
	double samp[MAX_REPS];	/* cost per op in ns (or bytes for memory) */
	double med, min, max;
	double rate_med, rate_min, rate_max;
	/* Contended mutex: per-thread min/max acquisitions, fairness. */
	bool has_fair;
	double fair_med, fair_min, fair_max;
	char extra[256];	/* free-form JSON members, "" or "\"k\":v,..." */
	char note[200];		/* how the mechanism does it, if not obvious */
	char skipped[200];	/* non-empty: not measured, and why */
	bool failed;		/* a mechanism that should work failed */
	int syscalls;		/* kernel entries per op (winsync), 0 unknown */
	bool is_ratio_base;	/* include in vs_winsync ratios */
};

struct result *result_new(const char *scenario, const char *casename,
			  const char *mech, const char *unit);
void result_skip(const char *scenario, const char *casename,
		 const char *mech, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void result_fail(struct result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void result_finish(struct result *r);
bool scenario_wanted(const char *name);
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * One timed measurement: run @iters operations, return the elapsed
 * nanoseconds (>= 0) or -errno.
 */
typedef double (*measure_fn)(void *ctx, long iters);

struct cand {
	struct result *r;
	measure_fn fn;
	void *ctx;
	long iters;		/* 0: calibrate */
	double per_op;		/* divisor: operations per iteration */
	bool dead;
};

/* Calibrate every candidate, then run opt.reps interleaved repetitions. */
void run_interleaved(struct cand *c, int n);

uint64_t now_ns(void);
double floor_ns(void);

/* scenarios.c */
void scen_floor(void);
void scen_uncontended(void);
void scen_wait_any(void);
void scen_wait_all(void);
void scen_wait_all_storm(void);
void scen_pingpong(void);
void scen_contended(void);
void scen_names(void);
void scen_memory(void);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * Build-time guard: compiled only when the kernel's <linux/ntsync.h> is
 * available (the Makefile passes it with -include).  Fails the build if
 * ntsync-abi.h has drifted from the real ABI.  Produces no code.
 */
#include <stddef.h>
#include "ntsync-abi.h"

#ifndef NTSYNC_IOC_WAIT_ANY
#error "compile with -include /path/to/linux/ntsync.h"
#endif

#define SAME(a, b) _Static_assert((a) == (b), #a " != " #b)

SAME(NTS_IOC_CREATE_SEM, NTSYNC_IOC_CREATE_SEM);
SAME(NTS_IOC_WAIT_ANY, NTSYNC_IOC_WAIT_ANY);
SAME(NTS_IOC_WAIT_ALL, NTSYNC_IOC_WAIT_ALL);
SAME(NTS_IOC_CREATE_MUTEX, NTSYNC_IOC_CREATE_MUTEX);
SAME(NTS_IOC_CREATE_EVENT, NTSYNC_IOC_CREATE_EVENT);
SAME(NTS_IOC_SEM_RELEASE, NTSYNC_IOC_SEM_RELEASE);
SAME(NTS_IOC_MUTEX_UNLOCK, NTSYNC_IOC_MUTEX_UNLOCK);
SAME(NTS_IOC_EVENT_SET, NTSYNC_IOC_EVENT_SET);
SAME(NTS_IOC_EVENT_RESET, NTSYNC_IOC_EVENT_RESET);
SAME(NTS_IOC_SEM_READ, NTSYNC_IOC_SEM_READ);
SAME(NTS_IOC_MUTEX_READ, NTSYNC_IOC_MUTEX_READ);
SAME(NTS_IOC_EVENT_READ, NTSYNC_IOC_EVENT_READ);
SAME(NTS_MAX_WAIT, NTSYNC_MAX_WAIT_COUNT);

SAME(sizeof(struct nts_wait), sizeof(struct ntsync_wait_args));
SAME(offsetof(struct nts_wait, timeout), offsetof(struct ntsync_wait_args, timeout));
SAME(offsetof(struct nts_wait, objs), offsetof(struct ntsync_wait_args, objs));
SAME(offsetof(struct nts_wait, count), offsetof(struct ntsync_wait_args, count));
SAME(offsetof(struct nts_wait, index), offsetof(struct ntsync_wait_args, index));
SAME(offsetof(struct nts_wait, owner), offsetof(struct ntsync_wait_args, owner));
SAME(offsetof(struct nts_wait, alert), offsetof(struct ntsync_wait_args, alert));
SAME(offsetof(struct nts_sem, max), offsetof(struct ntsync_sem_args, max));
SAME(offsetof(struct nts_mutex, count), offsetof(struct ntsync_mutex_args, count));
SAME(offsetof(struct nts_event, signaled), offsetof(struct ntsync_event_args, signaled));

/* ISO C wants at least one declaration that is not an assertion. */
extern int winsync_bench_ntsync_check;

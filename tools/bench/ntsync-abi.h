/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few facts of the Linux ntsync ABI (/dev/ntsync, Linux 6.14+) that the
 * benchmark needs, written down here so that the tool builds anywhere.
 *
 * These are interface facts (field order and widths, ioctl numbers), not a
 * copy of the kernel's header.  Two guards keep them honest:
 *  - ntsync-check.c compares every number and size with the kernel's own
 *    <linux/ntsync.h> at build time when that header can be found
 *    (tools/bench/Makefile, NTSYNC_H=);
 *  - at run time, nts_selftest() in mech.c checks that each ioctl used here
 *    behaves as expected before any figure is taken, and the benchmark
 *    reports ntsync as broken (not skipped) if it does not.
 */
#ifndef WINSYNC_BENCH_NTSYNC_ABI_H
#define WINSYNC_BENCH_NTSYNC_ABI_H

#include <stdint.h>
#include <linux/ioctl.h>

/* Semaphore: current count, ceiling. */
struct nts_sem {
	uint32_t count;
	uint32_t max;
};

/* Mutex: owner id chosen by userspace (0 = unowned), recursion count. */
struct nts_mutex {
	uint32_t owner;
	uint32_t count;
};

/* Event: manual-reset flag, current state. */
struct nts_event {
	uint32_t manual;
	uint32_t signaled;
};

/* A wait over up to NTS_MAX_WAIT object fds, issued on the device fd. */
struct nts_wait {
	uint64_t timeout;	/* absolute ns, CLOCK_MONOTONIC; ~0 = forever */
	uint64_t objs;		/* user pointer to an array of __u32 fds */
	uint32_t count;
	uint32_t index;		/* out */
	uint32_t flags;		/* bit 0: timeout is CLOCK_REALTIME */
	uint32_t owner;		/* mutex owner id of the waiter; nonzero */
	uint32_t alert;		/* event fd, 0 = none */
	uint32_t pad;
};

#define NTS_MAX_WAIT		64
#define NTS_MAGIC		'N'

/* On the device fd; the create calls return the new object fd. */
#define NTS_IOC_CREATE_SEM	_IOW(NTS_MAGIC, 0x80, struct nts_sem)
#define NTS_IOC_WAIT_ANY	_IOWR(NTS_MAGIC, 0x82, struct nts_wait)
#define NTS_IOC_WAIT_ALL	_IOWR(NTS_MAGIC, 0x83, struct nts_wait)
#define NTS_IOC_CREATE_MUTEX	_IOW(NTS_MAGIC, 0x84, struct nts_mutex)
#define NTS_IOC_CREATE_EVENT	_IOW(NTS_MAGIC, 0x87, struct nts_event)

/* On an object fd. */
#define NTS_IOC_SEM_RELEASE	_IOWR(NTS_MAGIC, 0x81, uint32_t)
#define NTS_IOC_MUTEX_UNLOCK	_IOWR(NTS_MAGIC, 0x85, struct nts_mutex)
#define NTS_IOC_EVENT_SET	_IOR(NTS_MAGIC, 0x88, uint32_t)
#define NTS_IOC_EVENT_RESET	_IOR(NTS_MAGIC, 0x89, uint32_t)
#define NTS_IOC_SEM_READ	_IOR(NTS_MAGIC, 0x8b, struct nts_sem)
#define NTS_IOC_MUTEX_READ	_IOR(NTS_MAGIC, 0x8c, struct nts_mutex)
#define NTS_IOC_EVENT_READ	_IOR(NTS_MAGIC, 0x8d, struct nts_event)

_Static_assert(sizeof(struct nts_sem) == 8, "ntsync sem args are 8 bytes");
_Static_assert(sizeof(struct nts_mutex) == 8, "ntsync mutex args are 8 bytes");
_Static_assert(sizeof(struct nts_event) == 8, "ntsync event args are 8 bytes");
_Static_assert(sizeof(struct nts_wait) == 40, "ntsync wait args are 40 bytes");

#endif

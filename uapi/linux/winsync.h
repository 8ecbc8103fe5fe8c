/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * winsync: Windows-style synchronization objects as file descriptors.
 *
 * /dev/winsync creates semaphores, mutexes, events and waitable timers.  Every
 * object is reached through file descriptors ("handles"); each handle carries
 * its own access mask.  Waits over up to WINSYNC_MAX_WAIT_OBJECTS handles are
 * issued on a /dev/winsync descriptor.  Documentation/winsync.rst describes
 * every ioctl, field and error code.
 *
 * Rules for every structure below: fields are fixed size, user pointers are
 * __u64, and every pad, reserved field and unknown flag must be zero or the
 * call fails with EINVAL.  Output fields ("out:") are ignored on input.
 * Released structures never change; new behaviour comes with new ioctls or
 * with flags that old kernels reject.
 */
#ifndef _UAPI_LINUX_WINSYNC_H
#define _UAPI_LINUX_WINSYNC_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/* Bumped when ioctls or flags are added; old ones never change meaning. */
#define WINSYNC_ABI_VERSION		1

#define WINSYNC_MAX_WAIT_OBJECTS	64
/* Longest name in bytes, prefix included; no NUL terminator is passed. */
#define WINSYNC_NAME_MAX		1024
/* Absolute timeout meaning "wait forever". */
#define WINSYNC_TIMEOUT_INFINITE	(~(__u64)0)

/* Object types. */
#define WINSYNC_TYPE_SEM		1
#define WINSYNC_TYPE_MUTEX		2
#define WINSYNC_TYPE_EVENT		3
#define WINSYNC_TYPE_TIMER		4

/*
 * Access rights of a handle, with the Windows values.  Bit 0 is the query
 * right of every type (for a mutex it is also MUTEX_MODIFY_STATE, which
 * Windows reserves).  Bit 1 is EVENT_, SEMAPHORE_ and TIMER_MODIFY_STATE and
 * means nothing for a mutex: releasing an owned mutex needs no right.
 */
#define WINSYNC_ACCESS_QUERY_STATE	0x00000001
#define WINSYNC_ACCESS_MODIFY_STATE	0x00000002
#define WINSYNC_ACCESS_DELETE		0x00010000
#define WINSYNC_ACCESS_READ_CONTROL	0x00020000
#define WINSYNC_ACCESS_WRITE_DAC	0x00040000
#define WINSYNC_ACCESS_WRITE_OWNER	0x00080000
#define WINSYNC_ACCESS_SYNCHRONIZE	0x00100000
/* Every right an access mask may carry; a mutex drops MODIFY_STATE. */
#define WINSYNC_ACCESS_ALL		0x001f0003

/* Feature bits reported by WINSYNC_IOC_GET_INFO. */
#define WINSYNC_FEATURE_SEM		_BITULL(0)
#define WINSYNC_FEATURE_MUTEX		_BITULL(1)
#define WINSYNC_FEATURE_EVENT		_BITULL(2)
#define WINSYNC_FEATURE_TIMER		_BITULL(3)
#define WINSYNC_FEATURE_WAIT		_BITULL(4)
#define WINSYNC_FEATURE_NAMES		_BITULL(5)
#define WINSYNC_FEATURE_OWNER_DEATH	_BITULL(6)
#define WINSYNC_FEATURE_POLL		_BITULL(7)
#define WINSYNC_FEATURE_LIST		_BITULL(8)
#define WINSYNC_FEATURE_TRACE		_BITULL(9)

/**
 * struct winsync_info - what the loaded module is and can do
 * @abi_version:	WINSYNC_ABI_VERSION of the module
 * @version_major:	module release, major part
 * @version_minor:	module release, minor part
 * @version_patch:	module release, patch part
 * @features:		WINSYNC_FEATURE_* bits this module implements
 * @max_wait_objects:	WINSYNC_MAX_WAIT_OBJECTS
 * @max_name_len:	WINSYNC_NAME_MAX
 * @live_objects:	objects alive right now: in the whole system for a caller
 *			with CAP_SYS_ADMIN in the initial user namespace, else
 *			those charged to the caller's user
 * @max_user_objects:	limit of live objects per user (0: no limit)
 * @pad:		zero
 * @reserved:		zero
 */
struct winsync_info {
	__u32 abi_version;
	__u32 version_major;
	__u32 version_minor;
	__u32 version_patch;
	__u64 features;
	__u32 max_wait_objects;
	__u32 max_name_len;
	__u64 live_objects;
	__u32 max_user_objects;
	__u32 pad;
	__u64 reserved[4];
};

/* Flags of struct winsync_create_args and struct winsync_open_args. */
#define WINSYNC_CREATE_INHERIT		0x1	/* handle survives exec */
#define WINSYNC_CREATE_MANUAL_RESET	0x2	/* event, timer */
#define WINSYNC_CREATE_SIGNALED		0x4	/* event */
#define WINSYNC_CREATE_OWNED		0x8	/* mutex: caller owns it */

/* Status returned by create. */
#define WINSYNC_CREATED			0
#define WINSYNC_OPENED_EXISTING		1

/**
 * struct winsync_create_args - create an object, or open a named one
 * @type:	WINSYNC_TYPE_*
 * @flags:	WINSYNC_CREATE_*; flags that do not apply to @type are invalid
 * @access:	access mask of the new handle (WINSYNC_ACCESS_*)
 * @mode:	permission bits (0777) of a new named object
 * @name:	user pointer to the name bytes, or 0 for an unnamed object
 * @name_len:	length of the name in bytes; 0 when @name is 0
 * @pad:	zero
 * @sem_count:	semaphore: initial count (<= @sem_max); otherwise zero
 * @sem_max:	semaphore: maximum count (> 0); otherwise zero
 * @fd:		out: the new handle
 * @status:	out: WINSYNC_CREATED or WINSYNC_OPENED_EXISTING
 * @reserved:	zero
 */
struct winsync_create_args {
	__u32 type;
	__u32 flags;
	__u32 access;
	__u32 mode;
	__u64 name;
	__u32 name_len;
	__u32 pad;
	__u32 sem_count;
	__u32 sem_max;
	__s32 fd;
	__u32 status;
	__u64 reserved[4];
};

/**
 * struct winsync_open_args - open a named object
 * @type:	expected WINSYNC_TYPE_*
 * @flags:	WINSYNC_CREATE_INHERIT or zero
 * @access:	access mask requested for the new handle
 * @name_len:	length of the name in bytes
 * @name:	user pointer to the name bytes
 * @fd:		out: the new handle
 * @pad:	zero
 * @reserved:	zero
 */
struct winsync_open_args {
	__u32 type;
	__u32 flags;
	__u32 access;
	__u32 name_len;
	__u64 name;
	__s32 fd;
	__u32 pad;
	__u64 reserved[2];
};

/**
 * struct winsync_reopen_args - a new handle to the same object
 * @access:	access mask of the new handle, a subset of the old one's
 * @flags:	WINSYNC_CREATE_INHERIT or zero
 * @fd:		out: the new handle
 * @pad:	zero
 * @reserved:	zero
 */
struct winsync_reopen_args {
	__u32 access;
	__u32 flags;
	__s32 fd;
	__u32 pad;
	__u64 reserved[2];
};

/* Flags of struct winsync_obj_info. */
#define WINSYNC_INFO_NAMED		0x1
#define WINSYNC_INFO_MANUAL_RESET	0x2	/* event, timer */
#define WINSYNC_INFO_ABANDONED		0x4	/* mutex */
#define WINSYNC_INFO_OWNED_BY_CALLER	0x8	/* mutex */
#define WINSYNC_INFO_ACTIVE		0x10	/* timer armed */
#define WINSYNC_INFO_GLOBAL		0x20	/* named in Global\ */

/**
 * struct winsync_obj_info - state of an object, read through a handle
 * @type:	WINSYNC_TYPE_*
 * @access:	access mask of this handle
 * @signaled:	1 if the object is signaled (a mutex: unowned), else 0
 * @flags:	WINSYNC_INFO_*
 * @count:	semaphore: current count; mutex: recursion count
 * @max:	semaphore: maximum count
 * @owner_tid:	mutex: owner thread id in the caller's pid namespace; 0 if
 *		unowned or the owner is not visible there
 * @waiters:	waits queued on the object now (a wait-any that lists the
 *		object twice counts twice)
 * @uid:	owner uid of a named object, in the caller's user namespace
 * @gid:	owner gid of a named object, in the caller's user namespace
 * @mode:	permission bits of a named object
 * @pad:	zero
 * @timer_remaining_ns: timer: nanoseconds to the next expiry (0 if inactive)
 * @timer_period_ns: timer: period, 0 for a one-shot timer
 * @timer_expirations: timer: expirations since creation
 * @id:		the object's identity: unique while the module is loaded, the
 *		same through every handle, and the one trace events report
 * @reserved:	zero
 */
struct winsync_obj_info {
	__u32 type;
	__u32 access;
	__u32 signaled;
	__u32 flags;
	__u32 count;
	__u32 max;
	__u32 owner_tid;
	__u32 waiters;
	__u32 uid;
	__u32 gid;
	__u32 mode;
	__u32 pad;
	__u64 timer_remaining_ns;
	__u64 timer_period_ns;
	__u64 timer_expirations;
	__u64 id;
	__u64 reserved[3];
};

/**
 * struct winsync_list_entry - one named object, as WINSYNC_IOC_LIST sees it
 * @id:		as in struct winsync_obj_info
 * @type:	WINSYNC_TYPE_*
 * @flags:	WINSYNC_INFO_* (WINSYNC_INFO_NAMED is always set)
 * @signaled:	as in struct winsync_obj_info
 * @count:	as in struct winsync_obj_info
 * @max:	as in struct winsync_obj_info
 * @owner_tid:	as in struct winsync_obj_info
 * @waiters:	as in struct winsync_obj_info
 * @refs:	references to the object: its open handles, plus a transient
 *		one while the kernel works on it
 * @uid:	owner uid, in the caller's user namespace
 * @gid:	owner gid, in the caller's user namespace
 * @mode:	permission bits
 * @name_len:	bytes of @name used
 * @timer_expirations: timer: expirations since creation
 * @reserved:	zero
 * @name:	the name after its prefix, not NUL-terminated; the prefix is
 *		"Global\" with WINSYNC_INFO_GLOBAL, else "Local\"
 */
struct winsync_list_entry {
	__u64 id;
	__u32 type;
	__u32 flags;
	__u32 signaled;
	__u32 count;
	__u32 max;
	__u32 owner_tid;
	__u32 waiters;
	__u32 refs;
	__u32 uid;
	__u32 gid;
	__u32 mode;
	__u32 name_len;
	__u64 timer_expirations;
	__u64 reserved[2];
	char name[WINSYNC_NAME_MAX];
};

/**
 * struct winsync_list_args - list the named objects the caller could open
 * @entries:	user pointer to an array of @capacity entries
 * @capacity:	entries the array holds (may be 0 to learn @total)
 * @flags:	zero
 * @count:	out: entries written
 * @total:	out: named objects visible to the caller; larger than @count
 *		when the array was too small (counted during the walk: a name
 *		closed and created again meanwhile may count twice)
 * @reserved:	zero
 */
struct winsync_list_args {
	__u64 entries;
	__u32 capacity;
	__u32 flags;
	__u32 count;
	__u32 total;
	__u64 reserved[2];
};

/* Flags of struct winsync_timer_args. */
#define WINSYNC_TIMER_ABSOLUTE		0x1	/* @due is CLOCK_REALTIME */
/*
 * Shortest period of a periodic timer (1 ms, Windows' own timer
 * resolution); TIMER_SET fails with EINVAL for periods in (0, 1 ms).
 */
#define WINSYNC_TIMER_MIN_PERIOD_NS	1000000

/**
 * struct winsync_timer_args - arm a waitable timer
 * @due:	without WINSYNC_TIMER_ABSOLUTE: nanoseconds from now, measured
 *		on CLOCK_MONOTONIC (>= 0); with it: CLOCK_REALTIME nanoseconds
 *		since the epoch (a time in the past fires at once)
 * @period_ns:	period in nanoseconds, 0 for a one-shot timer, else at
 *		least WINSYNC_TIMER_MIN_PERIOD_NS
 * @slack_ns:	tolerable delay in nanoseconds (>= 0)
 * @flags:	WINSYNC_TIMER_*
 * @pad:	zero
 * @reserved:	zero
 */
struct winsync_timer_args {
	__s64 due;
	__s64 period_ns;
	__s64 slack_ns;
	__u32 flags;
	__u32 pad;
	__u64 reserved[2];
};

/* Flags of struct winsync_wait_args. */
#define WINSYNC_WAIT_ALL		0x1	/* all at once, else any */
#define WINSYNC_WAIT_REALTIME		0x2	/* @timeout on CLOCK_REALTIME */
#define WINSYNC_WAIT_ALERT		0x4	/* @alert is valid */
#define WINSYNC_WAIT_SIGNAL		0x8	/* signal @signal first */

/* Status of a completed wait. */
#define WINSYNC_WAIT_STATUS_OBJECT	0	/* objs[index] satisfied it */
#define WINSYNC_WAIT_STATUS_ABANDONED	1	/* ... and was an abandoned mutex */
#define WINSYNC_WAIT_STATUS_ALERTED	2	/* the alert event; index == count */

/**
 * struct winsync_wait_args - wait for one or all of several objects
 * @objs:	user pointer to an array of @count __s32 handles
 * @count:	1..WINSYNC_MAX_WAIT_OBJECTS (0 allowed with WINSYNC_WAIT_ALERT)
 * @flags:	WINSYNC_WAIT_*
 * @timeout:	absolute time in ns on CLOCK_MONOTONIC (or CLOCK_REALTIME),
 *		or WINSYNC_TIMEOUT_INFINITE; a time in the past polls
 * @alert:	with WINSYNC_WAIT_ALERT, an event handle that ends the wait
 *		when signaled; else zero
 * @signal:	with WINSYNC_WAIT_SIGNAL, a handle to signal before waiting
 *		(semaphore +1, event set, mutex release); else zero
 * @index:	out: index of the object that satisfied a wait-any; for a
 *		wait-all 0, or the lowest index of an abandoned mutex
 * @status:	out: WINSYNC_WAIT_STATUS_*
 * @reserved:	zero
 */
struct winsync_wait_args {
	__u64 objs;
	__u32 count;
	__u32 flags;
	__u64 timeout;
	__s32 alert;
	__s32 signal;
	__u32 index;
	__u32 status;
	__u64 reserved[2];
};

#define WINSYNC_IOC_MAGIC		0xf7

/* On a /dev/winsync descriptor. */
#define WINSYNC_IOC_GET_INFO		_IOR(WINSYNC_IOC_MAGIC, 0x00, struct winsync_info)
#define WINSYNC_IOC_CREATE		_IOWR(WINSYNC_IOC_MAGIC, 0x01, struct winsync_create_args)
#define WINSYNC_IOC_OPEN		_IOWR(WINSYNC_IOC_MAGIC, 0x02, struct winsync_open_args)
#define WINSYNC_IOC_WAIT		_IOWR(WINSYNC_IOC_MAGIC, 0x03, struct winsync_wait_args)
#define WINSYNC_IOC_LIST		_IOWR(WINSYNC_IOC_MAGIC, 0x04, struct winsync_list_args)

/* On an object handle. */
#define WINSYNC_IOC_QUERY		_IOR(WINSYNC_IOC_MAGIC, 0x10, struct winsync_obj_info)
#define WINSYNC_IOC_REOPEN		_IOWR(WINSYNC_IOC_MAGIC, 0x11, struct winsync_reopen_args)
#define WINSYNC_IOC_SEM_RELEASE		_IOWR(WINSYNC_IOC_MAGIC, 0x20, __u32)
#define WINSYNC_IOC_MUTEX_RELEASE	_IOR(WINSYNC_IOC_MAGIC, 0x21, __u32)
#define WINSYNC_IOC_EVENT_SET		_IOR(WINSYNC_IOC_MAGIC, 0x22, __u32)
#define WINSYNC_IOC_EVENT_RESET		_IOR(WINSYNC_IOC_MAGIC, 0x23, __u32)
#define WINSYNC_IOC_EVENT_PULSE		_IOR(WINSYNC_IOC_MAGIC, 0x24, __u32)
#define WINSYNC_IOC_TIMER_SET		_IOW(WINSYNC_IOC_MAGIC, 0x25, struct winsync_timer_args)
#define WINSYNC_IOC_TIMER_CANCEL	_IOR(WINSYNC_IOC_MAGIC, 0x26, __u32)

#endif /* _UAPI_LINUX_WINSYNC_H */

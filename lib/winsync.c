// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwinsync: one function per /dev/winsync operation.
 *
 * Each function fills the ioctl structure (every pad and reserved field
 * zero), issues one ioctl and returns a non-negative value or -errno.  It
 * checks only what is cheap and certain here (a NULL pointer, an over-long
 * name); everything else is the kernel's to decide, so the library never
 * disagrees with the module it runs against.  No state, no locks: every
 * function is safe to call from any thread.
 */
#define _POSIX_C_SOURCE 200809L	/* O_CLOEXEC, strnlen, clock_gettime */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <winsync/winsync.h>

#define WINSYNC_EXPORT __attribute__((visibility("default")))

/* Handles go to the kernel as __s32 arrays; int must be the same thing. */
_Static_assert(sizeof(int) == sizeof(__s32), "int is not 32 bits");

/* Access of the handles that the *_create() helpers return. */
#define ACCESS_FULL		WINSYNC_ACCESS_ALL
/* A mutex has no MODIFY_STATE right (releasing needs none). */
#define ACCESS_FULL_MUTEX	(WINSYNC_ACCESS_ALL & ~WINSYNC_ACCESS_MODIFY_STATE)

static int do_ioctl(int fd, unsigned long request, void *arg)
{
	int ret = ioctl(fd, request, arg);

	return ret < 0 ? -errno : ret;
}

/* For the ioctls that hand back one __u32. */
static int ioctl_u32(int obj, unsigned long request, uint32_t *out)
{
	__u32 val = 0;
	int ret = do_ioctl(obj, request, &val);

	if (ret < 0)
		return ret;
	if (out)
		*out = val;
	return 0;
}

WINSYNC_EXPORT int winsync_open_device(void)
{
	int fd = open(WINSYNC_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

WINSYNC_EXPORT int winsync_get_info(int dev, struct winsync_info *info)
{
	int ret;

	if (!info)
		return -EFAULT;
	ret = do_ioctl(dev, WINSYNC_IOC_GET_INFO, info);
	return ret < 0 ? ret : 0;
}

WINSYNC_EXPORT int winsync_create(int dev, struct winsync_create_args *args)
{
	int ret;

	if (!args)
		return -EFAULT;
	/* Outputs, which the kernel wants zero: a reused structure works. */
	args->fd = 0;
	args->status = 0;
	ret = do_ioctl(dev, WINSYNC_IOC_CREATE, args);
	return ret < 0 ? ret : args->fd;
}

static int create_unnamed(int dev, uint32_t type, uint32_t flags,
			  uint32_t access, uint32_t count, uint32_t max)
{
	struct winsync_create_args args = {
		.type = type,
		.flags = flags,
		.access = access,
		.sem_count = count,
		.sem_max = max,
	};

	return winsync_create(dev, &args);
}

WINSYNC_EXPORT int winsync_sem_create(int dev, uint32_t count, uint32_t max,
				      uint32_t flags)
{
	return create_unnamed(dev, WINSYNC_TYPE_SEM, flags, ACCESS_FULL,
			      count, max);
}

WINSYNC_EXPORT int winsync_mutex_create(int dev, uint32_t flags)
{
	return create_unnamed(dev, WINSYNC_TYPE_MUTEX, flags,
			      ACCESS_FULL_MUTEX, 0, 0);
}

WINSYNC_EXPORT int winsync_event_create(int dev, uint32_t flags)
{
	return create_unnamed(dev, WINSYNC_TYPE_EVENT, flags, ACCESS_FULL,
			      0, 0);
}

WINSYNC_EXPORT int winsync_timer_create(int dev, uint32_t flags)
{
	return create_unnamed(dev, WINSYNC_TYPE_TIMER, flags, ACCESS_FULL,
			      0, 0);
}

WINSYNC_EXPORT int winsync_open(int dev, uint32_t type, const char *name,
				uint32_t access, uint32_t flags)
{
	struct winsync_open_args args = {
		.type = type,
		.flags = flags,
		.access = access,
	};
	size_t len;
	int ret;

	if (!name)
		return -EINVAL;
	len = strnlen(name, WINSYNC_NAME_MAX + 1);
	if (len > WINSYNC_NAME_MAX)
		return -ENAMETOOLONG;
	args.name = (uintptr_t)name;
	args.name_len = len;

	ret = do_ioctl(dev, WINSYNC_IOC_OPEN, &args);
	return ret < 0 ? ret : args.fd;
}

WINSYNC_EXPORT int winsync_reopen(int obj, uint32_t access, uint32_t flags)
{
	struct winsync_reopen_args args = {
		.access = access,
		.flags = flags,
	};
	int ret = do_ioctl(obj, WINSYNC_IOC_REOPEN, &args);

	return ret < 0 ? ret : args.fd;
}

WINSYNC_EXPORT int winsync_query(int obj, struct winsync_obj_info *info)
{
	int ret;

	if (!info)
		return -EFAULT;
	ret = do_ioctl(obj, WINSYNC_IOC_QUERY, info);
	return ret < 0 ? ret : 0;
}

WINSYNC_EXPORT int winsync_sem_release(int obj, uint32_t n, uint32_t *prev)
{
	__u32 val = n;
	int ret = do_ioctl(obj, WINSYNC_IOC_SEM_RELEASE, &val);

	if (ret < 0)
		return ret;
	if (prev)
		*prev = val;
	return 0;
}

WINSYNC_EXPORT int winsync_mutex_release(int obj, uint32_t *prev)
{
	return ioctl_u32(obj, WINSYNC_IOC_MUTEX_RELEASE, prev);
}

WINSYNC_EXPORT int winsync_event_set(int obj, uint32_t *prev)
{
	return ioctl_u32(obj, WINSYNC_IOC_EVENT_SET, prev);
}

WINSYNC_EXPORT int winsync_event_reset(int obj, uint32_t *prev)
{
	return ioctl_u32(obj, WINSYNC_IOC_EVENT_RESET, prev);
}

WINSYNC_EXPORT int winsync_event_pulse(int obj, uint32_t *prev)
{
	return ioctl_u32(obj, WINSYNC_IOC_EVENT_PULSE, prev);
}

WINSYNC_EXPORT int winsync_timer_set(int obj,
				     const struct winsync_timer_args *args)
{
	struct winsync_timer_args copy;
	int ret;

	if (!args)
		return -EFAULT;
	/* The ioctl only reads it; a copy keeps the caller's const honest. */
	copy = *args;
	ret = do_ioctl(obj, WINSYNC_IOC_TIMER_SET, &copy);
	return ret < 0 ? ret : 0;
}

WINSYNC_EXPORT int winsync_timer_cancel(int obj, uint32_t *was_active)
{
	return ioctl_u32(obj, WINSYNC_IOC_TIMER_CANCEL, was_active);
}

WINSYNC_EXPORT int winsync_wait(int dev, struct winsync_wait_args *args)
{
	int ret;

	if (!args)
		return -EFAULT;
	/* Outputs, which the kernel wants zero: a reused structure works. */
	args->index = 0;
	args->status = 0;
	ret = do_ioctl(dev, WINSYNC_IOC_WAIT, args);
	return ret < 0 ? ret : 0;
}

/* The helpers: returns the status, and the index through *index if wanted. */
static int wait_helper(int dev, const int *objs, uint32_t count,
		       uint32_t flags, int signal_obj, uint64_t deadline_ns,
		       uint32_t *index)
{
	struct winsync_wait_args args = {
		.objs = (uintptr_t)objs,
		.count = count,
		.flags = flags,
		.timeout = deadline_ns,
		.signal = signal_obj,
	};
	int ret;

	if (!objs)
		return -EFAULT;
	ret = winsync_wait(dev, &args);
	if (ret < 0)
		return ret;
	if (index)
		*index = args.index;
	return (int)args.status;
}

WINSYNC_EXPORT int winsync_wait_one(int dev, int obj, uint64_t deadline_ns)
{
	return wait_helper(dev, &obj, 1, 0, 0, deadline_ns, NULL);
}

WINSYNC_EXPORT int winsync_wait_any(int dev, const int *objs, uint32_t count,
				    uint64_t deadline_ns, uint32_t *index)
{
	return wait_helper(dev, objs, count, 0, 0, deadline_ns, index);
}

WINSYNC_EXPORT int winsync_wait_all(int dev, const int *objs, uint32_t count,
				    uint64_t deadline_ns)
{
	return wait_helper(dev, objs, count, WINSYNC_WAIT_ALL, 0, deadline_ns,
			   NULL);
}

WINSYNC_EXPORT int winsync_signal_and_wait(int dev, int signal_obj,
					   int wait_obj, uint64_t deadline_ns)
{
	return wait_helper(dev, &wait_obj, 1, WINSYNC_WAIT_SIGNAL, signal_obj,
			   deadline_ns, NULL);
}

WINSYNC_EXPORT uint64_t winsync_deadline_after_ns(int64_t ns)
{
	struct timespec ts;
	uint64_t now;

	/* CLOCK_MONOTONIC cannot fail; if it ever did, 0 means "poll". */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return 0;
	now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (ns <= 0)
		return now;
	/*
	 * Saturate: past INT64_MAX nanoseconds (292 years of uptime) is no
	 * deadline at all, and the kernel treats it as such anyway.
	 */
	if (now > (uint64_t)INT64_MAX ||
	    (uint64_t)ns > (uint64_t)INT64_MAX - now)
		return WINSYNC_TIMEOUT_INFINITE;
	return now + (uint64_t)ns;
}

WINSYNC_EXPORT uint64_t winsync_deadline_after_ms(int64_t ms)
{
	if (ms > INT64_MAX / 1000000)
		return WINSYNC_TIMEOUT_INFINITE;
	if (ms < 0)
		ms = 0;
	return winsync_deadline_after_ns(ms * 1000000);
}

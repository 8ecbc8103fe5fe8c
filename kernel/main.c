// SPDX-License-Identifier: GPL-2.0
/*
 * winsync: Windows-style synchronization objects (semaphores, mutexes,
 * events, waitable timers) as file descriptors, behind the /dev/winsync misc device.
 *
 * The device creates objects and runs waits; objects are operated on
 * through their own descriptors.  Documentation/winsync.rst is the
 * userspace reference; winsync.h describes the object model and locking.
 */

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "winsync.h"

#define CREATE_TRACE_POINTS
#include "winsync_trace.h"

#define WINSYNC_FEATURES (WINSYNC_FEATURE_SEM | WINSYNC_FEATURE_MUTEX | \
			  WINSYNC_FEATURE_EVENT | WINSYNC_FEATURE_TIMER | \
			  WINSYNC_FEATURE_WAIT | WINSYNC_FEATURE_NAMES | \
			  WINSYNC_FEATURE_OWNER_DEATH | WINSYNC_FEATURE_POLL | \
			  WINSYNC_FEATURE_LIST | WINSYNC_FEATURE_TRACE)

/*
 * /sys/module/winsync/parameters/live_objects: the count of all objects,
 * readable without opening the device (for leak checks around tests), never
 * writable.  Only root may read it: one container must not watch another's
 * activity.
 */
static int live_objects_get(char *buffer, const struct kernel_param *kp)
{
	return scnprintf(buffer, PAGE_SIZE, "%lld\n",
			 (long long)atomic64_read(&winsync_live_objects));
}

static const struct kernel_param_ops live_objects_ops = {
	.get = live_objects_get,
};

module_param_cb(live_objects, &live_objects_ops, NULL, 0400);
MODULE_PARM_DESC(live_objects, "Objects alive now, in all namespaces (read-only, root only)");

/*
 * GET_INFO's live_objects: the whole system's count for CAP_SYS_ADMIN in the
 * initial user namespace, else the count charged to the caller's user (see
 * names.c), so that no user learns of others' activity.
 */
static u64 live_objects_for_caller(void)
{
	if (ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN))
		return atomic64_read(&winsync_live_objects);
	return winsync_user_objects();
}

static long winsync_ioctl_get_info(void __user *argp)
{
	struct winsync_info info = {
		.abi_version = WINSYNC_ABI_VERSION,
		.version_major = WINSYNC_VERSION_MAJOR,
		.version_minor = WINSYNC_VERSION_MINOR,
		.version_patch = WINSYNC_VERSION_PATCH,
		.features = WINSYNC_FEATURES,
		.max_wait_objects = WINSYNC_MAX_WAIT_OBJECTS,
		.max_name_len = WINSYNC_NAME_MAX,
		.live_objects = live_objects_for_caller(),
		.max_user_objects = winsync_max_user_objects(),
	};

	if (copy_to_user(argp, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long winsync_dev_ioctl(struct file *file, unsigned int cmd,
			      unsigned long parm)
{
	void __user *argp = (void __user *)parm;

	switch (cmd) {
	case WINSYNC_IOC_GET_INFO:
		return winsync_ioctl_get_info(argp);
	case WINSYNC_IOC_CREATE:
		return winsync_ioctl_create(argp);
	case WINSYNC_IOC_OPEN:
		return winsync_ioctl_open(argp);
	case WINSYNC_IOC_WAIT:
		return winsync_ioctl_wait(argp);
	case WINSYNC_IOC_LIST:
		return winsync_ioctl_list(argp);
	}
	return -ENOIOCTLCMD;
}

static const struct file_operations winsync_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= nonseekable_open,
	.unlocked_ioctl	= winsync_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice winsync_misc = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= "winsync",
	.fops		= &winsync_dev_fops,
	.mode		= 0666,
};

static int __init winsync_init(void)
{
	int ret;

	ret = winsync_names_init();
	if (ret)
		return ret;
	ret = winsync_owner_init();
	if (ret)
		goto err_names;
	ret = misc_register(&winsync_misc);
	if (ret)
		goto err_owner;
	pr_info("winsync: version %s loaded\n", WINSYNC_VERSION);
	return 0;

err_owner:
	winsync_owner_exit();
err_names:
	winsync_names_exit();
	return ret;
}

static void __exit winsync_exit(void)
{
	misc_deregister(&winsync_misc);
	winsync_owner_exit();
	winsync_names_exit();
}

module_init(winsync_init);
module_exit(winsync_exit);

MODULE_DESCRIPTION("Windows-style synchronization objects as file descriptors");
MODULE_LICENSE("GPL");
MODULE_VERSION(WINSYNC_VERSION);

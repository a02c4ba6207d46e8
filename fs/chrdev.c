/* The device-node table, character and block (see chrdev.h). */
#include "fs/chrdev.h"
#include "errno.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "kstring.h"
#include "printk.h"

#define CHRDEV_MAX 24u

static struct chrdev {
    const char *name;
    enum vnode_type type; /* VNODE_CHR or VNODE_BLK: the two number spaces are separate */
    uint32_t rdev, perm;
    chrdev_open_fn open;
} devices[CHRDEV_MAX];
static uint32_t ndevices;

static int device_register(const char *name, enum vnode_type type, uint32_t rdev, uint32_t perm, chrdev_open_fn open)
{
    for (uint32_t i = 0; i < ndevices; i++)
        if (devices[i].type == type && devices[i].rdev == rdev)
            return -EEXIST;
    if (ndevices == CHRDEV_MAX)
        return -ENOMEM;
    devices[ndevices++] = (struct chrdev){name, type, rdev, perm, open};
    return 0;
}

int chrdev_register(const char *name, uint32_t rdev, uint32_t perm, chrdev_open_fn open)
{
    return device_register(name, VNODE_CHR, rdev, perm, open);
}

int blkdev_node_register(const char *name, uint32_t rdev, uint32_t perm, chrdev_open_fn open)
{
    return device_register(name, VNODE_BLK, rdev, perm, open);
}

void chrdev_make_nodes(void)
{
    struct vnode *dev;
    if (vfs_lookup("/dev", NULL, true, &dev) != 0 || dev->type != VNODE_DIR)
        return;
    for (uint32_t i = 0; i < ndevices; i++) {
        struct vnode *v;
        uint32_t len = (uint32_t)strlen(devices[i].name);
        if (dir_find(dev, devices[i].name, len))
            continue; /* the archive's own node, or made before */
        if (vfs_create(dev, devices[i].name, len, devices[i].type, devices[i].perm, 0, 0, &v) == 0)
            v->rdev = devices[i].rdev;
        else
            kprintf("chrdev: could not make /dev/%s\n", devices[i].name);
    }
}

int chrdev_open(struct vnode *v, uint32_t flags, struct file **out)
{
    for (uint32_t i = 0; i < ndevices; i++) {
        if (devices[i].type != v->type || devices[i].rdev != v->rdev)
            continue;
        int err = devices[i].open(v->rdev, flags, out);
        if (!err && !(*out)->vnode) {
            (*out)->vnode = v; /* fstat and /proc see the node it was opened through */
            vnode_ref(v);
        }
        return err;
    }
    return -ENXIO;
}

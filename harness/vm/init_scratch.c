// SPDX-License-Identifier: MIT
/*
 * The guest's scratch disks (isocheck-vm gives them as virtio disks, harness/vm/scratch.c):
 * the first holds ext4, mounted at /var/tmp where the memory cases make reclaimable page
 * cache; the second is swap, switched on with swapon(2).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <time.h>

#include "init.h"

#define SCRATCH_DEV "/dev/vda"
#define SWAP_DEV "/dev/vdb"
#define SCRATCH_DIR "/var/tmp"

/* Block device nodes appear in devtmpfs once the driver has probed the disk, which may
 * be a moment after its module loaded: wait for @dev up to 5 s, polled every 20 ms. */
static void wait_for(const char *dev)
{
        struct stat st;
        for (int i = 0; i < 250 && stat(dev, &st) < 0; i++)
                nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
}

int iso_init_scratch(char *said, size_t size)
{
        struct stat st;
        int rc = 0;
        size_t len = 0;

        said[0] = '\0';
        wait_for(SCRATCH_DEV);
        wait_for(SWAP_DEV);
        mkdir("/var", 0755); /* the initramfs may have no /var */
        mkdir(SCRATCH_DIR, 01777);
        if (stat(SCRATCH_DEV, &st) == 0 && S_ISBLK(st.st_mode) &&
            mount(SCRATCH_DEV, SCRATCH_DIR, "ext4", MS_NOSUID | MS_NODEV, NULL) == 0) {
                chmod(SCRATCH_DIR, 01777);
                len += (size_t)snprintf(said + len, size - len, "scratch disk %s (ext4) on %s",
                                        SCRATCH_DEV, SCRATCH_DIR);
        } else {
                len += (size_t)snprintf(said + len, size - len,
                                        "no scratch disk (%s, ext4 on %s: %s)", SCRATCH_DEV,
                                        SCRATCH_DIR, strerror(errno));
                rc = -1;
        }
        if (len >= size)
                return -1;
        if (stat(SWAP_DEV, &st) == 0 && S_ISBLK(st.st_mode) && swapon(SWAP_DEV, 0) == 0) {
                snprintf(said + len, size - len, "; swap on %s", SWAP_DEV);
        } else {
                snprintf(said + len, size - len, "; no swap (%s: %s)", SWAP_DEV, strerror(errno));
                rc = -1;
        }
        return rc;
}

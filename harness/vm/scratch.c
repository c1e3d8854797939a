// SPDX-License-Identifier: MIT
/*
 * The guest's scratch disks: an ext4 disk the guest mounts at /var/tmp, where the memory
 * cases make page cache the kernel can reclaim (on the initramfs's tmpfs a file's pages
 * are swap-backed, and a raw block device's page cache is not charged to the writer's
 * cgroup, so reclaim and protection would pass or fail for the wrong reason), and a swap
 * disk, so the swap cases have swap (cgroup-v2.rst "memory.swap.max"). Both are sparse
 * files in the work directory, given to qemu as virtio disks and removed after the boot.
 */
#include "isocheck/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/tool.h"

/* Sparse files: only what a case writes takes room on the host. */
static int make_sparse(const char *path, long long bytes, struct iso_err *e)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return iso_errf(e, errno, "create the scratch disk %s exclusively", path);
        int rc = ftruncate(fd, bytes) < 0 ? iso_errf(e, errno, "size %s to %lld bytes", path, bytes)
                                          : 0;
        close(fd);
        if (rc < 0)
                unlink(path);
        return rc;
}

/* Run @argv (20 s at most); 0 when it exits 0, else -1 with @e saying what it was for. */
static int run_tool(char *const argv[], const char *what, struct iso_err *e)
{
        char out[512];
        struct iso_err te = {0};
        int st = iso_tool_run(argv, NULL, out, sizeof(out), 20.0, NULL, &te);
        if (st == 0)
                return 0;
        out[strcspn(out, "\n")] = '\0';
        return iso_errf(e, st < 0 ? te.errnum : EIO, "expected %s to %s, but %s", argv[0], what,
                        st < 0 ? te.msg : out);
}

int iso_vm_scratch_make(const char *work, const char *tag, struct iso_vm_scratch *s,
                        struct iso_err *e)
{
        memset(s, 0, sizeof(*s));
        if (iso_pathf(s->disk, sizeof(s->disk), "%s/scratch-%s.img", work, tag) < 0 ||
            iso_pathf(s->swap, sizeof(s->swap), "%s/swap-%s.img", work, tag) < 0)
                return iso_errf(e, ENAMETOOLONG, "scratch disk paths under %s", work);
        unlink(s->disk);
        unlink(s->swap);
        if (make_sparse(s->disk, ISO_VM_SCRATCH_BYTES, e) < 0) {
                s->disk[0] = s->swap[0] = '\0';
                return -1;
        }
        /* No journal: the disk dies with the boot, and the cases' writes stay cheap; no
         * metadata checksums: ext4 would then need the crc32c module at mount time. */
        char *mkfs[] = {"mkfs.ext4",
                        "-q",
                        "-F",
                        "-O",
                        "^has_journal,^metadata_csum",
                        "-E",
                        "nodiscard,lazy_itable_init=1",
                        s->disk,
                        NULL};
        if (run_tool(mkfs, "make an ext4 filesystem on the scratch disk", e) < 0) {
                unlink(s->disk);
                s->disk[0] = s->swap[0] = '\0';
                return -1;
        }
        if (make_sparse(s->swap, ISO_VM_SWAP_BYTES, e) < 0) {
                s->swap[0] = '\0';
                return -1;
        }
        /* mkswap(8) writes the signature swapon(2) needs. */
        char *mkswap[] = {"mkswap", "-q", s->swap, NULL};
        if (run_tool(mkswap, "write a swap signature", e) < 0) {
                unlink(s->swap);
                s->swap[0] = '\0';
                return -1;
        }
        return 0;
}

void iso_vm_scratch_remove(struct iso_vm_scratch *s)
{
        if (s->disk[0])
                unlink(s->disk);
        if (s->swap[0])
                unlink(s->swap);
        s->disk[0] = s->swap[0] = '\0';
}

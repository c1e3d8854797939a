// SPDX-License-Identifier: MIT
/*
 * /init of the VM floor's initramfs: power the machine off at once, so qemu's run time is
 * the bare boot of the kernel under test (firmware, decompression, init) and nothing else.
 */
#include <sys/reboot.h>
#include <unistd.h>

int main(void)
{
        sync();
        reboot(RB_POWER_OFF);
        /* Not permitted or not supported: PID 1 exiting panics, and with panic=-1 and
         * qemu's -no-reboot the machine stops all the same. */
        return 1;
}

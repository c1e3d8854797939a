#!/bin/sh
# Fill the parameters of isocheck-job.yaml:
#   dist/lava/render-job.sh NAME KERNEL_URL RAMDISK_URL CGROUP CMDLINE > job.yaml
# CMDLINE is what `isocheck-vm --build-initramfs` printed for CGROUP (v1 or v2).
set -eu
if [ $# -ne 5 ]; then
        echo "usage: $0 JOB_NAME KERNEL_URL RAMDISK_URL v1|v2 CMDLINE" >&2
        exit 2
fi
case $4 in v1 | v2) ;; *) echo "$0: the cgroup mode must be v1 or v2, not \"$4\"" >&2; exit 2 ;; esac
# The values go into double-quoted YAML scalars (and CMDLINE into qemu's -append "..."):
# refuse what would end them rather than escape it.
for v in "$1" "$2" "$3" "$5"; do
        case $v in *[\"\\\|\&@]* | *"
"*) echo "$0: refused (a quote, backslash, |, & or @ in it): $v" >&2; exit 2 ;; esac
done
template=$(dirname "$0")/isocheck-job.yaml
sed -e "s|@JOB_NAME@|$1|" -e "s|@KERNEL_URL@|$2|" -e "s|@RAMDISK_URL@|$3|" \
        -e "s|@CGROUP@|$4|" -e "s|@CMDLINE@|$5|" "$template"

# Field faults of the VM target (issue 11: section 4, the isocheck-vm items of 6, and 7
# for the files isocheck-vm writes). Sourced by run.sh / field.sh with $top, $work and the
# helpers of lib.sh. Few boots (TCG, each with a --filter for the cases it needs, each
# bounded by --timeout and timeout(1)); everything else is refused before a boot.
vmw=$work/vm-field
mkdir -p "$vmw"
vm_k61=$(ls /boot/vmlinuz-6.1.* 2>/dev/null | tail -n 1)
vm_r61=${vm_k61#/boot/vmlinuz-}
vm_vm() { timeout 400 build/isocheck-vm --accel tcg --timeout 300 "$@"; }
# The suite's verdict on one case in a guest's JUnit: "pass", or the element and its message.
vm_case() { # JUNIT CLASSNAME NAME
        $PY - "$@" <<'EOF'
import sys, xml.etree.ElementTree as ET
for tc in ET.parse(sys.argv[1]).iter("testcase"):
    if tc.get("classname") == sys.argv[2] and tc.get("name") == sys.argv[3]:
        for kind in ("failure", "error", "skipped"):
            el = tc.find(kind)
            if el is not None:
                print(kind, el.get("message")); break
        else:
            print("pass")
        break
else:
    print("absent")
EOF
}
vm_prop() { # JUNIT NAME: the first value of property NAME
        grep -o "name=\"$2\" value=\"[^\"]*\"" "$1" | head -n 1 | sed 's/.*value="//; s/"$//'
}
export PY
export -f vm_case vm_prop
# 6.12 (no CONFIG_MEMCG_V1): fetched once into build/, never installed.
vm_k612() {
        local d=build/vm-kernels/6.12 deb
        if ! ls $d/root/boot/vmlinuz-6.12* >/dev/null 2>&1; then
                mkdir -p $d && (cd $d && rm -f ./*.deb &&
                        timeout 300 apt-get download 'linux-image-6.12.*+deb12-amd64-unsigned' \
                                >/dev/null 2>&1) || return 1
                for deb in $d/*.deb; do dpkg-deb -x "$deb" $d/root || return 1; done
                rm -f $d/*.deb
        fi
        ls $d/root/boot/vmlinuz-6.12* 2>/dev/null | tail -n 1
}

if [ "$(id -u)" -ne 0 ] || ! command -v qemu-system-x86_64 >/dev/null || [ -z "$vm_k61" ]; then
        skipped "vm: field faults" "needs root, qemu-system-x86_64 and /boot/vmlinuz-6.1.*"
else
        # --- 6: usage errors are one line and exit 2, before anything boots -----------------
        # Input (issue 6): isocheck-vm --kernel ./no-such-bzImage (was: exit 77, "skip").
        # More of the kind: a file that is not a bzImage; a directory with no vmlinuz-*.
        vm_usage() { # WANT-IN-MESSAGE ARGS...: exit 2, exactly one line on stderr, naming it
                local want=$1 rc
                shift
                build/isocheck-vm -o "$vmw/usage-out" "$@" >"$vmw/u.out" 2>"$vmw/u.err"
                rc=$?
                [ $rc -eq 2 ] || { echo "exit $rc, expected 2"; cat "$vmw/u.err"; return 1; }
                # One line (a refused option adds the usual "Try 'isocheck-vm --help'.").
                [ "$(grep -c -v "^Try 'isocheck-vm --help'" "$vmw/u.err")" -eq 1 ] ||
                        { echo "expected one line:"; cat "$vmw/u.err"; return 1; }
                grep -q -F -- "$want" "$vmw/u.err" || { echo "expected \"$want\" in:"; cat "$vmw/u.err"; return 1; }
                [ ! -e "$vmw/usage-out" ] || { echo "the output directory was made"; return 1; }
        }
        check "vm: a missing --kernel file is a usage error, one line, exit 2" \
                vm_usage "no-such-bzImage" --kernel ./no-such-bzImage
        check "vm: a --kernel that is not a bzImage is a usage error" \
                vm_usage "expected an x86 bzImage" --kernel /etc/hostname
        mkdir -p "$vmw/nokernels"
        check "vm: a --kernel directory without vmlinuz-* is a usage error" \
                vm_usage "nokernels/vmlinuz-*" --kernel "$vmw/nokernels"

        # And a bzImage whose version string would name a path ("../../x"): it names the
        # report directory and the initramfs, so it is refused.
        $PY -c 'import sys
img = bytearray(0x400); img[0x202:0x206] = b"HdrS"; img[0x20E:0x210] = (0x100).to_bytes(2, "little")
img[0x300:0x310] = b"../../escaped #1"; open(sys.argv[1], "wb").write(img)' "$vmw/bzImage-traversal"
        check "vm: a kernel release that is not a file name is refused" \
                vm_usage "is not a file name: refused" --kernel "$vmw/bzImage-traversal"

        # Input (issue 6): --accel kvm without a working /dev/kvm (was: booted, a kernel
        # "fail"). /dev/kvm is replaced by /dev/null in a mount namespace of this test only.
        check "vm: --accel kvm without a working /dev/kvm is refused before booting" \
                unshare -m sh -c "mount --bind /dev/null /dev/kvm &&
                        build/isocheck-vm -o '$vmw/usage-out' --accel kvm --kernel '$vm_k61' \
                                2>'$vmw/kvm.err'; rc=\$?; cat '$vmw/kvm.err'
                        [ \$rc -eq 2 ] && [ \$(wc -l <'$vmw/kvm.err') -eq 1 ] &&
                        grep -q -- '--accel kvm, but /dev/kvm' '$vmw/kvm.err'"
        # More of the kind: a /dev/kvm that opens but runs no guest (it hangs on this
        # machine) is an error naming --accel kvm, never a kernel failure; where KVM
        # works the boot passes.
        vm_kvm_hang() {
                local rc j=$vmw/kvm/isocheck-vm.junit.xml
                timeout 120 build/isocheck-vm --accel kvm --no-output-timeout 5 --timeout 90 \
                        --kernel "$vm_k61" -c v2 -o "$vmw/kvm" -- --filter pidns.init.pid1 \
                        >"$vmw/kvm.out" 2>&1
                rc=$?
                [ $rc -eq 0 ] && return 0
                cat "$vmw/kvm.out"
                grep -q '<failure' "$j" && { echo "a kernel failure in $j"; return 1; }
                grep -q '<error message="--accel kvm: no kernel output' "$j"
        }
        if [ -r /dev/kvm ]; then
                check "vm: an --accel kvm that runs no guest is an error, not a kernel failure" vm_kvm_hang
        else
                skipped "vm: an --accel kvm that runs no guest" "no /dev/kvm"
        fi

        # --- 4: --modules pairs with its --kernel; a tree of another release is refused ----
        vm_k12=$(vm_k612)
        if [ -n "$vm_k12" ]; then
                vm_r12=${vm_k12##*/vmlinuz-}
                vm_m12=$(dirname "$(dirname "$vm_k12")")/lib/modules/$vm_r12
                # Input (issue 4): --kernel K1 --modules M1 --kernel K2 --modules M2 (was: M2 for
                # both, unchecked). Crossed, each tree is of the other kernel: refused by name.
                check "vm: crossed --modules trees are refused, one line, exit 2" \
                        vm_usage "holds modules for $vm_r12" --kernel "$vm_k61" --modules "$vm_m12" \
                        --kernel "$vm_k12" --modules "/lib/modules/$vm_r61"
                # Paired right, they are accepted (no qemu here: every configuration skips, 77).
                check "vm: --modules paired with each --kernel are accepted" bash -c "
                        build/isocheck-vm -o '$vmw/pairs' --qemu /nonexistent/qemu \
                                --kernel '$vm_k61' --modules '/lib/modules/$vm_r61' \
                                --kernel '$vm_k12' --modules '$vm_m12' >'$vmw/pairs.out' 2>&1
                        rc=\$?; [ \$rc -eq 77 ] || { cat '$vmw/pairs.out'; exit 1; }"
        else
                skipped "vm: --modules of 6.12" "could not fetch linux-image-6.12 (apt-get download)"
        fi
        # More of the kind: a tree whose module says another release (vermagic), and two
        # --modules for one kernel.
        mkdir -p "$vmw/9.9.9-fake/kernel/drivers/net"
        printf 'junk\0vermagic=9.9.9-fake SMP preempt mod_unload\0' \
                >"$vmw/9.9.9-fake/kernel/drivers/net/veth.ko"
        check "vm: a modules tree of another release (vermagic) is refused" \
                vm_usage "holds modules for 9.9.9-fake" --kernel "$vm_k61" --modules "$vmw/9.9.9-fake"
        check "vm: two --modules for one --kernel are refused" \
                vm_usage "--modules given twice" --kernel "$vm_k61" --modules "/lib/modules/$vm_r61" \
                --modules "$vmw/9.9.9-fake"

        # --- 7: report directories and files are never written through links ---------------
        # More of the kind (the input of issue 7 for the VM's report directory): the
        # configuration's directory planted as a link to another directory, then as a
        # directory of another user. qemu is /bin/false: nothing boots.
        echo original >"$vmw/victim"
        mkdir -p "$vmw/elsewhere" "$vmw/planted"
        ln -s "$vmw/elsewhere" "$vmw/planted/vm-$vm_r61-v2"
        check "vm: a report directory that is a link is refused, its target untouched" bash -c "
                TMPDIR='$vmw' build/isocheck-vm -o '$vmw/planted' --qemu /bin/false \
                        --kernel '$vm_k61' -c v2 >'$vmw/planted.out' 2>&1
                grep -q 'found a symbolic link: refused' '$vmw/planted/isocheck-vm.junit.xml' &&
                [ -z \"\$(ls -A '$vmw/elsewhere')\" ] || { cat '$vmw/planted.out'; exit 1; }"
        rm "$vmw/planted/vm-$vm_r61-v2"
        mkdir -m 0777 "$vmw/planted/vm-$vm_r61-v2"
        chown nobody "$vmw/planted/vm-$vm_r61-v2"
        check "vm: a report directory of another user is refused" bash -c "
                TMPDIR='$vmw' build/isocheck-vm -o '$vmw/planted' --qemu /bin/false \
                        --kernel '$vm_k61' -c v2 >'$vmw/planted.out' 2>&1
                grep -q 'owned by uid $(id -u nobody): refused' '$vmw/planted/isocheck-vm.junit.xml' &&
                [ -z \"\$(ls -A '$vmw/planted/vm-$vm_r61-v2')\" ] || { cat '$vmw/planted.out'; exit 1; }"

        # --- boot 1: cgroup v2 without the memory controller ---------------------------------
        # Input (issue 4): --cgroup v2 --append cgroup_disable=memory -- --filter 'cgroup.*'
        # (was: no case ran, "expected a status frame from the guest, got none").
        # With it, input (issue 4): the work directory honours TMPDIR; and input (issue 7)
        # for the VM: console.log and isocheck.tap planted as links to a victim file.
        # More of the kind: the same on cgroup v1 (-c both), where /proc/cgroups shows memory
        # disabled and the init mounts the other controllers.
        # More of the kind (issue 6, a tree lacking a needed module): --modules names a tree
        # of the right release whose modules.dep lacks veth: vm.modules must name veth.
        vm_b1=$vmw/b1
        mkdir -p "$vm_b1/tmp" "$vm_b1/$vm_r61" "$vm_b1/out/vm-$vm_r61-v2"
        : >"$vm_b1/$vm_r61/modules.dep"
        chmod 0700 "$vm_b1/out/vm-$vm_r61-v2"
        ln -s "$vmw/victim" "$vm_b1/out/vm-$vm_r61-v2/console.log"
        ln -s "$vmw/victim" "$vm_b1/out/vm-$vm_r61-v2/isocheck.tap"
        TMPDIR=$vm_b1/tmp vm_vm --kernel "$vm_k61" -c both --modules "$vm_b1/$vm_r61" \
                --append cgroup_disable=memory -o "$vm_b1/out" -- --filter 'cgroup.*' \
                >"$vm_b1/run.out" 2>&1
        vm_b1_rc=$?
        vm_g1=$vm_b1/out/vm-$vm_r61-v2/isocheck.junit.xml
        check "vm: cgroup_disable=memory: the suite runs and passes (exit 0)" \
                bash -c "[ $vm_b1_rc -eq 0 ] || { tail -5 '$vm_b1/run.out'; exit 1; }"
        check "vm: cgroup_disable=memory: cgroup.pids.limit runs and passes" \
                bash -c "[ \"\$(vm_case '$vm_g1' cgroup.pids limit)\" = pass ]"
        vm_mem_skips() { # JUNIT
                local n v
                for n in oom_kill limit oom_group; do
                        v=$(vm_case "$1" cgroup.memory "$n")
                        case "$v" in
                        "skipped "*memory*cgroup_disable*) ;;
                        *) echo "cgroup.memory.$n: $v"; return 1 ;;
                        esac
                done
        }
        check "vm: cgroup_disable=memory: the memory cases skip naming the controller and the cause" \
                vm_mem_skips "$vm_g1"
        check "vm: the init's warning about memory reaches the guest's report" \
                bash -c "vm_prop '$vm_g1' vm.init.warnings | grep -q 'controller memory is not available'"
        vm_g1v1=$vm_b1/out/vm-$vm_r61-v1/isocheck.junit.xml
        check "vm: cgroup_disable=memory on v1: cgroup.pids.limit runs and passes" \
                bash -c "[ \"\$(vm_case '$vm_g1v1' cgroup.pids limit)\" = pass ]"
        check "vm: cgroup_disable=memory on v1: the memory cases skip naming the cause" \
                vm_mem_skips "$vm_g1v1"
        check "vm: cgroup_disable=memory on v1: the init's warning reaches the report" \
                bash -c "vm_prop '$vm_g1v1' vm.init.warnings | grep -q 'controller memory is disabled'"
        check "vm: a tree lacking veth is named in vm.modules, never 'none needed'" \
                bash -c "v=\$(vm_prop '$vm_b1/out/isocheck-vm.junit.xml' vm.modules); echo \"\$v\"
                        case \"\$v\" in *'missing: veth'*) ;; *) exit 1 ;; esac"
        check "vm: the work directory was under TMPDIR, and is gone" \
                bash -c "head -n 1 '$vm_b1/out/vm-$vm_r61-v2/console.log' | grep -q -F -- '-initrd $vm_b1/tmp/isocheck-vm.' &&
                        [ -z \"\$(ls -A '$vm_b1/tmp')\" ]"
        check "vm: planted links were replaced, never written through" \
                bash -c "[ \"\$(cat '$vmw/victim')\" = original ] &&
                        [ -f '$vm_b1/out/vm-$vm_r61-v2/console.log' ] && [ ! -L '$vm_b1/out/vm-$vm_r61-v2/console.log' ] &&
                        [ ! -L '$vm_b1/out/vm-$vm_r61-v2/isocheck.tap' ] &&
                        [ \"\$(stat -c %a '$vm_b1/out/vm-$vm_r61-v2/console.log')\" = 600 ]"
        check "vm: the merged report is valid" xml_ok "$vm_b1/out/isocheck-vm.junit.xml"
        check "vm: no qemu of these boots left" no_qemu_under "$vmw"

        # --- boot 2: 6.12 (no CONFIG_MEMCG_V1) booted with cgroup v1 --------------------------
        # Input (issue 4): the memory cases skipped "not mounted (cgroup mode legacy)".
        if [ -n "$vm_k12" ]; then
                vm_b2=$vmw/b2
                TMPDIR=$vmw vm_vm --kernel "$vm_k12" --modules "$vm_m12" -c v1 -o "$vm_b2" \
                        -- --filter 'cgroup.memory.oom_kill' >"$vmw/b2.out" 2>&1
                vm_g2=$vm_b2/vm-$vm_r12-v1/isocheck.junit.xml
                check "vm: 6.12 on v1: the memory case names CONFIG_MEMCG_V1" \
                        bash -c "v=\$(vm_case '$vm_g2' cgroup.memory oom_kill); echo \"\$v\"
                                case \"\$v\" in 'skipped '*'CONFIG_MEMCG_V1 is not set'*) ;; *) exit 1 ;; esac"
                check "vm: 6.12 on v1: the refused memory mount reaches the report" \
                        bash -c "vm_prop '$vm_g2' vm.init.warnings | grep -q 'refused to mount cgroup v1 controller memory'"
        fi

        # --- boot 3: a --modules tree without veth -------------------------------------------
        # Input (issue 6): -c v2 --modules /some/empty/dir -- --filter container.app.serves
        # (was: "vm.modules: none needed", then veth failed as a kernel error).
        vm_b3=$vmw/b3
        mkdir -p "$vmw/empty"
        TMPDIR=$vmw vm_vm --kernel "$vm_k61" -c v2 --modules "$vmw/empty" -o "$vm_b3" \
                -- --filter container.app.serves >"$vmw/b3.out" 2>&1
        check "vm: empty --modules: container.app.serves skips naming veth" \
                bash -c "v=\$(vm_case '$vm_b3/vm-$vm_r61-v2/isocheck.junit.xml' container.app serves); echo \"\$v\"
                        case \"\$v\" in 'skipped '*'module veth'*) ;; *) exit 1 ;; esac"
        check "vm: empty --modules: vm.modules names veth as missing" \
                bash -c "vm_prop '$vm_b3/isocheck-vm.junit.xml' vm.modules | grep -q 'missing: veth'"
        check "vm: empty --modules: isocheck-vm says so on stderr" \
                grep -q 'needs module(s) veth' "$vmw/b3.out"
        check "vm: no qemu of these boots left (all)" no_qemu_under "$vmw"
fi

#!/usr/bin/env bash
# Builds the default Blixard guest image: OUT_DIR/vmlinuz (the kernel of the distribution's
# linux-image-cloud-amd64 package) and OUT_DIR/initrd.img (a busybox initramfs).
#
# The guest's /init mounts proc, sys and dev (devtmpfs), loads the two modules the power button
# needs (ACPI button, evdev), starts busybox acpid so that QMP's system_powerdown powers the guest
# off, prints "blixard-guest: ready" on the serial console and then sleeps.
#
# Usage: scripts/build-guest-image.sh OUT_DIR
#   BLIXARD_GUEST_KERNEL=/boot/vmlinuz-VERSION picks a kernel other than the newest in /boot.
# Running it again rebuilds both files in place (each replaced atomically), byte for byte the same.
set -euo pipefail

fail() {
  echo "build-guest-image: $*" >&2
  exit 1
}

[[ $# -eq 1 ]] || fail "usage: $0 OUT_DIR"
out=$1

busybox=$(command -v busybox || true)
[[ -n $busybox ]] || fail "busybox not found (expected: the busybox-static package, apt-get install busybox-static)"
if ldd "$busybox" >/dev/null 2>&1; then
  fail "$busybox is dynamically linked (expected: a static busybox, apt-get install busybox-static)"
fi
command -v cpio >/dev/null || fail "cpio not found (expected: the cpio package, apt-get install cpio)"
command -v gzip >/dev/null || fail "gzip not found (expected: the gzip package)"

kernel=${BLIXARD_GUEST_KERNEL:-}
if [[ -z $kernel ]]; then
  kernel=$(find /boot -maxdepth 1 -name 'vmlinuz-*' 2>/dev/null | sort -V | tail -n 1)
fi
[[ -n $kernel && -r $kernel ]] \
  || fail "no readable kernel ${kernel:-/boot/vmlinuz-*} (expected: the linux-image-cloud-amd64 package, apt-get install linux-image-cloud-amd64)"
version=${kernel##*/vmlinuz-}
modules=/lib/modules/$version
for module in kernel/drivers/acpi/button.ko kernel/drivers/input/evdev.ko; do
  [[ -r $modules/$module ]] || fail "$modules/$module not found (expected: the modules of kernel $version)"
done

mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,etc/acpi,lib/modules}
cp "$busybox" "$root/bin/busybox"
cp "$modules/kernel/drivers/acpi/button.ko" "$modules/kernel/drivers/input/evdev.ko" "$root/lib/modules/"

# busybox acpid runs the action named for an event, relative to its config directory.
echo 'PWRF power-button' >"$root/etc/acpid.conf"
cat >"$root/etc/acpi/power-button" <<'EOF'
#!/bin/sh
echo "blixard-guest: power button, powering off" >/dev/console
sync
poweroff -f
EOF

cat >"$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
insmod /lib/modules/evdev.ko
insmod /lib/modules/button.ko
# The power button's input device appears once the module has probed it.
for _ in 1 2 3 4 5 6 7 8 9 10; do
  ls /dev/input/event* >/dev/null 2>&1 && break
  sleep 0.1
done
acpid -c /etc/acpi -a /etc/acpid.conf -l /dev/null
echo "blixard-guest: ready"
while :; do sleep 3600; done
EOF
chmod 0755 "$root/init" "$root/etc/acpi/power-button"

# fixed times and inode numbers: the same inputs make the same bytes
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc --quiet --reproducible) | gzip -9 -n >"$work/initrd.img"
cp "$kernel" "$work/vmlinuz"
mv -f "$work/initrd.img" "$out/initrd.img"
mv -f "$work/vmlinuz" "$out/vmlinuz"
echo "build-guest-image: $out/vmlinuz (kernel $version), $out/initrd.img"

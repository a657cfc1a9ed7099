/**
 * What goes into each unit's image, as plain data: Debian packages, files, enabled units, the
 * disk layout and RAUC's system.conf. `build.ts` turns a recipe into a folder and a disk image;
 * a test reads these without building anything.
 */
import type { PartitionPlan } from './disk-image.ts';

export type Target = 'seat' | 'server';

export interface Recipe {
  target: Target;
  /** RAUC's `compatible`: a bundle for the other kind of unit is refused. */
  compatible: string;
  hostname: string;
  /** Debian bookworm packages on top of mmdebstrap's minbase variant. */
  packages: string[];
  /** systemd units to enable (from images/rootfs/<common|target>/etc/systemd/system or Debian's). */
  units: string[];
  /** Debian's units that must never run (a package's own service where ours runs the program). */
  masked?: string[];
  /** Accounts created in the image: [name, uid]. */
  users: { name: string; uid: number; groups: string[] }[];
  partitions: PartitionPlan[];
  /** Where the unit's identity file is read (a link into the data partition, written by ifec-flash). */
  identityFile: string;
}

export const DEBIAN_SUITE = 'bookworm';

/** Both units: systemd, RAUC with its D-Bus service, the kernel, grub's EFI parts, e2fsprogs for RAUC's ext4 slots. */
const COMMON_PACKAGES = [
  'systemd',
  'systemd-sysv',
  'udev',
  'dbus',
  'kmod',
  'iproute2',
  'rauc',
  'rauc-service',
  'e2fsprogs',
  'dosfstools',
  'linux-image-amd64',
  'initramfs-tools',
  'grub-common',
  'grub-efi-amd64-bin',
  // Node (copied from the build machine) links these.
  'libstdc++6',
];

/** Partitions: efi 1, rootfs_a 2, rootfs_b 3, data 4 — grub.cfg addresses the slots by number. */
function layout(rootMiB: number, dataMiB: number): PartitionPlan[] {
  return [
    { name: 'efi', sizeMiB: 64, type: 'esp' },
    { name: 'rootfs_a', sizeMiB: rootMiB, type: 'root' },
    { name: 'rootfs_b', sizeMiB: rootMiB, type: 'root' },
    { name: 'data', sizeMiB: dataMiB, type: 'linux' },
  ];
}

export const RECIPES: Record<Target, Recipe> = {
  seat: {
    target: 'seat',
    compatible: 'ifec-seat-unit-amd64',
    hostname: 'ifec-seat',
    packages: [
      ...COMMON_PACKAGES,
      // The kiosk: cage (a Wayland kiosk compositor) and what Electron links.
      'cage',
      'libpam-systemd',
      'libgtk-3-0',
      'libnss3',
      'libgbm1',
      'libasound2',
      'libxss1',
      'libxtst6',
      'fonts-dejavu-core',
    ],
    units: ['ifec-kiosk.service', 'ifec-update-agent.service', 'rauc.service'],
    users: [{ name: 'ifec-seat', uid: 900, groups: ['ifec', 'video', 'input', 'render', 'audio'] }],
    partitions: layout(1536, 128),
    identityFile: '/etc/ifec/seat-unit.json',
  },
  server: {
    target: 'server',
    compatible: 'ifec-aircraft-server-amd64',
    hostname: 'ifec-server',
    // nginx-light: the appliance runs nginx in front of the load files (media/nginx-origin.ts), its own config on its own port.
    packages: [...COMMON_PACKAGES, 'ffmpeg', 'nginx-light', 'ca-certificates'],
    units: ['ifec-appliance.service', 'rauc.service'],
    // Debian's nginx.service would serve its default site on port 80.
    masked: ['nginx.service'],
    users: [{ name: 'ifec', uid: 901, groups: [] }],
    partitions: layout(2048, 1024),
    identityFile: '/etc/ifec/appliance.env',
  },
};

/**
 * RAUC's system.conf: rootfs A/B by partition label, boot order kept by grub in grubenv on the
 * EFI partition, RAUC's own status on the data partition (the root is read-only).
 */
export function systemConf(recipe: Recipe): string {
  return `# RAUC on the ${recipe.target === 'seat' ? 'seat unit' : 'aircraft server'}: two root slots, grub keeps the boot order.
[system]
compatible=${recipe.compatible}
bootloader=grub
grubenv=/boot/efi/EFI/BOOT/grubenv
data-directory=/data/rauc
max-bundle-download-size=2147483648

[keyring]
path=/etc/rauc/keyring.pem

[slot.rootfs.0]
device=/dev/disk/by-partlabel/rootfs_a
type=ext4
bootname=A

[slot.rootfs.1]
device=/dev/disk/by-partlabel/rootfs_b
type=ext4
bootname=B
`;
}

/** The factory boot state: slot A good, slot B empty (RAUC fills it at the first update). */
export const FACTORY_GRUBENV = { ORDER: 'A B', A_OK: '1', A_TRY: '0', B_OK: '0', B_TRY: '0' };

/** The mmdebstrap arguments (plain data; `mirror` is a Debian mirror URL). */
export function mmdebstrapArgs(recipe: Recipe, folder: string, mirror: string, hooks: string[]): string[] {
  const securityMirror = mirror.replace(/\/debian\/?$/, '/debian-security');
  return [
    '--variant=minbase',
    '--mode=root',
    '--format=directory',
    `--include=${recipe.packages.join(',')}`,
    '--aptopt=APT::Install-Recommends "false"',
    // Docs, manuals and translations are not read on a seat.
    '--dpkgopt=path-exclude=/usr/share/doc/*',
    '--dpkgopt=path-include=/usr/share/doc/*/copyright',
    '--dpkgopt=path-exclude=/usr/share/man/*',
    '--dpkgopt=path-exclude=/usr/share/locale/*',
    '--dpkgopt=path-exclude=/usr/share/info/*',
    ...hooks.map((h) => `--customize-hook=${h}`),
    DEBIAN_SUITE,
    folder,
    `deb ${mirror} ${DEBIAN_SUITE} main`,
    `deb ${mirror} ${DEBIAN_SUITE}-updates main`,
    `deb ${securityMirror} ${DEBIAN_SUITE}-security main`,
  ];
}

/** Commands run in the new root at the end of mmdebstrap (users, grub's EFI binary). */
export function customizeHooks(recipe: Recipe): string[] {
  const hooks = ['chroot "$1" groupadd --system --gid 950 ifec'];
  for (const user of recipe.users) {
    const extra = user.groups.filter((g) => g !== 'ifec');
    hooks.push(
      `chroot "$1" sh -c 'for g in ${extra.join(' ') || 'ifec'}; do getent group $g >/dev/null || groupadd --system $g; done'`,
      `chroot "$1" useradd --system --uid ${user.uid} --gid ifec ${extra.length ? `--groups ${extra.join(',')}` : ''} --home-dir /nonexistent --shell /usr/sbin/nologin ${user.name}`,
    );
  }
  hooks.push(
    // grub's EFI binary, built from the image's own grub: the modules grub.cfg uses, prefix on the ESP.
    'mkdir -p "$1/usr/lib/ifec" && chroot "$1" grub-mkimage -O x86_64-efi -p /EFI/BOOT -o /usr/lib/ifec/BOOTX64.EFI part_gpt fat ext2 normal linux loadenv test echo sleep reboot configfile all_video',
  );
  return hooks;
}

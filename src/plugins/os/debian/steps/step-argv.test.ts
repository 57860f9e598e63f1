import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveRelease } from '../releases.js';
import { bootstrapArgv } from './bootstrap-rootfs.js';
import { repositoryFiles, repositorySourceLine } from './apt-repositories.js';
import { aptInstallArgv } from './customize-tree.js';
import { WRITE_FILE_ARGV } from '../../shared/template-customization.js';
import { finalizeScriptArgv } from './finalize-image.js';
import { earlyGrubConfig, grubConfig, kernelCommandLine } from '../../shared/grub-config.js';
import { grubMkstandaloneArgv } from '../../shared/install-grub.js';
import { parseDpkgQuery } from './inspect-image.js';
import { initramfsArgv, INITRAMFS_DIVERSION_HOOK, INITRAMFS_REQUEST_MARKER } from './initramfs.js';
import { layerKey, releaseFileUrls } from './base-layer.js';
import { rootfsTarArgv } from '../../shared/write-rootfs-tar.js';
import { fstabText, hostnameFor } from '../../shared/system-identity.js';
import { resolveContent } from '../../shared/template-content.js';

const bookworm = resolveRelease('Debian', '12')!;
const jammy = resolveRelease('Ubuntu', '22.04')!;

test('mmdebstrap argv: root mode, minbase, kernel + boot packages, mirror from the template, deb cache hooks', () => {
  const argv = bootstrapArgv({ release: bookworm, mirrorUrl: 'http://m.example/debian', rootDir: '/w/rootfs', debCacheDir: '/c/debs' });
  assert.deepEqual(argv.slice(0, 5), ['mmdebstrap', '--verbose', '--mode=root', '--variant=minbase', '--arch=amd64']);
  const include = argv.find((a) => a.startsWith('--include='))!.slice('--include='.length).split(',');
  for (const p of ['linux-image-amd64', 'systemd-sysv', 'udev', 'initramfs-tools', 'ifupdown', 'isc-dhcp-client', 'openssh-server']) {
    assert.ok(include.includes(p), p);
  }
  assert.ok(argv.includes('--keyring=/usr/share/keyrings/debian-archive-keyring.gpg'));
  assert.ok(argv.includes('--dpkgopt=force-unsafe-io'));
  assert.ok(argv.includes('--setup-hook=sync-in /c/debs /var/cache/apt/archives/'));
  assert.ok(argv.includes('--customize-hook=sync-out /var/cache/apt/archives /c/debs'));
  assert.deepEqual(argv.slice(-3), ['bookworm', '/w/rootfs', 'deb http://m.example/debian bookworm main']);

  const u = bootstrapArgv({ release: jammy, mirrorUrl: 'http://archive.ubuntu.com/ubuntu', rootDir: '/r', debCacheDir: null });
  assert.ok(u.find((a) => a.startsWith('--include='))!.includes('linux-image-virtual'));
  assert.ok(u.includes('--components=main,universe'));
  assert.ok(!u.some((a) => a.includes('sync-in')));
  assert.equal(u.at(-1), 'deb http://archive.ubuntu.com/ubuntu jammy main universe');
});

test('repositories: unsigned are trusted=yes, bare URIs get the release suite, names become safe file names', () => {
  const repo = { name: 'my repo/x', url: 'http://r.example/debian', signed: false, persisted: false, sslverify: false };
  assert.equal(repositorySourceLine(repo, bookworm), 'deb [trusted=yes] http://r.example/debian bookworm main\n');
  assert.equal(repositorySourceLine({ ...repo, signed: true, url: 'http://r.example/ppa jammy extra' }, jammy), 'deb http://r.example/ppa jammy extra\n');
  assert.deepEqual(repositoryFiles([repo], bookworm)[0], {
    path: '/etc/apt/sources.list.d/imagefactory-my_repo_x.list', text: 'deb [trusted=yes] http://r.example/debian bookworm main\n', persisted: false,
  });
});

test('template text stays an argument: write-file and finalize scripts are fixed', () => {
  const w = WRITE_FILE_ARGV('/etc/$(reboot)');
  assert.equal(w.at(-1), '/etc/$(reboot)');
  assert.ok(!w[2].includes('reboot'));
  const f = finalizeScriptArgv(['/etc/apt/sources.list.d/x.list'], false);
  assert.equal(f.at(-1), '/etc/apt/sources.list.d/x.list');
  assert.match(f[2], /rm -f \/etc\/resolv.conf/);
  assert.match(f[2], /rm -f \/etc\/dpkg\/dpkg\.cfg\.d\/99mmdebstrap/);
  assert.doesNotMatch(finalizeScriptArgv([], true)[2], /resolv/);
  assert.deepEqual(aptInstallArgv(['less', 'vim']).slice(-3), ['--', 'less', 'vim']);
});

test('grub configuration: serial console, root by UUID, selftest from the SMBIOS OEM string, kernelparam', () => {
  const uuid = '11111111-2222-3333-4444-555555555555';
  assert.match(earlyGrubConfig(uuid), new RegExp(`search --no-floppy --fs-uuid --set=root ${uuid}`));
  const cfg = grubConfig({ title: 'Debian', rootFsUuid: uuid, kernelPath: '/vmlinuz', initrdPath: '/initrd.img', kernelParams: 'quiet' });
  assert.match(cfg, /^serial --unit=0 --speed=115200$/m);
  assert.match(cfg, /terminal_output serial console/);
  assert.match(cfg, new RegExp(`linux /vmlinuz root=UUID=${uuid} ro console=tty0 console=ttyS0,115200n8 net.ifnames=0 quiet \\$selftest`));
  assert.match(cfg, /smbios --type 11 --get-string 4 --set oemstring/);
  assert.match(cfg, /initrd \/initrd.img/);
  assert.equal(kernelCommandLine({ rootFsUuid: 'u', kernelParams: '' }), 'root=UUID=u ro console=tty0 console=ttyS0,115200n8 net.ifnames=0');
  const mk = grubMkstandaloneArgv('/o/BOOTX64.EFI', '/w/early.cfg');
  assert.deepEqual(mk.slice(0, 5), ['grub-mkstandalone', '-O', 'x86_64-efi', '-o', '/o/BOOTX64.EFI']);
  assert.equal(mk.at(-1), 'boot/grub/grub.cfg=/w/early.cfg');
});

test('dpkg-query output, tar argv, fstab and hostname', () => {
  const pkgs = parseDpkgQuery('install ok installed\tzlib1g\t1:1.2.13\tamd64\ndeinstall ok config-files\told\t1\tamd64\ninstall ok installed\tbash\t5.2.15-2\tamd64\n');
  assert.deepEqual(pkgs, [{ name: 'bash', version: '5.2.15-2', arch: 'amd64' }, { name: 'zlib1g', version: '1:1.2.13', arch: 'amd64' }]);
  assert.deepEqual(rootfsTarArgv('/t', '/o.tar').slice(0, 5), ['tar', '--create', '--file', '/o.tar', '--directory']);
  assert.equal(fstabText('abc').split('\n')[1], 'UUID=abc / ext4 errors=remount-ro 0 1');
  assert.equal(hostnameFor('My Fancy_Image!', 'debian'), 'my-fancy-image');
  assert.equal(hostnameFor('***', 'debian'), 'debian');
});

test('template content: raw, base64 (checked), url limited to http(s)', async () => {
  assert.equal((await resolveContent('f', 'raw', 'hé')).toString(), 'hé');
  assert.equal((await resolveContent('f', 'base64', 'aGVs\nbG8=')).toString(), 'hello');
  await assert.rejects(resolveContent('file "/x"', 'base64', 'not base64!'), /file "\/x": content is not valid base64/);
  await assert.rejects(resolveContent('f', 'url', 'file:///etc/shadow'), /only http\(s\) URLs/);
});

test('initramfs once: update-initramfs is a recording stub during the install; one fixed script builds it when needed', () => {
  const argv = bootstrapArgv({ release: bookworm, mirrorUrl: 'http://m.example/debian', rootDir: '/r', debCacheDir: null });
  assert.ok(argv.includes(`--essential-hook=${INITRAMFS_DIVERSION_HOOK}`));
  assert.match(INITRAMFS_DIVERSION_HOOK, /dpkg-divert --quiet --local --rename --divert \/usr\/sbin\/update-initramfs\.imagefactory-real --add \/usr\/sbin\/update-initramfs/);
  assert.ok(INITRAMFS_DIVERSION_HOOK.includes(`: > ${INITRAMFS_REQUEST_MARKER}`), 'the stub records the request');
  const first = initramfsArgv(false);
  assert.deepEqual([first[0], first[1], first.at(-1)], ['/bin/sh', '-c', 'imagefactory-initramfs']);
  assert.match(first[2], /if \[ ! -e "\/boot\/initrd\.img-\$v" \]; then "\$real" -c -k "\$v"/);
  assert.ok(first[2].includes(`elif [ -e ${INITRAMFS_REQUEST_MARKER} ]; then "$real" -u -k "$v"; fi`));
  assert.doesNotMatch(first[2], /--remove/);
  assert.match(initramfsArgv(true)[2], /--remove \/usr\/sbin\/update-initramfs/);
});

test('layer key: changes with the release file, the package set, the keyring and mmdebstrap; not with the paths', () => {
  const release = { url: 'u', sha256: 'a'.repeat(64), date: null };
  const argv = (o: Partial<Parameters<typeof bootstrapArgv>[0]> = {}) =>
    bootstrapArgv({ release: bookworm, mirrorUrl: 'http://m.example/debian', rootDir: 'ROOT', debCacheDir: 'DEBCACHE', ...o });
  const k = layerKey({ argv: argv(), mmdebstrapVersion: 'mmdebstrap 1.3.5', keyringSha256: 'k', release });
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(layerKey({ argv: argv(), mmdebstrapVersion: 'mmdebstrap 1.3.5', keyringSha256: 'k', release }), k);
  assert.notEqual(layerKey({ argv: argv(), mmdebstrapVersion: 'mmdebstrap 1.3.5', keyringSha256: 'k', release: { ...release, sha256: 'b'.repeat(64) } }), k);
  assert.notEqual(layerKey({ argv: argv({ mirrorUrl: 'http://other/debian' }), mmdebstrapVersion: 'mmdebstrap 1.3.5', keyringSha256: 'k', release }), k);
  assert.notEqual(layerKey({ argv: argv({ release: resolveRelease('Debian', '13')! }), mmdebstrapVersion: 'mmdebstrap 1.3.5', keyringSha256: 'k', release }), k);
  assert.notEqual(layerKey({ argv: argv(), mmdebstrapVersion: 'mmdebstrap 1.4.0', keyringSha256: 'k', release }), k);
  assert.notEqual(layerKey({ argv: argv(), mmdebstrapVersion: 'mmdebstrap 1.3.5', keyringSha256: 'k2', release }), k);
  assert.deepEqual(releaseFileUrls('http://m.example/debian', 'bookworm'),
    ['http://m.example/debian/dists/bookworm/InRelease', 'http://m.example/debian/dists/bookworm/Release']);
});

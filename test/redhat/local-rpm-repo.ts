/**
 * A real rpm repository for the RedHat plugin's tests: small packages built with rpmbuild from
 * .spec files (a "core" comps group with a filesystem and a busybox shell, a tool that depends on a
 * data package, an extra package in a second repository), indexed with createrepo_c and served
 * over HTTP on 127.0.0.1 by a node server. No kernel: images built from it cannot boot.
 */
import { createServer, type Server } from 'node:http';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { runTool } from '../../src/platform/exec.js';

const spec = (name: string, version: string, body: { requires?: string; arch?: string; install: string; files: string; extra?: string }) => `
Name: ${name}
Version: ${version}
Release: 1
Summary: ${name} for the RedHat plugin tests
License: MIT
${body.arch === 'native' ? '' : 'BuildArch: noarch'}
${body.requires ? `Requires: ${body.requires}` : ''}
${body.extra ?? ''}
%description
Test package.
%install
${body.install}
%files
${body.files}
`;

export const PACKAGES = {
  'filesystem-lite': spec('filesystem-lite', '1.0', {
    install: ['for d in etc proc sys dev root tmp var/tmp usr/bin usr/sbin usr/lib run boot; do mkdir -p %{buildroot}/$d; done',
      'ln -s usr/bin %{buildroot}/bin', 'ln -s usr/sbin %{buildroot}/sbin',
      "printf 'NAME=\"Lite\"\\nID=lite\\nVERSION_ID=1\\n' > %{buildroot}/etc/os-release",
      "printf 'root:x:0:0:root:/root:/bin/sh\\n' > %{buildroot}/etc/passwd",
      "printf 'root:*:19000:0:99999:7:::\\n' > %{buildroot}/etc/shadow"].join('\n'),
    files: ['%dir /etc', '%dir %attr(555,root,root) /proc', '%dir %attr(555,root,root) /sys', '%dir /dev', '%dir %attr(550,root,root) /root', '%dir %attr(1777,root,root) /tmp',
      '/var', '/usr', '/run', '/boot', '/bin', '/sbin', '/etc/os-release', '/etc/passwd', '%attr(000,root,root) /etc/shadow'].join('\n'),
  }),
  // A static busybox from the host (Debian busybox-static) as /bin/sh and the usual tools.
  'busybox-shell': spec('busybox-shell', '1.35', {
    arch: 'native', requires: 'filesystem-lite', extra: 'AutoReqProv: no',
    install: ['mkdir -p %{buildroot}/usr/bin', 'cp /bin/busybox %{buildroot}/usr/bin/busybox',
      'for a in sh cat sed grep mkdir dirname rm echo ls; do ln -s busybox %{buildroot}/usr/bin/$a; done'].join('\n'),
    files: '/usr/bin/*',
  }),
  'hello-data': spec('hello-data', '1.4', {
    install: 'mkdir -p %{buildroot}/usr/share/hello && echo data > %{buildroot}/usr/share/hello/data.txt',
    files: '/usr/share/hello',
  }),
  'hello-tool': spec('hello-tool', '2.1', {
    requires: 'hello-data >= 1.0',
    install: "mkdir -p %{buildroot}/usr/bin && printf '#!/bin/sh\\necho hello\\n' > %{buildroot}/usr/bin/hello-tool",
    files: '%attr(755,root,root) /usr/bin/hello-tool',
  }),
  'extra-tool': spec('extra-tool', '0.9', {
    install: 'mkdir -p %{buildroot}/usr/share/extra && echo extra > %{buildroot}/usr/share/extra/extra.txt',
    files: '/usr/share/extra',
  }),
} as const;

const COMPS = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
<comps>
  <group>
    <id>core</id><name>Core</name><description>Smallest possible installation</description>
    <default>false</default><uservisible>false</uservisible>
    <packagelist>
      <packagereq type="mandatory">filesystem-lite</packagereq>
      <packagereq type="mandatory">busybox-shell</packagereq>
    </packagelist>
  </group>
</comps>
`;

export interface LocalRpmRepos {
  /** Base repository (install URL): core group + hello packages. */
  baseUrl: string;
  /** A second repository holding extra-tool. */
  extraUrl: string;
  /** A URL on which nothing listens. */
  deadUrl: string;
  stop(): Promise<void>;
}

async function buildRpms(top: string, names: (keyof typeof PACKAGES)[], outDir: string): Promise<void> {
  await mkdir(top, { recursive: true });
  await mkdir(outDir, { recursive: true });
  for (const name of names) {
    const specPath = join(top, `${name}.spec`);
    await writeFile(specPath, PACKAGES[name]);
    await runTool(['rpmbuild', '--define', `_topdir ${join(top, 'build')}`, '-bb', specPath], { onLine: () => {} });
  }
  for (const arch of await readdir(join(top, 'build/RPMS'))) {
    for (const f of await readdir(join(top, 'build/RPMS', arch))) await rename(join(top, 'build/RPMS', arch, f), join(outDir, f));
  }
}

export async function startLocalRpmRepos(): Promise<LocalRpmRepos> {
  const dir = await mkdtemp(join(tmpdir(), 'rpm-repos-'));
  const base = join(dir, 'www/base');
  const extra = join(dir, 'www/extra');
  await buildRpms(join(dir, 'b1'), ['filesystem-lite', 'busybox-shell', 'hello-data', 'hello-tool'], base);
  await buildRpms(join(dir, 'b2'), ['extra-tool'], extra);
  await writeFile(join(dir, 'comps.xml'), COMPS);
  await runTool(['createrepo_c', '--groupfile', join(dir, 'comps.xml'), base], { onLine: () => {} });
  await runTool(['createrepo_c', extra], { onLine: () => {} });

  const www = join(dir, 'www');
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(www, path);
    stat(file).then((s) => {
      if (!file.startsWith(`${www}/`) || !s.isFile()) throw new Error('not a file');
      res.writeHead(200, { 'content-length': s.size });
      createReadStream(file).pipe(res);
    }).catch(() => { res.writeHead(404).end(); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  // A port that was free a moment ago: bind and release it.
  const dead = createServer();
  await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
  const deadPort = (dead.address() as { port: number }).port;
  await new Promise<void>((resolve) => dead.close(() => resolve()));
  return {
    baseUrl: `http://127.0.0.1:${port}/base/`,
    extraUrl: `http://127.0.0.1:${port}/extra/`,
    deadUrl: `http://127.0.0.1:${deadPort}/nothing/`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

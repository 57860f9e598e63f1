import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { AptRunProgress, MmdebstrapProgress, parseAptSize, type ToolProgress } from './apt-progress.js';

// Real output captured on this machine: `mmdebstrap --verbose` of bookworm minbase + kernel + boot
// packages, and `apt-get install nano vim-tiny curl` inside the resulting tree.
const fixture = (name: string) => readFile(new URL(`../../../../../test/fixtures/tool-output/${name}`, import.meta.url), 'utf8');

function feedAll(tracker: { feed(line: string): ToolProgress | null }, text: string): ToolProgress[] {
  return text.split('\n').map((l) => tracker.feed(l)).filter((p): p is ToolProgress => p !== null);
}

function assertMonotonic(seen: ToolProgress[]): void {
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i].fraction >= seen[i - 1].fraction, `went back at ${i}: ${seen[i - 1].fraction} → ${seen[i].fraction}`);
}

test('apt sizes are SI units as apt prints them', () => {
  assert.equal(parseAptSize('29.7 MB'), 29.7e6);
  assert.equal(parseAptSize('151 kB'), 151e3);
  assert.equal(parseAptSize('0 B'), 0);
  assert.equal(parseAptSize('lots'), null);
});

test('a real apt-get install moves through downloading, unpacking and configuring to 100%', async () => {
  const seen = feedAll(new AptRunProgress('Installing the template packages'), await fixture('apt-get-install-bookworm.txt'));
  assertMonotonic(seen);
  assert.equal(seen.at(-1)!.fraction, 1);
  const acts = [...new Set(seen.map((s) => s.activity))];
  assert.deepEqual(acts, ['Installing the template packages: 13 packages', 'Installing the template packages: downloading',
    'Installing the template packages: unpacking', 'Installing the template packages: configuring',
    'Installing the template packages: processing triggers']);
  // The 13 Get: lines add up to apt's "Need to get 3151 kB": downloads end at exactly their share.
  const lastDownload = seen.filter((s) => s.activity.endsWith('downloading')).at(-1)!;
  assert.ok(Math.abs(lastDownload.fraction - 0.1) < 0.01, String(lastDownload.fraction));
  // Halfway through unpacking is between the download and configure shares.
  const unpacking = seen.filter((s) => s.activity.endsWith('unpacking'));
  assert.equal(unpacking.length, 13);
  assert.ok(unpacking[6].fraction > 0.1 && unpacking[6].fraction < 0.4);
});

test('a real mmdebstrap --verbose run moves through every stage, many small steps, never back, to the end', async () => {
  const seen = feedAll(new MmdebstrapProgress(), await fixture('mmdebstrap-bookworm-verbose.txt'));
  assertMonotonic(seen);
  // One step per Get:, Unpacking and Setting up line (and per stage): a smooth bar, not a few jumps.
  assert.ok(seen.length > 400, String(seen.length));
  const stages = [...new Set(seen.map((s) => s.activity.split(':')[0]))];
  assert.deepEqual(stages, ['Reading the package lists', 'Downloading the essential packages', 'Extracting the essential packages',
    'Installing the essential packages', 'Installing packages', 'Finishing the bootstrap']);
  const at = (activity: string) => seen.filter((s) => s.activity === activity).map((s) => s.fraction);
  // The essential set (69 packages, counted from the download stage) is unpacked and configured by dpkg.
  const essentialConfigured = at('Installing the essential packages: configuring');
  assert.ok(Math.abs(essentialConfigured.at(-1)! - 0.25) < 0.01, String(essentialConfigured.at(-1)));
  // The remaining 83 packages: the last "Setting up" reaches the end of the install stage.
  assert.ok(Math.abs(at('Installing packages: configuring').at(-1)! - 0.99) < 0.01);
  assert.ok(seen.at(-1)!.fraction <= 1);
});

test('lines before the first stage and unknown lines move nothing', () => {
  const t = new MmdebstrapProgress();
  assert.equal(t.feed('Unpacking foo (1.0) ...'), null);
  assert.equal(t.feed('I: chroot architecture amd64 is equal to the host\'s architecture'), null);
  assert.equal(t.feed('I: running apt-get update...')?.fraction, 0);
  assert.equal(t.feed('Hit:1 http://deb.debian.org/debian bookworm InRelease'), null);
});

test('a real bootstrap through the daemon, with the .deb cache hooks (sync-in first, sync-out last), keeps its stages in order', async () => {
  // The build log of the daemon's own mmdebstrap run (timestamps and [N%] lines stripped).
  const seen = feedAll(new MmdebstrapProgress(), await fixture('mmdebstrap-bookworm-verbose-cache-hooks.txt'));
  assertMonotonic(seen);
  const stages = [...new Set(seen.map((s) => s.activity.split(':')[0]))];
  assert.deepEqual(stages, ['Reading the package lists', 'Downloading the essential packages', 'Extracting the essential packages',
    'Installing the essential packages', 'Installing packages', 'Finishing the bootstrap']);
  assert.ok(seen.filter((s) => s.activity.startsWith('Installing packages: ')).length > 150);
  assert.ok(seen.some((s) => s.activity === 'Installing packages: generating the initramfs'));
  assert.equal(seen.at(-1)!.fraction, 1);
});

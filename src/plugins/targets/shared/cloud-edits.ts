import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Exec } from '../../sdk/index.js';
import { AppError } from '../../../domain/errors.js';
import { extDevice, findExtRoot } from './root-filesystem.js';

export interface CloudEdits {
  /** Written as CLOUD_TYPE="<cloudType>" into /etc/sysconfig/cloud-info (Image Factory's create_cloud_info). */
  cloudType: string;
  /** cloud-init datasource_list for this cloud; written only when /etc/cloud exists in the image. */
  cloudInitDatasources?: readonly string[];
}

export interface CloudEditsResult {
  applied: boolean;
  rootOffset: number | null;
  changes: string[];
}

const NET_RULES = '/etc/udev/rules.d/70-persistent-net.rules';
const CLOUD_INFO = '/etc/sysconfig/cloud-info';
const DATASOURCE_CFG = '/etc/cloud/cloud.cfg.d/90_imagefactory_datasource.cfg';

/**
 * Image Factory's common target step (cloud-info, no persistent net rules, cloud-init datasource),
 * done loop-free with `debugfs -w` on the root partition of a raw disk. Only ever call this on a
 * private copy: it edits `disk` in place. Roots that are not ext2/3/4 are left untouched (logged).
 */
export async function applyCloudEdits(
  exec: Exec, disk: string, edits: CloudEdits, scratchDir: string, log: (line: string) => void,
): Promise<CloudEditsResult> {
  const root = await findExtRoot(exec, disk);
  if (root === null) {
    log('No ext2/3/4 root filesystem with /etc found: cloud-info and cloud-init settings were NOT written');
    return { applied: false, rootOffset: null, changes: [] };
  }
  const offset = root.offset;
  const dev = extDevice(disk, offset);
  const quiet = { onLine: () => {} };
  const probe = async (path: string) => /Type:\s+/.test((await exec(['debugfs', '-R', `stat ${path}`, dev], quiet)).stdout);

  // A journal left dirty would make debugfs edits unsafe: replay it first.
  const { stdout: sb } = await exec(['dumpe2fs', '-h', dev], quiet);
  if (/Filesystem features:.*needs_recovery/.test(sb)) {
    log('Root filesystem journal needs recovery: replaying it with e2fsck');
    await exec(['e2fsck', '-p', dev]).catch((e: unknown) => {
      // e2fsck exits 1 when it fixed something: that is success here.
      if ((e as AppError).details?.exit !== 1) throw e;
    });
  }

  const dir = await mkdtemp(join(scratchDir, 'cloud-edits-'));
  try {
    const cloudInfo = `CLOUD_TYPE="${edits.cloudType}"\n`;
    await writeFile(join(dir, 'cloud-info'), cloudInfo, { mode: 0o644 });
    const cmds: string[] = [];
    const changes: string[] = [];
    if (!(await probe('/etc/sysconfig'))) cmds.push('mkdir /etc/sysconfig');
    if (await probe(CLOUD_INFO)) cmds.push(`rm ${CLOUD_INFO}`);
    cmds.push(`write cloud-info ${CLOUD_INFO}`, ...ownedByRoot(CLOUD_INFO));
    changes.push(`${CLOUD_INFO}: ${cloudInfo.trim()}`);
    if (await probe(NET_RULES)) {
      cmds.push(`rm ${NET_RULES}`);
      changes.push(`removed ${NET_RULES}`);
    }
    let datasourceText: string | null = null;
    if (edits.cloudInitDatasources && (await probe('/etc/cloud'))) {
      datasourceText = `# Written by Image Factory for the ${edits.cloudType} target\ndatasource_list: [ ${edits.cloudInitDatasources.join(', ')} ]\n`;
      await writeFile(join(dir, 'datasource.cfg'), datasourceText, { mode: 0o644 });
      if (!(await probe('/etc/cloud/cloud.cfg.d'))) cmds.push('mkdir /etc/cloud/cloud.cfg.d');
      if (await probe(DATASOURCE_CFG)) cmds.push(`rm ${DATASOURCE_CFG}`);
      cmds.push(`write datasource.cfg ${DATASOURCE_CFG}`, ...ownedByRoot(DATASOURCE_CFG));
      changes.push(`${DATASOURCE_CFG}: datasource_list [${edits.cloudInitDatasources.join(', ')}]`);
    }
    await writeFile(join(dir, 'commands'), cmds.join('\n') + '\n');
    await exec(['debugfs', '-w', '-f', 'commands', dev], { cwd: dir, onLine: () => {} });

    // debugfs reports command errors on stderr but exits 0: read the results back instead.
    await expectContent(exec, dev, CLOUD_INFO, cloudInfo);
    if (datasourceText !== null) await expectContent(exec, dev, DATASOURCE_CFG, datasourceText);
    if (changes.some((c) => c.startsWith('removed')) && (await probe(NET_RULES))) {
      throw new AppError('BUILD_FAILED', `debugfs could not remove ${NET_RULES} from the image`);
    }
    for (const c of changes) log(`In-image change: ${c}`);
    return { applied: true, rootOffset: offset, changes };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function ownedByRoot(path: string): string[] {
  return [`sif ${path} mode 0100644`, `sif ${path} uid 0`, `sif ${path} gid 0`];
}

async function expectContent(exec: Exec, dev: string, path: string, expected: string): Promise<void> {
  const { stdout } = await exec(['debugfs', '-R', `cat ${path}`, dev], { onLine: () => {} });
  if (stdout !== expected) throw new AppError('BUILD_FAILED', `debugfs could not write ${path} into the image`);
}

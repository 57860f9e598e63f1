import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../../domain/errors.js';
import { child, children, requireRef, text, VsphereFault, type MoRef } from './soap-envelope.js';
import type { VimClient } from './vim-client.js';
import { retrieveProperties } from './vim-properties.js';
import type { ServiceContent } from './vim-session.js';
import { localizedMessage } from './ovf-import.js';

/** A VM as vSphere reports it after an import. */
export interface VmFacts {
  name: string;
  template: boolean;
  powerState: string;
  /** The VM's virtual disks: capacity in bytes and the datastore file backing each. */
  disks: { capacityBytes: number; fileName: string }[];
}

export async function readVm(vim: VimClient, content: ServiceContent, vm: MoRef): Promise<VmFacts> {
  const p = await retrieveProperties(vim, content, vm, ['name', 'config.template', 'config.hardware.device', 'runtime.powerState']);
  const disks = children(p.get('config.hardware.device'), 'VirtualDevice')
    .filter((d) => d['@_xsi:type'] === 'VirtualDisk')
    .map((d) => {
      const bytes = text(child(d, 'capacityInBytes'));
      return {
        capacityBytes: bytes ? Number(bytes) : Number(text(child(d, 'capacityInKB')) ?? 0) * 1024,
        fileName: text(child(child(d, 'backing'), 'fileName')) ?? '',
      };
    });
  return { name: text(p.get('name')) ?? '', template: text(p.get('config.template')) === 'true', powerState: text(p.get('runtime.powerState')) ?? '', disks };
}

/** Polls a Task until it succeeds; its error is the push's failure, in vSphere's words. */
export async function waitForTask(vim: VimClient, content: ServiceContent, task: MoRef, what: string, signal?: AbortSignal | null): Promise<void> {
  for (let delay = 200; ; delay = Math.min(2000, delay * 2)) {
    const info = (await retrieveProperties(vim, content, task, ['info'])).get('info');
    const state = text(child(info, 'state'));
    if (state === 'success') return;
    if (state === 'error') throw new AppError('PROVIDER_FAILED', `vSphere: ${what} failed: ${localizedMessage(child(info, 'error'))}`);
    await sleep(delay, undefined, signal ? { signal } : undefined);
  }
}

export async function markAsTemplate(vim: VimClient, vm: MoRef): Promise<void> {
  await vim.call('MarkAsTemplate', vm);
}

/**
 * Powers the VM off when it runs, then Destroy_Task, waiting on each task. Returns false when
 * vSphere no longer has the VM (ManagedObjectNotFound): a repeated DELETE is not an error.
 */
export async function destroyVm(vim: VimClient, content: ServiceContent, vm: MoRef, log: (l: string) => void, signal?: AbortSignal | null): Promise<boolean> {
  let facts: VmFacts;
  try {
    facts = await readVm(vim, content, vm);
  } catch (e) {
    if (e instanceof VsphereFault && e.faultType === 'ManagedObjectNotFound') return false;
    throw e;
  }
  if (facts.powerState === 'poweredOn' || facts.powerState === 'suspended') {
    log(`Powering off VM ${facts.name} (${vm.value}) before destroying it`);
    const { response } = await vim.call('PowerOffVM_Task', vm, [], signal);
    await waitForTask(vim, content, requireRef(child(response, 'returnval'), 'PowerOff task'), `powering off ${vm.value}`, signal);
  }
  const { response } = await vim.call('Destroy_Task', vm, [], signal);
  await waitForTask(vim, content, requireRef(child(response, 'returnval'), 'Destroy task'), `destroying ${vm.value}`, signal);
  log(`Destroyed VM ${facts.name} (${vm.value})`);
  return true;
}

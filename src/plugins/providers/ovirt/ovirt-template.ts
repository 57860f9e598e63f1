import { setTimeout as sleep } from 'node:timers/promises';
import type { PushContext } from '../../sdk/index.js';
import { ovirtFailure, type OvirtEngine } from './ovirt-engine.js';

export interface TemplateRequest {
  diskId: string;
  name: string;
  cluster: string;
  memoryMiB: number;
  description: string;
  deadline: number;
}

/**
 * The API makes templates only from VMs, so: a helper VM from the Blank template in the cluster,
 * the uploaded disk attached to it as its boot disk, POST /templates from the VM (the engine copies
 * the disk into the template), wait for the template to be OK, then remove the helper VM together
 * with the uploaded disk (the template holds its own copy). Returns the template id. On failure,
 * whatever was made here is removed; the uploaded disk is left to the caller.
 */
export async function makeTemplate(engine: OvirtEngine, ctx: PushContext, req: TemplateRequest): Promise<string> {
  let vmId: string | null = null;
  let templateId: string | null = null;
  try {
    const vm = await engine.json<{ id: string }>('POST', '/vms', {
      name: `${req.name}-build`.slice(0, 64), description: `Image Factory: helper VM for template ${req.name}`,
      cluster: { name: req.cluster }, template: { name: 'Blank' }, memory: req.memoryMiB * 1024 * 1024,
    }, [200, 201, 202]);
    vmId = vm.id;
    await waitStatus(engine, `/vms/${vmId}`, 'down', req.deadline, ctx);
    await engine.json('POST', `/vms/${vmId}/diskattachments`, { disk: { id: req.diskId }, interface: 'virtio_scsi', bootable: true, active: true }, [200, 201, 202]);
    ctx.log(`Attached disk ${req.diskId} to helper VM ${vmId}; creating template ${req.name}`);
    const template = await engine.json<{ id: string }>('POST', '/templates', { name: req.name, description: req.description, vm: { id: vmId } }, [200, 201, 202]);
    templateId = template.id;
    await waitStatus(engine, `/templates/${templateId}`, 'ok', req.deadline, ctx);
    await engine.remove(`/vms/${vmId}`);
    ctx.log(`Template ${req.name} (${templateId}) is OK; removed the helper VM and the uploaded disk`);
    return templateId;
  } catch (e) {
    if (templateId) await engine.removeWhenUnlocked(`/templates/${templateId}`).catch(() => undefined);
    // Keep the disk: the caller removes it as part of its own cleanup.
    if (vmId) await engine.remove(`/vms/${vmId}?detach_only=true`).catch(() => undefined);
    throw e;
  }
}

async function waitStatus(engine: OvirtEngine, path: string, status: string, deadline: number, ctx: PushContext): Promise<void> {
  for (let delay = 200; ; delay = Math.min(2000, delay * 2)) {
    const doc = await engine.json<{ status?: string }>('GET', path);
    if (doc.status === status) return;
    if (doc.status === 'illegal') throw ovirtFailure(`${path.slice(1)} became illegal`);
    if (Date.now() > deadline) throw ovirtFailure(`${path.slice(1)} is still ${doc.status ?? 'pending'} after the provider's timeout`);
    await sleep(delay, undefined, { signal: ctx.signal });
  }
}

import { el, text, XML_HEADER } from './xml.js';

/**
 * A Hyper-V (2012-style) exported VM configuration: name, CPUs, memory and the boot disk on IDE 0:0.
 * Vagrant's Hyper-V provider imports a box from `Virtual Machines/<id>.xml` plus `Virtual Hard Disks/`.
 */
export function hypervVmConfig(o: { id: string; name: string; cpus: number; memoryMb: number; diskFile: string }): string {
  const t = (type: string, v: string | number) => ({ type, text: text(v) });
  const typed = (name: string, v: { type: string; text: { text: string } }) => el(name, { type: v.type }, v.text);
  return XML_HEADER + el('configuration', {},
    el('properties', {},
      typed('global_id', t('string', o.id.toUpperCase())),
      typed('name', t('string', o.name)),
      typed('type_id', t('string', 'Virtual Machines'))),
    el('settings', {},
      el('processors', {}, typed('count', t('integer', o.cpus))),
      el('memory', {}, el('bank', {}, typed('dynamic_memory_enabled', t('bool', 'False')), typed('size', t('integer', o.memoryMb))))),
    // The IDE controller device of Hyper-V's configuration schema.
    el('_83f8638b-8dca-4152-9eda-2ca8b33039b4_', {},
      el('controller0', {},
        el('drive0', {},
          typed('pathname', t('string', `Virtual Hard Disks\\${o.diskFile}`)),
          typed('type', t('string', 'VHD')))))) + '\n';
}

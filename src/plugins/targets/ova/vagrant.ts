/** Vagrant box pieces: metadata.json and the embedded Vagrantfile. */

/** A Ruby single-quoted string literal (no interpolation happens inside single quotes). */
export function rubyString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function vagrantMetadata(provider: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ provider, ...extra }, null, 2) + '\n';
}

/** Vagrantfile shipped inside a box: CPU/memory defaults and the synced folder location. */
export function vagrantfile(provider: 'libvirt' | 'virtualbox' | 'vmware_desktop' | 'hyperv', o: { cpus: number; memoryMb: number; syncDir: string }): string {
  const sync = `  config.vm.synced_folder ".", ${rubyString(o.syncDir)}${provider === 'libvirt' ? ', type: "rsync"' : ''}`;
  const body: Record<typeof provider, string[]> = {
    libvirt: ['  config.vm.provider :libvirt do |p|', '    p.driver = "kvm"', `    p.memory = ${o.memoryMb}`, `    p.cpus = ${o.cpus}`, '  end'],
    virtualbox: ['  config.vm.provider :virtualbox do |p|', `    p.memory = ${o.memoryMb}`, `    p.cpus = ${o.cpus}`, '  end'],
    vmware_desktop: ['  config.vm.provider :vmware_desktop do |p|', `    p.vmx["memsize"] = "${o.memoryMb}"`, `    p.vmx["numvcpus"] = "${o.cpus}"`, '  end'],
    hyperv: ['  config.vm.provider :hyperv do |p|', `    p.memory = ${o.memoryMb}`, `    p.cpus = ${o.cpus}`, '  end'],
  };
  return ['Vagrant.configure("2") do |config|', sync, ...body[provider], 'end', ''].join('\n');
}

/** VMware Fusion/Workstation machine definition for a vagrant-vmware box. */
export function fusionVmx(o: { name: string; cpus: number; memoryMb: number; disk: string; scsi: string; nic: string; nested: boolean }): string {
  const q = (s: string | number) => `"${String(s).replace(/["\n|]/g, '_')}"`;
  return [
    ['.encoding', 'UTF-8'], ['config.version', '8'], ['virtualHW.version', '10'], ['displayName', o.name],
    ['guestOS', 'rhel6-64'], ['memsize', o.memoryMb], ['numvcpus', o.cpus],
    ['scsi0.present', 'TRUE'], ['scsi0.virtualDev', o.scsi], ['scsi0:0.present', 'TRUE'], ['scsi0:0.fileName', o.disk],
    ['ethernet0.present', 'TRUE'], ['ethernet0.connectionType', 'nat'], ['ethernet0.virtualDev', o.nic], ['ethernet0.addressType', 'generated'],
    ...(o.nested ? [['vhv.enable', 'TRUE']] : []),
  ].map(([k, v]) => `${k} = ${q(v)}`).join('\n') + '\n';
}

/**
 * Plugin ids of the original Image Factory (its manual shows `plugins/OpenStackCloud`,
 * `plugins/EC2Cloud`, `plugins/FedoraOS`) → the ids of the plugins here, so links written against
 * the manual keep working. An alias resolves only when its plugin is loaded.
 */
export const PLUGIN_ALIASES: Readonly<Record<string, string>> = {
  OpenStackCloud: 'OpenStack',
  EC2Cloud: 'EC2',
  RHEVMCloud: 'RHEVM',
  vSphereCloud: 'vSphere',
  FedoraOS: 'RedHat',
  RHELOS: 'RedHat',
};

export function pluginIdFor(id: string): string {
  return Object.hasOwn(PLUGIN_ALIASES, id) ? PLUGIN_ALIASES[id]! : id;
}

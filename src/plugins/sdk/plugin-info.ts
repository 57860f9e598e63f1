/** The `.info` metadata of a plugin, as GET /imagefactory/plugins shows it (imagefactory-api.md §5.6). */
export interface PluginInfo {
  type: 'os' | 'cloud';
  /** OS plugins: [name, version|null, arch|null]; cloud plugins: [targetName]. */
  targets: (string | null)[][];
  description: string;
  maintainer: { name: string; email: string; url: string };
  version: string;
  license: string;
}

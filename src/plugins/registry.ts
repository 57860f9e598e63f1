import type { PluginCatalog, PluginEntry } from '../core/ports/plugin-catalog.js';
import type { Tdl } from '../domain/template/tdl.js';
import type { OsPlugin, TargetPlugin, TargetSpec } from './sdk/index.js';

export type ToolCheck = (command: string) => Promise<boolean>;

/**
 * The loaded plugins. OS plugins are matched by [name, version, arch] with Image Factory's
 * left-to-right wildcarding; cloud plugins by exact target name. The first plugin registering a
 * target wins. A plugin whose tools are missing stays listed with an error naming what to install.
 */
export class PluginRegistry implements PluginCatalog {
  private readonly errors = new Map<string, string>();

  private constructor(private readonly os: readonly OsPlugin[], private readonly cloud: readonly TargetPlugin[]) {}

  static async load(os: readonly OsPlugin[], cloud: readonly TargetPlugin[], hasTool: ToolCheck): Promise<PluginRegistry> {
    const ids = new Set<string>();
    for (const p of [...os, ...cloud]) {
      if (!p.id || ids.has(p.id)) throw new Error(`plugin id "${p.id}" is empty or registered twice`);
      ids.add(p.id);
      if (p.info.type !== (os.includes(p as OsPlugin) ? 'os' : 'cloud')) throw new Error(`plugin ${p.id}: info.type does not match its kind`);
    }
    const registry = new PluginRegistry(os, cloud);
    for (const p of [...os, ...cloud]) {
      const missing: string[] = [];
      for (const tool of p.requiredTools) if (!(await hasTool(tool.command))) missing.push(`${tool.command} (Debian package ${tool.debianPackage})`);
      if (missing.length) registry.errors.set(p.id, `Plugin ${p.id} cannot run: missing ${missing.join(', ')}`);
    }
    return registry;
  }

  entries(): readonly PluginEntry[] {
    return [...this.os, ...this.cloud].map((p) => ({ id: p.id, info: p.info, error: this.errors.get(p.id) }));
  }

  osPluginFor(tdl: Tdl): OsPlugin | undefined {
    const keys: (string | null)[][] = [
      [tdl.os.name, tdl.os.version, tdl.os.arch],
      [tdl.os.name, tdl.os.version, null],
      [tdl.os.name, null, null],
    ];
    for (const key of keys) {
      const hit = this.os.find((p) => p.info.targets.some((t) => sameTuple(t, key)));
      if (hit) return hit;
    }
    return undefined;
  }

  targetPluginFor(target: string): TargetPlugin | undefined {
    return this.cloud.find((p) => p.targets.some((t) => t.name === target));
  }

  targets(): readonly { spec: TargetSpec; plugin: TargetPlugin }[] {
    const seen = new Set<string>();
    const out: { spec: TargetSpec; plugin: TargetPlugin }[] = [];
    for (const plugin of this.cloud) {
      for (const spec of plugin.targets) {
        if (seen.has(spec.name)) continue;
        seen.add(spec.name);
        out.push({ spec, plugin });
      }
    }
    return out;
  }

  errorOf(pluginId: string): string | undefined {
    return this.errors.get(pluginId);
  }
}

function sameTuple(a: readonly (string | null)[], b: readonly (string | null)[]): boolean {
  const norm = (v: string | null | undefined) => (v === undefined || v === null ? null : v.toLowerCase());
  return [0, 1, 2].every((i) => norm(a[i]) === norm(b[i]));
}

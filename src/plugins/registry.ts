import type { PluginCatalog, PluginEntry } from '../core/ports/plugin-catalog.js';
import type { Tdl } from '../domain/template/tdl.js';
import type { OsPlugin, ProviderPlugin, TargetPlugin, TargetSpec } from './sdk/index.js';
import { readProviderDocument } from './sdk/provider-documents.js';

export type ToolCheck = (command: string) => Promise<boolean>;

/**
 * The loaded plugins. OS plugins are matched by [name, version, arch] with Image Factory's
 * left-to-right wildcarding; cloud plugins by exact target name. The first plugin registering a
 * target wins. A plugin whose tools are missing stays listed with an error naming what to install.
 * Provider plugins are chosen per push: by the provider document's `type`, by a URL scheme they
 * claim, else the target's default provider (the first one listing the target by name).
 */
export class PluginRegistry implements PluginCatalog {
  private readonly errors = new Map<string, string>();
  private readonly providerErrors = new Map<string, string>();

  private constructor(
    private readonly os: readonly OsPlugin[],
    private readonly cloud: readonly TargetPlugin[],
    private readonly pushers: readonly ProviderPlugin[],
  ) {}

  static async load(os: readonly OsPlugin[], cloud: readonly TargetPlugin[], hasTool: ToolCheck, providers: readonly ProviderPlugin[] = []): Promise<PluginRegistry> {
    const ids = new Set<string>();
    for (const p of [...os, ...cloud]) {
      if (!p.id || ids.has(p.id)) throw new Error(`plugin id "${p.id}" is empty or registered twice`);
      ids.add(p.id);
      if (p.info.type !== (os.includes(p as OsPlugin) ? 'os' : 'cloud')) throw new Error(`plugin ${p.id}: info.type does not match its kind`);
    }
    const providerIds = new Set<string>();
    for (const p of providers) {
      if (!p.id || providerIds.has(p.id)) throw new Error(`provider plugin id "${p.id}" is empty or registered twice`);
      providerIds.add(p.id);
    }
    const registry = new PluginRegistry(os, cloud, providers);
    const missingTools = async (tools: readonly { command: string; debianPackage: string }[]) => {
      const missing: string[] = [];
      for (const tool of tools) if (!(await hasTool(tool.command))) missing.push(`${tool.command} (Debian package ${tool.debianPackage})`);
      return missing;
    };
    for (const p of [...os, ...cloud]) {
      const missing = await missingTools(p.requiredTools);
      if (missing.length) registry.errors.set(p.id, `Plugin ${p.id} cannot run: missing ${missing.join(', ')}`);
    }
    for (const p of providers) {
      const missing = await missingTools(p.requiredTools);
      if (missing.length) registry.providerErrors.set(p.id, `Provider ${p.id} cannot run here: missing ${missing.join(', ')}`);
    }
    return registry;
  }

  providersFor(target: string): readonly ProviderPlugin[] {
    const named = this.pushers.filter((p) => p.targets !== '*' && p.targets.includes(target));
    return [...named, ...this.pushers.filter((p) => p.targets === '*')];
  }

  providerFor(target: string, provider: unknown): { plugin: ProviderPlugin; problem?: undefined } | { plugin?: undefined; problem: string } {
    const candidates = this.providersFor(target);
    if (!candidates.length) return { problem: `target ${target} cannot push to providers` };
    const ids = candidates.map((p) => p.id).join(', ');
    const type = providerType(provider);
    let plugin: ProviderPlugin | undefined;
    if (type !== undefined) {
      plugin = candidates.find((p) => p.id === type);
      if (!plugin) return { problem: `provider type "${type}" does not take ${target} images; providers for ${target}: ${ids}` };
    } else {
      plugin = (typeof provider === 'string' ? candidates.find((p) => p.claims?.(provider.trim())) : undefined)
        ?? candidates.find((p) => p.targets !== '*');
      if (!plugin) return { problem: `name the provider's type ("type" field); providers for ${target}: ${ids}` };
    }
    const error = this.providerErrors.get(plugin.id);
    return error ? { problem: error } : { plugin };
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

/** The provider type a document names (`{"type": "libvirt"}`, `<provider type="libvirt"/>`), if any. */
function providerType(provider: unknown): string | undefined {
  if (typeof provider === 'string' && !/^\s*[{<]/.test(provider)) return undefined;
  const read = readProviderDocument(provider);
  const type = read.fields?.type;
  return type ? type.toLowerCase() : undefined;
}

function sameTuple(a: readonly (string | null)[], b: readonly (string | null)[]): boolean {
  const norm = (v: string | null | undefined) => (v === undefined || v === null ? null : v.toLowerCase());
  return [0, 1, 2].every((i) => norm(a[i]) === norm(b[i]));
}

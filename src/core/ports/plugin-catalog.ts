import type { Tdl } from '../../domain/template/tdl.js';
import type { OsPlugin, PluginInfo, ProviderPlugin, TargetPlugin, TargetSpec } from '../../plugins/sdk/index.js';

export interface PluginEntry {
  id: string;
  info: PluginInfo;
  /** Set when the plugin cannot work here (e.g. "install qemu-utils (qemu-img missing)"). */
  error?: string;
}

/** The loaded plugins, as the core sees them. */
export interface PluginCatalog {
  entries(): readonly PluginEntry[];
  /** OS plugin for a template: [name, version, arch] matched with trailing wildcards, first wins. */
  osPluginFor(tdl: Tdl): OsPlugin | undefined;
  targetPluginFor(target: string): TargetPlugin | undefined;
  targets(): readonly { spec: TargetSpec; plugin: TargetPlugin }[];
  /** Provider plugins that take this target's images: those naming it first, then those taking any target. */
  providersFor(target: string): readonly ProviderPlugin[];
  /** The provider plugin a push of this target to this provider value goes to, or why there is none. */
  providerFor(target: string, provider: unknown): { plugin: ProviderPlugin; problem?: undefined } | { plugin?: undefined; problem: string };
  /** The problem with a plugin (missing tools), if any. */
  errorOf(pluginId: string): string | undefined;
}

import { Command, Option } from 'commander';
import { CONFIG_SCHEMA, type ConfigKey, type ConfigName } from '../config/schema.js';

/**
 * imagefactoryd's command line, generated from the config table so every flag and its doc agree.
 * Returns only the flags the user gave (so the config file's values survive otherwise).
 */
export function parseDaemonFlags(argv: readonly string[], version: string, name = 'imagefactoryd',
  description = 'Image Factory daemon: REST API v2 for building base, target and provider images'): Partial<Record<ConfigName, unknown>> {
  const program = new Command(name)
    .description(description)
    .version(version, '--version')
    .allowExcessArguments(false);
  const byAttr = new Map<string, ConfigName>();
  for (const [name, spec] of Object.entries(CONFIG_SCHEMA) as [ConfigName, ConfigKey][]) {
    for (const flag of [spec.flag, ...(spec.aliases ?? [])]) {
      if (!flag) continue;
      const opt = spec.type === 'boolean' ? new Option(flag, spec.doc) : new Option(`${flag} <value>`, spec.doc);
      const attr = opt.attributeName();
      byAttr.set(attr, name);
      program.addOption(opt);
      if (name === 'debug') program.addOption(new Option('--nodebug', 'Turn debug logging off.'));
    }
  }
  program.parse(['node', name, ...argv]);
  const opts = program.opts<Record<string, unknown>>();
  const flags: Partial<Record<ConfigName, unknown>> = {};
  for (const [attr, value] of Object.entries(opts)) {
    if (attr === 'nodebug') { flags.debug = false; continue; }
    const name = byAttr.get(attr);
    if (name && value !== undefined) flags[name] = value;
  }
  return flags;
}

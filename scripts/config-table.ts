/** Prints the README's configuration table from src/config/schema.ts (node --import tsx scripts/config-table.ts). */
import { CONFIG_SCHEMA, type ConfigKey } from '../src/config/schema.js';

console.log('| key | flag | default | meaning |');
console.log('|---|---|---|---|');
for (const [name, spec] of Object.entries(CONFIG_SCHEMA) as [string, ConfigKey][]) {
  const def = spec.secret && spec.type === 'object' ? '{}' : JSON.stringify(spec.default);
  console.log(`| \`${name}\` | ${spec.flag ? `\`${spec.flag}\`` : 'file/env'} | \`${def}\` | ${spec.doc.replace(/\|/g, '\\|')} |`);
}

import { debianOsPlugin } from '../plugins/os/debian/index.js';
import { redhatOsPlugin } from '../plugins/os/redhat/index.js';
import { providerPlugins } from '../plugins/providers/index.js';
import type { OsPlugin, ProviderPlugin, TargetPlugin } from '../plugins/sdk/index.js';
import { targetPlugins } from '../plugins/targets/index.js';

/** The plugins the product ships. Test doubles are never listed here (D48). */
export function builtinPlugins(): { os: readonly OsPlugin[]; cloud: readonly TargetPlugin[]; providers: readonly ProviderPlugin[] } {
  return { os: [debianOsPlugin, redhatOsPlugin], cloud: targetPlugins, providers: providerPlugins };
}

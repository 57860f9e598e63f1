import { debianOsPlugin } from '../plugins/os/debian/index.js';
import { redhatOsPlugin } from '../plugins/os/redhat/index.js';
import type { OsPlugin, TargetPlugin } from '../plugins/sdk/index.js';
import { targetPlugins } from '../plugins/targets/index.js';

/** The plugins the product ships. Test doubles are never listed here (D48). */
export function builtinPlugins(): { os: readonly OsPlugin[]; cloud: readonly TargetPlugin[] } {
  return { os: [debianOsPlugin, redhatOsPlugin], cloud: targetPlugins };
}

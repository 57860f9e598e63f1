/** Small read-only views of a parsed TDL that the API and the stores need. */
import type { Tdl, TdlArch } from './tdl.js';

export { canonicalTemplateDigest, canonicalTemplateKey } from './canonical-key.js';

/** `/template/name`: the image name Image Factory shows and passes to targets. */
export function templateName(tdl: Tdl): string {
  return tdl.name;
}

export interface TdlSummary {
  name: string;
  description: string | null;
  osName: string;
  osVersion: string;
  arch: TdlArch;
  installType: 'url' | 'iso';
  /** The install tree URL or the ISO location. */
  installSource: string;
}

/** What Image Factory itself reads from a template (spec tdl.md §1): name, os name/version/arch, install type and url|iso. */
export function summarizeTdl(tdl: Tdl): TdlSummary {
  const { install } = tdl.os;
  return {
    name: tdl.name,
    description: tdl.description,
    osName: tdl.os.name,
    osVersion: tdl.os.version,
    arch: tdl.os.arch,
    installType: install.type,
    installSource: install.type === 'url' ? install.url : install.iso,
  };
}

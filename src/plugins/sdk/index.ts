export type { PluginInfo } from './plugin-info.js';
export type { BuildContext } from './build-context.js';
export type { Exec, ExecOptions, ExecResult } from './exec.js';
export type { OsPlugin, BaseImageContext, BaseImageResult, BaseImageOutputs } from './os-plugin.js';
export type {
  TargetPlugin, TargetSpec, ProviderSpec, ParameterSpec, TargetImageContext, TargetImageResult,
  PushContext, PushResult, DeleteFromProviderContext, BaseImageInput,
} from './target-plugin.js';

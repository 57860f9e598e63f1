export type { PluginInfo } from './plugin-info.js';
export type { BuildContext } from './build-context.js';
export type { Exec, ExecOptions, ExecResult } from './exec.js';
export type { OsPlugin, BaseImageContext, BaseImageResult, BaseImageOutputs } from './os-plugin.js';
export type {
  TargetPlugin, TargetSpec, ParameterSpec, TargetImageContext, TargetImageResult, BaseImageInput,
} from './target-plugin.js';
export type {
  ProviderPlugin, ProviderSpec, PushContext, PushResult, PushSource, DeleteFromProviderContext,
} from './provider-plugin.js';

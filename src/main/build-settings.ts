import type { BuildSettings } from '../core/builds/build-deps.js';
import type { Config } from '../config/schema.js';

/** The build steps' slice of the configuration, for the daemon's engine and for workers alike. */
export function buildSettings(config: Config, tmpdir: string, maxConcurrentBuilds: number): BuildSettings {
  return {
    maxConcurrentBuilds,
    maxConcurrentPushes: config.max_concurrent_ec2_sessions,
    stepTimeoutMs: config.timeout * 1000,
    bootTest: config.boot_test,
    bootTestTimeoutMs: 10 * 60 * 1000,
    buildCache: config.build_cache,
    targetConfig: {
      openstack_image_format: config.openstack_image_format,
      rhevm_image_format: config.rhevm_image_format,
      ec2_image_format: config.ec2_image_format,
      ec2_ami_type: config.ec2_ami_type,
      tmpdir,
      fuse_edits: config.fuse_edits,
    },
  };
}

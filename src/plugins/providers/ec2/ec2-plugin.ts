import type { ProviderPlugin } from '../../sdk/index.js';
import { checkEc2, deleteFromEc2, pushToEc2 } from './ec2-push.js';
import { ORIGINAL_REGIONS } from './ec2-regions.js';

/** Amazon EC2: the raw disk written into an EBS snapshot (EBS direct APIs) and registered as an AMI. */
export const ec2Provider: ProviderPlugin = {
  id: 'ec2',
  description: `An EC2 region: "ec2-<region>" (the original's names: ${ORIGINAL_REGIONS.map((r) => `ec2-${r}`).join(', ')}), any current region name, or a JSON object / XML element with the fields below`,
  targets: ['ec2'],
  requiredTools: [{ command: 'qemu-img', debianPackage: 'qemu-utils' }],
  providerFields: [
    { name: 'name', description: 'Region, e.g. ec2-us-east-1 or eu-north-1 (the whole value when given as a string); alias region' },
    { name: 'endpoint', description: 'EC2 endpoint override (URL or host; the original\'s host is accepted) for private regions and tests' },
    { name: 'ebs_endpoint', description: 'EBS direct API endpoint override (default: endpoint)' },
    { name: 's3_endpoint', description: 'S3 endpoint override for ec2_upload=s3-import' },
    { name: 's3_force_path_style', description: 'Path-style S3 URLs (default: true when s3_endpoint is set)', values: ['true', 'false'] },
    { name: 'import_bucket', description: 'S3 bucket staging the disk for ec2_upload=s3-import' },
    { name: 'ami_name', description: 'AMI name (default: the template name and the provider image id)' },
    { name: 'ami_description', description: 'AMI description (default: the template description)' },
    { name: 'tags', description: 'Tags for the AMI and its snapshot: an object, or "key=value,key2=value2"' },
    { name: 'boot_mode', description: 'AMI boot mode (default: EC2\'s for the architecture)', values: ['legacy-bios', 'uefi', 'uefi-preferred'] },
    { name: 'ena_support', description: 'Enhanced networking (ENA)', default: true, values: ['true', 'false'] },
    { name: 'architecture', description: 'AMI architecture (default: the template\'s arch)', values: ['x86_64', 'arm64', 'i386'] },
    { name: 'root_device_name', description: 'Root device', default: '/dev/xvda' },
    { name: 'volume_type', description: 'Root volume type', default: 'gp3' },
  ],
  credentialFields: [
    { name: 'access_key', description: 'Access key id (aliases access_key_id, aws_access_key_id)' },
    { name: 'secret_access_key', description: 'Secret access key (aliases secret_key, aws_secret_access_key)' },
    { name: 'session_token', description: 'Session token of temporary credentials (optional)' },
    { name: 'account_number', description: 'AWS account number (optional; becomes provider_account_identifier, else the AMI owner)' },
    { name: 'certificate', description: 'The original\'s X.509 certificate for S3 bundles: accepted, not used' },
    { name: 'key', description: 'The original\'s X.509 key for S3 bundles: accepted, not used' },
  ],
  check: (_target, provider, credentials, parameters) => checkEc2(provider, credentials, parameters),
  push: pushToEc2,
  delete: deleteFromEc2,
};

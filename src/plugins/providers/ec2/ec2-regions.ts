/** The regions the original's `ec2-<region>` provider names covered. */
export const ORIGINAL_REGIONS = ['us-east-1', 'us-west-1', 'us-west-2', 'us-gov-west-1', 'eu-west-1', 'eu-central-1',
  'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'sa-east-1'] as const;

/** Public AWS regions (and GovCloud and China) as of 2026. */
export const CURRENT_REGIONS: readonly string[] = [
  ...ORIGINAL_REGIONS, 'us-east-2', 'us-gov-east-1', 'ca-central-1', 'ca-west-1', 'mx-central-1',
  'eu-west-2', 'eu-west-3', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2',
  'af-south-1', 'me-south-1', 'me-central-1', 'il-central-1',
  'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2', 'ap-northeast-2', 'ap-northeast-3',
  'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
  'cn-north-1', 'cn-northwest-1',
];

/** The shape of a region name: private regions (with endpoint overrides) may use any such name. */
export const REGION_SHAPE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** `ec2-us-east-1` (the original's provider names) or `us-east-1` → `us-east-1`. */
export function regionOf(name: string): string {
  const n = name.trim().toLowerCase();
  return n.startsWith('ec2-') ? n.slice(4) : n;
}

/** Table shapes as stored (JSON columns are text). */

export interface ImagesTable {
  id: string;
  kind: string;
  status: string;
  activity: string;
  error: string | null;
  percent_complete: number;
  template: string | null;
  icicle: string | null;
  parameters: string;
  properties: string;
  base_image_id: string | null;
  target_image_id: string | null;
  target: string | null;
  provider: string | null;
  credentials_ref: string | null;
  identifier_on_provider: string | null;
  provider_account_identifier: string | null;
  cache_key: string | null;
  created_at: string;
  updated_at: string;
}

export interface DatabaseSchema {
  images: ImagesTable;
}

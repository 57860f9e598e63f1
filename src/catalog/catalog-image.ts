/** One catalog image: everything the Nova, Foreman and Hostway APIs show (never the password). */
export interface CatalogImage {
  /** Foreman's numeric id. */
  id: number;
  /** The id Nova and Hostway show (the factory image id for synced images). */
  novaId: string;
  /** Set for images synced from the factory. */
  factoryId: string | null;
  factoryKind: 'target_image' | 'provider_image' | null;
  name: string;
  /** Glance-like state, see image-state.ts. */
  state: string;
  /** Bytes. */
  size: number;
  /** GiB. */
  minDisk: number;
  /** MiB. */
  minRam: number;
  computeResource: { id: number; name: string; provider: string };
  operatingsystem: { id: number; title: string };
  architecture: { id: number; name: string };
  /** The image's id on its compute resource (Foreman `uuid`). */
  uuid: string;
  username: string;
  userData: boolean;
  iamRole: string | null;
  /** ISO-8601 with milliseconds, UTC. */
  createdAt: string;
  updatedAt: string;
  metadata: Record<string, string | null>;
}

/** Fields a writer sets (sync or Foreman); parents by id. */
export interface CatalogImageFields {
  name: string;
  state: string;
  size: number;
  minDisk: number;
  minRam: number;
  computeResourceId: number;
  operatingsystemId: number;
  architectureId: number;
  uuid: string;
  username: string;
  password: string | null;
  userData: boolean;
  iamRole: string | null;
}

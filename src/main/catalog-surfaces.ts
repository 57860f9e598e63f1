import type { FastifyInstance } from 'fastify';
import { dashboardCatalogRoute } from '../api/dashboard/catalog-route.js';
import { foremanApi } from '../api/foreman/index.js';
import { hostwayApi } from '../api/hostway/index.js';
import { novaApi } from '../api/nova/index.js';
import type { Container, ContainerOptions } from './container.js';
import { Catalog } from '../catalog/catalog.js';
import { ImageMetadata } from '../catalog/image-metadata.js';
import { FactorySync } from '../catalog/sync/factory-sync.js';

type SurfaceContainer = Omit<Container, 'app'>;

/** The catalog of one container, built once and shared by its three surfaces and the sync. */
const catalogs = new WeakMap<object, Catalog>();

function catalogOf(container: SurfaceContainer): Catalog {
  let catalog = catalogs.get(container.db);
  if (!catalog) {
    catalog = new Catalog(container.db, {
      getImage: (id) => container.store.get(id),
      deleteImage: (kind, id, req) => container.deleteImage(kind, id, req),
      deleteCredentials: container.config.catalog_delete_credentials,
    });
    catalogs.set(container.db, catalog);
  }
  return catalog;
}

const users = (v: Record<string, unknown>) => Object.fromEntries(Object.entries(v).map(([k, p]) => [k, String(p)]));

/**
 * The catalog APIs (Nova, Foreman, Hostway) and the factory → catalog sync, as container surfaces.
 * The sync runs inside the first surface so it starts with the app and stops when the app closes.
 */
export function catalogSurfaces(): NonNullable<ContainerOptions['surfaces']> {
  return [
    async (app: FastifyInstance, container: SurfaceContainer) => {
      const sync = new FactorySync({
        catalog: catalogOf(container),
        store: container.store,
        subscribe: (listener) => container.events.subscribe(listener),
        bodyPath: (id) => container.artifacts.bodyPath(id),
        bodySize: container.artifacts.openRead && (async (id) => (await container.artifacts.openRead!(container.artifacts.bodyPath(id)))?.size),
        logger: app.log,
      });
      await sync.start();
      app.addHook('onClose', async () => { sync.stop(); await sync.idle(); });
    },
    async (app: FastifyInstance, container: SurfaceContainer) => {
      const catalog = catalogOf(container);
      await novaApi(app, {
        catalog,
        metadata: new ImageMetadata(catalog),
        tokens: users(container.config.nova_tokens),
        links: { computePrefix: container.config.compute_link_prefix, glancePrefix: container.config.glance_link_prefix },
      });
    },
    async (app: FastifyInstance, container: SurfaceContainer) => {
      await hostwayApi(app, { catalog: catalogOf(container), users: users(container.config.hostway_users) });
    },
    async (app: FastifyInstance, container: SurfaceContainer) => {
      await foremanApi(app, { catalog: catalogOf(container), users: users(container.config.foreman_users) });
    },
    async (app: FastifyInstance, container: SurfaceContainer) => {
      await dashboardCatalogRoute(app, { catalog: catalogOf(container), ...container.auth });
    },
  ];
}

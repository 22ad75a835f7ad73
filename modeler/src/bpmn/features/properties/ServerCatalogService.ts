import type EventBus from 'diagram-js/lib/core/EventBus';
import { loadServerCatalog, type ServerCatalog } from '../../server-catalog';

export interface CatalogConfig {
  /** Where the choices come from; default: the server (GET /api/services, /api/groups, /api/calendars, /api/definitions). */
  load?: () => Promise<ServerCatalog>;
}

/**
 * The server's service handlers, groups, business calendars and process keys, loaded once per
 * modeler. Until they arrive (or when the user may not read a list) the panel offers free text;
 * when they arrive the panel re-renders with the choices.
 */
export default class ServerCatalogService {
  static $inject = ['eventBus', 'config.itsmCatalog'];

  catalog: ServerCatalog = { services: [], groups: [], calendars: [], processKeys: [] };
  readonly ready: Promise<void>;
  private destroyed = false;

  constructor(eventBus: EventBus, config: CatalogConfig | undefined) {
    eventBus.on('diagram.destroy', () => {
      this.destroyed = true;
    });
    this.ready = (config?.load ?? loadServerCatalog)()
      .then((catalog) => {
        if (this.destroyed) return;
        this.catalog = catalog;
        eventBus.fire('propertiesPanel.providersChanged');
      })
      .catch(() => {
        // the choices stay empty: every field still accepts free text
      });
  }
}

import ItsmPropertiesProvider from './ItsmPropertiesProvider';
import ServerCatalogService from './ServerCatalogService';

export default {
  __init__: ['itsmPropertiesProvider'],
  itsmCatalog: ['type', ServerCatalogService],
  itsmPropertiesProvider: ['type', ItsmPropertiesProvider],
};

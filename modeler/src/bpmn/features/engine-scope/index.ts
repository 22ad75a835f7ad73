import EngineScope from './EngineScope';

export default {
  __init__: ['engineScope'],
  engineScope: ['type', EngineScope],
};

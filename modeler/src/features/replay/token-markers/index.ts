import TokenMarkers from './TokenMarkers';

export default {
  __init__: ['tokenMarkers'],
  tokenMarkers: ['type', TokenMarkers],
};

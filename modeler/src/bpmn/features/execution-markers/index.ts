import ExecutionMarkers from './ExecutionMarkers';

export default {
  __init__: ['executionMarkers'],
  executionMarkers: ['type', ExecutionMarkers],
};

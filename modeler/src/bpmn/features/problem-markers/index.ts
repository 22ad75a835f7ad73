import ProblemMarkers from './ProblemMarkers';

export default {
  __init__: ['problemMarkers'],
  problemMarkers: ['type', ProblemMarkers],
};

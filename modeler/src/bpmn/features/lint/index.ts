import LiveLint from './LiveLint';

export default {
  __init__: ['liveLint'],
  liveLint: ['type', LiveLint],
};

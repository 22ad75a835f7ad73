import { loadConfig } from './config';

describe('HTTP_KEEP_ALIVE_SECONDS', () => {
  it('is 65 s unless set', () => {
    expect(loadConfig({}).httpKeepAliveSeconds).toBe(65);
    expect(loadConfig({ HTTP_KEEP_ALIVE_SECONDS: '120' }).httpKeepAliveSeconds).toBe(120);
  });

  it('refuses 0 (no keep-alive timeout at all) and anything that is not a whole number of seconds', () => {
    expect(() => loadConfig({ HTTP_KEEP_ALIVE_SECONDS: '0' })).toThrow(/HTTP_KEEP_ALIVE_SECONDS/);
    expect(() => loadConfig({ HTTP_KEEP_ALIVE_SECONDS: '5s' })).toThrow(/HTTP_KEEP_ALIVE_SECONDS/);
  });
});

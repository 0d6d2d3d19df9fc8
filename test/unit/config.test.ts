import { ConfigError, loadConfig } from '../../src/config';

describe('configuration of the edges', () => {
  it('refuses to start with a BACKOFFICE_TOKEN shorter than 32 characters, saying why', () => {
    expect(() => loadConfig({ BACKOFFICE_TOKEN: 'supervisor-2026' })).toThrow(ConfigError);
    expect(() => loadConfig({ BACKOFFICE_TOKEN: 'x'.repeat(31) })).toThrow(/BACKOFFICE_TOKEN: must be at least 32 characters/);
    expect(loadConfig({ BACKOFFICE_TOKEN: 'x'.repeat(32) }).backoffice.token).toBe('x'.repeat(32));
  });

  it('keeps /api/messages closed to anonymous posts unless BOTFRAMEWORK_ANONYMOUS=true', () => {
    expect(loadConfig({}).botframework.anonymous).toBe(false);
    expect(loadConfig({ BOTFRAMEWORK_ANONYMOUS: 'true' }).botframework.anonymous).toBe(true);
    expect(() => loadConfig({ BOTFRAMEWORK_ANONYMOUS: 'yes' })).toThrow(/BOTFRAMEWORK_ANONYMOUS/);
  });

  it('starts with nothing set: no back office token, open metrics, no proxy', () => {
    const config = loadConfig({});
    expect(config.backoffice.token).toBeUndefined();
    expect(config.metricsToken).toBeUndefined();
    expect(config.trustProxy).toBe(false);
  });
});

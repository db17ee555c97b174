import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../../main/platform/paths';

describe('data folder', () => {
  it('lives in the OS application-data folder', () => {
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\kari\\AppData\\Roaming' }, 'win32')).toBe(path.join('C:\\Users\\kari\\AppData\\Roaming', 'd365-integration-console'));
    expect(defaultDataDir({}, 'darwin')).toBe(path.join(os.homedir(), 'Library', 'Application Support', 'd365-integration-console'));
    expect(defaultDataDir({}, 'linux')).toBe(path.join(os.homedir(), '.config', 'd365-integration-console'));
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux')).toBe('/x/cfg/d365-integration-console');
  });
  it('is overridden by D365IC_DATA_DIR', () => {
    expect(defaultDataDir({ D365IC_DATA_DIR: '/tmp/d', APPDATA: 'C:\\x' }, 'win32')).toBe(path.resolve('/tmp/d'));
  });
});

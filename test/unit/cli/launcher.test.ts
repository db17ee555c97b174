import { describe, expect, it } from 'vitest';
import { chooseHost, nodeCanRunForge } from '../../../main/launcher/decide.mjs';

describe('npm start host choice', () => {
  it('needs Node 22.13+ for the desktop shell', () => {
    expect(nodeCanRunForge('20.20.2')).toBe(false);
    expect(nodeCanRunForge('22.12.0')).toBe(false);
    expect(nodeCanRunForge('22.13.0')).toBe(true);
    expect(nodeCanRunForge('24.1.0')).toBe(true);
  });

  it('uses Electron only with a new enough Node and an installed binary, and says why otherwise', () => {
    const base = { env: {}, args: [] };
    expect(chooseHost({ ...base, nodeVersion: '22.13.1', electronBinary: '/x/electron' })).toEqual({ host: 'electron' });
    expect(chooseHost({ ...base, nodeVersion: '20.20.2', electronBinary: '/x/electron' })).toMatchObject({ host: 'browser', reason: expect.stringContaining('22.13') });
    expect(chooseHost({ ...base, nodeVersion: '22.13.1', electronBinary: null })).toMatchObject({ host: 'browser', reason: expect.stringContaining('Electron binary') });
    expect(chooseHost({ ...base, args: ['--browser'], nodeVersion: '22.13.1', electronBinary: '/x' })).toMatchObject({ host: 'browser' });
    expect(chooseHost({ env: { D365IC_BROWSER_HOST: '1' }, args: [], nodeVersion: '22.13.1', electronBinary: '/x' })).toMatchObject({ host: 'browser' });
  });
});

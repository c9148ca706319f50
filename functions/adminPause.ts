import azf from '@azure/functions';
import { adminEndpoint } from '../src/app/http/adminEndpoint.js';
import { setPaused } from '../src/app/http/pauseSwitch.js';

/** `POST /api/pause` `{reason?}`: the worker applies nothing until resumed (audited). */
export const adminPause = adminEndpoint('admin', async ({ request, rt, by, now }) => {
  const { settings, audit } = (await rt.app()).stores;
  return setPaused(true, await request.text(), {
    pause: (who, at, reason) => settings.pause(who, at, reason),
    resume: (who, at) => settings.resume(who, at),
    pauseState: () => settings.pauseState(),
    audit: (records) => audit.write(records),
    now,
    by,
  });
});

azf.app.http('adminPause', { methods: ['POST'], authLevel: 'function', route: 'pause', handler: adminPause });

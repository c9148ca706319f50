import azf from '@azure/functions';
import { adminEndpoint } from '../src/app/http/adminEndpoint.js';
import { setPaused } from '../src/app/http/pauseSwitch.js';

/** `POST /api/resume`: the worker applies changes again (audited). */
export const adminResume = adminEndpoint('admin', async ({ request, rt, by, now }) => {
  const { settings, audit } = (await rt.app()).stores;
  return setPaused(false, await request.text(), {
    pause: (who, at, reason) => settings.pause(who, at, reason),
    resume: (who, at) => settings.resume(who, at),
    pauseState: () => settings.pauseState(),
    audit: (records) => audit.write(records),
    now,
    by,
  });
});

azf.app.http('adminResume', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'resume',
  handler: adminResume,
});

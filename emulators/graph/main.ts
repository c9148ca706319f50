import { parseArgs } from 'node:util';
import { startGraphEmulator } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    seed: { type: 'string' },
    'tenant-id': { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'cert-dir': { type: 'string' },
  },
  strict: true,
});

const emulator = await startGraphEmulator({
  port: Number(values.port),
  ...(values.seed ? { seed: values.seed } : {}),
  ...(values['tenant-id'] ? { tenantId: values['tenant-id'] } : {}),
  ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
  ...(values['client-secret'] ? { clientSecret: values['client-secret'] } : {}),
  ...(values['cert-dir'] ? { certDir: values['cert-dir'] } : {}),
});

const ready = {
  url: emulator.url,
  tenantId: emulator.tenantId,
  clientId: emulator.clientId,
  clientSecret: emulator.clientSecret,
  caCert: emulator.caCert,
  adminClientId: emulator.adminClientId,
  adminClientSecret: emulator.adminClientSecret,
  identityEndpoint: emulator.identityEndpoint,
  identityHeader: emulator.identityHeader,
};
process.stdout.write(`ready ${JSON.stringify(ready)}\n`);

const stop = () => {
  void emulator.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

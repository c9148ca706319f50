// The tests start Azurite the same way `npm start` does.
export { DEV_ACCOUNT, DEV_ACCOUNT_KEY, type RunningAzurite, startAzurite } from '../../dev/azurite.js';
